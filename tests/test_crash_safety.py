"""A run killed with SIGKILL at any moment loses no alert and sends none twice (issue 11).

The workload: four feeds whose reports move the demo's two claims back and forth, and two feeds
that trickle their body for 2 s, so the first seconds of a run are its fetch. A reference run on
a fresh database gives the alerts expected. Then, for each moment (three in the fetch, three
around the decisions, three in the delivery), a run on a fresh database is killed (SIGKILL)
and a second run completes the cycle once the killed run's
leases (1 s here) have lapsed; the webhook must have received exactly the expected alerts, each
once, except an alert that was on the wire at the kill (at-least-once, counted: at most one).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path

import pytest

from alerts.deliver import build_channels, deliver_pending
from flows.config import load_config
from monitors.ingest.poll import RetryPolicy
from monitors.pipeline import RunOptions
from monitors.sharing import FeedClaims, monitor_cycle, plain_step
from monitors.state.store import Store
from tests.fixtures.configs import write_claims_and_feeds
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.fixtures.webhook_receiver import WebhookReceiver

LEASE = timedelta(seconds=1)
HOOK_SECRET = "crash-secret-0123456789"
HEADLINES = [
    "Russian forces recaptured Gornal, the defence ministry says",
    "Ukrainian troops are still holding Gornal, the General Staff says",
    "Moscow says it has regained full control of the Kursk region",
    "Kyiv: our troops are still holding positions in the Kursk region",
    "Gornal was retaken by Russian units overnight",
    "Kursk region fully liberated, Russia's defence ministry says",
]


def _workload(server: FeedServer, tag: str) -> dict[str, str]:
    base = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    feeds = {}
    for number in range(4):
        items = [
            {
                "title": HEADLINES[(number + i) % len(HEADLINES)],
                "guid": f"{tag}-{number}-{i}",
                "pub_date": formatdate((base + timedelta(hours=6 * i + number)).timestamp()),
            }
            for i in range(6)
        ]
        feeds[f"wire{number}"] = server.set_feed(f"/crash/{tag}/wire{number}.xml", rss_feed(items))
    for number in range(2):
        feeds[f"slow{number}"] = server.url(f"/slow?seconds=2&mode=during&n={tag}{number}")
    return feeds


def _config(directory: Path, feeds: dict[str, str], hook_url: str) -> Path:
    write_claims_and_feeds(directory, feeds)
    (directory / "channels.yaml").write_text(
        f"channels:\n  - name: hook\n    type: webhook\n    url: {hook_url}\n"
        f"    secret: {HOOK_SECRET}\n    timeout: 5\n",
        encoding="utf-8",
    )
    return directory


def _run(config_dir: str, database_url: str) -> None:
    """One whole run (lease, poll, decide, record, deliver) with 1 s leases."""
    config = load_config(config_dir, secrets=None)
    store = Store(database_url)
    try:
        retry = RetryPolicy(retries=0, delay_seconds=0)
        step = plain_step(store, config, RunOptions(), config.fetch, retry)
        claims = FeedClaims(run_id=uuid.uuid4().hex, cycle_start=datetime.now(UTC), lease=LEASE)
        monitor_cycle(store, config.feeds, step, claims)
        deliver_pending(store, build_channels(config.channels), lease=LEASE)
    finally:
        store.close()


def _keys(receiver: WebhookReceiver) -> Counter[str]:
    return Counter(r.headers["x-claimwatch-alert-key"] for r in receiver.requests)


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory, feed_server: FeedServer) -> Counter[str]:
    """The alerts of one uninterrupted run over the workload (alert keys are derived from the
    alerts' content, so every database gives the same ones)."""
    directory = tmp_path_factory.mktemp("reference")
    receiver = WebhookReceiver()
    receiver.start()
    try:
        config = _config(directory / "config", _workload(feed_server, "w"), receiver.url)
        _run(str(config), f"sqlite:///{directory / 'reference.db'}")
        keys = _keys(receiver)
    finally:
        receiver.stop()
    assert keys and set(keys.values()) == {1}
    return keys


def _wait(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


# (stage, moment): in the fetch and around the decisions, seconds after the slow feeds were
# asked for (their bodies end 2 s later); in the delivery, after that many alerts arrived.
MOMENTS = [
    ("fetch", 0.4),
    ("fetch", 1.0),
    ("fetch", 1.6),
    ("decide", 2.02),
    ("decide", 2.1),
    ("decide", 2.25),
    ("deliver", 1),
    ("deliver", 2),
    ("deliver", 3),
]


@pytest.mark.parametrize(("stage", "moment"), MOMENTS, ids=[f"{s}-{m}" for s, m in MOMENTS])
def test_a_run_killed_at_any_moment_loses_and_repeats_nothing(
    tmp_path: Path,
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    expected: Counter[str],
    stage: str,
    moment: float,
) -> None:
    config = _config(tmp_path / "crash", _workload(feed_server, "w"), webhook_receiver.url)
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    slow_asked = len(feed_server.requests_for("/slow"))
    webhook_receiver.delay_s = 0.3 if stage == "deliver" else 0.0
    child = multiprocessing.get_context("spawn").Process(target=_run, args=(str(config), url))
    child.start()
    if stage == "deliver":
        _wait(lambda: len(webhook_receiver.requests) >= moment, "the delivery")
    else:
        _wait(lambda: len(feed_server.requests_for("/slow")) > slow_asked, "the fetch")
        time.sleep(moment)
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join()
    sent_before = len(webhook_receiver.requests)
    if stage == "fetch":
        assert sent_before == 0, "the kill was meant to land in the fetch"
    webhook_receiver.delay_s = 0.0
    time.sleep(LEASE.total_seconds() + 0.2)
    _run(str(config), url)
    got = _keys(webhook_receiver)
    assert set(got) == set(expected), "an alert was lost or invented"
    repeated = sum(n - 1 for n in got.values())
    assert repeated <= 1, f"{repeated} alerts sent twice (at most the one on the wire may be)"
