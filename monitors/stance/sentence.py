"""Claim-independent reading of a text: sentences, clauses, tokens, built-in cues, attributions.

This is the expensive part; it depends only on the text, so it is computed once per report (and
cached) however many claims are checked against it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from monitors.stance import lexicon
from monitors.stance.cues import CueHit, CueSet, tagged
from monitors.stance.vocabulary import STOPWORDS, rarity
from monitors.text import (
    ASCII_WORD,
    fold,
    has_cyrillic,
    split_sentences,
    stem,
    word_pairs,
    words,
)

BUILTIN = CueSet(
    tagged("refute", lexicon.REFUTING + lexicon.REFUTING_CYRILLIC)
    + tagged("hedge", lexicon.HEDGING + lexicon.HEDGING_CYRILLIC)
    + tagged("confirm", lexicon.CONFIRMING + lexicon.CONFIRMING_CYRILLIC)
    + tagged("assert", lexicon.ASSERTING)
    + tagged("report", lexicon.REPORTING + lexicon.REPORTING_CYRILLIC)
    + tagged("deny_verb", lexicon.DENYING_VERBS + lexicon.DENYING_VERBS_CYRILLIC)
    + tagged("negation", lexicon.NEGATIONS + lexicon.NEGATIONS_CYRILLIC)
    + tagged("competing", lexicon.COMPETING + lexicon.COMPETING_CYRILLIC)
    + tagged("forecast", lexicon.FORECASTING)
    + tagged("mask", lexicon.NOT_ASSERTING + lexicon.NOT_REFUTING + lexicon.NOT_HEDGING)
)

_CLAUSE_BREAK = re.compile(
    r"[,;:()]|\s-\s|\b(?:but|while|whereas|although|though|however"
    r"|но|однако|хотя|тогда как|але|проте|хоча|тоді як)\b",
    re.I,
)
_ASCII_WORDS = ASCII_WORD
_ACCORDING_TO = frozenset(lexicon.ACCORDING_TO)
_QUESTION_PARTICLES = frozenset(fold(w) for w in lexicon.QUESTION_PARTICLES)
_QUESTION_OPENERS = lexicon.QUESTION_OPENERS | {fold(w) for w in lexicon.QUESTION_OPENERS_CYRILLIC}
_NOT_A_QUESTION = frozenset(fold(w) for w in ("вряд", "едва"))  # "вряд ли": a hedge
_TITLE_PREFIXES = tuple(fold(w) for w in lexicon.TITLES_CYRILLIC)
_BACKGROUND = frozenset({"amid", "despite", "after", "following"})  # "amid denials": not a denial
_ATTRIBUTION_STOP = frozenset(
    [
        "that",
        "which",
        "who",
        "and",
        "but",
        "while",
        "as",
        "it",
        "its",
        "is",
        "was",
        "has",
        "have",
        "had",
        "be",
        "been",
        "also",
        "reportedly",
        "not",
        "with",
        "of",
        "in",
        "on",
        "for",
        "from",
        "to",
        "at",
        "chto",  # что
        "shcho",  # що
        "kak",  # как
        "yak",  # як
        "v",  # в
        "vo",  # во
        "u",  # у
    ]
)


# "также", "також", "ранее", "раніше" ("also", "earlier") sit between a speaker and its verb.
_AUXILIARIES = frozenset(["has", "have", "had", "is", "was", "also", "not", "did", "does", "do",
                          "takzhe", "takozh", "ranee", "ranishe"])  # fmt: skip


@dataclass(frozen=True)
class Sentence:
    """One sentence, read once."""

    index: int  # 0 = title (when there is one)
    text: str
    tokens: tuple[str, ...]  # folded
    surface: tuple[str, ...]  # as written (transliterated)
    stems: tuple[str, ...]
    clauses: tuple[int, ...]  # clause number of each token
    hits: tuple[CueHit, ...]
    question: bool
    is_title: bool
    contrasts: frozenset[int] = frozenset()  # clauses opened by "but", "while", "however" ...

    @cached_property
    def stem_set(self) -> frozenset[str]:
        return frozenset(self.stems)

    def of_kind(self, *kinds: str) -> list[CueHit]:
        return [h for h in self.hits if h.kind in kinds]

    def attribution(self, verb: CueHit | None = None) -> str | None:
        """Who says so: the subject of a reporting/denying verb, "according to X" or "by X"."""
        return attribution(self, verb)


class Sentences(tuple[Sentence, ...]):
    """A report's sentences, with report-wide views computed once however many claims ask."""

    @cached_property
    def stem_set(self) -> frozenset[str]:
        return frozenset(s for sentence in self for s in sentence.stems)

    @cached_property
    def stem_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for sentence in self:
            for s in sentence.stems:
                counts[s] = counts.get(s, 0) + 1
        return counts

    @cached_property
    def lead_stems(self) -> frozenset[str]:
        return frozenset(s for sentence in self[:3] for s in sentence.stems)

    @cached_property
    def tfidf(self) -> tuple[dict[str, float], float]:
        """TF-IDF vector of the report's content stems, and its norm."""
        vector = {
            s: math.log1p(c) * rarity(s) for s, c in self.stem_counts.items() if s not in STOPWORDS
        }
        return vector, math.sqrt(sum(v * v for v in vector.values())) or 1.0

    @cached_property
    def content_bigrams(self) -> frozenset[tuple[str, str]]:
        """Adjacent content-word stem pairs, within sentences."""
        pairs: set[tuple[str, str]] = set()
        for sentence in self:
            content = [s for s in sentence.stems if s not in STOPWORDS]
            pairs.update(zip(content, content[1:], strict=False))
        return frozenset(pairs)


