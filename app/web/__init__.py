"""Shared web plumbing: security headers, error pages, template filters, htmx helpers."""
