"""Organisational units (the tree of province, district, commune, village, trusted address, agency)."""
