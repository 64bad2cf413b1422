"""Plain words for the learned step's features, so "weighed: ..." reads as a reason.

``explain("about_refute=0.69")`` -> ``refuting words in the sentences about the claim
(about_refute=0.69)``: the phrase for a reader, the name and value to look up.
"""

from __future__ import annotations

_CUES = {
    "refute": "refuting words",
    "deny_verb": "denying verbs",
    "hedge": "hedging words",
    "report": "reporting verbs",
    "report_noun": "'report'/'claim' as nouns",
    "confirm": "confirming words",
    "competing": "competing facts",
    "negation": "negations",
}
_STANCES = {
    "assert": "asserting the claim",
    "deny": "denying the claim",
    "hedge": "hedging",
    "question": "asking",
    "mention": "only mentioning the subject",
}
_FIXED = {
    "any_question": "share of sentences that are questions",
    "claim_hedge": "the claim itself hedges or asks",
    "claim_refute": "the claim itself refutes or negates",
    "claim_hedge*hedge": "hedging in a claim that itself hedges",
    "claim_refute*refute": "refuting words against a claim that itself refutes",
    "deny_share*cover": "denying sentences in a report about the claim",
    "lead_refute": "refuting words in the opening sentences",
    "lead_hedge": "hedging words in the opening sentences",
    "n_about": "number of sentences about the claim",
    "refute*about": "refuting words close to the claim's wording",
    "num_same": "the headline has the claim's numbers",
    "num_other": "the headline has other numbers",
    "rel_about_share": "share of sentences about the claim",
    "rel_best": "best sentence's overlap with the claim",
    "rel_bigram": "the claim's word pairs in the report",
    "rel_cosine": "word-rarity-weighted similarity to the claim",
    "rel_cosine*rarest": "similarity with the claim's rarest words present",
    "rel_cosine_sqrt": "similarity to the claim",
    "rel_doc": "how much of the claim the report covers",
    "rel_doc*best": "coverage of the claim, whole report and best sentence",
    "rel_lead": "the claim's words in the opening",
    "rel_rare_missing": "rare claim words the report never uses",
    "rel_rarest": "the claim's rarest words in the report",
    "rel_repeated": "claim words the report repeats",
    "rel_rule": "the rules found the report related",
    "short": "a headline-only report",
    "frame_source_prefix": "headline starts with a source ('NYT: ...')",
    "frame_source_after": "headline ends with a source ('..., analyst says')",
    "frame_report_verb": "headline reports what someone says",
    "frame_report_noun": "headline speaks of a 'report' or 'claim'",
    "frame_forecast": "headline forecasts",
    "frame_future": "headline speaks of the future",
    "frame_hedge": "headline hedges",
    "frame_refute": "headline refutes",
    "frame_confirm": "headline confirms",
    "frame_negation": "headline negates",
    "frame_negated_claim": "headline negates the claim's words",
    "frame_quote": "headline quotes",
    "frame_first_person": "headline in the first person",
    "frame_question": "headline asks",
    "frame_answered": "headline answers its own question",
    "frame_question_open": "headline opens with a question word and asks",
    "frame_clauses": "how many clauses the headline has",
    "frame_report_unlike_claim": "headline and claim differ in reporting a speaker",
    "place_refute_in": "sentences refuting in the clause with the claim's words",
    "place_neg_flip": "sentences negating the claim's clause against the claim's own polarity",
    "place_report_before": "sentences passing the claim's words on from a speaker",
    "place_question": "share of the sentences about the claim that ask",
    "place_cover_refute": "how much of the claim the refuting sentence covers",
    "place_cover_hedge": "how much of the claim the hedging sentence covers",
    "place_best_refute": "the sentence most about the claim refutes it",
    "place_best_hedge": "the sentence most about the claim hedges it",
    "place_best_report": "the sentence most about the claim reports a speaker",
    "place_best_at": "where the sentence most about the claim stands",
    "place_first_about": "where the first sentence about the claim stands",
    "place_claim_question": "the claim itself asks",
    "place_claim_report": "the claim itself passes on what someone says",
}
# The claim's own framing, in the headline's words: "claim_frame_hedge" -> "the claim hedges".
_FIXED.update(
    {
        f"claim_frame_{k}": "the claim " + _FIXED[f"frame_{k}"].removeprefix("headline ")
        for k in ("source_prefix", "source_after", "report_verb", "report_noun", "forecast",
                  "future", "hedge", "refute", "confirm", "negation", "quote", "first_person")
    }
)  # fmt: skip


def describe(name: str) -> str:
    """A short phrase for a feature name; the name itself when we have none."""
    if name in _FIXED:
        return _FIXED[name]
    prefix, _, rest = name.partition("_")
    if prefix == "about" and rest in _CUES:
        return f"{_CUES[rest]} in the sentences about the claim"
    if prefix == "any" and rest in _CUES:
        return f"{_CUES[rest]} anywhere in the report"
    if prefix == "share" and rest in _STANCES:
        return f"share of sentences {_STANCES[rest]}"
    if prefix == "first" and rest in _STANCES:
        return f"first sentence about the claim is {_STANCES[rest]}"
    return name


def explain(contribution: str) -> str:
    """ "name=value" (from a model's ``contributions``) as "phrase (name=value)"."""
    name = contribution.partition("=")[0]
    phrase = describe(name)
    return contribution if phrase == name else f"{phrase} ({contribution})"
