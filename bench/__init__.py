"""Benchmarks (`make bench`): each module prints a table; targets live here, never in unit tests."""
