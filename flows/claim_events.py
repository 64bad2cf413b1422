"""What a run's Prefect events say: one per claim whose state changed, not one per transition.

A run that reads many reports can move one claim back and forth many times (a first cycle over
the bench farm's 50,000 reports makes ~270 transitions for 100 claims). The Prefect server
writes each event it receives (~8 ms each on its SQLite), so an event per transition held the
server's next write, the next flow run's creation, for 2.1-2.4 s after such a run. An Automation
wants the state a claim is in now; every transition is still an alert, in the outbox and the
audit log. So a run emits, per claim it moved, the state it left it in, the state before the
run's first change, and how many changes there were.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitors.models import Alert, ClaimState


@dataclass(frozen=True)
class ClaimChange:
    """A claim's net change in one run: ``previous_state`` before its first transition,
    ``new_state`` after its last (the two may be equal when it went and came back)."""

    claim_id: str
    previous_state: ClaimState
    new_state: ClaimState
    changes: int
    feed_id: str  # the feed whose report made the last transition

    def payload(self) -> dict[str, str | int]:
        return {
            "previous_state": self.previous_state.value,
            "changes": self.changes,
            "feed": self.feed_id,
        }


def claim_changes(alerts: tuple[Alert, ...]) -> list[ClaimChange]:
    """Per claim, in the order its first transition came, the run's net change. ``alerts`` are
    in the order they were decided; alerts that are not transitions are left out."""
    changes: dict[str, ClaimChange] = {}
    for alert in alerts:
        if not alert.is_transition:
            continue
        before = changes.get(alert.claim_id)
        changes[alert.claim_id] = ClaimChange(
            claim_id=alert.claim_id,
            previous_state=alert.previous_state if before is None else before.previous_state,
            new_state=alert.new_state,
            changes=1 if before is None else before.changes + 1,
            feed_id=alert.feed_id,
        )
    return list(changes.values())
