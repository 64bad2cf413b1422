"""Feed bytes -> ``Report`` objects (feedparser stays inside this module; JSON Feed is read by
``json_feed``, plain RSS/Atom by ``quick_parse``).

Ids are stable across runs: the entry GUID, else the canonical link, else ``sha256:`` + a hash of
the title and summary. ``content_hash`` changes whenever the normalised title or summary changes,
so an edited report is evaluated again under the same id.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import xml.etree.ElementTree as ElementTree
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import feedparser

from monitors.errors import ParseError
from monitors.ingest.html_text import html_to_text
from monitors.ingest.json_feed import NotAJsonFeed, json_feed_entries, looks_like_json
from monitors.ingest.quick_parse import quick_entries
from monitors.models import Report
from monitors.untrusted import collapse_whitespace, safe_link, truncate

MAX_TITLE_CHARS = 500
MAX_SUMMARY_CHARS = 20_000
MAX_GUNZIP_BYTES = 10_000_000  # a gzip body that was never decoded: cap what it may expand to
MAX_GUID_CHARS = 1_024  # longer GUIDs are hashed: they are ids, not text anyone reads
DERIVED_TITLE_CHARS = 120  # an entry without a title is titled by the start of its summary
_ELEMENT = re.compile(rb"<[A-Za-z_]")  # the first element ends the prolog, where a DOCTYPE is
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def parse_feed(
    feed_id: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    base_url: str | None = None,
    quick: bool = True,
) -> list[Report]:
    """Reports of one feed document, first occurrence of each id kept, in feed order.

    A JSON Feed is read by ``json_feed``, a plain RSS 2.0 or Atom 1.0 document by
    ``quick_parse`` (``quick=False``: never), everything else by feedparser. Raises
    ``ParseError`` when the body is not a feed (malformed or unrecognised, with no entries).
    """
    data = _gunzipped(feed_id, body)
    entries = _json_entries(feed_id, data, headers, base_url)
    if entries is None and quick:
        entries = quick_entries(data, headers, base_url)
    if entries is None:
        entries = _feedparser_entries(feed_id, without_internal_subset(data), headers, base_url)
    reports: dict[str, Report] = {}
    for entry in entries:
        report = entry_to_report(feed_id, entry)
        if report is not None and report.report_id not in reports:
            reports[report.report_id] = report
    return list(reports.values())


def parse_job(
    feed_id: str, body: bytes, headers: Mapping[str, str], url: str
) -> tuple[tuple[Report, ...] | str, float]:
    """``parse_feed`` as a worker job: the reports, or why the body is not a feed, and the
    seconds parsing took. The error goes back as text: our exceptions do not survive pickling
    (their __init__ takes two args)."""
    started = time.perf_counter()
    try:
        outcome: tuple[Report, ...] | str = tuple(parse_feed(feed_id, body, headers, base_url=url))
    except ParseError as exc:
        outcome = str(exc)
    return outcome, time.perf_counter() - started


def _gunzipped(feed_id: str, body: bytes) -> bytes:
    """Bodies still gzip-compressed (a .xml.gz served without Content-Encoding) are expanded."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(body, MAX_GUNZIP_BYTES + 1)
    except zlib.error as exc:
        raise ParseError(feed_id, f"corrupt gzip body: {exc}") from exc
    if len(data) > MAX_GUNZIP_BYTES:
        raise ParseError(feed_id, f"gzip body expands past {MAX_GUNZIP_BYTES} bytes")
    return data


def _json_entries(
    feed_id: str, data: bytes, headers: Mapping[str, str] | None, base_url: str | None
) -> list[dict[str, Any]] | None:
    """A JSON Feed's entries; None for a document that is not JSON (an XML feed)."""
    if not looks_like_json(data, headers):
        return None
    try:
        return json_feed_entries(data, base_url)
    except NotAJsonFeed as exc:
        raise ParseError(feed_id, f"not a feed: {exc}") from exc


