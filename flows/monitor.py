"""The monitor flow: poll feeds, decide new reports against the claims, deliver alerts.

Thin orchestration: every step is a plain function in ``monitors``/``alerts``. Tasks exist where
Prefect adds something: one task per feed (concurrency, visibility, a failing feed stays its own),
one task for deciding (matching all reports against all claims in one step is far cheaper than a
task per pair), one for delivery. Caching is off everywhere: dedupe lives in our store, and an alert
must never be skipped by a cache.

Run it: ``claimwatch run``, ``python -m flows.monitor``, or a ``prefect.yaml`` deployment.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import BaseModel, Field

from alerts.deliver import DeliveryResult, build_channels, deliver_pending
from monitors.config import Config, load_config
from monitors.fetch import FetchSettings, Validators
from monitors.models import Feed
from monitors.paths import DEMO_CONFIG_DIR, default_database_url
from monitors.pipeline import (
    FeedPoll,
    ProcessResult,
    RunOptions,
    RunSummary,
    poll_feed,
    process_polls,
    summarize,
)
from monitors.store import Store


class MonitorParams(BaseModel):
    """Validated flow parameters: what a deployment or a manual run may set."""

    config_dir: str = Field(default=str(DEMO_CONFIG_DIR), min_length=1)
    database_url: str | None = None  # default: $CLAIMWATCH_DATABASE_URL, else SQLite
    claim: str | None = None  # decide only this claim id
    since: datetime | None = None  # ignore reports published before this
    dry_run: bool = False  # decide and summarise; store nothing, send nothing
    deliver: bool = True  # send queued alerts at the end of the run

    def options(self) -> RunOptions:
        claims = (self.claim,) if self.claim else ()
        return RunOptions(claim_ids=claims, since=self.since, dry_run=self.dry_run)


@task(name="poll-feed", cache_policy=NO_CACHE, task_run_name="poll-{feed.id}")
def poll_feed_task(feed: Feed, validators: Validators, settings: FetchSettings) -> FeedPoll:
    poll = poll_feed(feed, validators, settings)
    if poll.error:
        get_run_logger().warning("feed %s failed: %s", feed.id, poll.error)
    return poll


@task(name="decide-reports", cache_policy=NO_CACHE)
def decide_task(
    config: Config, database_url: str, polls: list[FeedPoll], options: RunOptions
) -> ProcessResult:
    store = Store(database_url)
    try:
        return process_polls(store, config, polls, options)
    finally:
        store.close()


@task(name="deliver-alerts", cache_policy=NO_CACHE)
def deliver_task(config: Config, database_url: str) -> DeliveryResult:
    store = Store(database_url)
    try:
        return deliver_pending(store, build_channels(config.channels))
    finally:
        store.close()


# Threads suit this I/O-bound polling (PREFECT-NOTES: Dask/Ray add nothing here).
_POLL_RUNNER: Any = ThreadPoolTaskRunner(max_workers=8)


@flow(name="monitor-claims", task_runner=_POLL_RUNNER)
def monitor_claims(
    config_dir: str = str(DEMO_CONFIG_DIR),
    database_url: str | None = None,
    claim: str | None = None,
    since: datetime | None = None,
    dry_run: bool = False,
    deliver: bool = True,
) -> RunSummary:
    """Poll every feed, decide new reports against the claims, and deliver the alerts."""
    params = MonitorParams(
        config_dir=config_dir,
        database_url=database_url,
        claim=claim,
        since=since,
        dry_run=dry_run,
        deliver=deliver,
    )
    config = load_config(params.config_dir)
    url = params.database_url or default_database_url()
    polls = _poll_all(config, url)
    processed = decide_task(config, url, polls, params.options())
    summary = summarize(polls, processed)
    if params.deliver and not params.dry_run:
        _deliver_into(summary, deliver_task(config, url))
    logger = get_run_logger()
    for line in summary.lines():
        logger.info(line)
    return summary


def _poll_all(config: Config, database_url: str) -> list[FeedPoll]:
    store = Store(database_url)
    try:
        validators = store.validators()
    finally:
        store.close()
    futures = [
        poll_feed_task.submit(feed, validators.get(feed.id, Validators()), config.fetch)
        for feed in config.feeds
    ]
    return [f.result() for f in futures]


def _deliver_into(summary: RunSummary, delivery: DeliveryResult) -> None:
    summary.alerts_sent = delivery.sent
    summary.alerts_pending = delivery.pending
    summary.delivery_errors = delivery.errors


def main(argv: list[str] | None = None) -> int:
    """``python -m flows.monitor [CONFIG_DIR]``: one run on the given (or demo) config."""
    args = sys.argv[1:] if argv is None else argv
    config_dir = args[0] if args else str(DEMO_CONFIG_DIR)
    summary = monitor_claims(config_dir=str(Path(config_dir).resolve()))
    return 1 if summary.feeds_failed and not summary.feeds_ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
