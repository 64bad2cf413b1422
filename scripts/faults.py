"""Issue 11's closing table: every fault played over whole runs, and one run over all hostile feeds.

    python -m scripts.faults              # both parts (about 2 minutes)
    python -m scripts.faults --matrix     # only the fault table
    python -m scripts.faults --hostile    # only the run over every hostile feed at once

The fault table plays each fault of ``tests/fixtures/fault_matrix.py`` (the faults the tests
assert) against real servers on 127.0.0.1 and counts, once the fault is gone, the alerts
delivered once, duplicated, failed with their reason and lost.

The hostile run serves every feed fault ``--copies`` times at once next to one healthy feed,
with the shipped fetch defaults (per-feed deadline 60 s), and runs ``claimwatch run`` on it as a
user would (a temporary Prefect server unless PREFECT_API_URL names one), sampling the RSS of
the whole process tree. Target: wall <= the per-feed deadline + 30 s, peak RSS <= 400 MB.
It needs the test and bench extras (``pip install -e '.[test,bench]'``): the servers are the
tests' own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from monitors.ingest.fetch import FetchSettings
from tests.fixtures.fault_matrix import (
    FAULTS,
    FEED_FAULTS,
    Desk,
    Row,
    Servers,
    expected_alerts,
    play,
)
from tests.fixtures.feed_server import FeedServer
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.webhook_receiver import WebhookReceiver

TABLE_HEAD = (
    "| fault | runs | alerts expected | delivered once | duplicated | failed (reason) | lost "
    "| unexpected | what was stored while it lasted | s |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def _servers(feeds: FeedServer) -> Servers:
    smtp, hook = SmtpServer(), WebhookReceiver()
    smtp.start()
    hook.start()
    return Servers(feeds, smtp, hook)


def _stop(servers: Servers) -> None:
    servers.smtp.stop()
    servers.hook.stop()


def _row(row: Row) -> str:
    failed = f"{row.failed} ({'; '.join(r[:60] for r in row.reasons)})" if row.failed else "0"
    cells = [
        row.fault,
        row.runs,
        row.expected,
        row.delivered_once,
        row.duplicated,
        failed,
        row.lost,
        row.unexpected,
        row.stored.replace("|", "/"),
        f"{row.seconds:.1f}",
    ]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def matrix(root: Path, feeds: FeedServer) -> None:
    servers = _servers(feeds)
    try:
        expected = expected_alerts(root / "no-fault", servers)
    finally:
        _stop(servers)
    print(TABLE_HEAD)
    for number, fault in enumerate(FAULTS):
        servers = _servers(feeds)
        try:
            print(_row(play(fault, root / f"fault-{number}", servers, expected)), flush=True)
        finally:
            _stop(servers)


def _tree_rss_mb(process: psutil.Process) -> float:
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for member in members:
        with contextlib.suppress(psutil.Error):  # it exited between the listing and the reading
            total += member.memory_info().rss
    return total / 2**20


def _timed(command: list[str], env: dict[str, str], log: Path) -> tuple[int, float, float]:
    """Run ``command``; its exit code, wall seconds and peak RSS of its process tree (MB)."""
    peak = 0.0
    started = time.perf_counter()
    with log.open("wb") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        process = psutil.Process(child.pid)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss_mb(process))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = child.wait()
        done.set()
        sampler.join()
    return code, time.perf_counter() - started, peak


def hostile(root: Path, feeds: FeedServer, copies: int) -> None:
    """One ``claimwatch run`` over every feed fault, ``copies`` of each, plus a healthy feed; then
    the same workload through the plain path (no Prefect) on a fresh database."""
    servers = _servers(feeds)
    try:
        urls: dict[str, str] = {}
        for number, fault in enumerate(FEED_FAULTS):
            for copy in range(copies):
                desk = Desk(root / f"feed-{number}-{copy}", servers)
                fault.on(desk)
                urls[f"hostile-{number}-{copy}"] = desk.faulty_url
        desk = Desk(root / "run", servers)
        urls["wire"] = servers.feeds.url(desk.wire_path)
        lines = "".join(f"  - id: {fid}\n    url: {url}\n" for fid, url in urls.items())
        (desk.config_dir / "feeds.yaml").write_text(f"feeds:\n{lines}", encoding="utf-8")
        config = str(desk.config_dir)
        env = dict(os.environ, CLAIMWATCH_HOME=str(root / "home"))
        product = [sys.executable, "-m", "flows.cli", "run", "--config", config]
        runs = {"`claimwatch run`": _timed(product, env, root / "run.log")}
        plain = [sys.executable, "-m", "scripts.plain_run", "--config", config]
        plain += ["--database-url", f"sqlite:///{root / 'plain.db'}"]
        runs["plain path (`python -m scripts.plain_run`)"] = _timed(plain, env, root / "plain.log")
    finally:
        _stop(servers)
    deadline = FetchSettings().deadline
    server = os.environ.get("PREFECT_API_URL") or "a temporary Prefect server, in the tree"
    print(f"\nhostile run: {len(urls) - 1} hostile feeds + 1 healthy; Prefect: {server}")
    print("| run | wall | peak RSS, process tree | exit code |\n|---|---|---|---|")
    for name, (code, wall, peak) in runs.items():
        print(f"| {name} | {wall:.1f} s | {peak:.0f} MB | {code} |")
    target = f"<= {deadline + 30:g} s (per-feed deadline {deadline:g} s + 30 s)"
    print(f"| target | {target} | <= 400 MB | |")
    print("\nthe run's summary (`claimwatch run`):")
    for line in (root / "run.log").read_text(encoding="utf-8", errors="replace").splitlines():
        if " | " not in line:  # Prefect's log lines repeat the summary with timestamps
            print("  " + line[:300])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--matrix", action="store_true", help="only the fault table")
    parser.add_argument("--hostile", action="store_true", help="only the hostile-feeds run")
    parser.add_argument("--copies", type=int, default=3, help="copies of each feed fault")
    args = parser.parse_args(argv)
    both = not (args.matrix or args.hostile)
    feeds = FeedServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="claimwatch-faults-") as directory:
            root = Path(directory)
            if both or args.matrix:
                matrix(root / "matrix", feeds)
            if both or args.hostile:
                hostile(root / "hostile", feeds, args.copies)
    finally:
        feeds.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
