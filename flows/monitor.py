"""The monitor flow: poll feeds, decide new reports against the claims, deliver alerts.

The pipeline, one call per step, in the order ``_run`` takes them (each step a plain function in
``monitors/pipeline.py`` unless noted)::

    poll_feed_task   fetch and parse each feed (a task per feed)   -> fetch_and_parse
    record_health    each feed's validators and failure count
    decide_task      one task for the deciding steps:
      keep_new         drop reports before ``since`` and versions already decided
      assess           every report against every selected claim, oldest first (monitors/stance)
      group_stories    syndicated copies of one report become one story
      record_stories   per story: ``policy.decide`` (monitors/policy.py), written in one
                       transaction (monitors/state/record.py)
    summarize        the RunSummary
    deliver_task     send what the outbox holds (flows/deliver.py -> alerts/deliver.py)
    _publish         the summary and claims-table artifacts; an event per state change

Tasks exist where Prefect adds something: one per feed (concurrency, visibility, a failing feed
stays its own), one for deciding (matching all reports against all claims in one step is far
cheaper than a task per pair), one for delivery. Caching is off everywhere: dedupe lives in our
store, and an alert must never be skipped by a cache. A dry run writes nothing (no feed health,
stories decided in a rolled-back transaction) and sends nothing.

Run it: ``claimwatch run``, ``python -m flows.monitor``, or a ``prefect.yaml`` deployment.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.context import TaskRunContext
from prefect.events import emit_event
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from alerts.deliver import DeliveryResult
from flows.artifacts import (
    claims_table,
    evidence_after,
    evidence_of_alerts,
    last_evidence_id,
    publish_run,
    run_summary_markdown,
)
from flows.config import load_config
from flows.deliver import deliver_task
from flows.params import MonitorParams
from monitors.config import Config
from monitors.errors import ClaimwatchError, TransientFetchError
from monitors.ingest.fetch import FetchSettings
from monitors.models import Alert, Feed, Validators
from monitors.paths import DEMO_CONFIG_DIR, default_database_url
from monitors.pipeline import (
    FeedPoll,
    ProcessResult,
    RunOptions,
    RunSummary,
    assess,
    fetch_and_parse,
    group_stories,
    keep_new,
    polled_feeds,
    record_health,
    record_stories,
    selected_claims,
    summarize,
)
from monitors.state.store import Store

__all__ = ["MonitorParams", "monitor_claims"]

PARSE_ALLOWANCE_S = 30  # on top of the fetch deadline, for parsing a large feed
RETRY_JITTER = 0.5  # spread retries of feeds that failed together (one flaky host, many feeds)


async def _only_transient(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry timeouts, resets and 5xx; never a 404, a bad feed, or a server that said when."""
    exc = await state.aresult(raise_on_failure=False)
    return isinstance(exc, TransientFetchError) and exc.retry_after is None


def _retries_left() -> bool:
    context = TaskRunContext.get()
    if context is None or context.task_run is None:
        return False
    return context.task_run.run_count <= context.task.retries


@task(
    name="poll-feed",
    cache_policy=NO_CACHE,
    task_run_name="poll-{feed.id}",
    retry_condition_fn=_only_transient,
    retry_jitter_factor=RETRY_JITTER,
)
async def poll_feed_task(feed: Feed, validators: Validators, settings: FetchSettings) -> FeedPoll:
    """Fetch and parse one feed. Raises a transient error while retries remain (for Prefect to
    retry); any other failure, or the last one, comes back as the feed's error, so the task ends
    Completed without a traceback. Async, so the task timeout really interrupts it."""
    try:
        return await fetch_and_parse(feed, validators, settings)
    except TransientFetchError as exc:
        if _retries_left() and exc.retry_after is None:  # a server that said when: next run
            get_run_logger().warning("feed %s failed, will retry: %s", feed.id, exc)
            raise
        return _failed(feed, exc)
    except ClaimwatchError as exc:
        return _failed(feed, exc)


def _failed(feed: Feed, exc: ClaimwatchError) -> FeedPoll:
    get_run_logger().warning("feed %s failed: %s", feed.id, exc)
    return FeedPoll(feed=feed, error=str(exc))


@task(name="decide-reports", cache_policy=NO_CACHE)
def decide_task(
    config: Config, database_url: str, polls: list[FeedPoll], options: RunOptions
) -> ProcessResult:
    """The deciding steps, in order. One task for all: per report they would cost more in task
    overhead than the work itself (PREFECT-NOTES)."""
    store = Store(database_url)
    try:
        reports = keep_new(store, polls, options.since)
        claims = selected_claims(config, options.claim_ids)
        decided = assess(claims, reports)
        stories = group_stories(decided, config.alert_policy())
        return record_stories(store, config, stories, polled_feeds(polls), options.dry_run)
    finally:
        store.close()


