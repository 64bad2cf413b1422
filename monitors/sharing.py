"""Several monitor runs sharing one database's feeds: leases, static shards, and the claim loop.

Each run of a cycle leases the feeds it is about to poll, a batch at a time
(``Store.claim_feeds``), and loops claim -> poll -> decide -> record health until no feed is left,
so N concurrent runs split the feeds by how fast each one goes. A feed is left out once it was
polled since the cycle started (``last_attempt_at``, written with its validators after its
reports are stored) or while another run's lease on it is live; a run that dies mid-batch leaves
its leases to lapse, and those feeds go to whichever run claims next.

The runs of one cycle must agree on ``cycle_start``: the flow takes its scheduled start time,
which the runs one schedule slot creates share. A static ``Shard`` ("i/n") narrows the feeds a
run may claim to those whose stable hash mod n is i; it combines with leasing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitors.config import Config
from monitors.ingest.fetch import FetchSettings
from monitors.ingest.poll import FeedPoll, PollRun, PollStats, RetryPolicy, poll_all
from monitors.models import Feed
from monitors.pipeline import ProcessResult, RunOptions, process_polls
from monitors.state.store import Store, utcnow

# Long enough for one batch's poll, decide and health (a 100-feed batch takes seconds); short
# enough that a dead run's feeds are taken over within the cycle after it.
DEFAULT_FEED_LEASE = timedelta(minutes=10)
_SHARD = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Shard:
    """A fixed part of the feeds: those whose stable hash of the id mod ``count`` is ``index``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"i/n"`` with 0 <= i < n; raises ValueError saying what is expected (pydantic
        turns it into an error naming the ``shard`` parameter)."""
        found = _SHARD.fullmatch(text.strip())
        if found is None or not int(found[1]) < int(found[2]):
            raise ValueError(f"expected 'i/n' with 0 <= i < n, e.g. '0/4' (got {text!r})")
        return cls(int(found[1]), int(found[2]))

    def holds(self, feed_id: str) -> bool:
        return stable_hash(feed_id) % self.count == self.index


def stable_hash(text: str) -> int:
    """The same number in every process and release (``hash()`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def shard_feeds(feeds: Sequence[Feed], shard: Shard | None) -> list[Feed]:
    return [f for f in feeds if shard is None or shard.holds(f.id)]


@dataclass(frozen=True)
class FeedClaims:
    """How a run leases feeds: as whom, for which cycle, how many at a time, for how long."""

    run_id: str
    cycle_start: datetime
    batch: int | None = None  # None: every free feed in one batch (one run alone needs no more)
    lease: timedelta = DEFAULT_FEED_LEASE
    clock: Callable[[], datetime] = utcnow  # "now" for the due-check (tests pass their own)


@dataclass(frozen=True)
class Batch:
    """One claimed batch, polled, decided and recorded."""

    polled: PollRun
    processed: ProcessResult
    stage_seconds: dict[str, float] = field(default_factory=dict)


def claim_batches(
    store: Store, feeds: Sequence[Feed], claims: FeedClaims, step: Callable[[list[Feed]], Batch]
) -> list[Batch]:
    """Lease a batch, hand it to ``step`` (poll, decide, record health), until none is left.

    Only due feeds are leased (not disabled, backoff and Retry-After over), and each is polled
    at its stored URL (a 301's target). ``step`` must record the batch's health (which ends its
    leases). A feed this run already took is never claimed again by it, even if its health was
    not written (a dry run, a poll without validators): the loop always ends."""
    store.ensure_feeds(feeds)
    by_id = {f.id: f for f in feeds}
    taken: set[str] = set()
    batches: list[Batch] = []
    while todo := [fid for fid in by_id if fid not in taken]:
        size = claims.batch or len(todo)
        ids = store.claim_feeds(
            todo, claims.run_id, size, claims.lease, claims.cycle_start, claims.clock()
        )
        if not ids:
            break
        taken.update(ids)
        leased = set(ids)
        batches.append(step(store.poll_feeds([f for f in feeds if f.id in leased])))
    return batches


def monitor_cycle(
    store: Store,
    config_feeds: Sequence[Feed],
    step: Callable[[list[Feed]], Batch],
    claims: FeedClaims | None,
    shard: Shard | None = None,
) -> list[Batch]:
    """A run's share of the cycle: its shard's feeds, leased batch by batch; without ``claims``
    (a dry run, which writes no lease) the shard's due feeds in one batch."""
    feeds = shard_feeds(config_feeds, shard)
    if claims is None:
        due = store.poll_plan(feeds).due
        return [step(due)] if due else []
    return claim_batches(store, feeds, claims, step)


def plain_step(
    store: Store,
    config: Config,
    options: RunOptions,
    settings: FetchSettings,
    retry: RetryPolicy,
    clock: Callable[[], datetime] = utcnow,
) -> Callable[[list[Feed]], Batch]:
    """The flow's per-batch steps without Prefect (tests, scripts): ``poll_all`` then
    ``process_polls``, which records health last (at ``clock()``)."""

    def step(feeds: list[Feed]) -> Batch:
        polled = poll_all(feeds, store.validators(), settings, retry)
        return Batch(polled, process_polls(store, config, polled.polls, options, clock()))

    return step


def merge(batches: Sequence[Batch]) -> Batch:
    """One run's batches as one: polls in order, counts and seconds summed."""
    polls: list[FeedPoll] = [p for b in batches for p in b.polled.polls]
    stages: dict[str, float] = {}
    for b in batches:
        for name, seconds in b.stage_seconds.items():
            stages[name] = stages.get(name, 0.0) + seconds
    stats = _merge_stats(b.polled.stats for b in batches)
    return Batch(PollRun(polls, stats), _merge_results([b.processed for b in batches]), stages)


def _merge_stats(stats: Iterable[PollStats]) -> PollStats:
    all_stats = list(stats)
    return PollStats(
        feeds=sum(s.feeds for s in all_stats),
        fetch_seconds=sum(s.fetch_seconds for s in all_stats),
        parsed_bytes=sum(s.parsed_bytes for s in all_stats),
        parse_seconds=sum(s.parse_seconds for s in all_stats),
        parse_workers=max((s.parse_workers for s in all_stats), default=0),
        total_seconds=sum(s.total_seconds for s in all_stats),
    )


def _merge_results(results: Sequence[ProcessResult]) -> ProcessResult:
    return ProcessResult(
        new_reports=sum(r.new_reports for r in results),
        new_evidence=sum(r.new_evidence for r in results),
        alerts=tuple(a for r in results for a in r.alerts),
        suppressed=tuple(s for r in results for s in r.suppressed),
    )
