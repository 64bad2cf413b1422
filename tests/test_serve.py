"""Which due runs ``claimwatch serve`` runs (flows/serve.py); the process itself, against a real
``prefect server``, is tested in test_deployment.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from prefect.client.schemas.responses import FlowRunResponse

from flows.serve import split_superseded, wait_seconds

T0 = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


def _run(name: str, minutes: int, auto: bool) -> FlowRunResponse:
    return FlowRunResponse(
        id=uuid4(),
        name=name,
        flow_id=uuid4(),
        auto_scheduled=auto,
        expected_start_time=T0 + timedelta(minutes=minutes),
        work_pool_id=None,
        work_pool_name=None,
    )


def test_of_several_due_scheduled_runs_only_the_newest_runs() -> None:
    """A backlog of scheduled runs (the server or this process was down) is one run: each polls
    every feed. Runs started by hand all run, in order."""
    late, later, newest = _run("late", 0, True), _run("later", 15, True), _run("newest", 30, True)
    by_hand = _run("by-hand", 5, False)
    keep, superseded = split_superseded([newest, by_hand, late, later])
    assert ["by-hand", "newest"] == [r.name for r in keep]
    assert ["late", "later"] == [r.name for r in superseded]


def test_one_due_run_is_run() -> None:
    keep, superseded = split_superseded([_run("only", 0, True)])
    assert (["only"], []) == ([r.name for r in keep], superseded)


def test_the_wait_ends_when_the_next_known_run_is_due() -> None:
    """Asked at T0 with a 5-minute poll, a run due at T0+2 min is waited for, not polled past;
    runs already due and a run past the poll leave the poll as it is."""
    soon, due, far = _run("soon", 2, True), _run("due", 0, True), _run("far", 9, True)
    assert 120.0 == wait_seconds([far, soon, due], T0, poll_s=300.0)
    assert 300.0 == wait_seconds([due, far], T0, poll_s=300.0)
    assert 300.0 == wait_seconds([], T0, poll_s=300.0)
