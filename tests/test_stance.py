"""Stance engine: table-driven rows (claim, text, expected verdict, why) and the seed story."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitors.config import load_claims
from monitors.models import Claim, SentenceStance, Verdict
from monitors.stance.engine import StanceEngine, assess_one
from monitors.stance.features import features
from monitors.stance.judge import ClaimReader
from monitors.stance.sentence import read_text

DATA = Path(__file__).parent / "data"
SEED = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "kursk-gornal-article.txt"
)
CLAIMS = {c.id: c for c in load_claims(DATA / "kursk_claims.yaml")}
K, G = "kursk-control", "gornal-recaptured"
C, X, D, N, U = (Verdict.CONFIRM, Verdict.CONTRADICT, Verdict.DISPUTED, Verdict.NEUTRAL,
                 Verdict.UNRELATED)  # fmt: skip

# (claim id, title, expected verdict, why). The why is the test id.
ROWS = [
    (G, "Russian forces recaptured Gornal", C, "plain assertion with a confirm cue"),
    (
        G,
        "Moscow says Russian forces have retaken Gornal",
        C,
        "reporting verb: attributed assertion",
    ),
    (G, "According to the Russian defence ministry, Gornal was recaptured", C, "according to"),
    (G, "Russian forces recaptured Горналь", C, "Cyrillic alias"),
    (G, "Russian troops recaptured GORNAL on Saturday", C, "case-folded alias"),
    (K, "Kurskaya oblast fully liberated", C, "transliterated alias"),
    (K, "Russia regained control of Курской области", C, "inflected Cyrillic alias"),
    (K, "'We have regained full control of the Kursk region,' Gerasimov said.", C, "quoted claim"),
    (G, "Ukraine denies Russia retook Gornal", X, "denying verb with attribution"),
    (G, "Russian forces did not recapture Gornal", X, "negation scope over the predicate"),
    (K, "Ukraine denied that Russia had regained control of the Kursk region", X, "denied that"),
    (K, "Russia did not regain full control of the Kursk region", X, "did not regain"),
    (G, "Reports that Russia recaptured Gornal are false", X, "refutation: false"),
    (K, "Ukrainian troops are still holding positions in the Kursk region", X, "competing fact"),
    (G, "Analysts cast doubt on claims that Russia recaptured Gornal", X, "casting doubt"),
    (G, "Doubts cast over Russian claim to have retaken Gornal", X, "doubts cast, headline order"),
    (G, "There is no doubt that Russian forces recaptured Gornal", C, "no doubt vouches"),
    (G, "Contrary to Kyiv claims, Russian forces recaptured Gornal", C, "contrary to: not a cue"),
    (G, "Kyiv calls Moscow's claim to have recaptured Gornal inaccurate", X, "inaccurate"),
    (G, "Ukrainian units still hold Gornal", X, "competing fact, built-in cue"),
    (G, "Gornal remains under Ukrainian control, Kyiv said", X, "claim contradict cue"),
    (K, 'Kyiv called the claim of full control of Kursk "propaganda"', X, "quoted refutation"),
    (
        K,
        "Moscow says it has regained full control of the Kursk region; Kyiv denies it.",
        D,
        "both sides in one sentence",
    ),
    (K, "Has Russia retaken Kursk?", N, "question"),
    (G, "Did Russian forces recapture Gornal?", N, "question with the predicate"),
    (G, "Russian forces have reportedly recaptured Gornal", N, "hedge: reportedly"),
    (G, "Russia may have retaken Gornal", N, "hedge: may"),
    (K, "Kursk weather: snow expected", N, "mention without the predicate"),
    (
        K,
        "Russia Asserts Full Control Over Kursk Region Amid Ongoing Ukraine Denials",
        C,
        "background denial after amid",
    ),
    (G, "Russian forces recaptured Sudzha", U, "near miss: a different village"),
    (
        G,
        "Russian forces recaptured Gornal, a village not far from Sudzha",
        C,
        "negation outside the predicate's scope",
    ),
    (G, "In 1943 the Red Army recaptured Gornal from German forces", N, "near miss: old report"),
    (K, "Grain harvest forecast raised", U, "nothing about the subject"),
    # Russian (ru) and Ukrainian (uk): the same phenomena, read from their own stance words.
    (K, "Минобороны: Курская область полностью освобождена", C, "ru: demo headline"),
    (G, "Российские войска освободили Горналь", C, "ru: assert"),
    (G, "Горналь взяли под контроль российские войска", C, "ru: assert, took control"),
    (G, "Російські війська звільнили Горналь", C, "uk: assert"),
    (K, "Курська область повністю звільнена", C, "uk: assert, fully liberated"),
    (K, "Генштаб ВСУ опроверг освобождение Курской области", X, "ru: denying verb"),
    (K, "Генштаб ЗСУ спростовує звільнення Курської області", X, "uk: denying verb"),
    (G, "Сообщения об освобождении Горналя - фейк", X, "ru: refutation, fake"),
    (G, "Заява про звільнення Горналя - брехня", X, "uk: refutation, lie"),
    (
        K,
        "Сведения об освобождении Курской области не соответствуют действительности",
        X,
        "ru: refutation phrase, inflected",
    ),
    (K, "ВСУ продолжают удерживать позиции в Курской области", X, "ru: competing fact"),
    (K, "ЗСУ продовжують утримувати позиції в Курській області", X, "uk: competing fact"),
    (G, "Бои за Горналь продолжаются", X, "ru: competing fact, fighting goes on"),
    (G, "Бої за Горналь тривають", X, "uk: competing fact, fighting goes on"),
    (G, "Российские войска не освободили Горналь", X, "ru: negated predicate"),
    (G, "Горналь не звільнено", X, "uk: negated predicate"),
    (G, "Российские войска якобы освободили Горналь", N, "ru: hedge"),
    (G, "Російські війська нібито звільнили Горналь", N, "uk: hedge"),
    (G, "По неподтвержденным данным, Горналь освобожден", N, "ru: hedge, unconfirmed data"),
    (G, "Можливо, Горналь звільнено", N, "uk: hedge, perhaps"),
    (G, "Освобожден ли Горналь?", N, "ru: question"),
    (G, "Освобожден ли Горналь", N, "ru: question particle without a question mark"),
    (G, "Чи звільнено Горналь?", N, "uk: question"),
    (G, "Генштаб ВСУ заявил, что Горналь не освобожден", X, "ru: attributed negation"),
    (G, "ВСУ отбили атаку у Горналя", X, "ru: attack repelled: the village was not taken"),
    (G, "ЗСУ відбили штурм Горналя", X, "uk: assault repelled: still contested"),
    (G, "Атаку отбили у Горналя", X, "ru: repelled, object first: still contested"),
    (G, "Российские войска отбили Горналь", C, "ru: took back the village"),
    (G, "Генштаб ЗСУ заявив, що Горналь не звільнено", X, "uk: attributed negation"),
    (G, "Российские войска освободили Суджу", U, "ru: near miss, a different village"),
    (G, "Бои за Суджу продолжаются", U, "ru: near miss, competing fact elsewhere"),
    (K, "В Курской области выпал снег", N, "ru: mention without stance words"),
]


@pytest.mark.parametrize(("claim_id", "text", "expected", "why"), ROWS, ids=[r[3] for r in ROWS])
def test_stance_rows(claim_id: str, text: str, expected: Verdict, why: str) -> None:
    """Each row's text gets the expected verdict for its claim."""
    assessment = assess_one(CLAIMS[claim_id], text)
    assert expected == assessment.verdict, f"{why}: {assessment.summary}"


