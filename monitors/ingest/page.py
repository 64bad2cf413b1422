"""One URL, fetched once: the reports of a feed, or a web page read as one report.

``claimwatch check --url`` scores what a URL holds against the claims. It fetches with the
monitor's own fetch layer (``fetch.py``: the same size cap, TLS verification, timeouts and
User-Agent) and reads a feed with the monitor's parser; a body that is no feed is taken as an HTML
page, whose visible text (never its scripts or styles) and ``<title>`` make one report.
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

from monitors.errors import ParseError
from monitors.ingest.fetch import FetchResult, FetchSettings, fetch_feed, make_client
from monitors.ingest.html_text import html_text_and_title
from monitors.ingest.parse import MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, content_hash_for, parse_feed
from monitors.models import Feed, Report, Validators
from monitors.untrusted import truncate

FEED = "feed"
PAGE = "page"


@dataclass(frozen=True)
class Fetched:
    """What a URL held: ``kind`` is ``feed`` (its entries) or ``page`` (one report)."""

    url: str  # after redirects
    kind: str
    reports: tuple[Report, ...]


def fetch_reports(feed: Feed, settings: FetchSettings | None = None) -> Fetched:
    """Fetch ``feed.url`` unconditionally (no stored validators: a 304 would show nothing) and
    read it; raises the fetch layer's ``FetchError``. ``settings``: the fetch defaults."""
    return read_reports(feed.id, fetch_once(feed, settings or FetchSettings()))


def fetch_once(feed: Feed, settings: FetchSettings) -> FetchResult:
    """``feed.url`` fetched unconditionally with the fetch layer; raises its ``FetchError``."""
    return asyncio.run(_fetch(feed, settings))


async def _fetch(feed: Feed, settings: FetchSettings) -> FetchResult:
    async with make_client(settings) as client:
        return await fetch_feed(client, feed, Validators(), settings)


def read_reports(feed_id: str, result: FetchResult) -> Fetched:
    """A feed's reports, or the page as one report when the body is no feed (an empty feed
    served as HTML is a page too: feedparser reads some pages as feeds without entries)."""
    try:
        reports = parse_feed(feed_id, result.body, result.headers, base_url=result.url)
    except ParseError:
        reports = None
    if reports or (reports is not None and not _is_html(result.headers)):
        return Fetched(result.url, FEED, tuple(reports))
    return Fetched(result.url, PAGE, (page_report(feed_id, result),))


def page_report(feed_id: str, result: FetchResult) -> Report:
    """The page as a report: its title, and its visible text as the summary, capped like a
    feed entry's; its id and link are the URL it was fetched from."""
    text, title = html_text_and_title(decode(result.body, result.headers))
    title = truncate(title, MAX_TITLE_CHARS)
    summary = truncate(text, MAX_SUMMARY_CHARS)
    return Report(
        feed_id=feed_id,
        report_id=result.url,
        title=title,
        summary=summary,
        link=result.url,
        content_hash=content_hash_for(title, summary),
    )


def decode(body: bytes, headers: Mapping[str, str]) -> str:
    """The body as text, in the charset Content-Type names (UTF-8 when it names none or one
    Python does not know); undecodable bytes become U+FFFD rather than failing the check."""
    charset = _charset(headers) or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    return body.decode(charset, errors="replace")


def _charset(headers: Mapping[str, str]) -> str | None:
    message = Message()
    message["content-type"] = headers.get("content-type", "")
    value = message.get_param("charset")
    return value if isinstance(value, str) else None


def _is_html(headers: Mapping[str, str]) -> bool:
    kind = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml")
