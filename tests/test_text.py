"""Text plumbing: normalisation, transliteration, sentences, tokens, stems."""

from __future__ import annotations

import pytest

from monitors.text import (
    fold,
    has_cyrillic,
    normalize,
    split_sentences,
    stem,
    tokenize,
    transliterate,
    words,
)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Горналь", "Gornal"),
        ("Курская область", "Kurskaya oblast"),
        ("Харків", "Kharkiv"),
        ("Щёкино", "Shchyokino"),
        ("Суджа", "Sudzha"),
    ],
)
def test_transliterate(cyrillic: str, latin: str) -> None:
    """Russian and Ukrainian letters map through our own table."""
    assert latin == transliterate(cyrillic)


def test_transliterate_leaves_latin_alone() -> None:
    """Latin text and punctuation pass through unchanged."""
    assert "Kursk, 2025!" == transliterate("Kursk, 2025!")


def test_normalize_plain_quotes_dashes_spaces() -> None:
    """Typographic quotes and dashes become plain; runs of spaces collapse."""
    assert '"propaganda" - it\'s  done'.replace("  ", " ") == normalize(
        "\u201cpropaganda\u201d \u2014 it\u2019s   done"
    ).replace("  ", " ")


def test_fold_is_case_and_script_insensitive() -> None:
    """Cyrillic and Latin spellings of a name fold to the same string."""
    assert fold("ГОРНАЛЬ") == fold("gornal")


def test_split_sentences_keeps_abbreviations() -> None:
    """Titles, initials and U.S. do not end sentences; newlines always do."""
    text = 'Gen. Gerasimov spoke to J. Smith. The U.S. agreed! Was it "true?" Yes.\nTitle'
    expected = ["Gen. Gerasimov spoke to J. Smith.", "The U.S. agreed!", 'Was it "true?"', "Yes.",
                "Title"]  # fmt: skip
    assert expected == split_sentences(text)


def test_tokenize_splits_contractions_and_possessives() -> None:
    """ "didn't" gives "did not", "can't" gives "can not", "Russia's" gives "russia"."""
    assert ["russia", "did", "not", "go", "they", "can", "not"] == tokenize(
        "Russia's didn't go; they can't"
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [("recaptured", "recapture"), ("denies", "denied"), ("holding", "hold"),
     ("controlled", "control"), ("positions", "position")],
)  # fmt: skip
def test_stem_meets_inflections(a: str, b: str) -> None:
    """Inflected forms share a stem."""
    assert stem(a) == stem(b)


def test_stem_keeps_noted_apart_from_not() -> None:
    """A reporting verb must not stem into a negation."""
    assert "not" != stem("noted")


def test_split_sentences_cyrillic() -> None:
    """Cyrillic capitals start sentences; "обл." and "с." (village) do not end them."""
    text = "Бои идут у с. Горналь Курской обл. Минобороны молчит! Что дальше? ЗСУ стоят."
    expected = ["Бои идут у с. Горналь Курской обл. Минобороны молчит!", "Что дальше?",
                "ЗСУ стоят."]  # fmt: skip
    assert expected == split_sentences(text)


def test_split_sentences_needs_a_capital_after_the_stop() -> None:
    """A lowercase Cyrillic word after a full stop continues the sentence."""
    assert ["Взяли 5 км. южнее Суджи."] == split_sentences("Взяли 5 км. южнее Суджи.")


