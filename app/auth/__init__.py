"""Accounts, roles scoped to units, sessions, TOTP, and the permission decisions for every route."""
