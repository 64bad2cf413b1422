"""How an alert reads at a glance: the verdict's colour, the matched words, one line of why.

Pure functions over the domain objects, shared by the text and HTML bodies and the digest. The
colours are fixed here (never feed text), as pairs of text and background colour: a mail client
in dark mode that repaints the page keeps a coloured badge readable, since neither half of the
pair is left to it. Matched words are found in Python and returned as (text, marked) parts, so
the template escapes each part and no HTML is ever built from feed text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitors.models import Alert, ClaimState, Evidence, Verdict
from monitors.untrusted import one_line


@dataclass(frozen=True)
class Badge:
    """A word on a coloured ground: ``fg`` on ``bg`` (both CSS hex colours, ours)."""

    word: str
    fg: str
    bg: str


# (text, background): white on a dark green or red, near-black on amber; contrast >= 4.5:1.
GREEN = ("#ffffff", "#1b7f3b")
RED = ("#ffffff", "#b3261e")
AMBER = ("#1f1600", "#f2b01e")
GREY = ("#ffffff", "#52606d")
BLUE = ("#ffffff", "#2f5d8a")

_OF_VERDICT = {Verdict.CONFIRM: GREEN, Verdict.CONTRADICT: RED, Verdict.DISPUTED: AMBER}
_OF_STATE = {ClaimState.CONFIRMED: GREEN, ClaimState.CONTRADICTED: RED, ClaimState.DISPUTED: AMBER}
_OF_NOTICE = {"failing": AMBER, "recovered": GREEN, "disabled": GREY}


def verdict_badge(alert: Alert) -> Badge:
    """The headline's state word (``CONTRADICTED``, ``CORRECTED, NOW CONFIRMED``, ``FEED
    FAILING``) in the colour of what it says: an analyst's correction is blue, so it is never
    mistaken for the engine's own verdict."""
    word = one_line(alert.headline.split(":", 1)[0])
    if alert.health is not None:
        colours = _OF_NOTICE.get(alert.health.notice, GREY)
    elif alert.correction is not None:
        colours = BLUE
    else:
        colours = _OF_VERDICT.get(alert.verdict, GREY)
    return Badge(word, *colours)


def state_badge(state: ClaimState) -> Badge:
    """A claim state as a badge (the digest's net change): unknown is grey."""
    return Badge(state.value.upper(), *_OF_STATE.get(state, GREY))


@dataclass(frozen=True)
class Part:
    """A piece of a sentence; ``marked`` when it is the text that matched the claim's alias."""

    text: str
    marked: bool = False


def highlight(sentence: str, matched: str | None) -> tuple[Part, ...]:
    """``sentence`` split around every case-insensitive occurrence of ``matched``.

    Both are cleaned text. A ``matched`` that does not occur (the matcher saw a folded spelling)
    leaves the sentence whole: nothing is marked rather than the wrong words.
    """
    needle = one_line(matched)
    if not needle:
        return (Part(sentence),) if sentence else ()
    parts: list[Part] = []
    start = 0
    for found in re.finditer(re.escape(needle), sentence, re.IGNORECASE):
        if found.start() > start:
            parts.append(Part(sentence[start : found.start()]))
        parts.append(Part(found.group(0), marked=True))
        start = found.end()
    if start < len(sentence):
        parts.append(Part(sentence[start:]))
    return tuple(parts)


def marked_text(parts: Sequence[Part]) -> str:
    """The plain-text spelling of highlighted parts: matched words between asterisks."""
    return "".join(f"*{p.text}*" if p.marked else p.text for p in parts)


def why_line(item: Evidence) -> str:
    """One compact line of why the engine read the sentence as it did.

    Stance and score, the cue, the alias (only when it is not the very words highlighted in the
    sentence) and who says so, once each. The engine's own ``why`` sentence mostly restates the
    cue and alias; it is kept only when it names neither, i.e. when it says something else.
    """
    parts = [f"{item.stance.value}, score {item.score:.2f}"]
    cue, alias, matched = one_line(item.cue), one_line(item.alias), one_line(item.matched)
    if cue:
        parts.append(f'cue "{cue}"')
    if alias and alias.casefold() != matched.casefold():
        parts.append(f"alias {alias}")
    if item.attribution:
        parts.append(f"attributed to {one_line(item.attribution)}")
    why = one_line(item.why)
    folded = why.casefold()
    if why and not any(word and word.casefold() in folded for word in (cue, alias)):
        parts.append(why)
    return " · ".join(parts)
