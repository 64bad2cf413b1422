"""poll_all: every feed of a run in one step, against the real feed server on 127.0.0.1."""

from __future__ import annotations

import pickle
import socket
import time
from pathlib import Path

from monitors.ingest.fetch import FetchSettings
from monitors.ingest.parse import parse_feed, parse_job
from monitors.ingest.poll import FeedPoll, RetryPolicy, poll_all
from monitors.models import Feed, Validators
from tests.fixtures.feed_server import FeedServer, atom_feed, rss_feed

FAST = FetchSettings(connect_timeout=2.0, read_timeout=5.0, deadline=5.0, concurrency=16)
NO_RETRY = RetryPolicy(retries=0, delay_seconds=0)


def _items(tag: str, count: int) -> list[dict[str, str]]:
    return [
        {
            "guid": f"{tag}-{i}",
            "title": f"Report {i} from {tag}",
            "description": f"Body of report {i} <b>from</b> {tag}",
            "link": f"https://news.example/{tag}/{i}",
            "pub_date": "Sat, 26 Apr 2025 09:00:00 GMT",
        }
        for i in range(count)
    ]


def _serve(feed_server: FeedServer, tag: str, count: int, items: int = 3) -> list[Feed]:
    """``count`` feeds with ETags, half RSS and half Atom."""
    feeds = []
    for i in range(count):
        path = f"/poll/{tag}/{i}.xml"
        entries = _items(f"{tag}{i}", items)
        if i % 2:
            atom = [
                {"id": e["guid"], "title": e["title"], "summary": e["description"]} for e in entries
            ]
            feed_server.set_feed(path, atom_feed(atom), etag=f'"{tag}-{i}"')
        else:
            feed_server.set_feed(path, rss_feed(entries), etag=f'"{tag}-{i}"')
        feeds.append(Feed(id=f"{tag}-{i}", url=feed_server.url(path)))
    return feeds


def _validators_of(polls: list[FeedPoll]) -> dict[str, Validators]:
    return {p.feed.id: p.validators for p in polls if p.validators is not None}


def test_many_feeds_are_fetched_concurrently_in_one_step(feed_server: FeedServer) -> None:
    """16 feeds that each take 0.4 s to answer finish together, not in 16 x 0.4 s."""
    feeds = [
        Feed(id=f"slowish-{i}", url=feed_server.url(f"/slow?seconds=0.4&i={i}&t=conc"))
        for i in range(16)
    ]
    started = time.perf_counter()
    run = poll_all(feeds, {}, FAST, NO_RETRY, workers=0)
    elapsed = time.perf_counter() - started
    assert ([True] * 16, True) == ([p.ok and len(p.reports) == 1 for p in run.polls], elapsed < 1.5)
    assert [f.id for f in feeds] == [p.feed.id for p in run.polls]


def test_conditional_get_gives_304_and_nothing_is_parsed_again(feed_server: FeedServer) -> None:
    """The second poll sends each feed's ETag, gets 304, and parses no bytes at all."""
    feeds = _serve(feed_server, "cond", 6)
    first = poll_all(feeds, {}, FAST, NO_RETRY, workers=0)
    second = poll_all(feeds, _validators_of(first.polls), FAST, NO_RETRY, workers=0)
    assert [3] * 6 == [len(p.reports) for p in first.polls]
    assert ([True] * 6, [()] * 6) == (
        [p.not_modified for p in second.polls],
        [p.reports for p in second.polls],
    )
    assert (True, 0) == (first.stats.parsed_bytes > 0, second.stats.parsed_bytes)
    assert '"cond-0"' == feed_server.requests_for("/poll/cond/0.xml")[-1]["if-none-match"]


def test_slow_feed_hits_its_deadline_without_delaying_the_others(feed_server: FeedServer) -> None:
    """With a 1.5 s deadline, the fast feeds are done well before it; the slow one fails with
    the deadline named and is requested once, though retries are allowed."""
    settings = FetchSettings(connect_timeout=2.0, read_timeout=10.0, deadline=1.5, concurrency=4)
    fast = _serve(feed_server, "beside-slow", 12)
    slow = Feed(id="slow", url=feed_server.url("/slow?seconds=4&t=deadline"))
    run = poll_all([slow, *fast], {}, settings, RetryPolicy(retries=2, delay_seconds=0), workers=0)
    by_id = {p.feed.id: p for p in run.polls}
    assert all(by_id[f.id].ok for f in fast)
    assert max(by_id[f.id].finished_after for f in fast) < 0.75  # half the deadline
    assert "deadline" in (by_id["slow"].error or "")
    assert 1.5 <= by_id["slow"].finished_after < 3.0
    assert 1 == sum(1 for path, _ in feed_server.requests if path == "/slow?seconds=4&t=deadline")


