"""Helpers for the reliability proofs (tests/test_reliability_*.py): own instances, a live server, a writer."""
