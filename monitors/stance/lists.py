"""Names in a list: where a subject listed among others stands for the words around it.

The General Staff's daily reports name many places in one sentence ("repelled attacks near
Torske, Berestove, Soledar and Bakhmut"; "The cities of Polohy, Vasylivka, Tokmak and Melitopol
are occupied"). A verb before or after such a list is as near to every name in it as to the
nearest one, and words that only say where ("in the areas of 9 settlements in the Luhansk
region") do not put the event further away.
"""

from __future__ import annotations

from monitors.stance.stream import AND, AT, DETERMINERS, PLACE_WORDS, SIDES, Stream
from monitors.text import stem

LIST_ITEM = 4  # words of one name in a list ("Velyka Novosilka")


def subject_positions(stream: Stream, subject: tuple[int, int]) -> tuple[int, int]:
    """The subject's first and last positions in the stream (token span -> stream span); a
    subject listed among other names stands where the list starts."""
    first = stream.origin.index(subject[0]) if subject[0] in stream.origin else 0
    last = len(stream.origin) - 1 - stream.origin[::-1].index(subject[1] - 1) if (
        subject[1] - 1 in stream.origin
    ) else first  # fmt: skip
    return list_start(stream, first), last


def list_start(stream: Stream, first: int) -> int:
    """ "repelled attacks near Torske, Berestove, Soledar and Bakhmut": the verb is as near to
    Soledar as to the first name of the list. Walk back over names joined by commas or "and"
    (a short clause of capitalised words, then the run of names ending the clause before)."""
    clause = stream.clauses[first]
    opens = first == 0 or stream.clauses[first - 1] != clause
    if clause in stream.contrasts or not (opens or stream.stems[first - 1] in AND):
        return first  # "..., but Izium is held": another proposition, not another name
    start = first
    while start > 0:
        before = start - 1
        item_start = before
        while item_start > 0 and stream.clauses[item_start - 1] == stream.clauses[before]:
            item_start -= 1
        joined = stream.clauses[before] == stream.clauses[start]
        if joined and stream.stems[before] in AND and before > 0 and stream.capitalised[before - 1]:
            start = before - 1  # "Bakhmut and Soledar"
            continue
        if joined or not stream.capitalised[before]:
            break
        names = range(item_start, before + 1)
        if before - item_start < LIST_ITEM and all(
            stream.capitalised[i] or stream.stems[i] in AND for i in names
        ):
            start = item_start  # ", Berestove," a whole item
            continue
        start = before  # the last name of the clause that opens the list
        while start > item_start and stream.capitalised[start - 1]:
            start -= 1
        break
    return start


def list_end(stream: Stream, last: int) -> int:
    """ "The cities of Polohy, Vasylivka, Tokmak and Melitopol are occupied": a place listed
    first is as near to the verb after the list as the last name of it. Walk on over names
    (at most ``LIST_ITEM`` capitalised words each) that follow a comma or "and"."""
    end = last
    while end + 1 < len(stream.stems):
        start = end + 1
        if stream.stems[start] in AND:
            start += 1
        elif stream.clauses[start] == stream.clauses[end]:
            break  # neither a comma nor "and": the list is over
        item = start
        while item < len(stream.stems) and item - start < LIST_ITEM and stream.capitalised[item]:
            item += 1
        if item == start:
            break
        end = item - 1
    return end


def locative_words(stream: Stream, start: int, end: int) -> int:
    """How many words between an event and the subject after it only say where it happened:
    "repelled attacks in the areas of 9 settlements in the Luhansk region" is as near to the
    region as "repelled attacks in the Luhansk region". Counted when at most two words between
    are not such words (the event's object: "attacks", "occupiers"); 0 otherwise."""
    between = [i for i in range(start, end) if not _aside(stream, i, start, end)]
    located = [i for i in between if _locates(stream, i)]
    if not located or len(between) - len(located) > 2:
        return 0
    return len(located)


PARTICIPLE_MIN = 5  # letters: "inflicting", "causing" open an aside; "king" does not


def _aside(stream: Stream, i: int, start: int, end: int) -> bool:
    """A word of a participle clause set off by commas between the event and the places
    ("repelled the attacks, inflicting losses on it, in the areas of ..."): it tells how the
    event went, not where."""
    if start == 0:
        return False
    clause = stream.clauses[i]
    if clause in (stream.clauses[start - 1], stream.clauses[end]):
        return False  # the event's clause or the places' own
    opening = stream.words[stream.clauses.index(clause)]
    # a participle, not a short word that ends so ("king", "thing")
    return opening.endswith("ing") and len(opening) > PARTICIPLE_MIN


def _locates(stream: Stream, i: int) -> bool:
    word = stream.stems[i]
    return (
        word in AT
        or word in DETERMINERS
        or word in PLACE_WORDS
        or word in AND
        or word in _LOCATIVE
        or word in _LISTING
        or stream.words[i].isdigit()
        or (i < len(stream.capitalised) and stream.capitalised[i])
        or any(h.start <= i < h.end and h.kind in _ATTACKERS for h in stream.hits)
    )


_LOCATIVE = frozenset(stem(w) for w in ("area", "areas", "near", "outside", "settlements",
                                        "villages", "towns", "direction", "directions",
                                        "sector", "region", "regions"))  # fmt: skip
# Words of a General Staff list between a fight and the places it names: "repelled attacks by
# the invaders in the areas of Zemlianka ..., as well as Soledar", "namely ...".
_LISTING = frozenset(stem(w) for w in ("by", "as", "well", "namely", "particular", "including",
                                       "attacks", "attack", "assaults", "attempts"))  # fmt: skip
_ATTACKERS = (*SIDES, "forces")
