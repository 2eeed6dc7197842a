"""Benchmarks of source-aroflo against the local sandbox (`make bench`; see `bench/__main__.py`)."""
