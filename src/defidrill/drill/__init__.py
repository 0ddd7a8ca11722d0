"""Drill engine: drill files, market paths, the oracle feeder and failure injections."""
