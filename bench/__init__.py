"""Benchmarks: named scenarios timed against a generated data set (see README.md)."""
