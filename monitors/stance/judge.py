"""Reading one sentence against one claim: assert, deny, hedge, question or mention, and why.

Rules, in order of precedence (each decision names its cue):
- a question about the claim only asks (QUESTION);
- a refutation ("denied", "hoax"), a claim contradict cue, a competing fact ("still holding") or a
  negation in front of the claimed predicate ("did not recapture") denies (DENY);
- hedging language ("reportedly", "may", "rumour") keeps it at arm's length (HEDGE);
- the claimed predicate, a confirm cue or an asserting word ("освобождена"), unhedged, asserts
  (ASSERT), attributed to its speaker;
- otherwise the sentence merely mentions the subject (MENTION).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date

from monitors.models import Claim, Evidence, SentenceStance
from monitors.stance.cues import CueHit, CueSet, tagged
from monitors.stance.frame import (
    FrameReading,
    claim_frame,
    denies_own_part,
    read_against,
    refuted_account,
)
from monitors.stance.lexicon import AREA_AFTER, ARMED_FORCES, RUSSIAN_SIDE, UKRAINIAN_SIDE
from monitors.stance.match import AliasHit, ClaimMatcher
from monitors.stance.sentence import Sentence, Sentences, attribution, read_sentence
from monitors.stance.subject_place import claim_place, placed, unplaced
from monitors.stance.vocabulary import STOPWORDS
from monitors.text import stems

NEGATION_SCOPE = 6  # words after a negation that it can flip
TERM_MATCH = 0.2  # share of a sentence-only claim's terms a sentence needs to be "about" it
SENTENCE_RELATED = 0.18  # ... one sentence needs for the report to be related at all
DOC_RELATED = 0.3  # ... the whole report needs
SHORT_REPORT = 2  # sentences: a headline, perhaps with a one-line summary
SHORT_RELATED = 0.05  # ... the share a short report needs
BARE_VERDICT = 3  # words besides the denial in a clause that judges what came before
_GENERIC_DENIALS = frozenset({"deny_verb", "refute", "competing"})


@dataclass(frozen=True)
class _About:
    """Why a sentence is about the claim."""

    score: float
    alias: str | None
    matched: str | None
    span: tuple[int, int] | None = None  # token span of the alias match


@dataclass(frozen=True)
class Reading:
    """One report read against one claim."""

    evidence: list[Evidence]  # every sentence about the claim, as read
    relatedness: float  # 0..1
    related: bool  # the rules' decision
    coverage: tuple[float, ...]  # per sentence: how much of it is about the claim (0..1)


class ClaimReader:
    """Everything about one claim needed to read sentences, compiled once."""

    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        self.matcher = ClaimMatcher(claim)
        self.statement = read_sentence(0, claim.statement)
        self.statement_stems = [s for s in self.statement.stems if s not in STOPWORDS]
        # Only claims that name their subject get a frame reading: a sentence-only claim (the
        # research datasets) has no subject span to tie an event word to.
        self.frame = claim_frame(self.statement) if self.matcher.aliases else None
        self.claims_area = any(_AREA.find(stems(a)) for a in claim.aliases) or self._area_stated()
        self.place = claim_place(self.statement, self.matcher) if self.matcher.aliases else ()
        self.cues = CueSet(
            tagged("claim_confirm", claim.confirm_cues)
            + tagged("claim_contradict", claim.contradict_cues)
        )

    def _area_stated(self) -> bool:
        """ "Ukrainian forces shelled the Bryansk region": the statement itself puts an area
        word after the alias, so the claim is about the area (as an alias "Bryansk region" says)."""
        if not self.matcher.aliases:
            return False
        s = self.statement
        hit = self.matcher.find_alias(s.tokens, s.surface, s.clauses)
        return hit is not None and bool(
            _AREA.find(s.stems[hit.end : hit.end + 1], s.tokens[hit.end : hit.end + 1])
        )

    def read(
        self, sentences: Sequence[Sentence], alias_hits: Mapping[int, AliasHit] | None = None
    ) -> Reading:
        """Evidence from every sentence about the claim, and how related the report is.

        ``alias_hits`` (sentence number -> the claim's best alias match there, from the alias
        index) saves matching each sentence again; a sentence without one is not about the claim.
        """
        evidence: list[Evidence] = []
        scores: list[float] = []
        for number, sentence in enumerate(sentences):
            if alias_hits is not None and self.matcher.aliases:
                hit = alias_hits.get(number)
                about = None if hit is None else self._about_alias(sentence, hit)
            else:
                about = self.about(sentence)
            scores.append(about.score if about else 0.0)
            if about is not None:
                evidence.extend(self.judge(sentence, about))
        if self.place and evidence and not placed(sentences, self.place, self.matcher.threshold):
            # "Kamianka near Izium": a report that never names Izium may be about another
            # Kamianka; its verdict stands, below an alert.
            subject = next((e.matched for e in evidence if e.matched), self.claim.id)
            evidence = [unplaced(e, subject, self.place) for e in evidence]
        if self.matcher.aliases:
            weights = [1.0 if s.is_title else 0.9 for s in sentences]
            best = max((sc * w for sc, w in zip(scores, weights, strict=True)), default=0.0)
            return Reading(evidence, best, bool(evidence), tuple(scores))
        whole = self.matcher.coverage(_all_stems(sentences))
        related = self._related(sentences, whole)
        return Reading(evidence, whole, related and bool(evidence), tuple(scores))

    def _related(self, sentences: Sequence[Sentence], whole: float) -> bool:
        """A sentence-only claim: enough of its (rarity-weighted) words in the report and in one
        sentence of it. One shared common word is not enough."""
        if len(sentences) <= SHORT_REPORT:
            # A headline shares few words with a paraphrased claim; it has no body to confirm it.
            return whole >= SHORT_RELATED
        best = max((self.matcher.coverage(s.stem_set) for s in sentences), default=0.0)
        return best >= SENTENCE_RELATED and whole >= DOC_RELATED

    def about(self, sentence: Sentence) -> _About | None:
        """Is the sentence about the claim's subject? Alias match, else statement terms."""
        if self.matcher.aliases:
            hit = self.matcher.find_alias(sentence.tokens, sentence.surface, sentence.clauses)
            return None if hit is None else self._about_alias(sentence, hit)
        coverage = self.matcher.coverage(sentence.stem_set)
        if coverage < TERM_MATCH and not (sentence.is_title and coverage >= SHORT_RELATED):
            return None
        shared = [s for s in sentence.surface if _stem_of(s) in self.matcher.terms]
        return _About(coverage, None, " ".join(dict.fromkeys(shared)))

    def _about_alias(self, sentence: Sentence, hit: AliasHit) -> _About | None:
        if self._names_area(sentence, hit.end):
            return None
        return _About(hit.score, hit.alias, hit.matched, (hit.start, hit.end))

    def _names_area(self, sentence: Sentence, end: int) -> bool:
        """ "Chuhuiv in the Kharkiv region": the alias names the area around another place,
        unless the claim itself is about the area (an alias "Kursk region")."""
        return (
            not self.claims_area
            and end < len(sentence.tokens)
            and bool(_AREA.find(sentence.stems[end : end + 1], sentence.tokens[end : end + 1]))
        )

    def judge(self, sentence: Sentence, about: _About) -> list[Evidence]:
        """One or two pieces of evidence (two when one clause asserts and another denies)."""
        claim_hits = self.cues.find(sentence.stems, sentence.tokens) if self.cues else []
        deny = self._deny_cue(sentence, claim_hits)
        past = self._historical(sentence)
        if past is not None:
            return [self._evidence(sentence, about, SentenceStance.MENTION, 0.3, past, None)]
        if sentence.question and deny is None:
            return [self._evidence(sentence, about, SentenceStance.QUESTION, 0.5, "?", None)]
        assert_hit, strength = self._assertion(sentence, claim_hits)
        framed = self._frame_reading(sentence, about)
        if deny is not None and deny.kind == "competing" and _decides(framed):
            # "Izium is still under enemy control": "still ... control" says someone holds it;
            # the frame knows who, and whether that is the claim's side.
            deny = None
        refuted = self._refuted_account(sentence, about, deny)
        if refuted is not None:
            return [refuted]
        denier = self._denies_own_part(sentence, deny)
        if deny is not None and denier is not None:
            # "Russia denies responsibility" against "a Ukrainian missile struck it": the other
            # side denies its own part, which says nothing of whether the claimed side did it.
            why = f"{denier} denies its own part, not that the claim's side did it"
            return [self._unscoped_denial(sentence, about, deny, why)]
        if deny is not None and self._denies_something_else(sentence, about, deny, framed):
            # "In the captured town of Melitopol, ..., they prepare a fake referendum": the
            # denial word belongs to another clause than the subject, whose event the frame read.
            deny = None
        if (
            deny is not None
            and self.frame is not None
            and framed is None
            and (deny.kind in _GENERIC_DENIALS)
        ):
            # "Russia spreading fake report of civilians killed in Izium": a denial, but of
            # what? With none of the claim's events near the subject, it is recorded, and it
            # decides nothing.
            return [self._unscoped_denial(sentence, about, deny)]
        if deny is not None:
            out = [self._deny_evidence(sentence, about, deny)]
            first_denial = min(h.start for h in self._denials(sentence, claim_hits) + [deny])
            if (
                assert_hit is not None
                and strength >= 0.5
                and _other_clause(sentence, first_denial, assert_hit)
            ):
                out.append(self._assert_evidence(sentence, about, assert_hit, strength))
            return out
        if framed is not None and framed.intended:
            # "plans to capture Izium": the frame knows what the plan says about the claim.
            return [self._frame_evidence(sentence, about, framed)]
        hedges = sentence.of_kind("hedge", "report_noun")
        if framed is not None and _told(framed) and not _governs(sentence, hedges, framed):
            # "Troops blew up power lines in occupied Beryslav, and the city may stay dark": the
            # hedge is another clause's; the frame's event is told as a fact.
            return [self._frame_evidence(sentence, about, framed)]
        if hedges:
            hedge = self._evidence(sentence, about, SentenceStance.HEDGE, 0.5, hedges[0].phrase,
                                   None)  # fmt: skip
            return [replace(hedge, reading="rule:hedge")]
        if framed is not None:
            return [self._frame_evidence(sentence, about, framed)]
        if assert_hit is not None and strength >= 0.5 and self._may_assert(assert_hit):
            return [self._assert_evidence(sentence, about, assert_hit, strength)]
        if sentence.is_title and not self.matcher.aliases and assert_hit is not None:
            # A plain headline that restates a sentence-only claim asserts it.
            return [self._assert_evidence(sentence, about, assert_hit, 0.5)]
        return [self._evidence(sentence, about, SentenceStance.MENTION, 0.3, None, None)]

    def _denies_something_else(
        self, sentence: Sentence, about: _About, deny: CueHit, framed: FrameReading | None
    ) -> bool:
        if deny.kind not in _GENERIC_DENIALS or not _decides(framed) or about.span is None:
            return False
        clause = sentence.clauses[deny.start]
        if any(sentence.clauses[i] == clause for i in range(about.span[0], about.span[1])):
            return False
        # "...; Kyiv denies it", "... - фейк": a bare verdict on what came before.
        words = sum(1 for c in sentence.clauses if c == clause) - (deny.end - deny.start)
        return words > BARE_VERDICT

    def _refuted_account(
        self, sentence: Sentence, about: _About, deny: CueHit | None
    ) -> Evidence | None:
        """ "CCTV debunks Russian explanations of the strike": against a claim of who did a
        harm, the refuted account's side says which way the refutation cuts."""
        if self.frame is None or deny is None or deny.kind not in ("refute", "deny_verb"):
            return None
        side = refuted_account(self.frame, sentence, deny.start, deny.end)
        if side is None:
            return None
        own = side == self.frame.actor
        stance = SentenceStance.ASSERT if own else SentenceStance.DENY
        evidence = self._evidence(sentence, about, stance, 0.8, deny.phrase, attribution(sentence))
        whose = "the claimed side's own account" if own else "the other side's account"
        why = f"{evidence.why}; refutes {side}'s account of it ({whose})"
        return replace(evidence, why=why, reading="rule:refuted_account")

    def _denies_own_part(self, sentence: Sentence, deny: CueHit | None) -> str | None:
        if self.frame is None or deny is None or deny.kind != "deny_verb":
            return None
        return denies_own_part(self.frame, sentence, deny.start)

    def _unscoped_denial(
        self,
        sentence: Sentence,
        about: _About,
        deny: CueHit,
        reason: str = "denial word without an event of the claim's",
    ) -> Evidence:
        evidence = self._evidence(sentence, about, SentenceStance.MENTION, 0.3, deny.phrase, None)
        why = f"{evidence.why}; {reason}: not a verdict"
        return replace(evidence, why=why, reading=f"rule:unscoped_{deny.kind}")

    def _may_assert(self, hit: CueHit) -> bool:
        """A claim with a frame is asserted through its event (the frame reading above) or a
        confirm cue of its own; the claim's words nearby ("Ukrainian forces ... near Lyman")
        are not enough."""
        return self.frame is None or hit.kind in ("claim_confirm", "assert")

    def _frame_reading(self, sentence: Sentence, about: _About) -> FrameReading | None:
        if self.frame is None or about.span is None:
            return None
        subject = frozenset(sentence.stems[about.span[0] : about.span[1]])
        reading = read_against(self.frame, sentence, about.span, subject)
        if reading is not None and reading.kind != "no_cause":
            return reading
        # "Fighting near the Chernobyl plant: the Russian army left Chernobyl": the subject
        # named again later may be where the event is; "Attacks on Belgorod: Russia's
        # provocations in Belgorod": a harm with no side named waits for one that names it.
        for span in self._later_spans(sentence, about.span, subject):
            later = read_against(self.frame, sentence, span, subject)
            if later is not None and (reading is None or _decides(later)):
                return later
        return reading

    def _later_spans(
        self, sentence: Sentence, first: tuple[int, int], subject: frozenset[str]
    ) -> list[tuple[int, int]]:
        """Further matches of the claim's aliases after the first, looked for only when a word
        of the first match occurs again (most sentences name their subject once)."""
        spans: list[tuple[int, int]] = []
        at = first[1]
        while at < len(sentence.tokens) and not subject.isdisjoint(sentence.stems[at:]):
            hit = self.matcher.find_alias(
                sentence.tokens[at:], sentence.surface[at:], sentence.clauses[at:]
            )
            if hit is None:
                break
            spans.append((at + hit.start, at + hit.end))
            at += hit.end
        return spans

    def _frame_evidence(self, sentence: Sentence, about: _About, reading: FrameReading) -> Evidence:
        speaker = attribution(sentence)
        evidence = self._evidence(sentence, about, reading.stance, reading.score, reading.cue,
                                  speaker)  # fmt: skip
        why = f"{evidence.why}; {reading.slot}"
        return replace(evidence, why=why, reading=f"frame:{reading.kind}")

    def _historical(self, sentence: Sentence) -> str | None:
        """A tracked (alias) claim is about now: a sentence dated years ago is background."""
        if not self.matcher.aliases:
            return None  # sentence-only claims (archives, datasets) carry their own dates
        years = [int(t) for t in sentence.tokens if len(t) == 4 and t.isdigit()]
        old = [y for y in years if 1800 <= y < date.today().year - 1]
        recent = [y for y in years if y >= date.today().year - 1]
        return f"dated {old[0]}" if old and not recent else None

    def _deny_cue(self, sentence: Sentence, claim_hits: list[CueHit]) -> CueHit | None:
        for hit in claim_hits:
            if hit.kind == "claim_contradict":
                return hit
        for kind in ("deny_verb", "refute", "competing"):
            for hit in sentence.of_kind(kind):
                return hit
        return self._negated(sentence, claim_hits)

    def _denials(self, sentence: Sentence, claim_hits: list[CueHit]) -> list[CueHit]:
        kinds = ("deny_verb", "refute", "competing", "negation", "claim_contradict")
        return [h for h in list(sentence.hits) + claim_hits if h.kind in kinds]

    def _negated(self, sentence: Sentence, claim_hits: list[CueHit]) -> CueHit | None:
        """A negation with the claimed predicate (a claim confirm cue, or a built-in asserting
        word such as "освободили") inside its scope."""
        confirms = [h.start for h in claim_hits if h.kind == "claim_confirm"]
        confirms += [h.start for h in sentence.of_kind("assert")]
        actors = self._actor_words(sentence)
        for neg in sentence.of_kind("negation"):
            scope = range(neg.end, min(neg.end + NEGATION_SCOPE, len(sentence.stems)))
            for i in scope:
                if sentence.clauses[i] != sentence.clauses[neg.start]:
                    break
                predicate = sentence.stems[i] in self.matcher.predicate and i not in actors
                if predicate or i in confirms:
                    return neg
        return None

    def _actor_words(self, sentence: Sentence) -> frozenset[int]:
        """For a tracked claim, the words that name a side or its forces: "Russian" or "troops"
        in a negation's scope ("no legal force", "without electricity due to actions of Russian
        invaders") is no negated event; the claim's event word must be there."""
        if not self.matcher.aliases:
            return frozenset()
        hits = _ACTORS.find(sentence.stems, sentence.tokens)
        return frozenset(i for h in hits for i in range(h.start, h.end))

    def _assertion(
        self, sentence: Sentence, claim_hits: list[CueHit]
    ) -> tuple[CueHit | None, float]:
        """The strongest sign that the sentence states the claimed fact, and its strength."""
        for hit in claim_hits:
            if hit.kind == "claim_confirm":
                return hit, 1.0
        coverage = self.matcher.coverage(sentence.stem_set, self.matcher.predicate)
        if not self.matcher.predicate:
            coverage = 1.0
        span = _predicate_span(sentence, self.matcher.predicate)
        # A generic word ("now", "officially", "confirmed") never decides alone for a tracked
        # (alias) claim: its sentence must carry the claim's predicate or its event.
        kinds = ("assert",) if self.matcher.aliases else ("confirm", "assert")
        confirms = sentence.of_kind(*kinds)
        if confirms and coverage < 0.5:
            return confirms[0], 0.6
        return span, coverage

    def _deny_evidence(self, sentence: Sentence, about: _About, cue: CueHit) -> Evidence:
        speaker = attribution(
            sentence, cue if cue.kind == "deny_verb" else _speaker_verb(sentence, cue)
        )
        score = 0.9 if cue.kind in ("claim_contradict", "refute", "deny_verb") else 0.75
        evidence = self._evidence(sentence, about, SentenceStance.DENY, score, cue.phrase, speaker)
        return replace(evidence, reading=f"rule:{cue.kind}")

    def _assert_evidence(
        self, sentence: Sentence, about: _About, hit: CueHit, strength: float
    ) -> Evidence:
        speaker = attribution(sentence)
        score = 0.5 + 0.45 * min(strength, 1.0)
        stance = SentenceStance.ASSERT
        evidence = self._evidence(sentence, about, stance, score, hit.phrase, speaker)
        return replace(evidence, reading=f"rule:{hit.kind}")

    def _evidence(
        self,
        sentence: Sentence,
        about: _About,
        stance: SentenceStance,
        score: float,
        cue: str | None,
        speaker: str | None,
    ) -> Evidence:
        weight = 1.0 if sentence.is_title else 0.9
        why = _why(stance, about, cue, speaker, sentence.is_title)
        return Evidence(
            sentence=sentence.text[:500],
            stance=stance,
            score=round(score * weight * (0.7 + 0.3 * min(about.score, 1.0)), 3),
            alias=about.alias,
            matched=about.matched,
            cue=cue,
            attribution=speaker,
            why=why,
        )


