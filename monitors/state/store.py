"""Persistent state: feeds and their validators, reports seen, evidence, claim state, alert outbox.

One URL picks the backend (``sqlite:///path.db`` or ``postgresql+psycopg://...``); opening it
creates or upgrades the schema (``monitors.state.migrate``). A report's decision and the alerts it
causes are written in ONE transaction, so a crash never leaves evidence without its alert or an
alert without its evidence, and the unique keys make a rerun (or a second worker) a no-op instead
of a duplicate.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from monitors.corrections import AnalystVerdict
from monitors.errors import StoreError
from monitors.feedstate import (
    DEFAULT_HEALTH,
    Failure,
    HealthPolicy,
    Notice,
    PollState,
    after_failure,
    after_success,
    health_alert,
    is_due,
    jitter_draw,
    poll_url,
)
from monitors.models import Alert, Assessment, Claim, ClaimState, Feed, Report, Validators, Verdict
from monitors.mutes import Mute, MuteKind
from monitors.policy import DEFAULT_POLICY, AlertPolicy
from monitors.state import migrate, schema
from monitors.state.correct import Assess, VerdictOutcome, analyst_verdicts, record_verdict
from monitors.state.record import (
    DecidedReport,
    Decision,
    enqueue_alert,
    read_mutes,
    record_batch,
    record_story,
)
from monitors.state.report_ref import report_of_row
from monitors.state.sql import insert_ignore_many, lock_claims, utc

# Reports per write transaction: big enough that commits (an fsync each) stop mattering, small
# enough that a failure loses little work and a transaction holds the write lock briefly.
BATCH_REPORTS = 2000
MAX_URL = 2000  # a 301's Location longer than this (a hostile server's) is not stored


def utcnow() -> datetime:
    return datetime.now(UTC)


def _batches(
    stories: Sequence[Sequence[DecidedReport]], size: int
) -> Iterator[Sequence[Sequence[DecidedReport]]]:
    """Consecutive runs of whole stories holding about ``size`` reports each."""
    start, count = 0, 0
    for end, story in enumerate(stories, 1):
        count += len(story)
        if count >= size:
            yield stories[start:end]
            start, count = end, 0
    if start < len(stories):
        yield stories[start:]


# Health recorded for a feed ends its poll, so it also ends the lease of the run that polled it.
_RELEASED: dict[str, Any] = {"lease_owner": None, "lease_until": None}
# A new URL in feeds.yaml: what the old URL's answers decided no longer applies to it.
_URL_CHANGED: dict[str, Any] = {
    "moved_to": None,
    "moved_at": None,
    "disabled_at": None,
    "disabled_reason": None,
    "next_poll_at": None,
}


@dataclass
class PollPlan:
    """A run's feeds by what it does with them now (config order kept in each list)."""

    due: list[Feed] = field(default_factory=list)  # at the URL to poll (a 301's target)
    waiting: list[Feed] = field(default_factory=list)  # backoff or Retry-After not over yet
    disabled: list[Feed] = field(default_factory=list)  # 410 Gone


def _poll_state(row: RowMapping) -> PollState:
    return PollState(
        consecutive_failures=int(row["consecutive_failures"] or 0),
        failing_since=utc(row["failing_since"]),
        next_poll_at=utc(row["next_poll_at"]),
        disabled_at=utc(row["disabled_at"]),
        disabled_reason=row["disabled_reason"],
        health_alerted_at=utc(row["health_alerted_at"]),
    )


def _poll_state_values(state: PollState) -> dict[str, Any]:
    return {
        "consecutive_failures": state.consecutive_failures,
        "failing_since": state.failing_since,
        "next_poll_at": state.next_poll_at,
        "disabled_at": state.disabled_at,
        "disabled_reason": state.disabled_reason,
        "health_alerted_at": state.health_alerted_at,
    }


def _move_values(row: RowMapping, moved_to: str, at: datetime) -> dict[str, Any]:
    """Poll ``moved_to`` from now on, until feeds.yaml names another URL (``poll_url``)."""
    if moved_to == row["moved_to"] or len(moved_to) > MAX_URL:
        return {}  # a cut URL would be a wrong one: keep polling where we were sent each time
    return {"moved_to": None if moved_to == row["url"] else moved_to, "moved_at": at}


