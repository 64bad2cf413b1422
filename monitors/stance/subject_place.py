"""Where the claim says its subject is, when it says so: "Kamianka near Izium", "Mykolaivka in
the Donetsk region". Many villages share a name; a report that never names the claim's own
place ("repelled attacks near Kamianka, Pisky and Avdiivka") may be about another one, so what
it says cannot raise an alert: the verdict stands, its score stays below the alert threshold and
the evidence says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from monitors.models import Evidence, SentenceStance
from monitors.stance.match import ClaimMatcher, token_score
from monitors.stance.sentence import Sentence

UNPLACED_SCORE = 0.6  # below the default alert threshold (0.75): a verdict, not an alert
_PLACING = frozenset({"near", "outside", "in", "around", "by"})
_SKIPPED = frozenset({"the", "a", "city", "town", "village", "of"})


def claim_place(statement: Sentence, matcher: ClaimMatcher) -> tuple[str, ...]:
    """The folded words of the place the statement puts its subject in or near, after the
    alias ("Kamianka near Izium" -> ("izium",)); empty when it names none, or names one of the
    claim's own aliases ("the Antonivskyi bridge in Kherson", alias Kherson)."""
    hit = matcher.find_alias(statement.tokens, statement.surface, statement.clauses)
    if hit is None or hit.end >= len(statement.tokens) or statement.tokens[hit.end] not in _PLACING:
        return ()
    at = hit.end + 1
    while at < len(statement.tokens) and statement.tokens[at] in _SKIPPED:
        at += 1
    words = []
    while at < len(statement.tokens) and statement.surface[at][:1].isupper():
        words.append(statement.tokens[at])
        at += 1
    if not words or matcher.find_alias(words, words) is not None:
        return ()
    return tuple(words)


def placed(sentences: Sequence[Sentence], place: Sequence[str], threshold: float) -> bool:
    """Does the report name the claim's place anywhere (as the alias matcher would)?"""
    return any(
        token_score(word, token) >= threshold
        for sentence in sentences
        for token in sentence.tokens
        for word in place
    )


def unplaced(evidence: Evidence, subject: str, place: Sequence[str]) -> Evidence:
    """The evidence kept, its score held below an alert, with the reason in its "why"."""
    if evidence.stance not in (SentenceStance.ASSERT, SentenceStance.DENY):
        return evidence
    if evidence.score <= UNPLACED_SCORE:
        return evidence
    where = " ".join(w.capitalize() for w in place)
    why = f"{evidence.why}; the claim places {subject} at {where}, the report never names it"
    return replace(evidence, score=UNPLACED_SCORE, why=why)
