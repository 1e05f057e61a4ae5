"""Hostile input and fault tests: each case runs against real local servers."""