@lru_cache(maxsize=4096)
def read_text(title: str, body: str) -> Sentences:
    """All sentences of a report: the title's first (flagged), then the body's."""
    out: list[Sentence] = []
    for text in split_sentences(title) if title.strip() else []:
        out.append(read_sentence(len(out), text, is_title=True))
    for text in split_sentences(body) if body.strip() else []:
        out.append(read_sentence(len(out), text, is_title=False))
    return Sentences(out)


def scan_text(title: str, body: str) -> list[tuple[list[str], list[int]]]:
    """The (folded tokens, clause numbers) of each sentence ``read_text`` would read, and
    nothing else: what subject matching needs, at a fraction of a full reading's cost (most
    reports match no claim and are never read further)."""
    out: list[tuple[list[str], list[int]]] = []
    for text in split_sentences(title) if title.strip() else []:
        tokens, _, clauses = _words_by_clause(text)
        out.append((tokens, clauses))
    for text in split_sentences(body) if body.strip() else []:
        tokens, _, clauses = _words_by_clause(text)
        out.append((tokens, clauses))
    return out


_CONJUNCTIONS = frozenset(("but", "while", "whereas", "although", "though", "however"))
_JOINS = re.compile(r"([-'])")


def raw_words(title: str, body: str) -> set[str] | None:
    """The distinct raw words of an ASCII report (None for other text: no shortcut). Every token
    ``scan_text`` finds is among ``candidate_tokens`` of one of them: one pattern match over the
    whole text instead of a reading sentence by sentence, clause by clause, so a report none of
    whose words can anchor an alias is known unrelated at a fraction of the cost."""
    if not (title.isascii() and body.isascii()):
        return None
    found = set(_ASCII_WORDS.findall(title))
    found.update(_ASCII_WORDS.findall(body))
    return found


def candidate_tokens(raw: str) -> tuple[str, ...]:
    """The folded tokens a sentence reading can make of one raw ASCII word.

    In ASCII text no sentence or clause break falls inside a word (letters and digits joined by
    "-" or "'"), except a clause-breaking conjunction inside a joined word ("well-but-not"):
    such a word also yields each run of its parts.
    """
    out = [folded for folded, _ in word_pairs(raw)]
    if "-" in raw or "'" in raw:
        parts = _JOINS.split(raw)
        if any(p.lower() in _CONJUNCTIONS for p in parts[::2]):
            for i in range(0, len(parts), 2):
                for j in range(i, len(parts), 2):
                    out += [folded for folded, _ in words("".join(parts[i : j + 1]))]
    return tuple(out)


def _words_by_clause(text: str) -> tuple[list[str], list[str], list[int]]:
    tokens: list[str] = []
    surface: list[str] = []
    clauses: list[int] = []
    for number, (_, clause) in enumerate(_clauses(text)):
        for folded, raw in words(clause):
            tokens.append(folded)
            surface.append(raw)
            clauses.append(number)
    return tokens, surface, clauses


