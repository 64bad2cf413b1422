"""Read-only queries for the operator's views: evidence timelines, sources, state changes, feeds.

Everything here only SELECTs from the ``monitors.state.schema`` tables; writes belong to ``Store``.
Times come back timezone-aware (UTC), whatever the backend hands over.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, RowMapping, select

from monitors.corrections import AnalystVerdict
from monitors.coverage import (
    CoverageRow,
    CoverageSettings,
    UndecidedCoverage,
    undecided_coverage,
)
from monitors.models import Claim, ClaimState, Evidence, Verdict
from monitors.outlets import outlet_of
from monitors.policy import alert_threshold
from monitors.state import schema
from monitors.state.correct import analyst_verdicts
from monitors.state.sql import utc

DECISIVE = tuple(v.value for v in Verdict if v.is_decisive)


@dataclass(frozen=True)
class EvidenceRow:
    """One report's verdict on one claim, with the sentences that decided it. ``verdict`` is
    the analyst's where one gave a verdict on the report (``analyst``), else the engine's."""

    id: int
    claim_id: str
    feed_id: str
    report_id: str
    verdict: Verdict
    score: float
    title: str
    link: str | None
    published: datetime | None
    recorded: datetime  # when claimwatch first decided this report version
    spans: tuple[Evidence, ...]
    engine_verdict: Verdict | None = None  # None: the same as ``verdict``
    analyst: AnalystVerdict | None = None

    @property
    def machine(self) -> Verdict:
        """The engine's verdict on this report version."""
        return self.engine_verdict or self.verdict

    @property
    def when(self) -> datetime:
        """The report's publication time, else when it was recorded (undated feed entries)."""
        return self.published or self.recorded


@dataclass(frozen=True)
class StateChange:
    """A claim moving from one state to another, and the report that moved it."""

    previous: ClaimState
    state: ClaimState
    reported_at: datetime  # the deciding report's time (published, else recorded)
    recorded: datetime  # when claimwatch recorded the decision
    evidence: EvidenceRow


@dataclass(frozen=True)
class FeedState:
    """A feed's stored health, as the last runs left it."""

    feed_id: str
    url: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_new_report_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    next_poll_at: datetime | None = None  # backoff or Retry-After: not polled before this
    failing_since: datetime | None = None
    disabled_at: datetime | None = None  # 410 Gone: not polled until its url changes
    disabled_reason: str | None = None
    moved_to: str | None = None  # a 301/308 target, polled instead of ``url``

    def moved_for(self, config_url: str) -> str | None:
        """Where the feed is polled instead of ``config_url`` (a 301), or None. A move recorded
        against another URL does not count: feeds.yaml changed since, and it wins."""
        return self.moved_to if self.moved_to and self.url == config_url else None


def evidence_timeline(engine: Engine, claim_id: str) -> list[EvidenceRow]:
    """A claim's evidence oldest first (by report time), neutral mentions included, with the
    analysts' verdicts applied."""
    e = schema.evidence.c
    query = select(schema.evidence).where(e.claim_id == claim_id).order_by(e.id)
    with engine.connect() as conn:
        rows = [_evidence_row(r) for r in conn.execute(query).mappings()]
        verdicts = analyst_verdicts(conn, [claim_id])
    rows = [
        with_analyst(row, verdicts.get((claim_id, (row.feed_id, row.report_id)))) for row in rows
    ]
    return sorted(rows, key=lambda r: (r.when, r.id))


def with_analyst(row: EvidenceRow, verdict: AnalystVerdict | None) -> EvidenceRow:
    if verdict is None:
        return row
    return replace(row, verdict=verdict.verdict, engine_verdict=row.verdict, analyst=verdict)


def _evidence_row(r: RowMapping) -> EvidenceRow:
    return EvidenceRow(
        id=r["id"],
        claim_id=r["claim_id"],
        feed_id=r["feed_id"],
        report_id=r["report_id"],
        verdict=Verdict(r["verdict"]),
        score=float(r["score"]),
        title=r["report_title"],
        link=r["report_link"],
        published=utc(r["published"]),
        recorded=utc(r["created_at"]) or datetime.now(UTC),
        spans=tuple(Evidence.from_dict(s) for s in json.loads(r["spans"])),
    )


