"""A sentence as the frame reads it: its words with hyphenated compounds split, and every cue
of an event, a side, a force or a qualifier found in them.

Read once per sentence (``read_stream``), whatever the claims that read it; ``stream_for``
then drops the sides that are the subject's own words ("Russian" in an alias "Russian-held
Gornal"). The word classes here are shared by the readings of ``frame`` and ``harm``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from monitors.stance import lexicon
from monitors.stance.cues import CueHit, CueSet, tagged
from monitors.stance.sentence import Sentence
from monitors.text import has_cyrillic, stem


class Event(StrEnum):
    """What a claim or a sentence says happened to a place or a thing."""

    TAKE = "take"  # control changed hands to the actor
    HOLD = "hold"  # the actor is in control
    OCCUPY = "occupy"  # Russia is in control (occupation)
    LOSE = "lose"  # the actor left or gave up
    CONTEST = "contest"  # control is being fought over
    DESTROY = "destroy"  # sunk, destroyed
    STRIKE = "strike"  # shelled, struck, attacked: harm done, read for claims of who did it


RUSSIA, UKRAINE = "Russia", "Ukraine"
OTHER = {RUSSIA: UKRAINE, UKRAINE: RUSSIA}
HARM = (Event.DESTROY, Event.STRIKE)
DEOCCUPY = "deoccupy"  # a LOSE event whose loser is always Russia

_CUES = CueSet(
    tagged(Event.TAKE, lexicon.TAKE_CONTROL)
    + tagged(Event.HOLD, lexicon.HOLD_CONTROL)
    + tagged(Event.OCCUPY, lexicon.OCCUPY)
    + tagged(Event.LOSE, lexicon.LOSE_CONTROL)
    + tagged(Event.CONTEST, lexicon.CONTEST_CONTROL)
    + tagged(Event.DESTROY, lexicon.SINK_OR_DESTROY)
    + tagged(DEOCCUPY, lexicon.DEOCCUPY)
    + tagged("intent", lexicon.INTENT)
    + tagged("attempt", lexicon.ATTEMPT)
    + tagged("move", lexicon.ATTEMPTED_MOVES)
    + tagged("forces", lexicon.ARMED_FORCES)
    + tagged("partial", lexicon.PARTIAL)
    + tagged("person", lexicon.SIDE_PERSONS)
    + tagged("institution", lexicon.INSTITUTIONS)
    + tagged("ended", lexicon.ENDED_BEFORE)
    + tagged("ended_after", lexicon.ENDED_AFTER)
    + tagged("vicinity", lexicon.VICINITY)
    + tagged("vicinity_after", lexicon.VICINITY_AFTER)
    + tagged("demand", lexicon.DEMAND)
    + tagged("detention", lexicon.DETENTION_AFTER)
    + tagged("formerly", lexicon.FORMERLY)
    + tagged(RUSSIA, lexicon.RUSSIAN_SIDE)
    + tagged(UKRAINE, lexicon.UKRAINIAN_SIDE)
)

# Kept apart so that a harm word ("attack") never displaces a control cue on the same words
# ("tried to attack" is an attempted move).
_HARM_CUES = CueSet(tagged(Event.STRIKE, lexicon.STRIKE) + tagged("accuse", lexicon.ACCUSE))
EVENTS = frozenset(Event) | {DEOCCUPY}
_PREFIXES = frozenset({"de", "re"})  # "de-occupied" is one word, not "de" + "occupied"
_AGENT_NOUN = ("er", "ers", "or", "ors")  # "defenders" name a side, they do not defend here
SIDES = (RUSSIA, UKRAINE)
AND = frozenset({"and", "i", "y"})  # English, Ukrainian, Russian
DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "during", "after",
                          "since", "of", "before"})  # fmt: skip
AT = frozenset({"in", "at", "on", "inside", "within", "v", "u", "na", "vo"})
PLACE_WORDS = frozenset(stem(w) for w in lexicon.PLACE_WORDS)


@dataclass(frozen=True)
class Stream:
    """A sentence's words with hyphenated compounds split ("Russian-held" -> Russian, held)."""

    stems: tuple[str, ...]
    words: tuple[str, ...]
    origin: tuple[int, ...]  # index of each word in the sentence's own tokens
    clauses: tuple[int, ...]
    hits: tuple[CueHit, ...]
    contrasts: frozenset[int] = frozenset()  # clause numbers opened by a contrast word
    capitalised: tuple[bool, ...] = ()  # each word as written starts with a capital


def stream_for(sentence: Sentence, subject_words: frozenset[str]) -> Stream:
    """The sentence's stream as read against one subject: a side named by the subject's own
    words ("Russian" in "Russian-held Gornal"?) is the subject, not an actor."""
    read = read_stream(sentence)
    stems = read.stems
    hits = [h for h in read.hits if not (h.kind in SIDES and stems[h.start] in subject_words)]
    return Stream(
        stems,
        read.words,
        read.origin,
        read.clauses,
        tuple(_longest(hits)),
        read.contrasts,
        read.capitalised,
    )


@lru_cache(maxsize=4096)
def read_stream(sentence: Sentence) -> Stream:
    """What does not depend on the claim, once per sentence however many claims read it: the
    split words and every frame cue in them (before the subject's sides are dropped)."""
    stems: list[str] = []
    origin: list[int] = []
    clauses: list[int] = []
    words: list[str] = []
    for i, token in enumerate(sentence.tokens):
        for part in _parts(token):
            stems.append(stem(part))
            words.append(part)
            origin.append(i)
            clauses.append(sentence.clauses[i])
    cyrillic = has_cyrillic(sentence.text)
    hits = [
        h
        for h in _CUES.find(stems, words) + _HARM_CUES.find(stems, words)
        if (cyrillic or not has_cyrillic(h.phrase))
        and not (h.kind in EVENTS and _agent_noun(words[h.start], h.phrase))
    ]
    capitalised = tuple(sentence.surface[i][:1].isupper() for i in origin)
    return Stream(
        tuple(stems),
        tuple(words),
        tuple(origin),
        tuple(clauses),
        tuple(hits),
        sentence.contrasts,
        capitalised,
    )


def _parts(token: str) -> list[str]:
    """Hyphenated compounds split ("Russian-held" -> Russian, held), prefixes kept on."""
    parts = token.split("-") if "-" in token else [token]
    if not all(parts):
        return [token]
    if len(parts) > 1 and parts[0] in _PREFIXES:
        return ["".join(parts[:2]), *parts[2:]]
    return parts


def _agent_noun(word: str, phrase: str) -> bool:
    first = phrase.split()[0]
    return word.endswith(_AGENT_NOUN) and not first.endswith(_AGENT_NOUN)


def _longest(hits: list[CueHit]) -> list[CueHit]:
    """Event hits inside a longer event hit go ("take control" over "take" and "control")."""
    events = [h for h in hits if h.kind in EVENTS or h.kind == "institution"]
    kept = [
        h
        for h in hits
        if h.kind not in EVENTS
        or not any(
            o is not h
            and o.start <= h.start
            and h.end <= o.end
            and o.end - o.start > h.end - h.start
            for o in events
        )
    ]
    return [h for h in kept if h.kind != "institution"]
