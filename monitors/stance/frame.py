"""Claim frames: what a claim says happened, and whether a sentence says the same thing.

A claim is read once into a frame: its event (control taken, held or lost; a fight for control;
something sunk or destroyed), who did it (Russia, Ukraine, or nobody named) and whether the claim
is negated. For control events that gives the state the claim implies: "Russian forces captured
Gornal" and "Ukraine withdrew from Gornal" both mean *Russia controls Gornal*.

A sentence about the claim's subject is read with the same vocabulary: the event word nearest
the subject, who does it (a side named in the phrase, before the verb, or after "by"/"to";
"from" names the loser), whether it is negated or only intended ("plans to take"). Then:

- the same controller as the claim's -> the sentence asserts the claim;
- another controller ("Ukrainian troops still hold Gornal") -> a competing fact, it denies it;
- a fight for the place ("storming", "trying to break into", "repelled assaults") while the
  claim says control already changed -> the change has not happened: it denies it;
- a change said without an actor ("Gornal has fallen") is read as the claim's own change;
- control of part of the place ("70% of the city") denies a claim about all of it;
- with no event word, a side's forces inside the place ("occupiers in Melitopol") say who holds
  it (claims of control only);
- against a claim of who struck or destroyed something ("Ukrainian forces shelled the plant"),
  any harm to it is read for the side that did it (``harm``): the claim's side asserts it,
  the other side is a competing cause. Control claims never read harms, and harm claims never
  read control.

The sentence's words and cues come from ``stream``, read once per sentence.

Each reading names the frame slot that decided (event, actor, controller), so an explanation
can say "competing fact: Ukraine holds the place (the claim: Russia controls it)".
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace

from monitors.models import SentenceStance
from monitors.stance import lexicon
from monitors.stance.cues import CueHit, CueSet, tagged
from monitors.stance.harm import (
    cause_of,
    launched_from,
    names_means,
    own_part_denied,
    refuted_side,
    victims_of,
)
from monitors.stance.lists import list_end, locative_words, subject_positions
from monitors.stance.sentence import Sentence
from monitors.stance.stream import (
    AND,
    AT,
    DEOCCUPY,
    DETERMINERS,
    EVENTS,
    HARM,
    OTHER,
    PLACE_WORDS,
    RUSSIA,
    SIDES,
    UKRAINE,
    Event,
    Stream,
    stream_for,
)
from monitors.stance.vocabulary import STOPWORDS
from monitors.text import has_cyrillic, stem

_CONTROL = (Event.TAKE, Event.HOLD, Event.OCCUPY, Event.LOSE)
_CHANGES = (Event.TAKE, Event.LOSE)  # events whose direction is clear without an actor
_RANK = {Event.TAKE: 0, Event.LOSE: 0, Event.DESTROY: 0, Event.CONTEST: 1, Event.STRIKE: 1,
         Event.HOLD: 2, Event.OCCUPY: 2}  # fmt: skip

_LIBERATE = frozenset(stem(w) for w in lexicon.LIBERATE + lexicon.REVERSAL)
_MODIFIES = frozenset({"the", "a", "an", "recent", "recently", "newli", "newly", "already", "in",
                       "of", "from"})  # fmt: skip
_NEW_SUBJECT = frozenset({"the", "a", "an"})
_PERFECT = frozenset({"have", "has", "been"})
_TOWARD = frozenset({"to", "toward", "towards", "into"})
VICINITY_GAP = 3  # words between a vicinity word and the subject
ENDED_GAP = 3  # words between a fight and the word that ends it ("the siege of X is over")
NEARBY_SCORE = 0.55  # weak, like an intention: fighting near a place that was already taken
# An attack repelled at or near the place: on the read sets these readings were right 0.98 of
# the time (312 of them), more than any other fight reading, so a body sentence alerts too.
REPELLED_SCORE = 0.85
_REPELLING = frozenset(stem(w) for w in lexicon.REPELLING if " " not in w)
_PHRASES = frozenset(lexicon.REPELLING_PHRASES)  # matched whole: "fought off", not "fought"
INTENDED_SCORE = 0.55  # below the default alert threshold: recorded, never alerts alone
_FALL = frozenset(stem(w) for w in ("fall", "fell", "fallen"))  # the place is the subject
_AGENT = {"by": "agent", "to": "agent", "from": "loser"}
_CAUSE = frozenset(stem(w) for w in ("after", "by", "in", "from", "following"))
CAUSE_GAP = 4  # words between a sinking and the side of what caused it
PARTIAL_GAP = 2  # words between "part of" and the place ("part of the town of X")
NEAR = 10  # tokens between the subject and an event word that can be about it
INTENT_GAP = 2  # tokens between an intent word and the event it qualifies
NOMINAL_FACTOR = 0.8
_NOUN_ENDINGS = ("tion", "sion", "ment", "tions", "sions", "ments")
DEMAND_GAP = 4  # tokens between "calls on" and the withdrawal it demands
_PAST = frozenset(stem(w) for w in lexicon.PAST_PROGRESSIVE)
PRESENCE_GAP = 5  # words between a force and "in <the place>"
PRESENT_SCORE = 0.8  # a force inside the place: its side holds it (read for claims of control
# only: inside a place being fought for, a force may be attacking it)
_DEFENDS = frozenset(stem(w) for w in lexicon.DEFENDING if " " not in w)
_BE = frozenset({"is", "are", "was", "were", "been", "be", "being"})
_AUXILIARY = _BE | frozenset({"have", "has", "had", "now", "already", "also", "reportedly"})
OBJECT_GAP = 4  # words of an event's object before "in <the place>"
_LAST = frozenset({"last", "final"})  # the part taken was all that was left: the whole is taken
LAST_GAP = 6  # words between "last" and the part it qualifies
# A region is named by its occupied or liberated parts ("occupied territories of the region"):
# that describes a part, it does not tell of the whole region's capture ("entire", "fully" do).
_WHOLE = frozenset(stem(w) for w in lexicon.WHOLE)
_REGION = frozenset(stem(w) for w in lexicon.REGION_WORDS)
_PART_NOUNS = frozenset(stem(w) for w in lexicon.PART_NOUNS)
ATTRIBUTE_GAP = 2  # words between an event adjective and the place it describes


@dataclass(frozen=True)
class EventHit:
    event: Event
    phrase: str
    start: int  # in stream positions
    end: int
    actor: str | None
    negated: bool
    intended: bool
    ended: bool = False  # a fight said to be over
    toward: bool = False  # the subject is where the actor goes ("retreated to Izium")
    nominal: bool = False  # named by a noun ("the occupation of Izium"), not told by a verb
    defender: str | None = None  # in a fight, the side said to hold the place against it
    refrained: bool = False  # "not to resist": an infinitive negated, nothing done
    by_forces: bool = False  # armed forces named right before it ("troops leave")
    tried: bool = False  # a capture tried or kept from happening, read as a fight
    cause: str | None = None  # of a harm: the side that did it, read strictly (see cause_of)


@dataclass(frozen=True)
class ClaimFrame:
    """What the claim says happened."""

    event: Event
    phrase: str  # the claim's own event words ("captured")
    actor: str | None
    negated: bool
    area: bool = False  # the claim is about a region ("the Kharkiv region"), not a town

    @property
    def controller(self) -> str | None:
        """Who controls the subject if the claim is true (None when it does not say)."""
        return _controller(self.event, self.actor)

    @property
    def owner(self) -> str | None:
        """Whose place it was before the claimed change, when the claim implies it: a capture
        takes another's place, a recapture or liberation takes one's own back."""
        if self.event is Event.OCCUPY or (self.event is Event.LOSE and self.actor == RUSSIA):
            return UKRAINE  # occupation is Russia's; what Russian forces leave they had taken
        if self.event is not Event.TAKE or self.actor is None:
            return None
        return self.actor if _liberates(self.phrase) else OTHER[self.actor]

    def describe(self) -> str:
        if self.event in _CONTROL and self.controller:
            return f"{self.controller} controls it"
        who = f"{self.actor} " if self.actor else ""
        return f"{who}{self.phrase}"


@dataclass(frozen=True)
class FrameReading:
    """A sentence read against a claim frame."""

    stance: SentenceStance  # ASSERT, DENY or HEDGE
    score: float
    cue: str  # the sentence's event words
    slot: str  # which part of the frame decided, in words
    intended: bool = False  # read from an intention ("plans to take"), not a fact
    kind: str = ""  # the reading's name ("controller", "fight" ...), kept as Evidence.reading
    at: int | None = None  # the sentence token where its event word stands


def claim_frame(statement: Sentence) -> ClaimFrame | None:
    """The claim's frame, or None when its statement names no event we know."""
    stream = stream_for(statement, frozenset())
    done = [h for h in _events(stream) if not h.intended]
    if not done:
        return None
    # "The defenders of Azovstal have surrendered": the change is the claim, not the fight.
    hit = min(done, key=lambda h: (_RANK[h.event], h.start))
    area = any(s in _REGION for s in stream.stems)
    return ClaimFrame(hit.event, hit.phrase, hit.actor, hit.negated, area)


def read_against(
    frame: ClaimFrame, sentence: Sentence, subject: tuple[int, int], subject_words: frozenset[str]
) -> FrameReading | None:
    """How the sentence's event nearest the subject (token span) bears on the frame, with the
    sentence token where that event's word stands."""
    stream = stream_for(sentence, subject_words)
    reading = _read_against(frame, stream, subject, subject_words)
    if reading is None:
        return None
    spots = [stream.origin[h.start] for h in stream.hits if h.phrase == reading.cue]
    at = min(spots, key=lambda i: abs(i - subject[0]), default=None)
    return dataclass_replace(reading, at=at)