def independent_sources(engine: Engine, claim_ids: Sequence[str] = ()) -> dict[str, int]:
    """Per claim: how many distinct outlets carried decisive evidence (not mere mentions), with
    the analysts' verdicts applied (a report they judged neutral no longer counts).

    An outlet is ``monitors.outlets.outlet_of``: the report link's host, so two feeds of one
    publisher (NYT World, NYT Top Stories) are one source, not two; the feed when there is no link.
    """
    e = schema.evidence.c
    query = select(e.claim_id, e.feed_id, e.report_id, e.verdict, e.report_link).distinct()
    if claim_ids:
        query = query.where(e.claim_id.in_(list(claim_ids)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        verdicts = analyst_verdicts(conn, claim_ids)
    links: dict[tuple[str, str, str], str | None] = {}
    outlets: dict[str, set[str]] = {}
    for claim_id, feed_id, report_id, verdict, link in rows:
        links.setdefault((claim_id, feed_id, report_id), link)
        judged = verdicts.get((claim_id, (feed_id, report_id)))
        decisive = judged.verdict.is_decisive if judged else verdict in DECISIVE
        if decisive:
            outlets.setdefault(claim_id, set()).add(outlet_of(feed_id, link))
    for (claim_id, (feed_id, report_id)), judged in verdicts.items():
        if judged.verdict.is_decisive:  # also a report the engine kept no evidence row for
            link = links.get((claim_id, feed_id, report_id))
            outlets.setdefault(claim_id, set()).add(outlet_of(feed_id, link))
    counts = {claim_id: len(found) for claim_id, found in outlets.items()}
    return {cid: counts.get(cid, 0) for cid in claim_ids} if claim_ids else counts


def coverage_rows(
    engine: Engine, claim_ids: Sequence[str], since: datetime
) -> dict[str, list[CoverageRow]]:
    """Per claim, its evidence rows of reports from ``since`` on (published then, else recorded
    then when undated), every claim in one query: what ``monitors.coverage`` decides on, with
    the analysts' verdicts applied."""
    e = schema.evidence.c
    recent = (e.published >= since) | (e.published.is_(None) & (e.created_at >= since))
    query = (
        select(e.claim_id, e.feed_id, e.report_id, e.verdict, e.score, e.report_title)
        .add_columns(e.report_link, e.published, e.created_at)
        .where(e.claim_id.in_(list(claim_ids)), recent)
        .order_by(e.id)
    )
    found: dict[str, list[CoverageRow]] = {cid: [] for cid in claim_ids}
    if not claim_ids:
        return found
    with engine.connect() as conn:
        judged = analyst_verdicts(conn, claim_ids)
        for r in conn.execute(query).mappings():
            when = utc(r["published"]) or utc(r["created_at"]) or datetime.now(UTC)
            verdict, score = Verdict(r["verdict"]), float(r["score"])
            analyst = judged.get((r["claim_id"], (r["feed_id"], r["report_id"])))
            if analyst is not None:  # the analyst's verdict counts whatever the engine scored
                verdict, score = analyst.verdict, 1.0
            found[r["claim_id"]].append(
                CoverageRow(
                    feed_id=r["feed_id"],
                    report_id=r["report_id"],
                    verdict=verdict,
                    score=score,
                    title=r["report_title"],
                    link=r["report_link"],
                    when=when,
                )
            )
    return found


def undecided(
    engine: Engine, claims: Sequence[Claim], settings: CoverageSettings, now: datetime
) -> dict[str, UndecidedCoverage | None]:
    """Per claim, its coverage without a verdict in the window ending at ``now``, or None: one
    query for every claim, then ``monitors.coverage``'s rule at each claim's alert threshold."""
    rows = coverage_rows(engine, [c.id for c in claims], now - settings.window)
    return {
        c.id: undecided_coverage(c.id, rows[c.id], alert_threshold(c), now, settings)
        for c in claims
    }


def state_changes(engine: Engine, claim_id: str) -> list[StateChange]:
    """Every change of a claim's state, oldest first, as the store recorded it."""
    h, e = schema.state_changes.c, schema.evidence
    query = (
        select(h.previous, h.state, h.reported_at, h.recorded_at, e)
        .join(e, e.c.id == h.evidence_id)
        .where(h.claim_id == claim_id)
        .order_by(h.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        StateChange(
            previous=ClaimState(r["previous"]),
            state=ClaimState(r["state"]),
            reported_at=utc(r["reported_at"]) or datetime.now(UTC),
            recorded=utc(r["recorded_at"]) or datetime.now(UTC),
            evidence=_evidence_row(r),
        )
        for r in rows
    ]


def stored_claim_ids(engine: Engine) -> set[str]:
    """Every claim the store holds evidence or a state for."""
    with engine.connect() as conn:
        ids = set(conn.execute(select(schema.evidence.c.claim_id).distinct()).scalars())
        ids.update(conn.execute(select(schema.claim_state.c.claim_id)).scalars())
    return ids


def stored_state(engine: Engine, claim_id: str) -> ClaimState:
    """The state the store holds for a claim (``unknown`` when nothing decided it yet)."""
    c = schema.claim_state.c
    with engine.connect() as conn:
        value = conn.execute(select(c.state).where(c.claim_id == claim_id)).scalar_one_or_none()
    return ClaimState(value) if value else ClaimState.UNKNOWN


def last_change(engine: Engine, claim_id: str) -> StateChange | None:
    """The most recent change of state, or None when the claim never left ``unknown``."""
    changes = state_changes(engine, claim_id)
    return changes[-1] if changes else None


def feed_states(engine: Engine) -> dict[str, FeedState]:
    """Every feed the store has polled at least once, by id."""
    with engine.connect() as conn:
        rows = conn.execute(select(schema.feeds).order_by(schema.feeds.c.feed_id)).mappings()
        return {
            r["feed_id"]: FeedState(
                feed_id=r["feed_id"],
                url=r["url"],
                last_attempt_at=utc(r["last_attempt_at"]),
                last_success_at=utc(r["last_success_at"]),
                last_new_report_at=utc(r["last_new_report_at"]),
                consecutive_failures=int(r["consecutive_failures"] or 0),
                last_error=r["last_error"],
                next_poll_at=utc(r["next_poll_at"]),
                failing_since=utc(r["failing_since"]),
                disabled_at=utc(r["disabled_at"]),
                disabled_reason=r["disabled_reason"],
                moved_to=r["moved_to"],
            )
            for r in rows
        }


def next_poll(last_attempt_at: datetime | None, interval: timedelta | None) -> datetime | None:
    """When a schedule of ``interval`` polls the feed next; None when that cannot be known.

    Unknown when the feed was never polled or no schedule interval is given: the honest answer
    then is "on the next run", whenever that is.
    """
    if last_attempt_at is None or interval is None or interval <= timedelta(0):
        return None
    return last_attempt_at + interval
