"""monitors/quick_exit.py: the heap is frozen after every other exit handler, registered once."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT

SCRIPT = """
import atexit, gc
from monitors.quick_exit import freeze_at_exit
atexit.register(lambda: print("last", gc.get_freeze_count() > 0))  # registered first: runs last
before = atexit._ncallbacks()
freeze_at_exit()
freeze_at_exit()
print("registered", atexit._ncallbacks() - before)
atexit.register(lambda: print("first", gc.get_freeze_count() > 0))  # e.g. Prefect's workers
"""


def test_freeze_runs_after_later_handlers_and_registers_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert ["registered 1", "first False", "last True"] == done.stdout.split("\n")[:3]