def _told(reading: FrameReading | None) -> bool:
    """Does the frame reading assert or deny the claim (not hedge or only mention it)?"""
    return reading is not None and reading.stance in (SentenceStance.ASSERT, SentenceStance.DENY)


def _governs(sentence: Sentence, hedges: list[CueHit], reading: FrameReading | None) -> bool:
    """Does a hedge govern the frame's event word: in its clause or one leading in to it, or a
    clause of its own ("..., reportedly")? (Yes when the word's place is unknown.)"""
    if reading is None or reading.at is None:
        return bool(hedges)
    clause = sentence.clauses[reading.at]
    return any(
        sentence.clauses[h.start] <= clause  # "According to unconfirmed data, ..." leads in
        or sentence.clauses.count(sentence.clauses[h.start]) <= h.end - h.start  # ", reportedly"
        for h in hedges
    )


def _decides(reading: FrameReading | None) -> bool:
    return reading is not None and reading.stance is not SentenceStance.HEDGE


def _speaker_verb(sentence: Sentence, cue: CueHit) -> CueHit | None:
    """The reporting verb that governs a cue: the nearest one before it, else the first one."""
    verbs = sentence.of_kind("report", "deny_verb")
    # A participle ("..., saying ...") shares the subject of the main verb: skip it.
    finite = [v for v in verbs if not sentence.tokens[v.start].endswith("ing")]
    verbs = finite or verbs
    before = [v for v in verbs if v.start <= cue.start]
    return before[-1] if before else (verbs[0] if verbs else None)


