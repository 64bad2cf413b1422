"""A claim that places its subject ("Obrivka near Kupiansk") alerts only on reports that name
that place: villages share names, and a report that never says which one may be another's."""

from __future__ import annotations

import pytest

from monitors.models import Claim, Verdict
from monitors.policy import DEFAULT_ALERT_THRESHOLD
from monitors.stance.engine import assess_one
from monitors.stance.judge import ClaimReader

PLACED = Claim("obrivka", "Russian forces have captured Obrivka near Kupiansk", ("Obrivka",))
BARE = Claim("obrivka", "Russian forces have captured Obrivka", ("Obrivka",))


@pytest.mark.parametrize(
    ("statement", "aliases", "place"),
    [
        ("Russian forces have captured Obrivka near Kupiansk", ("Obrivka",), ("kupiansk",)),
        ("Russian forces have captured Obrivka in the Donetsk region", ("Obrivka",), ("donetsk",)),
        ("Russian forces have captured the town of Obrivka", ("Obrivka",), ()),
        # the place is itself an alias: every match names it
        ("The Obrivka bridge in Kupiansk was destroyed", ("Obrivka bridge", "Kupiansk"), ()),
    ],
)
def test_the_claim_place_is_read_from_the_statement(
    statement: str, aliases: tuple[str, ...], place: tuple[str, ...]
) -> None:
    assert ClaimReader(Claim("c", statement, aliases)).place == place


def test_a_report_that_never_names_the_place_does_not_alert() -> None:
    text = "Ukrainian defenders repelled enemy attacks near Obrivka and Pisky"
    placed = assess_one(PLACED, text)
    bare = assess_one(BARE, text)
    assert placed.verdict == bare.verdict == Verdict.CONTRADICT
    assert bare.score >= DEFAULT_ALERT_THRESHOLD
    assert placed.score < DEFAULT_ALERT_THRESHOLD
    assert "the claim places Obrivka at Kupiansk" in placed.summary


def test_a_report_that_names_the_place_alerts() -> None:
    text = "Ukrainian defenders repelled enemy attacks near Obrivka, east of Kupyansk"
    assessment = assess_one(PLACED, text)
    assert assessment.verdict == Verdict.CONTRADICT
    assert assessment.score >= DEFAULT_ALERT_THRESHOLD, assessment.summary