def _read_against(
    frame: ClaimFrame, stream: Stream, subject: tuple[int, int], subject_words: frozenset[str]
) -> FrameReading | None:
    region = _region(stream, subject)
    areas = None if region or frame.area else _areas_named(stream, subject)
    if areas is not None:
        # "liberated in Zhytomyr, Kyiv, Sumy and Chernihiv regions", "units leaving Skadovsk,
        # Henichesk districts": the names share a plural area word; they name areas, not towns.
        slot = f"{areas}: the area of that name, not the place itself"
        return FrameReading(SentenceStance.MENTION, 0.3, areas, slot, kind="area")
    # "the areas of the Kharkiv region" are inside a region, not around it.
    nearby = _in_vicinity(stream, subject, borders_only=region)
    # Something destroyed bears only on a claim that it was ("being destroyed" in a report of
    # battles for a plant says nothing about who holds it).
    events = [e for e in _events(stream) if e.event in _read_events(frame)]
    near = _nearest(stream, events, subject)
    if (
        near is None
        and not nearby
        and (frame.event in (Event.HOLD, Event.OCCUPY) or (region and frame.event in _CONTROL))
    ):
        # In a region, a side's forces are where its part is: the other side's forces there
        # deny that all of it changed hands; the claimed side's forces show only a part.
        present = _present(frame, stream, subject)
        if present is not None and region and present.stance is SentenceStance.ASSERT:
            slot = f"{present.slot}: a part of the place, the claim says all of it"
            return FrameReading(SentenceStance.MENTION, 0.3, present.cue, slot, kind="whole")
        return present
    if near is None:
        return None
    if nearby:
        # Around a place, a fight tells more than who took which village near it.
        fights = [e for e in events if e.event is Event.CONTEST]
        near = _nearest(stream, fights, subject) or near
        lost = near.event is Event.LOSE
        if lost and _acts_on_other(stream, near, subject, subject_words, around=True):
            return None  # "lost control over villages near Izium": those villages' news
        first, _ = subject_positions(stream, subject)
        if lost and _toward(stream, first):
            return None  # "retreat towards Kreminna": where they go, not where they leave
        return _fight_nearby(frame, near)
    first, _ = subject_positions(stream, subject)
    if _toward(stream, first):
        near = dataclass_replace(near, toward=True)
    if near.event is Event.LOSE and _passed_through(stream, first):
        return None  # "left the occupied territories through Zaporizhzhia": a way, not a loss
    if near.event in _HELD and frame.controller == UKRAINE and _period_of(stream, near):
        # "killed during the occupation of Bucha": the occupation is named as the time of
        # something else, the state before a liberation, not a denial of it.
        slot = f"{near.phrase}: named as the time of something else, a state before the claim"
        return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="period")
    if near.event in _HELD and _formerly(stream, near):
        # "a village earlier occupied by Russian forces": a state that is over says who held
        # the place then, not now.
        slot = f"{near.phrase}: a state that is over, not who holds the place now"
        return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="formerly")
    if near.intended and _demanded(stream, near):
        # "calls on Russia to withdraw from the plant": only a side that is there can leave.
        held = dataclass_replace(near, event=Event.HOLD, intended=False)
        reading = _compare(frame, held)
        if reading is None:
            return None
        return dataclass_replace(reading, slot=f"{reading.slot} (asked to leave)", kind="demand")
    if near.intended:
        return _intended(frame, near, stream)
    reading = _compare(frame, near)
    first, last = subject_positions(stream, subject)
    if reading is not None and near.event is Event.STRIKE and launched_from(stream, first):
        # "fired two rockets from Belgorod": where the strike came from, not what it hit.
        slot = f"{near.phrase} from the place: where it came from, not what it hit"
        return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="origin")
    if (
        reading is not None
        and near.event is Event.STRIKE
        and victims_of(stream, near.phrase, near.start, last, subject_words)
    ):
        # "killed two workers of the plant": people of the place, not a strike on it.
        slot = f"{near.phrase}: people of the place, not a harm done at it"
        return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="victims")
    # A strike on a thing inside the place ("hits a fuel depot at the plant") is on the place.
    inside = None if near.event in HARM else _thing_inside(stream, near, subject)
    if reading is not None and reading.stance is SentenceStance.ASSERT and inside is not None:
        # "captured two villages in the Luhansk region": the event is on a part of the place;
        # a part does not make the whole (a part held by the other side does deny it).
        slot = f"{near.phrase}: {inside} in the place, not the place itself"
        return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="part")
    if (
        reading is not None
        and reading.kind in ("controller", "change")
        and _partly(stream, near, subject)
    ):
        slot = f"partial control ({near.phrase} part of it): the claim says all of it"
        reading = FrameReading(SentenceStance.DENY, 0.75, near.phrase, slot, kind="partial")
    # A harm done to a part of a region, or to a town in it, is done to the region ("Russian
    # missiles struck the Poltava region": Kremenchuk, Poltava region, was struck); control of a
    # part is not control of the whole.
    whole_needed = region and near.event not in HARM
    if (
        reading is not None
        and (reading.stance is SentenceStance.ASSERT or near.negated)
        and whole_needed
        and not _whole_said(stream)
    ):
        described = _describes_part(stream, near, subject)
        if described is not None:
            slot = f"{described}: a part of the place, the claim says all of it"
            return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="whole")
    if reading is not None and reading.stance is SentenceStance.ASSERT and whole_needed:
        town = _town_located(stream, subject)
        if town is not None:
            # "Irpin, Kyiv region, was liberated", "the mayor of Bucha in Kyiv region said the
            # town had been liberated": the region only says where the town is.
            slot = f"{near.phrase}: {town.capitalize()} in the place, not the place itself"
            return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="part")
    if reading is not None and reading.kind == "fight" and not near.tried:
        cause = _fought_for(stream, near, subject_words)
        if cause is not None:
            # "doctors fight for the life of one of them": a fight for something else.
            slot = f"{near.phrase} for {cause}: the fight is for {cause}, not for the place"
            return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="theme")
    if reading is not None and reading.kind == "fight" and near.tried:
        other = _acts_on_other(stream, near, subject, subject_words)
        if other is not None:
            # "prevented the Russians from capturing the road between X and Y": a fight for
            # the road, not for the place.
            slot = f"{near.phrase} {other}: the fight is for {other}, not for the place"
            return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="theme")
    if reading is not None and reading.stance in (SentenceStance.ASSERT, SentenceStance.DENY):
        # A denial stays when the event is on a part of a region or on what is not named:
        # "liberated five villages in the region" is not the region taken ("left Kherson and
        # crossed the Dnipro" is another place's news).
        deny = reading.stance is SentenceStance.DENY
        other = (
            None
            if deny and region
            else _acts_on_other(stream, near, subject, subject_words, named=deny)
            or (None if deny else _patient_before(stream, near, subject_words))
        )
        if other is not None:
            # "Russian forces seize Chernobyl plant and advance on Kyiv", "blame Kyiv for
            # killings in Russian-occupied areas": the event has its own object. Who does it
            # may still be inside the place ("In Enerhodar, the occupiers seized ...").
            present = _present(frame, stream, subject) if frame.event in _HELD else None
            if present is not None:
                return present
            slot = f"{near.phrase} {other}: the event is on {other}, not on the place"
            return FrameReading(SentenceStance.MENTION, 0.3, near.phrase, slot, kind="theme")
    if reading is not None and reading.stance is SentenceStance.ASSERT:
        fight = _fight_after_contrast(stream, near, subject)
        if fight is not None:
            slot = f"ongoing fight after the claim ({fight.phrase}): control has not changed"
            return FrameReading(SentenceStance.DENY, 0.75, fight.phrase, slot, kind="but_fight")
    if reading is not None and near.nominal:
        reading = _recalled(reading)
    if reading is None or not frame.negated:
        return reading
    flipped = (
        SentenceStance.DENY if reading.stance is SentenceStance.ASSERT else SentenceStance.ASSERT
    )
    slot = reading.slot + "; the claim is negated"
    return dataclass_replace(reading, stance=flipped, slot=slot)


def _present(frame: ClaimFrame, stream: Stream, subject: tuple[int, int]) -> FrameReading | None:
    """With no event word, against a claim that a side holds the place: a side's forces inside
    it ("the occupiers in Melitopol have kidnapped ...", "In Kherson, the invaders evicted ...")
    say who holds it. Strikes on it from outside name no force inside, and "near" is the
    surroundings (no reading)."""
    force = _force_in(stream, subject)
    if force is None:
        return None
    absent = _absent(stream, force)  # "there are no occupiers in Zelenodolsk"
    hit = EventHit(Event.HOLD, force.phrase, force.start, force.end, force.kind, absent, False)
    reading = _compare(frame, hit)
    if reading is None:
        return None
    if absent:
        slot = f"absence: no forces of {force.kind} in the place ({force.phrase})"
        score = min(reading.score, PRESENT_SCORE)
        return dataclass_replace(reading, score=score, slot=slot, kind="absence")
    slot = f"presence: {force.kind}'s forces in the place ({force.phrase})"
    slot += "; " + reading.slot.split(":", 1)[-1].strip()
    score = min(reading.score, PRESENT_SCORE)
    return dataclass_replace(reading, score=score, slot=slot, kind="presence")


