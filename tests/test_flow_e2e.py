"""The whole pipeline under a real Prefect server: loopback feeds -> claims -> SMTP and webhook."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from alerts.signing import verify_signature
from monitors.pipeline import RunSummary
from monitors.state import history
from monitors.state.store import Store
from tests.conftest import SHARED
from tests.fixtures.configs import write_config as write_test_config
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.webhook_receiver import WebhookReceiver

SECRET = "e2e-webhook-secret"

GORNAL_TAKEN = {
    "guid": "wire-1",
    "title": "Russian forces recaptured Gornal, Moscow says",
    "link": "https://news.example/wire-1",
    "description": "Russia's defence ministry said its troops recaptured the village of Gornal.",
    "pub_date": "Sat, 26 Apr 2025 09:00:00 GMT",
}
UNRELATED = {
    "guid": "wire-2",
    "title": "Grain harvest forecast raised",
    "link": "https://news.example/wire-2",
    "description": "The agriculture ministry raised its wheat forecast.",
    "pub_date": "Sat, 26 Apr 2025 10:00:00 GMT",
}
GORNAL_DENIED = {
    **GORNAL_TAKEN,
    "description": GORNAL_TAKEN["description"]
    + " Ukraine's general staff denied that Russian forces had recaptured Gornal,"
    " saying its troops were still holding positions in the village.",
}


@dataclass
class Setup:
    config_dir: Path
    database_url: str
    feed_path: str


@pytest.fixture
def setup(tmp_path: Path, feed_server: FeedServer, webhook_receiver: WebhookReceiver) -> Setup:
    feed_path = f"/e2e/{tmp_path.name}.xml"
    return Setup(
        config_dir=tmp_path / "config",
        database_url=f"sqlite:///{tmp_path / 'state.db'}",
        feed_path=feed_path,
    )


def write_config(
    setup: Setup, feeds: Sequence[tuple[str, str]], smtp_port: int, hook_url: str
) -> None:
    write_test_config(setup.config_dir, dict(feeds), smtp_port, hook_url, SECRET)


def run(setup: Setup) -> RunSummary:
    from flows.monitor import monitor_claims

    # Retries stay on (a 5xx feed is fetched again) but without the production backoff delays.
    return monitor_claims(
        config_dir=str(setup.config_dir), database_url=setup.database_url, retry_delay_seconds=0
    )


def hook_payloads(receiver: WebhookReceiver) -> list[dict[str, Any]]:
    for request in receiver.requests:
        assert verify_signature(SECRET, request.headers["x-claimwatch-signature"], request.body)
    return [json.loads(r.body) for r in receiver.requests]


def test_alerts_delivered_once_then_again_on_denial(
    prefect_harness: None,
    setup: Setup,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """Email and webhook alert on a confirmation; a rerun sends nothing; an added denial alerts."""
    feed_server.set_feed(setup.feed_path, rss_feed([GORNAL_TAKEN, UNRELATED]))
    write_config(
        setup, [("wire", feed_server.url(setup.feed_path))], smtp_server.port, webhook_receiver.url
    )

    first = run(setup)
    assert (["wire"], 2, 1, 1) == (
        first.feeds_ok,
        first.new_reports,
        first.alerts_queued,
        first.alerts_sent // 2,
    )
    subjects = [m.message["Subject"] for m in smtp_server.messages]
    assert ["[claimwatch] CONFIRMED: Russian forces recaptured Gornal"] == subjects
    payload = hook_payloads(webhook_receiver)[0]["alert"]
    assert ("gornal-recaptured", "confirm", "unknown") == (
        payload["claim"]["id"],
        payload["verdict"],
        payload["previous_state"],
    )
    assert any(e["alias"] and "Gornal" in e["sentence"] for e in payload["evidence"])

    second = run(setup)
    assert (0, 0) == (second.new_reports, second.alerts_sent)
    assert 1 == len(smtp_server.messages)
    assert 1 == len(webhook_receiver.requests)

    feed_server.set_feed(setup.feed_path, rss_feed([GORNAL_DENIED, UNRELATED]))
    third = run(setup)
    assert (1, 2) == (third.new_reports, third.alerts_sent)
    latest = hook_payloads(webhook_receiver)[-1]["alert"]
    # Moscow's claim still stands in the report, now denied by Kyiv: both sides, so disputed.
    assert "disputed" == latest["verdict"]
    assert "confirmed" == latest["previous_state"]
    subject = smtp_server.messages[-1].message["Subject"]
    assert "[claimwatch] DISPUTED: Russian forces recaptured Gornal" == subject


def test_smtp_down_then_up_delivers_exactly_once(
    prefect_harness: None,
    setup: Setup,
    feed_server: FeedServer,
    stopped_smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """With SMTP down the email stays pending (webhook still sent); next run delivers it once."""
    feed_server.set_feed(setup.feed_path, rss_feed([GORNAL_TAKEN]))
    write_config(
        setup,
        [("wire", feed_server.url(setup.feed_path))],
        stopped_smtp_server.port,
        webhook_receiver.url,
    )

    first = run(setup)
    assert (1, 1) == (first.alerts_sent, first.alerts_pending)
    assert first.delivery_errors[0].startswith("email desk-email:")
    pending = Store(setup.database_url).outbox(status="pending")
    assert [("desk-email", 1)] == [(p.channel, p.attempts) for p in pending]

    stopped_smtp_server.start()
    second = run(setup)
    assert (1, 0) == (second.alerts_sent, second.alerts_pending)
    third = run(setup)
    assert 0 == third.alerts_sent
    assert 1 == len(stopped_smtp_server.messages)
    assert 1 == len(webhook_receiver.requests)


def test_failing_feed_does_not_fail_the_run(
    prefect_harness: None,
    setup: Setup,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """A 404 feed and a 500 feed are reported in the summary; the good feed still alerts."""
    feed_server.set_feed(setup.feed_path, rss_feed([GORNAL_TAKEN]))
    feeds = [
        ("good", feed_server.url(setup.feed_path)),
        ("gone", feed_server.url("/status/404")),
        ("broken", feed_server.url("/status/500")),
    ]
    write_config(setup, feeds, smtp_server.port, webhook_receiver.url)
    summary = run(setup)
    assert ["good"] == summary.feeds_ok
    assert ["broken", "gone"] == sorted(summary.feeds_failed)
    assert "404" in summary.feeds_failed["gone"]
    assert 2 == summary.alerts_sent
    health = history.feed_states(Store(setup.database_url).engine)
    assert (1, 0) == (health["gone"].consecutive_failures, health["good"].consecutive_failures)


def test_seed_story_is_disputed_for_kursk_and_confirms_gornal(
    prefect_harness: None,
    setup: Setup,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """The real seed article: Kursk control disputed (Russia vs Ukraine), Gornal confirmed."""
    seed = SHARED / "seed" / "kursk-gornal-article.txt"
    if not seed.is_file():
        pytest.skip(f"seed article not found at {seed}")
    lines = seed.read_text(encoding="utf-8").strip().splitlines()
    item = {
        "guid": "seed-1",
        "title": lines[0],
        "link": "https://news.example/seed",
        "description": "\n".join(lines[1:]),
        "pub_date": "Sat, 26 Apr 2025 09:00:00 GMT",
    }
    feed_server.set_feed(setup.feed_path, rss_feed([item]))
    write_config(
        setup, [("seed", feed_server.url(setup.feed_path))], smtp_server.port, webhook_receiver.url
    )
    run(setup)
    verdicts = {
        p["alert"]["claim"]["id"]: p["alert"]["verdict"] for p in hook_payloads(webhook_receiver)
    }
    assert {"kursk-control": "disputed", "gornal-recaptured": "confirm"} == verdicts
    subjects = sorted(m.message["Subject"] for m in smtp_server.messages)
    assert [
        "[claimwatch] CONFIRMED: Russian forces recaptured Gornal",
        "[claimwatch] DISPUTED: Russia has regained full control of the Kursk region",
    ] == subjects


def test_cli_run_with_a_shard_polls_only_that_shards_feeds(
    prefect_harness: None,
    setup: Setup,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """``claimwatch run --shard 0/2 --claim-batch 2`` polls the feeds of shard 0 and no other."""
    from flows.cli import main
    from monitors.sharing import Shard

    ids = [f"feed-{i}" for i in range(6)]
    for fid in ids:
        feed_server.set_feed(
            f"/shard/{setup.config_dir.parent.name}/{fid}.xml", rss_feed([UNRELATED])
        )
    feeds = [
        (fid, feed_server.url(f"/shard/{setup.config_dir.parent.name}/{fid}.xml")) for fid in ids
    ]
    write_config(setup, feeds, smtp_server.port, webhook_receiver.url)
    mine = {fid for fid in ids if Shard.parse("0/2").holds(fid)}
    assert 0 < len(mine) < len(ids)  # the test means something only if the shard splits them
    args = ["run", "--config", str(setup.config_dir), "--database-url", setup.database_url]
    assert 0 == main([*args, "--shard", "0/2", "--claim-batch", "2", "--no-deliver"])
    polled = {
        t.rsplit("/", 1)[-1].removesuffix(".xml") for t, _ in feed_server.requests if "/shard/" in t
    }
    assert polled == mine


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--shard", "2/2", "0 <= i < n"), ("--shard", "half", "expected 'i/n'"),
     ("--claim-batch", "0", "whole number >= 1")],
)  # fmt: skip
def test_cli_run_refuses_a_bad_shard_or_batch(
    option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["run", option, value])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
