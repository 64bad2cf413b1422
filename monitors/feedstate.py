"""A feed's poll state across runs: when it may be polled next, and what the operator is told.

Pure functions over plain data; ``Store.record_fetches`` reads each feed's ``PollState``, calls
``after_success`` / ``after_failure`` inside its transaction, and writes what they return (the
health notice, if any, goes into the outbox in that same transaction).

The rules:

- a success clears the failure count, the backoff and ``failing_since``; if the operator was
  told the feed was failing (or disabled), they are told once that it recovered;
- a 410 Gone disables the feed (never polled again until its URL in feeds.yaml changes) and
  tells the operator once;
- any other failure, transient or not (404, 500, a timeout, not a feed), backs off: the next
  poll waits ``backoff_delay(failures)``, which doubles up to a cap and never gives up; a server
  that said when (``Retry-After``) is not asked again before then;
- a feed failing for longer than ``alert_after`` tells the operator once, until it recovers.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from monitors.models import HEALTH_CLAIM_ID, Alert, ClaimState, FeedHealth, Verdict

# A hostile or confused server must not park a feed for years: Retry-After is honoured up to this.
MAX_RETRY_AFTER = timedelta(days=7)
GONE = 410


@dataclass(frozen=True)
class Backoff:
    """How long a failing feed waits before its next poll: ``base * 2**(failures-1)``, capped,
    then shortened by up to ``jitter`` of itself, so feeds that failed together spread out."""

    base: timedelta = timedelta(minutes=5)
    cap: timedelta = timedelta(hours=6)
    jitter: float = 0.2

    def delay(self, failures: int, draw: float) -> timedelta:
        return timedelta(seconds=backoff_delay(failures, self, draw))


def backoff_delay(failures: int, backoff: Backoff, draw: float) -> float:
    """Seconds to wait after ``failures`` consecutive failures; ``draw`` in [0, 1) is the jitter's
    random number (passed in, so the function stays pure). Never above the cap, never zero for a
    failing feed, and it keeps the cap forever: a feed is never given up on."""
    if failures < 1:
        return 0.0
    base, cap = backoff.base.total_seconds(), backoff.cap.total_seconds()
    exponent = min(failures - 1, 62)  # 2**62 s is past any cap; no overflow on huge counts
    capped = min(cap, base * 2.0**exponent)
    return capped * (1.0 - backoff.jitter * min(max(draw, 0.0), 1.0))


@dataclass(frozen=True)
class HealthPolicy:
    """The backoff, and when (and where) the operator hears about a failing feed."""

    backoff: Backoff = Backoff()
    alert_after: timedelta = timedelta(hours=6)
    channel: str | None = None  # the operator channel; None: health is shown, not sent


DEFAULT_HEALTH = HealthPolicy()


class Notice(StrEnum):
    """What the operator is told about a feed."""

    FAILING = "failing"
    RECOVERED = "recovered"
    DISABLED = "disabled"


@dataclass(frozen=True)
class PollState:
    """A feed's stored poll state (the ``feeds`` row's columns of revision 0003)."""

    consecutive_failures: int = 0
    failing_since: datetime | None = None
    next_poll_at: datetime | None = None  # None: due on the next run
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    health_alerted_at: datetime | None = None  # the operator was told it is failing/disabled


@dataclass(frozen=True)
class Failure:
    """What one failed poll said: the error text, and the HTTP status and Retry-After if any."""

    error: str
    status_code: int | None = None
    retry_after: float | None = None  # seconds from the response


@dataclass(frozen=True)
class Outcome:
    """The state to store, and the notice to queue for the operator (None: nothing to tell)."""

    state: PollState
    notice: Notice | None = None


def after_success(state: PollState) -> Outcome:
    """A poll that worked: every failure mark cleared; a recovery notice if one was owed."""
    notice = Notice.RECOVERED if state.health_alerted_at is not None else None
    return Outcome(PollState(), notice)


def after_failure(
    state: PollState, failure: Failure, policy: HealthPolicy, now: datetime, draw: float
) -> Outcome:
    """A poll that failed: count it, disable on 410, else back off (Retry-After wins when
    longer); tell the operator once when it is gone, or has failed longer than ``alert_after``."""
    failures = state.consecutive_failures + 1
    since = state.failing_since or now
    counted = replace(state, consecutive_failures=failures, failing_since=since)
    if failure.status_code == GONE:
        disabled = replace(counted, disabled_at=now, disabled_reason=failure.error[:500])
        return _notify_once(disabled, Notice.DISABLED, now)
    wait = policy.backoff.delay(failures, draw)
    if failure.retry_after is not None:
        wait = max(wait, min(timedelta(seconds=failure.retry_after), MAX_RETRY_AFTER))
    waiting = replace(counted, next_poll_at=now + wait)
    if now - since >= policy.alert_after:
        return _notify_once(waiting, Notice.FAILING, now)
    return Outcome(waiting)


def _notify_once(state: PollState, notice: Notice, now: datetime) -> Outcome:
    if state.health_alerted_at is not None:
        return Outcome(state)
    return Outcome(replace(state, health_alerted_at=now), notice)


def jitter_draw() -> float:
    """The random number ``after_failure`` takes; the store draws it, tests pass their own."""
    return random.random()


def is_due(state: PollState, now: datetime) -> bool:
    """Whether a run may poll the feed now (the same rule ``Store.claim_feeds`` puts in SQL)."""
    if state.disabled_at is not None:
        return False
    return state.next_poll_at is None or state.next_poll_at <= now


def poll_url(config_url: str, stored_url: str | None, moved_to: str | None) -> str:
    """The URL to poll: where a 301 moved the feed, unless feeds.yaml names another URL since
    (``stored_url`` is the configured URL the move was recorded against; a changed config wins)."""
    if moved_to and stored_url == config_url:
        return moved_to
    return config_url


def health_alert(
    feed_id: str,
    feed_name: str,
    notice: Notice,
    before: PollState,
    after: PollState,
    url: str,
    error: str | None,
    now: datetime,
) -> Alert:
    """The operator's alert for a notice. Its key names the feed, the notice and the failing
    spell it is about, so the same notice is queued once however often it is recorded."""
    since = after.failing_since or before.failing_since
    stamp = since.isoformat() if since else ""
    raw = f"health\x1f{feed_id}\x1f{notice.value}\x1f{stamp}"
    health = FeedHealth(
        notice=notice.value,
        url=without_credentials(url),
        failures=after.consecutive_failures,
        failing_since=since,
        last_error=error,
    )
    return Alert(
        key="health-" + hashlib.sha256(raw.encode()).hexdigest()[:40],
        claim_id=HEALTH_CLAIM_ID,
        claim_statement="",
        verdict=Verdict.NEUTRAL,
        previous_state=ClaimState.UNKNOWN,
        new_state=ClaimState.UNKNOWN,
        score=0.0,
        report_title=health_summary(health, now),
        report_link=None,
        feed_id=feed_id,
        feed_name=feed_name,
        published=None,
        evidence=(),
        created_at=now,
        health=health,
    )


def without_credentials(url: str) -> str:
    """The URL without a user:password part: a token in a feed URL is the user's secret."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def health_summary(health: FeedHealth, now: datetime) -> str:
    """One line for the operator: what happened to the feed, and what to do about it."""
    since = health.failing_since
    spell = f" for {_rounded(now - since)}" if since else ""
    if health.notice == Notice.RECOVERED:
        return f"polled successfully again after failing{spell}"
    if health.notice == Notice.DISABLED:
        return (
            "answered 410 Gone and is no longer polled; remove it from feeds.yaml, or give it "
            "a new url there to poll it again"
        )
    return f"failing{spell} ({health.failures} failures in a row); still polled, with backoff"


def _rounded(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} d"