# Ids per ``IN (...)``: well under SQLite's bound-parameter limit, whatever its build.
_IDS_PER_SELECT = 500


def _select_feed_rows(conn: Connection, feed_ids: Sequence[str]) -> dict[str, RowMapping]:
    f = schema.feeds
    rows: dict[str, RowMapping] = {}
    for start in range(0, len(feed_ids), _IDS_PER_SELECT):
        chunk = list(feed_ids[start : start + _IDS_PER_SELECT])
        for row in conn.execute(select(f).where(f.c.feed_id.in_(chunk))).mappings():
            rows[row["feed_id"]] = row
    return rows


class _FeedUpdates:
    """Feed-row updates gathered over a poll, written as one executemany per set of columns."""

    def __init__(self) -> None:
        self._values: dict[str, dict[str, Any]] = {}

    def add(self, feed_id: str, values: Mapping[str, Any]) -> None:
        self._values.setdefault(feed_id, {}).update(values)

    def execute(self, conn: Connection) -> None:
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for feed_id, values in self._values.items():
            columns = tuple(sorted(values))
            params = {f"v_{c}": values[c] for c in columns}  # bind names apart from columns
            groups.setdefault(columns, []).append({"v_feed_id": feed_id, **params})
        f = schema.feeds
        for columns, params_list in groups.items():
            statement = (
                update(f)
                .where(f.c.feed_id == bindparam("v_feed_id"))
                .values({c: bindparam(f"v_{c}") for c in columns})
            )
            conn.execute(statement, params_list)


def _at_poll_url(feed: Feed, row: RowMapping) -> Feed:
    url = poll_url(feed.url, row["url"], row["moved_to"])
    return feed if url == feed.url else replace(feed, url=url)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    channel: str
    alert: Alert
    attempts: int
    status: str
    last_error: str | None


@dataclass(frozen=True)
class ClaimStatus:
    claim_id: str
    state: ClaimState
    confirming: int
    contradicting: int
    neutral: int
    changed_at: datetime | None
    latest_title: str | None
    latest_link: str | None


