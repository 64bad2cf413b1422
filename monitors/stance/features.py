"""Interpretable features of one (claim, report) reading, for the small learned combiner.

Every feature is a count or share of something the rules already found and can show: how much of
the claim's (rarity-weighted) wording the report shares, and which cues (refuting, hedging,
reporting, questions, negated predicates) occur in the sentences about the claim, in the title,
and in the claim statement itself (a claim that itself says "hoax" flips what a "hoax" body means).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from monitors.models import Evidence, SentenceStance
from monitors.stance.framing import claim_framing, framing
from monitors.stance.judge import TERM_MATCH, ClaimReader, Reading
from monitors.stance.placement import placement
from monitors.stance.sentence import Sentence, Sentences
from monitors.stance.vocabulary import rarity

_CUE_KINDS = ("refute", "deny_verb", "hedge", "report", "report_noun", "confirm", "competing")
_STANCES = tuple(SentenceStance)


def features(
    reader: ClaimReader, sentences: Sequence[Sentence], reading: Reading
) -> dict[str, float]:
    """Feature name -> value (0..~1) for one pair."""
    out: dict[str, float] = {"bias": 1.0}
    out.update(_relatedness(reader, sentences, reading))
    out.update(_cues(sentences, reading.coverage))
    out.update(_stances(reading.evidence))
    out.update(_claim_cues(reader))
    for kind in ("refute", "hedge"):
        out[f"claim_{kind}*{kind}"] = out[f"claim_{kind}"] * out[f"about_{kind}"]
    # Relatedness is not linear in its signals: rare words AND similar wording together.
    out["rel_cosine*rarest"] = out["rel_cosine"] * out["rel_rarest"]
    out["rel_doc*best"] = out["rel_doc"] * out["rel_best"]
    out["rel_cosine_sqrt"] = math.sqrt(out["rel_cosine"])
    out["lead_refute"] = _lead_cues(sentences, ("refute", "deny_verb"))
    # A story that doubts in its opening discusses the claim rather than settling it.
    out["lead_hedge"] = _lead_cues(sentences, ("hedge",))
    out["refute*about"] = out["about_refute"] * out["rel_best"]
    out["deny_share*cover"] = out["share_deny"] * out["rel_doc"]
    out.update(framing(sentences, reader.matcher.terms, reader.claim.statement))
    out.update(placement(sentences, reading.coverage, reader.matcher.terms, reader.statement))
    out.update(claim_framing(reader.statement, reader.matcher.terms))
    # A headline that attributes a claim stated outright (or states one the claim attributes)
    # frames it differently from the claim; skipped for bodies with the other ``frame_*``.
    unlike = out["frame_report_verb"] != out["claim_frame_report_verb"]
    out["frame_report_unlike_claim"] = 1.0 if unlike else 0.0
    return out


def _lead_cues(sentences: Sequence[Sentence], kinds: tuple[str, ...]) -> float:
    """Cues of these kinds in the opening sentences, where a story says what it makes of the
    claim (a debunking story what it debunks)."""
    lead = sentences[:5]
    hits = sum(1 for s in lead for h in s.hits if h.kind in kinds)
    return math.log1p(hits)


def _relatedness(
    reader: ClaimReader, sentences: Sequence[Sentence], reading: Reading
) -> dict[str, float]:
    matcher = reader.matcher
    report = sentences if isinstance(sentences, Sentences) else Sentences(sentences)
    counts = report.stem_counts
    total = sum(matcher.terms.values()) or 1.0
    repeated = sum(w for t, w in matcher.terms.items() if counts.get(t, 0) >= 2) / total
    best = max(reading.coverage, default=0.0)
    rarest = sorted(matcher.terms, key=rarity, reverse=True)[:3]
    return {
        "rel_cosine": _cosine(matcher.terms, report.tfidf),
        "rel_bigram": _bigram_share(reader.statement_stems, report),
        "rel_rarest": sum(t in counts for t in rarest) / max(len(rarest), 1),
        "rel_rare_missing": _rare_missing(matcher.terms, counts),
        "rel_doc": reading.relatedness,
        "rel_best": best,
        "rel_lead": matcher.coverage(report.lead_stems),
        "rel_repeated": repeated,
        "rel_about_share": sum(c >= TERM_MATCH for c in reading.coverage) / max(len(sentences), 1),
        "rel_rule": 1.0 if reading.related else 0.0,
        "short": 1.0 if len(sentences) <= 2 else 0.0,
    }


def _rare_missing(terms: dict[str, float], counts: dict[str, int]) -> float:
    """How many rare claim words (names, specific nouns) the report never uses, log-scaled."""
    return math.log1p(sum(1 for t in terms if rarity(t) >= 0.6 and t not in counts))


def _cosine(terms: dict[str, float], report: tuple[dict[str, float], float]) -> float:
    vector, norm = report
    claim_norm = math.sqrt(sum(w * w for w in terms.values())) or 1.0
    return sum(w * vector.get(t, 0.0) for t, w in terms.items()) / (claim_norm * norm)


def _bigram_share(claim_stems: Sequence[str], report: Sentences) -> float:
    """Share of the claim's adjacent content-word pairs that occur adjacent in the report."""
    wanted = set(zip(claim_stems, claim_stems[1:], strict=False))
    return len(wanted & report.content_bigrams) / len(wanted) if wanted else 0.0


def _cues(sentences: Sequence[Sentence], coverage: Sequence[float]) -> dict[str, float]:
    """Cue counts in sentences about the claim (log-scaled) and anywhere in the report."""
    about: dict[str, float] = dict.fromkeys(_CUE_KINDS, 0.0)
    anywhere: dict[str, float] = dict.fromkeys(_CUE_KINDS, 0.0)
    for sentence, cov in zip(sentences, coverage, strict=True):
        for hit in sentence.hits:
            if hit.kind in anywhere:
                anywhere[hit.kind] += 1
                if cov >= TERM_MATCH:
                    about[hit.kind] += 1
    out = {f"about_{k}": math.log1p(v) for k, v in about.items()}
    out.update(
        {
            f"any_{k}": math.log1p(v) / math.log1p(max(len(sentences), 1))
            for k, v in anywhere.items()
        }
    )
    out["any_question"] = sum(s.question for s in sentences) / max(len(sentences), 1)
    return out


def _stances(evidence: Sequence[Evidence]) -> dict[str, float]:
    """Share of the sentences about the claim read as each stance, and the title's reading."""
    out = {f"share_{s.value}": 0.0 for s in _STANCES}
    for e in evidence:
        out[f"share_{e.stance.value}"] += 1
    n = max(len(evidence), 1)
    out = {k: v / n for k, v in out.items()}
    out["n_about"] = math.log1p(len(evidence)) / 4
    first = evidence[0].stance.value if evidence else "none"
    for s in _STANCES:
        out[f"first_{s.value}"] = 1.0 if first == s.value else 0.0
    return out


def _claim_cues(reader: ClaimReader) -> dict[str, float]:
    statement = reader.statement
    kinds = {h.kind for h in statement.hits}
    return {
        "claim_refute": 1.0 if kinds & {"refute", "deny_verb", "negation"} else 0.0,
        "claim_hedge": 1.0 if "hedge" in kinds or statement.question else 0.0,
    }
