"""Claim frames: a claim read into event / actor / controller, sentences read against it.

Every row is a sentence we wrote; the expected verdict is what a careful analyst would say, and
``slot`` is a phrase the explanation must contain (the frame slot that decided).
"""

from __future__ import annotations

import pytest

from monitors.models import Claim, Verdict
from monitors.policy import DEFAULT_ALERT_THRESHOLD
from monitors.stance.cues import CueSet, inflects, tagged
from monitors.stance.engine import assess_one
from monitors.stance.frame import RUSSIA, UKRAINE, Event, claim_frame
from monitors.stance.sentence import read_sentence

C, X, N, U = Verdict.CONFIRM, Verdict.CONTRADICT, Verdict.NEUTRAL, Verdict.UNRELATED

CLAIMS = {
    "izium": Claim("izium", "Russian forces have captured Izium", ("Izium", "Изюм")),
    "lyman": Claim("lyman", "Ukrainian forces have liberated Lyman", ("Lyman", "Лиман")),
    "plant": Claim(
        "plant",
        "The Ukrainian defenders of the Obrii plant have surrendered",
        ("Obrii plant", "Obrii"),
    ),
    "ship": Claim("ship", "The frigate Veslo was sunk by Ukrainian missiles", ("Veslo",)),
    "kursk": Claim("kursk", "Russia controls the Kursk region", ("Kursk", "Kursk region")),
    "oblast": Claim(
        "oblast",
        "Russian forces have taken full control of the Kharkiv region",
        ("Kharkiv region",),
    ),
    "freed": Claim("freed", "Ukraine has liberated the whole Kyiv region", ("Kyiv region",)),
    "city": Claim("city", "Russian forces have taken full control of Mariupol", ("Mariupol",)),
    "left": Claim("left", "Russian forces have withdrawn from Lyman", ("Lyman",)),
}


@pytest.mark.parametrize(
    ("statement", "event", "controller"),
    [
        ("Russian forces have captured Izium", Event.TAKE, RUSSIA),
        ("Ukrainian forces have liberated Lyman", Event.TAKE, UKRAINE),
        ("Ukraine withdrew from Soledar", Event.LOSE, RUSSIA),
        ("The Ukrainian defenders of the Obrii plant have surrendered", Event.LOSE, RUSSIA),
        ("Russia occupies the island", Event.OCCUPY, RUSSIA),
        ("Russian forces hold the airport", Event.HOLD, RUSSIA),
    ],
)
def test_claim_frame(statement: str, event: Event, controller: str) -> None:
    """The claim's event is its change (not the fight it mentions) and who controls after it."""
    frame = claim_frame(read_sentence(0, statement))
    assert frame is not None
    assert (frame.event, frame.controller) == (event, controller)