class Store:
    """All reads and writes of claimwatch state. Cheap to create; share one per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        try:
            migrate.upgrade(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open state database {_redact(url)}: {exc}") from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self, rollback: bool = False) -> Iterator[Connection]:
        """One transaction; ``rollback`` runs the same writes and then discards them (dry runs)."""
        with self.engine.connect() as conn, conn.begin() as tx:
            yield conn
            if rollback:
                tx.rollback()

    # --- feeds -------------------------------------------------------------------------------

    def validators(self) -> dict[str, Validators]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(schema.feeds)).mappings()
            return {r["feed_id"]: Validators(r["etag"], r["last_modified"]) for r in rows}

    def record_fetch_success(
        self, feed: Feed, validators: Validators, new_reports: int, at: datetime | None = None
    ) -> None:
        self.record_fetches([(feed, validators, new_reports)], [], at)

    def record_fetch_failure(
        self,
        feed: Feed,
        error: str | Failure,
        at: datetime | None = None,
        health: HealthPolicy = DEFAULT_HEALTH,
    ) -> None:
        self.record_fetches([], [(feed, error)], at, health)

    def record_fetches(
        self,
        successes: Sequence[tuple[Feed, Validators, int]],
        failures: Sequence[tuple[Feed, str | Failure]],
        at: datetime | None = None,
        health: HealthPolicy = DEFAULT_HEALTH,
        moves: Mapping[str, str] | None = None,
        draw: Callable[[], float] = jitter_draw,
        unfinished: Sequence[Feed] = (),
    ) -> None:
        """A whole poll's feed health in one transaction: a commit per feed cost ~9 s for 1,000
        feeds on SQLite (measured), more than polling them.

        Each feed's poll state moves by ``monitors.feedstate`` (backoff, Retry-After, 410,
        recovery); a health notice it owes the operator is queued on ``health.channel`` in this
        same transaction. ``moves``: feed id -> the URL a 301/308 moved it to (successes only).
        ``unfinished``: feeds the run's poll budget cut off: only their leases end, so the next
        run polls them as if this one had not tried.
        """
        at = at or utcnow()
        moves = moves or {}
        with self._tx() as conn:
            involved = [*unfinished, *(f for f, _, _ in successes), *(f for f, _ in failures)]
            rows = self._feed_rows_for(conn, involved)
            updates = _FeedUpdates()
            for feed in unfinished:
                updates.add(feed.id, dict(_RELEASED))
            for feed, validators, new_reports in successes:
                row = rows[feed.id]
                values = self._record_success(conn, feed, row, validators, new_reports, at, health)
                if feed.id in moves:
                    values.update(_move_values(row, moves[feed.id], at))
                updates.add(feed.id, values)
            for feed, error in failures:
                failure = error if isinstance(error, Failure) else Failure(error)
                row = rows[feed.id]
                values = self._record_failure(conn, feed, row, failure, at, health, draw())
                updates.add(feed.id, values)
            updates.execute(conn)

    def _record_success(
        self,
        conn: Connection,
        feed: Feed,
        row: RowMapping,
        validators: Validators,
        new_reports: int,
        at: datetime,
        health: HealthPolicy,
    ) -> dict[str, Any]:
        """The feed row's new values after a good poll; a recovery notice is queued now."""
        before = _poll_state(row)
        outcome = after_success(before)
        values: dict[str, Any] = {
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "last_attempt_at": at,
            "last_success_at": at,
            "last_error": None,
            "last_new_report_at": at if new_reports else row["last_new_report_at"],
            **_poll_state_values(outcome.state),
            **_RELEASED,
        }
        if outcome.notice is not None:
            self._notify(conn, feed, row, outcome.notice, before, outcome.state, None, at, health)
        return values

    def _record_failure(
        self,
        conn: Connection,
        feed: Feed,
        row: RowMapping,
        failure: Failure,
        at: datetime,
        health: HealthPolicy,
        draw: float,
    ) -> dict[str, Any]:
        """The feed row's new values after a failed poll; a failing notice is queued now."""
        before = _poll_state(row)
        outcome = after_failure(before, failure, health, at, draw)
        if outcome.notice is not None:
            error = failure.error
            self._notify(conn, feed, row, outcome.notice, before, outcome.state, error, at, health)
        return {
            "last_attempt_at": at,
            "last_error": failure.error[:2000],
            **_poll_state_values(outcome.state),
            **_RELEASED,
        }

    def _notify(
        self,
        conn: Connection,
        feed: Feed,
        row: RowMapping,
        notice: Notice,
        before: PollState,
        after: PollState,
        error: str | None,
        at: datetime,
        health: HealthPolicy,
    ) -> None:
        """Queue the operator's health alert, like any alert: an outbox row, same transaction."""
        if health.channel is None:
            return  # no operator channel configured: the health shows in `claimwatch feeds`
        url = poll_url(row["url"], row["url"], row["moved_to"])
        alert = health_alert(feed.id, feed.label, notice, before, after, url, error, at)
        enqueue_alert(conn, alert, (health.channel,), at)

    def _update_feed(self, conn: Connection, feed: Feed, values: dict[str, Any]) -> None:
        conn.execute(update(schema.feeds).where(schema.feeds.c.feed_id == feed.id).values(**values))

    def _feed_rows_for(self, conn: Connection, feeds: Sequence[Feed]) -> dict[str, RowMapping]:
        """Each feed's row, created if new and brought in line with the configured URL, in a
        few statements for all of them (three per feed cost 0.6 s a run for 1,000 feeds)."""
        rows = _select_feed_rows(conn, [f.id for f in feeds])
        new = {f.id: f for f in feeds if f.id not in rows}
        if new:
            fresh = [
                {"feed_id": f.id, "url": f.url, "consecutive_failures": 0} for f in new.values()
            ]
            conn.execute(insert_ignore_many(conn, schema.feeds), fresh)
        # feeds.yaml names a new URL: it wins over a stored move, and a feed disabled or backed
        # off at the old URL gets a fresh start at the new one.
        changed = [
            f
            for f in feeds
            if f.id in rows and f.url not in (rows[f.id]["url"], rows[f.id]["moved_to"])
        ]
        for feed in changed:
            self._update_feed(conn, feed, {"url": feed.url, **_URL_CHANGED})
        if new or changed:
            rows.update(_select_feed_rows(conn, [*new, *(f.id for f in changed)]))
        return rows

    def poll_plan(self, feeds: Sequence[Feed], now: datetime | None = None) -> PollPlan:
        """Which feeds a run polls now, at which URL (a 301's target), and which wait or are
        disabled. Read-only: the dry run's plan; leased runs get the same rule in
        ``claim_feeds``, which is what keeps concurrent runs from polling a feed too early."""
        now = now or utcnow()
        rows = self._feed_rows([f.id for f in feeds])
        plan = PollPlan()
        for feed in feeds:
            row = rows.get(feed.id)
            if row is None or feed.url not in (row["url"], row["moved_to"]):
                plan.due.append(feed)  # new, or a new URL in feeds.yaml: a fresh start
            elif row["disabled_at"] is not None:
                plan.disabled.append(feed)
            elif is_due(_poll_state(row), now):
                plan.due.append(_at_poll_url(feed, row))
            else:
                plan.waiting.append(feed)
        return plan

    def poll_feeds(self, feeds: Sequence[Feed]) -> list[Feed]:
        """The feeds with the URL to poll them at (``poll_url``: a 301's target, unless
        feeds.yaml changed since)."""
        rows = self._feed_rows([f.id for f in feeds])
        return [_at_poll_url(f, rows[f.id]) if f.id in rows else f for f in feeds]

    def _feed_rows(self, feed_ids: Sequence[str]) -> dict[str, RowMapping]:
        if not feed_ids:
            return {}
        with self.engine.connect() as conn:
            return _select_feed_rows(conn, feed_ids)

    # --- sharing the feeds between concurrent runs ---------------------------------------------

    def ensure_feeds(self, feeds: Sequence[Feed]) -> None:
        """A row for every feed (one transaction): only a row can be leased. A URL changed in
        feeds.yaml is taken now, before the due-check: it clears a stored move, a 410's
        disabling and the backoff of the old URL."""
        with self._tx() as conn:
            self._feed_rows_for(conn, feeds)

    def claim_feeds(
        self,
        feed_ids: Sequence[str],
        run_id: str,
        batch: int,
        lease: timedelta,
        cycle_start: datetime,
        now: datetime | None = None,
    ) -> list[str]:
        """Lease up to ``batch`` of ``feed_ids`` for ``run_id``: those no live lease holds and
        not polled since ``cycle_start`` (``last_attempt_at``, written with the validators once
        the feed's reports are stored), not disabled (410) and due (``next_poll_at``: backoff
        or Retry-After, ``monitors.feedstate``). Returns the leased ids, sorted.

        One UPDATE over a subquery. On PostgreSQL the subquery is ``FOR UPDATE SKIP LOCKED``:
        concurrent runs skip the rows another is leasing instead of waiting for them, and a row
        leased and committed meanwhile is re-checked and left out. SQLite renders no FOR UPDATE;
        its single write lock, taken by the UPDATE before it reads, serialises claims instead.
        A run that dies holding a lease just lets it lapse.
        """
        if not feed_ids or batch < 1:
            return []
        now = now or utcnow()
        f = schema.feeds.c
        free = (
            select(f.feed_id)
            .where(f.feed_id.in_(list(feed_ids)))
            .where(f.lease_until.is_(None) | (f.lease_until < now))
            .where(f.last_attempt_at.is_(None) | (f.last_attempt_at < cycle_start))
            .where(f.disabled_at.is_(None))
            .where(f.next_poll_at.is_(None) | (f.next_poll_at <= now))
            .order_by(f.feed_id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(schema.feeds)
            .where(f.feed_id.in_(free.scalar_subquery()))
            .values(lease_owner=run_id[:64], lease_until=now + lease)
            .returning(f.feed_id)
        )
        with self._tx() as conn:
            return sorted(conn.execute(claim).scalars())

    # --- reports -----------------------------------------------------------------------------

    def unseen(self, reports: Sequence[Report]) -> list[Report]:
        """Reports never seen, or whose text changed since they were last evaluated."""
        if not reports:
            return []
        feed_ids = {r.feed_id for r in reports}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    schema.reports.c.feed_id,
                    schema.reports.c.report_id,
                    schema.reports.c.content_hash,
                ).where(schema.reports.c.feed_id.in_(feed_ids))
            )
            known = {(f, r): h for f, r, h in rows}
        return [r for r in reports if known.get((r.feed_id, r.report_id)) != r.content_hash]

    def stored_reports(self, since: datetime | None = None) -> list[Report]:
        """Every stored report (latest version), oldest first; for replaying claims."""
        r = schema.reports.c
        query = select(schema.reports).order_by(r.published, r.first_seen)
        if since is not None:
            query = query.where((r.published >= since) | (r.published.is_(None)))
        with self.engine.connect() as conn:
            return [report_of_row(row) for row in conn.execute(query).mappings()]

    def record_report(
        self,
        report: Report,
        feed: Feed,
        assessments: Sequence[Assessment],
        claims: Mapping[str, Claim],
        channels: Sequence[str],
        dry_run: bool = False,
        policy: AlertPolicy = DEFAULT_POLICY,
    ) -> Decision:
        """Record one report's decision; see ``record_story``."""
        story = [DecidedReport(report, tuple(assessments))]
        return self.record_story(story, {feed.id: feed}, claims, channels, dry_run, policy)

    def record_story(
        self,
        story: Sequence[DecidedReport],
        feeds: Mapping[str, Feed],
        claims: Mapping[str, Claim],
        channels: Sequence[str],
        dry_run: bool = False,
        policy: AlertPolicy = DEFAULT_POLICY,
    ) -> Decision:
        """Store a story's evidence, the claim states it moves and its alerts, atomically.

        With ``dry_run`` the decision is computed exactly as for real, then rolled back.
        """
        with self._tx(rollback=dry_run) as conn:
            if not dry_run:  # a dry run commits nothing, so it cannot race anyone
                lock_claims(conn, _decisive_claims(story))
            return record_story(conn, story, feeds, claims, channels, policy, utcnow())

    def record_stories(
        self,
        stories: Sequence[Sequence[DecidedReport]],
        feeds: Mapping[str, Feed],
        claims: Mapping[str, Claim],
        channels: Sequence[str],
        dry_run: bool = False,
        policy: AlertPolicy = DEFAULT_POLICY,
        batch_reports: int = BATCH_REPORTS,
    ) -> list[Decision]:
        """Record stories in order, a batch of them (about ``batch_reports`` reports) per
        transaction, or all in one rolled-back transaction for a dry run.

        Each batch is atomic: its reports, evidence, claim states and alerts are all written or
        none is (a failure rolls the batch back and raises; earlier batches stay). A story never
        spans two batches, so every alert is written with the decision that causes it. Later
        stories see the states earlier ones set, in a batch as across batches (and in a dry run:
        a chain like unknown -> confirmed -> disputed reads as it would for real).
        """
        if dry_run:
            with self._tx(rollback=True) as conn:
                return record_batch(conn, stories, feeds, claims, channels, policy, utcnow())
        decisions: list[Decision] = []
        for batch in _batches(stories, batch_reports):
            with self._tx() as conn:
                # Before reading any claim's state: a concurrent run deciding the same claims
                # waits, so a transition is queued once (sorted locks: no deadlock).
                lock_claims(conn, {c for story in batch for c in _decisive_claims(story)})
                decisions += record_batch(conn, batch, feeds, claims, channels, policy, utcnow())
        return decisions

    # --- outbox ------------------------------------------------------------------------------

    def claim_pending(self, channels: Sequence[str], lease: timedelta) -> list[OutboxItem]:
        """Lease pending alerts for delivery, so two workers never send the same one."""
        now = utcnow()
        o = schema.outbox.c
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(schema.outbox)
                    .where(o.status == "pending", o.channel.in_(list(channels)))
                    .where((o.lease_until.is_(None)) | (o.lease_until < now))
                    .order_by(o.id)
                )
                .mappings()
                .all()
            )
        leased = []
        for row in rows:
            with self._tx() as conn:
                won = conn.execute(
                    update(schema.outbox)
                    .where(o.id == row["id"], o.status == "pending")
                    .where((o.lease_until.is_(None)) | (o.lease_until < now))
                    .values(lease_until=now + lease)
                ).rowcount
            if won:
                leased.append(_outbox_item(row))
        return leased

    def renew_leases(self, ids: Sequence[int], lease: timedelta) -> int:
        """Extend the leases of alerts still pending by ``lease`` from now; how many were."""
        if not ids:
            return 0
        o = schema.outbox.c
        with self._tx() as conn:
            return int(
                conn.execute(
                    update(schema.outbox)
                    .where(o.id.in_(list(ids)), o.status == "pending")
                    .values(lease_until=utcnow() + lease)
                ).rowcount
            )

    def release_leases(self, ids: Sequence[int]) -> None:
        """Give back leases not used (alerts a delivery's budget kept), for the next deliverer."""
        if not ids:
            return
        o = schema.outbox.c
        with self._tx() as conn:
            conn.execute(
                update(schema.outbox)
                .where(o.id.in_(list(ids)), o.status == "pending")
                .values(lease_until=None)
            )

    def hold_channel(self, channel: str, until: datetime) -> None:
        """No deliverer takes ``channel``'s pending alerts before ``until`` (the channel's
        Retry-After): their lease is pushed to then, a hold no one renews."""
        o = schema.outbox.c
        with self._tx() as conn:
            conn.execute(
                update(schema.outbox)
                .where(o.channel == channel, o.status == "pending")
                .where(o.lease_until.is_(None) | (o.lease_until < until))
                .values(lease_until=until)
            )

    def mark_delivered(self, item: OutboxItem) -> None:
        self._finish(item, "delivered", None)

    def mark_failed(self, item: OutboxItem, error: str, give_up: bool) -> None:
        """Record a failed attempt; the alert stays pending (retried next run) unless given up."""
        self._finish(item, "failed" if give_up else "pending", error[:2000])

    def _finish(self, item: OutboxItem, status: str, error: str | None) -> None:
        """End a delivery attempt: release the lease, count it, and write the audit log."""
        now = utcnow()
        values: dict[str, Any] = {
            "status": status,
            "attempts": schema.outbox.c.attempts + 1,
            "last_error": error,
            "lease_until": None,
            "updated_at": now,
        }
        if status == "delivered":
            values["delivered_at"] = now
        with self._tx() as conn:
            o = schema.outbox.c
            conn.execute(update(schema.outbox).where(o.id == item.id).values(**values))
            self._audit(conn, item, "delivered" if status == "delivered" else "failed", error, now)

    def _audit(
        self, conn: Connection, item: OutboxItem, outcome: str, error: str | None, now: datetime
    ) -> None:
        conn.execute(
            insert(schema.deliveries).values(
                outbox_id=item.id, channel=item.channel, at=now, outcome=outcome, error=error
            )
        )

    def last_delivery(self, channel: str) -> datetime | None:
        """When this channel last delivered anything (digest periods count from it)."""
        o = schema.outbox.c
        with self.engine.connect() as conn:
            last = conn.execute(
                select(func.max(o.delivered_at)).where(o.channel == channel)
            ).scalar_one_or_none()
        return utc(last)

    def outbox(self, status: str | None = None) -> list[OutboxItem]:
        query = select(schema.outbox).order_by(schema.outbox.c.id)
        if status:
            query = query.where(schema.outbox.c.status == status)
        with self.engine.connect() as conn:
            return [_outbox_item(r) for r in conn.execute(query).mappings()]

    def retry_failed(self) -> int:
        """Put given-up alerts back in the queue (after the user fixed the channel)."""
        with self._tx() as conn:
            return conn.execute(
                update(schema.outbox)
                .where(schema.outbox.c.status == "failed")
                .values(status="pending", updated_at=utcnow())
            ).rowcount

    # --- mutes -------------------------------------------------------------------------------

    def mute(
        self,
        kind: MuteKind,
        target: str,
        until: datetime | None,
        reason: str | None,
        created_by: str,
        now: datetime | None = None,
    ) -> Mute:
        """Hold back alerts about ``target`` until ``until`` (None: until lifted); a new row even
        when one is active already: the table is the desk's log of who silenced what."""
        created = (now or utcnow()).astimezone(UTC)
        until = until.astimezone(UTC) if until else None  # SQLite keeps no zone: store UTC
        row = {
            "kind": kind.value,
            "target": target,
            "until": until,
            "reason": reason,
            "created_by": created_by,
            "created_at": created,
        }
        with self._tx() as conn:
            statement = insert(schema.mutes).values(**row).returning(schema.mutes.c.id)
            new_id = int(conn.execute(statement).scalar_one())
        return Mute(new_id, kind, target, until, reason, created_by, created)

    def unmute(self, kind: MuteKind, target: str, now: datetime | None = None) -> list[Mute]:
        """Lift every active mute of ``target``; the ones lifted (none: there was no mute)."""
        lifted = now or utcnow()
        m = schema.mutes.c
        with self._tx() as conn:
            holding = [x for x in read_mutes(conn, lifted) if (x.kind, x.target) == (kind, target)]
            if holding:
                conn.execute(
                    update(schema.mutes)
                    .where(m.id.in_([x.id for x in holding]))
                    .values(lifted_at=lifted)
                )
        return [replace(x, lifted_at=lifted) for x in holding]

    def mutes(self, now: datetime | None = None, include_inactive: bool = False) -> list[Mute]:
        """The mutes holding at ``now`` (default: the current time), or every one ever set."""
        with self.engine.connect() as conn:
            return list(read_mutes(conn, None if include_inactive else now or utcnow()))

    # --- claims ------------------------------------------------------------------------------

    # --- the desk's corrections ------------------------------------------------------------

    def record_verdict(
        self,
        claim: Claim,
        ref: str,
        verdict: Verdict | None,
        analyst: str,
        note: str | None,
        assess: Assess,
        feeds: Mapping[str, Feed],
        channels: Sequence[str],
    ) -> VerdictOutcome:
        """An analyst's verdict on a stored report; see ``monitors.state.correct``."""
        with self._tx() as conn:
            return record_verdict(
                conn, claim, ref, verdict, analyst, note, assess, feeds, channels, utcnow()
            )

    def analyst_verdicts(self, claim_ids: Sequence[str] = ()) -> list[AnalystVerdict]:
        """The verdicts that apply (the newest per claim and report), oldest first."""
        with self.engine.connect() as conn:
            found = analyst_verdicts(conn, claim_ids)
        return sorted(found.values(), key=lambda v: v.id)

    def stored_report(self, feed_id: str, report_id: str) -> Report | None:
        r = schema.reports.c
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(schema.reports).where(r.feed_id == feed_id, r.report_id == report_id)
                )
                .mappings()
                .first()
            )
        return None if row is None else report_of_row(row)

    def claim_statuses(self, claims: Sequence[Claim]) -> list[ClaimStatus]:
        """Every claim's state, counts and latest decisive report. The verdict counts, analyst
        verdicts and states are read for a batch of claims at once: a run's claims-table
        artifact read 100 claims in 500 queries (~0.1 s), now ~100."""
        statuses: list[ClaimStatus] = []
        ids = [claim.id for claim in claims]
        with self.engine.connect() as conn:
            for start in range(0, len(ids), _STATUS_BATCH):
                batch = ids[start : start + _STATUS_BATCH]
                counts = _verdict_counts(conn, batch)
                judged = analyst_verdicts(conn, batch)
                states = _claim_states(conn, batch)
                for claim_id in batch:
                    mine = {key[1]: v.verdict for key, v in judged.items() if key[0] == claim_id}
                    statuses.append(
                        _claim_status(
                            conn, claim_id, counts.get(claim_id, {}), mine, states.get(claim_id)
                        )
                    )
        return statuses


