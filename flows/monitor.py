"""The monitor flow: poll feeds, decide new reports against the claims, deliver alerts.

The pipeline, one call per step, in the order ``_run`` takes them (each step a plain function in
``monitors/pipeline.py`` unless noted)::

    monitor_cycle    lease a batch of due feeds, run the steps below on it, again until no
                     feed is left (monitors/sharing.py: concurrent runs split the feeds;
                     a feed backing off, told to wait by Retry-After, or gone is not due)
    poll_task        fetch the batch's feeds, parse the changed ones  -> ingest/poll.py poll_all
                     (one async step: one HTTP client, bodies parsed in a process pool)
    decide_task      one task for the deciding steps (pipeline.decide_polls):
      keep_new         drop reports before ``since`` and versions already decided
      assess           every report against every selected claim, oldest first (monitors/stance)
      group_stories    syndicated copies of one report become one story
      record_stories   per story: ``policy.decide`` (monitors/policy.py), a batch of
                       stories per transaction (monitors/state/record.py)
    record_health    each feed's validators and poll state (backoff, Retry-After, 410, 301;
                     monitors/feedstate.py), after its reports are stored; the same
                     transaction ends the feed's lease and queues any feed-health alert
    summarize        the RunSummary
    coverage_lines   claims widely reported on that no report decides (monitors/coverage.py)
    deliver_task     send what the outbox holds (flows/deliver.py -> alerts/deliver.py)
    _publish         the summary and claims-table artifacts; an event per claim whose state
                     changed (flows/claim_events.py)

Tasks exist where Prefect adds something, one per stage: polling (a task per feed cost ~20 ms of
Prefect bookkeeping each, 1,000 feeds took 150 s for an all-304 cycle whose fetches alone take
~1 s; a failing feed stays its own inside the step, named in the summary), deciding (matching
all reports against all claims in one step is far cheaper than a task per pair), and delivery.
Caching is off everywhere: dedupe lives in our store, and an alert must never be skipped by a
cache. A dry run writes nothing (no feed health,
stories decided in a rolled-back transaction) and sends nothing.

Run it: ``claimwatch run``, ``python -m flows.monitor``, or a ``prefect.yaml`` deployment.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from prefect.runtime import flow_run

from alerts.deliver import DeliveryResult
from flows.artifacts import (
    claims_table,
    evidence_after,
    evidence_of_alerts,
    last_evidence_id,
    publish_run,
    run_summary_markdown,
)
from flows.claim_events import claim_changes
from flows.config import load_config, undefined_claims
from flows.deliver import deliver_task
from flows.heartbeat import flow_heartbeats, own_heartbeats
from flows.params import MonitorParams
from flows.unwalked import unwalked
from monitors.about import VERSION
from monitors.config import Config
from monitors.ingest.fetch import FetchSettings
from monitors.ingest.poll import FeedPoll, PollRun, RetryPolicy, poll_all
from monitors.models import Alert, Feed, Validators
from monitors.paths import DEMO_CONFIG_DIR, default_config_dir, default_database_url
from monitors.pipeline import (
    ProcessResult,
    RunOptions,
    RunSummary,
    coverage_lines,
    decide_polls,
    record_health,
    selected_claims,
    summarize,
)
from monitors.progress import Throttled
from monitors.quick_exit import freeze_at_exit
from monitors.sharing import Batch, merge, monitor_cycle, shard_feeds
from monitors.state.store import Store

__all__ = ["MonitorParams", "monitor_claims"]

LOG_BLOCK_CHARS = 100_000  # characters per summary log record (Prefect refuses logs over 1 MB)


@task(name="poll-feeds", cache_policy=NO_CACHE)
def poll_task(
    feeds: list[Feed],
    validators: dict[str, Validators],
    settings: FetchSettings,
    retry: RetryPolicy,
) -> PollRun:
    """Fetch and parse every feed in one step (monitors/ingest/poll.py). No Prefect retries:
    they would fetch every feed again; a transient feed failure is retried inside the step."""
    run = poll_all(feeds, validators, settings, retry)
    logger = get_run_logger()
    for poll in run.polls:
        if poll.error is not None:
            logger.warning("feed %s failed: %s", poll.feed.id, poll.error)
    logger.info(run.stats.line())
    return run


@task(name="decide-reports", cache_policy=NO_CACHE)
def decide_task(
    config: Config, database_url: str, polls: list[FeedPoll], options: RunOptions
) -> ProcessResult:
    """The deciding steps, in order. One task for all: per report they would cost more in task
    overhead than the work itself (PREFECT-NOTES)."""
    store = Store(database_url)
    progress = Throttled(get_run_logger().info)  # a long decide says how far it got
    try:
        return decide_polls(store, config, polls, options, progress)
    finally:
        store.close()


@flow(name="monitor-claims")
def monitor_claims(
    config_dir: str = str(DEMO_CONFIG_DIR),
    database_url: str | None = None,
    claim: str | None = None,
    since: datetime | None = None,
    dry_run: bool = False,
    deliver: bool = True,
    fetch_retries: int = 2,
    retry_delay_seconds: float = 10.0,
    shard: str | None = None,
    claim_batch: int | None = None,
    cycle_start: datetime | None = None,
    lease_seconds: float = 600.0,
) -> RunSummary:
    """Poll every feed (of ``shard``, "i/n", if given) not already polled this cycle by a
    concurrent run, decide new reports against the claims, deliver the alerts, and publish a
    summary and a claims table as artifacts. A failing feed is reported, never fatal.

    Concurrent runs share the feeds: each leases ``claim_batch`` at a time (None: all it can)
    for ``lease_seconds``; the runs of one cycle agree on ``cycle_start`` (default: the run's
    scheduled start time, which the runs of one schedule slot share)."""
    params = MonitorParams(
        config_dir=config_dir,
        database_url=database_url,
        claim=claim,
        since=since,
        dry_run=dry_run,
        deliver=deliver,
        fetch_retries=fetch_retries,
        retry_delay_seconds=retry_delay_seconds,
        shard=shard,
        claim_batch=claim_batch,
        cycle_start=cycle_start,
        lease_seconds=lease_seconds,
    )
    with flow_heartbeats():  # only when the caller asked for them (flows/heartbeat.py)
        config = load_config(params.config_dir)
        url = params.database_url or default_database_url()
        store = Store(url)
        try:
            return _run(config, store, params)
        finally:
            store.close()


def _run(config: Config, store: Store, params: MonitorParams) -> RunSummary:
    """The pipeline (module docstring): one call per step."""
    evidence_mark = last_evidence_id(store)
    claims = params.feed_claims(_run_id(), _scheduled_start())
    step = _batch_step(config, store, params)
    plan = store.poll_plan(shard_feeds(config.feeds, params.shard_spec()))
    run = merge(monitor_cycle(store, config.feeds, step, claims, params.shard_spec()))
    processed = run.processed
    summary = summarize(run.polled.polls, processed, run.polled.stats)
    summary.notes = list(config.notes)
    undefined = undefined_claims(store, config)
    if undefined:
        summary.notes.append(undefined)
    summary.feeds_waiting = [f.id for f in plan.waiting]
    summary.feeds_disabled = [f.id for f in plan.disabled]
    summary.stage_seconds.update(run.stage_seconds)
    if params.deliver and not params.dry_run:
        started = time.perf_counter()
        _deliver_into(summary, deliver_task(unwalked(config), store.url))
        summary.stage_seconds["deliver"] = time.perf_counter() - started
    if not params.dry_run:  # what the store now holds, this run's reports included
        tracked = selected_claims(config, params.options().claim_ids)
        summary.coverage = coverage_lines(store, config, tracked)
    logger = get_run_logger()
    for block in log_blocks(summary.lines()):
        logger.info(block)
    _publish(config, store, params, processed, summary, evidence_mark)
    return summary


def _batch_step(
    config: Config, store: Store, params: MonitorParams
) -> Callable[[list[Feed]], Batch]:
    """Poll, decide and record health for one leased batch of feeds."""

    def step(feeds: list[Feed]) -> Batch:
        polled = poll_task(
            unwalked(feeds), unwalked(store.validators()), config.fetch, _retry_policy(params)
        )
        started = time.perf_counter()
        processed = decide_task(
            unwalked(config), store.url, unwalked(polled.polls), params.options()
        )
        decided = time.perf_counter()
        # Validators only after the reports they cover are stored: a run that dies while deciding
        # must not leave ETags behind, or the next run gets 304s and those reports are never
        # decided. Its leases lapse instead, and another run polls those feeds again.
        record_health(store, polled.polls, params.dry_run, config.health_policy())
        seconds = {"decide": decided - started, "health": time.perf_counter() - decided}
        return Batch(polled, processed, seconds)

    return step


def log_blocks(lines: list[str], max_chars: int = LOG_BLOCK_CHARS) -> list[str]:
    """The summary's lines joined into as few log records as stay under ``max_chars`` each.

    A first cycle's summary has a line per alert and per held-back decision (~870 on the bench
    farm); one record each cost ~0.3 s to format and hand to Prefect's console and API handlers,
    and up to ~0.5 s more at exit while the log worker sent them. The UI shows a record's lines
    as lines. A record stays far below Prefect's 1 MB limit per log (a line longer than
    ``max_chars`` is a record of its own)."""
    blocks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > max_chars:
            blocks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append("\n".join(current))
    return blocks


def _run_id() -> str:
    """The lease owner: the flow run's id (a random one outside a flow run)."""
    return str(flow_run.id or uuid.uuid4())