def read_sentence(index: int, text: str, is_title: bool = False) -> Sentence:
    tokens, surface, clauses = _words_by_clause(text)
    stems = tuple(stem(t) for t in tokens)
    cyrillic = has_cyrillic(text)
    found = [
        replace(h, kind="report_noun") if _noun(tokens, surface, h) else h
        for h in BUILTIN.find(stems, tokens)
        if not _background(stems, h) and (cyrillic or not has_cyrillic(h.phrase))
    ]
    # "no doubt", "отбили атаку": the cues inside such a phrase do not mean what they say alone.
    masked = {i for h in found if h.kind == "mask" for i in range(h.start, h.end)}
    hits = tuple(
        h
        for h in found
        if h.kind != "mask"
        and h.start not in masked
        and not (h.kind in _DENYING and _conditional(tokens, clauses, h.start))
        and not (h.kind == "hedge" and _reported_future(tokens, found, h))
        and not (h.kind == "hedge" and _inability(tokens, h))
        and not (h.kind == "hedge" and _month(tokens, surface, h.start))
    )
    question = text.rstrip("\"' ").endswith("?") or (
        bool(tokens) and tokens[0] in _QUESTION_OPENERS and text.rstrip().endswith("?")
    )
    question = question or (cyrillic and _cyrillic_question(tokens))
    return Sentence(
        index,
        text,
        tuple(tokens),
        tuple(surface),
        stems,
        tuple(clauses),
        hits,
        question,
        is_title,
        _contrast_clauses(text),
    )


_CONTRAST = re.compile(
    r"but|while|whereas|although|though|however|но|однако|хотя|тогда как|але|проте|хоча|тоді як",
    re.I,
)


_DATE_BEFORE = frozenset({"on", "in", "since", "until", "till", "by", "of", "early", "late",
                          "mid", "from", "through"})  # fmt: skip


def _month(tokens: list[str], surface: list[str], at: int) -> bool:
    """ "On May 9", "in early May", "9 May": the month, not the modal "may"."""
    if tokens[at] != "may" or surface[at][:1] != "M":
        return False
    after = surface[at + 1] if at + 1 < len(surface) else ""
    before = tokens[at - 1] if at > 0 else ""
    return after[:1].isdigit() or before.isdigit() or before in _DATE_BEFORE


def _inability(tokens: list[str], hedge: CueHit) -> bool:
    """ "Could not take the city": what could not be done is a failure, not a possibility."""
    return tokens[hedge.start] == "could" and tokens[hedge.end : hedge.end + 1] == ["not"]


def _contrast_clauses(text: str) -> frozenset[int]:
    """The clause numbers that "but", "while", "however" ... open (not a comma)."""
    return frozenset(
        number
        for number, (separator, _) in enumerate(_clauses(text))
        if _CONTRAST.fullmatch(separator.strip())
    )


def _clauses(text: str) -> list[tuple[str, str]]:
    """(the break before it, the clause) for each clause: "but" opens one, so does a comma."""
    out, start, separator = [], 0, ""
    for found in _CLAUSE_BREAK.finditer(text):
        out.append((separator, text[start : found.start()]))
        start, separator = found.end(), found.group()
    out.append((separator, text[start:]))
    return out


_DENYING = frozenset({"negation", "deny_verb", "refute", "competing"})
_CONDITIONS = frozenset({"if", "unless", "esli", "yakshcho", "iakshcho"})
_FUTURE_IN_PAST = frozenset({"would"})
REPORTED_GAP = 4  # words between a reporting verb and the "would" it governs


def _conditional(tokens: list[str], clauses: list[int], start: int) -> bool:
    """A denial inside an "if"/"unless" clause is a condition, not a denial: "if traffic does
    not return to normal, the port would stay closed"."""
    clause = clauses[start]
    return any(tokens[i] in _CONDITIONS and clauses[i] == clause for i in range(start))


def _reported_future(tokens: list[str], hits: list[CueHit], hedge: CueHit) -> bool:
    """ "officials said the port would remain closed": "would" is the reported future of what
    they said, not a hedge of the reporter's."""
    if tokens[hedge.start] not in _FUTURE_IN_PAST:
        return False
    return any(h.kind == "report" and 0 <= hedge.start - h.end <= REPORTED_GAP for h in hits)


def _cyrillic_question(tokens: list[str]) -> bool:
    """ "Освобождена ли ...", "Чи звільнено ...": a question even without its "?"."""
    if tokens and tokens[0] in _QUESTION_OPENERS:
        return True
    return any(
        t in _QUESTION_PARTICLES and (i == 0 or tokens[i - 1] not in _NOT_A_QUESTION)
        for i, t in enumerate(tokens)
    )


_DETERMINERS = frozenset(("the", "a", "an", "this", "that", "these", "those", "his", "her", "its",
                          "their", "such"))  # fmt: skip


