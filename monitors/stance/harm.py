"""Who did a harm: the side behind a strike, a killing or a destruction, read strictly.

Against a claim of who struck or destroyed something ("Ukrainian forces shelled the plant") the
side that did the harm is the claim's point, and reading the wrong side flips a verdict. So a
side counts only where English grammar makes it the doer: after "by", as the one accused of it,
or right before it with only its means, manner or force between. A side that was harmed, that
is the target or that only says so does not. Also: where a killing bears on a strike on a place
(at it, not of its people), the other side's denial of its own part, and whose account a
refutation refutes ("debunks Russian explanations").
"""

from __future__ import annotations

from monitors.stance import lexicon
from monitors.stance.cues import CueHit
from monitors.stance.sentence import Sentence
from monitors.stance.stream import (
    AT,
    DETERMINERS,
    PLACE_WORDS,
    SIDES,
    Event,
    Stream,
    read_stream,
)
from monitors.text import stem

_HARM_MEANS = frozenset(stem(w) for w in lexicon.HARM_MEANS)
_LAUNCH_WORDS = frozenset(lexicon.HARM_LAUNCH)
_LAUNCH_VERBS = _LAUNCH_WORDS - {"out", "a", "an", "the", "series", "of"}
_FORCE_WORDS = frozenset(stem(w) for w in lexicon.ARMED_FORCES if not w.endswith("*"))
_PASSIVE_AFTER = frozenset({"in", "by", "during", "as", "after", "near", "when", "while",
                            "following"})  # fmt: skip
_TARGET_BEFORE = frozenset({"on", "of", "against", "at"})
_OWN_PART = frozenset(stem(w) for w in ("responsibility", "involvement", "role", "blame", "it",
                                         "its", "they", "their", "any"))  # fmt: skip
DENIER_GAP = 2  # words between a side and its denying verb ("Russia's defence ministry denied")
HARM_OBJECT_GAP = 4  # words of a harm's object before the "by" of who did it
ACCUSE_GAP = 4  # words between "accuses" and the harm it names ("accused Kyiv of shelling")
_KILLING = frozenset(stem(w) for w in lexicon.KILLING)
_WEAPONS = frozenset(stem(w) for w in ("missile", "missiles", "rocket", "rockets", "drone",
                                       "drones", "shells", "bombs", "aircraft"))  # fmt: skip
_WHEN = frozenset(stem(w) for w in ("today", "yesterday", "overnight", "again", "also", "once"))
_ACCOUNT = frozenset(stem(w) for w in ("version", "versions", "explanation", "explanations",
                                       "claim", "claims", "narrative", "story", "statement",
                                       "statements", "account", "accounts", "lie", "lies",
                                       "fake", "fakes", "propaganda"))  # fmt: skip
# Refuting words that are nouns: the side right before them owns the account ("Russian lies").
_REFUTING_NOUNS = frozenset(stem(w) for w in ("lie", "lies", "fake", "fakes", "propaganda",
                                              "myth", "hoax", "disinformation",
                                              "misinformation", "fabrication"))  # fmt: skip
ACCOUNT_GAP = 3  # words between a refuting verb and the account it refutes


def names_means(word_stem: str) -> bool:
    """A weapon or means of a harm ("missile", "rockets", "drone")."""
    return word_stem in _HARM_MEANS


def cause_of(stream: Stream, hit: CueHit, nominal: bool) -> str | None:
    """The side that did a harm, read strictly, since a wrong side here flips the verdict: after
    "by" ("killed by Russians"), a side accused of it ("Russia accuses Ukraine of shelling"),
    the subject of "by shelling", or a side right before it with only its means or manner
    between ("Russian missile strike", "Russia deliberately killed"). A side before a verb
    followed by "in", "by" ... is what was harmed ("Ukrainian prisoners killed in the
    shelling"), as is one after "on"/"of"."""
    sides = [h for h in stream.hits if h.kind in SIDES]
    after = hit.end
    while after < len(stream.stems) and (
        stream.stems[after] in _WHEN or stream.words[after].endswith("ly")
    ):
        after += 1  # "killed today by the Russian army"
    agent = _of_agent(stream, after, sides) or _fired_from(stream, hit, after, sides)
    if agent is not None:
        return agent
    by = _by_position(stream, after)
    if by is not None:
        named = [s for s in sides if by < s.start <= by + 3]
        return named[0].kind if named else None
    accused = _accused(stream, hit, sides)
    if accused is not None:
        return accused
    if (
        hit.start > 0
        and stream.stems[hit.start - 1] == "by"
        and stream.words[hit.start].endswith("ing")
    ):
        return _clause_subject(stream, hit, sides)  # "proved it is a terrorist state by shelling"
    admitted = _admitted(stream, hit, sides)
    if admitted is not None:
        return admitted
    passive = after >= len(stream.stems) or stream.stems[after] in _PASSIVE_AFTER
    owned = hit.phrase.endswith(("responsibility", "credit"))  # "Kyiv claims responsibility"
    # "the Russian terrorist attack in Olenivka": a side's adjective, then the harm's noun
    compound = hit.end - hit.start > 1 or _side_adjective_before(stream, hit.start)
    if passive and not nominal and not owned and not compound:
        return None
    return _side_right_before(stream, hit, sides)