# Threads suit this I/O-bound polling (PREFECT-NOTES: Dask/Ray add nothing here).
MAX_POLL_THREADS = 64  # the ceiling for fetch.concurrency (config allows 1..64)
_POLL_RUNNER: Any = ThreadPoolTaskRunner(max_workers=MAX_POLL_THREADS)


@flow(name="monitor-claims", task_runner=_POLL_RUNNER)
def monitor_claims(
    config_dir: str = str(DEMO_CONFIG_DIR),
    database_url: str | None = None,
    claim: str | None = None,
    since: datetime | None = None,
    dry_run: bool = False,
    deliver: bool = True,
    fetch_retries: int = 2,
    retry_delay_seconds: float = 10.0,
) -> RunSummary:
    """Poll every feed, decide new reports against the claims, deliver the alerts, and publish
    a summary and a claims table as artifacts. A failing feed is reported, never fatal."""
    params = MonitorParams(
        config_dir=config_dir,
        database_url=database_url,
        claim=claim,
        since=since,
        dry_run=dry_run,
        deliver=deliver,
        fetch_retries=fetch_retries,
        retry_delay_seconds=retry_delay_seconds,
    )
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
    polls = _poll_all(config, store.validators(), params)
    record_health(store, polls, params.dry_run)
    processed = decide_task(config, store.url, polls, params.options())
    summary = summarize(polls, processed)
    if params.deliver and not params.dry_run:
        _deliver_into(summary, deliver_task(config, store.url))
    logger = get_run_logger()
    for line in summary.lines():
        logger.info(line)
    _publish(config, store, params, processed, summary, evidence_mark)
    return summary


def _publish(
    config: Config,
    store: Store,
    params: MonitorParams,
    processed: ProcessResult,
    summary: RunSummary,
    evidence_mark: int,
) -> None:
    """The run's artifacts; for a real run also an event per state change."""
    if params.dry_run:
        evidence = evidence_of_alerts(processed.alerts)
    else:
        evidence = evidence_after(store, evidence_mark)
        _emit_state_changes(processed.alerts)
    markdown = run_summary_markdown(summary, processed.alerts, evidence, params.dry_run)
    publish_run(markdown, claims_table(store.claim_statuses(config.claims)), _describe(params))


def _poll_all(
    config: Config, validators: dict[str, Validators], params: MonitorParams
) -> list[FeedPoll]:
    polling = poll_feed_task.with_options(
        retries=params.fetch_retries,
        retry_delay_seconds=exponential_backoff(params.retry_delay_seconds),
        timeout_seconds=config.fetch.deadline + PARSE_ALLOWANCE_S,
    )
    # At most fetch.concurrency polls in flight (feeds.yaml), within the runner's thread cap.
    window = max(1, min(config.fetch.concurrency, MAX_POLL_THREADS))
    futures: list[PrefectFuture[Any]] = []
    for index, feed in enumerate(config.feeds):
        if index >= window:
            futures[index - window].wait()
        futures.append(polling.submit(feed, validators.get(feed.id, Validators()), config.fetch))
    return [_outcome(feed, future) for feed, future in zip(config.feeds, futures, strict=True)]


def _outcome(feed: Feed, future: PrefectFuture[Any]) -> FeedPoll:
    """The feed's poll, or its final error once retries are spent: never fails the run."""
    outcome: Any = future.result(raise_on_failure=False)
    if isinstance(outcome, FeedPoll):
        return outcome
    reason = str(outcome) or type(outcome).__name__
    return FeedPoll(feed=feed, error=reason)


def _deliver_into(summary: RunSummary, delivery: DeliveryResult) -> None:
    summary.alerts_sent = delivery.sent
    summary.alerts_pending = delivery.pending
    summary.delivery_errors = delivery.errors


def _emit_state_changes(alerts: tuple[Alert, ...]) -> None:
    """``claimwatch.claim.<state>`` events, for operators who route extras via Automations."""
    for alert in alerts:
        if not alert.is_transition:
            continue
        emit_event(
            event=f"claimwatch.claim.{alert.new_state.value}",
            resource={"prefect.resource.id": f"claimwatch.claim.{alert.claim_id}"},
            payload={"previous_state": alert.previous_state.value, "feed": alert.feed_id},
        )


def _describe(params: MonitorParams) -> str:
    scope = f"claim {params.claim}" if params.claim else "all claims"
    return f"claimwatch run over {scope}" + (" (dry run)" if params.dry_run else "")


def main(argv: list[str] | None = None) -> int:
    """``python -m flows.monitor [CONFIG_DIR]``: one run on the given (or demo) config."""
    args = sys.argv[1:] if argv is None else argv
    config_dir = args[0] if args else str(DEMO_CONFIG_DIR)
    summary = monitor_claims(config_dir=str(Path(config_dir).resolve()))
    return 1 if summary.feeds_failed and not summary.feeds_ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
