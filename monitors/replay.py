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
from monitors.stance import StanceEngine
from monitors.store import Store


@dataclass(frozen=True)
class ReplayResult:
    reports: int  # stored reports examined
    alerts: tuple[Alert, ...]  # what alerted (send) or would have alerted (dry run)
    sent: bool


def replay_claims(
    store: Store,
    config: Config,
    claim_ids: Sequence[str] = (),
    since: datetime | None = None,
    send: bool = False,
) -> ReplayResult:
    """Decide stored reports against the claims, oldest first; queue alerts only with ``send``."""
    claims = [config.claim(cid) for cid in claim_ids] if claim_ids else list(config.claims)
    by_id = {c.id: c for c in claims}
    engine = StanceEngine(claims)
    feeds = {f.id: f for f in config.feeds}
    channels = [c.name for c in config.channels]
    reports = store.stored_reports(since)
    alerts: list[Alert] = []
    for report in reports:
        feed = feeds.get(report.feed_id, Feed(id=report.feed_id, url=""))
        assessments = engine.assess(report.title, report.summary)
        decision = store.record_report(
            report, feed, assessments, by_id, channels, dry_run=not send
        )
        alerts.extend(decision.alerts)
    return ReplayResult(reports=len(reports), alerts=tuple(alerts), sent=send)
