"""The stance engine: what one report says about each tracked claim, with its evidence.

Per claim: find the sentences about the claim's subject (``monitors.stance.match``), read each one
as asserting, denying, hedging, questioning or merely mentioning the claimed fact
(``monitors.stance.judge``), then combine the sentences into one verdict with a confidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from monitors.models import Assessment, Claim, Evidence, SentenceStance, Verdict
from monitors.stance.alias_index import AliasIndex
from monitors.stance.combine import combine
from monitors.stance.judge import ClaimReader
from monitors.stance.learned import learned_decision
from monitors.stance.sentence import Sentence, read_text


class StanceEngine:
    """Assess reports against a fixed set of claims (aliases and cues compiled once)."""

    def __init__(self, claims: Iterable[Claim]) -> None:
        self.claims = tuple(claims)
        self._readers = {c.id: ClaimReader(c) for c in self.claims}
        self._index = AliasIndex(self.claims)

    def assess(
        self, title: str, body: str = "", claim_ids: Iterable[str] | None = None
    ) -> list[Assessment]:
        """One assessment per claim (claim order, or the order of ``claim_ids``)."""
        sentences = read_text(title or "", body or "")
        ids = [c.id for c in self.claims] if claim_ids is None else list(claim_ids)
        unknown = [i for i in ids if i not in self._readers]
        if unknown:
            raise KeyError(f"unknown claim id(s) {unknown}; known: {sorted(self._readers)}")
        # One pass over the report's words finds every claim an alias can be about; the others
        # are unrelated without reading a sentence against them.
        present = self._index.claims_in((s.tokens, s.clauses) for s in sentences)
        return [self._assess_claim(self._readers[i], sentences, present) for i in ids]

    def _assess_claim(
        self, reader: ClaimReader, sentences: tuple[Sentence, ...], present: set[str]
    ) -> Assessment:
        if reader.matcher.aliases and reader.claim.id not in present:
            # What reading would give: no sentence about the claim, relatedness 0.
            verdict, score = combine([], 0.0)
            return Assessment(reader.claim.id, verdict, score, 0.0, ())
        reading = reader.read(sentences)
        learned = learned_decision(reader, sentences, reading)
        if learned is not None:
            verdict, score, relatedness, evidence = learned
            return Assessment(reader.claim.id, verdict, score, relatedness, evidence)
        found = reading.evidence if reading.related else []
        verdict, score = combine(found, reading.relatedness)
        ordered = tuple(sorted(found, key=_strength, reverse=True))
        if verdict is Verdict.UNRELATED:
            ordered = ()
        return Assessment(reader.claim.id, verdict, round(score, 3), round(reading.relatedness, 3),
                          ordered)  # fmt: skip


_DECISIVE = {SentenceStance.ASSERT: 2, SentenceStance.DENY: 2, SentenceStance.HEDGE: 1}


def _strength(e: Evidence) -> tuple[int, float]:
    return (_DECISIVE.get(e.stance, 0), e.score)


def assess_one(claim: Claim, title: str, body: str = "") -> Assessment:
    """Assess one report against one claim."""
    return StanceEngine([claim]).assess(title, body)[0]
