"""From sentence evidence to one report-level verdict with a confidence.

- No sentence about the claim: UNRELATED.
- Assertions and denials attributed to different sides: DISPUTED.
- Otherwise the stronger of assert/deny wins when it is not outweighed by hedging; ties and
  hedge-only or mention-only reports are NEUTRAL.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitors.models import Evidence, SentenceStance, Verdict
from monitors.stance.sentence import side_of

DECIDE = 0.45  # minimum evidence score for a decisive verdict


def combine(evidence: Sequence[Evidence], relatedness: float) -> tuple[Verdict, float]:
    """The verdict and its confidence (0..1)."""
    if not evidence:
        return Verdict.UNRELATED, round(1.0 - relatedness, 3)
    asserts = [e for e in evidence if e.stance is SentenceStance.ASSERT and e.score >= DECIDE]
    denies = [e for e in evidence if e.stance is SentenceStance.DENY and e.score >= DECIDE]
    if asserts and denies and _different_sides(asserts, denies):
        return Verdict.DISPUTED, min(_top(asserts), _top(denies))
    assert_weight, deny_weight = _weight(asserts), _weight(denies)
    hedge_weight = _weight([e for e in evidence if e.stance is SentenceStance.HEDGE])
    if denies and deny_weight >= assert_weight:
        return Verdict.CONTRADICT, _top(denies)
    if asserts and assert_weight > hedge_weight:
        return Verdict.CONFIRM, _top(asserts)
    return Verdict.NEUTRAL, max(e.score for e in evidence)


def _different_sides(asserts: Sequence[Evidence], denies: Sequence[Evidence]) -> bool:
    assert_sides = {side_of(e.attribution) for e in asserts} - {None}
    deny_sides = {side_of(e.attribution) for e in denies} - {None}
    return bool(assert_sides and deny_sides and assert_sides != deny_sides)


def _top(evidence: Sequence[Evidence]) -> float:
    return max(e.score for e in evidence)


def _weight(evidence: Sequence[Evidence]) -> float:
    # The title and the strongest sentences dominate; many weak ones add a little.
    scores = sorted((e.score for e in evidence), reverse=True)
    return sum(s * (0.5**i) for i, s in enumerate(scores))