def _fired_from(stream: Stream, hit: CueHit, after: int, sides: list[CueHit]) -> str | None:
    """ "The plant is under fire from the occupiers": who fires follows "from"."""
    if not hit.phrase.endswith("under fire") or after >= len(stream.stems):
        return None
    if stream.stems[after] != "from":
        return None
    named = [s for s in sides if after < s.start <= after + 3]
    return named[0].kind if named else None


def _admitted(stream: Stream, hit: CueHit, sides: list[CueHit]) -> str | None:
    """ "The Russian defense ministry acknowledges strikes on airfields", "Russia admits it
    struck": the side that owns up to the harm did it."""
    clause = stream.clauses[hit.start]
    for verb in range(max(0, hit.start - ADMIT_GAP), hit.start):
        if stream.stems[verb] not in _ADMIT or stream.clauses[verb] != clause:
            continue
        between = stream.words[verb + 1 : hit.start]
        if any(w not in _OWN_WORDS for w in between):
            continue
        named = [s for s in sides if s.end <= verb and stream.clauses[s.start] == clause]
        if named:
            return named[-1].kind
    return None


ADMIT_GAP = 3  # words between "admits" and the harm it owns up to ("admitted that it struck")
_ADMIT = frozenset(stem(w) for w in ("admit", "admits", "admitted", "acknowledge",
                                     "acknowledges", "acknowledged"))  # fmt: skip
_OWN_WORDS = frozenset({"that", "it", "its", "their", "they", "to", "having", "the"})


def _side_adjective_before(stream: Stream, at: int) -> bool:
    """ "Russian shelling", "Ukrainian strike": a side's adjective right before the word."""
    return (
        at > 0
        and stream.words[at - 1].endswith("ian")
        and any(h.kind in SIDES and h.end == at for h in stream.hits)
    )


def _by_position(stream: Stream, after: int) -> int | None:
    """Where "by" stands right after a harm, after its object ("the shelling of the plant by
    the occupiers", "of the colony in the occupied Olenivka by the Russians"), or after a
    participle of doing ("the attack committed by Russia", "carried out by")."""
    if after < len(stream.stems) and stream.stems[after] == "of":
        window = range(after + 1, min(after + HARM_OBJECT_GAP + 2, len(stream.stems)))
        by = next((i for i in window if stream.stems[i] == "by"), None)
        if by is None:
            by = _by_after_place(stream, after)
        if by is not None and stream.clauses[by] == stream.clauses[after]:
            after = by
    elif after < len(stream.stems) and stream.stems[after] in AT:
        after = _place_end(stream, after + 1)  # "the attack on Olenivka was carried out by"
    while after < len(stream.words) and stream.words[after] in _AUXILIARIES:
        after += 1
    if after < len(stream.words) and stream.words[after] in _DOING:
        after += 2 if stream.words[after + 1 : after + 2] == ("out",) else 1
    return after if after < len(stream.stems) and stream.stems[after] == "by" else None


def _place_end(stream: Stream, start: int) -> int:
    """Where the words naming a place that start at ``start`` end ("the occupied Olenivka")."""
    end = start
    while end < len(stream.stems) and (stream.capitalised[end] or stream.stems[end] in PLACE_WORDS):
        end += 1
    return end


