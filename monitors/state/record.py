"""Recording decisions: evidence, claim state and the alerts they cause, in one transaction.

A *story* is one report, or several near-identical reports from different feeds that arrived in
the same run (syndicated copies). Everything a story changes is written in a single transaction:
a crash leaves either all of it or none of it, and the unique keys on evidence and outbox make a
rerun, or a second worker racing this one, a no-op.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from monitors.models import (
    Alert,
    Assessment,
    Claim,
    ClaimState,
    Feed,
    Report,
    Source,
    Verdict,
)
from monitors.policy import AlertPolicy, alert_reason, cooldown_for, same_story
from monitors.state import schema
from monitors.state.sql import insert_ignore, utc


@dataclass(frozen=True)
class DecidedReport:
    """A report with the engine's assessments for every claim."""

    report: Report
    assessments: tuple[Assessment, ...]


@dataclass(frozen=True)
class Suppressed:
    alert: Alert
    reason: str


@dataclass(frozen=True)
class Decision:
    """What recording a story changed."""

    evidence_count: int
    alerts: tuple[Alert, ...]  # queued for delivery
    suppressed: tuple[Suppressed, ...] = ()  # held back by policy, kept in the outbox


@dataclass(frozen=True)
class _Fresh:
    """A new evidence row, with what it came from."""

    report: Report
    assessment: Assessment
    evidence_id: int


def alert_key(claim_id: str, report: Report) -> str:
    """One alert per claim per report *version*: an edited report may alert again."""
    raw = f"{claim_id}\x1f{report.feed_id}\x1f{report.report_id}\x1f{report.content_hash}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def record_story(
    conn: Connection,
    story: Sequence[DecidedReport],
    feeds: Mapping[str, Feed],
    claims: Mapping[str, Claim],
    channels: Sequence[str],
    policy: AlertPolicy,
    now: datetime,
) -> Decision:
    """Store a story's reports and evidence, move claim states, queue or suppress alerts."""
    fresh: list[_Fresh] = []
    for item in story:
        upsert_report(conn, item.report, now)
        fresh += _insert_evidence_rows(conn, item, now)
    alerts: list[Alert] = []
    suppressed: list[Suppressed] = []
    for members in _decisive_groups(fresh):
        claim = claims[members[0].assessment.claim_id]
        alert = _decide(conn, claim, members, feeds, now)
        reason = _hold_back(conn, claim, alert, members, policy, now)
        _enqueue(conn, alert, channels, claim, policy, reason, now)
        if reason is None:
            alerts.append(alert)
        else:
            suppressed.append(Suppressed(alert, reason))
    return Decision(len(fresh), tuple(alerts), tuple(suppressed))


def _insert_evidence_rows(conn: Connection, item: DecidedReport, now: datetime) -> list[_Fresh]:
    fresh = []
    for assessment in item.assessments:
        if assessment.verdict is Verdict.UNRELATED:
            continue
        evidence_id = _insert_evidence(conn, item.report, assessment, now)
        if evidence_id is not None:  # None: this report version was already decided
            fresh.append(_Fresh(item.report, assessment, evidence_id))
    return fresh


def _decisive_groups(fresh: Sequence[_Fresh]) -> list[list[_Fresh]]:
    """One group per (claim, verdict): copies of a story that agree make one alert."""
    groups: dict[tuple[str, Verdict], list[_Fresh]] = {}
    for item in fresh:
        if item.assessment.verdict.is_decisive:
            key = (item.assessment.claim_id, item.assessment.verdict)
            groups.setdefault(key, []).append(item)
    return list(groups.values())


# --- reports and evidence -------------------------------------------------------------------------


def upsert_report(conn: Connection, report: Report, now: datetime) -> None:
    values = {
        "content_hash": report.content_hash,
        "title": report.title,
        "summary": report.summary,
        "link": report.link,
        "published": report.published,
        "last_changed": now,
    }
    key = {"feed_id": report.feed_id, "report_id": report.report_id}
    row = {**key, **values, "first_seen": now}
    if not conn.execute(insert_ignore(conn, schema.reports, row)).rowcount:
        r = schema.reports.c
        conn.execute(
            update(schema.reports)
            .where(r.feed_id == report.feed_id, r.report_id == report.report_id)
            .values(**values)
        )


def _insert_evidence(
    conn: Connection, report: Report, assessment: Assessment, now: datetime
) -> int | None:
    row = {
        "claim_id": assessment.claim_id,
        "feed_id": report.feed_id,
        "report_id": report.report_id,
        "content_hash": report.content_hash,
        "verdict": assessment.verdict.value,
        "score": assessment.score,
        "relatedness": assessment.relatedness,
        "spans": json.dumps([e.to_dict() for e in assessment.evidence], ensure_ascii=False),
        "report_title": report.title,
        "report_link": report.link,
        "published": report.published,
        "created_at": now,
    }
    # RETURNING, not rowcount: drivers report -1 for an implicit RETURNING that found nothing.
    statement = insert_ignore(conn, schema.evidence, row).returning(schema.evidence.c.id)
    inserted = conn.execute(statement).scalar_one_or_none()
    return None if inserted is None else int(inserted)


# --- claim state ----------------------------------------------------------------------------------


