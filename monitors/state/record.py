"""Recording decisions: evidence, claim state and the alerts they cause, in one transaction.

A *story* is one report, or several near-identical reports from different feeds that arrived in
the same run (syndicated copies). Everything a story changes is written in a single transaction:
a crash leaves either all of it or none of it, and the unique keys on evidence and outbox make a
rerun, or a second worker racing this one, a no-op.

This module only reads and writes: it stores the story's evidence, reads what the policy needs to
know (each claim's facts once per batch, ``FactsInStep``, which gives what ``read_facts`` would;
the desk's active mutes once per batch: ``read_mutes``), and writes what
``monitors.policy.decide`` returns. The rules live there.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, func, insert, select, update

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
from monitors.mutes import Mute, MuteKind
from monitors.policy import (
    AlertDecision,
    AlertPolicy,
    ClaimFacts,
    EarlierEvidence,
    NewEvidence,
    OutboxEntry,
    StateChange,
    StoryDecision,
    decide,
)
from monitors.state import schema
from monitors.state.sql import insert_ignore_in, upsert, utc


@dataclass(frozen=True)
class DecidedReport:
    """A report with the engine's assessments for every claim, and those other than unrelated
    (``related``: the ones stored as evidence; computed once here, since the steps after
    assessing read them several times and most reports have none among a hundred claims)."""

    report: Report
    assessments: tuple[Assessment, ...]
    known_related: InitVar[tuple[Assessment, ...] | None] = None  # the caller knows them already
    related: tuple[Assessment, ...] = field(init=False)

    def __post_init__(self, known_related: tuple[Assessment, ...] | None) -> None:
        if known_related is None:
            unrelated = Verdict.UNRELATED
            known_related = tuple(a for a in self.assessments if a.verdict is not unrelated)
        object.__setattr__(self, "related", known_related)


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


def record_story(
    conn: Connection,
    story: Sequence[DecidedReport],
    feeds: Mapping[str, Feed],
    claims: Mapping[str, Claim],
    channels: Sequence[str],
    policy: AlertPolicy,
    now: datetime,
) -> Decision:
    """Store a story's reports and evidence, then write what the alert policy decides about it."""
    return record_batch(conn, [story], feeds, claims, channels, policy, now)[0]


def record_batch(
    conn: Connection,
    stories: Sequence[Sequence[DecidedReport]],
    feeds: Mapping[str, Feed],
    claims: Mapping[str, Claim],
    channels: Sequence[str],
    policy: AlertPolicy,
    now: datetime,
) -> list[Decision]:
    """Several stories on one connection (the caller's transaction): every report in one
    executemany, then each story's evidence and decision in order, so a story's decision sees
    the claim states the stories before it set. Reports are only stored, never read, by the
    decisions: writing them first changes nothing a decision sees. The desk's active mutes are
    read once for the whole batch (one query, not one per story)."""
    upsert_reports(conn, [item.report for story in stories for item in story], now)
    analysed, mutes = analysed_reports(conn), read_mutes(conn, now)
    known = FactsInStep(conn, channels, now - policy.duplicate_window)
    # Every claim the batch could move read in three queries, before its evidence is stored (the
    # facts then follow each story's rows as they are decided), then all its evidence in one
    # statement: per story and per row these were ~2,000 queries on the bench's first cycle.
    known.preload({a.claim_id for story in stories for item in story for a in _decisive(item)})
    ahead = insert_evidence_many(conn, [item for story in stories for item in story], now)
    known.ahead(ahead.ids())
    return [
        decide_story(
            conn, story, feeds, claims, channels, policy, now, analysed, mutes, known, ahead
        )  # fmt: skip
        for story in stories
    ]


def _decisive(item: DecidedReport) -> list[Assessment]:
    return [a for a in item.related if a.verdict.is_decisive]


def analysed_reports(conn: Connection) -> frozenset[tuple[str, str, str]]:
    """The (claim, feed, report) triples an analyst gave a verdict on (``claimwatch verdict``):
    a desk corrects a handful of reports, so reading them all once per batch is cheap."""
    a = schema.analyst_verdicts.c
    rows = conn.execute(select(a.claim_id, a.feed_id, a.report_id).distinct()).all()
    return frozenset((c, f, r) for c, f, r in rows)