def _by_after_place(stream: Stream, of: int) -> int | None:
    """The "by" after a harm's object and where it is: "of the colony in the occupied
    Olenivka by the Russians" (the object, then "in" and the place's words only)."""
    at = next((i for i in range(of + 1, min(of + HARM_OBJECT_GAP + 2, len(stream.stems)))
               if stream.stems[i] in AT), None)  # fmt: skip
    if at is None:
        return None
    end = _place_end(stream, at + 1)
    return end if end < len(stream.stems) and stream.stems[end] == "by" else None


_AUXILIARIES = frozenset({"was", "were", "is", "are", "been", "has", "have", "had", "being"})
# Participles that name who did a harm through "by": "the attack committed by Russia".
_DOING = frozenset({"committed", "carried", "conducted", "staged", "perpetrated", "organized",
                    "organised", "launched", "planned", "done", "made", "caused"})  # fmt: skip


def _accused(stream: Stream, hit: CueHit, sides: list[CueHit]) -> str | None:
    """ "Russia accuses Ukraine of shelling", "blames Kyiv for the strike": the side accused."""
    for accuse in (h for h in stream.hits if h.kind == "accuse"):
        if 0 < hit.start - accuse.end <= ACCUSE_GAP:
            named = [s for s in sides if accuse.end <= s.start < hit.start]
            before = hit.start - 1
            while (
                before > accuse.end
                and stream.stems[before] in DETERMINERS
                and stream.stems[before] not in ("of", "for")
            ):
                before -= 1  # "blames Ukraine for the shelling"
            if named and stream.stems[before] in ("of", "for"):
                return named[-1].kind
    return None


def _clause_subject(stream: Stream, hit: CueHit, sides: list[CueHit]) -> str | None:
    """The first side of the harm's clause before it, after any "that", that is no
    preposition's object ("the occupiers of Enerhodar"); when "by shelling ..." opens
    the sentence, the first side of the clause after it ("By shelling the plant, Russia ...")."""
    clause = stream.clauses[hit.start]
    if hit.start == 1 or (hit.start > 1 and stream.clauses[hit.start - 2] != clause):
        later = [s for s in sides if s.start > hit.end and stream.clauses[s.start] == clause + 1]
        return later[0].kind if later else None
    # "Zelensky is convinced that Russia hit rock bottom by shelling": the speaker's clause
    # ends at "that".
    that = max((i for i in range(hit.start) if stream.words[i] == "that"), default=-1)
    subject = [
        s
        for s in sides
        if that < s.start
        and s.end <= hit.start
        and stream.clauses[s.start] == clause
        and not (s.start > 0 and stream.stems[s.start - 1] in _PREPOSITIONS)
    ]
    return subject[0].kind if subject else None


_PREPOSITIONS = frozenset({"of", "on", "at", "to", "against", "from", "with"})


def _side_right_before(stream: Stream, hit: CueHit, sides: list[CueHit]) -> str | None:
    """The nearest side before the harm in its clause, with only means, manner or force words
    between, and not itself a target ("attacks on Russian positions")."""
    harms = {i for h in stream.hits if h.kind is Event.STRIKE for i in range(h.start, h.end)}
    before = [s for s in sides if s.end <= hit.start]
    if not before:
        return None
    side = before[-1]
    if stream.clauses[side.start] != stream.clauses[hit.start]:
        return None
    adjective = side.end == hit.start and _side_adjective_before(stream, hit.start)
    if side.start > 0 and stream.stems[side.start - 1] in _TARGET_BEFORE and not adjective:
        return None  # "attacks on Russian positions"; but "in the wake of Russian strikes"
    between = range(side.end, hit.start)
    if all(_means(stream, i, harms) for i in between):
        return side.kind
    if _launched(stream, between, harms):
        return side.kind
    return None


def _launched(stream: Stream, between: range, harms: set[int]) -> bool:
    """ "Russian troops launched a missile strike": between the side and its harm's noun, its
    forces or means, a verb of doing, then articles and means."""
    verbs = [i for i in between if stream.words[i] in _LAUNCH_VERBS]
    if not verbs:
        return False
    before, after = range(between.start, verbs[0]), range(verbs[0], between.stop)
    return all(_means(stream, i, harms) for i in before) and all(
        stream.words[i] in _LAUNCH_WORDS or _means(stream, i, harms) for i in after
    )


