"""Entity declarations in a feed's DOCTYPE are never expanded (quadratic blowup, issue 11)."""

from __future__ import annotations

import asyncio
import tracemalloc

import pytest

from monitors.ingest.fetch import FetchResult, FetchSettings, Validators, fetch_feed, make_client
from monitors.ingest.parse import parse_feed, without_internal_subset
from monitors.models import Feed
from tests.fixtures.feed_server import FeedServer

ENTITY_TEXT = "x " * 2_000  # 4 KB
REFERENCES = "&e;" * 2_000  # 8 MB once expanded: under expat's own amplification guard


def _blowup(encoding: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        f'<!DOCTYPE rss [<!ENTITY e "{ENTITY_TEXT}">]>'
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><title>Hostile &e;</title><description>{REFERENCES}</description>"
        "<guid>g1</guid></item>"
        "<item><title>Harmless neighbour</title><guid>g2</guid></item>"
        "</channel></rss>"
    ).encode(encoding)


def test_a_quadratic_blowup_is_read_without_expanding_it() -> None:
    body = _blowup()
    assert len(body) < 11_000
    tracemalloc.start()
    reports = parse_feed("hostile", body)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [r.report_id for r in reports] == ["g1", "g2"]
    assert all("x x x" not in r.title + r.summary for r in reports)
    assert peak < 5_000_000, f"parsing took {peak / 1e6:.1f} MB"


def test_a_utf16_blowup_is_not_expanded_either() -> None:
    body = b"\xff\xfe" + _blowup("utf-16-le")
    reports = parse_feed("hostile", body)
    assert "Harmless neighbour" in [r.title for r in reports]
    assert all("x x x" not in r.title + r.summary for r in reports)


async def _fetch(url: str) -> FetchResult:
    settings = FetchSettings(connect_timeout=2.0, read_timeout=2.0, deadline=5.0)
    async with make_client(settings) as client:
        return await fetch_feed(client, Feed("hostile", url), Validators(), settings)


def test_a_hostile_feed_served_over_http_costs_no_memory(feed_server: FeedServer) -> None:
    url = feed_server.set_feed("/f/blowup.xml", _blowup())
    result = asyncio.run(_fetch(url))
    tracemalloc.start()
    reports = parse_feed("hostile", result.body, result.headers, result.url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(reports) == 2 and peak < 5_000_000


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b'<!DOCTYPE rss [<!ENTITY e "x">]><rss/>', b"<!DOCTYPE rss ><rss/>"),
        # a "]" inside a literal or a comment does not end the subset
        (b'<!DOCTYPE r [<!ENTITY e "a]b"><!-- ] -->]><r/>', b"<!DOCTYPE r ><r/>"),
        # a "[" inside the external id is not a subset
        (b'<!DOCTYPE r SYSTEM "x[1].dtd"><r/>', b'<!DOCTYPE r SYSTEM "x[1].dtd"><r/>'),
        (
            b'<!DOCTYPE r PUBLIC "-//x" "y.dtd" [<!ENTITY e "z">]><r/>',
            b'<!DOCTYPE r PUBLIC "-//x" "y.dtd" ><r/>',
        ),  # fmt: skip
        (b"<rss><channel/></rss>", b"<rss><channel/></rss>"),
        # "<!DOCTYPE" in content, after the first element, is text
        (b"<rss><title>&lt;!DOCTYPE [</title></rss>", b"<rss><title>&lt;!DOCTYPE [</title></rss>"),
        (b'<!DOCTYPE r [<!ENTITY e "never closed', b"<!DOCTYPE r >"),
    ],
)
def test_without_internal_subset(document: bytes, expected: bytes) -> None:
    assert without_internal_subset(document) == expected