def _decide(
    conn: Connection,
    claim: Claim,
    members: Sequence[_Fresh],
    feeds: Mapping[str, Feed],
    now: datetime,
) -> Alert:
    first = members[0]
    report, assessment = first.report, first.assessment
    previous, as_of = claim_state(conn, claim.id)
    reported_at = report.published or now
    # Feeds list newest first and backfills arrive late: an older report is recorded and
    # alerted, but does not overturn a state set by a newer one.
    new_state = previous
    if as_of is None or reported_at >= as_of:
        new_state = ClaimState.from_verdict(assessment.verdict)
        change = _Change(claim.id, previous, new_state, reported_at, first.evidence_id)
        _set_state(conn, change, now)
    feed = feeds.get(report.feed_id, Feed(id=report.feed_id, url=""))
    return Alert(
        key=alert_key(claim.id, report),
        claim_id=claim.id,
        claim_statement=claim.statement,
        verdict=assessment.verdict,
        previous_state=previous,
        new_state=new_state,
        score=assessment.score,
        report_title=report.title,
        report_link=report.link,
        feed_id=feed.id,
        feed_name=feed.label,
        published=report.published,
        evidence=assessment.evidence,
        created_at=now,
        sources=tuple(_source(m.report, feeds) for m in members),
    )


def _source(report: Report, feeds: Mapping[str, Feed]) -> Source:
    feed = feeds.get(report.feed_id)
    name = feed.label if feed else report.feed_id
    return Source(report.feed_id, name, report.title, report.link, report.published)


def claim_state(conn: Connection, claim_id: str) -> tuple[ClaimState, datetime | None]:
    c = schema.claim_state.c
    row = conn.execute(select(c.state, c.as_of).where(c.claim_id == claim_id)).first()
    if row is None:
        return ClaimState.UNKNOWN, None
    return ClaimState(row.state), utc(row.as_of)


@dataclass(frozen=True)
class _Change:
    claim_id: str
    previous: ClaimState
    state: ClaimState
    reported_at: datetime
    evidence_id: int


def _set_state(conn: Connection, change: _Change, now: datetime) -> None:
    """Move the claim's state; an actual change is also written to its history."""
    values: dict[str, Any] = {
        "state": change.state.value,
        "as_of": change.reported_at,
        "evidence_id": change.evidence_id,
    }
    moved = change.state != change.previous
    if moved:
        values["changed_at"] = now
        conn.execute(
            insert(schema.state_changes).values(
                claim_id=change.claim_id,
                previous=change.previous.value,
                state=change.state.value,
                reported_at=change.reported_at,
                evidence_id=change.evidence_id,
                recorded_at=now,
            )
        )
    c = schema.claim_state.c
    updated = conn.execute(
        update(schema.claim_state).where(c.claim_id == change.claim_id).values(**values)
    ).rowcount
    if not updated:
        row = {"claim_id": change.claim_id, "changed_at": now, **values}
        conn.execute(insert_ignore(conn, schema.claim_state, row))


# --- policy ---------------------------------------------------------------------------------------


def _hold_back(
    conn: Connection,
    claim: Claim,
    alert: Alert,
    members: Sequence[_Fresh],
    policy: AlertPolicy,
    now: datetime,
) -> str | None:
    """Why this alert is suppressed for every channel, or None (cooldowns are per channel)."""
    if alert_reason(alert.previous_state, alert.new_state, alert.score, policy) is None:
        return f"no state change and weak evidence (score {alert.score:.2f})"
    if alert.is_transition:
        return None
    earlier = _earlier_copy(conn, claim.id, alert.verdict, members, policy, now)
    if earlier is not None:
        return f"duplicate of {earlier!r}, already alerted"
    return None


def _earlier_copy(
    conn: Connection,
    claim_id: str,
    verdict: Verdict,
    members: Sequence[_Fresh],
    policy: AlertPolicy,
    now: datetime,
) -> str | None:
    """The title of an earlier report of the same story with the same verdict on this claim."""
    e = schema.evidence.c
    own = {(m.report.feed_id, m.report.report_id) for m in members}
    rows = conn.execute(
        select(e.report_title, e.feed_id, e.report_id).where(
            e.claim_id == claim_id,
            e.verdict == verdict.value,
            e.created_at >= now - policy.duplicate_window,
        )
    ).all()
    title = members[0].report.title
    for earlier, feed_id, report_id in rows:
        if (feed_id, report_id) not in own and same_story(earlier, title, policy):
            return str(earlier)
    return None


def _enqueue(
    conn: Connection,
    alert: Alert,
    channels: Sequence[str],
    claim: Claim,
    policy: AlertPolicy,
    reason: str | None,
    now: datetime,
) -> None:
    payload = json.dumps(alert.to_dict(), ensure_ascii=False)
    for channel in channels:
        held = reason or _cooldown_reason(conn, alert, channel, claim, policy, now)
        row = {
            "key": f"{alert.key}:{channel}",
            "channel": channel,
            "claim_id": alert.claim_id,
            "payload": payload,
            "status": "suppressed" if held else "pending",
            "attempts": 0,
            "last_error": held,
            "created_at": now,
            "updated_at": now,
        }
        conn.execute(insert_ignore(conn, schema.outbox, row))


def _cooldown_reason(
    conn: Connection,
    alert: Alert,
    channel: str,
    claim: Claim,
    policy: AlertPolicy,
    now: datetime,
) -> str | None:
    if alert.is_transition:
        return None  # a state change is always worth a message
    cooldown = cooldown_for(channel, timedelta(seconds=claim.cooldown_s), policy)
    if not cooldown:
        return None
    o = schema.outbox.c
    last = conn.execute(
        select(func.max(o.created_at)).where(
            o.claim_id == alert.claim_id,
            o.channel == channel,
            o.status.in_(("pending", "delivered", "failed")),
        )
    ).scalar_one_or_none()
    last = utc(last)
    if last is None or now - last >= cooldown:
        return None
    return f"cooldown: last alert for this claim on {channel} at {last:%Y-%m-%d %H:%M} UTC"
