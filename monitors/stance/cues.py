"""Finding cue phrases in a sentence: stemmed, in order, with small gaps allowed.

"still holding positions" matches "still holding some positions"; "regained control" matches
"regained dominant control". A word written with a trailing "*" is a prefix: "освобожд*" (folded
"osvobozhd") matches every ending of it, which is how inflected Russian and Ukrainian cues are
written. Phrases are indexed by their first stem (or prefix) so a sentence is scanned once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from monitors.text import stem, tokenize

MAX_GAP = 2  # words allowed between consecutive words of a cue phrase
# A phrase written "=doctored" matches its first word only as written: its stem is shared by
# another word that is no inflection of it in meaning ("doctors").
EXACT = "="
PREFIX_KEY = 3  # prefixes are indexed by their first letters; shorter ones are whole words

_Word = tuple[str, bool]  # (stem or prefix, is a prefix)
_Cue = tuple[str, str, tuple[_Word, ...], str]  # kind, phrase, words, first word as written


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
        self._index: dict[str, list[_Cue]] = defaultdict(list)
        self._prefixed: dict[str, list[_Cue]] = defaultdict(list)
        self._exact: set[str] = set()
        for kind, phrase in phrases:
            if phrase.startswith(EXACT):
                phrase = phrase[len(EXACT) :]
                self._exact.add(phrase)
            cue = compile_phrase(phrase)
            if not cue:
                continue
            first, is_prefix = cue[0]
            written = tokenize(phrase)[0]  # the first word, as the sentence will spell it
            if is_prefix:
                self._prefixed[first[:PREFIX_KEY]].append((kind, phrase, cue, written))
            else:
                self._index[first].append((kind, phrase, cue, written))

    def find(self, stems: Sequence[str], tokens: Sequence[str] | None = None) -> list[CueHit]:
        """Every cue occurrence, in sentence order. With the sentence's folded tokens, a word
        whose stem collides with a cue's but is no inflection of it ("planes" for "plan",
        the name "Denys" for "deny") is not the cue."""
        hits: list[CueHit] = []
        for start, first in enumerate(stems):
            candidates = chain(
                self._index.get(first, ()), self._prefixed.get(first[:PREFIX_KEY], ())
            )
            for kind, phrase, cue, written in candidates:
                if not _fits(first, cue[0]):
                    continue
                if tokens is not None and not cue[0][1] and not inflects(written, tokens[start]):
                    continue
                if tokens is not None and phrase in self._exact and tokens[start] != written:
                    continue  # "doctored" (faked) is not "doctors"
                end = _match_from(stems, start, cue)
                if end is not None:
                    hits.append(CueHit(kind, phrase, start, end))
        return hits

    def __bool__(self) -> bool:
        return bool(self._index) or bool(self._prefixed)


def compile_phrase(phrase: str) -> tuple[_Word, ...]:
    """A phrase's words: stems, or folded prefixes for words written with a trailing "*"."""
    out: list[_Word] = []
    for piece in phrase.split():
        tokens = tokenize(piece)
        if not tokens:
            continue
        wildcard = piece.endswith("*") and len(tokens[-1]) >= PREFIX_KEY
        out.extend((stem(t), False) for t in tokens[:-1])
        out.append((tokens[-1], True) if wildcard else (stem(tokens[-1]), False))
    return tuple(out)


_SIBILANT = ("s", "x", "z", "ch", "sh", "o")


_ENDINGS = (("ied", "y"), ("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def inflects(word: str, token: str) -> bool:
    """Could ``token`` be an English inflection of ``word``? Only clear misfits are refused:
    "-es" after a word that takes "-s" ("planes"), "-s" after a consonant + "y" ("Denys",
    also when the cue is written "denied": both are read from the base word)."""
    if token == word or not token.isascii():
        return True
    if word.endswith("ly") and not token.startswith(word):
        return False  # "like" is no form of "likely", "report" none of "reportedly"
    if not token.startswith(word):
        base = _base(word)
        return base == word or not token.startswith(base) or inflects(base, token)
    rest = token[len(word) :]
    if rest == "es" and not word.endswith(_SIBILANT):
        return False
    return not (rest == "s" and len(word) > 1 and word[-1] == "y" and word[-2] not in "aeiou")


def _base(word: str) -> str:
    """The word without a regular English ending ("denied" -> "deny"), for :func:`inflects`."""
    for ending, replacement in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)] + replacement
    return word


def _fits(stem_: str, word: _Word) -> bool:
    text, is_prefix = word
    return stem_.startswith(text) if is_prefix else stem_ == text


# A preposition of a cue phrase follows the word before it: "east of" is not "east Ukrainian
# city of", "trying to" not "trying hard to".
_BOUND = frozenset({"of", "to", "from", "in", "into", "on", "at", "for", "by", "with", "over"})


def _match_from(stems: Sequence[str], start: int, cue: tuple[_Word, ...]) -> int | None:
    position = start + 1
    for word in cue[1:]:
        gap = 0 if word in {(w, False) for w in _BOUND} else MAX_GAP
        window = stems[position : position + gap + 1]
        found = next((i for i, s in enumerate(window) if _fits(s, word)), None)
        if found is None:
            return None
        position += found + 1
    return position


def tagged(kind: str, phrases: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs (kind, phrase) for ``CueSet``."""
    return [(kind, p) for p in phrases]
