"""Feed discovery: from a web page's URL to the feeds it advertises.

A user often has a site's page, not its feed. The page is fetched with the monitor's own fetch
layer (``monitors.ingest.page``: the same size cap, TLS verification and timeouts); if it is
itself a feed, that is the answer. Otherwise the ``<link rel="alternate">`` elements of its
``<head>`` with an RSS, Atom or JSON Feed type are the feeds, their hrefs resolved against the
page's URL (after redirects). Only http(s) links are kept: a page must not point us at a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from monitors.ingest.fetch import FetchSettings
from monitors.ingest.page import FEED, decode, fetch_once, read_reports
from monitors.models import Feed
from monitors.untrusted import one_line, safe_link

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
}
DISCOVER_ID = "discover"  # the feed id fetch errors start with


@dataclass(frozen=True)
class Alternate:
    """A feed a page advertises: its absolute URL, its title (may be empty) and format."""

    url: str
    title: str
    kind: str  # rss | atom | json


@dataclass(frozen=True)
class Discovery:
    url: str  # the page's URL after redirects
    is_feed: bool  # the URL is itself a feed: ``alternates`` is empty
    alternates: tuple[Alternate, ...]


def discover(url: str, settings: FetchSettings) -> Discovery:
    """Fetch ``url`` once and say whether it is a feed, else which feeds it links to.
    Raises the fetch layer's ``FetchError`` (a 404, a timeout, a refused URL)."""
    result = fetch_once(Feed(id=DISCOVER_ID, url=url), settings)
    if read_reports(DISCOVER_ID, result).kind == FEED:
        return Discovery(result.url, True, ())
    return Discovery(
        result.url, False, find_alternates(decode(result.body, result.headers), result.url)
    )


def find_alternates(html: str, base_url: str) -> tuple[Alternate, ...]:
    """The feeds the page's head links to, in page order, each URL once."""
    finder = _AlternateFinder()
    finder.feed(html)
    finder.close()
    found: dict[str, Alternate] = {}
    for href, title, kind in finder.links:
        url = safe_link(urljoin(base_url, href.strip()))
        if url is not None and url not in found:
            found[url] = Alternate(url, one_line(title), kind)
    return tuple(found.values())


class _AlternateFinder(HTMLParser):
    """Collects (href, title, kind) of feed ``<link>``s until the body starts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._in_body = True
        if tag != "link" or self._in_body:
            return
        values = {name: value or "" for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        kind = FEED_TYPES.get(values.get("type", "").split(";", 1)[0].strip().lower())
        if "alternate" in rels and kind and values.get("href", "").strip():
            self.links.append((values["href"], values.get("title", ""), kind))

    handle_startendtag = handle_starttag