def _absent(stream: Stream, force: CueHit) -> bool:
    """ "No occupiers", "not a single Russian soldier", "without invaders": none are there."""
    before = stream.words[max(0, force.start - 3) : force.start]
    return bool(before) and (
        before[-1] in ("no", "without") or ("not" in before and "single" in before)
    )


def _force_in(stream: Stream, subject: tuple[int, int]) -> CueHit | None:
    """The side's force located at the subject: "<force> in [the city of] <subject>", or a
    clause opened by "In <subject>," and a force at the start of what follows."""
    first, last = subject_positions(stream, subject)
    forces = _forces(stream)
    for force in forces:
        between = range(force.end, first)
        if (
            0 < first - force.end <= PRESENCE_GAP
            and stream.stems[force.end] in AT
            and all(stream.stems[i] in PLACE_WORDS or stream.stems[i] in AT for i in between)
            and stream.clauses[force.start] == stream.clauses[first]
        ):
            return force
    fronted = (
        first > 0
        and stream.stems[first - 1] in AT
        and (first == 1 or stream.clauses[first - 2] != stream.clauses[first])
    )
    if fronted:
        for force in forces:
            if (
                0 < force.start - last <= PRESENCE_GAP
                and stream.clauses[force.start] != stream.clauses[first]
            ):
                return force
    return None


def _forces(stream: Stream) -> list[CueHit]:
    """Side words naming armed people: "occupiers", or "Russian" + "troops"."""
    out = []
    persons = {h.start for h in stream.hits if h.kind == "person"}
    for side in (h for h in stream.hits if h.kind in SIDES):
        if side.start in persons:
            out.append(side)
            continue
        force = next(
            (h for h in stream.hits if h.kind == "forces" and 0 <= h.start - side.end <= 2), None
        )
        if force is not None:
            phrase = " ".join(stream.words[side.start : force.end])
            out.append(CueHit(side.kind, phrase, side.start, force.end))
    return out


def _partly(stream: Stream, hit: EventHit, subject: tuple[int, int]) -> bool:
    """ "Enemy controls 70% of Siverodonetsk", "established control over part of the town",
    "partially captured": the event covers only some of the place."""
    first, _ = subject_positions(stream, subject)
    if _share_of(stream, first):
        return True
    for h in stream.hits:
        if h.kind != "partial":
            continue
        before_subject = 0 <= first - h.end <= PARTIAL_GAP
        on_event = 0 <= hit.start - h.end <= 1 or 0 <= h.start - hit.end <= 1
        if before_subject or on_event or _share_told(stream, h, hit):
            return True
    return False


def _share_told(stream: Stream, share: CueHit, hit: EventHit) -> bool:
    """ "70 percent of the city is controlled by": the share is the event's own subject, the
    place named by its kind (words between: place words, "the", "is")."""
    between = range(share.end, hit.start)
    return 0 < len(between) <= OBJECT_GAP and all(
        stream.stems[i] in PLACE_WORDS or stream.stems[i] in _AUXILIARY for i in between
    )


def _thing_inside(stream: Stream, hit: EventHit, subject: tuple[int, int]) -> str | None:
    """The word the event acts on when the subject only locates it: "<event> <thing> in
    <subject>" or "<thing> in <subject> <event>" ("captured Pidlisne in Luhansk region",
    "settlements in Luhansk region have been occupied"). The thing must be the event's own
    object: next to the verb, in its clause. None when the subject is the event's own place
    ("fighting in", "took control in", "the town of"), or the event is a noun ("after the
    liberation, bodies were found in Lyman": the bodies are not liberated)."""
    if hit.nominal:
        return None
    first, last = subject_positions(stream, subject)
    at = first - 1
    while at >= 0 and stream.stems[at] in DETERMINERS and stream.stems[at] not in AT:
        at -= 1
    if at < 1 or stream.stems[at] not in AT:
        return None
    thing = at - 1
    if hit.end <= thing:
        between = range(hit.end, at)
        if len(between) > OBJECT_GAP or stream.clauses[hit.start] != stream.clauses[at]:
            return None
    elif hit.start > last:
        between = range(last + 1, hit.start)
        if len(between) > OBJECT_GAP or any(stream.stems[i] not in _AUXILIARY for i in between):
            return None
    else:
        return None
    if any(stream.stems[i] in _BE for i in range(hit.end, at)):
        return None  # "after the liberation, bodies were found in Lyman": another predicate
    surface = stream.words[thing]
    if surface.lower() in STOPWORDS or not surface.isalpha():
        return None
    if any(stream.stems[i] in _LAST for i in range(max(0, thing - LAST_GAP), thing)):
        return None  # "the last Ukrainian-held village, Gornal, in the region": the last part
    armed = (h for h in stream.hits if h.kind in SIDES or h.kind in ("forces", "person"))
    if any(h.start <= thing < h.end for h in armed):
        return None  # "Russian troops in the region": who is there, read as presence
    return stream.words[thing]


_HELD = (Event.HOLD, Event.OCCUPY)
# Words that qualify an event's object without being it ("took full control of", "captured
# nearly all of", "liberated the town of").
_THEME_SKIP = frozenset({"of", "over", "full", "complete", "total", "entire", "whole", "all",
                         "nearly", "almost", "most", "much", "back", "control", "s"}
                        | DETERMINERS)  # fmt: skip


def _acts_on_other(
    stream: Stream,
    hit: EventHit,
    subject: tuple[int, int],
    subject_words: frozenset[str],
    named: bool = False,
    around: bool = False,
) -> str | None:
    """The words of the event's own object when it is not the subject: the noun phrase right
    after a verb or an event adjective ("seize Chernobyl plant", "occupied areas", "take
    immediate measures"), when the subject is neither in it nor its apposition ("the last
    Ukrainian-held village, Gornal"). None when the object is the subject, when the event is
    a noun ("the occupation of"), or when no object follows (passives, "captured in ...").
    ``named``: only an object that starts with a capital (another place, not "troops");
    ``around``: read for a loss around the place: places named by their kind ("lost
    villages") are objects too, the side's own forces ("withdrew its troops") are not."""
    if (
        hit.nominal
        or (hit.event not in _CONTROL and hit.event is not Event.STRIKE and not hit.tried)
        or has_cyrillic(hit.phrase)
    ):
        return None  # Russian and Ukrainian order words freely: no object position to read
    first, last = subject_positions(stream, subject)
    if hit.start <= first < hit.end:
        return None
    at = hit.end
    while at < len(stream.stems) and _qualifies(stream, at, hit, around):
        at += 1
    closed = at >= len(stream.stems) or stream.clauses[at] != stream.clauses[hit.start]
    if closed and at - 1 >= hit.end and stream.words[at - 1] in _TERRITORY and first < hit.start:
        # "nobody has left Lysychansk for occupied territory": the clause ends on a part noun
        # of its own, after the subject; the event is on that territory.
        return stream.words[at - 1]
    if closed or at == first:
        return None
    if not _content(stream, at) or (named and not stream.capitalised[at]):
        return None
    end = at
    while (
        end < len(stream.stems)
        and stream.clauses[end] == stream.clauses[at]
        and (_content(stream, end) or stream.stems[end] in ("of", "the", "s"))
    ):
        end += 1
    if at <= first < end or any(stream.stems[i] in subject_words for i in range(at, end)):
        return None  # "captured strategically important Lysychansk": the subject is the object
    if _located_in_subject(stream, end, first):
        return None  # "seized the premises in Energodar": a part of the place (read elsewhere)
    if end == first and end > 0 and stream.clauses[end] != stream.clauses[end - 1]:
        ends_clause = (
            last + 1 >= len(stream.stems) or stream.clauses[last + 1] != stream.clauses[last]
        )
        if ends_clause:
            return None  # an apposition: "the last Ukrainian-held village, Gornal, in ..."
    if hit.event is Event.STRIKE and any(names_means(stream.stems[i]) for i in range(at, end)):
        return None  # "fired a Tochka-U missile at the station": the weapon, not a target
    return " ".join(stream.words[at:end])


def _fought_for(stream: Stream, hit: EventHit, subject_words: frozenset[str]) -> str | None:
    """What a fight is for when that is a thing, not the place: "fight for the life of", not
    "the fight for the city", "for control over", "for every street" or a name."""
    at = hit.end
    if at >= len(stream.stems) or stream.stems[at] != "for":
        return None
    at += 1
    while at < len(stream.stems) and stream.stems[at] in DETERMINERS:
        at += 1
    if at >= len(stream.stems) or stream.clauses[at] != stream.clauses[hit.start]:
        return None
    word = stream.stems[at]
    if stream.capitalised[at] or not _content(stream, at) or word in subject_words:
        return None
    if word in PLACE_WORDS or word in _PART_NOUNS or word in _REGION or word in _FOUGHT_OVER:
        return None
    if any(h.start <= at < h.end for h in stream.hits):
        return None
    return stream.words[at]


# What a fight for a place is fought over: its control, every part of it.
_FOUGHT_OVER = frozenset(stem(w) for w in ("control", "every", "each", "possession", "access"))