def test_tokenize_cyrillic() -> None:
    """Russian and Ukrainian words tokenise and fold; hyphens and apostrophes stay inside."""
    assert ["minoborony", "press-sekretar", "obyekt", "pamyat"] == tokenize(
        "Минобороны: пресс-секретарь, об\u2019єкт; пам'ять"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Курская область", True), ("Kursk", False), ("Suджа", True), ("", False)],
)
def test_has_cyrillic(text: str, expected: bool) -> None:
    """Cyrillic letters anywhere in the text are found."""
    assert expected == has_cyrillic(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("রাশিয়া কুর্স্ক দখল করেছে। ইউক্রেন অস্বীকার করেছে।",
         ["রাশিয়া কুর্স্ক দখল করেছে।", "ইউক্রেন অস্বীকার করেছে।"]),
        ("रूस ने कब्जा किया। यूक्रेन ने इनकार किया॥ अब क्या",
         ["रूस ने कब्जा किया।", "यूक्रेन ने इनकार किया॥", "अब क्या"]),
        ("هل سقطت المدينة؟ لا. الجيش ينفي ذلك۔", ["هل سقطت المدينة؟", "لا.", "الجيش ينفي ذلك۔"]),
        ("俄罗斯说占领了。乌克兰否认！真的吗？", ["俄罗斯说占领了。", "乌克兰否认!", "真的吗?"]),
        ("Հայաստան։ Գյումրի", ["Հայաստան։", "Գյումրի"]),
        ("ሰላም ነው። ደህና", ["ሰላም ነው።", "ደህና"]),
    ],
)  # fmt: skip
def test_split_sentences_in_every_script(text: str, expected: list[str]) -> None:
    """Danda, Arabic and Urdu stops, CJK, Armenian and Ethiopic terminators end sentences."""
    assert expected == split_sentences(text)


def test_tokens_keep_indic_vowel_signs_and_virama() -> None:
    """A Bengali or Hindi word stays one token with its vowel signs and virama."""
    assert ["কুর্স্ক", "দখল", "हिंदी", "में"] == tokenize("কুর্স্ক দখল, हिंदी में")


def test_fold_drops_latin_diacritics_only() -> None:
    """Latin diacritics fold away; Cyrillic still transliterates; Arabic marks stay."""
    assert ("sudza cherson lodz", "gornal", "كُورسك") == (
        fold("Sudža Chersoń Łódź"),
        fold("Горналь"),
        fold("كُورسك"),
    )


def test_ascii_fast_path_reads_the_words_the_full_pattern_reads() -> None:
    """ASCII text skips normalising and uses an ASCII-only pattern: the same words, because
    the full pattern's letters among ASCII characters are exactly [A-Za-z0-9] and normalising
    changes no ASCII character but spacing."""
    from monitors.text import _ASCII_TOKEN, _TOKEN

    ascii_letters = [chr(c) for c in range(128) if _TOKEN.fullmatch(chr(c))]
    assert [chr(c) for c in range(128) if _ASCII_TOKEN.fullmatch(chr(c))] == ascii_letters
    text = "Kyiv's forces didn't  retake\tGornal-2 (o'Neil), 1,000 troops -- 'quoted'\nnext"
    assert [("kyiv", "Kyiv"), ("forces", "forces"), ("did", "did"), ("not", "not")] == words(text)[
        :4
    ]
    assert words(text) == words(text + "\u00a0")  # no longer ASCII: the full path, same words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Attacks were repelled in the Donetsk region. In particular, near Spirne. View news.",
            [
                "Attacks were repelled in the Donetsk region; In particular, near Spirne.",
                "View news.",
            ],
        ),
        ("Атаки отбиты. В частности, у Спорного.", ["Атаки отбиты; В частности, у Спорного."]),
        ("Атаки відбито. Зокрема, біля Спірного.", ["Атаки відбито; Зокрема, біля Спірного."]),
        # a new line is a new paragraph; a word that only starts like the opener is not it
        (
            "Attacks were repelled\nNamely near Spirne.",
            ["Attacks were repelled", "Namely near Spirne."],
        ),
        (
            "Attacks were repelled. Namelyk is a name.",
            ["Attacks were repelled.", "Namelyk is a name."],
        ),
    ],
)
def test_a_sentence_that_names_where_goes_on_with_the_one_before(
    text: str, expected: list[str]
) -> None:
    assert split_sentences(text) == expected
