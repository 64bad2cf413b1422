"""One token index over every alias of a claim set: which claims a report can be about.

Built once per claim set. Each alias is filed under its most distinctive word (the one with the
most consonants: "Kursk" in "Kursk region"; never the last of several words, which the text may
make plural or share: "Kursk and Belgorod regions"), keyed by the first consonants of that word's
transliteration skeleton. A report's words look up the same keys, so the work grows with the
report's words, not with reports x aliases x windows; a candidate is then verified word by word
(``match.match_at``). A claim whose aliases find no verified candidate can be skipped: it is
unrelated.

The keys are chosen so that the index never loses a match the word-level rules would accept:
every rule keeps the consonants (``match.consonants``) equal, extends them, or adds or drops one
consonant, and each of those keeps one of the three keys below in common.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from monitors.models import Claim
from monitors.stance.match import Alias, alias_forms, consonants, match_span, token_score
from monitors.stance.sentence import candidate_tokens

_WORD_CACHE = 200_000  # distinct words remembered per index (a news vocabulary fits)


@dataclass(frozen=True)
class IndexHit:
    """A verified alias match: claim, alias, token span and score (0..100)."""

    claim_id: str
    alias: str
    start: int
    end: int
    score: float
    order: int = 0  # the alias's place among its claim's aliases

    def rank(self) -> tuple[float, int, int, int]:
        """``ClaimMatcher.find_alias``'s choice: best score, then the longer alias, then the first
        alias in the claim's order, then the first position."""
        return (self.score / 100.0, self.end - self.start, -self.order, -self.start)


@dataclass(frozen=True)
class _Entry:
    claim_id: str
    alias: Alias
    anchor: int  # position of the indexed word inside the alias
    threshold: float
    order: int  # the alias's place among its claim's aliases (ties go to the first, as in match)


@lru_cache(maxsize=131072)
def alias_keys(token: str) -> frozenset[str]:
    """The keys an alias word is filed under: its first two consonants, and the two pairs left
    when its first or second consonant is dropped (a sentence word with one consonant fewer)."""
    c = consonants(token)
    return frozenset((c[:2], c[1:3], c[:1] + c[2:3]))


@lru_cache(maxsize=131072)
def lookup_keys(token: str) -> frozenset[str]:
    """The keys a sentence word looks up: the alias keys, and its first consonant and the empty
    key, for aliases with fewer than two consonants that the word extends ("Ufa" -> "Ufoy")."""
    c = consonants(token)
    return alias_keys(token) | {c[:1], ""}


class AliasIndex:
    """Every alias of a set of claims, filed by key."""

    def __init__(self, claims: Iterable[Claim]) -> None:
        self._entries: dict[str, list[_Entry]] = {}
        self._by_token: dict[str, tuple[_Entry, ...]] = {}
        self._raw_seen: set[str] = set()  # raw words worked out (``may_match``) ...
        self._hot: set[str] = set()  # ... and those that can anchor an alias
        self.aliases = 0
        for claim in claims:
            order = 0
            for text in claim.aliases:
                forms = [f for f in alias_forms(text) if f.tokens]
                if not forms:
                    continue
                self.aliases += 1
                for alias in forms:
                    anchor = alias.anchor
                    entry = _Entry(claim.id, alias, anchor, claim.threshold, order)
                    for key in alias_keys(alias.tokens[anchor]):
                        self._entries.setdefault(key, []).append(entry)
                order += 1

    def hits(
        self, tokens: Sequence[str], clauses: Sequence[int] | None = None
    ) -> Iterator[IndexHit]:
        """Every verified alias match in one sentence's folded tokens (a clause number per token
        keeps multi-word aliases inside one clause)."""
        for position, token in enumerate(tokens):
            for entry in self._anchored(token):
                start = position - entry.anchor
                score, end = match_span(entry.alias, start, tokens, clauses, entry.threshold)
                if score:
                    yield IndexHit(entry.claim_id, entry.alias.text, start, end, score, entry.order)

    def _anchored(self, token: str) -> tuple[_Entry, ...]:
        """The entries whose indexed word this sentence word matches, worked out once per
        distinct word: most words of a report match none, and cost one dictionary lookup."""
        found = self._by_token.get(token)
        if found is None:
            candidates = {
                id(e): e for key in lookup_keys(token) for e in self._entries.get(key, ())
            }
            found = tuple(
                e
                for e in candidates.values()
                if token_score(e.alias.tokens[e.anchor], token) >= e.threshold
            )
            if len(self._by_token) < _WORD_CACHE:
                self._by_token[token] = found
        return found

    def may_match(self, raw_words: set[str] | frozenset[str]) -> bool:
        """Can any alias match among these raw ASCII words (``sentence.raw_words``)? False only
        when none of the tokens a reading can make of them anchors an alias. Each distinct word
        is worked out once; then a report costs two set operations."""
        for raw in raw_words.difference(self._raw_seen):
            live = any(self._anchored(t) for t in candidate_tokens(raw))
            if len(self._raw_seen) < _WORD_CACHE:
                self._raw_seen.add(raw)
                if live:
                    self._hot.add(raw)
            elif live:
                return True
        return not raw_words.isdisjoint(self._hot)

    def claims_in(
        self, sentences: Iterable[tuple[Sequence[str], Sequence[int] | None]]
    ) -> set[str]:
        """The claims with at least one alias match in these (tokens, clauses) sentences."""
        return {hit.claim_id for tokens, clauses in sentences for hit in self.hits(tokens, clauses)}

    def best_hits(
        self, sentences: Iterable[tuple[Sequence[str], Sequence[int] | None]]
    ) -> dict[str, dict[int, IndexHit]]:
        """Per claim, per sentence number: the alias match ``ClaimMatcher.find_alias`` would pick
        there. One pass over the report finds every claim's matches; no claim matches again."""
        found: dict[str, dict[int, IndexHit]] = {}
        for number, (tokens, clauses) in enumerate(sentences):
            for hit in self.hits(tokens, clauses):
                per_sentence = found.setdefault(hit.claim_id, {})
                best = per_sentence.get(number)
                if best is None or hit.rank() > best.rank():
                    per_sentence[number] = hit
        return found


__all__ = ["AliasIndex", "IndexHit", "alias_keys", "lookup_keys"]