def _patient_before(stream: Stream, hit: EventHit, subject_words: frozenset[str]) -> str | None:
    """The thing a participle is told of when it stands before it: "600 explosive items seized
    in Irpin", "children who had been taken from Enerhodar". A common noun only (not a place,
    a part of one, a side or a force: "the town was captured", "Russian troops seized"), and
    never the subject."""
    if hit.nominal or hit.event not in _CONTROL or has_cyrillic(hit.phrase):
        return None
    verb = stream.words[hit.start]
    if not verb.endswith(("ed", "en")):
        return None
    after = stream.stems[hit.end] if hit.end < len(stream.stems) else ""
    ends = hit.end >= len(stream.stems) or stream.clauses[hit.end] != stream.clauses[hit.start]
    auxiliary = hit.start > 0 and stream.stems[hit.start - 1] in _AUXILIARY
    if not (ends or auxiliary or after in _AFTER_PARTICIPLE):
        return None  # "maintain captured territories": an adjective on the noun after it
    at = hit.start - 1
    while (
        at >= 0
        and stream.stems[at] in _AUXILIARY
        and stream.clauses[at] == stream.clauses[hit.start]
    ):
        at -= 1
    if at < hit.start - 1 and at >= 0 and stream.stems[at] in ("who", "which", "that"):
        at -= 1
    if at < 0 or stream.clauses[at] != stream.clauses[hit.start] or stream.capitalised[at]:
        return None
    word = stream.stems[at]
    if not _content(stream, at) or word in subject_words:
        return None
    if stream.words[at].endswith(("ly", "ed", "ing")):
        return None  # "Lyman fully cleared", "visited liberated Bucha": not a noun
    if word in PLACE_WORDS or word in _PART_NOUNS or word in _REGION:
        return None
    if any(h.start <= at < h.end for h in stream.hits):
        return None
    return stream.words[at]


# What follows a participle told of the noun before it: "items seized in Irpin".
_AFTER_PARTICIPLE = frozenset({"in", "at", "from", "to", "by", "near", "on", "during", "into"})


# Part nouns that never stand for the place itself ("the city" may be the subject again).
_TERRITORY = frozenset(("territory", "territories", "areas", "lands", "settlements", "villages",
                        "towns", "cities"))  # fmt: skip


def _located_in_subject(stream: Stream, end: int, first: int) -> bool:
    """The object, or the list it starts, is followed by "in [the city of] <subject>" ("TV
    and radio towers in Melitopol")."""
    listed = end
    while (
        listed < first
        and listed - end < OBJECT_GAP
        and (_content(stream, listed) or stream.stems[listed] in AND)
    ):
        listed += 1
    end = listed
    if end >= first or stream.stems[end] not in ("in", "at", "inside", "within"):
        return False
    between = range(end + 1, first)
    return all(stream.stems[i] in DETERMINERS or stream.stems[i] in PLACE_WORDS for i in between)


def _qualifies(stream: Stream, at: int, hit: EventHit, around: bool) -> bool:
    if stream.clauses[at] != stream.clauses[hit.start]:
        return False
    word = stream.words[at].lower()
    # "withdrew its troops from": who leaves is the side's own forces, not what it acts on.
    kinds = SIDES + ("forces",) if around or hit.event is Event.LOSE else SIDES
    side = any(h.start <= at < h.end and h.kind in kinds for h in stream.hits)
    return (
        side
        or stream.stems[at] in _THEME_SKIP
        or (stream.stems[at] in PLACE_WORDS and not (around and word.endswith("s")))
        or (word.endswith("ly") and len(word) > 4)
        or (word.isdigit() and not _share_follows(stream, at))
        or word in _QUANTITY
    )


def _share_follows(stream: Stream, at: int) -> bool:
    """ "controls 10% of the region": a number that is a share (the "%" is not a word)."""
    return at + 1 < len(stream.stems) and stream.stems[at + 1] in ("of", "percent", "per")


# Words that count an object without being it ("seized more than 600 items", "took 14 tons").
_QUANTITY = frozenset({"more", "than", "about", "around", "some"})


def _content(stream: Stream, at: int) -> bool:
    """A word that can head a noun phrase: letters, not a function word."""
    word = stream.words[at]
    return word.isalpha() and word.lower() not in STOPWORDS and stream.stems[at] not in AT


def _fight_after_contrast(
    stream: Stream, hit: EventHit, subject: tuple[int, int]
) -> EventHit | None:
    """ "Invaders say they control Sievierodonetsk, but fighting continues", "the flag was
    raised in Lyman, although fighting is still going on in the city": a fight told after a
    contrast word, in a clause that names no other place, is the report's own word on the
    change it has just told. None when the fight is over, only intended, or somewhere named."""
    first, last = subject_positions(stream, subject)
    told = max(stream.clauses[last], stream.clauses[hit.start])
    opened = [c for c in stream.contrasts if c > told]
    if not opened:
        return None
    start = min(opened)
    for fight in _events(stream):
        if (
            fight.event is Event.CONTEST
            and stream.clauses[fight.start] >= start
            and not (fight.ended or fight.intended or fight.negated or fight.refrained)
            and not _names_a_place(stream, start)
        ):
            return fight
    return None


def _names_a_place(stream: Stream, clause: int) -> bool:
    """A capitalised word past the first of the clause (a name); a later clause is another
    matter ("..., although fighting goes on in the city. - Ukrinform": the source)."""
    at = [i for i, c in enumerate(stream.clauses) if c == clause]
    return any(stream.capitalised[i] for i in at[1:]) if stream.capitalised else False


def _town_located(stream: Stream, subject: tuple[int, int]) -> str | None:
    """The name a region locates: "<Name>, <region>" closing its clause ("Irpin, Kyiv region,
    was liberated") or "<Name> in [the] <region>" ("Melitopol in the Zaporizhzhia region").
    Not a side, a force or a cue word ("Russia in Kherson region", "Fighting In ..."), and not
    a list of regions ("Donetsk, Luhansk regions")."""
    if subject[0] not in stream.origin:
        return None
    first = stream.origin.index(subject[0])
    _, last = subject_positions(stream, subject)
    if stream.words[last].lower().endswith("s"):
        return None
    at = first - 1
    while at >= 0 and stream.stems[at] == "the":
        at -= 1
    if at >= 1 and stream.stems[at] == "in":
        at -= 1
    elif not (
        at == first - 1
        and at >= 0
        and stream.clauses[at] != stream.clauses[first]
        and (last + 1 >= len(stream.stems) or stream.clauses[last + 1] != stream.clauses[last])
    ):
        return None
    if at < 0 or not stream.capitalised[at] or not _content(stream, at):
        return None
    if any(h.start <= at < h.end for h in stream.hits):
        return None
    if any(stream.stems[i] in _LAST for i in range(max(0, at - LAST_GAP), at)):
        return None  # "the last Ukrainian-held village, Sudzha, in the region": the last part
    return stream.words[at]


def _areas_named(stream: Stream, subject: tuple[int, int]) -> str | None:
    """The plural area word a list of names starting at the subject shares ("Sumy, Kharkiv
    and Kherson regions"); "Irpin, Kyiv region" is a town and its region (singular)."""
    _, last = subject_positions(stream, subject)
    end = list_end(stream, last)
    after = end + 1
    if after >= len(stream.words) or stream.words[after] not in _AREAS_PLURAL:
        return None
    if end == last and stream.clauses[after] != stream.clauses[last]:
        return None
    return stream.words[after]


_AREAS_PLURAL = frozenset(lexicon.AREAS_PLURAL)


def _region(stream: Stream, subject: tuple[int, int]) -> bool:
    """The matched subject names a region ("Kherson region", "Херсонська область")."""
    first, last = subject_positions(stream, subject)
    return any(stream.stems[i] in _REGION for i in range(first, last + 1))


def _whole_said(stream: Stream) -> bool:
    """ "Entire Kyiv region has been liberated", "fully": the sentence speaks of all of it."""
    return any(s in _WHOLE and s != "all" for s in stream.stems)  # "in all directions"


def _describes_part(stream: Stream, hit: EventHit, subject: tuple[int, int]) -> str | None:
    """How a sentence names a region by its occupied or liberated part, not tells of its
    capture: an event adjective on the place ("the temporarily occupied Kherson region") or on
    a part of it ("occupied territories of the Kharkiv region", "liberated settlements in the
    Kyiv region"), or an event noun not about the place itself ("atrocities during the
    occupation" but not "the liberation of the Kyiv region"). None when a verb tells it."""
    first, last = subject_positions(stream, subject)
    if hit.start > last:
        return _part_before(stream, hit, first)
    if hit.end > first:
        return None
    between = range(hit.end, first)
    if hit.nominal:
        # "the liberation of the Kyiv region" is about the place; "the occupied Kharkiv region"
        # ("occupied" read as a noun after "the") describes it.
        direct = (
            0 < len(between) <= 2
            and stream.stems[hit.end] == "of"
            and all(stream.stems[i] in ("of", "the") for i in between)
        )
        if direct:
            return None
        if not between:
            return f"{hit.phrase} describes the place"
        return f"{hit.phrase} (a noun) not about the place itself"
    compound = hit.start > 0 and stream.origin[hit.start - 1] == stream.origin[hit.start]
    if (
        hit.start > 0
        and not compound
        and (stream.stems[hit.start - 1] in _AUXILIARY or _side_before(stream, hit.start))
    ):
        return None  # "Russia has occupied the region": a verb
    parts = [i for i in between if stream.stems[i] in _PART_NOUNS]
    if parts and all(stream.stems[i] in _PART_NOUNS or stream.stems[i] in _LINKS for i in between):
        return f"{hit.phrase} {stream.words[parts[0]]} of it"
    if len(between) <= ATTRIBUTE_GAP and all(stream.stems[i] in DETERMINERS for i in between):
        return f"{hit.phrase} describes the place"
    return None


