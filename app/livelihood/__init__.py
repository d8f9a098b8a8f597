"""livelihood"""