def _of_agent(stream: Stream, at: int, sides: list[CueHit]) -> str | None:
    """ "The hit of Russian missiles": "of", a side and its weapon. People after "of" are
    what was harmed ("the killing of Azov fighters", "the shelling of Russian troops")."""
    if at >= len(stream.stems) or stream.stems[at] != "of":
        return None
    start = at + 1
    while start < len(stream.stems) and stream.stems[start] in DETERMINERS:
        start += 1
    side = next((s for s in sides if s.start == start), None)
    if side is None or side.end >= len(stream.stems):
        return None
    return side.kind if stream.stems[side.end] in _WEAPONS else None


def _means(stream: Stream, at: int, harms: set[int]) -> bool:
    """A word that may stand between a side and its harm: its means, manner or force, or the
    harm's own noun ("Russia's missile strike hit")."""
    word = stream.words[at]
    return (
        at in harms
        or stream.stems[at] in _HARM_MEANS
        or stream.stems[at] in _FORCE_WORDS
        or word.endswith("ly")
    )


def victims_of(
    stream: Stream, phrase: str, start: int, last: int, subject_words: frozenset[str]
) -> bool:
    """A killing (``phrase`` at ``start``) bears on a strike on the place only where it
    happened there ("killed in Olenivka", "the Olenivka killings", the subject's last word at
    ``last``); a killing of its people elsewhere or in another way ("killed a worker of the
    plant") is another event."""
    if stem(phrase.split()[0]) not in _KILLING:
        return False
    if 0 <= start - last - 1 <= 1:
        return False  # "the Olenivka killings", "Olenivka massacre"
    return not any(
        stream.stems[i] in subject_words and _after_at(stream, i) for i in range(len(stream.stems))
    )


def _after_at(stream: Stream, at: int) -> bool:
    """The word follows "in", "at" ... with only determiners or place words between."""
    return _preposition_before(stream, at) in AT


def launched_from(stream: Stream, first: int) -> bool:
    """The subject (first word at ``first``) follows "from": "fired rockets from Belgorod",
    "shelled Nikopol from the plant" name where a strike came from."""
    return _preposition_before(stream, first) == "from"


def _preposition_before(stream: Stream, at: int) -> str | None:
    """The word before ``at`` past determiners and place words ("in the city of")."""
    before = at - 1
    while before >= 0 and (
        stream.stems[before] in DETERMINERS or stream.stems[before] in PLACE_WORDS
    ):
        before -= 1
    return stream.stems[before] if before >= 0 else None


def own_part_denied(actor: str, sentence: Sentence, at: int) -> str | None:
    """The side other than ``actor`` denying its own part at token ``at``: "Russia denies
    responsibility", "the Kremlin denies Russian forces struck it". The denier is a side named
    right before the denying word; its part is a word of responsibility, a pronoun or its own
    side right after. Returns that side, or None (a denial of the harm itself, "Russia denies
    the ship was sunk", is a denial of the claim)."""
    stream = read_stream(sentence)
    if at not in stream.origin:
        return None
    start = stream.origin.index(at)
    sides = [h for h in stream.hits if h.kind in SIDES and 0 <= start - h.end <= DENIER_GAP]
    if not sides or sides[-1].kind == actor:
        return None
    side = sides[-1].kind
    after = range(start + 1, min(start + 1 + DENIER_GAP + 2, len(stream.stems)))
    own = any(stream.stems[i] in _OWN_PART for i in after) or any(
        h.kind == side and h.start in after for h in stream.hits
    )
    return side if own else None


def refuted_side(sentence: Sentence, start: int, end: int) -> str | None:
    """Whose account a refutation (tokens ``start``..``end``) refutes: "Russian lies", "the
    Kremlin's fake" (a side right before the refuting noun), "debunks Russian explanations",
    "refuted the version of the Russians" (a side and an account word after it)."""
    stream = read_stream(sentence)
    if start not in stream.origin:
        return None
    if end - 1 not in stream.origin:
        return None
    first = stream.origin.index(start)
    last = len(stream.origin) - 1 - stream.origin[::-1].index(end - 1)
    sides = [h for h in stream.hits if h.kind in SIDES]
    before = [s for s in sides if 0 <= first - s.end <= 1]
    if before and stream.stems[first] in _REFUTING_NOUNS:
        return before[-1].kind
    window = range(last + 1, min(last + 1 + ACCOUNT_GAP + 2, len(stream.stems)))
    accounts = [i for i in window if stream.stems[i] in _ACCOUNT]
    if not accounts:
        return None
    near = [
        s for s in sides if last < s.start <= accounts[0] + 3 and abs(s.start - accounts[0]) <= 3
    ]
    return near[0].kind if near else None