ROWS = [
    # who does what to whom
    ("izium", "Russian troops took Izium on Friday", C, "controller: Russia"),
    ("izium", "Ukrainian forces recaptured Izium", X, "competing fact: Ukraine in control"),
    ("izium", "Izium was retaken by Ukrainian troops", X, "competing fact: Ukraine in control"),
    ("izium", "Russian units withdrew from Izium", X, "competing fact"),
    ("lyman", "Russian troops withdrew from Lyman", C, "controller: Ukraine"),
    ("lyman", "Mass graves found in de-occupied Lyman", C, "controller: Ukraine"),
    ("izium", "Mass graves found in de-occupied Izium", X, "competing fact: Ukraine in control"),
    # an ongoing fight, an attempt, an approach: control has not changed
    ("izium", "Russian troops are storming Izium", X, "ongoing fight"),
    ("izium", "The occupiers are trying to take control of Izium", X, "ongoing fight"),
    ("izium", "The enemy failed to capture Izium again", X, "fail to"),
    ("izium", "Russian columns are approaching Izium", X, "ongoing fight"),
    ("plant", "Fighting continues inside the Obrii plant", X, "ongoing fight"),
    ("plant", "Bodies of Obrii plant defenders returned home", N, ""),
    ("plant", "Battles for the Obrii plant go on, the site is being destroyed", X, "fight"),
    # the surroundings are not the place: fighting there is the approach (weak), control there
    # says nothing about the place
    ("izium", "Heavy fighting near Izium overnight", X, "fighting nearby"),
    ("izium", "Russian offensive in the area of Izium", X, "fighting nearby"),
    ("izium", "Russian troops captured a village on the Izium axis", N, ""),
    # intentions and purposes
    ("izium", "Russia plans to capture Izium within days", X, "still to come"),
    ("izium", "Soldiers were given the order to seize Izium", X, "still to come"),
    ("izium", "The general says Moscow will push to fully capture Izium", X, "still to come"),
    ("lyman", "Ukrainian forces will recapture Lyman within 72 hours", X, "still to come"),
    # liberated needs a liberator, unless the claim uses the word itself
    ("izium", "Mass burial found in liberated Izium", X, "competing fact: Ukraine"),
    ("lyman", "Mass burial found in liberated Lyman", C, "controller: Ukraine"),
    ("left", "Mass burial found in liberated Lyman", C, "controller: Ukraine"),  # left: it's back
    ("lyman", "Russian troops left mines in the recently liberated Lyman", C, "liberate"),
    # a larger area named after the place
    ("izium", "Chuhuiv in the Izium district was liberated by Ukraine", U, ""),
    # a part of the place: taking it does not take the whole, holding it denies the whole
    ("kursk", "Sudzha in the Kursk region was taken by Russian forces", N, "not the place itself"),
    ("kursk", "Russian forces captured two villages in the Kursk region", N, "villages in the"),
    ("kursk", "Settlements in the Kursk region have been occupied by Russian troops", N, "in the"),
    ("izium", "Russian troops captured a bridge in Izium", N, "bridge in the place"),
    (
        "kursk",
        "The last Ukrainian-held village, Sudzha, in the Kursk region was retaken by Russia",
        C,
        "controller: Russia",
    ),
    ("kursk", "Ukrainian troops still hold positions in the Kursk region", X, "Ukraine in control"),
    ("kursk", "Ukrainian forces liberated three villages in the Kursk region", X, "competing"),
    ("kursk", "Russian forces took full control in the Kursk region", C, "controller: Russia"),
    ("izium", "Russian troops captured Izium in the Kharkiv region", C, "controller: Russia"),
    ("kursk", "80% of territories of Kursk region are occupied by Russia", X, "partial control"),
    # a preposition of a cue follows its word: "east ... city of" is not "east of"
    ("izium", "Russian forces have seized the east Ukrainian city of Izium", C, "controller"),
    ("izium", "Russian forces have seized villages east of Izium", N, ""),
    # a General Staff list: every name in it is where the fight was
    (
        "izium",
        "Over the past 24 hours, Ukraine's Defense Forces have repelled attacks by the invaders "
        "in the areas of Zemlianka and Chuhunivka of Kharkiv region, as well as Soledar, Bakhmut "
        "and Izium of Donetsk region",
        X,
        "attack repelled",
    ),
    # an event adjective on a territory of its own, after the subject
    ("izium", "Nobody from Izium has left for Russian-occupied territory", N, "territory"),
    ("izium", "Russian troops have pulled out of the city of Izium", X, "competing fact"),
    # names sharing a plural area word are areas, not towns
    ("izium", "Villages were liberated in the Izium, Kupiansk and Chuhuiv districts", N, "area"),
    ("lyman", "Russian units are leaving Lyman, Siversk districts for Crimea", N, "districts"),
    ("oblast", "Russian forces have taken full control of the Kharkiv and Sumy regions", C, ""),
    # a region that only says where a town is: the town's news, not the region's
    ("freed", "Irpin, Kyiv region, was liberated from the occupiers", N, "Irpin in the place"),
    ("freed", "The mayor of Bucha in Kyiv region said the town had been liberated", N, "Bucha in"),
    ("oblast", "Russian troops seized a hospital in the town of Balakliia, Kharkiv region", N, ""),
    # a fight word inside a name of a thing
    ("izium", "Missiles hit an oil depot and a defense plant in Izium", N, ""),
    ("izium", "Troops destroyed a tank near Izium with an anti-tank defense system", N, ""),
    ("izium", "The defense of Izium goes on", X, "ongoing fight"),
    # who leaves: the side's own forces are not what the event acts on
    ("lyman", "Russia withdrew its troops from Lyman", C, "controller: Ukraine"),
    (
        "freed",
        "The only Russian success in Ukraine was withdrawal of troops from Kyiv region",
        C,
        "controller: Ukraine",
    ),
    # a campaign to go on until the event: not happened yet
    ("izium", "Russia says the campaign will continue until the capture of Izium", X, "to come"),
    # what a fight is for
    ("izium", "Doctors in Izium fight for the life of a wounded girl", N, "for life"),
    ("izium", "Missiles hit Izium as the fight for the city looms", X, "fight"),
    # what an event verb is told of: things and people are not the place
    ("izium", "More than 600 explosive items seized in Izium", N, "on items"),
    ("izium", "In Izium, rescuers found and seized more than 600 explosive items", N, "items"),
    ("izium", "Children who had been taken from Izium to Russia returned home", N, ""),
    ("izium", "The Russian occupants took 14 tons of humanitarian aid headed to Izium", N, "tons"),
    ("izium", "Russian forces took Izium in the Kharkiv region", C, "controller: Russia"),
    ("izium", "The town was captured by Russian forces, Izium officials said", C, ""),
    # words that only say where the event happened do not put it further away
    (
        "kursk",
        "Ukrainian defenders repelled the attacks of the occupiers in the areas of 9 settlements "
        "in the Kursk region",
        X,
        "attack repelled",
    ),
    # two sides, one claim each
    ("izium", "Ukraine and Russia both claim control of Izium", N, ""),
    # where they go, fights that ended, names that are no fight, reversals without an actor
    ("izium", "Russian troops are retreating from Kharkiv to Izium", N, ""),
    ("plant", "The Obrii plant siege is over", N, ""),
    ("izium", "The Ministry of Defence sent aid to Izium", N, ""),
    ("izium", "Mass graves found in recaptured Izium", X, "competing fact: Ukraine"),
    (
        "plant",
        "Defenders were taken to Russian-controlled Olenivka after the Obrii plant surrender",
        C,
        "",
    ),
    # clauses: an event across "but" is about the other place
    (
        "izium",
        "Ukrainian troops recaptured Balakliia, but Izium is still under enemy control",
        C,
        "controller: Russia",
    ),
    # what looks like a change of control and is not one
    ("izium", "Russian rockets hit a school in Izium, leaving three people wounded", N, ""),
    ("plant", "Obrii plant defenders held in captivity in harsh conditions", N, ""),
    # fights told as history; a fight being prepared: not taken yet (weakly)
    ("izium", "The helicopter had been storming Izium before it was shot down", N, ""),
    ("izium", "Russian units are preparing for an offensive on Izium", X, "fight still to come"),
    ("izium", "Russian troops regrouping for an offensive towards Izium", N, ""),
    # a demand to leave presupposes being there
    (
        "kursk",
        "The council calls on Russia to withdraw its troops from the Kursk region",
        C,
        "asked to leave",
    ),
    # a noun recalls the event; a verb reports it (the reading stands, weaker)
    ("izium", "Residents describe life during the occupation of Izium", C, "named as a noun"),
    # destruction claims
    ("ship", "The frigate Veslo sank after a Ukrainian missile strike", C, "event: sank"),
    ("ship", "Russia denies the Veslo was sunk", X, ""),
]


@pytest.mark.parametrize(("claim", "text", "expected", "slot"), ROWS, ids=[r[1] for r in ROWS])
def test_sentence_against_frame(claim: str, text: str, expected: Verdict, slot: str) -> None:
    assessment = assess_one(CLAIMS[claim], text)
    assert assessment.verdict == expected, assessment.summary
    if slot:
        assert slot in assessment.evidence[0].why, assessment.evidence[0].why


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        ("lyman", "Ukrainian forces will recapture Lyman soon"),
        ("izium", "Heavy fighting near Izium overnight"),
    ],
)
def test_weak_contradictions_cannot_alert_alone(claim: str, text: str) -> None:
    """'Will recapture' and 'fighting near' are evidence that it has not happened, but weak."""
    assessment = assess_one(CLAIMS[claim], text)
    assert assessment.verdict == Verdict.CONTRADICT
    assert assessment.score < 0.6


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("izium", "Residents describe life during the occupation of Izium", C),
        # a fight someone refuses or is sent to: not under way
        ("izium", "Conscripts mobilized in Izium are refusing to fight", X),
        ("izium", "Conscripts sent to fight for Izium get old rifles", X),
    ],
)
def test_readings_that_do_not_alert_at_the_default_threshold(
    claim: str, text: str, expected: Verdict
) -> None:
    """A noun that recalls the event, a denial word with no event of the claim's: the verdict
    stands as evidence, below the default alert threshold."""
    assessment = assess_one(CLAIMS[claim], text)
    assert assessment.verdict == expected, assessment.summary
    assert assessment.score < DEFAULT_ALERT_THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "Officials call reports of a massacre in Izium fake",
        "Russia spreading fake report of 44 civilians killed by shelling in Izium",
        "Experts said the photos of Izium, assuming they have not been doctored, are recent",
    ],
)
def test_a_denial_word_without_the_claims_event_decides_nothing(text: str) -> None:
    """What is fake here is a massacre report, not the capture: a mention, with the denial
    word kept in the evidence and the reason said."""
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == Verdict.NEUTRAL, assessment.summary
    assert "without an event of the claim's" in assessment.evidence[0].why