def decide_story(
    conn: Connection,
    story: Sequence[DecidedReport],
    feeds: Mapping[str, Feed],
    claims: Mapping[str, Claim],
    channels: Sequence[str],
    policy: AlertPolicy,
    now: datetime,
    analysed: frozenset[tuple[str, str, str]] = frozenset(),
    mutes: Sequence[Mute] = (),
    known: FactsInStep | None = None,
    ahead: StoredAhead | None = None,
) -> Decision:
    """One story: its evidence stored, then what the policy decides about it written. ``known``:
    the facts of the batch so far (``record_batch`` passes one for all its stories); ``ahead``:
    the batch's evidence, already inserted (None: this call inserts the story's)."""
    known = known or FactsInStep(conn, channels, now - policy.duplicate_window)
    fresh: list[NewEvidence] = []
    for item in story:
        fresh += ahead.take(item) if ahead is not None else _insert_evidence_rows(conn, item, now)
    known.stored(fresh)
    # A new version of a report an analyst has judged is stored, but the analyst's verdict
    # stands: the engine's reading of the edit neither moves the claim nor alerts.
    stored = len(fresh)
    fresh = [f for f in fresh if _key(f) not in analysed]
    if not fresh:
        return Decision(stored, ())  # nothing to decide: a report about no claim (most of them)
    decided = decide(fresh, known.facts(fresh), claims, feeds, channels, policy, now, mutes=mutes)
    queued = write_decision(conn, decided, now)
    known.written(decided, fresh, queued, now)
    return _summary(stored, decided)


def _key(item: NewEvidence) -> tuple[str, str, str]:
    return (item.assessment.claim_id, item.report.feed_id, item.report.report_id)


def _summary(evidence_count: int, decided: StoryDecision) -> Decision:
    alerts = tuple(d.alert for d in decided.alerts if d.reason is None)
    held = tuple(Suppressed(d.alert, d.reason) for d in decided.alerts if d.reason is not None)
    return Decision(evidence_count, alerts, held)


def _insert_evidence_rows(
    conn: Connection, item: DecidedReport, now: datetime
) -> list[NewEvidence]:
    fresh = []
    for assessment in item.related:
        evidence_id = insert_evidence(conn, item.report, assessment, now)
        if evidence_id is not None:  # None: this report version was already decided
            fresh.append(NewEvidence(item.report, assessment, evidence_id))
    return fresh


@dataclass(frozen=True)
class _Statements:
    """The per-row statements of a decision, built once per dialect: building a statement with
    ``.values(**row)`` for every row cost more than executing it (the bench's first cycle: 3,000
    statements built, ~0.7 s under cProfile)."""

    evidence: Any  # insert ignoring a stored version, RETURNING its id
    evidence_many: Any  # the same for many rows, RETURNING each inserted row's key
    outbox: Any  # insert ignoring a queued key, RETURNING it
    claim_state: Any  # insert ignoring an existing row
    state_change: Any
    set_state: Any  # update of one claim's row (the claim id bound as "b_claim_id")


@functools.cache
def _statements_for(dialect: str) -> _Statements:
    e, o, c = schema.evidence.c, schema.outbox.c, schema.claim_state.c
    evidence = insert_ignore_in(dialect, schema.evidence)
    return _Statements(
        evidence=evidence.returning(e.id),
        evidence_many=evidence.returning(e.id, e.claim_id, e.feed_id, e.report_id, e.content_hash),
        outbox=insert_ignore_in(dialect, schema.outbox).returning(o.key),
        claim_state=insert_ignore_in(dialect, schema.claim_state),
        state_change=insert(schema.state_changes),
        set_state=update(schema.claim_state).where(c.claim_id == bindparam("b_claim_id")),
    )


def _statements(conn: Connection) -> _Statements:
    return _statements_for(conn.dialect.name)


# --- reports and evidence -------------------------------------------------------------------------


def upsert_report(conn: Connection, report: Report, now: datetime) -> None:
    upsert_reports(conn, [report], now)


_REPORT_VALUES = ("content_hash", "title", "summary", "link", "published", "last_changed")


def upsert_reports(conn: Connection, reports: Sequence[Report], now: datetime) -> None:
    """New reports inserted, known ones (an edited version) updated; ``first_seen`` is kept."""
    if not reports:
        return
    rows = [
        {
            "feed_id": r.feed_id,
            "report_id": r.report_id,
            "content_hash": r.content_hash,
            "title": r.title,
            "summary": r.summary,
            "link": r.link,
            "published": r.published,
            "last_changed": now,
            "first_seen": now,
        }
        for r in reports
    ]
    conn.execute(upsert(conn, schema.reports, ("feed_id", "report_id"), _REPORT_VALUES), rows)