def _scheduled_start() -> datetime:
    """When this run was scheduled to start: the same for every run of one schedule slot."""
    return datetime.fromtimestamp(flow_run.scheduled_start_time.timestamp(), UTC)


def _publish(
    config: Config,
    store: Store,
    params: MonitorParams,
    processed: ProcessResult,
    summary: RunSummary,
    evidence_mark: int,
) -> None:
    """The run's artifacts; for a real run also an event per claim whose state changed."""
    if params.dry_run:
        evidence = evidence_of_alerts(processed.alerts)
    else:
        evidence = evidence_after(store, evidence_mark)
        _emit_state_changes(processed.alerts)
    markdown = run_summary_markdown(summary, processed.alerts, evidence, params.dry_run)
    table = claims_table(store.claim_statuses(config.claims))
    publish_run(config, markdown, table, _describe(params))


def _retry_policy(params: MonitorParams) -> RetryPolicy:
    return RetryPolicy(retries=params.fetch_retries, delay_seconds=params.retry_delay_seconds)


def _deliver_into(summary: RunSummary, delivery: DeliveryResult) -> None:
    summary.alerts_sent = delivery.sent
    summary.messages = delivery.messages_line()
    summary.alerts_pending = delivery.pending
    summary.delivery_errors = delivery.errors


