"""Per-feed poll state across runs: backoff, Retry-After, 410, 301 and the operator's health alerts.

The pure rules (``monitors.feedstate``) are tested as functions; the rest runs whole monitor runs
(``monitors.sharing``, as the flow takes them, without Prefect) against the real feed server on
loopback, with an injected clock instead of sleeping, and delivers through the normal path to a
real webhook receiver and SMTP server. Requests are counted at the feed server.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from alerts.deliver import deliver_configured
from alerts.render.alert import email_text, webhook_payload
from flows.cli import main
from flows.config import load_config
from monitors.config import Config
from monitors.errors import ConfigError
from monitors.feedstate import (
    Backoff,
    Failure,
    HealthPolicy,
    Notice,
    PollState,
    after_failure,
    after_success,
    backoff_delay,
    health_alert,
    poll_url,
)
from monitors.ingest.fetch import FetchSettings
from monitors.ingest.poll import RetryPolicy, poll_all
from monitors.models import Alert, Feed
from monitors.pipeline import RunOptions
from monitors.sharing import FeedClaims, monitor_cycle, plain_step
from monitors.state import schema
from monitors.state.store import Store
from tests.fixtures.configs import write_config
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.stores import fresh_postgres_database
from tests.fixtures.webhook_receiver import WebhookReceiver
from tests.test_sharing import run_concurrently

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
BACKOFF = Backoff(base=timedelta(seconds=10), cap=timedelta(minutes=1), jitter=0.2)
HOOK = "desk-hook"
ITEMS = [{"guid": "w-1", "title": "Grain exports rise at Odesa port", "description": "Ships."}]


# --- the pure rules ---------------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_and_keeps_it_forever() -> None:
    """No jitter drawn: 10, 20, 40 s, then the 60 s cap for every later failure, never 0."""
    delays = [backoff_delay(n, BACKOFF, draw=0.0) for n in (1, 2, 3, 4, 5, 50, 10_000)]
    assert [10.0, 20.0, 40.0, 60.0, 60.0, 60.0, 60.0] == delays


def test_backoff_jitter_only_shortens_by_its_fraction() -> None:
    """The largest draw takes 20 % off, never more, and a delay never passes the cap."""
    assert pytest.approx(60.0 * 0.8) == backoff_delay(9, BACKOFF, draw=0.999999)
    assert pytest.approx(10.0 * 0.9) == backoff_delay(1, BACKOFF, draw=0.5)
    assert 0.0 == backoff_delay(0, BACKOFF, draw=0.5)


def test_retry_after_wins_over_a_shorter_backoff_and_loses_to_a_longer_one() -> None:
    """The next poll is the later of the backoff and the server's Retry-After."""
    policy = HealthPolicy(backoff=BACKOFF)
    told = after_failure(PollState(), Failure("503", 503, retry_after=120), policy, T0, 0.0)
    assert T0 + timedelta(seconds=120) == told.state.next_poll_at
    short = after_failure(PollState(), Failure("503", 503, retry_after=1), policy, T0, 0.0)
    assert T0 + timedelta(seconds=10) == short.state.next_poll_at


def test_a_410_disables_and_tells_the_operator_once() -> None:
    """Gone: disabled with the reason, one DISABLED notice, none for a second 410."""
    policy = HealthPolicy(backoff=BACKOFF)
    first = after_failure(PollState(), Failure("wire: HTTP 410 Gone", 410), policy, T0, 0.0)
    assert (T0, "wire: HTTP 410 Gone", Notice.DISABLED) == (
        first.state.disabled_at, first.state.disabled_reason, first.notice
    )  # fmt: skip
    again = after_failure(first.state, Failure("wire: HTTP 410 Gone", 410), policy, T0, 0.0)
    assert None is again.notice


@pytest.mark.parametrize("status", [404, 500, None])
def test_other_failures_back_off_and_never_disable(status: int | None) -> None:
    """404, 500 or a connection error, 40 times over: capped backoff, never disabled."""
    policy = HealthPolicy(backoff=BACKOFF, alert_after=timedelta(days=365))
    state, now, waits = PollState(), T0, []
    for _ in range(40):
        state = after_failure(state, Failure("down", status), policy, now, 0.0).state
        assert state.next_poll_at is not None
        waits.append(state.next_poll_at - now)
        now = state.next_poll_at
    assert (40, None, T0) == (state.consecutive_failures, state.disabled_at, state.failing_since)
    assert [timedelta(seconds=s) for s in (10, 20, 40)] + [MINUTE] * 37 == waits


