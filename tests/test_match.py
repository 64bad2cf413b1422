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


def _sentence_hit(aliases: tuple[str, ...], text: str) -> str | None:
    """The matched words when ``text`` is read as a sentence (clauses included), else None."""
    from monitors.stance.sentence import read_sentence

    sentence = read_sentence(0, text)
    matcher = ClaimMatcher(Claim("x", "x", aliases))
    hit = matcher.find_alias(sentence.tokens, sentence.surface, sentence.clauses)
    return hit.matched if hit else None


@pytest.mark.parametrize(
    ("alias", "text", "matched"),
    [
        ("Gornal", "Бои у Горналі тривають", "Gornali"),
        ("Gornal", "Troops left Gornal' at night", "Gornal"),
        ("Gornal", "Troops left Hornal at night", "Hornal"),
        ("Gornal", "Troops left Gornal\u2019 at night", "Gornal"),
        ("Kursk", "бои в Курской области", "Kurskoy"),
        ("Kursk", "Kurskoy oblasti", "Kurskoy"),
        ("Kursk", "KURSK fell", "KURSK"),
        ("Kursk region", "Fighting in the Kursk region goes on", "Kursk region"),
        ("Kharkiv", "Shelling of Kharkov", "Kharkov"),
        ("Kharkiv", "Angriff auf Charkiw", "Charkiw"),
        ("Kharkiv", "Удар по Харкову", "Kharkovu"),
        ("Kherson", "Blick auf Chersoń", "Chersoń"),
        ("Sudzha", "Troops in Sudža", "Sudža"),
        ("Sudzha", "Troops in Sudja", "Sudja"),
        ("Sudzha", "бои у Суджи", "Sudzhi"),
        ("Zaporizhzhia", "near Zaporozhye", "Zaporozhye"),
        # a name before a common noun: the noun may come first ("the station in Obrivka")
        (
            "Obrivka railway station",
            "a railway station in Obrivka was hit",
            "railway station in Obrivka",
        ),
        ("Obrivka railway station", "the railway station of Obrivka", "railway station of Obrivka"),
        # of three words describing the name, one inside may go; the head noun stays
        ("Obrivka nuclear power plant", "at the Obrivka nuclear plant", "Obrivka nuclear plant"),
        ("Obrivka nuclear power plant", "at the Obrivka power plant", "Obrivka power plant"),
        ("Avdiivka", "Awdijiwka gefallen", "Awdijiwka"),
        ("Kupiansk", "бої за Куп'янськ", "Kup'yansk"),
        ("Lyman", "Liman is quiet", "Liman"),
        ("Lyman", "бої біля Лиману", "Limanu"),
        ("Chasiv Yar", "Russia says Часів Яр fell", "Chasiv Yar"),
        ("US", "The US left", "US"),
        ("Ukraine port", "a Ukraine port was hit", "Ukraine port"),
        # a plural head, and names sharing one head noun
        ("Luhansk region", "attacks in Donetsk and Luhansk regions", "Luhansk regions"),
        ("Luhansk region", "attacks in Luhansk and Donetsk regions", "Luhansk and Donetsk regions"),
        (
            "Luhansk region",
            "in Kharkiv, Luhansk and Donetsk regions",
            "Luhansk and Donetsk regions",
        ),
        ("Luhansk Oblast", "shelling of Luhansk, Donetsk oblasts", "Luhansk Donetsk oblasts"),
        ("Sumy oblast", "Sumy and Kharkiv oblasts", "Sumy and Kharkiv oblasts"),
        (
            "Луганська область",
            "бої у Луганській та Донецькій областях",
            "Luganskiy ta Donetskiy oblastyakh",
        ),
    ],
)
def test_alias_positive_table(alias: str, text: str, matched: str) -> None:
    """Inflection, transliteration, apostrophes, diacritics and case match, word by word."""
    assert matched == _sentence_hit((alias,), text)


