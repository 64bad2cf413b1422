"""Every rule about text that came from a feed: characters, links and length.

Titles, summaries, sentences, feed names and links are written by whoever runs a feed, so they are
hostile input. This module is the one place that decides what of that text may be shown: which
characters are dropped or become spaces, which links are links, and how text is cut. Email, the
webhook, Slack, Discord, the console, the Prefect artifacts and the HTML report all build on it.

What is *not* here is escaping for an output format (HTML entities, Slack's ``&lt;``, markdown
backslashes): that belongs to each renderer, and is applied to text this module has cleaned.
Clean first, then escape: removing a character can join what it separated (``<scr\\u2060ipt>``).

Plain Python on purpose (no Prefect, no alerts): the parse step and every renderer import it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

MAX_LINE = 300  # a title, claim statement, feed name or annotation shown on one line
MAX_LINK = 2048  # longer URLs are not shown as links (browsers and mail clients differ past it)

# C0 controls (NUL..US, including TAB, LF, CR and ESC), DEL and the C1 controls (0x80..0x9f).
# ESC and the C1 CSI would let a feed drive the reader's terminal; CR/LF would let it add headers.
_CONTROLS = "\x00-\x1f\x7f-\x9f"
# U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks in all but name.
_SEPARATORS = "\u2028\u2029"
# Bidirectional formatting: embeddings and overrides (U+202A..U+202E), isolates (U+2066..U+2069),
# and the implicit marks (U+200E LRM, U+200F RLM, U+061C ALM). An override makes text display in an
# order other than the one it is stored and matched in: "deined" wrapped in U+202E reads
# "denied". None of them changes what the words are, so dropping them only shows the stored order.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Characters with no width that can split, pad or hide text without the reader seeing it:
# soft hyphen, Mongolian vowel separator, zero-width space, word joiner, invisible operators
# (U+2061..U+2064), deprecated format controls (U+206A..U+206F), the byte-order mark / zero-width
# no-break space, interlinear annotation controls and the tag characters (U+E0000..U+E007F,
# invisible ASCII; the price is that a subdivision flag such as England's shows as a black flag).
# Kept on purpose: ZERO WIDTH NON-JOINER and JOINER (U+200C, U+200D), which Persian, the Indic
# scripts and emoji sequences need to be spelled right, and variation selectors.
_INVISIBLE = "\u00ad\u180e\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"

_DROPPED = re.compile(f"[{_BIDI}{_INVISIBLE}]+")
_TO_SPACE = re.compile(f"[{_CONTROLS}{_SEPARATORS}]+")
_SPACES = re.compile(r"\s{2,}")
# For text that keeps its line breaks: every control but TAB and LF, bidi and invisible characters.
_NOT_PRINTABLE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_INVISIBLE}]+")
_LINE_BREAK = re.compile(f"[{_SEPARATORS}]")
# A link holds none of the above and no whitespace of any kind (a space would end it somewhere).
_NOT_IN_LINK = re.compile(f"[{_CONTROLS}{_SEPARATORS}{_BIDI}{_INVISIBLE}\\s]")
# What the parse step removes before it stores text (see collapse_whitespace).
_STORED_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s+")

_LINK_SCHEMES = ("http", "https")


def truncate(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else cut to ``limit`` ending in ``…``.

    One character, not three dots, so a capped field is exactly ``limit`` long at most; trailing
    spaces before the cut go, so the ellipsis always follows a word.
    """
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def one_line(text: str | None, limit: int = MAX_LINE) -> str:
    """Feed text as one printable line of at most ``limit`` characters.

    Bidirectional formatting and invisible characters are removed (they would make the line read
    differently from what it says); controls and line separators become spaces (a line break in
    a subject is a header injection, ESC is a terminal command); runs of whitespace become one
    space and the ends are trimmed; the result is capped with ``truncate``.
    """
    if not text:
        return ""
    line = _SPACES.sub(" ", _TO_SPACE.sub(" ", _DROPPED.sub("", text))).strip()
    return truncate(line, limit)


def escaped_line(text: str | None, limit: int, escape: Callable[[str], str]) -> str:
    """``one_line``, then ``escape`` char by char; at most ``limit`` long *after* escaping.

    For targets with a hard length limit on escaped text (Slack, Discord). The cut falls between
    escapes, never inside one (half of ``&amp;`` would show as garbage); a cut text ends in ``…``.
    """
    pieces = [escape(char) for char in one_line(text, limit)]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept: list[str] = []
    used = 0
    for piece in pieces:
        if used + len(piece) > limit - 1:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept).rstrip() + "…"


def printable(text: str | None) -> str:
    """Feed text for a terminal, keeping its line breaks: nothing in it can drive the terminal.

    Controls other than TAB and LF are removed, not replaced (a removed ESC leaves ``[2J`` as
    harmless text), and so are bidirectional and invisible characters; U+2028 and U+2029 become
    LF, which is what they mean. For one-line cells use ``one_line`` or split and join.
    """
    return _LINE_BREAK.sub("\n", _NOT_PRINTABLE.sub("", text or ""))


def safe_link(url: str | None) -> str | None:
    """``url`` if it may be shown as a link, else None.

    A link is an absolute http or https URL with a host, at most ``MAX_LINK`` long, with no
    whitespace, controls, bidirectional or invisible characters in it. Everything else is None:
    ``javascript:`` and ``data:`` run or carry content, relative links resolve against wherever
    they are shown, and a URL whose characters hide part of it is a disguised link. The URL is
    returned unchanged, never repaired: a repaired link is one the feed did not publish.
    """
    if not url or len(url) > MAX_LINK or _NOT_IN_LINK.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.hostname:
        return None
    return url


def collapse_whitespace(text: str) -> str:
    """Text as the parse step stores it: controls removed, whitespace runs one space, ends trimmed.

    Deliberately milder than ``one_line``: it removes only the C0 controls that are not
    whitespace and DEL, and leaves C1, bidirectional and invisible characters in place. Stored
    text is the record of what the feed said, and its ``content_hash`` identifies a report
    version: cleaning it more would make every stored report containing such characters a new
    version (evaluated again, new evidence rows, a possible second alert). Whatever shows stored
    text applies the stricter display rules above.
    """
    return _WHITESPACE.sub(" ", _STORED_CONTROLS.sub("", text)).strip()
