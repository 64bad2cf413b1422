"""What ``claimwatch serve`` is asked to do (flows/serve.py), kept apart from it so that the
command line can show the defaults without importing Prefect."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_NAME = "served"
DEFAULT_EVERY_S = 900.0  # every 15 minutes, like prefect.yaml's scheduled deployment
DEFAULT_POLL_S = 5.0  # how often the server is asked for due runs


@dataclass(frozen=True)
class ServeOptions:
    config_dir: str
    database_url: str | None = None
    name: str = DEFAULT_NAME
    every_s: float = DEFAULT_EVERY_S  # 0: no schedule, runs started by hand only
    poll_s: float = DEFAULT_POLL_S
    max_runs: int | None = None  # stop after this many runs (tests, benchmarks)
