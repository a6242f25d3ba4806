"""The benchmarks of issues 4 and 6: ``python -m tests.bench`` (``make bench``)."""