def _predicate_span(sentence: Sentence, predicate: dict[str, float]) -> CueHit | None:
    positions = [i for i, s in enumerate(sentence.stems) if s in predicate]
    if not positions:
        return None
    phrase = " ".join(sentence.surface[positions[0] : positions[-1] + 1][:8])
    return CueHit("predicate", phrase, positions[0], positions[-1] + 1)


def _other_clause(sentence: Sentence, first_denial: int, assertion: CueHit) -> bool:
    """An assertion made before, and outside, every denial ("X declared P, a claim that Y
    disputes"). What follows a denial ("Y denied that P") is inside its scope."""
    start = min(assertion.start, len(sentence.clauses) - 1)
    return (
        assertion.end <= first_denial and sentence.clauses[first_denial] != sentence.clauses[start]
    )


def _all_stems(sentences: Sequence[Sentence]) -> AbstractSet[str]:
    if isinstance(sentences, Sentences):
        return sentences.stem_set
    return {s for sentence in sentences for s in sentence.stems}


def _stem_of(word: str) -> str:
    from monitors.text import stem

    return stem(word.casefold())


_AREA = CueSet(tagged("area", AREA_AFTER))
_ACTORS = CueSet(tagged("actor", RUSSIAN_SIDE + UKRAINIAN_SIDE + ARMED_FORCES))

_VERB = {
    SentenceStance.ASSERT: "asserts the claim",
    SentenceStance.DENY: "denies the claim",
    SentenceStance.HEDGE: "reports the claim without vouching for it",
    SentenceStance.QUESTION: "asks about the claim",
    SentenceStance.MENTION: "mentions the subject without taking a side",
}


def _why(
    stance: SentenceStance, about: _About, cue: str | None, speaker: str | None, title: bool
) -> str:
    where = "title" if title else "sentence"
    subject = f'"{about.matched}"' + (f" (alias {about.alias})" if about.alias else "")
    line = f"{where} {_VERB[stance]}: matched {subject}"
    if cue:
        line += f', cue "{cue}"'
    if speaker:
        line += f", according to {speaker}"
    return line