@pytest.mark.parametrize(
    "text",
    [
        "In the captured town of Izium, the occupiers prepare to hold a fake referendum",
        "In the occupied Izium, the invaders staged a false flag attack",
    ],
)
def test_a_denial_word_in_another_clause_leaves_the_event_to_the_frame(text: str) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == Verdict.CONFIRM, assessment.summary


def test_denys_is_a_name_not_a_denial() -> None:
    assessment = assess_one(CLAIMS["lyman"], "Denys Kovalenko visited Lyman after the battle")
    assert assessment.verdict == Verdict.NEUTRAL, assessment.summary


def test_generic_word_does_not_decide() -> None:
    """'officially' and 'now' are not the claim's event: a mention, not a confirmation."""
    assessment = assess_one(CLAIMS["izium"], "Izium now officially has a new bridge")
    assert assessment.verdict == Verdict.NEUTRAL


@pytest.mark.parametrize(
    ("word", "token", "expected"),
    [
        ("plan", "plans", True),
        ("plan", "planned", True),
        ("plan", "planes", False),
        ("deny", "denies", True),
        ("deny", "denys", False),
        ("denied", "denys", False),
        ("denied", "denying", True),
        ("captured", "capture", True),
        ("match", "matches", True),
        ("go", "goes", True),
        ("take", "takes", True),
        ("likely", "like", False),  # an adverb's base word is another word
        ("reportedly", "report", False),
    ],
)
def test_inflects(word: str, token: str, expected: bool) -> None:
    assert inflects(word, token) is expected


def test_cue_is_not_found_in_another_word() -> None:
    """The stem of "planes" is "plan"; the cue "plan" must still not match it."""
    cues = CueSet(tagged("hedge", ["plan"]))
    sentence = read_sentence(0, "Russian planes struck the bridge")
    assert cues.find(sentence.stems) != []  # the collision exists ...
    assert cues.find(sentence.stems, sentence.tokens) == []  # ... and the tokens settle it


def test_a_cue_written_exact_matches_only_as_written() -> None:
    """ "doctored" (faked) and "doctors" share a stem and a regular ending; "=doctored" keeps
    the cue to its own form, and a plain cue still matches its inflections."""
    cues = CueSet(tagged("refute", ["=doctored", "denied"]))
    for text, found in (
        ("Doctors in Izium treat the wounded", []),
        ("The photos of Izium were doctored", ["doctored"]),
        ("Russia denies it", ["denied"]),
    ):
        sentence = read_sentence(0, text)
        assert [h.phrase for h in cues.find(sentence.stems, sentence.tokens)] == found, text


PORT = Claim("port", "The port of Odesa is closed to shipping", ("port of Odesa", "Odesa"))


def test_negation_inside_a_condition_is_not_a_denial() -> None:
    text = "If traffic does not return to normal, the port of Odesa would remain closed"
    assert assess_one(PORT, text).verdict != Verdict.CONTRADICT
    # the same negation outside a condition denies
    assert assess_one(PORT, "The port of Odesa is not closed").verdict == Verdict.CONTRADICT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a hedge in another clause than the event's is that clause's
        ("Russian troops captured Izium, the mayor said, and more towns may follow", C),
        ("Russian troops captured Izium, and prices could rise", C),
        # a hedge in the event's clause, or a clause of its own, governs the sentence
        ("Russian troops may have captured Izium", N),
        ("Reportedly, Russian troops captured Izium", N),
        ("Russian troops captured Izium, reportedly", N),
    ],
)
def test_a_hedge_governs_its_own_clause(text: str, expected: Verdict) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == expected, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a condition is no fact; "keeps attacking" under "if" still says it attacks
        ("Izium will be safe only if the Russian troops leave Izium", N),
        ("The city is calm even though Russian troops left Izium", X),
        # a way through the place is no loss of it
        ("Thousands of Ukrainians left the occupied territories through Izium", N),
        ("Russia keeps three battalions on its border with Izium", N),
    ],
)
def test_conditions_and_ways_through_are_not_events_at_the_place(
    text: str, expected: Verdict
) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == expected, assessment.summary


def test_would_after_a_reporting_verb_is_not_a_hedge() -> None:
    sentence = read_sentence(0, "Officials said the port of Odesa would remain closed")
    assert not sentence.of_kind("hedge")
    assert read_sentence(0, "The port of Odesa would remain closed").of_kind("hedge")


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        # An attempt at a move on the place is a fight for it ...
        ("izium", "Russian troops continue trying to enter Izium despite losses", X),
        ("izium", "The invaders are attempting to gain a foothold in Izium", X),
        ("izium", "The enemy failed to capture Izium again", X),
        # ... an attempt at anything else is no event.
        ("izium", "The occupiers shot the car of a family trying to get out of Izium", N),
        ("izium", "Thousands of civilians are trying to escape from Izium", N),
        ("lyman", "First attempt of exchange for the Lyman mayor was unsuccessful", N),
    ],
)
def test_an_attempt_is_a_fight_only_for_a_move_on_the_place(
    claim: str, text: str, expected: Verdict
) -> None:
    assert assess_one(CLAIMS[claim], text).verdict == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ukrainian defenders repelled enemy attacks near Torske, Berestove, Izium and Bakhmut",
        "The army repelled attacks near such settlements as Dovhenke, Dibrivne, Izium, Marinka",
        "Units repelled enemy attacks near Torske and Spirne, Izium and Bakhmut",
    ],
)
def test_a_place_in_a_list_is_as_near_to_the_verb_as_the_list(text: str) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == Verdict.CONTRADICT, assessment.summary


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        # a participle clause between the verb and the places says how, not where
        (
            "izium",
            "Ukrainian defenders repelled the attacks, inflicting losses on the enemy, "
            "in the areas of the settlements of Bakhmut, Zaitseve and Izium",
            X,
        ),
        # a place phrase that opens the sentence says where the clause after it happened
        (
            "izium",
            "Near Izium, as well as in the Bakhmut and Donetsk areas, Ukrainian "
            "defenders repulsed the assaults",
            X,
        ),
        (
            "izium",
            "In Izium, as well as in the villages of the Kharkiv region, the Russian "
            "occupiers were driven out",
            X,
        ),
        # a sentence that only names where goes on with the one before it
        (
            "izium",
            "Ukrainian defenders repelled enemy attacks in the Kharkiv region. In particular, "
            "in the areas of the settlements of Bakhmut, Izium, Spirne, Nevelske and Opytne.",
            X,
        ),
        # not put first: the names after the place are the next verb's object, not a place
        (
            "oblast",
            "Intelligence group of Ukraine in Kharkiv Region destroyed Marine Corps of "
            "Northern Fleet of Russian Navy and captured rashist",
            N,
        ),
    ],
)
def test_a_place_phrase_attaches_to_its_clauses_verb(
    claim: str, text: str, expected: Verdict
) -> None:
    assessment = assess_one(CLAIMS[claim], text)
    assert assessment.verdict == expected, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "and the ..." with no verb of its own is one more object of the verb before
        ("Russian troops assaulted the Bakhmut direction and the areas near Izium and Pisky", X),
        (
            "Battles are raging in the Kharkiv region, namely in the Bakhmut direction and the "
            "city of Izium",
            X,
        ),  # fmt: skip
        # with a verb of its own it is a new subject: the verb before is another place's
        (
            "Ukrainian forces liberated Balakliia and the town of Izium was captured by Russian "
            "troops",
            C,
        ),  # fmt: skip
        # "the surrounding villages" are nearby ones, not an encirclement
        ("Russian troops shelled Balakliia, Izium and the surrounding villages", N),
        ("Russian troops are surrounding Izium", X),
    ],
)
def test_and_the_starts_a_new_subject_only_with_a_verb_of_its_own(
    text: str, expected: Verdict
) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == expected, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("There are no Russian troops in Kursk", X),
        ("At present, there are no Russian forces at Kursk", X),
        ("The Russian troops in Kursk kidnapped the mayor", C),
        # forces stationed in the place are there; a rally "held in" it is only held there
        ("Russian troops stationed in Kursk set up checkpoints", C),
        ("A rally was held in Kursk", N),
        ("Ukrainian artillery struck Russian positions in Kursk", C),  # positions: forces there
        ("The enemy attacked Ukrainian positions in Kursk", X),
        ("A missile hit the railway station in Kursk", N),  # a station is no stationing
    ],
)
def test_forces_in_the_place_or_none_say_who_holds_it(text: str, expected: Verdict) -> None:
    assessment = assess_one(CLAIMS["kursk"], text)
    assert assessment.verdict == expected, assessment.summary