def without_internal_subset(data: bytes) -> bytes:
    """The document with its DOCTYPE's internal subset (``[...]``) removed.

    The subset is where entities are declared; expat expands them, and one 4 KB entity used
    2,000 times in a 10 KB feed becomes 8 MB of text (below expat's own amplification guard)
    before feedparser's sanitiser reads it. No feed needs its own entities: without their
    declarations they are left unexpanded. Only an ASCII-compatible prolog is searched; a UTF-16
    document is re-encoded around the same search.
    """
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            stripped = without_internal_subset(text.encode("utf-8"))
            return bom + stripped.decode("utf-8").encode(codec)
    first_element = _ELEMENT.search(data)
    start = data.find(b"<!DOCTYPE", 0, first_element.start() if first_element else len(data))
    if start < 0:
        return data
    opening = _subset_start(data, start + len(b"<!DOCTYPE"))
    if opening is None:
        return data
    closing = _subset_end(data, opening + 1)
    if closing is None:
        return data[:opening] + b">"  # an unterminated subset: nothing after it is a feed
    return data[:opening] + data[closing + 1 :]


def untrusted_xml(source: str, data: bytes) -> ElementTree.Element:
    """The root element of an XML document that is not a feed (an OPML file), DOCTYPE refused.

    Where ``without_internal_subset`` lets a feed keep its DOCTYPE minus the entity declarations,
    a document parsed here into a tree has no use for one at all, so any DOCTYPE is refused: the
    parser stops at the end of the declaration, before the document's content (where entities
    would be expanded) is read, in whatever encoding the document is written. References to
    entities it never declared are not well-formed, and refused as such.
    """
    parser = ElementTree.XMLParser(target=_NoDoctype())
    try:
        parser.feed(data)
        return parser.close()
    except _DoctypeRefused as exc:
        raise ParseError(
            source,
            f"declares a DOCTYPE ({exc}): refused, entities it declares could expand to gigabytes; "
            "remove the <!DOCTYPE ...> declaration (OPML needs none)",
        ) from None
    except ElementTree.ParseError as exc:
        raise ParseError(source, f"not well-formed XML: {exc}") from None


class _DoctypeRefused(Exception):
    """Raised from inside the parser, so it stops before the document's content."""


class _NoDoctype(ElementTree.TreeBuilder):
    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise _DoctypeRefused(f"<!DOCTYPE {name}>")


def _subset_start(data: bytes, i: int) -> int | None:
    """Where the DOCTYPE's "[" is, skipping its name and quoted external ids; None if absent."""
    return _scan_to(data, i, b"[", stop=b">")


def _subset_end(data: bytes, i: int) -> int | None:
    """The "]" closing the subset, skipping quoted literals and comments."""
    return _scan_to(data, i, b"]")


def _scan_to(data: bytes, i: int, wanted: bytes, stop: bytes | None = None) -> int | None:
    """The position of ``wanted`` from ``i``, outside quoted literals and comments; None when
    ``stop`` (or the end, or an unclosed literal) comes first."""
    while i < len(data):
        char = data[i : i + 1]
        comment = data.startswith(b"<!--", i)
        if comment or char in (b'"', b"'"):
            opening, closing = (b"<!--", b"-->") if comment else (char, char)
            end = data.find(closing, i + len(opening))
            if end < 0:
                return None
            i = end + len(closing)
        elif char == wanted:
            return i
        elif char == stop:
            return None
        else:
            i += 1
    return None


def _feedparser_entries(
    feed_id: str, body: bytes, headers: Mapping[str, str] | None, base_url: str | None
) -> list[Any]:
    parsed = _run_feedparser(feed_id, body, headers, base_url)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise ParseError(feed_id, f"not an RSS or Atom feed ({_bozo_reason(parsed)})")
    return list(parsed.entries)