def insert_evidence(
    conn: Connection, report: Report, assessment: Assessment, now: datetime
) -> int | None:
    """Store one assessment of one report version; None when that version was already stored."""
    row = _evidence_row(report, assessment, now)
    # RETURNING, not rowcount: drivers report -1 for an implicit RETURNING that found nothing.
    inserted = conn.execute(_statements(conn).evidence, row).scalar_one_or_none()
    return None if inserted is None else int(inserted)


EvidenceKey = tuple[str, str, str, str]  # claim, feed, report, content hash: one version's row


class StoredAhead:
    """A batch's evidence rows, inserted before its stories are decided: each story takes its
    own, in order. A version stored twice in one batch is fresh for its first story only, as
    when each story inserted its rows itself."""

    def __init__(self, ids: dict[EvidenceKey, int]) -> None:
        self._ids = ids

    def ids(self) -> dict[str, set[int]]:
        """The rows not taken yet, by claim."""
        by_claim: dict[str, set[int]] = {}
        for (claim_id, *_), evidence_id in self._ids.items():
            by_claim.setdefault(claim_id, set()).add(evidence_id)
        return by_claim

    def take(self, item: DecidedReport) -> list[NewEvidence]:
        report, fresh = item.report, []
        for assessment in item.related:
            key = (assessment.claim_id, report.feed_id, report.report_id, report.content_hash)
            evidence_id = self._ids.pop(key, None)
            if evidence_id is not None:  # None: this report version was already decided
                fresh.append(NewEvidence(report, assessment, evidence_id))
        return fresh


def insert_evidence_many(
    conn: Connection, items: Sequence[DecidedReport], now: datetime
) -> StoredAhead:
    """Every related assessment of ``items`` stored, in order (ids as one insert per row would
    give them), in one statement; the versions stored before are left alone and not returned."""
    rows = [_evidence_row(item.report, a, now) for item in items for a in item.related]
    if not rows:
        return StoredAhead({})
    # RETURNING the key: a row the conflict skipped returns nothing, so rows are matched by key.
    found = conn.execute(_statements(conn).evidence_many, rows).all()
    return StoredAhead({(c, f, r, h): int(i) for i, c, f, r, h in found})


