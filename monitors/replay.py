"""Run claims over reports already stored: what would have alerted, and optionally alert now.

Useful after adding a claim (did the story already break?) or after changing aliases or cues.
Without ``send`` nothing is written: every decision is computed for real and rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitors.config import Config
from monitors.models import Alert, Feed
from monitors.pipeline import decide_reports, selected_claims
from monitors.state.record import Suppressed
from monitors.state.store import Store


@dataclass(frozen=True)
class ReplayResult:
    reports: int  # stored reports examined
    alerts: tuple[Alert, ...]  # what alerted (send) or would have alerted (dry run)
    sent: bool
    suppressed: tuple[Suppressed, ...] = ()  # held back by the alert policy


def replay_claims(
    store: Store,
    config: Config,
    claim_ids: Sequence[str] = (),
    since: datetime | None = None,
    send: bool = False,
) -> ReplayResult:
    """Decide stored reports against the claims, oldest first; queue alerts only with ``send``."""
    feeds = {f.id: f for f in config.feeds}
    reports = store.stored_reports(since)
    for report in reports:
        feeds.setdefault(report.feed_id, Feed(id=report.feed_id, url=""))  # feed since removed
    claims = selected_claims(config, claim_ids)
    result = decide_reports(store, config, claims, reports, feeds, dry_run=not send)
    return ReplayResult(len(reports), result.alerts, send, result.suppressed)
