"""The common feed, read fast: well-formed UTF-8 RSS 2.0 and Atom 1.0 documents through expat.

feedparser is the first cycle's floor: its handlers are Python, about 5 MB/s a core, while expat
builds a tree of the same document at well over 50 MB/s. Most documents a desk polls are plain RSS
2.0 or Atom 1.0, and for those this module builds the entry mappings that ``parse.entry_to_report``
reads (``title_detail``, ``summary_detail``, ``content``, ``id``, ``link``, ``published_parsed``,
``updated_parsed``) with the values feedparser gives them.

It reads only what it is sure of and returns None for everything else, so feedparser, which repairs
and guesses, gets the document: a DOCTYPE (entity declarations are never expanded here), an
encoding other than UTF-8, ill-formed XML, ``xml:base``, XHTML or other typed content, a title that
feedparser might guess to be HTML, several alternate links, no entries.
``tests/test_quick_parse.py`` checks on every feed document in ``../shared/data/feeds`` (thousands
of real and feedparser test feeds) that this module either declines or yields exactly the reports
feedparser's path yields.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin

from feedparser.datetimes import _parse_date  # feedparser's own date reader: the same dates

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

Entry = dict[str, Any]

# Where feedparser puts an element's date: pubDate and Atom published are "published", the
# others "updated".
_RSS_DATES = {"pubDate": "published_parsed", DC_DATE: "updated_parsed"}
_ATOM_DATES = {ATOM + "published": "published_parsed", ATOM + "updated": "updated_parsed"}
# Elements that feedparser reads into fields ``entry_to_report`` never looks at. Any other element
# in an item or entry may feed a title, summary, link or date, so the document declines.
_WFW = "{http://wellformedweb.org/CommentAPI/}"
_THREAD = "{http://purl.org/syndication/thread/1.0}"
_COMMON_IGNORED = frozenset(
    (
        *(_WFW + "commentRss", _WFW + "commentRSS", _THREAD + "total", _THREAD + "in-reply-to"),
        "{http://purl.org/rss/1.0/modules/slash/}comments",
        "{http://madskills.com/public/xml/rss/module/trackback/}ping",
        "{http://purl.org/atom/app#}edited",
    )
)
_RSS_IGNORED = _COMMON_IGNORED | {
    *("author", "category", "comments", "enclosure"),
    *("{http://purl.org/dc/elements/1.1/}creator", "{http://purl.org/dc/elements/1.1/}subject"),
}
_ATOM_IGNORED = _COMMON_IGNORED | {
    ATOM + name for name in ("author", "contributor", "category", "rights")
}

# Atom text constructs: the type attribute as feedparser names it; others (xhtml, a MIME type)
# decline.
_ATOM_TYPES = {None: "text/plain", "text": "text/plain", "html": "text/html"}
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._-]+)", re.IGNORECASE)
_UTF8 = frozenset({"utf-8", "utf8"})
_BOM = b"\xef\xbb\xbf"


class _Decline(Exception):
    """The document needs feedparser; the message says why."""


def quick_entries(
    body: bytes, headers: Mapping[str, str] | None = None, base_url: str | None = None
) -> list[Entry] | None:
    """The document's entries as feedparser would map them, or None when feedparser must read it."""
    try:
        return _read(body, headers or {}, base_url)
    except _Decline:
        return None


def decline_reason(
    body: bytes, headers: Mapping[str, str] | None = None, base_url: str | None = None
) -> str | None:
    """Why ``quick_entries`` leaves this document to feedparser (None: it does not)."""
    try:
        _read(body, headers or {}, base_url)
    except _Decline as exc:
        return str(exc)
    return None


def _read(body: bytes, headers: Mapping[str, str], base_url: str | None) -> list[Entry]:
    _check_plain_utf8(body, headers)
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError) as exc:
        raise _Decline(f"not well-formed XML: {exc}") from exc
    entries = list(_entries(root, _content_location(headers) or base_url))
    if not entries:
        raise _Decline("no entries")  # feedparser says what the document is
    return entries


def _check_plain_utf8(body: bytes, headers: Mapping[str, str]) -> None:
    """A UTF-8 XML document with no DOCTYPE, served without a conflicting charset."""
    if not body.removeprefix(_BOM).startswith(b"<"):
        raise _Decline("something before the first tag")
    if b"<!DOCTYPE" in body or b"<!doctype" in body:
        raise _Decline("a DOCTYPE")
    declared = _ENCODING.match(body.removeprefix(_BOM)[:200])
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8:
        raise _Decline("declared encoding is not UTF-8")
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    charset = _CHARSET.search(content_type)
    if charset is not None and charset.group(1).lower() not in _UTF8:
        raise _Decline("served charset is not UTF-8")
    if charset is None and content_type.strip().lower().startswith("text/"):
        raise _Decline("text/* without a charset (US-ASCII to feedparser, RFC 3023)")


def _content_location(headers: Mapping[str, str]) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == "content-location"), None)


def _entries(root: ET.Element, base: str | None) -> Iterator[Entry]:
    _no_base(root)
    if root.tag == "rss" and root.get("version") == "2.0":
        channel = root.find("channel")
        if channel is None:
            raise _Decline("RSS without a channel")
        _no_base(channel)
        for item in channel.findall("item"):
            yield _rss_entry(item, base)
    elif root.tag == ATOM + "feed":
        for entry in root.findall(ATOM + "entry"):
            yield _atom_entry(entry, base)
    else:
        raise _Decline(f"not RSS 2.0 or Atom 1.0 (root {root.tag!r})")