def test_failing_notice_after_the_period_once_then_recovered_once() -> None:
    """FAILING once the feed failed for alert_after, not again; RECOVERED on the next success."""
    policy = HealthPolicy(backoff=BACKOFF, alert_after=timedelta(minutes=30))
    outcomes = []
    state = PollState()
    for minutes in (0, 10, 29, 30, 45):
        outcome = after_failure(state, Failure("500"), policy, T0 + minutes * MINUTE, 0.0)
        outcomes.append(outcome.notice)
        state = outcome.state
    assert [None, None, None, Notice.FAILING, None] == outcomes
    recovered = after_success(state)
    assert (Notice.RECOVERED, PollState()) == (recovered.notice, recovered.state)
    assert None is after_success(PollState(consecutive_failures=3, failing_since=T0)).notice


def test_poll_url_follows_a_move_until_the_config_names_another_url() -> None:
    """The 301 target is polled while feeds.yaml still has the old URL; a new URL there wins."""
    assert "http://new/feed" == poll_url("http://old/feed", "http://old/feed", "http://new/feed")
    assert "http://edited/f" == poll_url("http://edited/f", "http://old/feed", "http://new/feed")
    assert "http://old/feed" == poll_url("http://old/feed", "http://old/feed", None)


def test_health_alert_renders_without_claim_fields_or_credentials() -> None:
    """The operator's alert: its own webhook type, the feed's URL without a password, and the
    round trip through the outbox's JSON keeps it."""
    before = PollState(consecutive_failures=3, failing_since=T0)
    alert = health_alert(
        "wire", "Wire", Notice.FAILING, before, before, "https://u:pw@x.test/f", "HTTP 500", T0
    )
    assert alert == Alert.from_dict(json.loads(json.dumps(alert.to_dict())))
    payload = webhook_payload(alert)
    assert ("claimwatch.feed_health", "failing", "https://***@x.test/f") == (
        payload["type"], payload["alert"]["notice"], payload["alert"]["feed"]["url"]
    )  # fmt: skip
    text = email_text(alert)
    assert text.startswith("FEED FAILING: Wire\n")
    assert "pw" not in text and "Evidence" not in text


# --- whole runs against the feed server --------------------------------------------------------


@dataclass
class Desk:
    """A config with the given feeds, a state database, and runs at chosen times."""

    config_dir: Path
    database_url: str
    feed_server: FeedServer

    def config(self) -> Config:
        return load_config(self.config_dir)

    def run(self, at: datetime) -> None:
        """One monitor run at ``at`` (its clock and its cycle start), as the flow takes it."""
        config = self.config()
        store = Store(self.database_url)
        try:
            retry = RetryPolicy(retries=0, delay_seconds=0)
            step = plain_step(store, config, RunOptions(), config.fetch, retry, clock=lambda: at)
            claims = FeedClaims(run_id=uuid.uuid4().hex, cycle_start=at, clock=lambda: at)
            monitor_cycle(store, config.feeds, step, claims)
            deliver_configured(store, config.channels)
        finally:
            store.close()

    def requests(self, path: str) -> int:
        return len(self.feed_server.requests_for(path))

    def feed_row(self, feed_id: str) -> dict[str, object]:
        store = Store(self.database_url)
        try:
            with store.engine.connect() as conn:
                f = schema.feeds
                row = conn.execute(select(f).where(f.c.feed_id == feed_id)).mappings().one()
                return dict(row)
        finally:
            store.close()

    def write_feeds(self, feeds: dict[str, str], fetch: str = "") -> None:
        lines = "".join(f"  - id: {fid}\n    url: {url}\n" for fid, url in feeds.items())
        (self.config_dir / "feeds.yaml").write_text(
            f"feeds:\n{lines}fetch:\n  read_timeout: 5\n  deadline: 10\n"
            f"  backoff: 10s\n  backoff_max: 1m\n{fetch}",
            encoding="utf-8",
        )