def test_a_place_after_but_is_not_part_of_a_list() -> None:
    text = "Ukrainian troops recaptured Balakliia, but Izium is still under enemy control"
    assert assess_one(CLAIMS["izium"], text).verdict == Verdict.CONFIRM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Held by the side the claim says controls it: no contradiction.
        ("Ukrainian forces repelled enemy assaults near Lyman", N),
        ("Enemy attacks on Lyman were repulsed", N),
        ("Ukraine's defense forces are defending Lyman", N),
        # Held by the other side: the claimed change has not happened.
        ("Russian troops repelled Ukrainian attacks on Lyman", X),
        ("Ukrainian forces are storming Lyman", X),
    ],
)
def test_a_fight_held_by_the_claims_own_side_is_no_contradiction(
    text: str, expected: Verdict
) -> None:
    assessment = assess_one(CLAIMS["lyman"], text)
    assert assessment.verdict == expected, assessment.summary


@pytest.mark.parametrize(
    "text",
    [
        "Ukraine says it has taken out a vital bridge in occupied Izium",
        "A pro-Ukrainian rally held in Izium gathered hundreds",
        "Convoys have already left for evacuation sites in Vorzel, Izium and Borodianka",
    ],
)
def test_a_particle_makes_an_event_verb_another_verb(text: str) -> None:
    assert assess_one(CLAIMS["izium"], text).verdict != Verdict.CONTRADICT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 40% of residents have left Izium, the mayor says", N),
        ("An evacuation convoy left Izium yesterday", N),
        ("Russian troops left Izium overnight", X),
        ("Six occupiers were taken prisoner in Izium", N),
        ("Occupiers took away humanitarian aid sent to Izium", N),
        ("Shelling of Izium: 45 bodies pulled out from under the rubble of a house in Izium", N),
        ("Russian troops pulled out of Izium", X),
    ],
)
def test_leaving_and_taking_need_a_force_and_a_place(text: str, expected: Verdict) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == expected, assessment.summary


@pytest.mark.parametrize(
    "text",
    [
        "The enemy is creating conditions for an assault on Izium",
        "The main enemy focus is on the capture of Izium",
        "Occupiers seek to surround Izium",
    ],
)
def test_a_fight_or_capture_still_to_come_means_not_taken_yet(text: str) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == Verdict.CONTRADICT, assessment.summary
    assert assessment.score < DEFAULT_ALERT_THRESHOLD  # weak: it never alerts alone


@pytest.mark.parametrize(
    "text",
    [
        "Russian invaders have established control over part of Izium",
        "The enemy controls the outskirts of Izium",
        "Russian troops have partially captured Izium",
        "The situation in Izium: 70 percent of the city is controlled by the occupiers",
    ],
)
def test_control_of_part_of_the_place_is_not_the_claim(text: str) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == Verdict.CONTRADICT, assessment.summary
    assert "partial control" in assessment.evidence[0].why


MELITOPOL = Claim("melitopol", "Russian forces control Melitopol", ("Melitopol",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Occupiers in Melitopol have kidnapped more than 500 civilians", C),
        ("In Melitopol, the invaders are searching for locals who refuse to leave", C),
        ("President met the Ukrainian troops in the city of Melitopol", X),
        # strikes from outside, and the surroundings, name no force inside
        ("Russian shelling of Melitopol killed three", N),
        ("Russian troops near Melitopol are digging trenches", N),
    ],
)
def test_a_force_inside_the_place_says_who_holds_it(text: str, expected: Verdict) -> None:
    assessment = assess_one(MELITOPOL, text)
    assert assessment.verdict == expected, assessment.summary
    if expected != N:
        assert "presence" in assessment.evidence[0].why


def test_presence_does_not_decide_a_claim_of_capture() -> None:
    """Inside a place being fought for, a force may be attacking it: not a capture."""
    assessment = assess_one(CLAIMS["izium"], "In Izium, Russian troops have killed 29 civilians")
    assert assessment.verdict == Verdict.NEUTRAL, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The frigate Veslo sinks in the Black Sea", N),
        ("Russia's Defense Ministry says the Veslo has sunk", N),
        ("The frigate Veslo sank after a Ukrainian missile strike", C),
        ("Ukrainian missiles sank the Veslo", C),
    ],
)
def test_a_sinking_confirms_a_claim_of_who_sank_it_only_with_the_cause(
    text: str, expected: Verdict
) -> None:
    assessment = assess_one(CLAIMS["ship"], text)
    assert assessment.verdict == expected, assessment.summary


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("izium", "Izium defenders surrender to Russia", C),  # "to" names who gains it
        ("izium", "Leaflets urge locals in Izium not to resist the invasion", N),
        ("izium", "Ukraine says Izium is not encircled", X),
        ("izium", "Occupiers lost control over villages on the border of Izium", N),
    ],
)
def test_who_gains_who_refrains_and_borders(claim: str, text: str, expected: Verdict) -> None:
    assessment = assess_one(CLAIMS[claim], text)
    assert assessment.verdict == expected, assessment.summary


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("izium", "Mass grave found in liberated Izium", X),
        ("izium", "In the recaptured city of Izium, police exhume bodies", X),
        ("lyman", "Burial site found in liberated Lyman", C),
        # Russian-language reports say "освобождён" of Russia's captures: the actor decides.
        ("izium", "Изюм освобожден российскими войсками", C),
        # A recapture claim makes the actor the owner: liberated is theirs again.
        ("gornal", "Mass graves found in liberated Gornal", C),
    ],
)
def test_liberated_gives_the_place_back_to_its_owner(
    claim: str, text: str, expected: Verdict
) -> None:
    claims = {**CLAIMS, "gornal": Claim("gornal", "Russian forces recaptured Gornal", ("Gornal",))}
    assessment = assess_one(claims[claim], text)
    assert assessment.verdict == expected, assessment.summary