def _run_feedparser(
    feed_id: str, body: bytes, headers: Mapping[str, str] | None, base_url: str | None
) -> Any:
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    if base_url and "content-location" not in response_headers:
        response_headers["content-location"] = base_url
    try:
        # A file object, never bare bytes: feedparser tries open() on bytes that look like a path.
        return feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    except Exception as exc:  # feedparser's own crash on hostile input: report it as unparseable
        raise ParseError(feed_id, f"feedparser failed: {type(exc).__name__}: {exc}") from exc


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return "no entries and no recognised feed format; check the URL points at the feed"
    return truncate(collapse_whitespace(f"{type(exc).__name__}: {exc}"), 300)


def entry_to_report(feed_id: str, entry: Mapping[str, Any]) -> Report | None:
    """One feedparser entry as a ``Report``; None when it has no text at all."""
    title = truncate(_text_of(entry.get("title_detail"), entry.get("title")), MAX_TITLE_CHARS)
    summary = truncate(_summary_of(entry), MAX_SUMMARY_CHARS)
    if not title and not summary:
        return None
    title = title or truncate(summary, DERIVED_TITLE_CHARS)
    link = _clean_link(entry.get("link"))
    return Report(
        feed_id=feed_id,
        report_id=report_id_for(entry.get("id"), entry.get("link"), title, summary),
        title=title,
        summary=summary,
        link=link,
        published=_published_of(entry),
        content_hash=content_hash_for(title, summary),
    )


def _text_of(detail: Mapping[str, Any] | None, fallback: Any = None) -> str:
    """Plain text of a feedparser text construct (type-aware: plain text is not parsed as HTML)."""
    value = detail.get("value") if detail else fallback
    if not isinstance(value, str):
        return ""
    if detail and detail.get("type") == "text/plain":
        return collapse_whitespace(value)
    return html_to_text(value)


def _summary_of(entry: Mapping[str, Any]) -> str:
    """The longest of the summary and the content blocks: full text beats a teaser."""
    candidates = [_text_of(entry.get("summary_detail"), entry.get("summary"))]
    candidates += [_text_of(block) for block in entry.get("content") or [] if block]
    return max(candidates, key=len)


def _published_of(entry: Mapping[str, Any]) -> datetime | None:
    """Publication (else update) time as an aware UTC datetime; feedparser gives UTC tuples."""
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            try:
                year, month, day, hour, minute, second = value[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def _clean_link(link: Any) -> str | None:
    """The entry's link, padding stripped, if ``untrusted.safe_link`` accepts it; else None."""
    return safe_link(link.strip()) if isinstance(link, str) else None


def report_id_for(guid: Any, link: Any, title: str, summary: str) -> str:
    """Stable id: GUID, else canonical link, else ``sha256:`` + hash of title and summary."""
    if isinstance(guid, str) and (guid := collapse_whitespace(guid)):
        return guid if len(guid) <= MAX_GUID_CHARS else "sha256:" + _sha256(guid)
    if isinstance(link, str) and (link := link.strip()):
        canonical = canonical_link(link)
        return canonical if len(canonical) <= MAX_GUID_CHARS else "sha256:" + _sha256(canonical)
    return "sha256:" + _sha256(f"{title}\n{summary}")


def canonical_link(link: str) -> str:
    """Lower-case scheme and host, default port, fragment and ``utm_*`` parameters dropped."""
    try:
        parts = urlsplit(link.strip())
    except ValueError:  # e.g. a broken IPv6 host: still a usable, stable id as written
        return link.strip()
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    if netloc.endswith(_DEFAULT_PORTS.get(scheme, "\0")):
        netloc = netloc[: -len(_DEFAULT_PORTS[scheme])]
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, _without_tracking(parts.query), ""))


def _without_tracking(query: str) -> str:
    """The query minus ``utm_*`` parameters, other parameters kept byte for byte and in order."""
    kept = [p for p in query.split("&") if p and not p.split("=", 1)[0].lower().startswith("utm_")]
    return "&".join(kept)


def content_hash_for(title: str, summary: str) -> str:
    """sha256 hex of the normalised title and summary."""
    return _sha256(f"{title}\n{summary}")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
