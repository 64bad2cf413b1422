"""Read-only operator queries over a real SQLite store filled through the Store API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitors.models import (
    Assessment,
    Claim,
    ClaimState,
    Evidence,
    Feed,
    Report,
    SentenceStance,
    Validators,
    Verdict,
)
from monitors.state import history
from monitors.state.store import Store

CLAIM = Claim(id="bridge", statement="The Antonivskyi bridge collapsed", aliases=("bridge",))
T0 = datetime(2025, 4, 20, 8, tzinfo=UTC)
STANCE = {
    Verdict.CONFIRM: SentenceStance.ASSERT,
    Verdict.CONTRADICT: SentenceStance.DENY,
    Verdict.NEUTRAL: SentenceStance.MENTION,
}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'state.db'}")


def record(store: Store, feed: str, rid: str, verdict: Verdict, published: datetime | None) -> None:
    """Record one report with a constructed assessment of CLAIM."""
    sentence = f"{feed} report {rid} on the bridge"
    span = Evidence(sentence, STANCE.get(verdict, SentenceStance.ASSERT), 0.9, alias="bridge")
    report = Report(feed, rid, f"title {feed}/{rid}", sentence, f"https://{feed}.example/{rid}",
                    published, content_hash=f"h-{feed}-{rid}")  # fmt: skip
    assessment = Assessment(CLAIM.id, verdict, 0.9, 0.8, (span,))
    store.record_report(report, Feed(id=feed, url="x"), [assessment], {CLAIM.id: CLAIM}, [])


def test_timeline_is_oldest_first_and_undated_reports_use_recorded_time(store: Store) -> None:
    """The timeline sorts by publication time; an undated report sits at its recording time."""
    record(store, "a", "2", Verdict.CONTRADICT, T0 + timedelta(hours=5))
    record(store, "b", "1", Verdict.CONFIRM, T0)
    record(store, "c", "3", Verdict.NEUTRAL, None)
    rows = history.evidence_timeline(store.engine, CLAIM.id)
    assert [("b", "1"), ("a", "2"), ("c", "3")] == [(r.feed_id, r.report_id) for r in rows]
    assert rows[2].published is None
    assert rows[2].recorded == rows[2].when
    assert "https://a.example/2" == rows[1].link
    assert "bridge" == rows[1].spans[0].alias


def test_independent_sources_count_distinct_feeds_with_decisive_evidence(store: Store) -> None:
    """Two confirmations from one feed count once; a feed with only a mention counts not at all."""
    record(store, "a", "1", Verdict.CONFIRM, T0)
    record(store, "a", "2", Verdict.CONFIRM, T0 + timedelta(hours=1))
    record(store, "b", "3", Verdict.CONTRADICT, T0 + timedelta(hours=2))
    record(store, "c", "4", Verdict.NEUTRAL, T0 + timedelta(hours=3))
    assert {"bridge": 2, "other": 0} == history.independent_sources(
        store.engine, ["bridge", "other"]
    )


def test_state_changes_follow_the_store_rule_for_late_backfills(store: Store) -> None:
    """Changes are real transitions only; an older report arriving late does not count as one."""
    record(store, "a", "1", Verdict.CONFIRM, T0)
    record(store, "b", "2", Verdict.CONFIRM, T0 + timedelta(hours=1))
    record(store, "c", "3", Verdict.CONTRADICT, T0 + timedelta(hours=2))
    record(store, "d", "4", Verdict.CONFIRM, T0 - timedelta(days=1))  # backfill, recorded last
    changes = history.state_changes(store.engine, CLAIM.id)
    assert [
        (ClaimState.UNKNOWN, ClaimState.CONFIRMED, T0, "a"),
        (ClaimState.CONFIRMED, ClaimState.CONTRADICTED, T0 + timedelta(hours=2), "c"),
    ] == [(c.previous, c.state, c.reported_at, c.evidence.feed_id) for c in changes]
    assert ClaimState.CONTRADICTED == history.stored_state(store.engine, CLAIM.id)
    assert changes[-1] == history.last_change(store.engine, CLAIM.id)


def test_no_last_change_for_an_undecided_claim(store: Store) -> None:
    """A claim with only mentions never changed state."""
    record(store, "a", "1", Verdict.NEUTRAL, T0)
    assert None is history.last_change(store.engine, CLAIM.id)
    assert ClaimState.UNKNOWN == history.stored_state(store.engine, CLAIM.id)


def test_feed_states_and_next_poll(store: Store) -> None:
    """Feed health carries the last attempt; the next poll is that plus the schedule interval."""
    ok, bad = Feed(id="ok", url="https://ok.example/rss"), Feed(id="bad", url="https://b.example")
    store.record_fetch_success(ok, Validators(etag='"1"'), new_reports=3, at=T0)
    store.record_fetch_failure(bad, "HTTP 503", at=T0)
    store.record_fetch_failure(bad, "HTTP 503 again", at=T0 + timedelta(minutes=15))
    states = history.feed_states(store.engine)
    assert ["bad", "ok"] == sorted(states)
    assert (2, "HTTP 503 again", None) == (
        states["bad"].consecutive_failures,
        states["bad"].last_error,
        states["bad"].last_success_at,
    )
    assert (T0, T0) == (states["ok"].last_success_at, states["ok"].last_new_report_at)
    interval = timedelta(minutes=15)
    assert T0 + timedelta(minutes=30) == history.next_poll(states["bad"].last_attempt_at, interval)
    assert None is history.next_poll(None, interval)
    assert None is history.next_poll(T0, None)


def test_a_whole_polls_feed_health_is_recorded_in_one_call(store: Store) -> None:
    """record_fetches stores every success and failure of a poll, as the one-feed calls do."""
    feeds = [Feed(id=f"f{i}", url=f"https://f{i}.example/rss") for i in range(3)]
    store.record_fetch_failure(feeds[2], "HTTP 503", at=T0)
    successes = [(f, Validators(etag=f'"{f.id}"'), 0) for f in feeds[:2]]
    store.record_fetches(successes, [(feeds[2], "HTTP 503 again")], at=T0)
    states = history.feed_states(store.engine)
    assert {"f0": '"f0"', "f1": '"f1"'} == {
        k: v.etag for k, v in store.validators().items() if v.etag
    }
    assert (0, 0, 2) == tuple(states[f.id].consecutive_failures for f in feeds)
    assert "HTTP 503 again" == states["f2"].last_error


def test_independent_sources_count_two_feeds_of_one_outlet_once(store: Store) -> None:
    """Two feeds of one publisher (same link host, with or without www.) are one source; a
    report without a link counts as its own feed."""
    for feed, rid, link in (("nyt-world", "1", "https://www.nytimes.com/a"),
                            ("nyt-top", "2", "https://NYTimes.com/b"),
                            ("bbc", "3", "https://www.bbc.co.uk/c"),
                            ("tass", "4", "")):  # fmt: skip
        sentence = f"{feed} report {rid} on the bridge"
        span = Evidence(sentence, SentenceStance.ASSERT, 0.9, alias="bridge")
        report = Report(feed, rid, f"title {rid}", sentence, link, T0, content_hash=f"h-{rid}")
        assessment = Assessment(CLAIM.id, Verdict.CONFIRM, 0.9, 0.8, (span,))
        store.record_report(report, Feed(id=feed, url="x"), [assessment], {CLAIM.id: CLAIM}, [])
    assert {"bridge": 3} == history.independent_sources(store.engine, ["bridge"])