def _evidence_row(report: Report, assessment: Assessment, now: datetime) -> dict[str, Any]:
    return {
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


# --- the facts the policy decides on -------------------------------------------------------------


def read_facts(
    conn: Connection,
    evidence: Sequence[NewEvidence],
    channels: Sequence[str],
    duplicate_window: timedelta,
    now: datetime,
) -> dict[str, ClaimFacts]:
    """What the store knows about each claim this evidence could move (decisive verdicts only:
    the others never alert, so reading for them would only cost queries)."""
    claim_ids = {e.assessment.claim_id for e in evidence if e.assessment.verdict.is_decisive}
    since = now - duplicate_window
    return {cid: _claim_facts(conn, cid, channels, since) for cid in sorted(claim_ids)}


def _claim_facts(
    conn: Connection,
    claim_id: str,
    channels: Sequence[str],
    since: datetime,
    ahead: Collection[int] = (),
) -> ClaimFacts:
    """``ahead``: evidence ids stored for stories not decided yet, left out of ``recent``."""
    state, as_of, setter = state_and_report(conn, claim_id)
    recent = _recent_evidence(conn, claim_id, since, ahead)
    return ClaimFacts(state, as_of, recent, _last_alerts(conn, claim_id, channels), setter)


def _many_claim_facts(
    conn: Connection, claim_ids: Collection[str], channels: Sequence[str], since: datetime
) -> dict[str, ClaimFacts]:
    """``_claim_facts`` of each claim, in three queries for all of them."""
    wanted = sorted(claim_ids)
    states = _states_and_reports(conn, wanted)
    recent = _recent_evidence_of(conn, wanted, since)
    alerts = _last_alerts_of(conn, wanted, channels)
    unknown = (ClaimState.UNKNOWN, None, None)
    facts = {}
    for cid in wanted:
        state, as_of, setter = states.get(cid, unknown)
        facts[cid] = ClaimFacts(state, as_of, recent.get(cid, ()), alerts.get(cid, {}), setter)
    return facts


class FactsInStep:
    """The facts of the claims one transaction decides: each claim's read once (three queries),
    then kept in step with what the transaction writes (its evidence, states and outbox rows), so
    a batch of stories does not read them again per story (the bench's first cycle, 1,270
    stories: record_stories 4.1-4.4 s -> 2.7-3.2 s, ``python -m scripts.decide_bench``). The
    claims are locked for the transaction (``lock_claims``), so no other run moves them
    meanwhile. ``tests/test_store.py`` checks every fact against a fresh read."""

    def __init__(self, conn: Connection, channels: Sequence[str], since: datetime) -> None:
        self._conn, self._channels, self._since = conn, channels, since
        self._facts: dict[str, ClaimFacts] = {}
        self._ahead: dict[str, set[int]] = {}  # by claim: evidence ids of stories not decided yet

    def preload(self, claim_ids: Iterable[str]) -> None:
        """Read these claims' facts now, all at once (call it before any evidence of stories
        still to decide is stored, or name those rows with ``ahead`` first)."""
        missing = set(claim_ids) - self._facts.keys()
        if missing:
            self._facts.update(_many_claim_facts(self._conn, missing, self._channels, self._since))

    def ahead(self, ids: Mapping[str, set[int]]) -> None:
        """Evidence ids, by claim, stored ahead of their stories: no read counts them as recent
        until ``stored`` says their story is being decided."""
        self._ahead = {cid: set(found) for cid, found in ids.items()}

    def facts(self, evidence: Sequence[NewEvidence]) -> dict[str, ClaimFacts]:
        """As ``read_facts``: the claims this evidence could move (decisive verdicts only)."""
        wanted = sorted(
            {e.assessment.claim_id for e in evidence if e.assessment.verdict.is_decisive}
        )
        for cid in wanted:
            if cid not in self._facts:
                ahead = self._ahead.get(cid, set())
                self._facts[cid] = _claim_facts(self._conn, cid, self._channels, self._since,
                                                ahead)  # fmt: skip
        return {cid: self._facts[cid] for cid in wanted}

    def stored(self, rows: Sequence[NewEvidence]) -> None:
        """Evidence rows just inserted: their claims' recent evidence, as a fresh read has it."""
        for row in rows:
            self._ahead.get(row.assessment.claim_id, set()).discard(row.evidence_id)
            known = self._facts.get(row.assessment.claim_id)
            if known is not None:
                earlier = EarlierEvidence(row.assessment.verdict, row.report.title,
                                          row.report.feed_id, row.report.report_id,
                                          row.report.summary)  # fmt: skip
                self._facts[row.assessment.claim_id] = replace(
                    known, recent=(*known.recent, earlier)
                )

    def written(
        self,
        decided: StoryDecision,
        fresh: Sequence[NewEvidence],
        queued: Sequence[tuple[str, str]],
        now: datetime,
    ) -> None:
        """The claim states and counted outbox rows (claim, channel) the decision wrote."""
        by_id = {e.evidence_id: e.report for e in fresh}
        for change in decided.states:
            report = by_id.get(change.evidence_id)
            known = self._facts.get(change.claim_id)
            if report is None or known is None:
                self._facts.pop(change.claim_id, None)  # read it again when next needed
                continue
            setter = Source(report.feed_id, report.feed_id, report.title, report.link,
                            report.published)  # fmt: skip
            self._facts[change.claim_id] = replace(
                known, state=change.state, as_of=change.reported_at, state_report=setter
            )
        for claim_id, channel in queued:
            known = self._facts.get(claim_id)
            if known is not None:
                last = {**known.last_alert, channel: now}
                self._facts[claim_id] = replace(known, last_alert=last)


def state_and_report(
    conn: Connection, claim_id: str
) -> tuple[ClaimState, datetime | None, Source | None]:
    """The claim's state, its ``as_of`` and the report whose evidence set it, in one query (the
    evidence row is outer-joined: a state whose row is missing still reads, without a report).
    The report's feed name is its id here; the policy labels it from the config."""
    c, e = schema.claim_state.c, schema.evidence.c
    row = conn.execute(
        select(c.state, c.as_of, e.feed_id, e.report_title, e.report_link, e.published)
        .select_from(schema.claim_state.outerjoin(schema.evidence, e.id == c.evidence_id))
        .where(c.claim_id == claim_id)
    ).first()
    if row is None:
        return ClaimState.UNKNOWN, None, None
    setter = None
    if row.feed_id is not None:
        title, link, published = row.report_title, row.report_link, utc(row.published)
        setter = Source(row.feed_id, row.feed_id, str(title), link, published)
    return ClaimState(row.state), utc(row.as_of), setter


def _states_and_reports(
    conn: Connection, claim_ids: Sequence[str]
) -> dict[str, tuple[ClaimState, datetime | None, Source | None]]:
    """``state_and_report`` of the claims that have a state row, in one query."""
    c, e = schema.claim_state.c, schema.evidence.c
    rows = conn.execute(
        select(
            c.claim_id, c.state, c.as_of, e.feed_id, e.report_title, e.report_link, e.published
        )  # fmt: skip
        .select_from(schema.claim_state.outerjoin(schema.evidence, e.id == c.evidence_id))
        .where(c.claim_id.in_(claim_ids))
    ).all()
    found = {}
    for row in rows:
        setter = None
        if row.feed_id is not None:
            title, link, published = row.report_title, row.report_link, utc(row.published)
            setter = Source(row.feed_id, row.feed_id, str(title), link, published)
        found[row.claim_id] = (ClaimState(row.state), utc(row.as_of), setter)
    return found


def claim_state(conn: Connection, claim_id: str) -> tuple[ClaimState, datetime | None]:
    c = schema.claim_state.c
    row = conn.execute(select(c.state, c.as_of).where(c.claim_id == claim_id)).first()
    if row is None:
        return ClaimState.UNKNOWN, None
    return ClaimState(row.state), utc(row.as_of)


def _recent_evidence(
    conn: Connection, claim_id: str, since: datetime, ahead: Collection[int] = ()
) -> tuple[EarlierEvidence, ...]:
    """The claim's evidence stored since ``since``, oldest first: a duplicate names the first.
    ``ahead``: ids left out (stored for stories not decided yet)."""
    e, r = schema.evidence.c, schema.reports.c
    query = (
        select(e.verdict, e.report_title, e.feed_id, e.report_id, r.summary)
        .outerjoin(schema.reports, (r.feed_id == e.feed_id) & (r.report_id == e.report_id))
        .where(e.claim_id == claim_id, e.created_at >= since)
        .order_by(e.created_at, e.id)
    )
    if ahead:
        query = query.where(e.id.not_in(sorted(ahead)))
    rows = conn.execute(query).all()
    return tuple(
        EarlierEvidence(Verdict(v), str(t), f, rid, summary or "") for v, t, f, rid, summary in rows
    )


def _recent_evidence_of(
    conn: Connection, claim_ids: Sequence[str], since: datetime
) -> dict[str, tuple[EarlierEvidence, ...]]:
    """``_recent_evidence`` of each claim that has some, in one query."""
    e, r = schema.evidence.c, schema.reports.c
    rows = conn.execute(
        select(e.claim_id, e.verdict, e.report_title, e.feed_id, e.report_id, r.summary)
        .outerjoin(schema.reports, (r.feed_id == e.feed_id) & (r.report_id == e.report_id))
        .where(e.claim_id.in_(claim_ids), e.created_at >= since)
        .order_by(e.claim_id, e.created_at, e.id)
    ).all()
    found: dict[str, list[EarlierEvidence]] = {}
    for cid, v, t, f, rid, summary in rows:
        found.setdefault(cid, []).append(EarlierEvidence(Verdict(v), str(t), f, rid, summary or ""))
    return {cid: tuple(items) for cid, items in found.items()}


# Outbox statuses that count as an alert queued (a suppressed row is not one).
COUNTED = ("pending", "delivered", "failed")


def _last_alerts(conn: Connection, claim_id: str, channels: Sequence[str]) -> dict[str, datetime]:
    """When each channel last queued an alert for the claim; suppressed rows do not count."""
    if not channels:
        return {}
    o = schema.outbox.c
    rows = conn.execute(
        select(o.channel, func.max(o.created_at))
        .where(o.claim_id == claim_id, o.channel.in_(list(channels)))
        .where(o.status.in_(COUNTED))
        .group_by(o.channel)
    ).all()
    return {channel: last for channel, at in rows if (last := utc(at)) is not None}


def _last_alerts_of(
    conn: Connection, claim_ids: Sequence[str], channels: Sequence[str]
) -> dict[str, dict[str, datetime]]:
    """``_last_alerts`` of each claim that has some, in one query."""
    if not channels:
        return {}
    o = schema.outbox.c
    rows = conn.execute(
        select(o.claim_id, o.channel, func.max(o.created_at))
        .where(o.claim_id.in_(claim_ids), o.channel.in_(list(channels)))
        .where(o.status.in_(COUNTED))
        .group_by(o.claim_id, o.channel)
    ).all()
    found: dict[str, dict[str, datetime]] = {}
    for cid, channel, at in rows:
        if (last := utc(at)) is not None:
            found.setdefault(cid, {})[channel] = last
    return found


def read_mutes(conn: Connection, now: datetime | None = None) -> tuple[Mute, ...]:
    """The mutes that hold at ``now`` (one query), or with ``now`` None every mute ever set,
    oldest first."""
    m = schema.mutes.c
    query = select(schema.mutes).order_by(m.created_at, m.id)
    if now is not None:
        query = query.where(m.lifted_at.is_(None), m.until.is_(None) | (m.until > now))
    return tuple(_mute(row) for row in conn.execute(query).mappings())


def _mute(row: RowMapping) -> Mute:
    return Mute(
        id=int(row["id"]),
        kind=MuteKind(row["kind"]),
        target=row["target"],
        until=_in_utc(row["until"]),
        reason=row["reason"],
        created_by=row["created_by"],
        created_at=_in_utc(row["created_at"]) or datetime.now(UTC),  # NOT NULL: never used
        lifted_at=_in_utc(row["lifted_at"]),
    )


def _in_utc(value: datetime | None) -> datetime | None:
    """In UTC whatever the backend hands over (PostgreSQL: the session's zone), since mutes are
    shown as UTC times."""
    aware = utc(value)
    return aware.astimezone(UTC) if aware else None


# --- writing the decision -------------------------------------------------------------------------


def write_decision(
    conn: Connection, decided: StoryDecision, now: datetime
) -> list[tuple[str, str]]:
    """Claim states first, then the outbox: each table gets its rows in decision order. Returns
    the (claim, channel) of each outbox row written that counts as an alert sent or due."""
    for change in decided.states:
        set_state(conn, change, now)
    return [row for alert in decided.alerts for row in _enqueue(conn, alert, now)]


def set_state(conn: Connection, change: StateChange, now: datetime) -> None:
    """Move the claim's state; an actual change is also written to its history."""
    values: dict[str, Any] = {
        "state": change.state.value,
        "as_of": change.reported_at,
        "evidence_id": change.evidence_id,
    }
    statements = _statements(conn)
    if change.moved:
        values["changed_at"] = now
        history = {
            "claim_id": change.claim_id,
            "previous": change.previous.value,
            "state": change.state.value,
            "reported_at": change.reported_at,
            "evidence_id": change.evidence_id,
            "recorded_at": now,
        }
        conn.execute(statements.state_change, history)
    updated = conn.execute(statements.set_state, {"b_claim_id": change.claim_id, **values})
    if not updated.rowcount:
        row = {"claim_id": change.claim_id, "changed_at": now, **values}
        conn.execute(statements.claim_state, row)


def _enqueue(conn: Connection, decided: AlertDecision, now: datetime) -> list[tuple[str, str]]:
    alert = decided.alert
    payload = json.dumps(alert.to_dict(), ensure_ascii=False)
    return [
        (alert.claim_id, entry.channel)
        for entry in decided.outbox
        if _insert_outbox_row(conn, alert, payload, entry, now) and entry.status in COUNTED
    ]


def enqueue_alert(conn: Connection, alert: Alert, channels: Sequence[str], now: datetime) -> None:
    """Queue an alert as pending on ``channels`` (once per channel: the outbox key is unique)."""
    payload = json.dumps(alert.to_dict(), ensure_ascii=False)
    for channel in channels:
        _insert_outbox_row(conn, alert, payload, OutboxEntry(channel), now)


def _insert_outbox_row(
    conn: Connection, alert: Alert, payload: str, entry: OutboxEntry, now: datetime
) -> bool:
    """False when the row was there already (a rerun, or a racing run, queued it)."""
    row = {
        "key": f"{alert.key}:{entry.channel}",
        "channel": entry.channel,
        "claim_id": alert.claim_id,
        "payload": payload,
        "status": entry.status,
        "attempts": 0,
        "last_error": entry.reason,
        "created_at": now,
        "updated_at": now,
    }
    return conn.execute(_statements(conn).outbox, row).scalar_one_or_none() is not None