def _rss_entry(item: ET.Element, base: str | None) -> Entry:
    _no_base(item)
    entry: Entry = {}
    link: str | None = None
    permalink: str | None = None
    for child in item:
        _no_base(child)
        tag = child.tag
        if tag == "title":
            entry["title_detail"] = {"value": _plain_title(child), "type": "text/plain"}
        elif tag == "description":
            entry["summary_detail"] = {"value": _html_text(child), "type": "text/html"}
        elif tag == CONTENT_ENCODED:
            entry.setdefault("content", []).append(
                {"value": _html_text(child), "type": "text/html"}
            )
        elif tag == "link":
            link = _leaf(child).strip()
        elif tag == "guid":
            guid = _leaf(child)
            if child.get("isPermaLink", "true") == "false":
                entry["id"], permalink = guid, None
            else:  # feedparser reads a permalink GUID as a URI, relative to the document
                permalink = entry["id"] = urljoin(base, guid.strip()) if base else guid
        elif tag in _RSS_DATES:
            _save_date(entry, _RSS_DATES[tag], child)
        elif tag not in _RSS_IGNORED:
            raise _Decline(f"item element {tag!r}")  # feedparser may map it into an entry field
    if link is None and permalink is not None:
        link = permalink
    if link:
        entry["link"] = urljoin(base, link) if base else link
    return _with_text(entry)


def _atom_entry(element: ET.Element, base: str | None) -> Entry:
    _no_base(element)
    entry: Entry = {}
    alternates: list[str] = []
    for child in element:
        _no_base(child)
        tag = child.tag
        if tag == ATOM + "title":
            entry["title_detail"] = _atom_text(child)
        elif tag == ATOM + "summary":
            entry["summary_detail"] = _atom_text(child)
        elif tag == ATOM + "content":
            if "src" in child.attrib:
                raise _Decline("out-of-line content (src)")
            entry.setdefault("content", []).append(_atom_text(child))
        elif tag == ATOM + "id":
            entry["id"] = _leaf(child)
        elif tag == ATOM + "link":
            if child.get("rel", "alternate") == "alternate" and child.get("href"):
                alternates.append(child.get("href", "").strip())
        elif tag in _ATOM_DATES:
            _save_date(entry, _ATOM_DATES[tag], child)
        elif tag not in _ATOM_IGNORED:
            raise _Decline(f"entry element {tag!r}")
    if len(alternates) > 1:
        raise _Decline("several alternate links")  # feedparser picks by type
    if alternates:
        entry["link"] = urljoin(base, alternates[0]) if base else alternates[0]
    return _with_text(entry)


def _with_text(entry: Entry) -> Entry:
    """An entry with a title or a summary; one without is feedparser's to fill in (or drop)."""
    texts = [entry.get("title_detail"), entry.get("summary_detail"), *entry.get("content", [])]
    if not any(t and t["value"].strip() for t in texts):
        raise _Decline("an entry without a title or summary")
    return entry


def _no_base(element: ET.Element) -> None:
    if XML_BASE in element.attrib:
        raise _Decline("xml:base")


def _leaf(element: ET.Element) -> str:
    """The text of an element that must hold text only, with no C1 control characters (feedparser
    reads those as the Windows-1252 characters a mis-encoded feed meant)."""
    if len(element):
        raise _Decline(f"markup inside {element.tag!r}")
    value = element.text or ""
    if _C1.search(value):
        raise _Decline("C1 control characters")
    return value


def _plain_title(element: ET.Element) -> str:
    """An RSS title: feedparser guesses whether it is HTML; one that could be is declined."""
    value = _leaf(element)
    if "<" in value or "&" in value:
        raise _Decline("a title that may be HTML")
    return value


def _html_text(element: ET.Element) -> str:
    """Escaped HTML (RSS description, content:encoded). Markup that feedparser's sanitiser would
    rewrite in a way that changes the visible text is left to feedparser."""
    value = _leaf(element)
    if ("<" in value or "&" in value) and not _SAFE_MARKUP.fullmatch(value):
        raise _Decline("markup beyond plain tags")
    return value


def _atom_text(element: ET.Element) -> dict[str, str]:
    kind = element.get("type")
    if kind not in _ATOM_TYPES or element.get("mode") is not None:
        raise _Decline(f"Atom text of type {kind!r}")
    value = _html_text(element) if kind == "html" else _leaf(element)
    return {"value": value, "type": _ATOM_TYPES[kind]}


def _save_date(entry: Entry, key: str, element: ET.Element) -> None:
    """feedparser's reading of the date; a later element of the same kind overwrites."""
    parsed: time.struct_time | None = _parse_date(_leaf(element))
    entry[key] = parsed


_C1 = re.compile("[\x80-\x9f]")
# Tags whose text feedparser's sanitiser and ``html_to_text`` treat differently (one drops the
# content, the other keeps it), or that hold no visible text: markup with any of them, comments,
# CDATA, declarations or incomplete character references is left to feedparser. Other tags and
# attributes do not change the text.
_SPECIAL_TAGS = (
    "script|style|applet|noscript|template|head|title|object|embed|iframe|frame|frameset|svg|math"
    "|form|textarea|select|option|button|input|base|meta|link|plaintext|xmp|listing|noembed"
)
# A complete character reference; a bare "&" or one without its ";" is read differently by the two.
_ENTITY = "&(?:#[0-9]++|#[xX][0-9a-fA-F]++|[A-Za-z][A-Za-z0-9]*+);"
_SAFE_MARKUP = re.compile(
    rf"(?:[^<&]++|{_ENTITY}|</?(?!(?:{_SPECIAL_TAGS})\b)[A-Za-z][A-Za-z0-9]*+(?:\s[^<>]*+)?+>)*+",
    re.IGNORECASE,
)
