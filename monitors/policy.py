"""When a decision becomes an alert, and when it is held back.

Users want to hear when a claim changes state, and about strong new evidence; they do not want one
message per syndicated copy of the same wire story, nor a stream of near-identical alerts while a
story is hot. The rules, in order:

0. a confirm or contradict verdict scoring below the claim's ``alert_threshold`` (default
   ``DEFAULT_ALERT_THRESHOLD``) is recorded as evidence but neither moves the claim nor alerts:
   the engine is not sure enough to act on;
0b. an alert about a muted claim, or whose every report is from a muted feed or source, is held
   back, even a state transition (``monitors.mutes``: the desk asked for quiet); the claim's state
   still moves. When only some copies are muted, the alert leads with an unmuted one;
1. a state transition (unknown -> confirmed, confirmed -> disputed, ...) always alerts;
2. otherwise only strong evidence (score >= ``strong_score``) alerts;
3. another report of a story already alerted for this claim (same verdict, any feed, within
   ``duplicate_window``, and the same event: a near-identical title, or content words shared at
   ``content_overlap`` or more, so NYT's, BBC's and Al Jazeera's differently titled reports of
   one resignation are one story) is held back, naming the story; copies arriving together (by
   title) become one alert that lists every source;
4. a non-transition alert inside the claim's or the channel's cooldown is held back.

Held-back alerts are kept in the outbox as ``suppressed`` with the reason, so nothing is silent.

``decide`` applies the rules (and the claim-state rule: an older report does not overturn a state
set by a newer one) to one story. It is a pure function over plain data: the store reads the facts
(``ClaimFacts``), calls it, and writes the ``StoryDecision`` in the story's one transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property

from rapidfuzz import fuzz

from monitors.models import Alert, Assessment, Claim, ClaimState, Feed, Report, Source, Verdict
from monitors.mutes import Mute, active, muted_reason, unmuted_first
from monitors.stance.vocabulary import STOPWORDS
from monitors.text import fold, fold_latin, stems

_STORY_TEXT = 600  # characters of a summary compared: the lead says what happened

# Outlets append their name to syndicated titles: "Gornal retaken - Reuters", "... | BBC News".
_OUTLET_SUFFIX = re.compile(r"\s+[-|:]\s+[^-|:]{2,40}$")  # after fold(): dashes are "-"


@dataclass(frozen=True)
class AlertPolicy:
    strong_score: float = 0.85  # above DEFAULT_ALERT_THRESHOLD: a repeat alert needs more
    duplicate_window: timedelta = timedelta(hours=48)
    duplicate_similarity: float = 90.0  # rapidfuzz token_sort_ratio of cleaned titles
    # Content words two reports share over the smaller one's (stems without stopwords, title
    # and summary, the claim's own words left out: every report about the claim shares those,
    # "Russian forces recaptured Gornal" and "... Sudzha" are two events). On Emergent dev
    # (python -m scripts.story_similarity): pairs of one claim's confirming headlines from
    # different outlets vs headlines of different claims; chosen on half A of the claims
    # (0.3: recall 0.374, 0.59% false; the title rule alone: 0.024), measured once on half B:
    # recall 0.348, 0.89% false (the title rule: 0.008). Headlines only: summaries add words.
    content_overlap: float = 0.3
    channel_cooldowns: Mapping[str, timedelta] = field(default_factory=dict)


DEFAULT_POLICY = AlertPolicy()

# The score a confirm or contradict verdict needs before it counts, unless the claim sets its own
# ``alert_threshold``. Precision before recall: a wrong alert costs a desk more than a late one,
# and a verdict under the threshold is still kept as evidence. Chosen by ``claimwatch eval
# --calibration`` on dev data only (precision of confirm / contradict at >= 0.75): our war-news
# dev claims 0.902 / 0.881 (at 0.6: 0.772 / 0.882), Emergent 0.808 / 0.915, FNC-1 0.954 / 0.943
# (the last two are fitted on). The rules' weakest readings (fighting nearby, still to come, a
# denial word with no event, an event named by a noun) score under it. The bundled demo's
# verdicts score 0.81-0.95: it alerts as before.
DEFAULT_ALERT_THRESHOLD = 0.75
# Disputed is not held to it: its score is the weaker side's, and sides disagreeing is the news.
_THRESHOLDED = (Verdict.CONFIRM, Verdict.CONTRADICT)


# --- what decide() is given -----------------------------------------------------------------------


@dataclass(frozen=True)
class NewEvidence:
    """A fresh evidence row: one report's assessment of one claim, just stored."""

    report: Report
    assessment: Assessment
    evidence_id: int


