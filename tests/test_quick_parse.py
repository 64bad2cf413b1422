"""The quick reader either declines a document or gives exactly the reports feedparser gives."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from monitors.errors import ParseError
from monitors.ingest.parse import parse_feed
from monitors.ingest.quick_parse import decline_reason, quick_entries
from monitors.models import Report

FEEDS = Path(__file__).parent / "feeds"
SHARED_FEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "feeds"
BASE = "https://example.org/news/feed.xml"
HEADER_CASES: tuple[dict[str, str], ...] = (
    {},
    {"Content-Type": "application/rss+xml; charset=utf-8"},
    {"Content-Type": "application/xml", "Content-Location": "https://other.example/dir/"},
)


def _both(body: bytes, headers: Mapping[str, str]) -> tuple[object, object]:
    def run(quick: bool) -> list[Report] | str:
        try:
            return parse_feed("f", body, headers, base_url=BASE, quick=quick)
        except ParseError as exc:
            return f"ParseError: {exc}"

    return run(True), run(False)


def _documents() -> list[Path]:
    roots = [FEEDS, SHARED_FEEDS]
    files = [p for root in roots if root.is_dir() for p in sorted(root.rglob("*"))]
    return [p for p in files if p.is_file() and p.suffix not in {".md", ".py"}]


DOCUMENTS = _documents()


@pytest.mark.skipif(
    not SHARED_FEEDS.is_dir(), reason=f"shared feed corpus not found under {SHARED_FEEDS}"
)
def test_quick_reader_matches_feedparser_on_every_corpus_document() -> None:
    """Thousands of real and feedparser test documents: where the quick reader takes one, the
    reports are identical field for field; and it takes a fair share of the real-world feeds
    (it would be no use if it declined them all)."""
    taken_realworld = 0
    differences = []
    for path in DOCUMENTS:
        body = path.read_bytes()
        for headers in HEADER_CASES:
            if quick_entries(body, headers, BASE) is None:
                continue
            taken_realworld += "realworld" in path.parts and not headers
            quick, full = _both(body, headers)
            if quick != full:
                differences.append(f"{path} {headers}")
    assert differences == []
    assert taken_realworld >= 30, f"only {taken_realworld} real-world feeds read quickly"


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire</title>
<item><title>Forces enter Gornal</title><link>/2026/gornal</link><guid>g-1</guid>
<pubDate>Wed, 25 Nov 2026 12:00:00 GMT</pubDate><dc:creator>A. Writer</dc:creator>
<description>&lt;p&gt;Troops &lt;b&gt;entered&lt;/b&gt; the village&amp;nbsp;today.&lt;/p&gt;
</description>
<category>war</category></item>
<item><title>Second</title><guid isPermaLink="true">https://example.org/p/2</guid>
<description>Plain text.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>tag:x,2026:f</id>
<entry><title type="html">Kursk &lt;em&gt;retaken&lt;/em&gt;</title>
<link rel="alternate" href="entries/1"/><link rel="enclosure" href="a.mp3"/>
<id>tag:x,2026:1</id><updated>2026-11-25T12:00:00Z</updated>
<published>2026-11-24T08:30:00+02:00</published><summary>Short.</summary>
<content type="html">&lt;div&gt;The full &lt;a href="x"&gt;story&lt;/a&gt;.&lt;/div&gt;</content>
<author><name>B</name></author></entry>
</feed>"""


@pytest.mark.parametrize("document", [RSS, ATOM], ids=["rss2", "atom10"])
def test_plain_documents_are_read_quickly_and_as_feedparser_reads_them(document: str) -> None:
    body = document.encode()
    assert decline_reason(body, {}, BASE) is None
    quick, full = _both(body, {})
    assert isinstance(quick, list) and len(quick) >= 1
    assert quick == full


