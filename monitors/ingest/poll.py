"""Poll every feed of a run in one step: fetch concurrently, parse in a few worker processes.

One ``httpx.AsyncClient`` fetches all feeds, at most ``concurrency`` at a time (a semaphore, so a
feed's deadline starts when it gets a connection, not while it queues for one). Each body is handed
to the parser as soon as it arrives, so parsing overlaps fetching. feedparser is CPU-bound (about
5 MB/s a core), so bodies are parsed in worker processes once a run has enough of them to pay for
starting the pool; a tiny run (a demo, a test, one changed feed) parses in a thread instead.

Failures stay per feed. A feed that hits its deadline (or an httpx timeout) is failed for this run
and not fetched again until the next one: a slow host would otherwise hold the whole run. Other
transient failures (connection refused or reset, 5xx without ``Retry-After``) are fetched again up
to ``RetryPolicy.retries`` times with exponential backoff; a retrying feed waits without holding a
connection, so the other feeds go on.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import httpx

from monitors.errors import (
    ClaimwatchError,
    FetchError,
    FetchTimeoutError,
    TransientFetchError,
)
from monitors.ingest.fetch import FetchResult, FetchSettings, fetch_feed, make_client
from monitors.ingest.parse import parse_job
from monitors.models import Feed, Report, Validators
from monitors.workers.pool import WorkerDied, WorkerPool

# Measured on the bench farm (1,000 loopback feeds, all 304, 2 busy cores): 8 connections 1.3 s,
# 16 1.4 s, 32 3.7-5.2 s; httpcore's pool does O(connections) work per request, so more is slower.
# fetch.concurrency (default 8) picks within this cap.
MAX_CONNECTIONS = 16
# Until the run has received this many body bytes, parse in a thread: starting a worker costs
# ~0.1 s of CPU (monitors.workers), and 2 workers halve the parse time only from ~1 MB.
POOL_THRESHOLD_BYTES = 1_000_000
MAX_PARSE_WORKERS = 2


@dataclass(frozen=True)
class FeedPoll:
    """One feed's outcome: its reports (empty when unchanged) or the error that stopped it."""

    feed: Feed
    reports: tuple[Report, ...] = ()
    validators: Validators | None = None
    not_modified: bool = False
    error: str | None = None
    finished_after: float = 0.0  # seconds from the start of the poll to this feed's outcome
    status_code: int | None = None  # of the failed response, when there was one (410: gone)
    retry_after: float | None = None  # seconds the server asked us to wait (429/503)
    moved_to: str | None = None  # the feed's new URL after a 301/308
    over_budget: bool = False  # not finished within the run's poll budget: left due, not failed

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RetryPolicy:
    """In-run retries of a transient fetch failure (never of a timeout, never of Retry-After)."""

    retries: int = 2
    delay_seconds: float = 10.0  # doubles on every retry
    jitter: float = 0.5  # up to this fraction more, so feeds that failed together spread out

    def delay(self, attempt: int) -> float:
        base = self.delay_seconds * 2**attempt
        return float(base * (1 + random.uniform(0, self.jitter)))


@dataclass(frozen=True)
class PollStats:
    """Where a poll's time went, for the run summary."""

    feeds: int
    fetch_seconds: float  # from the first request to the last response
    parsed_bytes: int
    parse_seconds: float  # parsing work, summed over workers (wall time is about this / workers)
    parse_workers: int  # 0: parsed in a thread of this process
    total_seconds: float

    def line(self) -> str:
        # Short enough for an 80-column log: 1,000 feeds and 99.9 MB still fit.
        where = f"{self.parse_workers} procs" if self.parse_workers else "in-process"
        return (
            f"poll {self.total_seconds:.2f} s: fetched {self.feeds} feeds in "
            f"{self.fetch_seconds:.2f} s, parsed {self.parsed_bytes / 1e6:.1f} MB in "
            f"{self.parse_seconds:.2f} s ({where})"
        )


@dataclass(frozen=True)
class PollRun:
    polls: list[FeedPoll]
    stats: PollStats


