"""Where a report's cues stand against the claim's words (features of long reports)."""

from __future__ import annotations

from monitors.models import Claim
from monitors.stance.judge import ClaimReader
from monitors.stance.placement import placement
from monitors.stance.sentence import read_text

CLAIM = Claim("c", "A giant squid attacked a fishing boat off Cornwall")


def _features(body: str) -> dict[str, float]:
    reader = ClaimReader(CLAIM)
    sentences = read_text("", body)
    reading = reader.read(sentences)
    return placement(sentences, reading.coverage, reader.matcher.terms, reader.statement)


def test_a_refutation_in_the_claims_clause_counts_one_elsewhere_does_not() -> None:
    inside = _features("Officials denied that a giant squid attacked a fishing boat off Cornwall.")
    elsewhere = _features(
        "A giant squid attacked a fishing boat off Cornwall. The harbour master denied a fee rise."
    )
    assert inside["place_refute_in"] > 0
    assert inside["place_best_refute"] == 1.0
    assert elsewhere["place_refute_in"] == 0
    assert elsewhere["place_best_refute"] == 0.0


def test_a_reporting_verb_that_introduces_the_claims_words_is_read() -> None:
    passed = _features("The skipper said a giant squid attacked his fishing boat off Cornwall.")
    told = _features("A giant squid attacked a fishing boat off Cornwall.")
    assert passed["place_report_before"] > 0
    assert told["place_report_before"] == 0


def test_where_the_first_sentence_about_the_claim_stands() -> None:
    late = _features("Fish prices rose. Ports were busy. A giant squid attacked a fishing boat.")
    early = _features("A giant squid attacked a fishing boat. Fish prices rose. Ports were busy.")
    assert early["place_first_about"] < late["place_first_about"]
