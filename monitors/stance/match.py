"""Is a sentence about a claim's subject? Aliases (fuzzy, any script) or terms from the statement.

A claim with aliases is matched by them: after folding (NFKC, Cyrillic->Latin, case) each alias is
compared with every same-length window of the sentence's words using rapidfuzz; an inflected form
that starts with the alias ("Kurskoy" for "Kursk") also counts. A claim given only as a sentence
gets its subject terms from the statement: content words, names and numbers weighted higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from rapidfuzz import fuzz

from monitors.models import Claim
from monitors.stance.vocabulary import STOPWORDS, rarity
from monitors.text import stem, tokenize, words

_PREFIX_SCORE = 90.0  # what an inflected form scores: a stricter threshold rejects it
_PREFIX_MIN = 4  # alias tokens shorter than this must match whole words ("US" is not "use")


@dataclass(frozen=True)
class AliasHit:
    """Where a claim alias matched in a sentence."""

    alias: str  # the alias as the user wrote it
    matched: str  # the sentence's words that matched it
    score: float  # 0..1 similarity
    start: int  # token index of the match
    end: int


@dataclass(frozen=True)
class _Alias:
    text: str
    tokens: tuple[str, ...]
    joined: str


class ClaimMatcher:
    """Subject matching for one claim: compiled once, used for every sentence."""

    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        self.threshold = claim.threshold
        self.aliases = [_compile_alias(a) for a in claim.aliases if tokenize(a)]
        self.terms = claim_terms(claim.statement)
        alias_stems = {stem(t) for a in self.aliases for t in a.tokens}
        # The predicate: what the claim says about its subject ("regained full control").
        self.predicate = {t: w for t, w in self.terms.items() if t not in alias_stems}

    def find_alias(self, tokens: Sequence[str], surface: Sequence[str]) -> AliasHit | None:
        """The best alias match in a sentence's folded tokens, or None below the threshold."""
        best: AliasHit | None = None
        for alias in self.aliases:
            hit = _best_window(alias, tokens, surface, self.threshold)
            # On a tie the longer alias wins: "Gornal village" says more than "Gornal".
            if hit is not None and (best is None or _rank(hit) > _rank(best)):
                best = hit
        return best

    def coverage(self, stems: AbstractSet[str], terms: dict[str, float] | None = None) -> float:
        """Weighted share (0..1) of the claim's terms present in a set of stems."""
        terms = self.terms if terms is None else terms
        total = sum(terms.values())
        if not total:
            return 0.0
        return sum(w for t, w in terms.items() if t in stems) / total


def _rank(hit: AliasHit) -> tuple[float, int]:
    return (hit.score, hit.end - hit.start)


def _compile_alias(alias: str) -> _Alias:
    tokens = tuple(tokenize(alias))
    return _Alias(alias, tokens, " ".join(tokens))


def _best_window(
    alias: _Alias, tokens: Sequence[str], surface: Sequence[str], threshold: float
) -> AliasHit | None:
    size = len(alias.tokens)
    best: tuple[float, int] | None = None
    for start in range(0, len(tokens) - size + 1):
        window = tokens[start : start + size]
        score = _window_score(alias, window, threshold)
        if score and (best is None or score > best[0]):
            best = (score, start)
    if best is None:
        return None
    score, start = best
    matched = " ".join(surface[start : start + size])
    return AliasHit(alias.text, matched, score / 100.0, start, start + size)


def _window_score(alias: _Alias, window: Sequence[str], threshold: float) -> float:
    score = fuzz.ratio(alias.joined, " ".join(window), score_cutoff=threshold)
    if score:
        return score
    # Inflected forms: every word starts with the alias word and adds at most a short ending.
    if all(
        len(a) >= _PREFIX_MIN and w.startswith(a) and len(w) - len(a) <= 3
        for a, w in zip(alias.tokens, window, strict=True)
    ):
        return _PREFIX_SCORE if threshold <= _PREFIX_SCORE else 0.0
    return 0.0


def claim_terms(statement: str) -> dict[str, float]:
    """Stemmed content words of a statement -> weight: rarity, names and numbers count double."""
    terms: dict[str, float] = {}
    for index, (folded, raw) in enumerate(words(statement)):
        if folded in STOPWORDS or len(folded) < 2:
            continue
        named = (raw[:1].isupper() and index > 0) or folded.isdigit() or raw.isupper()
        weight = 2.0 if named else 1.0
        key = stem(folded)
        terms[key] = max(terms.get(key, 0.0), weight * max(rarity(key), 0.05))
    return terms


__all__ = ["AliasHit", "ClaimMatcher", "claim_terms"]
