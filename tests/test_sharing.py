"""Concurrent monitor runs sharing one database's feeds: leases, shards, and no double alerts.

Real parts only: a real PostgreSQL server (and SQLite), the loopback feed server with 40 feeds,
an SMTP server and a webhook receiver. The runs are threads calling the steps the flow calls
(``monitors.sharing``); one test runs the flow itself, four at once, under Prefect's harness.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from alerts.deliver import deliver_configured
from flows.config import load_config
from flows.monitor import monitor_claims
from flows.params import MonitorParams
from monitors.ingest.poll import RetryPolicy
from monitors.models import Feed, Report
from monitors.paths import DEMO_CONFIG_DIR
from monitors.pipeline import RunOptions
from monitors.sharing import FeedClaims, Shard, monitor_cycle, plain_step, shard_feeds
from monitors.stance.engine import StanceEngine
from monitors.state import schema
from monitors.state.sql import lock_claims
from monitors.state.store import Store
from tests.fixtures.configs import write_config
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.stores import fresh_postgres_database
from tests.fixtures.webhook_receiver import WebhookReceiver

FEEDS = 40
GORNAL_FEEDS = range(0, 40, 4)  # every 4th feed confirms gornal-recaptured
KURSK_FEEDS = range(1, 40, 4)  # the next one contradicts kursk-control; the rest are unrelated
T0 = datetime(2025, 4, 26, 9, tzinfo=UTC)
HOOK = "desk-hook"


def feed_items(n: int) -> list[dict[str, str]]:
    """Two items per feed; one of them moves a claim on a quarter of the feeds each."""
    when = (T0 + timedelta(minutes=n)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    if n in GORNAL_FEEDS:
        title = f"Russian forces recaptured Gornal, outlet {n} says"
        text = "Russia's defence ministry said its troops recaptured the village of Gornal."
    elif n in KURSK_FEEDS:
        title = f"Ukrainian troops still holding positions in Kursk region, outlet {n} says"
        text = f"Kyiv said its units are still holding positions in the Kursk region ({n})."
    else:
        title = f"Grain exports rise at Odesa port, outlet {n}"
        text = "Shipping volumes grew in the third quarter."
    other = {"title": f"Weather in Kharkiv, outlet {n}", "description": "Rain expected."}
    return [
        {"guid": f"s{n}-1", "title": title, "description": text, "pub_date": when},
        {**other, "guid": f"s{n}-2", "pub_date": when},
    ]


@dataclass
class Farm:
    """40 feeds on the feed server, a config naming them, and one state database."""

    config_dir: Path
    database_url: str
    paths: list[str]
    feed_server: FeedServer
    hook: WebhookReceiver

    def requests_per_feed(self) -> dict[str, int]:
        return {p: len(self.feed_server.requests_for(p)) for p in self.paths}

    def add_items(self, round_number: int) -> None:
        """Every feed gets one more item; on the claim feeds it moves the claim back."""
        for n, path in enumerate(self.paths):
            items = feed_items(n) + [round_item(n, r) for r in range(1, round_number + 1)]
            self.feed_server.set_feed(path, rss_feed(items), etag=f'"{path}-{round_number}"')


def round_item(n: int, round_number: int) -> dict[str, str]:
    """Round 1 turns the claims (Gornal contradicted, Kursk confirmed), round 2 turns them back."""
    when = (T0 + timedelta(hours=round_number, minutes=n)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    turned = round_number % 2 == 1
    if n in GORNAL_FEEDS and turned:
        title = f"Ukrainian troops are still holding Gornal, outlet {n} says"
    elif n in GORNAL_FEEDS:
        title = f"Gornal was retaken by Russian units overnight, outlet {n} says"
    elif n in KURSK_FEEDS and turned:
        title = f"Moscow says it has regained full control of the Kursk region, outlet {n}"
    elif n in KURSK_FEEDS:
        title = f"Kyiv: our troops are still holding positions in the Kursk region, outlet {n}"
    else:
        title = f"Rain again in Kharkiv, outlet {n}"
    return {"guid": f"s{n}-round-{round_number}", "title": title, "pub_date": when}


@pytest.fixture
def farm_for(
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
    request: pytest.FixtureRequest,
) -> Callable[..., Farm]:
    """Build the farm on "sqlite" or "postgresql" (a fresh database on the test server),
    migrated before the runs race unless ``migrate=False``."""

    def build(backend: str, migrate: bool = True) -> Farm:
        tag = uuid.uuid4().hex[:8]  # the session's feed server outlives this test
        paths = [f"/sharing/{tag}/feed-{n:02d}.xml" for n in range(FEEDS)]
        for n, path in enumerate(paths):
            feed_server.set_feed(path, rss_feed(feed_items(n)), etag=f'"{tag}-{n}"')
        feeds = {f"feed-{n:02d}": feed_server.url(p) for n, p in enumerate(paths)}
        config = write_config(
            tmp_path / "config",
            feeds,
            smtp_server.port,
            webhook_receiver.url,
            "sharing-test-secret-0123",
        )
        if backend == "postgresql":
            url = fresh_postgres_database(request.getfixturevalue("postgres_url"))
        else:
            url = f"sqlite:///{tmp_path / 'state.db'}"
        if migrate:
            Store(url).close()
        return Farm(config, url, paths, feed_server, webhook_receiver)

    return build


def run_concurrently(runs: int, target: Callable[[int], None]) -> None:
    """``target(i)`` in ``runs`` threads released together; re-raises the first failure."""
    start = threading.Barrier(runs)
    errors: list[BaseException] = []

    def one(index: int) -> None:
        try:
            start.wait(timeout=30)
            target(index)
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    if errors:
        raise errors[0]


def pipeline_run(farm: Farm, claims: FeedClaims | None, shard: Shard | None = None) -> None:
    """One run as the flow takes it, without Prefect: its share of the feeds, then delivery."""
    config = load_config(farm.config_dir)
    store = Store(farm.database_url)
    try:
        retry = RetryPolicy(retries=0, delay_seconds=0)
        step = plain_step(store, config, RunOptions(), config.fetch, retry)
        monitor_cycle(store, config.feeds, step, claims, shard)
        deliver_configured(store, config.channels)
    finally:
        store.close()


def claims_of(run: int, cycle_start: datetime, batch: int = 3) -> FeedClaims:
    return FeedClaims(run_id=f"run-{run}", cycle_start=cycle_start, batch=batch)


def assert_each_once(farm: Farm) -> None:
    """Every feed fetched once, every report stored once, each claim moved once, each alert
    queued and sent once."""
    assert {p: 1 for p in farm.paths} == farm.requests_per_feed()
    store = Store(farm.database_url)
    try:
        with store.engine.connect() as conn:
            reports = conn.execute(select(func.count()).select_from(schema.reports)).scalar_one()
            changes = conn.execute(
                select(schema.state_changes.c.claim_id, schema.state_changes.c.state)
            ).all()
        hook_rows = [i for i in store.outbox() if i.channel == HOOK]
    finally:
        store.close()
    assert 2 * FEEDS == reports
    assert Counter(
        {("gornal-recaptured", "confirmed"): 1, ("kursk-control", "contradicted"): 1}
    ) == (Counter(tuple(row) for row in changes))
    transitions = Counter(i.alert.claim_id for i in hook_rows if i.alert.is_transition)
    assert Counter({"gornal-recaptured": 1, "kursk-control": 1}) == transitions
    sent = Counter(r.headers["x-claimwatch-alert-key"] for r in farm.hook.requests)
    delivered = {i.alert.key for i in hook_rows if i.status == "delivered"}
    assert ({k: 1 for k in delivered}, []) == (dict(sent), store_pending(farm))


def store_pending(farm: Farm) -> list[str]:
    store = Store(farm.database_url)
    try:
        return [i.alert.key for i in store.outbox(status="pending")]
    finally:
        store.close()


@pytest.mark.parametrize(("backend", "runs"), [("postgresql", 4), ("sqlite", 2)])
def test_concurrent_runs_poll_each_feed_once_and_send_each_alert_once(
    farm_for: Callable[..., Farm], backend: str, runs: int
) -> None:
    """N runs of one cycle split 40 feeds in leased batches: no feed, report, transition or
    webhook twice."""
    farm = farm_for(backend)
    cycle = datetime.now(UTC)
    run_concurrently(runs, lambda i: pipeline_run(farm, claims_of(i, cycle)))
    assert_each_once(farm)


@pytest.mark.parametrize(("backend", "runs"), [("postgresql", 4), ("sqlite", 2)])
def test_rounds_of_concurrent_runs_with_new_items_poll_once_and_alert_once(
    farm_for: Callable[..., Farm], backend: str, runs: int
) -> None:
    """Three rounds of N runs started together (each round its own cycle) on a database that
    nobody migrated first; between rounds every feed gets an item that turns both claims. No run
    crashes (the first round races the schema's creation too), each round polls each feed once,
    each claim changes state once a round, and each alert arrives once."""
    farm = farm_for(backend, migrate=False)
    for number in range(3):
        if number:
            farm.add_items(number)
        cycle, before = datetime.now(UTC), farm.requests_per_feed()
        run_concurrently(runs, lambda i, at=cycle: pipeline_run(farm, claims_of(i, at)))
        after = farm.requests_per_feed()
        assert {p: 1 for p in farm.paths} == {p: after[p] - before[p] for p in farm.paths}
    store = Store(farm.database_url)
    try:
        with store.engine.connect() as conn:
            changes = conn.execute(select(schema.state_changes.c.claim_id)).scalars().all()
        hook_rows = [i for i in store.outbox() if i.channel == HOOK]
    finally:
        store.close()
    assert Counter({"gornal-recaptured": 3, "kursk-control": 3}) == Counter(changes)
    sent = Counter(r.headers["x-claimwatch-alert-key"] for r in farm.hook.requests)
    delivered = [i for i in hook_rows if i.status == "delivered"]
    assert {i.alert.key: 1 for i in delivered} == dict(sent)
    assert 6 == len(delivered) == sum(i.alert.is_transition for i in delivered)
    # The other outlets' copies of each change were held back by the policy as duplicates.
    assert {"delivered", "suppressed"} == {i.status for i in hook_rows}


def test_without_leases_concurrent_runs_poll_every_feed_again(
    farm_for: Callable[..., Farm],
) -> None:
    """The control for the test above: runs that do not lease fetch each feed once per run."""
    farm = farm_for("postgresql")
    run_concurrently(4, lambda i: pipeline_run(farm, None))
    assert {p: 4 for p in farm.paths} == farm.requests_per_feed()


def test_the_next_cycle_polls_every_feed_again(farm_for: Callable[..., Farm]) -> None:
    """Within a cycle a second run finds nothing to poll; a later cycle_start polls all again."""
    farm = farm_for("postgresql")
    cycle = datetime.now(UTC)
    pipeline_run(farm, claims_of(0, cycle))
    pipeline_run(farm, claims_of(1, cycle))
    assert {p: 1 for p in farm.paths} == farm.requests_per_feed()
    pipeline_run(farm, claims_of(2, datetime.now(UTC)))
    assert {p: 2 for p in farm.paths} == farm.requests_per_feed()


def test_static_shards_split_the_feeds_between_runs(farm_for: Callable[..., Farm]) -> None:
    """Runs with shards 0/2 and 1/2 (and leases) together poll every feed exactly once."""
    farm = farm_for("postgresql")
    cycle = datetime.now(UTC)
    run_concurrently(2, lambda i: pipeline_run(farm, claims_of(i, cycle), Shard(i, 2)))
    assert_each_once(farm)


def test_every_feed_is_in_exactly_one_shard() -> None:
    """For n = 1..5 each feed id lands in one shard; the hash is fixed (not per-process)."""
    feeds = [Feed(f"feed-{n}", f"http://127.0.0.1/{n}") for n in range(200)]
    for count in range(1, 6):
        parts = [shard_feeds(feeds, Shard(i, count)) for i in range(count)]
        assert sorted(f.id for f in feeds) == sorted(f.id for part in parts for f in part)
        assert all(parts)
    # Golden: a release or a process that split feeds differently would poll some twice.
    assert [[0], [2]] == [
        [i for i in range(4) if Shard(i, 4).holds(f)] for f in ("wire", "feed-00")
    ]


@pytest.mark.parametrize("text", ["4/4", "1", "-1/2", "a/b", "1/0", ""])
def test_a_bad_shard_is_rejected_naming_the_field(text: str) -> None:
    """shard must be 'i/n' with 0 <= i < n; the error names the parameter and the form."""
    with pytest.raises(ValidationError, match=r"shard\n.*expected 'i/n' with 0 <= i < n"):
        MonitorParams(shard=text)


def test_claim_feeds_skips_live_leases_and_feeds_polled_this_cycle(state_store: Store) -> None:
    """A live lease or a poll since cycle_start keeps a feed out; an expired lease does not."""
    feeds = [Feed(f"f{n}", f"http://127.0.0.1/{n}") for n in range(4)]
    state_store.ensure_feeds(feeds)
    ids = [f.id for f in feeds]
    cycle, lease = datetime.now(UTC), timedelta(minutes=5)
    assert ["f0", "f1"] == state_store.claim_feeds(ids, "a", 2, lease, cycle)
    assert ["f2", "f3"] == state_store.claim_feeds(ids, "b", 5, lease, cycle)
    assert [] == state_store.claim_feeds(ids, "c", 5, lease, cycle)
    state_store.record_fetch_failure(feeds[0], "HTTP 500")  # polled: lease ends, cycle marked
    later = datetime.now(UTC) + lease + timedelta(seconds=1)
    assert ["f1", "f2", "f3"] == state_store.claim_feeds(ids, "d", 5, lease, cycle, now=later)


def test_deciding_about_a_claim_waits_for_another_decision_about_it(state_store: Store) -> None:
    """While one transaction holds gornal-recaptured's decision lock, a story about it waits."""
    claims = {c.id: c for c in load_config(DEMO_CONFIG_DIR).claims}
    title = "Russian forces recaptured Gornal, Moscow says"
    report = Report("wire", "r1", title, "", None, T0, "hash-r1")
    assessments = StanceEngine(list(claims.values())).assess(title, "")
    feed = Feed("wire", "http://127.0.0.1/wire")
    done = threading.Event()

    def decide() -> None:
        state_store.record_report(report, feed, assessments, claims, [HOOK])
        done.set()

    worker = threading.Thread(target=decide, daemon=True)
    with state_store.engine.connect() as conn, conn.begin():
        lock_claims(conn, ["gornal-recaptured"])
        worker.start()
        assert not done.wait(0.5)
    assert done.wait(10)
    worker.join()
    assert ["gornal-recaptured"] == [i.alert.claim_id for i in state_store.outbox()]


def test_runs_of_one_flow_cycle_share_the_feeds(
    prefect_harness: None, farm_for: Callable[..., Farm]
) -> None:
    """Four monitor_claims flow runs at once, one cycle_start, on PostgreSQL: each feed polled
    once, each alert sent once."""
    farm = farm_for("postgresql")
    cycle = datetime.now(UTC)

    def flow_run(_: int) -> None:
        monitor_claims(
            config_dir=str(farm.config_dir),
            database_url=farm.database_url,
            claim_batch=3,
            cycle_start=cycle,
            fetch_retries=0,
        )

    run_concurrently(4, flow_run)
    assert_each_once(farm)
