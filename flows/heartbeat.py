"""Flow-run heartbeats that stop the moment the run's work ends.

Prefect's own heartbeat thread (``flow_engine._send_heartbeats``, Prefect 3.9) sleeps in 1 s
steps and is joined when a synchronous flow run ends, so every ``claimwatch run`` waited up to a
second for it: 1 s minus the run's length on a short run, 0.5 s on average on a long one (traced:
0.66 s of a 3.1 s run over a one-item feed). A flow called in this process (``claimwatch run``,
``python -m flows.monitor``) therefore turns Prefect's off for the call (``own_heartbeats``) and
the flow body sends the same ``prefect.flow-run.heartbeat`` events itself (``flow_heartbeats``),
from a thread that waits on an event and so stops at once.

A crashed run stays detectable: the events are Prefect's (same name, resource and related
resources), at the configured ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` (at least Prefect's 30 s
minimum), the first one as soon as the body starts, so a "no heartbeat for N s" automation arms
and fires exactly as before. They stop when the body ends, a moment before Prefect sets the final
state (Prefect's stop a moment after). With the frequency unset (Prefect's default; claimwatch's
tests) neither sends any. A run a worker starts from a deployment keeps Prefect's heartbeats
unchanged: nothing there enters ``own_heartbeats``.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prefect import __version__ as PREFECT_VERSION
from prefect.context import FlowRunContext, SettingsContext, get_settings_context
from prefect.events import emit_event
from prefect.events.related import tags_as_related_resources
from prefect.events.schemas.events import RelatedResource
from prefect.settings import Settings

HEARTBEAT_EVENT = "prefect.flow-run.heartbeat"
MINIMUM_SECONDS = 30  # Prefect's MINIMUM_HEARTBEAT_INTERVAL: a shorter setting is raised to it
STOP_WAIT_S = 5.0  # a backstop: the thread stops at once unless an emit is stuck

_logger = logging.getLogger(__name__)
# Seconds between heartbeats the flow body sends itself; None: Prefect sends them (or nobody).
_OWN_SECONDS: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "claimwatch_own_heartbeat_seconds", default=None
)


@contextmanager
def own_heartbeats() -> Iterator[None]:
    """Around a flow called in this process: Prefect's heartbeats off, the body's on, at the
    frequency the settings ask for (none when they ask for none)."""
    context = get_settings_context()
    seconds = context.settings.flows.heartbeat_frequency
    if seconds is None:
        yield
        return
    token = _OWN_SECONDS.set(max(int(seconds), MINIMUM_SECONDS))
    try:
        with SettingsContext(
            profile=context.profile, settings=_without_heartbeats(context.settings)
        ):
            yield
    finally:
        _OWN_SECONDS.reset(token)


def _without_heartbeats(settings: Settings) -> Settings:
    """``settings`` with Prefect's flow heartbeats off. What ``temporary_settings`` makes, but
    copied rather than validated again from every source (0.03-0.04 s per call)."""
    flows = settings.flows.model_copy(update={"heartbeat_frequency": None})
    return settings.model_copy(update={"flows": flows})


@contextmanager
def flow_heartbeats() -> Iterator[None]:
    """Inside a flow body: heartbeats for the current flow run while the block runs, when
    ``own_heartbeats`` asked for them; nothing otherwise."""
    seconds = _OWN_SECONDS.get()
    context = FlowRunContext.get()
    if seconds is None or context is None or context.flow_run is None:
        yield
        return
    send = _heartbeat_sender(context)
    with beating(send, seconds):
        yield


@contextmanager
def beating(send: Callable[[], None], seconds: float) -> Iterator[None]:
    """``send()`` now and every ``seconds`` until the block ends, from a daemon thread that
    stops as soon as it does (it waits on an event, not in sleep steps)."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                send()
            except Exception:  # a missed beat must never fail the run
                _logger.debug("failed to send a flow-run heartbeat", exc_info=True)
            if stop.wait(seconds):
                return

    # The thread sees this thread's Prefect settings and run context (the API URL above all).
    thread = threading.Thread(
        target=contextvars.copy_context().run,
        args=(loop,),
        name="claimwatch-heartbeat",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=STOP_WAIT_S)


def _heartbeat_sender(context: FlowRunContext) -> Callable[[], None]:
    """What Prefect's engine emits for a heartbeat (``_build_heartbeat_event_template``), built
    once: the flow run as the resource, its flow, deployment and tags as related resources."""
    run = context.flow_run
    assert run is not None
    resource = {
        "prefect.resource.id": f"prefect.flow-run.{run.id}",
        "prefect.resource.name": run.name or "",
        "prefect.version": PREFECT_VERSION,
    }
    related: list[RelatedResource] = []
    if run.flow_id:
        flow_name = context.flow.name if context.flow else ""
        related.append(
            RelatedResource.model_validate(
                {
                    "prefect.resource.id": f"prefect.flow.{run.flow_id}",
                    "prefect.resource.role": "flow",
                    "prefect.resource.name": flow_name,
                }
            )
        )
    if run.deployment_id:
        related.append(
            RelatedResource.model_validate(
                {
                    "prefect.resource.id": f"prefect.deployment.{run.deployment_id}",
                    "prefect.resource.role": "deployment",
                }
            )
        )
    related += tags_as_related_resources(set(run.tags or []))

    def send() -> None:
        emit_event(event=HEARTBEAT_EVENT, resource=resource, related=related)

    return send
