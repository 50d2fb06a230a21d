"""Benchmarks and drills that run against real services, outside `make test`."""
