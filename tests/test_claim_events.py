"""A run's Prefect events: one per claim it moved, with the net change (flows/claim_events.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.claim_events import ClaimChange, claim_changes
from monitors.models import Alert, ClaimState, Verdict

T0 = datetime(2026, 12, 1, tzinfo=UTC)
UNKNOWN, CONFIRMED, CONTRADICTED = ClaimState.UNKNOWN, ClaimState.CONFIRMED, ClaimState.CONTRADICTED


def _alert(claim: str, before: ClaimState, after: ClaimState, feed: str = "wire") -> Alert:
    verdict = Verdict.CONTRADICT if after is CONTRADICTED else Verdict.CONFIRM
    return Alert(
        f"{claim}-{feed}-{after.value}", claim, f"statement of {claim}", verdict, before, after,
        0.9, "title", None, feed, feed.title(), None, (), T0,
    )  # fmt: skip


def test_several_transitions_of_one_claim_make_one_change_from_first_to_last() -> None:
    alerts = (
        _alert("kursk", UNKNOWN, CONFIRMED, "wire"),
        _alert("gornal", UNKNOWN, CONTRADICTED, "bbc"),
        _alert("kursk", CONFIRMED, CONTRADICTED, "bbc"),
        _alert("kursk", CONTRADICTED, CONFIRMED, "tass"),
    )
    assert [
        ClaimChange("kursk", UNKNOWN, CONFIRMED, 3, "tass"),
        ClaimChange("gornal", UNKNOWN, CONTRADICTED, 1, "bbc"),
    ] == claim_changes(alerts)


def test_a_claim_that_went_and_came_back_still_has_its_change() -> None:
    """Alerts went out for both transitions: an Automation sees the claim's state now and that
    it changed twice."""
    alerts = (_alert("kursk", CONFIRMED, CONTRADICTED), _alert("kursk", CONTRADICTED, CONFIRMED))
    [change] = claim_changes(alerts)
    assert {"previous_state": "confirmed", "changes": 2, "feed": "wire"} == change.payload()
    assert CONFIRMED is change.new_state


def test_alerts_that_are_no_transition_make_no_change() -> None:
    alerts = (_alert("kursk", CONFIRMED, CONFIRMED), _alert("gornal", UNKNOWN, UNKNOWN))
    assert [] == claim_changes(alerts)
