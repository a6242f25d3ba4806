"""The benchmark of issue 4: ``python -m tests.bench`` (``make bench``)."""
