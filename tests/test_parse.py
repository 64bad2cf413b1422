"""parse_feed on our own fixture feeds, and robustness over real-world feed files read by path."""

from __future__ import annotations

import gzip
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitors.errors import ParseError
from monitors.ingest.html_text import html_to_text
from monitors.ingest.parse import (
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    canonical_link,
    content_hash_for,
    parse_feed,
    report_id_for,
)
from monitors.models import Report
from tests.fixtures.feed_server import atom_feed, rss_feed

FEEDS = Path(__file__).parent / "feeds"
SHARED_FEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "feeds"
# Files this size or bigger take most of feedparser's time; CLAIMWATCH_FULL_CORPUS=1 includes them.
CORPUS_SIZE_LIMIT = 40_000


def _parse(name: str) -> list[Report]:
    return parse_feed("fixture", (FEEDS / name).read_bytes())


def _by_title(reports: list[Report]) -> dict[str, Report]:
    return {r.title: r for r in reports}


def test_rss_guid_becomes_report_id() -> None:
    """An item's GUID is its report id."""
    reports = _parse("basic.rss")
    expected = "wire-0001"
    assert expected == reports[0].report_id


def test_rss_link_is_canonicalised_for_id() -> None:
    """Without a GUID the id is the link with lower-case host, no fragment, no utm_* params."""
    report = _by_title(_parse("basic.rss"))["Council denies budget cut"]
    expected = "https://wire.example.org/news/budget?id=7"
    assert expected == report.report_id


def test_link_itself_is_kept_as_published() -> None:
    """Report.link keeps the feed's own link; only the id is canonical."""
    report = _by_title(_parse("basic.rss"))["Council denies budget cut"]
    expected = "HTTPS://Wire.Example.ORG/news/budget?id=7&utm_source=rss&UTM_Medium=feed#comments"
    assert expected == report.link


def test_no_guid_no_link_uses_text_hash() -> None:
    """Without GUID or link the id is sha256 of title and summary."""
    report = _by_title(_parse("basic.rss"))["Untracked note without guid or link"]
    digest = hashlib.sha256(b"Untracked note without guid or link\nPlain words only.").hexdigest()
    assert "sha256:" + digest == report.report_id


def test_ids_and_hashes_are_stable_across_calls() -> None:
    """Parsing the same bytes twice gives identical reports."""
    assert _parse("basic.rss") == _parse("basic.rss")


def test_html_stripped_and_entities_decoded() -> None:
    """Tags go, entities (including double-escaped ones) decode, whitespace collapses."""
    report = _parse("basic.rss")[0]
    expected = (
        "Bridge at Northfield & Eastgate reopened",
        "The bridge reopened on Monday morning. Traffic is light.",
    )
    assert expected == (report.title, report.summary)


def test_content_preferred_over_shorter_summary_and_script_dropped() -> None:
    """content:encoded beats a shorter description; script bodies are not text."""
    report = _by_title(_parse("basic.rss"))["Council denies budget cut"]
    expected = (
        'The council denied reports of a budget cut — officials said the plan "was never tabled".'
    )
    assert expected == report.summary


def test_dates_become_aware_utc() -> None:
    """pubDate with a +0300 / -0500 offset becomes the same instant in UTC."""
    reports = _parse("basic.rss")
    expected = [
        datetime(2025, 1, 6, 6, 30, tzinfo=UTC),
        datetime(2025, 1, 8, 4, 15, tzinfo=UTC),
        None,
    ]
    assert expected == [r.published for r in reports]


def test_atom_entries() -> None:
    """Atom: id, html title stripped, plain-text title kept literally, content preferred, UTC."""
    reports = _parse("basic.atom")
    actual = [(r.report_id, r.title, r.summary, r.published) for r in reports]
    expected = [
        (
            "urn:claimwatch:fixture:atom:1",
            "Port closed after storm",
            "The harbour authority said the port was closed until Friday.",
            datetime(2025, 2, 1, 12, 0, tzinfo=UTC),
        ),
        (
            "urn:claimwatch:fixture:atom:2",
            "Ferry schedule 5 < 7",
            "Ferries run every 5 minutes & more.",
            datetime(2025, 2, 2, 8, 0, tzinfo=UTC),
        ),
    ]
    assert expected == actual


def test_duplicate_guids_keep_first() -> None:
    """Two items with one GUID: the first one wins, order is kept."""
    reports = _parse("duplicate_guids.rss")
    expected = [("dup-1", "First version"), ("dup-2", "Other story")]
    assert expected == [(r.report_id, r.title) for r in reports]


def test_bozo_feed_with_entries_keeps_them() -> None:
    """A truncated feed still yields the entries before the break."""
    expected = ["broken-1", "broken-2"]
    assert expected == [r.report_id for r in _parse("bozo_entries.rss")]


def test_html_page_is_parse_error() -> None:
    """An HTML page served as a feed raises ParseError naming the feed."""
    with pytest.raises(ParseError) as info:
        _parse("not_a_feed.html")
    expected = ("fixture", True)
    assert expected == (info.value.feed_id, "not an RSS or Atom feed" in str(info.value))


@pytest.mark.parametrize("body", [b"", b"just some text", b'{"version": "json"}'])
def test_non_feed_bytes_are_parse_error(body: bytes) -> None:
    """Empty or non-XML bodies raise ParseError."""
    with pytest.raises(ParseError):
        parse_feed("junk", body)


def test_body_that_looks_like_a_path_is_not_opened(tmp_path: Path) -> None:
    """A body spelling a file path is parsed as content, never read from disk."""
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss_feed([{"title": "from disk", "guid": "disk-1"}]))
    with pytest.raises(ParseError):
        parse_feed("sneaky", str(secret).encode())


