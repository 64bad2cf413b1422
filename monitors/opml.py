"""OPML in and out: the feed lists RSS readers import and export.

An OPML file a desk brings from its reader is untrusted XML: it is parsed by
``monitors.ingest.parse.untrusted_xml`` (the one place that decides what XML may declare), which
refuses any DOCTYPE, so no entity is ever declared, let alone expanded. Folders are nested
``<outline>`` elements; a feed is an outline with an ``xmlUrl``. Version 1.0 and 2.0 read alike.

Writing uses ElementTree, so every name and URL is escaped as XML attribute text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.utils import formatdate

from monitors.errors import ConfigError, ParseError
from monitors.ingest.parse import untrusted_xml
from monitors.models import Feed
from monitors.untrusted import one_line

MAX_OPML_BYTES = 10_000_000  # a reader's export of thousands of feeds is well under 1 MB


@dataclass(frozen=True)
class Outline:
    """One ``<outline>`` that is not a folder: a feed when ``url`` is set, else a stray entry."""

    url: str  # the xmlUrl, stripped; "" when the outline has none
    title: str  # title, else text: one printable line
    html_url: str  # the site's page, when given
    folder: str  # the enclosing folders' titles, "News/World"; "" at the top
    position: int  # 1-based, in document order: how messages point at it


def read_opml(source: str, data: bytes) -> tuple[Outline, ...]:
    """Every feed and every leaf outline of an OPML document, in document order.

    Raises ``ConfigError`` (naming ``source``, the file) when the document is too large, is not
    well-formed, declares a DOCTYPE, or is not OPML."""
    if len(data) > MAX_OPML_BYTES:
        raise ConfigError(source, [f"larger than {MAX_OPML_BYTES} bytes: not a reader's OPML"])
    try:
        root = untrusted_xml(source, data)
    except ParseError as exc:
        raise ConfigError(source, [str(exc).removeprefix(f"{source}: ")]) from None
    body = root.find("body") if _local(root.tag) == "opml" else None
    if body is None:
        raise ConfigError(
            source, [f"not an OPML file: expected <opml> with a <body>, got <{_local(root.tag)}>"]
        )
    return tuple(
        Outline(url, title, html_url, folder, position)
        for position, (url, title, html_url, folder) in enumerate(_outlines(body, ()), start=1)
    )


def _outlines(
    parent: ElementTree.Element, folders: tuple[str, ...]
) -> Iterator[tuple[str, str, str, str]]:
    """(url, title, html_url, folder) of each feed or leaf under ``parent``, depth first."""
    for element in parent:
        if _local(element.tag) != "outline":
            continue
        attrs = {key.lower(): value for key, value in element.attrib.items()}
        title = one_line(attrs.get("title") or attrs.get("text"))
        url = attrs.get("xmlurl", "").strip()
        children = [c for c in element if _local(c.tag) == "outline"]
        if url or not children:
            yield url, title, attrs.get("htmlurl", "").strip(), "/".join(folders)
        yield from _outlines(element, (*folders, title or "untitled"))


def _local(tag: object) -> str:
    """An element's name without its namespace: OPML has none, but some writers add one."""
    return str(tag).rsplit("}", 1)[-1]


def write_opml(feeds: Sequence[Feed], title: str) -> bytes:
    """OPML 2.0 listing ``feeds``: title and text are the feed's label, xmlUrl its url."""
    opml = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(opml, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ElementTree.SubElement(opml, "body")
    for feed in feeds:
        ElementTree.SubElement(
            body, "outline", type="rss", text=feed.label, title=feed.label, xmlUrl=feed.url
        )
    ElementTree.indent(opml)
    written: bytes = ElementTree.tostring(opml, encoding="utf-8", xml_declaration=True)
    return written + b"\n"