_STATUS_BATCH = 500  # claim ids per IN (...) list: far below any database's parameter limit


def _verdict_counts(conn: Connection, claim_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """claim id -> verdict -> evidence rows, as the machine recorded them."""
    e = schema.evidence.c
    query = (
        select(e.claim_id, e.verdict, func.count())
        .where(e.claim_id.in_(list(claim_ids)))
        .group_by(e.claim_id, e.verdict)
    )
    counts: dict[str, dict[str, int]] = {}
    for claim_id, verdict, count in conn.execute(query):
        counts.setdefault(claim_id, {})[verdict] = int(count)
    return counts


def _claim_states(conn: Connection, claim_ids: Sequence[str]) -> dict[str, Any]:
    """claim id -> its claim_state row (state, changed_at); a claim never decided has none."""
    c = schema.claim_state.c
    query = select(c.claim_id, c.state, c.changed_at).where(c.claim_id.in_(list(claim_ids)))
    return {row.claim_id: row for row in conn.execute(query)}


def _claim_status(
    conn: Connection,
    claim_id: str,
    machine_counts: Mapping[str, int],
    judged: Mapping[tuple[str, str], Verdict],
    state_row: Any,
) -> ClaimStatus:
    counts = dict(machine_counts)
    _apply_analyst_verdicts(conn, claim_id, counts, judged)
    latest = _latest_decisive(conn, claim_id, judged)
    disputed = counts.get(Verdict.DISPUTED.value, 0)
    return ClaimStatus(
        claim_id=claim_id,
        state=ClaimState(state_row.state) if state_row else ClaimState.UNKNOWN,
        confirming=counts.get(Verdict.CONFIRM.value, 0) + disputed,
        contradicting=counts.get(Verdict.CONTRADICT.value, 0) + disputed,
        neutral=counts.get(Verdict.NEUTRAL.value, 0),
        changed_at=utc(state_row.changed_at) if state_row else None,
        latest_title=latest[0] if latest else None,
        latest_link=latest[1] if latest else None,
    )


def _latest_decisive(
    conn: Connection, claim_id: str, judged: Mapping[tuple[str, str], Verdict]
) -> tuple[str, str | None] | None:
    """(title, link) of the newest evidence row whose verdict (the analyst's where one judged
    the report) is a confirm, contradict or disputed: ``status``'s latest decisive report."""
    e = schema.evidence.c
    decisive = [v.value for v in Verdict if v.is_decisive]
    query = select(e.report_title, e.report_link, e.feed_id, e.report_id, e.verdict)
    query = query.where(e.claim_id == claim_id).order_by(e.id.desc())
    if not judged:  # the usual case: one indexed row
        query = query.where(e.verdict.in_(decisive)).limit(1)
    for row in conn.execute(query):
        verdict = judged.get((row.feed_id, row.report_id), Verdict(row.verdict))
        if verdict.is_decisive:
            return str(row.report_title), row.report_link
    return None


def _apply_analyst_verdicts(
    conn: Connection,
    claim_id: str,
    counts: dict[str, int],
    judged: Mapping[tuple[str, str], Verdict],
) -> None:
    """Count each evidence row of a report an analyst judged (``judged``: report -> the
    analyst's verdict) under the analyst's verdict."""
    e = schema.evidence.c
    for (feed_id, report_id), verdict in judged.items():
        machine = conn.execute(
            select(e.verdict).where(
                e.claim_id == claim_id, e.feed_id == feed_id, e.report_id == report_id
            )
        ).scalars()
        for value in machine:
            counts[value] = counts.get(value, 0) - 1
            counts[verdict.value] = counts.get(verdict.value, 0) + 1


def _decisive_claims(story: Sequence[DecidedReport]) -> set[str]:
    """The claims a story could move: only decisive verdicts change a state or alert."""
    return {a.claim_id for item in story for a in item.related if a.verdict.is_decisive}


def _outbox_item(row: RowMapping) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        channel=row["channel"],
        alert=Alert.from_dict(json.loads(row["payload"])),
        attempts=row["attempts"],
        status=row["status"],
        last_error=row["last_error"],
    )


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot use state database {_redact(url)}: {exc}") from exc


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the CLI read while a run writes; busy_timeout rides out short write locks.
    cursor = dbapi_conn.cursor()
    _set_wal(cursor)
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _set_wal(cursor: Any, patience: float = 30.0) -> None:
    """Switch the file to WAL. On a new file, connections opening at the same moment get "database
    is locked" at once, without the busy timeout (the switch needs an exclusive lock), so retry."""
    deadline = time.monotonic() + patience
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _redact(url: str) -> str:
    """Never print a database password."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