@pytest.mark.parametrize(
    ("claim", "text", "expected", "slot"),
    [
        # a region is named by its occupied or liberated parts: that is no capture of all of it
        (
            "oblast",
            "Aid convoys cannot reach the occupied Kharkiv region",
            N,
            "describes the place",
        ),
        ("oblast", "Schools reopen in the temporarily occupied Kharkiv region", N, "a part"),
        ("oblast", "Residents flee the Russian-occupied Kharkiv region", N, "a part"),
        ("oblast", "Voting was staged in occupied territories of the Kharkiv region", N, "of it"),
        ("oblast", "Looting was common during the occupation in the Kharkiv region", N, "a noun"),
        ("freed", "Sappers clear mines in liberated villages of the Kyiv region", N, "of it"),
        ("freed", "Sappers clear the territory of the Kyiv region liberated last week", N, "of it"),
        # all of it, or the region itself as what the verb acts on
        ("freed", "The entire Kyiv region has been liberated, the ministry said", C, "controller"),
        ("freed", "The Kyiv region was liberated from the invaders", C, "controller: Ukraine"),
        ("freed", "Diplomats visit the Kyiv region after the liberation of the Kyiv region", C, ""),
        ("oblast", "Russian troops have occupied the Kharkiv region", C, "controller: Russia"),
        # a part freed, or the claimed side leaving, denies all of it held
        ("oblast", "Mines were found in liberated areas of the Kharkiv region", X, "competing"),
        ("oblast", "The retreat of the Russians from the Kharkiv region goes on", X, "competing"),
        ("oblast", "In the Kharkiv region, Ukrainian troops hold the line", X, "Ukraine"),
        # a city's capture is not described by parts: "captured Mariupol" is the city
        ("city", "Residents queue for water in captured Mariupol", C, "the claimed change"),
        ("city", "Prices rise in the occupied city of Mariupol", C, "controller: Russia"),
    ],
)
def test_a_region_is_described_by_its_parts(
    claim: str, text: str, expected: Verdict, slot: str
) -> None:
    """A claim that a side holds all of a region is not confirmed by a sentence that describes
    the region (or a part of it) as occupied or liberated; a verb on the region itself, or
    "entire", confirms; a part taken back denies it."""
    assessment = assess_one(CLAIMS[claim], text)
    assert assessment.verdict is expected, assessment.evidence[0].why
    assert slot in assessment.evidence[0].why


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("oblast", "Russian units suffer heavy losses, retreat from the Kharkiv region", X),
        ("izium", "Russian troops lose two tanks, withdraw from Izium", X),
        ("lyman", "Russian troops lose two tanks, withdraw from Lyman", C),
        # a side that is the subject of another verb in the same clause is not who surrenders
        ("plant", "Russia shows a video of Obrii plant fighters in hospital after surrender", C),
    ],
)
def test_a_verb_opening_a_clause_shares_the_subject_before_it(
    claim: str, text: str, expected: Verdict
) -> None:
    assessment = assess_one(CLAIMS[claim], text)
    assert assessment.verdict is expected, assessment.evidence[0].why


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Invaders say they have captured Izium, but fierce fighting continues", X),
        ("Russian troops took Izium, although fighting is still going on in the city", X),
        ("Russian troops took Izium, but battles go on in its streets. - Ukrinform", X),
        # a fight somewhere named, or one that is over, leaves the capture standing
        ("Russian troops captured Izium, but fighting continues near Balakliia", C),
        ("Russian troops captured Izium, but the fighting there is over", C),
    ],
)
def test_a_fight_after_but_is_the_reports_word_on_the_change(text: str, expected: Verdict) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is expected, assessment.evidence[0].why


def test_the_subject_named_again_is_read_where_the_event_is() -> None:
    """The first "Melitopol" has no event near it; the second has "left"."""
    text = "Fighting near Melitopol: the Russian army left Melitopol on Friday"
    assessment = assess_one(MELITOPOL, text)
    assert assessment.verdict is X, assessment.evidence[0].why
    assert "competing fact: Ukraine" in assessment.evidence[0].why


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("izium", "Russian forces seize the Obrii plant and advance on Izium", N),
        ("izium", "Officials in Izium blamed saboteurs for fires in Russian-occupied areas", N),
        ("izium", "Putin claims control over the Obrii plant, Izium disagrees", N),
        ("city", "Russian troops seized the trucks of humanitarian aid for Mariupol", N),
        # the subject inside the event's object, or its apposition, is still the claim
        ("izium", "Russian forces captured strategically important Izium", C),
        ("izium", "Russian troops have taken the last Ukrainian-held town, Izium", C),
        ("izium", "Russian forces captured the town of Izium and Balakliia", C),
        ("city", "Russian forces took full control of besieged Mariupol", C),
    ],
)
def test_an_event_on_its_own_object_says_nothing_of_the_place(
    claim: str, text: str, expected: Verdict
) -> None:
    """The event acts on what follows it, not on the subject named elsewhere."""
    assessment = assess_one(CLAIMS[claim], text)
    assert assessment.verdict is expected, assessment.summary
    if expected is N:
        assert "the event is on" in assessment.evidence[0].why


def test_a_force_inside_the_place_holds_it_whatever_it_seized() -> None:
    text = "In Melitopol, the occupiers seized the offices of the water utility"
    assessment = assess_one(MELITOPOL, text)
    assert assessment.verdict is C, assessment.summary
    assert "presence" in assessment.evidence[0].why


@pytest.mark.parametrize(
    "text",
    [
        "Russian troops could not take Izium",
        "Russian forces are not able to take Izium",
        "Russian units did not manage to capture Izium",
        "There is no chance of Izium being occupied, the minister said",
    ],
)
def test_a_failure_or_no_chance_of_the_event_denies_it(text: str) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is X, assessment.summary