def test_failing_feeds_keep_their_reasons_and_only_resets_and_5xx_are_retried(
    feed_server: FeedServer,
) -> None:
    """A 500 is fetched 1 + retries times, a 404 and a 429 with Retry-After once, a refused
    connection 1 + retries times; each keeps its reason and the good feed is still read."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    paths = {"broken": "/status/500?t=reasons", "gone": "/status/404?t=reasons"}
    paths["busy"] = "/retry-after/429?after=60&t=reasons"
    feeds = [Feed(id=k, url=feed_server.url(p)) for k, p in paths.items()]
    feeds.append(Feed(id="refused", url=f"http://127.0.0.1:{closed_port}/feed.xml"))
    feeds += _serve(feed_server, "good", 1)
    run = poll_all(feeds, {}, FAST, RetryPolicy(retries=2, delay_seconds=0.01), workers=0)
    errors = {p.feed.id: p.error or "" for p in run.polls}
    fetched = {k: sum(1 for t, _ in feed_server.requests if t == p) for k, p in paths.items()}
    assert {"broken": 3, "gone": 1, "busy": 1} == fetched
    assert ["HTTP 500", "HTTP 404", "HTTP 429", "connection failed", ""] == [
        next((w for w in ("HTTP 500", "HTTP 404", "HTTP 429", "connection failed") if w in e), e)
        for e in errors.values()
    ]


def test_a_retrying_feed_does_not_hold_up_the_others(feed_server: FeedServer) -> None:
    """A 503 waiting 0.5 s and 1 s before its retries; the other feeds are done long before."""
    flaky = Feed(id="flaky", url=feed_server.url("/status/503?t=backoff"))
    others = _serve(feed_server, "beside-flaky", 8)
    settings = FetchSettings(connect_timeout=2.0, read_timeout=5.0, deadline=5.0, concurrency=1)
    retry = RetryPolicy(retries=2, delay_seconds=0.5, jitter=0)
    run = poll_all([flaky, *others], {}, settings, retry, workers=0)
    by_id = {p.feed.id: p for p in run.polls}
    # Held up behind the flaky feed's one slot, the others would finish after its 1.5 s of
    # waits; 1.0 s leaves room for a loaded machine (0.6 s seen) and still tells the two apart.
    assert max(by_id[f.id].finished_after for f in others) < 1.0
    assert by_id["flaky"].finished_after >= 1.5
    assert "HTTP 503" in (by_id["flaky"].error or "")


def test_process_pool_parse_gives_the_same_reports_as_in_process(feed_server: FeedServer) -> None:
    """Parsing in 2 worker processes returns exactly the reports parsed here, in feed order."""
    feeds = _serve(feed_server, "pool", 10, items=20)
    feeds.append(Feed(id="not-a-feed", url=feed_server.url("/status/200?t=pool")))
    in_process = poll_all(feeds, {}, FAST, NO_RETRY, workers=0)
    pooled = poll_all(feeds, {}, FAST, NO_RETRY, workers=2, pool_threshold_bytes=0)
    assert (0, 2) == (in_process.stats.parse_workers, pooled.stats.parse_workers)
    assert [(p.feed, p.reports, p.error) for p in in_process.polls] == [
        (p.feed, p.reports, p.error) for p in pooled.polls
    ]
    assert [20] * 10 == [len(p.reports) for p in pooled.polls[:10]]
    assert "not an RSS or Atom feed" in (pooled.polls[-1].error or "")


def test_a_small_run_parses_in_process() -> None:
    """Below the pool threshold no worker process is started (it would cost more than it saves)."""
    assert 0 == poll_all([], {}, FAST).stats.parse_workers


def test_parse_job_result_pickles_like_parse_feed(feed_server: FeedServer) -> None:
    """A worker's result survives pickling unchanged: the same Report objects parse_feed gives."""
    body = rss_feed(_items("pickle", 5))
    expected = tuple(parse_feed("p", body, {}, base_url="https://news.example/"))
    outcome, seconds = pickle.loads(pickle.dumps(parse_job("p", body, {}, "https://news.example/")))
    assert (expected, True) == (outcome, seconds > 0)


def test_local_file_feeds_are_read_then_unchanged(tmp_path: Path) -> None:
    """A feed given as a path is read, then unchanged on the next poll with its validators."""
    path = tmp_path / "local.xml"
    path.write_bytes(rss_feed(_items("local", 2)))
    feeds = [Feed(id="local", url=str(path))]
    first = poll_all(feeds, {}, FAST, NO_RETRY, workers=0)
    second = poll_all(feeds, _validators_of(first.polls), FAST, NO_RETRY, workers=0)
    assert (2, True) == (len(first.polls[0].reports), second.polls[0].not_modified)


def test_summary_line_names_fetch_and_parse_times(feed_server: FeedServer) -> None:
    """The stats line says how many feeds, how long fetching took, and how many MB were parsed."""
    run = poll_all(_serve(feed_server, "line", 2), {}, FAST, NO_RETRY, workers=0)
    line = run.stats.line()
    assert line.startswith("poll ") and "fetched 2 feeds in" in line and "(in-process)" in line
    assert len(line) <= 80
