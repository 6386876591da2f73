"""Benchmarks (python -m bench NAME): ratios measured within one run, never timed tests."""