def test_could_alone_is_still_a_possibility() -> None:
    assessment = assess_one(CLAIMS["izium"], "Russian troops could take Izium within days")
    assert assessment.score < DEFAULT_ALERT_THRESHOLD, assessment.summary
    assert "still to come" in assessment.evidence[0].why


DNIPRO = Claim("dnipro", "Russian forces have captured the city of Dnipro", ("Dnipro",))


@pytest.mark.parametrize(
    "text",
    [
        "Russian troops on the left bank of the Dnipro are digging in",
        "Ukrainian forces hold the left flank near the Dnipro",
        # a change of control told of another named place
        "Russian troops left Kherson and crossed the Dnipro",
    ],
)
def test_a_side_of_a_river_or_another_places_news_is_no_change_of_control(text: str) -> None:
    assessment = assess_one(DNIPRO, text)
    assert assessment.verdict is N, assessment.summary


def test_objects_listed_in_the_place_are_read_as_its_parts() -> None:
    text = "Russian troops took control of the TV and radio towers in Melitopol"
    assessment = assess_one(MELITOPOL, text)
    assert "the event is on" not in assessment.evidence[0].why, assessment.summary


@pytest.mark.parametrize(
    "text",
    [
        "Russian troops suffer losses and retreat near Izium",
        "Ukrainian defenders repulsed an enemy offensive near Izium, forcing Russians to flee",
        "Russia has withdrawn most of its forces from around Izium",
    ],
)
def test_the_claimed_side_falling_back_near_the_place_weakly_denies(text: str) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is X, assessment.summary
    assert assessment.score < DEFAULT_ALERT_THRESHOLD  # around the place: never alerts alone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukrainian units forced the enemy to retreat from Izium", X),
        ("The most active hostilities are taking place in Izium", X),
        # a purpose stays a purpose, and "Russian forces to seize" is no compulsion
        ("Any attempt by Russian forces to seize Izium will fail", X),
        ("Ukraine forced Russian troops to retreat towards Izium", N),
    ],
)
def test_what_was_forced_was_done(text: str, expected: Verdict) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is expected, assessment.summary


@pytest.mark.parametrize(
    "text",
    [
        "Mines were found in the village of Izium earlier occupied by Russian forces",
        "In Izium, which used to be held by Russian troops, schools reopened",
    ],
)
def test_a_state_of_control_that_is_over_says_nothing_of_now(text: str) -> None:
    assessment = assess_one(Claim("held", "Russia controls Izium", ("Izium",)), text)
    assert assessment.verdict is N, assessment.summary


CHERNOBYL = Claim("npp", "Russian forces control the Chornobyl plant", ("Chornobyl", "Chernobyl"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia sets a deadline for the West and troops leave Chernobyl", X),
        # residents leaving, and a move to the place, say nothing against who holds it
        ("Residents leave Chernobyl town as winter comes", N),
        ("Russian troops are withdrawing to another occupied town of Chornobyl", N),
    ],
)
def test_forces_leaving_a_held_place_end_the_claimed_state(text: str, expected: Verdict) -> None:
    assessment = assess_one(CHERNOBYL, text)
    assert assessment.verdict is expected, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukrainian defenders prevented Russian invaders from taking control of Izium", X),
        ("Ukrainian units stopped the enemy from capturing Izium", X),
        # what was kept from happening had its own object: a road, not the place
        ("Ukrainian troops prevent Russians from capturing the road to Izium", N),
    ],
)
def test_an_event_kept_from_happening_is_a_fight(text: str, expected: Verdict) -> None:
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is expected, assessment.summary


def test_seeking_control_is_an_aim() -> None:
    assessment = assess_one(CLAIMS["izium"], "Russia is seeking control of Izium")
    assert assessment.verdict is not Verdict.CONFIRM, assessment.summary
    assert assessment.score < DEFAULT_ALERT_THRESHOLD


def test_must_makes_an_event_an_aim() -> None:
    assessment = assess_one(CLAIMS["ship"], "Ukraine must destroy the frigate Veslo")
    assert assessment.verdict is not Verdict.CONFIRM, assessment.summary
    assert assessment.score < DEFAULT_ALERT_THRESHOLD


def test_a_place_listed_first_is_as_near_to_the_verb_after_the_list() -> None:
    text = (
        "The cities of Izium, Balakliia, Kupiansk, Lozova, Chuhuiv and Derhachi in the Kharkiv "
        "region are temporarily occupied"
    )
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is C, assessment.summary


def test_forces_is_a_verb_before_a_side() -> None:
    assessment = assess_one(CLAIMS["izium"], "Ukraine Army forces enemy to retreat from Izium")
    assert assessment.verdict is X, assessment.summary
    assert assessment.score >= DEFAULT_ALERT_THRESHOLD  # done, not a purpose


