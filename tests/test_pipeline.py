"""The monitor's steps without Prefect: deciding polled reports, dry runs and replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.config import load_config
from monitors.ingest.fetch import FetchSettings
from monitors.ingest.poll import FeedPoll
from monitors.models import ClaimState, Feed, Report, Validators
from monitors.paths import DEMO_CONFIG_DIR
from monitors.pipeline import RunOptions, poll_feed, process_polls
from monitors.replay import replay_claims
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
