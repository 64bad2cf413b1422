"""``claimwatch serve``: one long-lived process that runs the monitor's flow runs itself.

A worker, and Prefect's own ``flow.serve``, start a new Python process for every flow run, which
imports Prefect and claimwatch again before it polls a single feed: ~1.0-1.5 s of CPU per run on a
2-core machine, more than half of an all-304 cycle over 1,000 feeds (``python -m scripts.bench``
prints both paths). This process imports them once, registers a deployment of ``monitor-claims``
(on a schedule, and triggerable with ``prefect deployment run 'monitor-claims/<name>'``), and runs
each of its due flow runs here, in order, through the same engine call a worker's subprocess
makes (``prefect.flow_engine.run_flow`` with the server's flow run). The runs are ordinary flow
runs in the UI, with their logs, task runs and artifacts.

Rules (``due_runs`` and ``serve``):
- a run is taken only while it is still scheduled, by moving it to Pending, which the server
  grants once; a run another process took first is left alone, so two ``serve`` processes may
  share one deployment without running a flow run twice (``_take``);
- of several scheduled runs that are all due (the server was down, this process was stopped),
  only the newest runs: every run polls every feed, so the older ones are cancelled, not queued
  (as ``prefect.yaml``'s CANCEL_NEW does for workers). Runs started by hand all run;
- a run the server scheduled ahead (the schedule's runs) starts at its time: when one is due
  before the next poll, the process waits for it instead of a whole poll (``due_runs``);
- a failed run is logged and serving goes on. Ctrl-C (SIGINT) stops after the current run;
  SIGTERM between runs stops at once, and during a run ends it as it would under a worker
  (Prefect's engine marks it crashed). Nothing is lost either way: the feeds' leases lapse and
  validators are only written after the reports they cover.

It needs a running Prefect server (``PREFECT_API_URL``): a temporary one has no scheduler.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import FlowRunResponse
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import Abort, TerminationSignal
from prefect.flow_engine import run_flow
from prefect.settings import PREFECT_API_URL
from prefect.states import Cancelled, Pending
from prefect.utilities.engine import propose_state_sync

from flows.heartbeat import own_heartbeats
from flows.monitor import monitor_claims
from flows.serve_options import ServeOptions
from monitors.errors import ServeError

SUPERSEDED = "superseded by a later scheduled run of the same deployment (each polls every feed)"

_logger = logging.getLogger("claimwatch.serve")


def serve(options: ServeOptions, stop: threading.Event) -> int:
    """Register the deployment, then run its due flow runs until ``stop`` is set (or
    ``max_runs`` have run). Returns the number of flow runs executed."""
    if not PREFECT_API_URL.value():
        raise ServeError(
            "it needs a running Prefect server: start one (`prefect server start`) and set "
            "PREFECT_API_URL, e.g. http://127.0.0.1:4200/api"
        )
    deployment_id = register(options)
    _logger.info("serving deployment monitor-claims/%s (%s)", options.name, deployment_id)
    done = 0
    with get_client(sync_client=True) as client:
        while not stop.is_set():
            due, wait_s = due_runs(client, deployment_id, options.poll_s)
            ran = False
            for run in _taken_runs(client, due, stop):
                done, ran = done + 1, True
                if not _execute(run) or done == options.max_runs:
                    return done
            if not ran:  # after a run, ask again at once: the wait was reckoned before it
                stop.wait(wait_s)
    return done


def _taken_runs(
    client: SyncPrefectClient, due: list[FlowRunResponse], stop: threading.Event
) -> Iterator[FlowRun]:
    """The due runs this process took, one at a time, until ``stop`` is set."""
    for run in due:
        if stop.is_set():
            return
        taken = _take(client, run)
        if taken is not None:
            yield taken


def register(options: ServeOptions) -> UUID:
    """Create or update the deployment this process serves (no work pool: its runs are ours)."""
    parameters: dict[str, Any] = {"config_dir": options.config_dir}
    if options.database_url:
        parameters["database_url"] = options.database_url
    # Called outside an event loop, both dispatch to their synchronous variants.
    deployment = cast(
        RunnerDeployment,
        monitor_claims.to_deployment(
            name=options.name,
            interval=options.every_s if options.every_s > 0 else None,
            parameters=parameters,
            description="The monitor, run in the `claimwatch serve` process that registered it.",
            tags=["claimwatch"],
        ),
    )
    return cast(UUID, deployment.apply())


def due_runs(
    client: SyncPrefectClient, deployment_id: UUID, poll_s: float
) -> tuple[list[FlowRunResponse], float]:
    """The deployment's runs due now, oldest first, the older of several due scheduled runs
    cancelled (see the module docstring); and how long to wait before asking again: ``poll_s``,
    or less when a run is scheduled to start sooner, so that it starts on time rather than up
    to ``poll_s`` late."""
    now = datetime.now(UTC)
    horizon = now + timedelta(seconds=poll_s)
    runs = client.get_scheduled_flow_runs_for_deployments([deployment_id], scheduled_before=horizon)
    due = [r for r in runs if _expected_start(r) <= now]
    keep, superseded = split_superseded(due)
    for run in superseded:
        _cancel(client, run)
    return keep, wait_seconds(runs, now, poll_s)


def wait_seconds(runs: Sequence[FlowRunResponse], now: datetime, poll_s: float) -> float:
    """Until the first of ``runs`` that is not due yet starts, at most ``poll_s``."""
    upcoming = [(_expected_start(r) - now).total_seconds() for r in runs]
    return min([poll_s, *(s for s in upcoming if s > 0)])


def split_superseded(
    runs: Sequence[FlowRunResponse],
) -> tuple[list[FlowRunResponse], list[FlowRunResponse]]:
    """(runs to execute, scheduled runs a later due scheduled run makes redundant)."""
    ordered = sorted(runs, key=_expected_start)
    scheduled = [r for r in ordered if r.auto_scheduled]
    superseded = scheduled[:-1]
    return [r for r in ordered if r not in superseded], superseded


def _expected_start(run: FlowRunResponse) -> datetime:
    start = run.expected_start_time or run.created
    return start if start is not None else datetime.min.replace(tzinfo=UTC)


def _take(client: SyncPrefectClient, run: FlowRunResponse) -> FlowRun | None:
    """Move the run to Pending and read it back for the engine; None when another process took
    it first. The server refuses Pending over Pending, but grants it over a completed flow run
    (a rerun): a run listed as due a moment ago may have been run meanwhile by another process,
    so it is taken only while it is still scheduled (no process finishes a run between the two
    calls)."""
    current = client.read_flow_run(run.id).state
    if current is None or current.type is not StateType.SCHEDULED:
        return None
    try:
        state = propose_state_sync(client, Pending(), flow_run_id=run.id)
    except Abort as exc:
        _logger.info("flow run %s not taken: %s", run.name, exc)
        return None
    return client.read_flow_run(run.id) if state.is_pending() else None


def _cancel(client: SyncPrefectClient, run: FlowRunResponse) -> None:
    try:
        propose_state_sync(client, Cancelled(message=SUPERSEDED), flow_run_id=run.id)
        _logger.info("flow run %s cancelled: %s", run.name, SUPERSEDED)
    except Abort as exc:  # taken or ended meanwhile
        _logger.info("flow run %s not cancelled: %s", run.name, exc)


def _execute(run: FlowRun) -> bool:
    """Run the flow run here, as a worker's subprocess would. A failure is logged, not raised
    (the engine has set the run's state); False when a SIGTERM ended the run (the engine has
    marked it crashed, as under a worker) and serving should stop."""
    started = time.perf_counter()
    try:
        with own_heartbeats():
            state = run_flow(monitor_claims, flow_run=run, return_type="state")
    except TerminationSignal:
        _logger.info("stopped during flow run %s (%s)", run.name, run.id)
        return False
    seconds = time.perf_counter() - started
    name = getattr(state, "name", "?")
    _logger.info("flow run %s (%s) ended %s in %.2f s", run.name, run.id, name, seconds)
    return True