STRUCK = Claim("struck", "Ukrainian forces shelled the Obrii plant", ("Obrii plant", "Obrii"))
RAZED = Claim("razed", "A Ukrainian strike destroyed the Obrii depot", ("Obrii depot",))


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        # who did the harm: named by "by", by an accusation, or right before it
        (STRUCK, "Moscow says Ukraine shelled the Obrii plant twice", C),
        (STRUCK, "Ukrainian troops shell the Obrii plant again", C),
        (STRUCK, "Russian troops shell the Obrii plant, the operator says", X),
        (STRUCK, "Kyiv accuses Russia of shelling the Obrii plant", X),
        (STRUCK, "The shelling of the Obrii plant by the occupiers continues", X),
        (STRUCK, "Russia's missile strike hit the Obrii plant overnight", X),
        (RAZED, "Guards at the Obrii depot were killed by Russians", X),
        (RAZED, "Occupiers deliberately blew up the Obrii depot", X),
        (RAZED, "Dozens of Ukrainian prisoners killed in the Obrii depot blast", N),
        (RAZED, "Ukrainian guards killed in shelling of the Obrii depot", N),
        # a denial: the claimed side's denies the claim, the other side's of its own part is none
        (STRUCK, "Kyiv denies it shelled the Obrii plant", X),
        (STRUCK, "Russia denies responsibility for shelling the Obrii plant", N),
        (STRUCK, "The Kremlin denied Russian troops shelled the Obrii plant", N),
        (RAZED, "Russia denies the Obrii depot was destroyed", X),
        # the harm has an object of its own: the subject is where it came from
        (STRUCK, "Russian troops shell Nikopol from the Obrii plant", N),
        (STRUCK, "The occupiers fired two rockets from the Obrii plant", N),
        (STRUCK, "Russian troops fired a Tochka-U missile at the Obrii plant", X),  # a weapon
        (STRUCK, "Two workers were killed today by the occupiers at the Obrii plant", X),
        (STRUCK, "Russia proved it is a terrorist state by shelling the Obrii plant", X),
        # "by" after the harm's object and its place, or after a participle of doing
        (STRUCK, "The shelling of the colony in the occupied Obrii plant by the Russians", X),
        (
            STRUCK,
            "The UN will establish the facts of the attack committed by Russia on the Obrii plant",
            X,
        ),  # fmt: skip
        (STRUCK, "The attack on the Obrii plant was carried out by the Russians", X),
        (STRUCK, "The attack on the Obrii plant was condemned by the UN", N),
        # a side's adjective and the harm's noun: the side did it, whatever place follows
        (STRUCK, "The UN should respond to the Russian terrorist attack in the Obrii plant", X),
        (STRUCK, "Ukrainian guards killed in the Obrii plant", N),  # a side harmed, not its doer
        (STRUCK, "Russia blames Ukraine for the shelling of the Obrii plant", C),  # "the" between
        # the side that owns up to a harm did it; confirming that it happened is not owning it
        (STRUCK, "Kyiv acknowledges strikes on the Obrii plant", C),
        (STRUCK, "Kyiv admits it struck the Obrii plant", C),
        (STRUCK, "Russia confirms strikes on the Obrii plant", N),
        # "by shelling" opening the sentence; a speaker before "that" is not the one who did it
        (STRUCK, "By shelling the Obrii plant, Russia once again showed it is a terrorist", X),
        (
            STRUCK,
            "Zelensky of Ukraine says that Russia hit rock bottom by shelling the Obrii plant",
            X,
        ),  # fmt: skip
        (STRUCK, "The Russians once again shelled the Obrii plant", X),
        (STRUCK, "Russian troops have again opened fire on the Obrii plant", X),
        (STRUCK, "Due to Russian shelling, the Obrii plant is without power", X),
        (STRUCK, "A Ukrainian strike hits a fuel depot at the Obrii plant", C),  # a part of it
        # "of" and a side's weapon did it; people after "of" were harmed
        (STRUCK, "The hit of Russian missiles on the Obrii plant", X),
        (RAZED, "The killing of Ukrainian guards at the Obrii depot", N),
        # a refuted account: the claimed doer's (its denial) or the other side's (its blame)
        (STRUCK, "Footage debunks Ukrainian explanations of the Obrii plant shelling", C),
        (STRUCK, "Journalists refuted the version of the Russians about the Obrii plant", X),
        (STRUCK, "Kyiv denies it shelled the Obrii plant, calling it Russian propaganda", X),
        # a harm with no side named waits for a later mention that names one
        (STRUCK, "Attacks on the Obrii plant: Russia's provocations at the Obrii plant", X),
        (STRUCK, "Russian troops shell the Obrii plant to destroy its power lines", X),
        # a killing is the harm where it happened at the place, not of the place's people
        (STRUCK, "Russian troops killed two workers at the Obrii plant", X),
        (STRUCK, "Russian troops killed two workers of the Obrii plant", N),
    ],
)
def test_a_harm_is_read_for_who_did_it(claim: Claim, text: str, expected: Verdict) -> None:
    """Against a claim of who struck something, the side that did the harm decides; a side
    that was harmed ("Ukrainian prisoners killed") or that only says so does not."""
    assessment = assess_one(claim, text)
    assert assessment.verdict == expected, assessment.summary


def test_a_harm_with_its_side_decides_nothing_for_a_capture() -> None:
    """A strike is not a change of control: "Russian shelling of Izium" is no capture."""
    assessment = assess_one(CLAIMS["izium"], "Russian shelling of Izium killed two people")
    assert assessment.verdict is not C, assessment.summary
    assert "competing cause" not in assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukrainian defenders repelled attacks near Izium and Balakliia", X),
        ("Attacks of the occupiers were repelled in the areas of Izium, Kupiansk and Borova", X),
        ("Russian troops launched an offensive near Izium", X),  # a fight, not a repelled one
    ],
)
def test_an_attack_repelled_near_the_place_alerts(text: str, expected: Verdict) -> None:
    """A repelled attack at or near the place means the line in front of it held: strong
    enough to alert on its own, unlike other fighting nearby (weak, below the threshold)."""
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict == expected, assessment.summary
    repelled = "repel" in text
    assert (assessment.score >= DEFAULT_ALERT_THRESHOLD) == repelled, assessment.summary


def test_a_repelled_attack_held_by_the_claims_own_side_is_no_contradiction() -> None:
    """ "Defense forces repelled assaults near Lyman" after Ukraine liberated it: Ukraine holds."""
    assessment = assess_one(CLAIMS["lyman"], "Defense forces repelled enemy assaults near Lyman")
    assert assessment.verdict is not X, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Residents killed during the Russian occupation of Lyman were buried", N),
        ("Lyman remains under Russian occupation", X),
    ],
)
def test_an_occupation_named_as_a_time_does_not_deny_a_liberation(
    text: str, expected: Verdict
) -> None:
    """ "During the occupation of Lyman" dates something else by the state before the claim."""
    assessment = assess_one(CLAIMS["lyman"], text)
    assert assessment.verdict == expected, assessment.summary


def test_occupying_forces_name_a_side_not_an_occupation() -> None:
    """ "The occupying forces fired on Izium": who fired, not that Izium is occupied."""
    assessment = assess_one(CLAIMS["izium"], "The occupying forces have been firing on Izium")
    assert assessment.verdict is not C, assessment.summary


MELITOPOL = Claim("held", "Russian forces control Melitopol", ("Melitopol",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Melitopol is in Russian hands", C),
        ("The city of Melitopol is not in Russian hands, a minister says", X),
    ],
)
def test_in_a_sides_hands_is_control(text: str, expected: Verdict) -> None:
    assessment = assess_one(MELITOPOL, text)
    assert assessment.verdict is expected, assessment.summary
    assert "controller: Russia" in assessment.summary


@pytest.mark.parametrize(
    "text",
    [
        "The Melitopol station was left without electricity due to the actions of Russian invaders",
        "The decree on Melitopol has no legal force for the Russian forces",
    ],
)
def test_a_negation_of_a_side_word_negates_no_event(text: str) -> None:
    """ "Russian" and "forces" are words of the claim's statement, but negating them is not
    negating what the claim says happened."""
    assessment = assess_one(MELITOPOL, text)
    assert assessment.verdict is not X, assessment.summary