@pytest.mark.parametrize(("claim_id", "text", "expected", "why"), ROWS, ids=[r[3] for r in ROWS])
def test_decisions_carry_evidence(claim_id: str, text: str, expected: Verdict, why: str) -> None:
    """Every verdict but 'unrelated' names a sentence, the matched alias and a reason."""
    assessment = assess_one(CLAIMS[claim_id], text)
    if assessment.verdict is Verdict.UNRELATED:
        assert () == assessment.evidence
        return
    top = assessment.evidence[0]
    assert (True, True, True) == (bool(top.sentence), bool(top.alias), bool(top.why))


def test_attribution_names_the_speaker() -> None:
    """A denial names who denies, an assertion who asserts."""
    deny = assess_one(CLAIMS[G], "Ukraine denies Russia retook Gornal").evidence[0]
    claim = assess_one(CLAIMS[G], "Moscow says Russian forces have retaken Gornal").evidence[0]
    assert ("Ukraine", SentenceStance.DENY) == (deny.attribution, deny.stance)
    assert ("Moscow", SentenceStance.ASSERT) == (claim.attribution, claim.stance)


def test_russian_and_ukrainian_attribution() -> None:
    """A Cyrillic reporting verb names its speaker, before it or (verb first) after it."""
    deny = assess_one(CLAIMS[G], "Генштаб ЗСУ заявив, що Горналь не звільнено").evidence[0]
    late = assess_one(CLAIMS[K], "Курская область освобождена, заявили в Минобороны").evidence[0]
    assert ("Genshtab ZSU", SentenceStance.DENY) == (deny.attribution, deny.stance)
    assert ("Minoborony", SentenceStance.ASSERT) == (late.attribution, late.stance)


def test_disputed_pair_in_russian_and_ukrainian() -> None:
    """The Russian MoD asserts, the Ukrainian General Staff denies: disputed, both named."""
    title = "Минобороны России заявило, что Курская область полностью освобождена"
    body = "Генштаб ЗСУ спростував заяву про звільнення Курської області."
    assessment = assess_one(CLAIMS[K], title, body)
    stances = {(e.stance, e.attribution) for e in assessment.evidence}
    expected = {
        (SentenceStance.ASSERT, "Minoborony Rossii"),
        (SentenceStance.DENY, "Genshtab ZSU"),
    }
    assert (Verdict.DISPUTED, expected) == (assessment.verdict, stances)


