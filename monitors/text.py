"""Text plumbing for matching and stance: normalisation, transliteration, sentences, tokens.

Everything here is pure and deterministic. ``fold`` is the one canonical form used for
comparing text: NFKC, Cyrillic transliterated to Latin (our own table, GOST-like, no external
data), case-folded, typographic punctuation made plain.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Russian and Ukrainian letters -> Latin. Soft/hard signs vanish so "Горналь" folds to "gornal".
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "yo", "є": "ye",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ў": "u",
}  # fmt: skip
_TRANSLIT = str.maketrans(
    {
        **_CYRILLIC,
        **{k.upper(): v.capitalize() for k, v in _CYRILLIC.items()},
    }
)
_PUNCT = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2013": "-", "\u2014": " - ", "\u2212": "-", "\u00a0": " ", "\u2026": "...",
    }
)  # fmt: skip

_SPACE = re.compile(r"[ \t\r\f\v]+")


def _mark_ranges() -> str:
    """Every combining mark (Unicode category M*) as a regex class body. Python's ``\\w`` has no
    marks, so without them a Bengali or Hindi word falls apart into its consonants (vowel signs
    and the virama are marks) and unrelated words share a "skeleton"."""
    ranges: list[str] = []
    start: int | None = None
    for code in range(0x20000):  # marks above the BMP's neighbours are variation selectors only
        mark = unicodedata.category(chr(code)).startswith("M")
        if mark and start is None:
            start = code
        elif not mark and start is not None:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = None
    return "".join(ranges)


_LETTER = rf"(?:[^\W_]|[{_mark_ranges()}])"
_TOKEN = re.compile(rf"{_LETTER}+(?:[-']{_LETTER}+)*", re.UNICODE)
# The same pattern for ASCII text (no marks; [^\W_] is [A-Za-z0-9] there), several times faster:
# most text is ASCII once transliterated.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
ASCII_WORD = _ASCII_TOKEN  # for readers that look at ASCII text's raw words (``words`` folds them)
# Latin letters with diacritics fold to their base letters ("Sudža" ~ "Sudza", "Chersoń" ~
# "Cherson"); marks on other scripts are letters and stay. Letters that do not decompose are listed.
_LATIN_FOLD = str.maketrans(
    {
        **{
            chr(code): base
            for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]
            if (base := "".join(c for c in unicodedata.normalize("NFD", chr(code))
                                if not unicodedata.combining(c))) != chr(code)
            and base.isascii()
        },
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h",
        **{chr(code): None for code in range(0x0300, 0x0370)},  # loose generic diacritics
    }
)  # fmt: skip

# A full stop after these does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "st",
        "sen",
        "rep",
        "gov",
        "pres",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "no",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "corp",
        "ltd",
        "co",
        "jr",
        "sr",
        # Russian and Ukrainian: область, генерал, имени, улица, посёлок, годы, тысяч, миллион,
        # миллиард, то есть, и так далее, и тому подобное, дивизия, посёлок городского типа.
        "обл",
        "ген",
        "им",
        "ул",
        "пос",
        "гг",
        "тыс",
        "тис",
        "млн",
        "млрд",
        "т.е",
        "т.д",
        "т.п",
        "див",
        "пгт",
        "смт",
    ]
)
# A sentence ends before a capital (Latin or Cyrillic), a digit or a quote; Russian quotes are
# already plain here (see ``_PUNCT``).
# Scripts without case (Arabic, Hebrew, Indic, Thai, Georgian, Ethiopic, CJK) may start a
# sentence with any letter; Greek and Armenian capitals too.
_CASELESS = (
    "\u0391-\u03a9\u0531-\u0556\u0590-\u07ff\u0900-\u0dff\u0e00-\u0eff\u10a0-\u10ff"
    "\u1200-\u137f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
)
# Terminators that end a sentence wherever they stand: danda and double danda, Arabic question
# mark and full stop, Urdu full stop, ideographic full stop, Armenian full stop, Ethiopic full
# stop and question mark, Myanmar and Tibetan. (NFKC has already made CJK "！？" plain "!?".)
_SCRIPT_END = "\u0964\u0965\u061f\u06d4\u3002\u0589\u1362\u1367\u1368\u104b\u0f0d"
_SENTENCE_END = re.compile(
    rf"[.!?][\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9\u0400-\u042f\u0490{_CASELESS}])"
    rf"|[.!?][\"')\]]*(?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])"
    rf"|[{_SCRIPT_END}][\"')\]]*|\n"
)
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")


def normalize(text: str) -> str:
    """NFKC, plain quotes and dashes, single spaces (newlines kept: they end sentences)."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.splitlines())


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin ones; other characters unchanged."""
    return text.translate(_TRANSLIT)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The comparison form: normalised, transliterated, case-folded."""
    return fold_latin(transliterate(normalize(text))).casefold()