def test_no_withdrawal_keeps_a_siege_not_a_capture() -> None:
    """ "No withdrawal of Russian troops from Chernihiv": still there or around it, which a
    claim of capture does not get from it strongly enough to alert."""
    claim = Claim("taken", "Russian forces have captured Chernihiv", ("Chernihiv",))
    text = "No massive withdrawal of Russian troops from Chernihiv has been recorded"
    assessment = assess_one(claim, text)
    assert assessment.score < DEFAULT_ALERT_THRESHOLD, assessment.summary
    held = assess_one(Claim("held", "Russian forces control Chernihiv", ("Chernihiv",)), text)
    assert held.verdict is C and held.score >= DEFAULT_ALERT_THRESHOLD, held.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia keeps three battalions on its border with the Kyiv region", N),
        ("Russia keeps three battalions in the Kyiv region", X),
    ],
)
def test_a_border_with_a_region_is_outside_it(text: str, expected: Verdict) -> None:
    """Inside a region, "the areas of" it are still the region; "the border with" it is not."""
    assessment = assess_one(CLAIMS["freed"], text)
    assert assessment.verdict is expected, assessment.summary


def test_an_infinitive_with_a_gerund_is_a_purpose() -> None:
    """ "Artillery to allow clearing Izium": what the artillery is for, not what happened."""
    assessment = assess_one(CLAIMS["izium"], "New artillery to allow clearing Izium in a few days")
    assert assessment.verdict is not C, assessment.summary
    assert assessment.score < DEFAULT_ALERT_THRESHOLD, assessment.summary


def test_an_aim_governs_the_events_joined_to_it() -> None:
    """ "Conditions for an attack on Balakliia and the capture of Izium": both are aims."""
    text = "The enemy is creating conditions for an attack on Balakliia and capture of Izium"
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is not C, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukrainian forces pushed back Russian troops near Izium", X),
        ("Ukrainian defenders fought off Russian attacks near Izium", X),
        ("The defenders stop Russian attacks near Izium", X),
        ("The Armed Forces repulsed enemy assaults and pushed the Russians back near Izium", X),
        # the claim's own side pushing the other back holds the place: no contradiction
        ("Russian forces pushed back Ukrainian troops near Izium", N),
    ],
)
def test_repelling_said_with_a_phrasal_verb(text: str, expected: Verdict) -> None:
    """ "Pushed back", "fought off", "stopped attacks": an attack repelled, whose side is the
    one inside the phrase ("pushed the Russians back": the other side pushed)."""
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is expected, assessment.summary
    if expected is X:
        assert assessment.score >= DEFAULT_ALERT_THRESHOLD, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukrainian troops expelled the enemy from Izium", X),
        ("The enemy was ousted from Izium", X),
        ("Russian troops pushed out Ukrainian units from Izium", C),
    ],
)
def test_an_expelling_verb_takes_the_place_from_its_object(text: str, expected: Verdict) -> None:
    """Active "expelled the enemy from X": the object lost it; passive "was ousted": the subject."""
    assessment = assess_one(CLAIMS["izium"], text)
    assert assessment.verdict is expected, assessment.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Obrii plant is under fire from the occupiers", X),
        ("The Obrii plant came under fire from Ukrainian artillery", C),
        ("Aid arrived in the wake of Russian strikes at the Obrii plant", X),
        # a side after "of" is still what was harmed when no adjective names the doer
        ("The shelling of Russian positions at the Obrii plant killed two soldiers", N),
    ],
)
def test_who_fires_under_fire_from_and_a_sides_adjective(text: str, expected: Verdict) -> None:
    assessment = assess_one(STRUCK, text)
    assert assessment.verdict is expected, assessment.summary


@pytest.mark.parametrize(
    "text",
    [
        "Ukrainian defenders shot down an enemy plane over Izium",
        "In its statement the council named Izium",
        "She saw the destruction in Izium with her own eyes",
    ],
)
def test_words_that_stem_like_a_hedge_do_not_hedge(text: str) -> None:
    """ "plane" stems to "plan", "statement" to "state": neither is a plan or a report; "her own
    eyes" is a witness, not "eyes" (considers)."""
    assessment = assess_one(CLAIMS["izium"], text)
    assert "reports the claim without vouching" not in assessment.summary, assessment.summary


def test_a_statement_that_names_the_region_claims_the_region() -> None:
    """ "... shelled the Bryansk region" with the alias "Bryansk": rows about the Bryansk region
    are about the claim, as they would be with an alias "Bryansk region"."""
    claim = Claim("area", "Ukrainian forces shelled the Bryansk region", ("Bryansk",))
    text = "Russia shelled a village in the Bryansk region itself, the security service says"
    assessment = assess_one(claim, text)
    assert assessment.verdict is X, assessment.summary
    city = Claim("city", "Ukrainian forces shelled Bryansk", ("Bryansk",))
    assert assess_one(city, text).verdict is U


def test_the_month_may_is_no_hedge() -> None:
    """ "On May 9 ... struck": a date; "may strike" is still a possibility."""
    dated = assess_one(STRUCK, "On May 9 Ukrainian forces shelled the Obrii plant")
    assert dated.verdict is C, dated.summary
    maybe = assess_one(STRUCK, "Ukrainian forces may shell the Obrii plant")
    assert maybe.verdict is not C, maybe.summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukrainian troops launched a missile strike on the Obrii plant", C),
        ("The Ukrainian army carried out an air strike on the Obrii plant", C),
        ("A Ukrainian ship shelled the Obrii plant", C),
        ("Russian troops launched a missile strike on the Obrii plant", X),
    ],
)
def test_a_side_that_launched_a_strike_did_it(text: str, expected: Verdict) -> None:
    """A verb of doing between a side and its harm ("launched a missile strike"), and naval
    means ("ship"), keep the side as the one that did it."""
    assessment = assess_one(STRUCK, text)
    assert assessment.verdict is expected, assessment.summary


def test_a_harm_to_a_town_in_a_region_is_a_harm_to_the_region() -> None:
    """A region struck: a strike on a town in it counts; a region taken: a town in it does not."""
    struck = Claim("hit", "Russian missiles struck the Poltava region", ("Poltava region",))
    text = "Russian missiles struck Kremenchuk in the Poltava region overnight"
    assessment = assess_one(struck, text)
    assert assessment.verdict is C, assessment.summary
    taken = Claim("taken", "Russian forces captured the Poltava region", ("Poltava region",))
    captured = assess_one(taken, "Russian forces captured Kremenchuk in the Poltava region")
    assert captured.verdict is not C, captured.summary


def test_no_forces_left_is_no_departure() -> None:
    """ "Practically no invaders left in X": none remain; it is no withdrawal denied."""
    claim = Claim("freed", "Ukrainian forces have liberated the Mykolaiv region",
                  ("Mykolaiv region",))  # fmt: skip
    assessment = assess_one(claim, "Practically no invaders left in the Mykolaiv region")
    assert assessment.verdict is not X, assessment.summary
    assert assess_one(claim, "Russian troops left the Mykolaiv region").verdict is C


def test_special_forces_are_a_sides_means() -> None:
    assessment = assess_one(STRUCK, "Ukrainian special forces struck the Obrii plant")
    assert assessment.verdict is C, assessment.summary
