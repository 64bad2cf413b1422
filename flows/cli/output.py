"""Output helpers the commands share: the console, JSON, safe text cells and time phrases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.text import Text

from monitors.untrusted import printable

VERDICT_STYLE = {"confirm": "green", "contradict": "red", "disputed": "yellow"}
STATE_STYLE = {"confirmed": "green", "contradicted": "red", "disputed": "yellow"}


def make_console(stderr: bool = False) -> Console:
    """Rich console; off a terminal rich uses 80 columns (or $COLUMNS), which tables respect."""
    return Console(highlight=False, stderr=stderr)


def emit(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False))


def plain(text: str | None) -> str:
    """Feed text made safe for a terminal (``untrusted.printable``: line breaks kept)."""
    return printable(text)


def cell(text: str | None, style: str = "") -> Text:
    """A table cell from untrusted text: literal (no markup), one line of plain characters."""
    return Text(" ".join(plain(text).split()), style=style)


def print_indented(console: Console, text: Text, indent: int, hang: int = 0) -> None:
    """``text`` wrapped to the console, ``indent`` spaces in, continuation lines ``hang`` more
    (under the text of a "- " bullet), no trailing blanks: rich's own wrapping would start
    continuations at column 0."""
    lines = text.wrap(console, max(20, console.width - indent - hang))
    for number, line in enumerate(lines):
        line.rstrip()
        console.print(Text(" " * (indent + (hang if number else 0))) + line)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def stamp(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "undated"


def duration(delta: timedelta) -> str:
    """The largest whole unit of a time span: ``3d``, ``5h``, ``12m`` or ``40s``."""
    seconds = int(abs(delta.total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def ago(value: datetime | None, now: datetime) -> str:
    return "never" if value is None else f"{duration(now - value)} ago"
