"""The stance engine: which sentences are about a claim, and whether they assert or deny it."""
