"""The stance engine: what one report says about each tracked claim, with its evidence.

Per claim: find the sentences about the claim's subject (``monitors.stance.match``), read each one
as asserting, denying, hedging, questioning or merely mentioning the claimed fact
(``monitors.stance.judge``), then combine the sentences into one verdict with a confidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from monitors.models import Assessment, Claim, Evidence, SentenceStance, Verdict
from monitors.stance.alias_index import AliasIndex, IndexHit
from monitors.stance.combine import combine
from monitors.stance.judge import ClaimReader
from monitors.stance.learned import learned_decision
from monitors.stance.match import AliasHit
from monitors.stance.sentence import Sentences, raw_words, read_text, scan_text

# A report's assessments without the engine's shared "unrelated" ones: None when no claim
# matched, else (claim position, assessment) for each that differs (``compact``/``expand``).
Compact = list[tuple[int, Assessment]] | None


class StanceEngine:
    """Assess reports against a fixed set of claims (aliases and cues compiled once)."""

    def __init__(self, claims: Iterable[Claim]) -> None:
        self.claims = tuple(claims)
        self._readers = {c.id: ClaimReader(c) for c in self.claims}
        self._index = AliasIndex(self.claims)
        # What reading would give a claim no sentence is about: relatedness 0. One shared
        # (frozen) object per claim: most (report, claim) pairs are this, and cost no memory.
        verdict, score = combine([], 0.0)
        self._unrelated = {c.id: Assessment(c.id, verdict, score, 0.0, ()) for c in self.claims}
        self._ids = [c.id for c in self.claims]
        self._all_unrelated = tuple(self._unrelated[i] for i in self._ids)
        # Claims given only as a sentence are read against every report; alias claims only
        # against the sentences their aliases matched.
        self._read_all = any(not r.matcher.aliases for r in self._readers.values())

    def assess(
        self, title: str, body: str = "", claim_ids: Iterable[str] | None = None
    ) -> list[Assessment]:
        """One assessment per claim (claim order, or the order of ``claim_ids``)."""
        return list(self._assess(title, body, claim_ids))

    def assess_all(self, title: str, body: str = "") -> tuple[Assessment, ...]:
        """``assess`` against every claim, as a tuple; a report no claim matches gets one shared
        tuple (a run holds its reports' assessments until they are recorded: 50,000 reports x
        100 claims of pointers is 40 MB otherwise)."""
        found = self._assess(title, body, None)
        return found if isinstance(found, tuple) else tuple(found)

    def related_of(self, assessments: tuple[Assessment, ...]) -> tuple[Assessment, ...]:
        """The assessments other than unrelated; for the tuple ``assess_all`` shares among the
        reports no claim matches, none, without reading it."""
        if assessments is self._all_unrelated:
            return ()
        return tuple(a for a in assessments if a.verdict is not Verdict.UNRELATED)

    def compact(self, assessments: tuple[Assessment, ...]) -> Compact:
        """``assess_all``'s answer, small enough to send between processes."""
        if assessments is self._all_unrelated:
            return None
        shared = self._all_unrelated
        return [(i, a) for i, a in enumerate(assessments) if a is not shared[i]]

    def expand(self, compact: Compact) -> tuple[Assessment, ...]:
        """The tuple ``assess_all`` gave, from ``compact`` (equal, shared objects included)."""
        if compact is None:
            return self._all_unrelated
        found = list(self._all_unrelated)
        for i, assessment in compact:
            found[i] = assessment
        return tuple(found)

    def _assess(
        self, title: str, body: str, claim_ids: Iterable[str] | None
    ) -> Sequence[Assessment]:
        title, body = title or "", body or ""
        ids = self._ids if claim_ids is None else list(claim_ids)
        unknown = [] if claim_ids is None else [i for i in ids if i not in self._readers]
        if unknown:
            raise KeyError(f"unknown claim id(s) {unknown}; known: {sorted(self._readers)}")
        # One pass over the report's words finds every alias match of every claim; a claim
        # with none is unrelated without reading a sentence against it, and a report no claim
        # matches is never read beyond its words.
        if self._read_all:
            sentences = read_text(title, body)
            hits = self._index.best_hits((s.tokens, s.clauses) for s in sentences)
        else:
            words = raw_words(title, body)
            if (words is not None and not self._index.may_match(words)) or not (
                hits := self._index.best_hits(scan_text(title, body))
            ):
                if claim_ids is None:
                    return self._all_unrelated
                return [self._unrelated[i] for i in ids]
            sentences = read_text(title, body)
        return [self._assess_claim(self._readers[i], sentences, hits) for i in ids]

    def _assess_claim(
        self,
        reader: ClaimReader,
        sentences: Sentences,
        hits: dict[str, dict[int, IndexHit]],
    ) -> Assessment:
        claim_id = reader.claim.id
        if reader.matcher.aliases and claim_id not in hits:
            return self._unrelated[claim_id]
        alias_hits = _alias_hits(hits.get(claim_id, {}), sentences)
        reading = reader.read(sentences, alias_hits)
        learned = learned_decision(reader, sentences, reading)
        if learned is not None:
            verdict, score, relatedness, evidence = learned
            return Assessment(claim_id, verdict, score, relatedness, evidence)
        found = reading.evidence if reading.related else []
        verdict, score = combine(found, reading.relatedness)
        ordered = tuple(sorted(found, key=_strength, reverse=True))
        if verdict is Verdict.UNRELATED:
            ordered = ()
        return Assessment(claim_id, verdict, round(score, 3), round(reading.relatedness, 3),
                          ordered)  # fmt: skip


def _alias_hits(found: dict[int, IndexHit], sentences: Sentences) -> dict[int, AliasHit]:
    """The index's matches as ``ClaimMatcher.find_alias`` reports them (with the words)."""
    out = {}
    for number, hit in found.items():
        words = " ".join(sentences[number].surface[hit.start : hit.end])
        out[number] = AliasHit(hit.alias, words, hit.score / 100.0, hit.start, hit.end)
    return out


_DECISIVE = {SentenceStance.ASSERT: 2, SentenceStance.DENY: 2, SentenceStance.HEDGE: 1}


def _strength(e: Evidence) -> tuple[int, float]:
    return (_DECISIVE.get(e.stance, 0), e.score)


def assess_one(claim: Claim, title: str, body: str = "") -> Assessment:
    """Assess one report against one claim."""
    return StanceEngine([claim]).assess(title, body)[0]