def _noun(tokens: list[str], surface: list[str], hit: CueHit) -> bool:
    """ "the claim", "a report": a reporting word used as a noun introduces no speaker."""
    if hit.kind != "report":
        return False
    if hit.start > 0 and tokens[hit.start - 1] in _DETERMINERS:
        return True
    # "Reports that ...", "media reports": a plural with no named speaker before it.
    plural = tokens[hit.start] in ("reports", "claims")
    return plural and (hit.start == 0 or not surface[hit.start - 1][:1].isupper())


def _background(stems: tuple[str, ...], hit: CueHit) -> bool:
    """A refutation introduced by "amid"/"despite" is background, not the report's own denial."""
    if hit.kind not in ("refute", "deny_verb"):
        return False
    before = stems[max(0, hit.start - 3) : hit.start]
    return any(w in _BACKGROUND for w in before)


def attribution(sentence: Sentence, verb: CueHit | None = None) -> str | None:
    """The speaker of ``verb`` (or of the sentence's first reporting verb)."""
    if verb is None:
        verbs = sentence.of_kind("report", "deny_verb")
        if not verbs:
            return _headline_source(sentence.text)
        verb = verbs[0]
    if verb.phrase in _ACCORDING_TO:
        return _span_after(sentence, verb.end)
    after = verb.end
    if after < len(sentence.tokens) and sentence.tokens[after] == "by":
        return _span_after(sentence, after + 1)
    if has_cyrillic(sentence.text) and _opens_clause(sentence, verb.start):
        return _named_after(sentence, after)  # Russian and Ukrainian put the verb first too
    return _span_before(sentence, verb.start)


def _opens_clause(sentence: Sentence, start: int) -> bool:
    """Nothing of the verb's own clause before it: no subject there ("..., заявили в ВСУ")."""
    before = start - 1
    return (
        before < 0
        or sentence.clauses[before] != sentence.clauses[start]
        or (sentence.tokens[before] in _ATTRIBUTION_STOP)
    )


def _named_after(sentence: Sentence, start: int) -> str | None:
    """ "заявили в Минобороны", "сообщил Генштаб": a capitalised speaker after the verb."""
    while start < len(sentence.tokens) and sentence.tokens[start] in ("v", "vo", "u"):
        start += 1
    if start < len(sentence.tokens) and sentence.surface[start][:1].isupper():
        return _span_after(sentence, start)
    return None


_UPPER = "A-Z\u0400-\u042f\u0490"  # Latin and Cyrillic capitals
_SOURCE_PREFIX = re.compile(rf"^([{_UPPER}][\w'.-]*(?: [{_UPPER}][\w'.-]*){{0,2}}):\s")


def _headline_source(text: str) -> str | None:
    """Headline style "Kyiv: ..." names its source before the colon."""
    found = _SOURCE_PREFIX.match(text)
    return found.group(1) if found else None


def _span_after(sentence: Sentence, start: int) -> str | None:
    picked: list[str] = []
    for i in range(start, min(start + 4, len(sentence.tokens))):
        if (
            sentence.clauses[i] != sentence.clauses[start]
            or sentence.tokens[i] in _ATTRIBUTION_STOP
        ):
            break
        picked.append(sentence.surface[i])
    return " ".join(picked) or None


def _span_before(sentence: Sentence, end: int) -> str | None:
    picked: list[str] = []
    i = end - 1
    while i >= 0 and len(picked) < 4:
        token = sentence.tokens[i]
        if sentence.clauses[i] != sentence.clauses[max(end - 1, 0)] and picked:
            break
        if token in _AUXILIARIES or (token.endswith("ly") and len(token) > 4):
            if picked:
                break
            i -= 1
            continue
        if token in _ATTRIBUTION_STOP:
            break
        picked.insert(0, sentence.surface[i])
        i -= 1
    return " ".join(picked) or None


def _is_title(word: str) -> bool:
    return word in lexicon.TITLES or word.startswith(_TITLE_PREFIXES)


def side_of(attribution_text: str | None) -> str | None:
    """A coarse key for "which side says so": its first name-like word, demonyms folded."""
    if not attribution_text:
        return None
    names = [w for w in attribution_text.split() if w[:1].isupper()]
    candidates = [w for w in names if not _is_title(fold(w))] or names
    if not candidates:
        return None
    # "Russian", "Russia" and "Russia's" share their first five letters; so do Ukraine/Ukrainian.
    key = fold(candidates[0])[:5]
    return lexicon.SIDE_KEYS.get(key, key)
