"""Mutes: the pure rule in ``policy.decide``, what the desk may type, and the store round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event

from monitors.errors import ConfigError
from monitors.models import Assessment, Claim, ClaimState, Feed, Report, Verdict
from monitors.mutes import (
    Mute,
    MuteKind,
    link_host,
    mute_target,
    mute_until,
    on_host,
    parse_period,
    source_target,
)
from monitors.policy import DEFAULT_POLICY, ClaimFacts, NewEvidence, StoryDecision, decide
from monitors.state.record import DecidedReport
from monitors.state.store import Store
from tests.test_policy import CHANNELS, CLAIM, FEEDS, NOW, T0, WEAK, new

K = MuteKind
OTHER = Claim(id="bridge", statement="The Antonivskyi bridge collapsed", aliases=("bridge",))


def mute(
    kind: MuteKind,
    target: str,
    hours: float | None = 2,
    lifted: bool = False,
    reason: str | None = "flooding",
) -> Mute:
    """A mute set an hour before NOW, ending ``hours`` after NOW (None: until lifted)."""
    until = None if hours is None else NOW + timedelta(hours=hours)
    lifted_at = NOW - timedelta(minutes=5) if lifted else None
    return Mute(1, kind, target, until, reason, "ana", NOW - timedelta(hours=1), lifted_at)


def decided(evidence: list[NewEvidence], *mutes: Mute) -> StoryDecision:
    claims = {CLAIM.id: CLAIM}
    return decide(evidence, {}, claims, FEEDS, CHANNELS, DEFAULT_POLICY, NOW, mutes=mutes)


def from_host(item: NewEvidence, link: str) -> NewEvidence:
    report = Report(**{**item.report.__dict__, "link": link})
    return NewEvidence(report, item.assessment, item.evidence_id)


# --- the rule -------------------------------------------------------------------------------------


def test_a_muted_claim_moves_its_state_but_its_alert_is_suppressed_with_the_reason() -> None:
    """The transition is still written; the alert is held back on every channel."""
    result = decided([new()], mute(K.CLAIM, CLAIM.id))
    (change,) = result.states
    assert ("unknown", "confirmed") == (change.previous.value, change.state.value)
    (alert,) = result.alerts
    expected = "muted: claim gornal until 2025-04-26 17:00 UTC (by ana: flooding)"
    assert expected == alert.reason
    assert [("suppressed", expected)] * 2 == [(o.status, o.reason) for o in alert.outbox]


def test_without_mutes_the_same_story_alerts() -> None:
    """The control: what the muted tests hold back does alert when nothing is muted."""
    (alert,) = decided([new()]).alerts
    assert (None, ("pending", "pending")) == (alert.reason, tuple(o.status for o in alert.outbox))


def test_every_report_from_a_muted_feed_or_source_holds_the_alert_back() -> None:
    """Two copies, one from a muted feed and one on a muted host: no unmuted outlet carried it."""
    wire = new(feed="wire", rid="1")
    bbc = from_host(new(feed="bbc", rid="2"), "https://www.RT.com/news/2")
    result = decided([wire, bbc], mute(K.FEED, "wire", hours=None), mute(K.SOURCE, "rt.com"))
    (alert,) = result.alerts
    assert alert.reason == (
        "muted: feed wire until lifted (by ana: flooding); "
        "source rt.com until 2025-04-26 17:00 UTC (by ana: flooding)"
    )
    assert 1 == len(result.states)


def test_one_of_two_copies_muted_alerts_with_the_unmuted_one_first() -> None:
    """The headline and link come from the unmuted feed; the muted copy is still a source."""
    wire, bbc = new(feed="wire", rid="1"), new(feed="bbc", rid="2")
    (alert,) = decided([wire, bbc], mute(K.FEED, "wire")).alerts
    assert alert.reason is None
    assert ("bbc", "https://bbc.example/2") == (alert.alert.feed_id, alert.alert.report_link)
    assert ["bbc", "wire"] == [s.feed_id for s in alert.alert.sources]


def test_the_state_is_set_by_the_first_report_whatever_is_muted() -> None:
    """Muting changes which copy the alert leads with, not which report decided the state."""
    wire, bbc = new(feed="wire", rid="1"), new(feed="bbc", rid="2", hours=1)
    (change,) = decided([wire, bbc], mute(K.FEED, "wire")).states
    assert wire.evidence_id == change.evidence_id


@pytest.mark.parametrize(
    "holding", [mute(K.CLAIM, CLAIM.id, hours=-0.5), mute(K.CLAIM, CLAIM.id, lifted=True)]
)
def test_expired_and_lifted_mutes_are_ignored(holding: Mute) -> None:
    (alert,) = decided([new()], holding).alerts
    assert alert.reason is None


def test_a_mute_of_another_claim_or_feed_changes_nothing() -> None:
    (alert,) = decided([new()], mute(K.CLAIM, OTHER.id), mute(K.FEED, "ap")).alerts
    assert alert.reason is None


def test_the_mute_is_the_reason_shown_before_the_weak_evidence_rule() -> None:
    """A weak repeat would be held back anyway; the desk is told its mute did it."""
    before = {CLAIM.id: ClaimFacts(ClaimState.CONFIRMED, T0)}
    claims = {CLAIM.id: CLAIM}
    args = ([new(score=0.78)], before, claims, FEEDS, CHANNELS, DEFAULT_POLICY, NOW)
    (unmuted,) = decide(*args).alerts
    (muted,) = decide(*args, mutes=[mute(K.CLAIM, CLAIM.id, reason=None)]).alerts
    assert WEAK == unmuted.reason
    assert "muted: claim gornal until 2025-04-26 17:00 UTC (by ana)" == muted.reason


@pytest.mark.parametrize(
    ("link", "muted"),
    [
        ("https://rt.com/a", True),
        ("https://www.rt.com/a", True),
        ("http://DE.RT.COM:8080/a", True),
        ("https://notrt.com/a", False),
        ("https://rt.com.evil.example/a", False),
        ("https://example.org/?u=rt.com", False),
        (None, False),
        ("javascript:alert(1)", False),
        ("http://[::1/broken", False),
    ],
)
def test_a_source_mute_matches_the_host_and_its_subdomains_only(
    link: str | None, muted: bool
) -> None:
    item = from_host(new(), link) if link else new()
    if link is None:
        item = NewEvidence(Report(**{**item.report.__dict__, "link": None}), item.assessment, 1)
    (alert,) = decided([item], mute(K.SOURCE, "rt.com")).alerts
    assert muted == (alert.reason is not None)


def test_link_host_and_on_host() -> None:
    assert "rt.com" == link_host("https://www.rt.com./x")
    assert on_host("a.b.rt.com", "rt.com")
    assert not on_host("notrt.com", "rt.com")


# --- what the desk types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"), [("30m", timedelta(minutes=30)), ("6h", timedelta(hours=6)),
                           ("2d", timedelta(days=2)), ("-1h", timedelta(hours=-1))],
)  # fmt: skip
def test_parse_period(text: str, expected: timedelta) -> None:
    assert expected == parse_period(text)


@pytest.mark.parametrize("text", ["6", "6 hours", "1w", "h", ""])
def test_parse_period_refuses_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match="30m, 6h, 2d"):
        parse_period(text)


def test_mute_until() -> None:
    assert NOW + timedelta(hours=6) == mute_until(NOW, timedelta(hours=6), None)
    assert mute_until(NOW, None, None) is None
    later = NOW + timedelta(days=1)
    assert later == mute_until(NOW, None, later)


@pytest.mark.parametrize(
    ("period", "until", "message"),
    [
        (timedelta(0), None, "--for must be a positive period"),
        (timedelta(hours=-1), None, "--for must be a positive period"),
        (None, NOW - timedelta(minutes=1), "is in the past"),
        (None, NOW, "is in the past"),
        (timedelta(hours=1), NOW + timedelta(hours=2), "not both"),
    ],
)
def test_mute_until_refuses_what_would_silence_nothing(
    period: timedelta | None, until: datetime | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        mute_until(NOW, period, until)


def test_mute_target_checks_claims_and_feeds_and_normalises_hosts() -> None:
    claims, feeds = ["gornal", "bridge"], ["wire", "rt"]
    assert "gornal" == mute_target(K.CLAIM, "gornal", claims, feeds)
    assert "rt" == mute_target(K.FEED, "rt", claims, feeds)
    assert "rt.com" == mute_target(K.SOURCE, "WWW.RT.com", claims, feeds)
    with pytest.raises(ConfigError, match=r"no claim with id 'gornall' \(known: gornal, bridge\)"):
        mute_target(K.CLAIM, "gornall", claims, feeds)
    with pytest.raises(ConfigError, match=r"no feed with id 'tass' \(known: wire, rt\)"):
        mute_target(K.FEED, "tass", claims, feeds)


@pytest.mark.parametrize("text", ["rt", "https://rt.com/", "rt.com/news", "-rt.com", "r t.com"])
def test_a_source_must_look_like_a_host_name(text: str) -> None:
    with pytest.raises(ConfigError, match="is not a host name; give the outlet's host"):
        source_target(text)


# --- the store ------------------------------------------------------------------------------------


def _story(feed: str, rid: str, link: str, title: str) -> list[DecidedReport]:
    report = Report(feed, rid, title, "", link, NOW, f"h-{rid}")
    return [DecidedReport(report, (Assessment(CLAIM.id, Verdict.CONFIRM, 0.9, 1.0),))]


def test_store_round_trip_mute_record_unmute(state_store: Store) -> None:
    """Mutes are stored (in UTC), read by record_story, listed, and lifted without a delete."""
    now = datetime.now(UTC)
    until = (now + timedelta(hours=2)).astimezone(timezone(timedelta(hours=2)))
    held = state_store.mute(K.SOURCE, "rt.com", until, "flooding", "ana")
    state_store.mute(K.FEED, "wire", now - timedelta(minutes=1), None, "bo")  # expired
    (stored,) = state_store.mutes()
    assert (held.id, "rt.com", until, "ana") == (
        stored.id, stored.target, stored.until, stored.created_by
    )  # fmt: skip
    assert stored.until is not None and timedelta(0) == stored.until.utcoffset()

    feeds = {f: Feed(f, "x") for f in ("wire", "bbc")}
    claims = {CLAIM.id: CLAIM}
    story = _story("wire", "1", "https://rt.com/1", "Gornal retaken")
    muted = state_store.record_story(story, feeds, claims, ["c"])
    assert ((), 1) == (muted.alerts, len(muted.suppressed))
    reason = f"muted: source rt.com until {until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    assert muted.suppressed[0].reason.startswith(reason)
    (row,) = state_store.outbox()
    assert ("suppressed", muted.suppressed[0].reason) == (row.status, row.last_error)
    assert "confirmed" == state_store.claim_statuses([CLAIM])[0].state.value

    (lifted,) = state_store.unmute(K.SOURCE, "rt.com")
    assert lifted.id == held.id and lifted.lifted_at is not None
    assert [] == state_store.unmute(K.SOURCE, "rt.com")
    assert [] == state_store.mutes()
    everything = state_store.mutes(include_inactive=True)
    assert [(held.id, True), (held.id + 1, False)] == [
        (m.id, m.lifted_at is not None) for m in everything
    ]

    # Lifted: the next report on rt.com alerts (another story: a copy of the muted one would be
    # held back as its duplicate).
    story = _story("bbc", "2", "https://rt.com/2", "Moscow says its troops hold Gornal village")
    after = state_store.record_story(story, feeds, claims, ["c"])
    assert (1, ()) == (len(after.alerts), after.suppressed)


def test_a_batch_reads_the_mutes_once_and_every_story_sees_them(tmp_path: Path) -> None:
    """One query on ``mutes`` per transaction, however many stories it decides."""
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    store.mute(K.FEED, "wire", None, None, "ana")
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])))
    stories = [
        _story("wire", str(i), f"https://w.example/{i}", f"Story {i} Gornal") for i in range(3)
    ]
    feeds = {"wire": Feed("wire", "x")}
    decisions = store.record_stories(stories, feeds, {CLAIM.id: CLAIM}, ["c"])
    assert [0, 0, 0] == [len(d.alerts) for d in decisions]
    assert [1, 1, 1] == [len(d.suppressed) for d in decisions]
    assert 1 == sum("FROM mutes" in s for s in statements)
