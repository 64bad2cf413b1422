"""Recording an analyst's verdict: the claim's state recomputed, an alert only if it moves.

One transaction, under the claim's lock (a monitor run deciding the same claim waits): the
verdict row, the claim state the corrected evidence sets (``monitors.corrections.recompute``) and,
when the state changes, the alert on every channel. The engine's own evidence rows are never
rewritten: the evidence view shows both verdicts side by side, and ``feedback export`` needs the
engine's to say what was corrected.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, insert, select

from monitors.corrections import AnalystVerdict, CountedEvidence, Recomputed, ReportKey, recompute
from monitors.errors import FeedbackError
from monitors.models import (
    Alert,
    Assessment,
    Claim,
    Correction,
    Evidence,
    Feed,
    Report,
    Source,
    Verdict,
)
from monitors.policy import StateChange, alert_threshold, labelled_source
from monitors.state import schema
from monitors.state.record import enqueue_alert, insert_evidence, set_state, state_and_report
from monitors.state.report_ref import find_report
from monitors.state.sql import lock_claims, utc

Assess = Callable[[Report], Assessment]  # the engine's reading of a report the engine never kept


@dataclass(frozen=True)
class VerdictOutcome:
    """What recording one analyst verdict did."""

    verdict: AnalystVerdict
    report: Report
    recomputed: Recomputed
    alert: Alert | None  # queued on every channel; None: the state did not change


# --- reading what the rule needs ------------------------------------------------------------------


def analyst_verdicts(
    conn: Connection, claim_ids: Sequence[str] = ()
) -> dict[tuple[str, ReportKey], AnalystVerdict]:
    """The verdict that applies to each (claim, report): the newest recorded."""
    a = schema.analyst_verdicts.c
    query = select(schema.analyst_verdicts).order_by(a.id)
    if claim_ids:
        query = query.where(a.claim_id.in_(list(claim_ids)))
    newest: dict[tuple[str, ReportKey], AnalystVerdict] = {}
    for row in conn.execute(query).mappings():
        verdict = _analyst_verdict(row)
        newest[(verdict.claim_id, verdict.report)] = verdict
    return newest


def _analyst_verdict(row: RowMapping) -> AnalystVerdict:
    return AnalystVerdict(
        id=int(row["id"]),
        claim_id=row["claim_id"],
        feed_id=row["feed_id"],
        report_id=row["report_id"],
        verdict=Verdict(row["verdict"]),
        machine_verdict=Verdict(row["machine_verdict"]),
        analyst=row["analyst"],
        at=utc(row["created_at"]) or row["created_at"],
        note=row["note"],
    )


def counted_rows(conn: Connection, claim_id: str) -> list[CountedEvidence]:
    """Every evidence row of the claim, as the state rule reads it (no analyst verdicts yet)."""
    e = schema.evidence.c
    rows = conn.execute(
        select(e.id, e.feed_id, e.report_id, e.verdict, e.score, e.published, e.created_at)
        .where(e.claim_id == claim_id)
        .order_by(e.id)
    ).all()
    return [
        CountedEvidence(
            r.id, r.feed_id, r.report_id, Verdict(r.verdict), float(r.score),
            utc(r.published) or utc(r.created_at),  # type: ignore[arg-type]
        )
        for r in rows
    ]  # fmt: skip


# --- recording a verdict --------------------------------------------------------------------------


def record_verdict(
    conn: Connection,
    claim: Claim,
    ref: str,
    verdict: Verdict | None,
    analyst: str,
    note: str | None,
    assess: Assess,
    feeds: Mapping[str, Feed],
    channels: Sequence[str],
    now: datetime,
) -> VerdictOutcome:
    """Record the verdict on the report ``ref`` names (``find_report``), recompute the claim's
    state and queue an alert if it moved. ``verdict`` None: the engine's decisive verdict is
    wrong, recorded as neutral (the report neither confirms nor contradicts the claim)."""
    lock_claims(conn, [claim.id])  # first: on SQLite it begins the write transaction
    report = find_report(conn, ref)
    machine = _machine_verdict(conn, claim, report, assess, now)
    if verdict is None:  # "wrong": the engine's confirm, contradict or disputed is not one
        if not machine.is_decisive:
            raise FeedbackError(
                f"the engine read this report as {machine.value} for {claim.id}: 'wrong' would "
                "change nothing; say what it is instead (--is confirm|contradict|neutral|"
                "unrelated)"
            )
        verdict = Verdict.NEUTRAL
    earlier = {key[1]: v.verdict for key, v in analyst_verdicts(conn, [claim.id]).items()}
    row = _insert_verdict(conn, claim.id, report, verdict, machine, analyst, note, now)
    stored, _, setter = state_and_report(conn, claim.id)
    rows = counted_rows(conn, claim.id)
    new = ((report.feed_id, report.report_id), verdict)
    recomputed = recompute(stored, rows, earlier, new, alert_threshold(claim))
    alert = None
    if recomputed.rewrites:
        _write_state(conn, claim.id, recomputed, rows, row, report, now)
    if recomputed.moved:
        alert = correction_alert(conn, claim, recomputed, row, report, feeds, now, setter)
        enqueue_alert(conn, alert, channels, now)
    return VerdictOutcome(row, report, recomputed, alert)


def _machine_verdict(
    conn: Connection, claim: Claim, report: Report, assess: Assess, now: datetime
) -> Verdict:
    """The engine's verdict on the report's newest version; a report it found unrelated has no
    evidence row, so the engine reads it now and the row is stored (the analyst may be
    pointing at a miss)."""
    e = schema.evidence.c
    newest = conn.execute(
        select(e.verdict)
        .where(e.claim_id == claim.id, e.feed_id == report.feed_id)
        .where(e.report_id == report.report_id)
        .order_by(e.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if newest is not None:
        return Verdict(newest)
    assessment = assess(report)
    insert_evidence(conn, report, assessment, now)
    return assessment.verdict


def _insert_verdict(
    conn: Connection,
    claim_id: str,
    report: Report,
    verdict: Verdict,
    machine: Verdict,
    analyst: str,
    note: str | None,
    now: datetime,
) -> AnalystVerdict:
    values = {
        "claim_id": claim_id,
        "feed_id": report.feed_id,
        "report_id": report.report_id,
        "verdict": verdict.value,
        "machine_verdict": machine.value,
        "analyst": analyst,
        "note": note,
        "created_at": now,
    }
    table = schema.analyst_verdicts
    new_id = conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()
    return AnalystVerdict(
        int(new_id), claim_id, report.feed_id, report.report_id, verdict, machine, analyst, now,
        note,
    )  # fmt: skip


def _write_state(
    conn: Connection,
    claim_id: str,
    recomputed: Recomputed,
    rows: Sequence[CountedEvidence],
    verdict: AnalystVerdict,
    report: Report,
    now: datetime,
) -> None:
    """The recomputed state; with no evidence left that counts the claim is unknown again and
    has no state row (a report of any age may set it), but its history records the change,
    caused by the corrected report's newest evidence row."""
    deciding = recomputed.deciding
    if deciding is not None:
        change = StateChange(
            claim_id, recomputed.previous, recomputed.state, deciding.reported_at,
            deciding.evidence_id,
        )  # fmt: skip
        set_state(conn, change, now)
        return
    cause = max(r.evidence_id for r in rows if r.report == verdict.report)
    if recomputed.moved:
        reported_at = report.published or now
        set_state(conn, StateChange(claim_id, recomputed.previous, recomputed.state, reported_at,
                                    cause), now)  # fmt: skip
    conn.execute(delete(schema.claim_state).where(schema.claim_state.c.claim_id == claim_id))


