"""Benchmarks that print figures; never timed assertions in the tests."""
