"""The monitor's steps without Prefect: deciding polled reports, dry runs and replays."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.config import load_config
from monitors.ingest.fetch import FetchSettings
from monitors.ingest.poll import FeedPoll
from monitors.models import Assessment, ClaimState, Feed, Report, Validators, Verdict
from monitors.paths import DEMO_CONFIG_DIR
from monitors.pipeline import (
    ProcessResult,
    RunOptions,
    StoryGrouper,
    decide_overlapped,
    decide_reports,
    group_stories,
    poll_feed,
    process_polls,
)
from monitors.policy import AlertPolicy
from monitors.replay import replay_claims
from monitors.state.record import DecidedReport
from monitors.state.store import Store
from tests.fixtures.feed_server import FeedServer, rss_feed

FEED = Feed(id="wire", url="http://127.0.0.1/wire")
T0 = datetime(2025, 4, 26, 9, tzinfo=UTC)


def report(rid: str, title: str, hours: int) -> Report:
    return Report("wire", rid, title, "", None, T0 + timedelta(hours=hours), f"hash-{rid}")


def two_turns() -> FeedPoll:
    # Newest first, as feeds list them: the run must still decide the older one first.
    return FeedPoll(
        FEED,
        reports=(
            report("2", "Ukraine denies that Russian forces recaptured Gornal", 2),
            report("1", "Russian forces recaptured Gornal", 0),
        ),
    )


def test_dry_run_reads_like_a_real_run_and_stores_nothing(tmp_path: Path) -> None:
    """A dry run shows the chain unknown -> confirmed -> contradicted, then leaves no trace."""
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    config = load_config(DEMO_CONFIG_DIR)
    dry = process_polls(store, config, [two_turns()], RunOptions(dry_run=True))
    gornal = [a for a in dry.alerts if a.claim_id == "gornal-recaptured"]
    assert [
        (ClaimState.UNKNOWN, ClaimState.CONFIRMED),
        (ClaimState.CONFIRMED, ClaimState.CONTRADICTED),
    ] == [(a.previous_state, a.new_state) for a in gornal]
    assert ([], []) == (store.outbox(), store.stored_reports())
    real = process_polls(store, config, [two_turns()])
    assert [(a.previous_state, a.new_state) for a in gornal] == [
        (a.previous_state, a.new_state) for a in real.alerts if a.claim_id == "gornal-recaptured"
    ]


def test_replay_finds_what_a_new_claim_would_have_alerted(tmp_path: Path) -> None:
    """Reports stored before a claim existed alert for it on replay, only when asked to send."""
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    config = load_config(DEMO_CONFIG_DIR)
    process_polls(store, config, [two_turns()], RunOptions(claim_ids=("kursk-control",)))
    assert [] == store.outbox()
    dry = replay_claims(store, config, ["gornal-recaptured"])
    assert 2 == len(dry.alerts)
    assert [] == store.outbox()
    sent = replay_claims(store, config, ["gornal-recaptured"], send=True)
    assert [a.key for a in dry.alerts] == [a.key for a in sent.alerts]
    assert 2 * len(config.channels) == len(store.outbox(status="pending"))


def test_poll_feed_returns_each_failure_as_that_feeds_error(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """Polling feeds one by one: a gone or busy feed comes back as its error, never raised."""
    local = tmp_path / "local.xml"
    local.write_bytes(rss_feed([{"title": "Local report", "guid": "local-1"}]))
    feeds = [
        Feed("good", feed_server.set_feed("/f/poll-good.xml", rss_feed([{"title": "A"}]))),
        Feed("gone", feed_server.url("/status/410")),
        Feed("local", str(local)),
        Feed("busy", feed_server.url("/retry-after/429?after=3")),
    ]
    settings = FetchSettings(connect_timeout=2.0, read_timeout=2.0, deadline=5.0)
    polls = [poll_feed(feed, Validators(), settings) for feed in feeds]
    actual = [(p.feed.id, p.ok, len(p.reports)) for p in polls]
    assert [("good", True, 1), ("gone", False, 0), ("local", True, 1), ("busy", False, 0)] == actual
    assert "410" in (polls[1].error or "")


def test_a_run_that_fails_while_deciding_leaves_no_validators(tmp_path: Path) -> None:
    """The feed's ETag is stored only with the reports it covers: if writing the decisions fails
    (here the database refuses evidence rows), the next run must fetch the feed again, not get a
    304 for reports that were never decided."""
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    config = load_config(DEMO_CONFIG_DIR)
    polled = FeedPoll(FEED, reports=two_turns().reports, validators=Validators(etag='"v1"'))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON evidence "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    with pytest.raises(Exception, match="disk full"):  # the database's own error, as wrapped
        process_polls(store, config, [polled])
    assert FEED.id not in store.validators()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER refuse")
    result = process_polls(store, config, [polled])
    assert result.alerts and store.validators()[FEED.id].etag == '"v1"'


def test_the_run_summary_opens_with_what_the_config_left_to_defaults() -> None:
    from monitors.pipeline import RunSummary

    lines = RunSummary(notes=["no channels.yaml in /cfg: alerts are printed to the console only"])
    assert "note: no channels.yaml in /cfg" in lines.lines()[0]


def _days_of_news() -> list[Report]:
    """A week of one outlet and its copies: turns of the Gornal claim days apart (so stories
    close while later ones are read), copies from other feeds, and reports about nothing."""
    titles = [
        "Russian forces recaptured Gornal",
        "Ukraine denies that Russian forces recaptured Gornal",
        "Weather in Kyiv",
    ]
    out = []
    for day in range(7):
        for n, title in enumerate(titles):
            hours = day * 72 + n * 24  # every turn 24 h apart, 3 days a round
            for feed in ("wire", "agency"):
                rid = f"{feed}-{day}-{n}"
                out.append(Report(feed, rid, title, "", None, T0 + timedelta(hours=hours), rid))
    return out


def _decided(result: ProcessResult) -> tuple:
    """What a run decided, without the times it ran at."""
    return (
        result.new_reports,
        result.new_evidence,
        [replace(a, created_at=T0) for a in result.alerts],
        [(replace(s.alert, created_at=T0), s.reason) for s in result.suppressed],
    )


def _stored(store: Store) -> list[tuple]:
    with store.engine.connect() as conn:
        evidence = conn.exec_driver_sql(
            "SELECT id, claim_id, report_id, verdict FROM evidence ORDER BY id"
        ).all()
        states = conn.exec_driver_sql("SELECT claim_id, state, evidence_id FROM claim_state").all()
        outbox = conn.exec_driver_sql("SELECT key, status FROM outbox ORDER BY id").all()
        reports = conn.exec_driver_sql("SELECT count(*) FROM reports").scalar()
    return [*evidence, *states, *outbox, reports]


def test_writes_overlapping_the_reading_decide_and_store_the_same(tmp_path: Path) -> None:
    """Reports read in worker processes are written story by story while the workers read the
    rest (a story once no later report can join it): the same decisions, alerts and rows as
    reading everything first and writing after."""
    config = load_config(DEMO_CONFIG_DIR)
    feeds = {f: Feed(id=f, url=f"http://127.0.0.1/{f}") for f in ("wire", "agency")}
    claims, reports = list(config.claims), _days_of_news()
    after = Store(f"sqlite:///{tmp_path / 'after.db'}")
    one_go = decide_reports(after, config, claims, reports, feeds)
    overlapped = Store(f"sqlite:///{tmp_path / 'overlapped.db'}")
    found = decide_overlapped(overlapped, config, claims, reports, feeds, workers_from=1,
                              chunk=4, batch_reports=5)  # fmt: skip
    assert _decided(one_go) == _decided(found)
    assert _stored(after) == _stored(overlapped)
    assert len([a for a in found.alerts if a.claim_id == "gornal-recaptured"]) >= 3


def related(r: Report) -> tuple[Assessment, ...]:
    """A confirmation of the Gornal claim for every report that names Gornal."""
    if "Gornal" not in r.title:
        return ()
    return (Assessment("gornal-recaptured", Verdict.CONFIRM, 0.9, 1.0, ()),)


def test_stories_come_out_in_the_order_they_began_once_complete() -> None:
    """``StoryGrouper.final`` holds back every story with evidence behind one a later report
    may still join (within the duplicate window), lets reports about nothing through, and with
    ``rest`` gives the stories ``group_stories`` gives."""
    policy = AlertPolicy()
    news = [DecidedReport(r, (), related(r)) for r in _days_of_news()]
    grouper, handed = StoryGrouper(policy), []
    for item in news:
        grouper.add(item)
        for story in grouper.final(item.report.published):
            first = story[0].report.published
            assert (
                not story[0].related
                or first is None
                or (item.report.published - first > policy.duplicate_window)
            )
            handed.append(story)
    handed += grouper.rest()
    expected = group_stories(news, policy)
    assert [s for s in expected if s[0].related] == [s for s in handed if s[0].related]
    assert sorted(id(s[0]) for s in expected) == sorted(id(s[0]) for s in handed)


def test_a_write_failing_while_workers_read_raises_and_stops_the_reading(tmp_path: Path) -> None:
    """A batch that cannot be written (its claim is not in the config) fails the step with the
    write's error; the reading thread stops, and no report of that batch is stored."""
    config = load_config(DEMO_CONFIG_DIR)
    feeds = {f: Feed(id=f, url=f"http://127.0.0.1/{f}") for f in ("wire", "agency")}
    unknown = replace(config.claim("gornal-recaptured"), id="not-in-the-config")
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    reports = _days_of_news()
    with pytest.raises(KeyError):
        decide_overlapped(store, config, [unknown], reports, feeds, workers_from=1, chunk=4,
                          batch_reports=5)  # fmt: skip
    assert not [t for t in threading.enumerate() if t.name == "claimwatch-assess"]
    assert store.unseen(reports[:1]) == reports[:1]  # the first story's batch failed: not stored