def test_empty_wellformed_feed_returns_nothing() -> None:
    """A well-formed feed with no items is an empty list, not an error."""
    expected: list[Report] = []
    assert expected == _parse("empty.rss")


def test_text_caps_applied() -> None:
    """Over-long titles and summaries are cut to the caps."""
    body = rss_feed([{"title": "t" * 5000, "description": "word " * 10_000, "guid": "long"}])
    report = parse_feed("caps", body)[0]
    expected = (MAX_TITLE_CHARS, MAX_SUMMARY_CHARS)
    assert expected == (len(report.title), len(report.summary))


def test_content_hash_changes_with_text_and_id_does_not() -> None:
    """An edited entry keeps its id but gets a new content hash."""
    before = parse_feed("f", rss_feed([{"guid": "g1", "title": "Old", "description": "a"}]))[0]
    after = parse_feed("f", rss_feed([{"guid": "g1", "title": "Old", "description": "b"}]))[0]
    assert (before.report_id, content_hash_for("Old", "b")) == (after.report_id, after.content_hash)


def test_title_derived_from_summary_when_missing() -> None:
    """An untitled entry is titled by the start of its text, so every report has a title."""
    report = parse_feed("f", rss_feed([{"guid": "g", "description": "Only a body here."}]))[0]
    expected = "Only a body here."
    assert expected == report.title


def test_entry_without_any_text_is_skipped() -> None:
    """An item with neither title nor description carries nothing to match: dropped."""
    body = rss_feed([{"guid": "empty"}, {"guid": "full", "title": "Has text"}])
    expected = ["full"]
    assert expected == [r.report_id for r in parse_feed("f", body)]


def test_non_http_links_are_not_exposed() -> None:
    """javascript: links never reach Report.link."""
    body = rss_feed([{"title": "x", "guid": "g", "link": "javascript:alert(1)"}])
    assert None is parse_feed("f", body)[0].link


def test_relative_links_resolved_against_base_url() -> None:
    """base_url resolves relative item links."""
    body = rss_feed([{"title": "x", "guid": "g", "link": "/story/1"}], link="")
    report = parse_feed("f", body, base_url="https://base.example.org/feed.xml")
    expected = "https://base.example.org/story/1"
    assert expected == report[0].link


def test_atom_builder_round_trip() -> None:
    """The fixture's atom_feed helper escapes text that parse_feed decodes back."""
    body = atom_feed(
        [{"id": "a1", "title": "Tom & Jerry <live>", "link": "https://x.org/?a=1&b=2"}]
    )
    report = parse_feed("f", body)[0]
    expected = ("Tom & Jerry <live>", "https://x.org/?a=1&b=2")
    assert expected == (report.title, report.link)


def test_gzip_body_without_content_encoding_is_expanded() -> None:
    """A gzip-compressed document is decompressed before parsing."""
    body = gzip.compress(rss_feed([{"title": "zipped", "guid": "z1"}]))
    expected = ["z1"]
    assert expected == [r.report_id for r in parse_feed("f", body)]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("HTTP://Example.COM:80/a?utm_campaign=x#top", "http://example.com/a"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com/p?b=2&utm_x=1&a=%20", "https://example.com/p?b=2&a=%20"),
        ("https://example.com:8443/p", "https://example.com:8443/p"),
    ],
)
def test_canonical_link(link: str, expected: str) -> None:
    """Canonical links: lower-case scheme/host, default port, fragment and utm_* dropped."""
    assert expected == canonical_link(link)


def test_report_id_precedence() -> None:
    """GUID beats link beats hash; blank GUIDs do not count."""
    actual = [
        report_id_for("  g-1 ", "https://x.org/", "t", "s"),
        report_id_for("   ", "https://X.org/#f", "t", "s"),
        report_id_for(None, None, "t", "s"),
    ]
    expected = ["g-1", "https://x.org/", "sha256:" + hashlib.sha256(b"t\ns").hexdigest()]
    assert expected == actual


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>one</p><p>two</p>", "one two"),
        ("<script>alert('x')</script><style>p{}</style>kept", "kept"),
        ("a &lt;b&gt; &amp;amp; &#233;\t\n  c", "a <b> &amp; é c"),
        ("bare < less than", "bare < less than"),
    ],
)
def test_html_to_text(fragment: str, expected: str) -> None:
    """Block tags separate words, script/style vanish, entities decode once, spaces collapse."""
    assert expected == html_to_text(fragment)


def _corpus() -> list[Path]:
    folders = [SHARED_FEEDS / "realworld", SHARED_FEEDS / "feedparser" / "illformed"]
    full = os.environ.get("CLAIMWATCH_FULL_CORPUS") == "1"
    files = [p for folder in folders if folder.is_dir() for p in sorted(folder.rglob("*"))]
    return [
        p
        for p in files
        if p.is_file() and p.suffix != ".md" and (full or p.stat().st_size < CORPUS_SIZE_LIMIT)
    ]


CORPUS = _corpus()


@pytest.mark.skipif(not CORPUS, reason=f"real-world feed corpus not found under {SHARED_FEEDS}")
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_realworld_corpus_parses_or_raises_parse_error(path: Path) -> None:
    """Each real-world file gives reports with ids and text, or a ParseError; nothing else."""
    try:
        reports = parse_feed(path.name, path.read_bytes())
    except ParseError as exc:
        assert path.name == exc.feed_id
        return
    problems = [r for r in reports if not (r.report_id and r.text.strip() and r.content_hash)]
    expected: list[Report] = []
    assert expected == problems