def parse_workers(setting: int | None = None) -> int:
    """Worker processes for parsing: the setting, else min(2, cpu count); 0 means in-process."""
    if setting is not None:
        return max(0, setting)
    return min(MAX_PARSE_WORKERS, os.cpu_count() or 1)


def poll_all(
    feeds: Sequence[Feed],
    validators: Mapping[str, Validators],
    settings: FetchSettings,
    retry: RetryPolicy = RetryPolicy(),
    workers: int | None = None,
    pool_threshold_bytes: int = POOL_THRESHOLD_BYTES,
) -> PollRun:
    """Every feed's poll, in feed order; never raises for a feed's own failure.

    ``workers``: parse processes (None: min(2, cpu count); 0: never a pool). The pool starts
    once the run has received ``pool_threshold_bytes`` of bodies."""
    box: list[PollRun] = []

    async def run() -> None:
        box.append(
            await poll_all_async(feeds, validators, settings, retry, workers, pool_threshold_bytes)
        )

    # The result leaves through ``box``, not as the main task's result: on exit asyncio.run puts
    # back the SIGINT handler, and signal.signal() formats the repr of the old one, a partial
    # holding the main task, whose repr includes its result. For a cycle's 50,000 reports that
    # repr took 1.4-2.3 s (measured, Python 3.11, in the main thread).
    asyncio.run(run())
    return box[0]


async def poll_all_async(
    feeds: Sequence[Feed],
    validators: Mapping[str, Validators],
    settings: FetchSettings,
    retry: RetryPolicy = RetryPolicy(),
    workers: int | None = None,
    pool_threshold_bytes: int = POOL_THRESHOLD_BYTES,
) -> PollRun:
    started = time.perf_counter()
    parser = _Parser(parse_workers(workers), pool_threshold_bytes)
    try:
        polls, fetch_seconds = await _fetch_and_parse_all(
            feeds, validators, settings, retry, parser
        )
    finally:
        await parser.close()
    stats = PollStats(
        feeds=len(feeds),
        fetch_seconds=fetch_seconds,
        parsed_bytes=parser.bytes_in,
        parse_seconds=parser.seconds,
        parse_workers=parser.workers_used,
        total_seconds=time.perf_counter() - started,
    )
    return PollRun(polls=polls, stats=stats)


async def _fetch_and_parse_all(
    feeds: Sequence[Feed],
    validators: Mapping[str, Validators],
    settings: FetchSettings,
    retry: RetryPolicy,
    parser: _Parser,
) -> tuple[list[FeedPoll], float]:
    connections = max(1, min(settings.concurrency, MAX_CONNECTIONS))
    slots = asyncio.Semaphore(connections)
    fetched_at: list[float] = []
    client_settings = _with_concurrency(settings, connections)
    started = time.perf_counter()
    async with make_client(client_settings) as client:

        async def one(feed: Feed) -> FeedPoll:
            old = validators.get(feed.id, Validators())
            outcome = await _fetch_with_retries(client, slots, feed, old, settings, retry)
            fetched_at.append(time.perf_counter())
            if isinstance(outcome, ClaimwatchError):
                poll = failed_poll(feed, outcome)
            else:
                poll = await _parsed(parser, feed, outcome)
            return replace(poll, finished_after=time.perf_counter() - started)

        tasks = [asyncio.ensure_future(one(feed)) for feed in feeds]
        polls = await _within_budget(feeds, tasks, settings.poll_budget)
    return polls, (max(fetched_at, default=started) - started)


async def _within_budget(
    feeds: Sequence[Feed], tasks: Sequence[asyncio.Future[FeedPoll]], budget: float
) -> list[FeedPoll]:
    """The polls done within ``budget`` seconds; the rest are cancelled and left due for the
    next run (neither a failure nor a backoff: the feed did nothing wrong, the run ran out)."""
    if not tasks:
        return []
    _, pending = await asyncio.wait(tasks, timeout=budget)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return [
        FeedPoll(feed=feed, error=_OVER_BUDGET.format(budget=budget), over_budget=True)
        if task.cancelled()
        else task.result()
        for feed, task in zip(feeds, tasks, strict=True)
    ]


