"""The deciding stage timed step by step on the bench's feed farm: keep_new, assess, group_stories,
record_stories, against a fresh SQLite store; then the whole stage as a run takes it
(``decide_polls``: the writes overlap the reading in workers) against another fresh store.

    python -m scripts.decide_bench [--bench DIR] [--claims 100] [--workload farm|big|both]
                                   [--profile STEP] [--tracemalloc] [--digest FILE]

Two workloads: ``farm`` is the first cycle of the farm (``--n`` feeds x ``--m`` items, default
1,000 x 50), ``big`` is one feed of ``--big`` items (default 10,000; the farm serving one feed of
that many). The farm runs from the bench directory (default ``$CLAIMWATCH_BENCH`` or
/work/shared/bench; it is never copied into claimwatch); its feeds are fetched once with httpx and
parsed with claimwatch's own parser, outside the timings. ``farm.py config`` writes the claims.

It prints one table row per (workload, step): wall and CPU seconds (the machine may be shared:
CPU is the steadier figure), and the process's peak RSS after the step. ``--profile assess`` (or
another step) runs that step under cProfile and prints the top functions; ``--tracemalloc`` adds
each step's peak of traced allocations. ``--digest FILE`` writes a hash of every decision
(verdicts, scores, evidence) and one of the rows the store wrote (times of the run left out),
so two versions of the engine or the store can be compared for identical decisions and writes.
It measures; it is not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import importlib
import json
import os
import pathlib
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, TypeVar

import httpx

from alerts.channel import CHANNEL_TYPES
from monitors.config import Config, load_config
from monitors.ingest.parse import parse_feed
from monitors.ingest.poll import FeedPoll
from monitors.models import Feed, Validators
from monitors.pipeline import (
    RunOptions,
    assess,
    decide_polls,
    group_stories,
    keep_new,
    polled_feeds,
    record_health,
    record_stories,
)
from monitors.state.record import DecidedReport
from monitors.state.store import Store

# ../shared/bench beside the checkout, as CI has it (CLAIMWATCH_BENCH overrides).
DEFAULT_BENCH = pathlib.Path(
    os.environ.get(
        "CLAIMWATCH_BENCH", pathlib.Path(__file__).resolve().parents[2] / "shared" / "bench"
    )
)
T = TypeVar("T")
Row = tuple[str, str, float, float, float, str]  # workload, step, wall s, CPU s, RSS MB, output


def _bench_module(bench: pathlib.Path, name: str) -> ModuleType:
    if str(bench) not in sys.path:
        sys.path.insert(0, str(bench))
    return importlib.import_module(name)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _polls(url: str, feeds: Sequence[Feed]) -> list[FeedPoll]:
    """Every feed fetched once and parsed with claimwatch's parser (not timed)."""
    out = []
    with httpx.Client(timeout=120.0) as client:
        for feed in feeds:
            response = client.get(feed.url)
            headers = dict(response.headers)
            reports = parse_feed(feed.id, response.content, headers, base_url=str(response.url))
            validators = Validators(headers.get("etag"), headers.get("last-modified"))
            out.append(FeedPoll(feed=feed, reports=tuple(reports), validators=validators))
    return out


