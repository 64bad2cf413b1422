"""The learned combiner for claims given only as a sentence (no aliases, no cues).

For such claims "is this report about it" and "which way does it lean" are graded judgements; small
learned models over the rules' own findings (``monitors.stance.features``) weigh them: logistic
regressions for relatedness and headlines, boosted trees for the stance of long reports. The
evidence is still the rules' sentences, reordered to put the ones that agree with the verdict
first, and the top evidence line names the features that drove the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from monitors.models import Evidence, SentenceStance, Verdict
from monitors.stance.features import features
from monitors.stance.glossary import explain
from monitors.stance.judge import ClaimReader, Reading
from monitors.stance.models import load_models
from monitors.stance.sentence import Sentence

SHORT = 2  # sentences: a headline-only report

_FIRST = {
    Verdict.CONFIRM: (SentenceStance.ASSERT,),
    Verdict.CONTRADICT: (SentenceStance.DENY,),
    Verdict.NEUTRAL: (SentenceStance.HEDGE, SentenceStance.QUESTION, SentenceStance.MENTION),
}


def learned_decision(
    reader: ClaimReader, sentences: Sequence[Sentence], reading: Reading
) -> tuple[Verdict, float, float, tuple[Evidence, ...]] | None:
    """(verdict, score, relatedness, evidence), or None when no model applies."""
    models = load_models()
    short = len(sentences) <= SHORT
    stance_model = models.get("stance_short" if short else "stance_long")
    relate_model = None if short else models.get("relate_long")
    if reader.matcher.aliases or stance_model is None or (not short and relate_model is None):
        return None
    row = features(reader, sentences, reading)
    if relate_model is not None:
        relatedness = relate_model.proba(row)["related"]
        if relatedness < 0.5:
            return Verdict.UNRELATED, round(1 - relatedness, 3), round(relatedness, 3), ()
    elif not reading.related:
        return Verdict.UNRELATED, round(1 - reading.relatedness, 3), reading.relatedness, ()
    else:
        relatedness = reading.relatedness
    probs = stance_model.proba(row)
    label = max(probs, key=probs.__getitem__)
    verdict = Verdict(label)
    why = ", ".join(explain(c) for c in stance_model.contributions(row, label))
    evidence = _ordered(reading.evidence or _mention(reader, sentences, reading), verdict, why)
    return verdict, round(probs[label], 3), round(relatedness, 3), evidence


def _ordered(evidence: Sequence[Evidence], verdict: Verdict, why: str) -> tuple[Evidence, ...]:
    first = _FIRST.get(verdict, ())
    ranked = sorted(evidence, key=lambda e: (e.stance in first, e.score), reverse=True)
    if ranked and why:
        ranked[0] = replace(ranked[0], why=f"{ranked[0].why}; weighed: {why}")
    return tuple(ranked)


def _mention(
    reader: ClaimReader, sentences: Sequence[Sentence], reading: Reading
) -> list[Evidence]:
    """The sentence sharing most of the claim's wording, when none reached the rules' bar."""
    if not sentences:
        return []
    index = max(range(len(sentences)), key=lambda i: reading.coverage[i])
    sentence = sentences[index]
    shared = " ".join(dict.fromkeys(w for w, s in zip(sentence.surface, sentence.stems, strict=True)
                                    if s in reader.matcher.terms))  # fmt: skip
    return [Evidence(sentence.text[:500], SentenceStance.MENTION, 0.3, None, shared or None, None,
                     None, f'sentence shares the claim\'s words "{shared}"')]  # fmt: skip