@pytest.fixture
def desk(
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> Iterator[Desk]:
    """The test's feeds are added with ``write_feeds``; health alerts go to the webhook after
    30 minutes of failure."""
    config_dir = write_config(
        tmp_path / "config", {}, smtp_server.port, webhook_receiver.url, "feedstate-secret-0123"
    )
    with (config_dir / "channels.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"feed_health:\n  channel: {HOOK}\n  alert_after: 30m\n")
    yield Desk(config_dir, f"sqlite:///{tmp_path / 'state.db'}", feed_server)


def unique(name: str) -> str:
    """A path of this test's own: the session's feed server outlives it."""
    return f"/feedstate/{uuid.uuid4().hex[:8]}/{name}"


def health_notices(receiver: WebhookReceiver) -> list[tuple[str, str]]:
    payloads = [json.loads(r.body) for r in receiver.requests]
    return [
        (p["alert"]["feed"]["id"], p["alert"]["notice"])
        for p in payloads
        if p["type"] == "claimwatch.feed_health"
    ]


@pytest.mark.parametrize("form", ["seconds", "date"])
def test_retry_after_is_respected_by_the_next_runs(desk: Desk, form: str) -> None:
    """503 with Retry-After: 120 (seconds, or an HTTP date 120 s ahead): a run 16 s later does
    not request the feed, one after the 120 s does."""
    path = unique("busy.xml")
    # An HTTP date is read against the real clock when the answer arrives: 120 s from now.
    ahead = formatdate(datetime.now(UTC).timestamp() + 120, usegmt=True)
    value = "120" if form == "seconds" else ahead
    desk.feed_server.set_feed(path, b"busy\n", status=503, headers={"Retry-After": value})
    desk.write_feeds({"busy": desk.feed_server.url(path)})
    desk.run(T0)
    desk.run(T0 + timedelta(seconds=16))
    desk.run(T0 + timedelta(seconds=100))
    assert 1 == desk.requests(path)
    desk.run(T0 + timedelta(seconds=125))
    assert 2 == desk.requests(path)


def test_gone_feed_is_disabled_shown_and_reported_once(
    desk: Desk, webhook_receiver: WebhookReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """410: the next runs do not request it, `claimwatch feeds` shows it disabled with what to
    do, the operator channel got one DISABLED alert; a new URL in feeds.yaml polls again."""
    path, fresh = unique("gone.xml"), unique("back.xml")
    desk.feed_server.set_feed(path, b"gone\n", status=410)
    desk.feed_server.set_feed(fresh, rss_feed(ITEMS))
    desk.write_feeds({"gone": desk.feed_server.url(path)})
    for minutes in (0, 15, 30, 600):
        desk.run(T0 + minutes * MINUTE)
    assert 1 == desk.requests(path)
    assert [("gone", "disabled")] == health_notices(webhook_receiver)
    assert 0 == main(["feeds", "--json", "--config", str(desk.config_dir),
                      "--database-url", desk.database_url])  # fmt: skip
    (row,) = json.loads(capsys.readouterr().out)["feeds"]
    assert (None, "gone: HTTP 410 Gone at " + desk.feed_server.url(path)) == (
        row["next_poll_at"], row["disabled_reason"]
    )  # fmt: skip
    assert 0 == main(["feeds", "--config", str(desk.config_dir),
                      "--database-url", desk.database_url])  # fmt: skip
    assert "remove it from feeds.yaml" in " ".join(capsys.readouterr().out.split())
    desk.write_feeds({"gone": desk.feed_server.url(fresh)})
    desk.run(T0 + 700 * MINUTE)
    assert (1, 1) == (desk.requests(path), desk.requests(fresh))
    assert [("gone", "disabled"), ("gone", "recovered")] == health_notices(webhook_receiver)


def test_moved_feed_is_polled_at_its_new_url_until_the_config_changes(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    """301: the next run requests only the new URL; `claimwatch feeds` says it moved and to
    update feeds.yaml; a URL edited in feeds.yaml afterwards wins over the stored move."""
    old, new, edited = unique("old.xml"), unique("new.xml"), unique("edited.xml")
    new_url = desk.feed_server.set_feed(new, rss_feed(ITEMS), etag='"n1"')
    desk.feed_server.set_feed(edited, rss_feed(ITEMS))
    desk.feed_server.set_feed(old, b"", status=301, headers={"Location": new_url})
    desk.write_feeds({"wire": desk.feed_server.url(old)})
    desk.run(T0)
    assert (1, 1) == (desk.requests(old), desk.requests(new))
    desk.run(T0 + 15 * MINUTE)
    assert (1, 2) == (desk.requests(old), desk.requests(new))
    assert 0 == main(["feeds", "--json", "--config", str(desk.config_dir),
                      "--database-url", desk.database_url])  # fmt: skip
    (row,) = json.loads(capsys.readouterr().out)["feeds"]
    assert (desk.feed_server.url(old), new_url) == (row["url"], row["moved_to"])
    assert 0 == main(["feeds", "--config", str(desk.config_dir),
                      "--database-url", desk.database_url])  # fmt: skip
    assert "update its url in feeds.yaml" in " ".join(capsys.readouterr().out.split())
    desk.write_feeds({"wire": desk.feed_server.url(edited)})
    desk.run(T0 + 30 * MINUTE)
    assert (1, 2, 1) == (desk.requests(old), desk.requests(new), desk.requests(edited))
    assert None is desk.feed_row("wire")["moved_to"]


@pytest.mark.parametrize("status", [404, 500])
def test_failing_feed_backs_off_to_the_cap_never_disables_and_recovery_resets(
    desk: Desk, status: int
) -> None:
    """404 or 500, each run when the feed is due: the waits grow to the 1-minute cap (less at
    most 20 % jitter) and stay there; never disabled; the first success clears everything."""
    path = unique("down.xml")
    desk.feed_server.set_feed(path, b"down\n", status=status)
    desk.write_feeds({"down": desk.feed_server.url(path)})
    now, waits = T0, []
    for _ in range(7):
        desk.run(now)
        due = desk.feed_row("down")["next_poll_at"]
        assert isinstance(due, datetime)
        waits.append((due.replace(tzinfo=UTC) - now).total_seconds())
        desk.run(now + timedelta(seconds=1))  # not due yet: not requested
        now = due.replace(tzinfo=UTC)
    assert 7 == desk.requests(path)
    assert all(8 <= w <= 10 for w in waits[:1]) and all(48 <= w <= 60 for w in waits[3:])
    assert waits[0] < waits[1] < waits[2] <= 60
    row = desk.feed_row("down")
    assert (7, None) == (row["consecutive_failures"], row["disabled_at"])
    desk.feed_server.set_feed(path, rss_feed(ITEMS))
    desk.run(now)
    row = desk.feed_row("down")
    assert (0, None, None, None) == (
        row["consecutive_failures"], row["next_poll_at"], row["failing_since"], row["last_error"]
    )  # fmt: skip


def test_health_alert_once_after_the_period_and_once_on_recovery(
    desk: Desk, webhook_receiver: WebhookReceiver, smtp_server: SmtpServer
) -> None:
    """A feed failing from T0: no alert at 20 minutes, one FAILING on the operator webhook once
    it failed for 30, none more while it fails, one RECOVERED when it works; no mail (the
    email channel is not the operator's)."""
    path, fine = unique("flaky.xml"), unique("fine.xml")
    desk.feed_server.set_feed(path, b"oops\n", status=500)
    desk.feed_server.set_feed(fine, rss_feed(ITEMS))
    desk.write_feeds({"flaky": desk.feed_server.url(path), "fine": desk.feed_server.url(fine)})
    for minutes in (0, 20):
        desk.run(T0 + minutes * MINUTE)
    assert [] == health_notices(webhook_receiver)
    for minutes in (31, 45, 60):
        desk.run(T0 + minutes * MINUTE)
    assert [("flaky", "failing")] == health_notices(webhook_receiver)
    desk.feed_server.set_feed(path, rss_feed(ITEMS))
    for minutes in (75, 90):
        desk.run(T0 + minutes * MINUTE)
    assert [("flaky", "failing"), ("flaky", "recovered")] == health_notices(webhook_receiver)
    assert 7 == desk.requests(path)
    assert [] == smtp_server.messages
    failing = json.loads(webhook_receiver.requests[0].body)["alert"]
    assert (desk.feed_server.url(path), 3) == (failing["feed"]["url"], failing["failures"])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_concurrent_runs_respect_retry_after_and_poll_once_when_due(
    desk: Desk, backend: str, request: pytest.FixtureRequest
) -> None:
    """Two runs started together 16 s after a Retry-After: 120 request nothing; two started
    together after it request the feed exactly once between them."""
    if backend == "postgresql":
        desk.database_url = fresh_postgres_database(request.getfixturevalue("postgres_url"))
    Store(desk.database_url).close()  # migrated once, before the runs race
    path = unique("busy.xml")
    desk.feed_server.set_feed(path, b"busy\n", status=429, headers={"Retry-After": "120"})
    desk.write_feeds({"busy": desk.feed_server.url(path)})
    desk.run(T0)
    run_concurrently(2, lambda i: desk.run(T0 + timedelta(seconds=16)))
    assert 1 == desk.requests(path)
    run_concurrently(2, lambda i: desk.run(T0 + timedelta(seconds=130)))
    assert 2 == desk.requests(path)


# --- configuration -------------------------------------------------------------------------------


def test_health_and_backoff_settings_are_validated_with_what_to_fix(desk: Desk) -> None:
    """An unknown operator channel, a zero period and a cap below the first wait are each named."""
    text = (desk.config_dir / "channels.yaml").read_text(encoding="utf-8")
    (desk.config_dir / "channels.yaml").write_text(
        text.replace(f"channel: {HOOK}\n  alert_after: 30m", "channel: ops\n  alert_after: 0"),
        encoding="utf-8",
    )
    desk.write_feeds({"a": "http://127.0.0.1:9/a"})
    with pytest.raises(ConfigError) as caught:
        desk.config()
    assert [
        "feed_health.alert_after: must be a positive duration like '6h' (how long a feed may fail)",
    ] == caught.value.problems
    (desk.config_dir / "channels.yaml").write_text(
        text.replace(f"channel: {HOOK}", "channel: ops"), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        desk.config()
    assert [
        "feed_health.channel: no channel named 'ops' (known: desk-email, desk-hook)"
    ] == caught.value.problems
    (desk.config_dir / "channels.yaml").write_text(text, encoding="utf-8")
    (desk.config_dir / "feeds.yaml").write_text(
        "feeds:\n  - id: a\n    url: http://127.0.0.1:9/a\nfetch:\n  backoff: 10m\n"
        "  backoff_max: 1m\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        desk.config()
    assert ["fetch: backoff_max (60 s) must be at least backoff (600 s), the first wait"] == (
        caught.value.problems
    )


def test_health_defaults_send_nothing_and_back_off_from_five_minutes(tmp_path: Path) -> None:
    """Without feed_health or backoff settings: no operator channel, 5 minutes doubling to 6 h,
    alert after 6 h."""
    config_dir = write_config(
        tmp_path / "c", {"a": "http://127.0.0.1:9/a"}, 25, "http://x/h", "s" * 16
    )
    policy = load_config(config_dir).health_policy()
    assert (None, timedelta(hours=6), timedelta(minutes=5), timedelta(hours=6)) == (
        policy.channel, policy.alert_after, policy.backoff.base, policy.backoff.cap
    )  # fmt: skip


@pytest.mark.parametrize(
    ("hops", "moved"),
    [((301,), "target"), ((308,), "target"), ((302,), None), ((307,), None),
     ((301, 302), "second"), ((302, 301), None)],
)  # fmt: skip
def test_only_leading_permanent_redirects_count_as_a_move(
    feed_server: FeedServer, hops: tuple[int, ...], moved: str | None
) -> None:
    """A 301/308 is a move to its target; a temporary redirect is followed but never stored,
    and a temporary hop ends the move where it starts."""
    target = unique("target.xml")
    feed_server.set_feed(target, rss_feed(ITEMS))
    second = f"/redirect?to={target}&code={hops[-1]}" if len(hops) == 2 else target
    first = f"/redirect?to={quote(second, safe='/')}&code={hops[0]}"
    feed = Feed("r", feed_server.url(first))
    (poll,) = poll_all([feed], {}, FetchSettings(), RetryPolicy(retries=0)).polls
    expected = {"target": feed_server.url(target), "second": feed_server.url(second), None: None}
    assert (None, expected[moved]) == (poll.error, poll.moved_to)


def test_a_run_stops_polling_at_its_budget_and_leaves_the_rest_due(desk: Desk) -> None:
    """fetch.poll_budget 2 s: a feed trickling its body over 8 s (inside its 10 s deadline) is
    cut off when the budget runs out, without a failure or a backoff, and is asked again by the
    next run; the quick feed beside it is read."""
    quick = desk.feed_server.set_feed(unique("quick.xml"), rss_feed(ITEMS))
    desk.write_feeds(
        {"quick": quick, "trickle": desk.feed_server.url("/slow?seconds=8&mode=during")},
        fetch="  poll_budget: 2\n",
    )
    started = time.monotonic()
    desk.run(T0)
    assert time.monotonic() - started < 6
    trickle, fast = desk.feed_row("trickle"), desk.feed_row("quick")
    assert (trickle["consecutive_failures"], trickle["failing_since"]) == (0, None)
    assert trickle["next_poll_at"] is None or trickle["next_poll_at"] <= T0
    assert fast["consecutive_failures"] == 0 and fast["last_success_at"] is not None
    before = desk.requests("/slow")
    desk.run(T0 + MINUTE)
    assert desk.requests("/slow") == before + 1
