"""JSON Feed 1.0/1.1 documents are read as feeds (issue 11), hostile fields ignored."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitors.errors import ParseError
from monitors.ingest.fetch import FetchResult, FetchSettings, Validators, fetch_feed, make_client
from monitors.ingest.parse import parse_feed
from monitors.models import Feed
from tests.fixtures.feed_server import FeedServer

JSON_FEED_TYPE = "application/feed+json"


def json_feed(items: list[dict[str, Any]], version: str = "1.1", **top: Any) -> bytes:
    document = {"version": f"https://jsonfeed.org/version/{version}", "title": "Wire", **top}
    return json.dumps({**document, "items": items}, ensure_ascii=False).encode()


ITEMS = [
    {
        "id": "gornal-1",
        "url": "https://news.example.org/gornal",
        "title": "Russian forces recaptured Gornal",
        "content_html": "<p>The defence ministry said <b>Gornal</b> was retaken.</p>",
        "date_published": "2026-11-30T08:15:00+02:00",
    },
    {
        "id": 42,
        "content_text": "Kyiv: our troops are still holding positions in the Kursk region",
        "date_modified": "2026-11-30T09:00:00Z",
    },
]


@pytest.mark.parametrize("version", ["1", "1.1"])
def test_a_json_feed_gives_the_reports_an_rss_feed_would(version: str) -> None:
    first, second = parse_feed("wire", json_feed(ITEMS, version))
    assert (first.report_id, first.title) == ("gornal-1", "Russian forces recaptured Gornal")
    assert first.summary == "The defence ministry said Gornal was retaken."
    assert first.link == "https://news.example.org/gornal"
    assert first.published == datetime(2026, 11, 30, 6, 15, tzinfo=UTC)
    assert second.report_id == "42" and second.title.startswith("Kyiv: our troops")
    assert second.published == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_relative_urls_resolve_against_the_feed_and_hostile_fields_are_ignored() -> None:
    items = [
        {"id": "a", "title": "Relative", "url": "/news/1"},
        {"id": "b", "title": "Script link", "url": "javascript:alert(1)"},
        {"id": ["not", "an", "id"], "title": {"not": "text"}, "content_text": "Typed wrongly"},
        "not an item",
        {"id": "c", "title": "<script>alert(1)</script>Plain title", "date_published": "soon"},
    ]
    body = json_feed(items, feed_url="https://news.example.org/feed.json")
    reports = {r.summary or r.title: r for r in parse_feed("wire", body)}
    assert reports["Relative"].link == "https://news.example.org/news/1"
    assert reports["Script link"].link is None
    assert reports["Typed wrongly"].title == "Typed wrongly"  # derived from the text
    plain = reports["<script>alert(1)</script>Plain title"]
    assert (
        plain.published is None
    )  # a title is plain text in JSON Feed: kept as text, escaped later


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"title": "no version", "items": []}', "without a JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "without an items list"),
        (b'{"version": ', "invalid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [], "x": "\xff"}', "not UTF-8"),
    ],
)
def test_json_that_is_not_a_json_feed_says_why(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed("wire", body, {"Content-Type": JSON_FEED_TYPE})
    assert reason in str(info.value)


def test_an_xml_feed_served_as_json_is_still_read_as_xml() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>Mislabelled</title><guid>m1</guid></item></channel></rss>"
    )
    (report,) = parse_feed("wire", rss, {"Content-Type": "application/json"})
    assert report.title == "Mislabelled"


async def _fetch(url: str) -> FetchResult:
    settings = FetchSettings(connect_timeout=2.0, read_timeout=2.0, deadline=5.0)
    async with make_client(settings) as client:
        return await fetch_feed(client, Feed("wire", url), Validators(), settings)


def test_a_json_feed_over_http(feed_server: FeedServer) -> None:
    url = feed_server.set_feed("/f/wire.json", json_feed(ITEMS), content_type=JSON_FEED_TYPE)
    result = asyncio.run(_fetch(url))
    reports = parse_feed("wire", result.body, result.headers, result.url)
    assert [r.report_id for r in reports] == ["gornal-1", "42"]


SHARED_FEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "feeds"
REAL_JSON_FEEDS = sorted(SHARED_FEEDS.rglob("*.json")) if SHARED_FEEDS.is_dir() else []


@pytest.mark.skipif(not REAL_JSON_FEEDS, reason=f"no JSON feeds under {SHARED_FEEDS}")
@pytest.mark.parametrize("path", REAL_JSON_FEEDS, ids=lambda p: p.name)
def test_real_world_json_feeds_are_read(path: Path) -> None:
    reports = parse_feed("real", path.read_bytes(), {"Content-Type": JSON_FEED_TYPE})
    assert reports and all(r.title for r in reports)
    assert len({r.report_id for r in reports}) == len(reports)
    assert all(r.link is None or r.link.startswith(("http://", "https://")) for r in reports)