def _config(bench: pathlib.Path, url: str, n: int, claims: int, out: pathlib.Path) -> Config:
    farm = str(bench / "farm.py")
    args = [sys.executable, farm, "config", "--base-url", url, "--n", str(n)]
    subprocess.run([*args, "--claims", str(claims), "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return load_config(out, channel_types=CHANNEL_TYPES)


class Steps:
    """Runs the deciding steps in order, timing each (and profiling one)."""

    def __init__(self, name: str, profile: str | None, trace: bool = False) -> None:
        self.name = name
        self.profile = profile
        self.trace = trace  # tracemalloc each step: what it allocated at its peak (slower)
        self.rows: list[Row] = []
        self.stored = ""  # stored_digest after the last step
        self.overlapped = ""  # stored_digest after decide_reports (the run's way), if timed

    def run(self, step: str, fn: Callable[[], T], size: Callable[[T], str]) -> T:
        profiler = cProfile.Profile() if step == self.profile else None
        if self.trace:
            tracemalloc.start()
        t0, c0 = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        result = fn()
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        out = size(result)
        if self.trace:
            out += f"; traced peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MB"
            tracemalloc.stop()
        self.rows.append((self.name, step, wall, cpu, _peak_rss_mb(), out))
        if profiler is not None:
            print(f"--- cProfile of {self.name}/{step} (top 30 by cumulative time)")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return result


def run_workload(
    name: str,
    config: Config,
    polls: list[FeedPoll],
    db: pathlib.Path,
    profile: str | None,
    trace: bool = False,
    overlapped: bool = True,
) -> tuple[Steps, list[DecidedReport]]:
    store = Store(f"sqlite:///{db}")
    steps = Steps(name, profile, trace)
    record_health(store, polls)  # the feeds rows, as a run writes them first (not timed)
    claims = list(config.claims)
    reports = steps.run("keep_new", lambda: keep_new(store, polls, None), lambda r: f"{len(r)}")
    decided = steps.run("assess", lambda: assess(claims, reports), _related)
    stories = steps.run(
        "group_stories",
        lambda: group_stories(decided, config.alert_policy()),
        lambda s: f"{len(s)} stories",
    )
    result = steps.run(
        "record_stories",
        lambda: record_stories(store, config, stories, polled_feeds(polls)),
        lambda r: f"{r.new_evidence} evidence, {len(r.alerts)} alerts",
    )
    del result
    steps.stored = stored_digest(store)
    store.close()
    if overlapped:  # the same steps as a run takes them: writes overlapping the reading
        store = Store(f"sqlite:///{db}.overlapped")
        record_health(store, polls)
        steps.run(
            "decide_reports",
            lambda: decide_polls(store, config, polls, RunOptions()),
            lambda r: f"{r.new_evidence} evidence, {len(r.alerts)} alerts",
        )
        steps.overlapped = stored_digest(store)
        store.close()
    return steps, decided


# What record_stories wrote, without the columns that hold the time of the run.
_STORED = {
    "reports": "feed_id, report_id, content_hash, title, summary, link, published",
    "evidence": "id, claim_id, feed_id, report_id, content_hash, verdict, score, relatedness, "
    "spans, report_title, report_link, published",
    "claim_state": "claim_id, state, as_of, evidence_id",
    "state_changes": "id, claim_id, previous, state, reported_at, evidence_id",
    "outbox": "id, key, channel, claim_id, status, attempts, last_error",
}


def stored_digest(store: Store) -> str:
    """A hash of the rows record_stories wrote (times of the run left out; the outbox payload
    holds one), so two versions of the store can be compared for identical writes."""
    h = hashlib.sha256()
    with store.engine.connect() as conn:
        for table, columns in _STORED.items():
            rows = conn.exec_driver_sql(f"SELECT {columns} FROM {table} ORDER BY 1, 2").all()
            h.update(f"{table}:{len(rows)}".encode())
            for row in rows:
                h.update(json.dumps(list(row), default=str, ensure_ascii=False).encode())
    return h.hexdigest()


def _related(decided: list[DecidedReport]) -> str:
    pairs = sum(1 for d in decided for a in d.assessments if a.verdict.value != "unrelated")
    return f"{len(decided)} reports, {pairs} related pairs"


def digest(decided: Sequence[DecidedReport]) -> str:
    """A hash of every decision, in order: equal digests, identical decisions."""
    h = hashlib.sha256()
    for item in decided:
        for a in item.assessments:
            row = [item.report.report_id, a.claim_id, a.verdict.value, a.score, a.relatedness,
                   [e.to_dict() for e in a.evidence]]  # fmt: skip
            h.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


def _print_table(rows: Sequence[Row]) -> None:
    print(f"{'workload':<10} {'step':<15} {'wall s':>9} {'CPU s':>9} {'peak RSS MB':>12}  output")
    for workload, step, wall, cpu, rss, size in rows:
        print(f"{workload:<10} {step:<15} {wall:>9.3f} {cpu:>9.3f} {rss:>12.1f}  {size}")
    totals: dict[str, tuple[float, float]] = {}
    for workload, _, wall, cpu, _, _ in rows:
        w, c = totals.get(workload, (0.0, 0.0))
        totals[workload] = (w + wall, c + cpu)
    for workload, (wall, cpu) in totals.items():
        print(f"{workload:<10} {'total':<15} {wall:>9.3f} {cpu:>9.3f}")


def _workload(
    a: argparse.Namespace, common: Any, name: str, n: int, m: int, tmp: pathlib.Path
) -> tuple[Steps, list[DecidedReport]]:
    with common.FarmProc(n, m, a.seed) as proc:
        config = _config(a.bench, proc.url, n, a.claims, tmp / f"config-{name}")
        t0 = time.perf_counter()
        polls = _polls(proc.url, config.feeds)
        count = sum(len(p.reports) for p in polls)
        took = time.perf_counter() - t0
        print(f"{name}: {n} feeds x {m} items -> {count} reports, fetched and parsed in "
              f"{took:.1f} s (not timed); {len(config.claims)} claims")  # fmt: skip
    return run_workload(name, config, polls, tmp / f"{name}.db", a.profile, a.tracemalloc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--bench", type=pathlib.Path, default=DEFAULT_BENCH)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--m", type=int, default=50)
    ap.add_argument("--big", type=int, default=10_000, help="items of the one-feed workload")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--claims", type=int, default=100)
    ap.add_argument("--workload", choices=("farm", "big", "both"), default="both")
    ap.add_argument("--profile", choices=("keep_new", "assess", "group_stories", "record_stories"))
    ap.add_argument("--tracemalloc", action="store_true", help="trace each step's allocations")
    ap.add_argument("--digest", type=pathlib.Path, help="write decision digests to this file")
    a = ap.parse_args(argv)
    if not (a.bench / "farm.py").exists():
        print(f"no bench at {a.bench} (set --bench or $CLAIMWATCH_BENCH)", file=sys.stderr)
        return 2
    common = _bench_module(a.bench, "common")
    plan = {"farm": [("farm", a.n, a.m)], "big": [("big", 1, a.big)]}
    plan["both"] = plan["farm"] + plan["big"]
    rows: list[Row] = []
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="decide-bench-") as tmp:
        for name, n, m in plan[a.workload]:
            steps, decided = _workload(a, common, name, n, m, pathlib.Path(tmp))
            rows += steps.rows
            digests[name] = digest(decided)
            digests[f"{name} stored"] = steps.stored
            if steps.overlapped:
                digests[f"{name} stored by decide_reports"] = steps.overlapped
            del decided
    _print_table(rows)
    for name, value in digests.items():
        print(f"decisions digest {name}: {value}")
    if a.digest is not None:
        a.digest.write_text(json.dumps(digests, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