@dataclass(frozen=True)
class EarlierEvidence:
    """An evidence row already stored for a claim; its title is what a duplicate matches."""

    verdict: Verdict
    title: str
    feed_id: str
    report_id: str
    summary: str = ""

    @cached_property
    def words(self) -> frozenset[str]:
        """``story_words``, computed only for the rows a duplicate check compares."""
        return story_words(self.title, self.summary)


@dataclass(frozen=True)
class ClaimFacts:
    """What the store knows about one claim when a story arrives."""

    state: ClaimState = ClaimState.UNKNOWN
    as_of: datetime | None = None  # when the report that set the state appeared; None: never set
    # Its evidence stored within the duplicate window; may hold this story's own rows, which
    # never count as copies of themselves.
    recent: tuple[EarlierEvidence, ...] = ()
    last_alert: Mapping[str, datetime] = field(default_factory=dict)  # channel -> last one queued
    # The report whose evidence set the state (its feed name may be the feed id: ``build_alert``
    # labels it from the config); None when the state was never set.
    state_report: Source | None = None


# --- what decide() returns ------------------------------------------------------------------------


@dataclass(frozen=True)
class StateChange:
    """A claim state to write. A newer report rewrites it (and its ``as_of``) even unchanged."""

    claim_id: str
    previous: ClaimState
    state: ClaimState
    reported_at: datetime
    evidence_id: int

    @property
    def moved(self) -> bool:
        """True for an actual change, which also goes into the claim's history."""
        return self.state != self.previous


@dataclass(frozen=True)
class OutboxEntry:
    """One alert's outbox row on one channel: pending, or suppressed with the reason."""

    channel: str
    reason: str | None = None

    @property
    def status(self) -> str:
        return "pending" if self.reason is None else "suppressed"


@dataclass(frozen=True)
class AlertDecision:
    """One alert and its outbox rows. ``reason``: held back on every channel (None: it alerts,
    though a channel's cooldown may still hold it there)."""

    alert: Alert
    reason: str | None
    outbox: tuple[OutboxEntry, ...]


@dataclass(frozen=True)
class StoryDecision:
    """Everything one story changes, in the order it is decided."""

    states: tuple[StateChange, ...] = ()
    alerts: tuple[AlertDecision, ...] = ()


# --- the decision ---------------------------------------------------------------------------------


def decide(
    evidence: Sequence[NewEvidence],
    facts: Mapping[str, ClaimFacts],
    claims: Mapping[str, Claim],
    feeds: Mapping[str, Feed],
    channels: Sequence[str],
    policy: AlertPolicy,
    now: datetime,
    *,
    mutes: Sequence[Mute] = (),
) -> StoryDecision:
    """Decide one story's fresh evidence: the claim states it sets and the alerts it causes.

    One alert per (claim, verdict) group, decided in order; a later group of the same claim sees
    what earlier ones did (the state they set, the alerts they queued), as it would in the store.
    ``mutes`` (lifted and expired ones are ignored) hold alerts back, never a state change.
    """
    known = dict(facts)
    holding = active(mutes, now)
    states: list[StateChange] = []
    alerts: list[AlertDecision] = []
    for group in decisive_groups(evidence):
        claim = claims[group[0].assessment.claim_id]
        before = known.get(claim.id, ClaimFacts())
        # An unsure verdict leaves the state alone too: had it moved the claim silently, the
        # confident report that follows would be no transition and might never alert.
        unsure = below_alert_threshold(claim, group[0].assessment)
        change = None if unsure else next_state(before, group[0], now)
        shown = unmuted_first(group, [m.report for m in group], holding)
        alert = build_alert(claim, shown, before, change, feeds, now)
        muted = muted_reason(claim.id, [m.report for m in group], holding)
        reason = unsure or muted or hold_back(alert, shown, before.recent, policy, claim)
        outbox = outbox_rows(alert, reason, claim, before.last_alert, channels, policy, now)
        if change is not None:
            states.append(change)
        alerts.append(AlertDecision(alert, reason, outbox))
        known[claim.id] = _after(before, change, _source(group[0].report, feeds), outbox, now)
    return StoryDecision(tuple(states), tuple(alerts))


def outbox_rows(
    alert: Alert,
    reason: str | None,
    claim: Claim,
    last_alert: Mapping[str, datetime],
    channels: Sequence[str],
    policy: AlertPolicy,
    now: datetime,
) -> tuple[OutboxEntry, ...]:
    """Every channel's row: held back everywhere for ``reason``, else by the channel's cooldown."""
    cooldown = timedelta(seconds=claim.cooldown_s)
    return tuple(
        OutboxEntry(c, reason or cooldown_reason(alert, c, cooldown, last_alert, policy, now))
        for c in channels
    )


