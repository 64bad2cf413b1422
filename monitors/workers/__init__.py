"""Worker processes of our own for CPU-bound steps (parsing feeds, assessing reports)."""