def test_same_side_in_two_scripts_is_not_disputed() -> None:
    """ "ВСУ" and "Ukraine" are one side: their assert and deny are not a dispute between sides."""
    title = "Ukraine says Russia regained full control of the Kursk region"
    body = "ВСУ продолжают удерживать позиции в Курской области, заявили в Генштабе ВСУ."
    assert Verdict.DISPUTED != assess_one(CLAIMS[K], title, body).verdict


def test_cyrillic_cues_ignore_latin_text() -> None:
    """A short Cyrillic cue ("не" folds to "ne") is not read in an English sentence."""
    sentences = read_text("Gornal ne li chi boi prodolzhayutsya", "")
    assert [] == [h for h in sentences[0].hits]


def test_claim_cues_add_to_the_lexicon() -> None:
    """A per-claim contradict cue works, and built-in refutations still work beside it."""
    claim = Claim(
        "x", "Acme shipped the Widget", ("Widget",), contradict_cues=("still in the lab",)
    )
    own = assess_one(claim, "The Widget is still in the lab, engineers say").verdict
    builtin = assess_one(claim, "Acme denies it shipped the Widget").verdict
    assert (Verdict.CONTRADICT, Verdict.CONTRADICT) == (own, builtin)


def test_engine_keeps_claim_order_and_filters_ids() -> None:
    """assess returns one assessment per claim, in claim order or in the order of claim_ids."""
    engine = StanceEngine(CLAIMS.values())
    assert [K, G] == [a.claim_id for a in engine.assess("Gornal news")]
    assert [G] == [a.claim_id for a in engine.assess("Gornal news", claim_ids=[G])]


def test_unknown_claim_id_is_an_error() -> None:
    """Asking for a claim the engine does not know says which ones it knows."""
    with pytest.raises(KeyError, match="gornal-recaptured"):
        StanceEngine(CLAIMS.values()).assess("x", claim_ids=["nope"])


SENTENCE_ROWS = [
    ("Macaulay Culkin found dead at his home", C, "sentence claim: restated"),
    ("Macaulay Culkin death hoax spreads again online", X, "sentence claim: hoax"),
    ("Stock markets rallied on Friday after the jobs report", U, "sentence claim: other story"),
]


@pytest.mark.parametrize(
    ("text", "expected", "why"), SENTENCE_ROWS, ids=[r[2] for r in SENTENCE_ROWS]
)
def test_sentence_only_claims(text: str, expected: Verdict, why: str) -> None:
    """A claim given only as a sentence derives its subject terms from the statement."""
    claim = Claim("culkin", "Macaulay Culkin is dead")
    assert expected == assess_one(claim, text).verdict, why


def _seed() -> tuple[str, str]:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (../shared/seed is not checked out)")
    title, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    return title, body


def test_seed_story_is_disputed_and_gornal_confirmed() -> None:
    """The seed article: Kursk control disputed (both sides attributed), Gornal confirmed."""
    title, body = _seed()
    kursk, gornal = StanceEngine(CLAIMS.values()).assess(title, body)
    assert (Verdict.DISPUTED, Verdict.CONFIRM) == (kursk.verdict, gornal.verdict)


def test_seed_story_evidence_names_both_sides() -> None:
    """The disputed verdict shows a Russian assertion and a Ukrainian denial."""
    title, body = _seed()
    kursk = StanceEngine(CLAIMS.values()).assess(title, body)[0]
    speakers = {(e.stance, e.attribution or "") for e in kursk.evidence}
    russian_asserts = any(s is SentenceStance.ASSERT and "Russia" in a for s, a in speakers)
    ukrainian_denies = any(s is SentenceStance.DENY and "Ukrain" in a for s, a in speakers)
    assert (True, True) == (russian_asserts, ukrainian_denies)


FRAMING_ROWS = [
    ("NYT: Apple Watch includes a battery saving mode", "frame_source_prefix", 1.0),
    ("Apple Watch to start at 5,000 dollars -- analyst", "frame_source_after", 1.0),
    ("Apple watch sales soar, says Cook", "frame_source_after", 1.0),
    ("Apple watch sales soar", "frame_source_after", 0.0),
    ("Analyst predicts 19M Apple Watch sales", "frame_forecast", 1.0),
    ("Apple did not sell 19 million watches", "frame_negated_claim", 1.0),
    ("Apple sold 19 million watches, not phones", "frame_negated_claim", 0.0),
    ("'I bought three watches' says fan", "frame_quote", 1.0),
    ("I bought three Apple watches", "frame_first_person", 1.0),
    ("Apple sold 19 million watches", "num_same", 1.0),
    ("Apple sold 5 million watches", "num_other", 1.0),
]


@pytest.mark.parametrize(
    ("title", "name", "expected"), FRAMING_ROWS, ids=[f"{r[1]}: {r[0]}" for r in FRAMING_ROWS]
)
def test_headline_framing_features(title: str, name: str, expected: float) -> None:
    """The learned step sees how a headline frames the claim: passed on, forecast, negated."""
    claim = Claim("watch", "Apple will sell 19 million Apple Watches in 2015")
    reader = ClaimReader(claim)
    sentences = read_text(title, "")
    assert expected == features(reader, sentences, reader.read(sentences))[name]