_OVER_BUDGET = (
    "not polled: the run's poll budget ({budget:g} s, fetch.poll_budget) ran out before this "
    "feed finished; it is polled again on the next run"
)


def failed_poll(feed: Feed, error: ClaimwatchError) -> FeedPoll:
    """The poll of a feed that failed, with what the feed's poll state needs from the error."""
    status = error.status_code if isinstance(error, FetchError) else None
    after = error.retry_after if isinstance(error, TransientFetchError) else None
    return FeedPoll(feed=feed, error=str(error), status_code=status, retry_after=after)


def _with_concurrency(settings: FetchSettings, connections: int) -> FetchSettings:
    return replace(settings, concurrency=connections)


async def _fetch_with_retries(
    client: httpx.AsyncClient,
    slots: asyncio.Semaphore,
    feed: Feed,
    validators: Validators,
    settings: FetchSettings,
    retry: RetryPolicy,
) -> FetchResult | ClaimwatchError:
    """The feed's response, or its last error. Backoff waits happen outside the semaphore."""
    attempt = 0
    while True:
        try:
            async with slots:
                return await fetch_feed(client, feed, validators, settings)
        except ClaimwatchError as exc:
            if attempt >= retry.retries or not _retry_in_run(exc):
                return exc
        await asyncio.sleep(retry.delay(attempt))
        attempt += 1


def _retry_in_run(exc: ClaimwatchError) -> bool:
    """A reset or a 5xx may pass in seconds; a timeout would cost another deadline, and a
    server that said when (Retry-After) is asked again on the next run."""
    return (
        isinstance(exc, TransientFetchError)
        and not isinstance(exc, FetchTimeoutError)
        and exc.retry_after is None
    )


async def _parsed(parser: _Parser, feed: Feed, result: FetchResult) -> FeedPoll:
    if result.not_modified:
        return FeedPoll(
            feed=feed, validators=result.validators, not_modified=True, moved_to=result.moved_to
        )
    try:
        outcome = await parser.parse(feed.id, result)
    except Exception as exc:
        # A parser bug in the thread, or a worker that would not start: the feed fails, not
        # the run.
        outcome = f"{feed.id}: parser failed: {type(exc).__name__}: {exc}"
    if isinstance(outcome, str):
        return FeedPoll(feed=feed, error=outcome, moved_to=result.moved_to)
    return FeedPoll(
        feed=feed, reports=outcome, validators=result.validators, moved_to=result.moved_to
    )


class _Parser:
    """Parses bodies in a thread until the run has received the threshold's bytes, then in worker
    processes (``monitors.workers``, started then, so a tiny run never pays for them)."""

    def __init__(self, workers: int, threshold_bytes: int) -> None:
        self._threshold = threshold_bytes
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimwatch-parse")
        self._pool = WorkerPool(workers) if workers > 0 else None
        self._pool_used = False
        self.bytes_in = 0
        self.seconds = 0.0  # parsing work, summed over workers

    @property
    def workers_used(self) -> int:
        return self._pool.workers if self._pool is not None and self._pool_used else 0

    async def parse(self, feed_id: str, result: FetchResult) -> tuple[Report, ...] | str:
        self.bytes_in += len(result.body)
        job = (feed_id, result.body, result.headers, result.url)
        if self._pool is not None and (self._pool_used or self.bytes_in >= self._threshold):
            self._pool_used = True
            try:
                outcome, seconds = await self._pool.run(parse_job, *job)
            except WorkerDied as exc:
                return f"{feed_id}: the parser process died while parsing this feed ({exc})"
        else:
            loop = asyncio.get_running_loop()
            outcome, seconds = await loop.run_in_executor(self._thread, parse_job, *job)
        self.seconds += seconds
        return outcome

    async def close(self) -> None:
        self._thread.shutdown(wait=True)
        if self._pool is not None:
            await self._pool.close()