def _after(
    before: ClaimFacts,
    change: StateChange | None,
    setter: Source,
    outbox: Sequence[OutboxEntry],
    now: datetime,
) -> ClaimFacts:
    """The claim's facts for the story's next group: the state just set (by ``setter``, the
    group's first report, which ``next_state`` read), the alerts just queued."""
    last = dict(before.last_alert)
    for entry in outbox:
        if entry.reason is None:  # suppressed rows never start a cooldown
            last[entry.channel] = max(now, last.get(entry.channel, now))
    if change is None:
        return replace(before, last_alert=last)
    return replace(
        before, state=change.state, as_of=change.reported_at, state_report=setter, last_alert=last
    )


def decisive_groups(evidence: Sequence[NewEvidence]) -> list[list[NewEvidence]]:
    """One group per (claim, verdict): copies of a story that agree make one alert."""
    groups: dict[tuple[str, Verdict], list[NewEvidence]] = {}
    for item in evidence:
        if item.assessment.verdict.is_decisive:
            key = (item.assessment.claim_id, item.assessment.verdict)
            groups.setdefault(key, []).append(item)
    return list(groups.values())


def next_state(before: ClaimFacts, first: NewEvidence, now: datetime) -> StateChange | None:
    """The state a group's first report sets, or None when an older report arrives late."""
    reported_at = first.report.published or now
    # Feeds list newest first and backfills arrive late: an older report is recorded and
    # alerted, but does not overturn a state set by a newer one.
    if before.as_of is not None and reported_at < before.as_of:
        return None
    state = ClaimState.from_verdict(first.assessment.verdict)
    claim_id = first.assessment.claim_id
    return StateChange(claim_id, before.state, state, reported_at, first.evidence_id)


def alert_threshold(claim: Claim) -> float:
    """The score this claim's confirm and contradict verdicts need to count."""
    return DEFAULT_ALERT_THRESHOLD if claim.alert_threshold is None else claim.alert_threshold


def below_alert_threshold(claim: Claim, assessment: Assessment) -> str | None:
    """Why a confirm or contradict verdict is too unsure to alert, or None when it may."""
    threshold = alert_threshold(claim)
    if assessment.verdict not in _THRESHOLDED or assessment.score >= threshold:
        return None
    limit = f"{threshold:.2f}" if round(threshold, 2) == threshold else f"{threshold:g}"
    score = f"{assessment.score:.2f}"
    if score == limit:  # 0.748 against 0.75: show the digit that decided it
        score = f"{assessment.score:.3f}"
    return f"score {score} below the claim's alert threshold {limit}"


def alert_reason(
    previous: ClaimState, new: ClaimState, score: float, policy: AlertPolicy
) -> str | None:
    """Why this decision alerts, or None when it is not worth a message."""
    if previous != new:
        return f"state {previous.value} -> {new.value}"
    if score >= policy.strong_score:
        return f"strong evidence (score {score:.2f} >= {policy.strong_score:.2f})"
    return None


def hold_back(
    alert: Alert,
    group: Sequence[NewEvidence],
    recent: Sequence[EarlierEvidence],
    policy: AlertPolicy,
    claim: Claim,
) -> str | None:
    """Why this alert is suppressed for every channel, or None (cooldowns are per channel)."""
    if alert_reason(alert.previous_state, alert.new_state, alert.score, policy) is None:
        return f"no state change and weak evidence (score {alert.score:.2f})"
    if alert.is_transition:
        return None
    earlier = earlier_copy(claim, group, recent, policy)
    if earlier is not None:
        return f"duplicate of {earlier!r}, already alerted"
    return None


def earlier_copy(
    claim: Claim,
    group: Sequence[NewEvidence],
    recent: Sequence[EarlierEvidence],
    policy: AlertPolicy,
) -> str | None:
    """The title of an earlier report of the same story with the same verdict on this claim."""
    own = {(m.report.feed_id, m.report.report_id) for m in group}  # incl. older versions
    first = group[0]
    claim_words = words_of_claim(claim)
    words = story_words(first.report.title, first.report.summary) - claim_words
    for row in recent:
        if (
            row.verdict == first.assessment.verdict
            and (row.feed_id, row.report_id) not in own
            and (
                same_story(row.title, first.report.title, policy)
                or content_overlap(row.words - claim_words, words) >= policy.content_overlap
            )
        ):
            return row.title
    return None