def test_quick_reader_resolves_links_dates_and_html_text() -> None:
    first, second = parse_feed("f", RSS.encode(), base_url=BASE)
    assert first.link == "https://example.org/2026/gornal"
    assert first.summary == "Troops entered the village today."  # &nbsp; as a space
    assert (
        first.published is not None and first.published.isoformat() == "2026-11-25T12:00:00+00:00"
    )
    assert second.link == "https://example.org/p/2"  # a permalink guid is the link
    (entry,) = parse_feed("f", ATOM.encode(), base_url=BASE)
    assert entry.title == "Kursk retaken"
    assert entry.link == "https://example.org/news/entries/1"
    assert entry.summary == "The full story."  # the longer of summary and content
    assert (
        entry.published is not None and entry.published.isoformat() == "2026-11-24T06:30:00+00:00"
    )


def _swap(document: str, old: str, new: str) -> bytes:
    assert old in document
    return document.replace(old, new, 1).encode()


DECLINED = {
    "doctype": (
        _swap(RSS, "<rss ", '<!DOCTYPE rss [<!ENTITY e "x">]><rss '),
        "a DOCTYPE",
    ),
    "latin-1": (_swap(RSS, 'encoding="utf-8"', 'encoding="iso-8859-1"'), "not UTF-8"),
    "leading space": (b"  " + RSS.encode(), "before the first tag"),
    "xml:base": (_swap(ATOM, "<entry>", '<entry xml:base="https://b.example/">'), "xml:base"),
    "script": (_swap(RSS, "&lt;b&gt;", "&lt;script&gt;x()&lt;/script&gt;&lt;b&gt;"), "markup"),
    "comment": (_swap(RSS, "&lt;b&gt;", "&lt;!-- c --&gt;&lt;b&gt;"), "markup"),
    "bare ampersand": (_swap(RSS, "&amp;nbsp;", "&amp;nbsp"), "markup"),
    "html-ish title": (_swap(RSS, "Forces enter", "Forces &amp;amp; tanks enter"), "title"),
    "C1 character": (_swap(RSS, "Plain text.", "Plain&#150;text."), "C1"),
    "dc:title": (_swap(RSS, "<category>", "<dc:title>Other</dc:title><category>"), "item element"),
    "xhtml": (
        _swap(
            ATOM,
            "<summary>Short.</summary>",
            '<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">S</div></summary>',
        ),
        "xhtml",
    ),  # fmt: skip
    "two alternates": (
        _swap(ATOM, 'rel="enclosure"', 'rel="alternate" type="text/plain"'),
        "alternate",
    ),  # fmt: skip
    "RSS 0.91": (_swap(RSS, 'version="2.0"', 'version="0.91"'), "not RSS 2.0"),
    "ill-formed": (_swap(RSS, "</channel>", ""), "not well-formed"),
    "no entries": (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
        "no entries",
    ),
}


@pytest.mark.parametrize("name", DECLINED)
def test_documents_needing_feedparser_are_declined_and_still_parsed(name: str) -> None:
    body, reason = DECLINED[name]
    found = decline_reason(body, {}, BASE)
    assert found is not None and reason in found, found
    quick, full = _both(body, {})
    assert quick == full  # a declined document is feedparser's, whatever it is


@pytest.mark.parametrize(
    ("content_type", "taken"),
    [
        ("application/rss+xml; charset=utf-8", True),
        ("application/rss+xml", True),
        ("application/rss+xml; charset=windows-1251", False),
        ("text/xml", False),  # US-ASCII to feedparser (RFC 3023)
        ("text/xml; charset=UTF-8", True),
    ],
)
def test_served_charset_decides(content_type: str, taken: bool) -> None:
    assert (quick_entries(RSS.encode(), {"content-type": content_type}, BASE) is not None) is taken


def test_billion_laughs_is_never_expanded_by_the_quick_reader() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {c} "&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};">'
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )  # fmt: skip
        + ']><rss version="2.0"><channel><item><title>&i;</title></item></channel></rss>'
    ).encode()
    assert decline_reason(bomb) == "a DOCTYPE"
