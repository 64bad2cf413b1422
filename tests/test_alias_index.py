"""The alias index: one pass over a report's words finds the claims it can be about."""

from __future__ import annotations

import pytest

from monitors.models import Claim, Verdict
from monitors.stance.alias_index import AliasIndex
from monitors.stance.engine import StanceEngine
from monitors.stance.match import ClaimMatcher
from monitors.stance.sentence import (
    candidate_tokens,
    raw_words,
    read_sentence,
    read_text,
    scan_text,
)

CLAIMS = (
    Claim("kursk", "Russia has regained full control of the Kursk region", ("Kursk", "Курск")),
    Claim("gornal", "Russian forces recaptured Gornal", ("Gornal", "Горналь", "Gornal village")),
    Claim("kharkiv", "Kharkiv is encircled", ("Kharkiv", "Харків")),
    Claim("port", "Russia blockades a Ukraine port", ("Ukraine port",)),
)

SENTENCES = [
    "Бои у Горналі тривають",
    "Troops left Hornal at night",
    "Shelling of Kharkov and Kherson",
    "Russia wants to destroy Ukraine, not conquer it",
    "a Ukraine port was hit in Kursk",
    "Nothing about any place here",
    "Fighting in the Курской области",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_index_finds_what_every_matcher_finds(text: str) -> None:
    """The index is only a shortcut: it finds exactly the claims their own matchers find."""
    sentence = read_sentence(0, text)
    index = AliasIndex(CLAIMS)
    direct = {
        c.id
        for c in CLAIMS
        if ClaimMatcher(c).find_alias(sentence.tokens, sentence.surface, sentence.clauses)
    }
    assert direct == index.claims_in([(sentence.tokens, sentence.clauses)])


def test_index_hit_positions_are_token_indexes() -> None:
    """A hit's start and end are the alias's token span in the sentence."""
    sentence = read_sentence(0, "a Ukraine port was hit")
    hits = list(AliasIndex(CLAIMS).hits(sentence.tokens, sentence.clauses))
    assert [("port", "Ukraine port", 1, 3)] == [(h.claim_id, h.alias, h.start, h.end) for h in hits]


def test_engine_skips_claims_the_index_does_not_find() -> None:
    """A claim none of whose aliases appear is unrelated, with the reading's usual figures."""
    gornal, kharkiv = StanceEngine(CLAIMS).assess(
        "Russian forces recaptured Gornal", claim_ids=["gornal", "kharkiv"]
    )
    assert (Verdict.CONFIRM, Verdict.UNRELATED, 1.0, 0.0, ()) == (
        gornal.verdict,
        kharkiv.verdict,
        kharkiv.score,
        kharkiv.relatedness,
        kharkiv.evidence,
    )


@pytest.mark.parametrize("text", SENTENCES + ["Gornal village and Gornal, then Горналь again"])
def test_best_hit_is_the_match_the_matcher_picks(text: str) -> None:
    """Per claim, the index's best hit in a sentence is ``find_alias``'s match: same alias,
    span and score, so reading from the index changes no evidence."""
    sentence = read_sentence(0, text)
    found = AliasIndex(CLAIMS).best_hits([(sentence.tokens, sentence.clauses)])
    for claim in CLAIMS:
        direct = ClaimMatcher(claim).find_alias(sentence.tokens, sentence.surface, sentence.clauses)
        hit = found.get(claim.id, {}).get(0)
        indexed = None if hit is None else (hit.alias, hit.start, hit.end, hit.score / 100.0)
        expected = (
            None if direct is None else (direct.alias, direct.start, direct.end, direct.score)
        )
        assert expected == indexed


def test_scan_reads_the_words_a_full_reading_reads() -> None:
    """``scan_text`` (the cheap first look) gives each sentence the tokens and clauses
    ``read_text`` gives it, so the index sees the same words either way."""
    title, body = "Gornal: fighting, but no change", "Бои у Горналі тривають. Troops left Hornal!"
    scanned = scan_text(title, body)
    assert [(list(s.tokens), list(s.clauses)) for s in read_text(title, body)] == scanned


def test_report_no_alias_matches_shares_one_unrelated_assessment_per_claim() -> None:
    """A report about no claim costs no reading and no new objects: each claim's unrelated
    assessment is one shared (frozen) value, equal to what reading would give."""
    engine = StanceEngine(CLAIMS)
    first = engine.assess("Nothing about any place here", "Nor here.")
    second = engine.assess("Nor in this one", "")
    assert all(a is b for a, b in zip(first, second, strict=True))
    assert engine.assess_all("Nothing here", "") is engine.assess_all("Nor here", "")
    assert tuple(first) == engine.assess_all("Nothing here", "")
    assert [(Verdict.UNRELATED, 1.0, 0.0, ())] * len(CLAIMS) == [
        (a.verdict, a.score, a.relatedness, a.evidence) for a in first
    ]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Troops left Hornal at night", "Shelling of Kharkov: Kherson (and Kursk)."),
        ("well-but-Kharkiv fell", "x-however-Gornal's y. Kursk-but's, o'but-Izium-x - dash"),
        ("A-BUT-Kursk didn't fall", "Mr. Smith said J. Doe, while-Gornal, left."),
    ],
)
def test_raw_words_cover_every_token_a_reading_finds(title: str, body: str) -> None:
    """The cheap first look (``raw_words``) never misses a token ``scan_text`` finds, even where
    a clause-breaking conjunction cuts a hyphenated word: skipping a report on it is safe."""
    raws = raw_words(title, body)
    assert raws is not None
    covered = {token for raw in raws for token in candidate_tokens(raw)}
    scanned = {token for tokens, _ in scan_text(title, body) for token in tokens}
    assert scanned <= covered
    assert AliasIndex(CLAIMS).may_match(raws)


def test_raw_words_skip_only_ascii_text() -> None:
    """Text with other scripts gets no shortcut: it is read sentence by sentence."""
    assert raw_words("Бои у Горналі", "") is None
    assert not AliasIndex(CLAIMS).may_match(raw_words("Nothing here", "Nor here.") or set())
