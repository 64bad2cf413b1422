"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org): its items as the entry mappings
``parse.entry_to_report`` reads, so a JSON Feed gives the same reports an RSS feed would.

Item fields that are not of the type the spec gives are ignored, never trusted: ``title``,
``summary`` and ``content_text`` are plain text, ``content_html`` is HTML (made text by the same
sanitising reader as RSS), ``url`` is resolved against the document's URL and then checked like
any link, dates are RFC 3339.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

VERSION_PREFIX = "https://jsonfeed.org/version/1"
_JSON_TYPES = ("application/feed+json", "application/json")


class NotAJsonFeed(ValueError):
    """JSON, but not a JSON Feed (the message says why)."""


def looks_like_json(data: bytes, headers: Mapping[str, str] | None) -> bool:
    """A body whose first character is "{", or served as JSON and not starting with "<" (an
    XML feed under a wrong Content-Type is still read as XML)."""
    first = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first == b"{":
        return True
    content_type = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type", "")
    return first != b"<" and any(t in content_type.lower() for t in _JSON_TYPES)


def json_feed_entries(data: bytes, base_url: str | None) -> list[dict[str, Any]]:
    """The document's items as entry mappings; raises ``NotAJsonFeed``."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise NotAJsonFeed(f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise NotAJsonFeed(f"invalid JSON: {exc.msg} (line {exc.lineno})") from exc
    except RecursionError as exc:  # "[[[[...]]]]" deeper than the decoder goes
        raise NotAJsonFeed("JSON nested too deeply") from exc
    if not isinstance(document, dict):
        raise NotAJsonFeed("a JSON document that is not an object")
    version = document.get("version")
    if not (isinstance(version, str) and version.startswith(VERSION_PREFIX)):
        raise NotAJsonFeed(f"JSON without a JSON Feed version ({VERSION_PREFIX}.x)")
    items = document.get("items")
    if not isinstance(items, list):
        raise NotAJsonFeed("a JSON Feed without an items list")
    base = _text(document.get("feed_url")) or base_url
    return [_entry(item, base) for item in items if isinstance(item, dict)]


def _entry(item: Mapping[str, Any], base: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if isinstance(item.get("id"), (str, int)) and not isinstance(item.get("id"), bool):
        entry["id"] = str(item["id"])
    link = _text(item.get("url")) or _text(item.get("external_url"))
    if link:
        entry["link"] = urljoin(base, link) if base else link
    if title := _text(item.get("title")):
        entry["title"] = title
        entry["title_detail"] = {"value": title, "type": "text/plain"}
    if summary := _text(item.get("summary")):
        entry["summary_detail"] = {"value": summary, "type": "text/plain"}
    content = []
    if html := _text(item.get("content_html")):
        content.append({"value": html, "type": "text/html"})
    if text := _text(item.get("content_text")):
        content.append({"value": text, "type": "text/plain"})
    entry["content"] = content
    for key, field in (("published_parsed", "date_published"), ("updated_parsed", "date_modified")):
        when = _date(item.get(field))
        if when is not None:
            entry[key] = when.timetuple()
    return entry


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> datetime | None:
    """An RFC 3339 date as UTC; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # RFC 3339 requires an offset; read none as UTC
    return parsed.astimezone(UTC)