def _part_before(stream: Stream, hit: EventHit, first: int) -> str | None:
    """ "the territory of Kyiv region liberated from ...": the event after the place is told of
    the part named before it; "Kyiv region liberated", "the region that was liberated" is told
    of the place itself."""
    at = first - 1
    while at >= 0 and stream.stems[at] in _LINKS:
        at -= 1
    if at < 0 or at == first - 1 or stream.stems[at] not in _PART_NOUNS:
        return None
    if hit.start - first > OBJECT_GAP + 2:
        return None
    return f"{hit.phrase} {stream.words[at]} of it"


def _side_before(stream: Stream, at: int) -> bool:
    """A side or force directly before a word makes it a verb ("Russian troops occupied")."""
    return any(
        h.end == at and (h.kind in SIDES or h.kind in ("forces", "person")) for h in stream.hits
    )


_LINKS = frozenset({"of", "in", "the", "and", "within", "across", "throughout"})


def _share_of(stream: Stream, first: int) -> bool:
    """ "80% of territories of the Luhansk region": a number under 100 and "of" before the
    place, with only place words between (the "%" itself is not a word)."""
    at = first - 1
    while at > 0 and first - at <= PARTIAL_GAP + 2 and stream.stems[at] in PLACE_WORDS:
        at -= 1
        if stream.stems[at + 1] == "of" and stream.words[at].isdigit():
            return 0 < int(stream.words[at]) < 100
    return False


def _recalled(reading: FrameReading) -> FrameReading:
    """ "During the occupation of Izium", "after the liberation": a noun names the event as
    known background; a verb reports it. The reading stands, weaker (below the default alert
    threshold, ``monitors.policy``)."""
    slot = f"{reading.slot} (named as a noun: recalled, not reported)"
    return dataclass_replace(reading, score=round(reading.score * NOMINAL_FACTOR, 3), slot=slot)


def _demanded(stream: Stream, hit: EventHit) -> bool:
    return (
        hit.event is Event.LOSE
        and hit.actor is not None
        and any(h.kind == "demand" and 0 <= hit.start - h.end <= DEMAND_GAP for h in stream.hits)
    )


def _fight_nearby(frame: ClaimFrame, hit: EventHit) -> FrameReading | None:
    """Fighting near the subject ("attacks near Lysychansk") is the approach to it: weakly
    against a claim that it was taken. Who took or holds the surroundings says nothing."""
    if hit.ended or hit.intended or hit.negated:
        return None
    if frame.event not in _CHANGES and frame.event is not Event.OCCUPY:
        return None
    if hit.event is Event.LOSE and hit.actor is not None and hit.actor == frame.controller:
        # "Russian troops retreat near Mykolaiv": the side said to have taken it falls back
        # from its approaches.
        slot = f"retreat nearby ({hit.phrase}): {hit.actor} falls back from around the place"
        return FrameReading(SentenceStance.DENY, NEARBY_SCORE, hit.phrase, slot, kind="nearby")
    if hit.event is not Event.CONTEST or _defended_by_claimed(frame, hit):
        return None
    if _repelled(hit):
        # "repelled attacks in the areas of X": the attack failed before it; the place is
        # behind the line its defenders held (the General Staff's daily lists).
        slot = f"attack repelled nearby ({hit.phrase}): the place is behind the line held"
        return FrameReading(SentenceStance.DENY, REPELLED_SCORE, hit.phrase, slot, kind="repelled")
    slot = f"fighting nearby ({hit.phrase}): the place has not changed hands"
    return FrameReading(SentenceStance.DENY, NEARBY_SCORE, hit.phrase, slot, kind="nearby")


def _repelled(hit: EventHit) -> bool:
    return hit.phrase in _PHRASES or any(
        stem(w.rstrip("*")) in _REPELLING for w in hit.phrase.split()
    )


def _defended_by_claimed(frame: ClaimFrame, hit: EventHit) -> bool:
    """The side the claim says controls the place holds it in this fight: no contradiction
    (whether it already held it is for the dates to say, not this sentence)."""
    return hit.defender is not None and hit.defender == frame.controller


def _intended(frame: ClaimFrame, hit: EventHit, stream: Stream) -> FrameReading:
    """How an intended change bears on the claim.

    "Ukraine will recapture Lyman", "Kharkiv could fall": the claimed change is still to come,
    so it has not happened yet, weakly against a claim that it has. "May have retaken" is a
    possibility about the past: a hedge.
    """
    done = dataclass_replace(hit, intended=False)
    past = any(s in _PERFECT for s in stream.stems[max(0, hit.start - INTENT_GAP) : hit.start])
    to_come = frame.event in _CHANGES and not frame.negated and not past
    reading = _compare(frame, done) if to_come else None
    if reading is not None and reading.stance is SentenceStance.ASSERT and not hit.negated:
        slot = f"still to come ({hit.phrase}): the claimed change has not happened yet"
        return FrameReading(SentenceStance.DENY, INTENDED_SCORE, hit.phrase, slot, True, "to_come")
    if reading is not None and reading.kind == "fight" and not hit.negated:
        # "creating conditions for an assault on Mykolaiv": the fight for it is still to come.
        slot = f"fight still to come ({hit.phrase}): the claimed change has not happened yet"
        return FrameReading(SentenceStance.DENY, INTENDED_SCORE, hit.phrase, slot, True, "to_come")
    return FrameReading(SentenceStance.HEDGE, 0.5, hit.phrase, "intended, not done", True, "intent")


def denies_own_part(frame: ClaimFrame, sentence: Sentence, at: int) -> str | None:
    """Against a claim of who did a harm, the other side's denial of its own part at token
    ``at`` (see ``own_part_denied``); None for any other claim."""
    if frame.event not in HARM or frame.actor is None:
        return None
    return own_part_denied(frame.actor, sentence, at)


def refuted_account(frame: ClaimFrame, sentence: Sentence, start: int, end: int) -> str | None:
    """Against a claim of who did a harm, the side whose account a refutation refutes (see
    ``harm.refuted_side``); None for other claims. The claimed doer's account is its denial
    ("CCTV debunks Russian explanations of the mall strike": supports a Russian strike); the
    other side's blames the doer ("CNN refuted the Russians' version of Olenivka": against a
    Ukrainian strike)."""
    if frame.event not in HARM or frame.actor is None:
        return None
    return refuted_side(sentence, start, end)


def _read_events(frame: ClaimFrame) -> tuple[Event, ...]:
    """The events a sentence is read for against the frame. A claim of who struck or destroyed
    something is read for any harm done to it (a strike, a killing, a destruction), since the
    side that did it is its point; a bare "X was destroyed" only for destructions."""
    if frame.event is Event.STRIKE or (frame.event is Event.DESTROY and frame.actor):
        return HARM
    if frame.event is Event.DESTROY:
        return (Event.DESTROY,)
    return tuple(e for e in Event if e not in HARM)


def _compare(frame: ClaimFrame, hit: EventHit) -> FrameReading | None:
    if hit.event in HARM or frame.event in HARM:
        return _compare_harm(frame, hit)
    if hit.event is Event.CONTEST:
        if hit.ended or hit.refrained:
            # "the siege is over", "ends mission to defend": who won is not said; "urging locals
            # not to resist": no fight.
            return None
        if frame.event is Event.CONTEST:
            same = stem(hit.phrase.split()[0]) == stem(frame.phrase.split()[0])
            slot = f"event: {hit.phrase}, as the claim says"
            return _agree(hit, 0.8, slot, "event") if same else None
        if _defended_by_claimed(frame, hit):
            return None  # "Ukraine repels attacks on Kupiansk": held by the claim's side
        if _repelled(hit):
            slot = f"attack repelled ({hit.phrase}): control has not changed, the claim says it did"
            return FrameReading(SentenceStance.DENY, REPELLED_SCORE, hit.phrase, slot, kind="fight")
        slot = f"ongoing fight ({hit.phrase}): control has not changed, the claim says it did"
        return FrameReading(SentenceStance.DENY, 0.75, hit.phrase, slot, kind="fight")
    if frame.event not in _CONTROL:
        return None
    if hit.event is Event.LOSE and hit.toward:
        return None  # "retreating from Kharkiv to Izium": Izium is where they go
    controller = _controller(hit.event, hit.actor)
    claimed = frame.controller
    if (
        controller is None
        and hit.event is Event.TAKE
        and _liberates(hit.phrase)
        and hit.phrase.isascii()
    ):
        # "liberated Izium" gives the place back to its owner, who the claim implies ("Russian
        # forces captured Izium": Ukraine's; "Russia recaptured Gornal": Russia's). Russian-
        # language media say "освобождён" of Russia's captures too, so only English is read so.
        controller = frame.owner
    if controller is None and hit.event is Event.LOSE and frame.event in _HELD and hit.by_forces:
        # "Troops leave Chernobyl" against "Russia controls it": whoever left, the claim's
        # state is the one that held it; a withdrawal with no side named ends it.
        slot = f"event: {hit.phrase} (no actor named): the holder left, the claim says it holds"
        return FrameReading(SentenceStance.DENY, 0.75, hit.phrase, slot, kind="left")
    if controller is None:
        # "liberated" says which way only when the claim says it too.
        if (
            hit.event in _CHANGES
            and hit.actor is None
            and (not _liberates(hit.phrase) or _liberates(frame.phrase))
        ):
            slot = f"event: {hit.phrase} (no actor named), the claimed change"
            return _agree(hit, 0.8, slot, "change")
        return None
    if claimed is None or controller == claimed:
        return _agree(hit, 0.9, f"controller: {controller}, as the claim says", "controller")
    slot = f"competing fact: {controller} in control (the claim: {claimed})"
    if hit.negated:
        # "No withdrawal of Russian troops from Chernihiv" says they are still there, or still
        # around it: it keeps a claim of control, but a siege is no capture.
        weak = hit.event is Event.LOSE and frame.event in _CHANGES
        return FrameReading(
            SentenceStance.ASSERT,
            NEARBY_SCORE if weak else 0.8,
            hit.phrase,
            "negated " + slot + (": still there or around it, not said to hold it" if weak else ""),
            kind="negated",
        )
    return FrameReading(SentenceStance.DENY, 0.85, hit.phrase, slot, kind="competing")