def _emit_state_changes(alerts: tuple[Alert, ...]) -> None:
    """One ``claimwatch.claim.<state>`` event per claim whose state changed in this run, for
    operators who route extras via Automations (flows/claim_events.py says why not one per
    transition)."""
    for change in claim_changes(alerts):
        emit_event(
            event=f"claimwatch.claim.{change.new_state.value}",
            resource={"prefect.resource.id": f"claimwatch.claim.{change.claim_id}"},
            payload=change.payload(),
        )


def _describe(params: MonitorParams) -> str:
    scope = f"claim {params.claim}" if params.claim else "all claims"
    return f"claimwatch run over {scope}" + (" (dry run)" if params.dry_run else "")


def main(argv: list[str] | None = None) -> int:
    """``python -m flows.monitor [CONFIG_DIR]``: one run on the given (or demo) config."""
    freeze_at_exit()  # no collection over the whole heap as the process ends (0.3-0.6 s)
    parser = argparse.ArgumentParser(
        prog="python -m flows.monitor",
        description="One monitor run (poll, decide, deliver) as a Prefect flow.",
    )
    parser.add_argument(
        "config_dir", nargs="?", default=default_config_dir(), metavar="CONFIG_DIR",
        help="directory with claims.yaml, feeds.yaml and channels.yaml "
        "(default: $CLAIMWATCH_CONFIG, else the demo)",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"claimwatch {VERSION}")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with own_heartbeats():  # heartbeats that do not hold up the run's end (flows/heartbeat.py)
        summary = monitor_claims(config_dir=str(Path(args.config_dir).resolve()))
    return 1 if summary.feeds_failed and not summary.feeds_ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
