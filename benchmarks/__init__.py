"""Scale runs and naive baselines; results are written up in docs/benchmarks.md."""
