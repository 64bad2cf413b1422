"""assess_many: reports read against the claims in worker processes give what one process gives."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from monitors.config import load_claims
from monitors.models import Verdict
from monitors.paths import DEMO_CONFIG_DIR
from monitors.stance.batch import assess_many
from monitors.stance.engine import StanceEngine

TEXTS = [
    ("Russian forces recaptured Gornal, the defence ministry in Moscow said", ""),
    ("Kyiv denies that Gornal has fallen and says fighting continues", ""),
    ("Russia says it has regained full control of the Kursk region", "Kyiv calls it propaganda."),
    ("Weather in Lisbon: sunny all week", "Nothing about any claim."),
    ("Ukrainian troops still hold positions near Sudzha in the Kursk region", ""),
    ("Football: late goal settles the derby", ""),
]


def test_workers_give_the_assessments_of_one_process() -> None:
    """Every report, every claim: equal assessments, in order, with the engine's shared
    'unrelated' tuple restored for the reports no claim matched."""
    engine = StanceEngine(load_claims(DEMO_CONFIG_DIR / "claims.yaml"))
    texts = TEXTS * 400  # 2,400 reports: 3 chunks, so both workers take more than one
    here = assess_many(engine, texts, workers=0)
    seen: list[int] = []
    there = assess_many(engine, texts, seen.append, workers=2, workers_from=0)
    assert here == there
    assert sum(a is b for a, b in zip(here, there, strict=True)) >= 80  # shared tuples, restored
    assert seen and seen[-1] == len(texts)
    verdicts = {a.verdict for found in there for a in found}
    assert {Verdict.CONFIRM, Verdict.UNRELATED} <= verdicts  # the texts do exercise the engine


def _worker_pids() -> list[int]:
    """This process's children running monitors.workers.worker (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"monitors.workers.worker" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers in /proc")
def test_a_worker_killed_mid_way_loses_no_report() -> None:
    """SIGKILL a worker while the chunks are being read: its chunk is read in this process, the
    rest by its replacement, and the answer is the one one process gives."""
    engine = StanceEngine(load_claims(DEMO_CONFIG_DIR / "claims.yaml"))
    texts = TEXTS * 4000  # 24 chunks
    killed: list[int] = []

    def kill_first_worker() -> None:
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            pids = _worker_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            time.sleep(0.01)

    killer = threading.Thread(target=kill_first_worker)
    killer.start()
    there = assess_many(engine, texts, workers=2, workers_from=0)
    killer.join()
    assert killed, "no worker was seen to kill"
    assert there == assess_many(engine, texts, workers=0)
