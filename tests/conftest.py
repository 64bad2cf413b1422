"""Shared test set-up.

Prefect settings are fixed here, before anything imports prefect (see ../shared/PREFECT-NOTES.md):
a private PREFECT_HOME, no inherited API URL, and no silent ephemeral server.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_PREFECT_HOME = tempfile.mkdtemp(prefix="claimwatch-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.pop("PREFECT_API_URL", None)
os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "false"
os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

pytest_plugins = [
    "tests.fixtures.feed_server",
    "tests.fixtures.smtp_server",
    "tests.fixtures.webhook_receiver",
    "tests.fixtures.postgres",
    "tests.fixtures.stores",
    "tests.fixtures.prefect_harness",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
