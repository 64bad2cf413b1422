"""Where a report's cues stand against the claim's words: features of structure, for long reports.

A cue says something about the claim only when its scope covers the claim's words: a refutation
in the clause that carries them, a reporting verb that introduces them ("officials said the city
fell"), the sentence that is most about the claim being hedged or attributed. And a claim that
is itself attributed or asked ("X says Y", "Is Y true?") is discussed more often than settled.
Each feature is a share or flag a reader can check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitors.stance.judge import TERM_MATCH
from monitors.stance.sentence import Sentence

_REFUTING = ("refute", "deny_verb")


def placement(
    sentences: Sequence[Sentence],
    coverage: Sequence[float],
    terms: Mapping[str, float],
    claim: Sentence,
) -> dict[str, float]:
    """``place_*`` features of the sentences about the claim and of its statement."""
    about = [i for i, c in enumerate(coverage) if c >= TERM_MATCH]
    out = _about_shares([sentences[i] for i in about], terms, claim)
    out.update(_strongest(sentences, coverage, about, terms))
    out.update(_best_sentence(sentences, coverage, terms))
    n = max(len(sentences), 1)
    out["place_first_about"] = about[0] / n if about else 1.0
    out["place_claim_question"] = 1.0 if claim.question or "?" in claim.text else 0.0
    out["place_claim_report"] = 1.0 if claim.of_kind("report", "report_noun") else 0.0
    return out


def carrying(sentence: Sentence, terms: Mapping[str, float]) -> frozenset[int]:
    """The clauses of a sentence that hold some of the claim's words."""
    return frozenset(c for s, c in zip(sentence.stems, sentence.clauses, strict=True) if s in terms)


def _in_claim_clause(sentence: Sentence, clauses: frozenset[int], *kinds: str) -> bool:
    return any(sentence.clauses[h.start] in clauses for h in sentence.of_kind(*kinds))


def _introduces(sentence: Sentence, terms: Mapping[str, float]) -> bool:
    """A reporting verb with some of the claim's words after it: it passes them on."""
    last = max((i for i, s in enumerate(sentence.stems) if s in terms), default=-1)
    return any(last >= v.end for v in sentence.of_kind("report"))


def _about_shares(
    about: Sequence[Sentence], terms: Mapping[str, float], claim: Sentence
) -> dict[str, float]:
    """Shares of the sentences about the claim that refute it in its own clause, negate it
    (against the claim's own polarity), pass it on from a speaker, or ask."""
    claim_negated = bool(claim.of_kind("negation"))
    refute = flip = passed = asked = 0
    for sentence in about:
        clauses = carrying(sentence, terms)
        refute += _in_claim_clause(sentence, clauses, *_REFUTING)
        flip += _in_claim_clause(sentence, clauses, "negation") != claim_negated
        passed += _introduces(sentence, terms)
        asked += sentence.question
    n = max(len(about), 1)
    return {
        "place_refute_in": refute / n,
        "place_neg_flip": flip / n,
        "place_report_before": passed / n,
        "place_question": asked / n,
    }


def _strongest(
    sentences: Sequence[Sentence],
    coverage: Sequence[float],
    about: Sequence[int],
    terms: Mapping[str, float],
) -> dict[str, float]:
    """How much of the claim the most on-topic refuting (or hedging) sentence covers: a denial
    of the claim itself is more on-topic than a denial of a side issue."""
    refute = hedge = 0.0
    for i in about:
        clauses = carrying(sentences[i], terms)
        if _in_claim_clause(sentences[i], clauses, *_REFUTING):
            refute = max(refute, coverage[i])
        if _in_claim_clause(sentences[i], clauses, "hedge"):
            hedge = max(hedge, coverage[i])
    return {"place_cover_refute": refute, "place_cover_hedge": hedge}


def _best_sentence(
    sentences: Sequence[Sentence], coverage: Sequence[float], terms: Mapping[str, float]
) -> dict[str, float]:
    """The sentence most about the claim: does it refute or hedge it, is it attributed, where
    does it stand in the report?"""
    if not sentences:
        return {"place_best_refute": 0.0, "place_best_hedge": 0.0, "place_best_report": 0.0,
                "place_best_at": 1.0}  # fmt: skip
    best = max(range(len(sentences)), key=lambda i: coverage[i])
    sentence = sentences[best]
    clauses = carrying(sentence, terms)
    return {
        "place_best_refute": 1.0 if _in_claim_clause(sentence, clauses, *_REFUTING) else 0.0,
        "place_best_hedge": 1.0 if _in_claim_clause(sentence, clauses, "hedge") else 0.0,
        "place_best_report": 1.0 if sentence.of_kind("report") else 0.0,
        "place_best_at": best / len(sentences),
    }
