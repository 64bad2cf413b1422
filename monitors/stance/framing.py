"""How a headline frames the claim: features of its wording, for the learned step.

A headline can state a fact ("Russia retakes Kursk"), pass it on ("Kremlin: Russia retakes
Kursk", "Russia retakes Kursk, says general"), forecast it ("analyst predicts ..."), quote a
first-hand account ("I was there") or doubt it. Each feature is a flag a reader can check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from monitors.stance.lexicon import QUESTION_OPENERS as _QUESTION_OPENERS
from monitors.stance.sentence import Sentence, read_sentence

_SOURCE_PREFIX = re.compile(r"^\s*([^:?!.]{1,40}?):\s+\S")  # "NYT: ...", "Tim Cook: ..."
_TRAILING_SOURCE = re.compile(r"(?:\s-{1,2}\s|,\s*)(?:\w+\s){0,3}\w+\s*$")  # "..., analyst"
_QUOTE = re.compile(r"(?:^|[\s(])[\"'][^\s\"']")  # an opening quote mark, not an apostrophe
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_FIRST_PERSON = frozenset(["i", "we", "my", "our", "me", "us", "i'm", "we're", "i've"])
_FUTURE = frozenset(["will", "to", "soon", "set", "plans", "planning", "upcoming", "could"])
_EMPTY = read_sentence(0, "", is_title=True)
_NEAR = 4  # words between a negation and a claim word for "negated claim word"


def framing(
    sentences: Sequence[Sentence], claim_terms: dict[str, float], claim_text: str
) -> dict[str, float]:
    """Framing features of the headline (or a body's first sentence): ``frame_*``, ``num_*``."""
    title = sentences[0] if sentences else _EMPTY
    out = {f"frame_{k}": v for k, v in _headline(title, claim_terms).items()}
    out["frame_answered"] = 1.0 if _answered(sentences) else 0.0
    out["frame_question_open"] = 1.0 if _opens_question(title) else 0.0
    # A headline of several clauses qualifies or sets its news against something ("..., but ...").
    out["frame_clauses"] = math.log1p(len(set(title.clauses)))
    out.update(_numbers(title.text, claim_text))
    return out


def claim_framing(claim: Sentence, claim_terms: dict[str, float]) -> dict[str, float]:
    """How the claim itself is framed (``claim_frame_*``): an FNC claim is a headline too, and one
    that passes a story on ("NYT: ...", "..., report says") is discussed more than settled. Its
    question (``place_claim_question``) and its negation of its own words are left out."""
    found = _headline(claim, claim_terms)
    return {f"claim_frame_{k}": v for k, v in found.items() if k not in _NOT_OF_A_CLAIM}


_NOT_OF_A_CLAIM = frozenset({"question", "negated_claim"})


def _headline(title: Sentence, claim_terms: dict[str, float]) -> dict[str, float]:
    kinds = [h.kind for h in title.hits]
    reports = [h for h in title.hits if h.kind in ("report", "report_noun", "forecast")]
    prefix = _SOURCE_PREFIX.match(title.text)
    trailing = _TRAILING_SOURCE.search(title.text)
    trailing_report = bool(reports) and reports[-1].end >= len(title.tokens) - 3
    return {
        "source_prefix": 1.0 if prefix and len(prefix.group(1).split()) <= 4 else 0.0,
        "source_after": 1.0 if trailing_report or (trailing and _names_source(title)) else 0.0,
        "report_verb": 1.0 if "report" in kinds else 0.0,
        "report_noun": 1.0 if "report_noun" in kinds else 0.0,
        "forecast": 1.0 if "forecast" in kinds else 0.0,
        "hedge": math.log1p(kinds.count("hedge")),
        "refute": math.log1p(kinds.count("refute") + kinds.count("deny_verb")),
        "confirm": 1.0 if "confirm" in kinds else 0.0,
        "negation": 1.0 if "negation" in kinds else 0.0,
        "negated_claim": 1.0 if _negated_claim_word(title, claim_terms) else 0.0,
        "quote": 1.0 if _QUOTE.search(title.text) else 0.0,
        "first_person": 1.0 if any(t in _FIRST_PERSON for t in title.tokens) else 0.0,
        "future": 1.0 if any(t in _FUTURE for t in title.tokens) else 0.0,
        "question": 1.0 if "?" in title.text else 0.0,
    }


def _answered(sentences: Sequence[Sentence]) -> bool:
    """A headline's question that its next sentence answers ("That Lego letter? It's real"):
    the headline does not leave the claim open."""
    titles = [s for s in sentences if s.is_title]
    return any(a.question and not b.question for a, b in zip(titles, titles[1:], strict=False))


def _opens_question(title: Sentence) -> bool:
    """A headline that asks outright ("Is this the world's oldest burger?", "Did ... ?") rather
    than a statement with a question mark tacked on ("20 year old burger?")."""
    return "?" in title.text and bool(title.tokens) and title.tokens[0] in _QUESTION_OPENERS


def _names_source(title: Sentence) -> bool:
    """The words after the last comma or dash name someone ("..., analyst", "- NASA")."""
    tail = re.split(r",|\s-{1,2}\s", title.text)[-1].split()
    return 0 < len(tail) <= 4 and (tail[0][:1].isupper() or tail[-1].casefold() in _SPEAKERS)


_SPEAKERS = frozenset(
    ["analyst", "analysts", "report", "reports", "police", "officials", "experts", "sources"]
    + ["source", "study", "spokesman", "publicist"]
)


def _negated_claim_word(sentence: Sentence, claim_terms: dict[str, float]) -> bool:
    for hit in sentence.of_kind("negation"):
        window = sentence.stems[hit.end : hit.end + _NEAR]
        if any(s in claim_terms for s in window):
            return True
    return False


def _numbers(title: str, claim: str) -> dict[str, float]:
    """Do the numbers agree? A different figure often marks a different (or corrected) story."""
    in_claim = {n.replace(",", "") for n in _NUMBER.findall(claim)}
    in_title = {n.replace(",", "") for n in _NUMBER.findall(title)}
    if not in_claim or not in_title:
        return {"num_same": 0.0, "num_other": 0.0}
    return {
        "num_same": 1.0 if in_claim & in_title else 0.0,
        "num_other": 1.0 if in_title - in_claim else 0.0,
    }