def _compare_harm(frame: ClaimFrame, hit: EventHit) -> FrameReading | None:
    if hit.event not in _read_events(frame):
        return None
    loose = hit.event is Event.DESTROY and hit.cause is None and hit.actor == frame.actor
    if frame.actor is None or hit.cause == frame.actor or loose:
        return _agree(hit, 0.85, f"event: {hit.phrase}, as the claim says", "event")
    if hit.cause is not None and not hit.negated:
        # "Russia's shelling of Olenivka", "killed by Russians" against "a Ukrainian strike":
        # the same harm, done by the other side.
        slot = f"competing cause: {hit.cause} did it ({hit.phrase}), the claim says {frame.actor}"
        return FrameReading(SentenceStance.DENY, 0.8, hit.phrase, slot, kind="cause")
    if hit.event is not frame.event:
        return None  # a strike with no side named says nothing of a destruction's cause
    # "Moskva sinks" against "sunk by Ukrainian missiles": the loss, not who caused it
    # (a side named before the verb is as often the one who says so).
    slot = f"event: {hit.phrase}, not said to be by {frame.actor} as the claim says"
    return FrameReading(SentenceStance.HEDGE, 0.5, hit.phrase, slot, kind="no_cause")


def _liberates(phrase: str) -> bool:
    """ "Liberated" or "recaptured" without an actor: both sides say it, of opposite changes
    (a reversal of the claim's own change, or the claim's change itself)."""
    return any(stem(w) in _LIBERATE for w in phrase.split())


def _in_vicinity(stream: Stream, subject: tuple[int, int], borders_only: bool = False) -> bool:
    """ "Near Izium", "in the area of Izium", "the Izium direction": the sentence is about the
    subject's surroundings, where fighting or captures say nothing about the place itself.
    Of a region only "the border with" it is outside it ("troops on its border with the Sumy
    region")."""
    first, last = subject_positions(stream, subject)
    for hit in stream.hits:
        if borders_only and hit.phrase != "border with":
            continue  # "settlements on the border of the Mykolaiv and Kherson regions": inside
        same_clause = stream.clauses[hit.start] == stream.clauses[first]
        if hit.kind == "vicinity" and 0 <= first - hit.end <= VICINITY_GAP and same_clause:
            return True
        if hit.kind == "vicinity_after" and 0 <= hit.start - last - 1 <= 1:
            return True
    return False


def _agree(hit: EventHit, score: float, slot: str, kind: str) -> FrameReading:
    if hit.negated:
        return FrameReading(SentenceStance.DENY, 0.8, hit.phrase, "negated " + slot, kind="negated")
    return FrameReading(SentenceStance.ASSERT, score, hit.phrase, slot, kind=kind)


def _controller(event: Event, actor: str | None) -> str | None:
    if event is Event.OCCUPY:
        return RUSSIA
    if event in (Event.TAKE, Event.HOLD):
        return actor
    if event is Event.LOSE and actor:
        return OTHER[actor]
    return None


def _events(stream: Stream) -> list[EventHit]:
    negations = _negation_starts(stream)
    out: list[EventHit] = []
    for hit in stream.hits:
        if hit.kind not in EVENTS or _not_an_event(stream, hit):
            continue
        event = Event.LOSE if hit.kind == DEOCCUPY else Event(hit.kind)
        intended = _conditioned(stream, hit) or any(
            h.kind == "intent" and 0 <= hit.start - h.end <= INTENT_GAP and not _tried(stream, h)
            for h in stream.hits
        )  # "could not take" is a failed attempt, not a possibility
        tried = event is Event.TAKE and (_attempted(stream, hit) or _prevented(stream, hit))
        if tried:
            event = Event.CONTEST  # "trying to take control of", "prevented from capturing"
        elif (
            event in _CONTROL
            and (to := _infinitive(stream, hit.start)) is not None
            and not _compelled(stream, to)
        ):
            intended = True  # "the order to seize Kharkiv": a purpose, not a fact
        negated = any(0 <= hit.start - n <= _scope(stream, n)
                      and stream.clauses[n] == stream.clauses[hit.start]
                      for n in negations)  # fmt: skip
        actor = RUSSIA if hit.kind == DEOCCUPY else _actor(stream, hit)
        if event is Event.LOSE:
            actor = _expelled(stream, hit, actor)
        ended = event is Event.CONTEST and (_ended(stream, hit) or _in_past(stream, hit))
        nominal = _nominal(stream, hit)
        defender = _defender(stream, hit, actor) if event is Event.CONTEST else None
        refrained = hit.start >= 2 and stream.words[hit.start - 2 : hit.start] == ("not", "to")
        out.append(
            EventHit(
                event,
                hit.phrase,
                hit.start,
                hit.end,
                actor,
                negated,
                intended,
                ended,
                nominal=nominal,
                defender=defender,
                refrained=refrained,
                by_forces=_forces_before(stream, hit),
                tried=tried,
                cause=cause_of(stream, hit, nominal) if event in HARM else None,
            )  # fmt: skip
        )
    return _governed_defenders(stream, _shared_intent(stream, out)) + _attempts(stream, out)


COORDINATED_GAP = 4  # words between two events joined by "and" ("attack on Bakhmut and capture")


def _shared_intent(stream: Stream, events: list[EventHit]) -> list[EventHit]:
    """ "conditions for an attack on Bakhmut and the capture of the plant": an aim governs the
    events joined to the one it precedes, not only the first."""
    out: list[EventHit] = []
    for hit in sorted(events, key=lambda e: e.start):
        before = out[-1] if out else None
        if (
            before is not None
            and before.intended
            and not hit.intended
            and 0 < hit.start - before.end <= COORDINATED_GAP
            and stream.clauses[before.start] == stream.clauses[hit.start]
            and any(w in AND for w in stream.words[before.end : hit.start])
        ):
            hit = dataclass_replace(hit, intended=True)
        out.append(hit)
    return out


# The losses of LOSE_CONTROL that someone inflicts on the side that loses: "Ukrainian troops
# expelled the enemy from X" (active: the object loses), "the enemy was expelled" (the subject).
_EXPEL = frozenset(stem(w) for w in ("expelled", "ousted", "kicked", "pushed", "driven"))
OBJECT_SIDE_GAP = 3  # words between an expelling verb and the side it expels


def _expelled(stream: Stream, hit: CueHit, actor: str | None) -> str | None:
    """Who loses the place to an expelling verb: in the active voice its object (a side after
    it), else the other side than its subject; in the passive ("was expelled") its subject."""
    if stream.stems[hit.start] not in _EXPEL or _passive(stream, hit.start):
        return actor
    after = [
        s
        for s in stream.hits
        if s.kind in SIDES
        and 0 <= s.start - hit.end <= OBJECT_SIDE_GAP
        and stream.clauses[s.start] == stream.clauses[hit.start]
    ]
    if after:
        return after[0].kind
    return OTHER[actor] if actor is not None else None


def _passive(stream: Stream, at: int) -> bool:
    """A participle after a form of "be" ("was expelled", "were driven out")."""
    return any(w in _BE for w in stream.words[max(0, at - 2) : at])


def _conditioned(stream: Stream, hit: CueHit) -> bool:
    """ "Only if the militants leave the plant": an event under "if" or "unless" in its clause
    is a condition, not a fact."""
    clause = stream.clauses[hit.start]
    if hit.start > 0 and stream.stems[hit.start - 1] in _GOING_ON:
        return False  # "if Ukraine keeps attacking the plant": it is attacking; the rest is if
    return any(
        stream.words[i] in ("if", "unless") and stream.clauses[i] == clause
        for i in range(max(0, hit.start - CONDITION_GAP), hit.start)
    )


_GOING_ON = frozenset(stem(w) for w in ("keep", "keeps", "continue", "continues", "still"))


CONDITION_GAP = 6  # words between "if" and the event it makes a condition


def _infinitive(stream: Stream, at: int) -> int | None:
    """Where the "to" of an infinitive stands before the word at ``at``, an adverb allowed
    between ("will push to fully capture Donbas"); None if there is none."""
    if at > 0 and stream.stems[at - 1] == "to":
        return at - 1
    if at > 1 and stream.stems[at - 2] == "to" and stream.words[at - 1].endswith("ly"):
        return at - 2
    if at > 1 and stream.stems[at - 2] == "to" and stream.words[at].endswith("ing"):
        return at - 2  # "artillery to allow clearing Sievierodonetsk": a verb and its gerund
    return None


_COMPEL = frozenset({"forced", "forcing", "compelled", "compelling", "made"})  # verbs only
COMPEL_GAP = 4  # words between "forced" and the "to" of what it forced ("forced the enemy to")


