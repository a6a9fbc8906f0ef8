"""On-demand benchmarks; run from the repository root, never in the test suite."""
