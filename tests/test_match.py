"""Subject matching: aliases in any script, fuzzy threshold, terms from a bare statement."""

from __future__ import annotations

import pytest

from monitors.models import Claim
from monitors.stance.match import ClaimMatcher, claim_terms
from monitors.text import tokenize, words

GORNAL = Claim("g", "Russian forces recaptured Gornal", ("Gornal", "Горналь", "Gornal village"))


def _hit(claim: Claim, text: str) -> tuple[str, str] | None:
    pairs = words(text)
    hit = ClaimMatcher(claim).find_alias([f for f, _ in pairs], [s for _, s in pairs])
    return (hit.alias, hit.matched) if hit else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Troops entered Gornal at dawn", ("Gornal", "Gornal")),
        ("Войска вошли в Горналь", ("Gornal", "Gornal")),
        ("Gornal's last defenders", ("Gornal", "Gornal")),
        ("Gornall was retaken", ("Gornal", "Gornall")),
        ("Gornal village fell", ("Gornal village", "Gornal village")),
        ("Troops entered Sudzha", None),
        ("Troops entered Gomel", None),
    ],
)
def test_alias_matching(text: str, expected: tuple[str, str] | None) -> None:
    """Exact, Cyrillic, possessive and misspelt forms match; other places do not."""
    assert expected == _hit(GORNAL, text)


def test_inflected_alias_matches_by_prefix() -> None:
    """A Russian case ending ("Курской") still matches the alias "Kursk"."""
    claim = Claim("k", "Russia controls Kursk", ("Kursk",))
    assert ("Kursk", "Kurskoy") == _hit(claim, "бои в Курской области")


def test_short_alias_needs_a_whole_word() -> None:
    """A two-letter alias does not match inside a longer word."""
    claim = Claim("u", "The US left the deal", ("US",))
    assert (None, ("US", "US")) == (_hit(claim, "They use it"), _hit(claim, "The US left"))


def test_threshold_is_respected() -> None:
    """A stricter threshold rejects a misspelling the default accepts."""
    strict = Claim("g", "x", ("Gornal",), threshold=99)
    assert (None, ("Gornal", "Gornall")) == (_hit(strict, "Gornall"), _hit(GORNAL, "Gornall"))


def test_claim_terms_skip_stopwords_and_weigh_rare_words_more() -> None:
    """Terms are stemmed content words; a rare word outweighs a common one."""
    terms = claim_terms("The meteorite hit the town")
    assert {"meteorit", "hit", "town"} == set(terms)
    assert terms["meteorit"] > terms["town"]


def test_statement_terms_cover_a_sentence() -> None:
    """Coverage is the weighted share of the claim's terms found in a sentence."""
    matcher = ClaimMatcher(Claim("m", "A meteorite hit Managua"))
    from monitors.text import stem

    full = matcher.coverage({stem(t) for t in tokenize("Meteorite hit Managua")})
    none = matcher.coverage({stem(t) for t in tokenize("Stocks rallied")})
    assert (1.0, 0.0) == (round(full, 6), none)