def _compelled(stream: Stream, to: int) -> bool:
    """ "Forced the enemy to retreat": what was forced was done, it is no purpose."""
    before = range(max(0, to - COMPEL_GAP), to)
    sides = {h.start for h in stream.hits if h.kind in SIDES}
    return any(
        (
            stream.words[i] in _COMPEL
            # "forces the enemy to retreat": "forces" is a verb when a side follows it
            or (stream.words[i] in ("force", "forces") and bool(sides & {i + 1, i + 2}))
        )
        and stream.clauses[i] == stream.clauses[to]
        for i in before
    )


FORMERLY_GAP = 2  # words between "earlier" and the state it ends ("earlier temporarily occupied")


def _formerly(stream: Stream, hit: EventHit) -> bool:
    return any(h.kind == "formerly" and 0 <= hit.start - h.end <= FORMERLY_GAP for h in stream.hits)


_PERIOD = frozenset(stem(w) for w in ("during", "after", "since"))


def _period_of(stream: Stream, hit: EventHit) -> bool:
    """A held state named as a time ("during the Russian occupation of"): a noun after
    "during"/"after"/"since" with only determiners or a side between."""
    if not hit.nominal:
        return False
    at = hit.start - 1
    sides = {i for h in stream.hits if h.kind in SIDES for i in range(h.start, h.end)}
    while (
        at >= 0
        and hit.start - at <= FORMERLY_GAP + 1
        and (stream.stems[at] in DETERMINERS or at in sides)
    ):
        at -= 1
    return at >= 0 and stream.stems[at] in _PERIOD


def _toward(stream: Stream, first: int) -> bool:
    """The subject is where a move goes: "to Izium", "to another occupied town of Melitopol"."""
    at = first - 1
    while at >= 0 and (
        stream.stems[at] in PLACE_WORDS
        or stream.stems[at] in DETERMINERS
        or stream.words[at] in ("another", "other")
    ):
        at -= 1
    return at >= 0 and stream.stems[at] in _TOWARD


def _passed_through(stream: Stream, first: int) -> bool:
    """The subject is a way a move passes: "through Zaporizhzhia city", "via Vasylivka"."""
    at = first - 1
    while at >= 0 and (stream.stems[at] in PLACE_WORDS or stream.stems[at] in DETERMINERS):
        at -= 1
    return at >= 0 and stream.words[at] in ("through", "via")


def _forces_before(stream: Stream, hit: CueHit) -> bool:
    """ "Troops leave", "the occupiers fled": armed forces are who does it."""
    return any(h.kind == "forces" and 0 <= hit.start - h.end <= 1 for h in stream.hits)


_PREVENTING = frozenset(lexicon.PREVENTING)
PREVENT_GAP = 4  # words between "prevented" and the "from" of what it prevented


def _prevented(stream: Stream, hit: CueHit) -> bool:
    """ "Prevented Russian invaders from taking control of", "stopped the enemy from
    capturing": the event was kept from happening, a fight for the place."""
    at = hit.start - 1
    if at < 1 or stream.stems[at] != "from":
        return False
    before = range(max(0, at - PREVENT_GAP - 1), at)
    return any(
        stream.words[i] in _PREVENTING and stream.clauses[i] == stream.clauses[at] for i in before
    )


def _tried(stream: Stream, intent: CueHit) -> bool:
    return any(h.kind == "attempt" and h.start <= intent.start < h.end for h in stream.hits)


NEGATION_SCOPE = 3  # words from a negation to the event it negates
_NO_CHANCE_OF = 2  # "no chance of", "no sign of": the negation covers the rest of its clause


def _scope(stream: Stream, at: int) -> int:
    """How far a negation reaches: three words, or its whole clause for "no <noun> of ..."
    ("no chance of Kharkiv being occupied", "no sign of a withdrawal from Kherson")."""
    of = at + _NO_CHANCE_OF
    if stream.stems[at] == "no" and of < len(stream.stems) and stream.stems[of] == "of":
        return len(stream.stems)
    return NEGATION_SCOPE


def _governed_defenders(stream: Stream, events: list[EventHit]) -> list[EventHit]:
    """ "Ukraine repelled enemy assaults near Lyman": the assault is the object of the
    defending verb, whose side holds the place."""
    out = []
    for hit in events:
        governing = [
            e
            for e in events
            if e.defender is not None
            and 0 <= hit.start - e.end <= INTENT_GAP
            and stream.clauses[e.start] == stream.clauses[hit.start]
        ]
        if hit.event is Event.CONTEST and hit.defender is None and governing:
            hit = dataclass_replace(hit, defender=governing[-1].defender)
        out.append(hit)
    return out


def _defender(stream: Stream, hit: CueHit, actor: str | None) -> str | None:
    """Who holds the place against the fight, when a defending word says so: the actor of
    "Ukraine repelled attacks"; "enemy attacks were repulsed" (passive, no "by") names the
    attacker. Attack words say only who attacks: no defender is read from them."""
    if actor is None or (stream.stems[hit.start] not in _DEFENDS and hit.phrase not in _PHRASES):
        return None
    passive = stream.words[hit.start].endswith("ed") and any(
        w in _BE for w in stream.words[max(0, hit.start - 2) : hit.start]
    )
    by_agent = hit.end < len(stream.words) and stream.words[hit.end] == "by"
    return OTHER[actor] if passive and not by_agent else actor


def _attempts(stream: Stream, events: list[EventHit]) -> list[EventHit]:
    """ "Russian troops are trying to enter Bakhmut", "attempting to gain a foothold in
    Lysychansk": an attempt at a move on a place is a fight for it. An attempt at anything else
    ("civilians trying to escape from Mariupol") is no event."""
    taken = {e.start for e in events if e.event not in HARM}  # harms are read apart
    out: list[EventHit] = []
    for hit in stream.hits:
        if hit.kind != "attempt":
            continue
        move = next(
            (
                h
                for h in stream.hits
                if h.kind == "move"
                and 0 <= h.start - hit.end <= INTENT_GAP
                and stream.clauses[h.start] == stream.clauses[hit.start]
            ),
            None,
        )
        if move is None or any(hit.end <= t <= move.end for t in taken):
            continue
        phrase = " ".join(stream.words[hit.start : move.end])
        out.append(EventHit(Event.CONTEST, phrase, hit.start, move.end, _actor(stream, hit),
                            False, False))  # fmt: skip
    return out


def _not_an_event(stream: Stream, hit: CueHit) -> bool:
    """Words that look like a change of control and are not one: "..., leaving two wounded" (a
    participle opening a clause says what a strike left behind) and "held in captivity"."""
    if (
        hit.kind == Event.LOSE
        and stream.words[hit.start].endswith("ing")
        and (hit.start == 0 or stream.clauses[hit.start - 1] != stream.clauses[hit.start])
    ):
        return True
    after = stream.words[hit.end] if hit.end < len(stream.words) else ""
    if hit.end - hit.start == 1 and (hit.kind, after) in _PHRASAL:
        # "a rally held in Melitopol", "kept in a basement"; but troops "stationed in" it are there
        return hit.kind != Event.HOLD or stream.words[hit.start] in _HELD_IN
    if (
        hit.end - hit.start == 1
        and stream.stems[hit.start] in _TAKE_VERB
        and after in ("from", "to")
    ):
        return True  # "children taken from Enerhodar to Russia": carried off, not captured
    if hit.kind == Event.LOSE and _civilian_move(stream, hit):
        return True
    if hit.kind == Event.LOSE and stream.words[hit.start] == "left" and _none_left(stream, hit):
        return True  # "practically no invaders left in the region": none remain, nobody left
    if hit.kind == Event.OCCUPY and hit.end - hit.start == 1 and after in _OCCUPIERS:
        return True  # "occupation troops", "occupying forces": a name for a side, no event
    if stream.words[hit.end - 1] == "surrounding" and _names_a_kind(stream, hit.end):
        return True  # "the surrounding villages": nearby ones, not an encirclement
    return hit.kind in (Event.HOLD, Event.TAKE) and any(
        h.kind == "detention" and 0 <= h.start - hit.end <= 1 for h in stream.hits
    )


def _none_left(stream: Stream, hit: CueHit) -> bool:
    """ "No <force> left": an absence told with "left" (remaining), not a departure."""
    return any(
        h.kind in ("forces", "person") and h.end == hit.start and _absent(stream, h)
        for h in stream.hits
    )


def _names_a_kind(stream: Stream, at: int) -> bool:
    """Is the word at ``at`` a plain noun (not a name, a determiner or a preposition)?"""
    if at >= len(stream.words):
        return False
    word = stream.words[at]
    return not stream.capitalised[at] and word not in DETERMINERS and stream.stems[at] not in AT


def _civilian_move(stream: Stream, hit: CueHit) -> bool:
    """ "Residents left the city": leaving, with no armed force or side as the one who left."""
    one_word = hit.end - hit.start == 1 and stream.stems[hit.start] in _MOVING_AWAY
    if not one_word and hit.phrase not in _PULLING_OUT:
        return False
    doers = ("forces", RUSSIA, UKRAINE)
    return not any(
        h.kind in doers and 0 <= hit.start - h.end <= FORCES_GAP for h in stream.hits
    ) and not any(h.kind in doers and hit.start <= h.start < hit.end for h in stream.hits)


# A one-word event verb made another verb by the particle after it: "has taken out a bridge"
# (destroyed it), "convoys left for the towns" (going there), "a rally held in Melitopol" (an
# event organised there); "the left bank of the river" is a side, not a departure.
_PHRASAL = frozenset({(Event.TAKE, "out"), (Event.TAKE, "part"), (Event.TAKE, "away"),
                      (Event.TAKE, "place"), (Event.TAKE, "measures"), (Event.LOSE, "for"),
                      (Event.LOSE, "without"), (Event.HOLD, "in"), (Event.HOLD, "at"),
                      (Event.HOLD, "on"), (Event.LOSE, "bank"), (Event.LOSE, "flank"),
                      (Event.LOSE, "wing")})  # fmt: skip
