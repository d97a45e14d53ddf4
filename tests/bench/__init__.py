"""Benchmarks (scripts, not tests): run them all with `python -m tests.bench`."""
