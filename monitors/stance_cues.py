"""Finding cue phrases in a sentence: stemmed, in order, with small gaps allowed.

"still holding positions" matches "still holding some positions"; "regained control" matches
"regained dominant control". Phrases are indexed by their first stem so a sentence is scanned once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitors.text import stem, tokenize

MAX_GAP = 2  # words allowed between consecutive words of a cue phrase


@dataclass(frozen=True)
class CueHit:
    """One cue phrase found in a sentence."""

    kind: str  # lexicon name: refute, hedge, confirm, report, negation, competing, ...
    phrase: str  # the cue as written in the lexicon or claim file
    start: int  # token span in the sentence
    end: int


class CueSet:
    """A compiled set of cue phrases, each tagged with its kind."""

    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        self._index: dict[str, list[tuple[str, str, tuple[str, ...]]]] = defaultdict(list)
        for kind, phrase in phrases:
            stems = tuple(stem(t) for t in tokenize(phrase))
            if stems:
                self._index[stems[0]].append((kind, phrase, stems))

    def find(self, stems: Sequence[str]) -> list[CueHit]:
        """Every cue occurrence, in sentence order."""
        hits: list[CueHit] = []
        for start, first in enumerate(stems):
            for kind, phrase, cue in self._index.get(first, ()):
                end = _match_from(stems, start, cue)
                if end is not None:
                    hits.append(CueHit(kind, phrase, start, end))
        return hits

    def __bool__(self) -> bool:
        return bool(self._index)


def _match_from(stems: Sequence[str], start: int, cue: tuple[str, ...]) -> int | None:
    position = start + 1
    for word in cue[1:]:
        window = stems[position : position + MAX_GAP + 1]
        if word not in window:
            return None
        position += window.index(word) + 1
    return position


def tagged(kind: str, phrases: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs (kind, phrase) for ``CueSet``."""
    return [(kind, p) for p in phrases]