_HELD_IN = frozenset({"hold", "holds", "held", "holding", "keep", "keeps", "kept", "keeping"})
_MOVING_AWAY = frozenset(stem(w) for w in lexicon.MOVING_AWAY)
_OCCUPIERS = frozenset(("troops", "forces", "army", "authorities", "administration", "regime",
                        "units", "soldiers", "military", "power", "officials"))  # fmt: skip
_TAKE_VERB = frozenset(stem(w) for w in ("take", "taken", "took", "taking", "takes"))
_PULLING_OUT = frozenset(lexicon.PULLING_OUT)
FORCES_GAP = 3  # words between "troops" and the "left" they do


def _nominal(stream: Stream, hit: CueHit) -> bool:
    """The event word is a noun: "occupation", "seizure", or any after "the"/"during"."""
    word = stream.words[hit.start]
    before = stream.stems[hit.start - 1] if hit.start > 0 else ""
    return hit.end - hit.start == 1 and (word.endswith(_NOUN_ENDINGS) or before in DETERMINERS)


def _in_past(stream: Stream, hit: CueHit) -> bool:
    """ "Fierce fighting was going on", "which had been storming the airfield": a fight told as
    history, which says nothing about who holds the place now."""
    before = stream.stems[max(0, hit.start - 2) : hit.start]
    after = stream.stems[hit.end : hit.end + 1]
    progressive = stream.words[hit.start].endswith("ing")
    return (progressive and any(s in _PAST for s in before)) or any(s in _PAST for s in after)


def _ended(stream: Stream, hit: CueHit) -> bool:
    return any(
        (h.kind == "ended" and 0 <= hit.start - h.end <= ENDED_GAP)
        or (h.kind == "ended_after" and 0 <= h.start - hit.end <= ENDED_GAP)
        for h in stream.hits
    )


def _attempted(stream: Stream, hit: CueHit) -> bool:
    return any(
        h.kind in (Event.CONTEST, "attempt") and 0 <= hit.start - h.end <= INTENT_GAP
        for h in stream.hits
    )


_NEGATIONS = CueSet(tagged("negation", lexicon.NEGATIONS + lexicon.NEGATIONS_CYRILLIC))


def _negation_starts(stream: Stream) -> list[int]:
    stems = stream.stems
    # "not only de-occupied Lyman but also ...": an addition, not a negation.
    return [h.start for h in _NEGATIONS.find(stems) if stems[h.end : h.end + 1] != ("only",)]


def _actor(stream: Stream, hit: CueHit) -> str | None:
    """Who does the event: a side inside its phrase, after by/to (from: the loser), or before."""
    sides = [h for h in stream.hits if h.kind in SIDES]
    inside = [s for s in sides if hit.start <= s.start < hit.end]
    if inside and hit.phrase in _PHRASES:
        return OTHER[inside[0].kind]  # "pushed the Russians back": the other side pushed
    if inside:
        return inside[0].kind
    after = hit.end
    role = _AGENT.get(stream.stems[after]) if after < len(stream.stems) else None
    if role is not None:
        named = [s for s in sides if after < s.start <= after + 3]
        if named:
            side = named[0].kind
            if hit.kind == Event.LOSE and stream.stems[after] == "to":
                return OTHER[side]  # "defenders surrender to Russia": Russia gains it
            return OTHER[side] if role == "loser" and hit.kind != Event.LOSE else side
    if hit.kind == Event.LOSE and after < len(stream.stems) and stream.stems[after] == "of":
        # "the retreat of the Russians from the region": who leaves follows "of".
        named = [s for s in sides if after < s.start <= after + 2]
        if named:
            return named[0].kind
    if hit.kind == Event.DESTROY:
        cause = [s for s in sides if hit.end < s.start <= hit.end + CAUSE_GAP
                 and stream.clauses[s.start] == stream.clauses[hit.start]
                 and any(w in _CAUSE for w in stream.stems[hit.end : s.start])]  # fmt: skip
        if cause:
            return cause[0].kind  # "sank after a Ukrainian missile strike"
    if stream.stems[hit.start] in _FALL:
        return None  # "Gornal fell": the word before is the place, not who took it
    if hit.start > 0 and stream.stems[hit.start - 1] in _MODIFIES:
        return None  # "the recently liberated town": an adjective; only "by ..." names who
    clause = stream.clauses[hit.start]
    # "Russian-controlled Olenivka": the side of a compound belongs to the compound's event.
    compounds = {stream.origin[h.start] for h in stream.hits if h.kind in EVENTS and h != hit}
    before = [
        s
        for s in sides
        if s.end <= hit.start
        and hit.start - s.end <= 6
        and stream.clauses[s.start] == clause
        and stream.origin[s.start] not in compounds
        and not _a_place(stream, s)
    ]
    if len({s.kind for s in before}) > 1 and _conjoined(stream, before):
        return None  # "Ukraine and Russia both claim control": no one side
    if before:
        return before[-1].kind
    if hit.kind == Event.LOSE and _opens_clause(stream, hit.start):
        # "Russian forces suffer losses, retreat after ...": a verb that opens its clause
        # shares the subject of the clause before; read so only when one side alone is named.
        earlier = {
            s.kind for s in sides if s.end <= hit.start and stream.origin[s.start] not in compounds
        }
        if len(earlier) == 1:
            return earlier.pop()
    return None


def _a_place(stream: Stream, side: CueHit) -> bool:
    """ "The only Russian success in Ukraine was the withdrawal": a country named after "in",
    "from" or "to" is where something happens, not who does it."""
    compound = (
        side.end < len(stream.origin) and stream.origin[side.end] == stream.origin[side.start]
    )
    return (
        side.start > 0
        and not compound  # "in Russian-held Ukraine": the side of the compound's event
        and stream.stems[side.start - 1] in ("in", "from", "into", "across")
    )


def _opens_clause(stream: Stream, at: int) -> bool:
    """The word opens a clause after the first ("..., retreat after"), auxiliaries aside."""
    start = at
    while start > 0 and stream.stems[start - 1] in _AUXILIARY:
        start -= 1
    return start > 0 and stream.clauses[start - 1] != stream.clauses[at]


def _conjoined(stream: Stream, sides: list[CueHit]) -> bool:
    return any(
        b.start - a.end == 1 and stream.stems[a.end] in AND for a, b in itertools.pairwise(sides)
    )


def _fronted(stream: Stream, first: int) -> bool:
    """The subject is in a place phrase that opens its sentence ("Near Mariinka, ...")."""
    opening = stream.clauses.index(stream.clauses[first])
    word = stream.stems[opening]
    return opening == 0 and opening < first and (word in AT or word in _FRONTING)


_FRONTING = frozenset(stem(w) for w in ("near", "outside", "around"))


def _nearest(
    stream: Stream, events: Sequence[EventHit], subject: tuple[int, int]
) -> EventHit | None:
    """The event nearest the subject, within ``NEAR`` words; a change of control comes first.

    A sentence that reports a change also describes the state before it ("the last
    Ukrainian-held village, Gornal, has been reclaimed by Russian forces"): the change is news.
    An event across "but"/"while" from the subject is another proposition: it comes last.
    """
    first, last = subject_positions(stream, subject)
    # A clause opened by "but"/"while": positions where it starts.
    contrasts = [i for i in range(1, len(stream.clauses)) if stream.clauses[i] in stream.contrasts
                 and stream.clauses[i - 1] != stream.clauses[i]]  # fmt: skip
    # "troops broke into Kharkiv and the city of Nova Kakhovka fell": "and the" starts a new
    # subject, so "fell" is about Nova Kakhovka, never about Kharkiv.
    subjects = [i + 1 for i in range(len(stream.stems) - 1)
                if stream.stems[i] in AND and stream.stems[i + 1] in _NEW_SUBJECT]  # fmt: skip
    if not any(e.start > last and stream.clauses[e.start] == stream.clauses[last] for e in events):
        # Without a verb of its own after it, "and the areas near Pisky" is one more object of
        # the verb before ("assaulted the Bakhmut direction and the areas near Pisky").
        subjects = []
    best: tuple[tuple[int, int, int], EventHit] | None = None
    for hit in events:
        if hit.start > last:
            end = list_end(stream, last)
            distance = hit.start - end
            if _fronted(stream, first) and stream.clauses[hit.start] != stream.clauses[end]:
                # "Near Mariinka, as well as in the Bakhmut areas, defenders repulsed assaults":
                # a place put first says where the clause after it happened.
                distance -= locative_words(stream, end + 1, hit.start)
        else:
            distance = max(0, first - hit.end + 1) - locative_words(stream, hit.end, first)
        low, high = (last, hit.start) if hit.start > last else (hit.end, first)
        if any(low < c <= high for c in subjects):
            continue
        across = any(low < c <= high for c in contrasts)  # "..., but X is held": another claim
        rank = 0 if hit.event in HARM else _RANK[hit.event]  # harms: the nearest, of any kind
        key = (int(across), rank, distance)
        if distance <= NEAR and (best is None or key < best[0]):
            best = (key, hit)
    return best[1] if best else None


__all__ = [
    "ClaimFrame",
    "Event",
    "FrameReading",
    "claim_frame",
    "denies_own_part",
    "read_against",
    "refuted_account",
]
