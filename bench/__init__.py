"""Benchmarks. ``python -m bench`` (``make bench``) runs every module listed in BENCHMARKS and
writes their results to docs/benchmarks.md. Targets live here, never in timed unit tests."""
