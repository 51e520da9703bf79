"""Leaderboards: suites, the runner, the results store, statistics and reports."""