def words_of_claim(claim: Claim) -> frozenset[str]:
    """The claim's own content words (statement, aliases, cues): shared by every report about
    it, so they say nothing about two reports being one event."""
    said = " ".join((claim.statement, *claim.aliases, *claim.confirm_cues, *claim.contradict_cues))
    return story_words(said)


def story_words(title: str, summary: str = "") -> frozenset[str]:
    """The content words of a report (stems, no stopwords, no numbers), which another outlet's
    report of the same event shares even under another title."""
    found = stems(fold_latin(f"{title}\n{summary[:_STORY_TEXT]}").lower())
    return frozenset(w for w in found if len(w) > 2 and w.isalpha() and w not in STOPWORDS)


def content_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over the smaller set's (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def cooldown_reason(
    alert: Alert,
    channel: str,
    claim_cooldown: timedelta,
    last_alert: Mapping[str, datetime],
    policy: AlertPolicy,
    now: datetime,
) -> str | None:
    """Why this channel holds the alert back: the claim's last alert on it was too recent."""
    if alert.is_transition:
        return None  # a state change is always worth a message
    cooldown = cooldown_for(channel, claim_cooldown, policy)
    last = last_alert.get(channel)
    if not cooldown or last is None or now - last >= cooldown:
        return None
    return f"cooldown: last alert for this claim on {channel} at {last:%Y-%m-%d %H:%M} UTC"


def cooldown_for(channel: str, claim_cooldown: timedelta, policy: AlertPolicy) -> timedelta:
    """The longer of the claim's and the channel's cooldown applies."""
    return max(claim_cooldown, policy.channel_cooldowns.get(channel, timedelta(0)))


def same_story(title_a: str, title_b: str, policy: AlertPolicy = DEFAULT_POLICY) -> bool:
    """Near-identical headlines, ignoring case, accents, script and an outlet suffix."""
    return same_story_key(story_key(title_a), story_key(title_b), policy)


def same_story_key(key_a: str, key_b: str, policy: AlertPolicy = DEFAULT_POLICY) -> bool:
    """``same_story`` of two titles' ``story_key``s (computed once per title)."""
    if not key_a or not key_b:
        return False
    return story_similarity(key_a, key_b) >= policy.duplicate_similarity


# How alike two story keys are (0..100), compared with ``duplicate_similarity``.
story_similarity = fuzz.token_sort_ratio


def story_key(title: str) -> str:
    """What ``same_story`` compares: the folded title without an outlet suffix."""
    return _OUTLET_SUFFIX.sub("", fold(title).strip())


# --- the alert ------------------------------------------------------------------------------------


def alert_key(claim_id: str, report: Report) -> str:
    """One alert per claim per report *version*: an edited report may alert again."""
    raw = f"{claim_id}\x1f{report.feed_id}\x1f{report.report_id}\x1f{report.content_hash}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def build_alert(
    claim: Claim,
    group: Sequence[NewEvidence],
    before: ClaimFacts,
    change: StateChange | None,
    feeds: Mapping[str, Feed],
    now: datetime,
) -> Alert:
    """The alert for a (claim, verdict) group: its first report, and every report as a source;
    ``before`` is what the claim stood at (its state, and the report that set it)."""
    report, assessment = group[0].report, group[0].assessment
    previous = before.state
    feed = feeds.get(report.feed_id, Feed(id=report.feed_id, url=""))
    return Alert(
        key=alert_key(claim.id, report),
        claim_id=claim.id,
        claim_statement=claim.statement,
        verdict=assessment.verdict,
        previous_state=previous,
        new_state=change.state if change else previous,
        score=assessment.score,
        report_title=report.title,
        report_link=report.link,
        feed_id=feed.id,
        feed_name=feed.label,
        published=report.published,
        evidence=assessment.evidence,
        created_at=now,
        sources=tuple(_source(m.report, feeds) for m in group),
        previous_report=labelled_source(before.state_report, feeds),
    )


def labelled_source(source: Source | None, feeds: Mapping[str, Feed]) -> Source | None:
    """``source`` with its feed's display name from the config (the store knows only the id)."""
    feed = feeds.get(source.feed_id) if source else None
    return replace(source, feed_name=feed.label) if source and feed else source


def _source(report: Report, feeds: Mapping[str, Feed]) -> Source:
    feed = feeds.get(report.feed_id)
    name = feed.label if feed else report.feed_id
    return Source(report.feed_id, name, report.title, report.link, report.published)