@pytest.mark.parametrize(
    ("alias", "text"),
    [
        ("Ukraine port", "Russia wants to destroy Ukraine, not conquer it"),
        ("Ukraine port", "Ukraine; port workers struck"),
        ("Ukraine port", "Ukraine - port"),
        ("Ukraine port", "Ukraine: port"),
        ("US", "They use it"),
        ("US", "Troops used the bus"),
        ("Kharkiv", "Troops entered Kherson"),
        ("Kherson", "Troops entered Kharkiv"),
        ("Lyman", "Lymany village was shelled"),
        ("Azovstal", "ships on the Azov Sea"),
        ("Azov", "the Azovstal plant"),
        ("Soledar", "a town called Soledad"),
        ("Gornal", "Gornalsky district"),
        ("Sudzha", "Troops entered Sudan"),
        ("Gornal", "Gor nal"),
        ("Kursk region", "Kursk, region by region"),
        ("Chasiv Yar", "Chasiv; Yar"),
        ("Pokrovsk", "Pokrov church"),
        ("Toretsk", "a truck on the track"),
        ("Kherson", "an act of aggression"),
        ("Luhansk region", "Luhansk and the regions around it"),
        ("Luhansk region", "Luhansk and Donetsk region"),  # two regions are "regions"
        ("Luhansk region", "Luhansk is one of the regions"),
        ("Luhansk region", "Luhansk and Donetsk"),
        ("Gornal", "Gornals"),  # a one-word alias is a name: no plural
        ("Obrivka", "Troops entered Nova Obrivka"),  # a namesake: another place
        ("Obrivka", "Велика Обрівка під обстрілом"),
        ("Obrivka", "attacks near Obrivka Druha were repelled"),
        ("Obrivka", "attacks near Vesela Obrivka were repelled"),
        ("Obrivka railway station", "a railway station in Kyiv and Obrivka"),
        ("Obrivka railway station", "the Obrivka station"),  # two words describing: both stay
        ("Obrivka nuclear power plant", "the Obrivka nuclear power"),  # the head noun stays
        ("Snake Island", "an island in Snake Bay"),  # a name of two names is not reordered
    ],
)
def test_alias_negative_table(alias: str, text: str) -> None:
    """Neighbouring words, punctuation between alias words and look-alike places do not match."""
    assert None is _sentence_hit((alias,), text)


@pytest.mark.parametrize(
    ("alias", "text", "matched"),
    [
        ("কুর্স্ক", "রাশিয়া কুর্স্ক দখল করেছে", "কুর্স্ক"),
        ("कुर्स्क", "रूस ने कुर्स्क पर कब्जा किया", "कुर्स्क"),
        ("كورسك", "روسيا تسيطر على كورسك", "كورسك"),
        ("库尔斯克", "俄罗斯 库尔斯克 州", "库尔斯克"),
    ],
)
def test_alias_in_other_scripts(alias: str, text: str, matched: str) -> None:
    """Aliases in Bengali, Hindi, Arabic and Chinese match their own words."""
    assert matched == _sentence_hit((alias,), text)


@pytest.mark.parametrize(
    ("alias", "text"),
    [
        # The same consonants with other vowel signs: before marks were kept these collided.
        ("কুর্স্ক", "কার্সক বাজার খোলা"),
        ("कुर्स्क", "कर्स की बात"),
    ],
)
def test_indic_vowel_signs_keep_words_apart(alias: str, text: str) -> None:
    """Bengali and Hindi words that differ in vowel signs are different words."""
    assert None is _sentence_hit((alias,), text)


@pytest.mark.parametrize(
    ("aliases", "text", "matched"),
    [
        (("Nova Obrivka",), "Troops entered Nova Obrivka", "Nova Obrivka"),
        (("Obrivka",), "Troops left Obrivka and Nova Obrivka", "Obrivka"),
        (("Obrivka Druha",), "attacks near Obrivka Druha were repelled", "Obrivka Druha"),
        (("Obrivka",), "attacks near Zelene, Obrivka and Vesele were repelled", "Obrivka"),
    ],
)
def test_a_namesake_word_in_the_alias_itself_matches(
    aliases: tuple[str, ...], text: str, matched: str
) -> None:
    """ "Nova" before a name makes another place only when the alias does not say it."""
    assert matched == _sentence_hit(aliases, text)