def fold_latin(text: str) -> str:
    """Latin diacritics dropped ("Chersoń" -> "Cherson"); every other script's marks kept."""
    return text.translate(_LATIN_FOLD)


def has_cyrillic(text: str) -> bool:
    """Does the text contain a Cyrillic letter? (Cyrillic cues are read only where it does.)"""
    return _CYRILLIC_LETTER.search(text) is not None


def split_sentences(text: str) -> list[str]:
    """Sentences of a normalised text; newlines always split (titles, paragraphs)."""
    sentences: list[str] = []
    pending = ""
    for piece in _pieces(normalize(text)):
        if not piece:
            continue
        if not pending and sentences and _elaborates(sentences[-1], piece):
            # "Attacks were repelled in the Donetsk region. In particular, near Spirne and
            # Bakhmut.": the second names where the first happened; one sentence.
            sentences[-1] = f"{sentences[-1][:-1]}; {piece}"
            continue
        pending = f"{pending} {piece}" if pending else piece
        if not _ends_with_abbreviation(pending):
            sentences.append(pending)
            pending = ""
    if pending:
        sentences.append(pending)
    return sentences


_ELABORATION = re.compile(
    r"(?:in particular|namely|specifically|including|among them|particularly"
    r"|в частности|а именно|в том числе|зокрема|а саме|в тому числі|у тому числі)\b",
    re.I,
)


def _elaborates(previous: str, piece: str) -> bool:
    """Does ``piece`` go on with the sentence before it, a full stop between them?"""
    return previous.endswith(".") and _ELABORATION.match(piece) is not None


def _pieces(text: str) -> list[str]:
    pieces, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        pieces.append(text[start : boundary.end()].strip())
        start = boundary.end()
    pieces.append(text[start:].strip())
    return pieces


def _ends_with_abbreviation(sentence: str) -> bool:
    if not sentence.endswith("."):
        return False
    last = sentence[:-1].rsplit(" ", 1)[-1].casefold()
    # Single capital initials ("J. Smith") are abbreviations too.
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


_CONTRACTED = {"ca": "can", "wo": "will", "sha": "shall"}


def words(text: str) -> list[tuple[str, str]]:
    """(folded token, surface form) pairs; possessive 's dropped, "n't" split off as "not"."""
    pairs: list[tuple[str, str]] = []
    cache = _WORD_PAIRS
    # ASCII text is its own normal form as far as words go: NFKC, the quote and dash table and
    # transliteration change no ASCII character, and spacing separates no words differently.
    if text.isascii():
        raws = _ASCII_TOKEN.findall(text)
    else:
        text = transliterate(normalize(text))
        raws = (_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)
    for raw in raws:
        found = cache.get(raw)
        if found is None:
            found = word_pairs(raw)
        pairs.extend(found)
    return pairs


def word_pairs(raw: str) -> tuple[tuple[str, str], ...]:
    """``words`` of one raw word (a whole match of the word pattern), remembered."""
    found = _WORD_PAIRS.get(raw)
    if found is None:
        found = _word_pairs(raw)
        if len(_WORD_PAIRS) < _WORD_PAIRS_MAX:
            _WORD_PAIRS[raw] = found
    return found


# A raw word always folds the same way: a news vocabulary is folded once, not once per use.
_WORD_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {}
_WORD_PAIRS_MAX = 200_000


def _word_pairs(raw: str) -> tuple[tuple[str, str], ...]:
    word = fold_latin(raw).casefold()
    if word.endswith("'s"):
        word, raw = word[:-2], raw[:-2]
    if word.endswith("n't"):
        head = word[:-3]
        out = ((_CONTRACTED.get(head, head), raw[:-3]),) if head else ()
        return (*out, ("not", "not"))
    return ((word.replace("'", ""), raw),)


def tokenize(text: str) -> list[str]:
    """Folded word tokens (see ``words``)."""
    return [folded for folded, _ in words(text)]


@lru_cache(maxsize=131072)
def stem(token: str) -> str:
    """A light English suffix stripper: enough to meet "recaptured" with "recapture"."""
    word = token
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement, min_len in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= min_len:
            word = word[: len(word) - len(suffix)] + replacement
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] != "s":
        word = word[:-1]
    return word


_SUFFIXES = (
    ("ational", "ate", 3), ("ization", "ize", 3), ("fulness", "ful", 3), ("iveness", "ive", 3),
    ("ements", "", 4), ("ement", "", 4), ("ments", "", 4), ("ment", "", 4), ("ness", "", 3),
    ("ities", "", 3), ("ity", "", 3), ("ings", "", 3), ("ing", "", 3), ("ies", "y", 2),
    ("ied", "y", 2), ("ed", "", 4), ("ers", "", 3), ("er", "", 3), ("ly", "", 4),
    ("es", "", 4), ("s", "", 3),
)  # fmt: skip


def stems(text: str) -> list[str]:
    """Stemmed tokens of a text."""
    return [stem(t) for t in tokenize(text)]
