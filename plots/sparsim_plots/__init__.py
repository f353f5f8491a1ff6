"""Figures from sparsim results: report.json of one run, results.csv of a sweep (docs/sweeps.md)."""