def correction_key(claim_id: str, verdict_id: int) -> str:
    raw = f"correction\x1f{claim_id}\x1f{verdict_id}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def correction_alert(
    conn: Connection,
    claim: Claim,
    recomputed: Recomputed,
    verdict: AnalystVerdict,
    report: Report,
    feeds: Mapping[str, Feed],
    now: datetime,
    previous_report: Source | None = None,
) -> Alert:
    """The alert a state change by correction sends: the report that now decides the claim (or
    the corrected one, when nothing does), the correction that caused it, and the report that
    had set the state before (``previous_report``, as the store read it)."""
    spans: tuple[Evidence, ...] = ()
    shown, score, shown_verdict = report, 1.0, verdict.verdict
    if recomputed.deciding is not None:
        shown, spans, score = _evidence_report(conn, recomputed.deciding.evidence_id)
        shown_verdict = recomputed.deciding.verdict
    feed = feeds.get(shown.feed_id, Feed(id=shown.feed_id, url=""))
    correction = Correction(
        analyst=verdict.analyst,
        verdict=verdict.verdict,
        machine_verdict=verdict.machine_verdict,
        feed_id=report.feed_id,
        report_id=report.report_id,
        report_title=report.title,
        at=verdict.at,
        note=verdict.note,
    )
    return Alert(
        key=correction_key(claim.id, verdict.id),
        claim_id=claim.id,
        claim_statement=claim.statement,
        verdict=shown_verdict,
        previous_state=recomputed.previous,
        new_state=recomputed.state,
        score=score,
        report_title=shown.title,
        report_link=shown.link,
        feed_id=feed.id,
        feed_name=feed.label,
        published=shown.published,
        evidence=spans,
        created_at=now,
        sources=(Source(feed.id, feed.label, shown.title, shown.link, shown.published),),
        correction=correction,
        previous_report=labelled_source(previous_report, feeds),
    )


def _evidence_report(
    conn: Connection, evidence_id: int
) -> tuple[Report, tuple[Evidence, ...], float]:
    e = schema.evidence.c
    row = conn.execute(select(schema.evidence).where(e.id == evidence_id)).mappings().one()
    report = Report(
        feed_id=row["feed_id"],
        report_id=row["report_id"],
        title=row["report_title"],
        summary="",
        link=row["report_link"],
        published=utc(row["published"]),
        content_hash=row["content_hash"],
    )
    spans = tuple(Evidence.from_dict(s) for s in json.loads(row["spans"]))
    return report, spans, float(row["score"])
