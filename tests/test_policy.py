"""Every rule of ``policy.decide``, on plain data: no database, no engine, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitors.models import (
    Assessment,
    Claim,
    ClaimState,
    Evidence,
    Feed,
    Report,
    SentenceStance,
    Source,
)
from monitors.models import Verdict as V
from monitors.policy import (
    DEFAULT_ALERT_THRESHOLD,
    DEFAULT_POLICY,
    AlertPolicy,
    ClaimFacts,
    EarlierEvidence,
    NewEvidence,
    StateChange,
    StoryDecision,
    decide,
)

S = ClaimState
CLAIM = Claim(id="gornal", statement="Russian forces recaptured Gornal", aliases=("Gornal",))
FEEDS = {f: Feed(id=f, url=f"http://127.0.0.1/{f}", name=f.upper()) for f in ("wire", "bbc", "ap")}
CHANNELS = ("mail", "hook")
T0 = datetime(2025, 4, 26, 9, tzinfo=UTC)
NOW = T0 + timedelta(hours=6)
TITLE = "Russian forces recaptured Gornal"
PENDING = ("pending", "pending")
WEAK = "no state change and weak evidence (score 0.78)"


def new(
    verdict: V = V.CONFIRM,
    score: float = 0.9,
    hours: float | None = 0,
    feed: str = "wire",
    rid: str = "1",
    title: str = TITLE,
) -> NewEvidence:
    """A fresh evidence row for CLAIM; its evidence id is derived from feed and report id."""
    published = None if hours is None else T0 + timedelta(hours=hours)
    report = Report(feed, rid, title, "", f"https://{feed}.example/{rid}", published, f"h-{rid}")
    span = Evidence(title, SentenceStance.ASSERT, score, "Gornal")
    evidence_id = 100 * len(feed) + int(rid)
    return NewEvidence(report, Assessment(CLAIM.id, verdict, score, 1.0, (span,)), evidence_id)


def facts(
    state: ClaimState = S.UNKNOWN,
    as_of_hours: float | None = None,
    recent: tuple[EarlierEvidence, ...] = (),
    **last_alert_ago_min: float,
) -> dict[str, ClaimFacts]:
    """CLAIM's facts: its state (as of T0 + hours), and minutes since each channel's last alert."""
    as_of = None if as_of_hours is None else T0 + timedelta(hours=as_of_hours)
    last = {c: NOW - timedelta(minutes=m) for c, m in last_alert_ago_min.items()}
    return {CLAIM.id: ClaimFacts(state, as_of, recent, last)}


def run(
    evidence: list[NewEvidence],
    known: dict[str, ClaimFacts] | None = None,
    policy: AlertPolicy = DEFAULT_POLICY,
    claim: Claim = CLAIM,
) -> StoryDecision:
    return decide(evidence, known or {}, {claim.id: claim}, FEEDS, CHANNELS, policy, NOW)


def alerts(
    decision: StoryDecision,
) -> list[tuple[ClaimState, ClaimState, str | None, tuple[str, ...]]]:
    """Each alert as (previous state, new state, held-back reason, outbox status per channel)."""
    return [
        (d.alert.previous_state, d.alert.new_state, d.reason, tuple(e.status for e in d.outbox))
        for d in decision.alerts
    ]


def moves(decision: StoryDecision) -> list[tuple[ClaimState, ClaimState, datetime, int]]:
    return [(c.previous, c.state, c.reported_at, c.evidence_id) for c in decision.states]


@pytest.mark.parametrize(
    ("before", "verdict", "after"),
    [
        (S.UNKNOWN, V.CONFIRM, S.CONFIRMED),
        (S.UNKNOWN, V.CONTRADICT, S.CONTRADICTED),
        (S.CONFIRMED, V.CONTRADICT, S.CONTRADICTED),
        (S.CONTRADICTED, V.CONFIRM, S.CONFIRMED),
        (S.CONFIRMED, V.DISPUTED, S.DISPUTED),
    ],
)
def test_a_transition_always_alerts_even_on_weak_evidence(
    before: ClaimState, verdict: V, after: ClaimState
) -> None:
    """A report that moves the claim alerts on every channel, however far below strong_score
    (at the alert threshold: below it the verdict does not count, see the threshold tests)."""
    decision = run([new(verdict, score=DEFAULT_ALERT_THRESHOLD)], facts(before, as_of_hours=-1))
    assert [(before, after, T0, 401)] == moves(decision)
    assert [(before, after, None, PENDING)] == alerts(decision)


@pytest.mark.parametrize(
    ("score", "reason", "statuses"),
    [
        (0.9, None, PENDING),
        (0.85, None, PENDING),  # strong_score itself is strong
        (0.78, WEAK, ("suppressed", "suppressed")),  # above the alert threshold, not strong
    ],
    ids=["strong", "at-threshold", "weak"],
)
def test_without_a_transition_only_strong_evidence_alerts(
    score: float, reason: str | None, statuses: tuple[str, ...]
) -> None:
    """A confirmed claim confirmed again: strong evidence alerts, weak evidence is held back."""
    decision = run([new(V.CONFIRM, score)], facts(S.CONFIRMED, as_of_hours=-1))
    assert [(S.CONFIRMED, S.CONFIRMED, reason, statuses)] == alerts(decision)


def test_a_newer_report_rewrites_the_state_it_does_not_change() -> None:
    """Confirming a confirmed claim writes the state again (new as_of), but it is no move."""
    (change,) = run([new(V.CONFIRM)], facts(S.CONFIRMED, as_of_hours=-1)).states
    expected = StateChange(CLAIM.id, S.CONFIRMED, S.CONFIRMED, T0, 401)
    assert (expected, False) == (change, change.moved)


@pytest.mark.parametrize(
    ("hours", "score", "expected_moves", "expected_alerts"),
    [
        (0, 0.9, [], [(S.CONTRADICTED, S.CONTRADICTED, None, PENDING)]),
        (0, 0.78, [], [(S.CONTRADICTED, S.CONTRADICTED, WEAK, ("suppressed", "suppressed"))]),
        (
            5,
            0.9,
            [(S.CONTRADICTED, S.CONFIRMED, T0 + timedelta(hours=5), 401)],
            [(S.CONTRADICTED, S.CONFIRMED, None, PENDING)],
        ),
        (
            None,
            0.9,
            [(S.CONTRADICTED, S.CONFIRMED, NOW, 401)],
            [(S.CONTRADICTED, S.CONFIRMED, None, PENDING)],
        ),
    ],
    ids=["older-strong", "older-weak", "same-time-moves", "undated-is-now"],
)
def test_an_older_report_does_not_overturn_a_newer_state(
    hours: float | None,
    score: float,
    expected_moves: list[tuple[ClaimState, ClaimState, datetime, int]],
    expected_alerts: list[tuple[ClaimState, ClaimState, str | None, tuple[str, ...]]],
) -> None:
    """A backfill is alerted by the usual rules but leaves the state set by the newer report."""
    decision = run([new(V.CONFIRM, score, hours)], facts(S.CONTRADICTED, as_of_hours=5))
    assert (expected_moves, expected_alerts) == (moves(decision), alerts(decision))


@pytest.mark.parametrize(
    ("before", "score", "expected"),
    [
        (S.UNKNOWN, 0.3, (S.UNKNOWN, S.DISPUTED, None, PENDING)),
        (S.DISPUTED, 0.9, (S.DISPUTED, S.DISPUTED, None, PENDING)),
        (S.DISPUTED, 0.78, (S.DISPUTED, S.DISPUTED, WEAK, ("suppressed", "suppressed"))),
    ],
    ids=["unknown-to-disputed", "disputed-again-strong", "disputed-again-weak"],
)
def test_disputed_is_a_state_like_any_other(
    before: ClaimState,
    score: float,
    expected: tuple[ClaimState, ClaimState, str | None, tuple[str, ...]],
) -> None:
    """Both sides reported: the claim becomes disputed; disputed again is not a transition."""
    decision = run([new(V.DISPUTED, score)], facts(before, as_of_hours=-1))
    assert [expected] == alerts(decision)
    assert "disputed" == decision.alerts[0].alert.verdict.value


DUPLICATE = f"duplicate of {TITLE + ' - BBC'!r}, already alerted"
BBC_COPY = EarlierEvidence(V.CONFIRM, TITLE + " - BBC", "bbc", "7")


@pytest.mark.parametrize(
    ("before", "earlier", "reason"),
    [
        (S.CONFIRMED, BBC_COPY, DUPLICATE),
        (S.UNKNOWN, BBC_COPY, None),  # a transition is never a duplicate
        (S.CONFIRMED, EarlierEvidence(V.CONTRADICT, TITLE, "bbc", "7"), None),
        (S.CONFIRMED, EarlierEvidence(V.CONFIRM, TITLE, "wire", "1"), None),  # its older version
        (
            S.CONFIRMED,
            EarlierEvidence(V.CONFIRM, "Russian forces recaptured Sudzha", "ap", "2"),
            None,
        ),
    ],
    ids=["copy", "copy-but-transition", "other-verdict", "own-older-version", "other-story"],
)
def test_a_copy_of_an_earlier_story_is_held_back_only_without_a_transition(
    before: ClaimState, earlier: EarlierEvidence, reason: str | None
) -> None:
    """An earlier same-verdict copy from another report holds back a non-transition alert."""
    decision = run([new(V.CONFIRM)], facts(before, -1, (earlier,)))
    assert [reason] == [d.reason for d in decision.alerts]
    expected = PENDING if reason is None else ("suppressed", "suppressed")
    assert [expected] == [tuple(e.status for e in d.outbox) for d in decision.alerts]


def test_another_outlets_report_of_the_same_event_is_held_back_whatever_its_title() -> None:
    """NYT, BBC and Al Jazeera title one event differently: the words they share beyond the
    claim's own make the later ones copies of the first."""
    nyt = EarlierEvidence(
        V.CONFIRM, "Moscow says Gornal is back under its control", "nyt", "1",
        "The defence ministry said paratroopers of the 106th division took the village after "
        "a week of assaults from the Sudzha road.",
    )  # fmt: skip
    bbc = new(feed="bbc", rid="7", title="Gornal falls to Russian paratroopers")
    bbc = NewEvidence(
        Report("bbc", "7", bbc.report.title, "Paratroopers of the 106th division entered the "
               "village after assaults from the Sudzha road, the ministry said.",
               bbc.report.link, bbc.report.published, "h-7"),
        bbc.assessment, bbc.evidence_id,
    )  # fmt: skip
    decision = run([bbc], facts(S.CONFIRMED, -1, (nyt,)))
    assert [f"duplicate of {nyt.title!r}, already alerted"] == [d.reason for d in decision.alerts]


def test_the_claims_own_words_do_not_make_two_events_one() -> None:
    """Every report about the claim shares its words: "Russian forces recaptured Gornal" and a
    report of the next village taken share little else, and both alert."""
    earlier = EarlierEvidence(
        V.CONFIRM, "Russian forces recaptured Gornal", "ap", "2",
        "Russian forces recaptured Gornal, the defence ministry said on Saturday.",
    )  # fmt: skip
    later = new(
        feed="bbc", rid="7", title="Russian forces recaptured Gornal and pushed to Oleshnya"
    )
    decision = run([later], facts(S.CONFIRMED, -1, (earlier,)))
    assert [None] == [d.reason for d in decision.alerts]


def test_copies_arriving_together_become_one_alert_listing_every_source() -> None:
    """Three outlets in one story: one alert, one state change, every source listed in order."""
    story = [
        new(feed="wire", rid="1"),
        new(feed="bbc", rid="7", title=TITLE + " - BBC News", hours=0.5),
        new(feed="ap", rid="3", title=TITLE + " | AP", hours=1),
    ]
    decision = run(story)
    (only,) = decision.alerts
    sources = [(s.feed_id, s.feed_name, s.title) for s in only.alert.sources]
    assert [
        ("wire", "WIRE", TITLE),
        ("bbc", "BBC", TITLE + " - BBC News"),
        ("ap", "AP", TITLE + " | AP"),
    ] == sources
    assert (3, "wire", TITLE) == (
        only.alert.source_count,
        only.alert.feed_id,
        only.alert.report_title,
    )
    assert [(S.UNKNOWN, S.CONFIRMED, T0, 401)] == moves(decision)
    assert [("mail", None), ("hook", None)] == [(e.channel, e.reason) for e in only.outbox]


def test_an_alert_counts_outlets_not_feeds() -> None:
    """Two feeds of one publisher carry the story: two sources, one outlet."""
    story = [
        new(feed="wire", rid="1"),
        new(feed="bbc", rid="7", title=TITLE + " - BBC News", hours=0.5),
        new(feed="ap", rid="3", title=TITLE + " | AP", hours=1),
    ]
    story[2] = NewEvidence(
        replace(story[2].report, link="https://www.bbc.example/news/3"), story[2].assessment, 403
    )
    story[1] = NewEvidence(
        replace(story[1].report, link="https://bbc.example/world/7"), story[1].assessment, 307
    )
    (only,) = run(story).alerts
    assert (3, 2) == (only.alert.source_count, only.alert.outlet_count)


def _cooldown(channel: str, minutes_ago: float) -> str:
    at = NOW - timedelta(minutes=minutes_ago)
    return f"cooldown: last alert for this claim on {channel} at {at:%Y-%m-%d %H:%M} UTC"


@pytest.mark.parametrize(
    ("claim_min", "mail_min", "ago", "expected"),
    [
        (60, 30, {"mail": 45, "hook": 45}, (_cooldown("mail", 45), _cooldown("hook", 45))),
        (0, 60, {"mail": 45, "hook": 45}, (_cooldown("mail", 45), None)),
        (30, 0, {"mail": 45, "hook": 45}, (None, None)),
        (60, 0, {"mail": 60, "hook": 59}, (None, _cooldown("hook", 59))),
        (60, 0, {}, (None, None)),
        (0, 0, {"mail": 1, "hook": 1}, (None, None)),
    ],
    ids=[
        "claim-longer",
        "channel-longer",
        "both-over",
        "just-over",
        "never-alerted",
        "no-cooldown",
    ],
)
def test_the_longer_of_the_claim_and_channel_cooldown_applies(
    claim_min: float, mail_min: float, ago: dict[str, float], expected: tuple[str | None, ...]
) -> None:
    """Inside the longer cooldown a non-transition alert waits, counted from that channel's last."""
    claim = Claim(CLAIM.id, CLAIM.statement, CLAIM.aliases, cooldown_s=claim_min * 60)
    policy = AlertPolicy(channel_cooldowns={"mail": timedelta(minutes=mail_min)})
    decision = run([new(V.CONFIRM)], facts(S.CONFIRMED, -1, **ago), policy, claim)
    assert [expected] == [tuple(e.reason for e in d.outbox) for d in decision.alerts]


def test_a_transition_bypasses_every_cooldown() -> None:
    """A state change a minute after the last alert still goes out on every channel."""
    claim = Claim(CLAIM.id, CLAIM.statement, CLAIM.aliases, cooldown_s=3600)
    policy = AlertPolicy(channel_cooldowns={"mail": timedelta(days=1)})
    decision = run([new(V.CONTRADICT)], facts(S.CONFIRMED, -1, mail=1, hook=1), policy, claim)
    assert [(S.CONFIRMED, S.CONTRADICTED, None, PENDING)] == alerts(decision)


@pytest.mark.parametrize(
    ("score", "mail_min", "expected"),
    [
        (0.78, 60, (WEAK, [WEAK, WEAK])),
        (0.9, 60, (None, [_cooldown("mail", 10), None])),
        (0.9, 0, (None, [None, None])),
    ],
    ids=["held-for-all", "held-on-one-channel", "alerts-everywhere"],
)
def test_held_back_for_every_channel_or_by_one_channels_cooldown(
    score: float, mail_min: float, expected: tuple[str | None, list[str | None]]
) -> None:
    """Weak evidence is held back on every channel (the alert's reason); a cooldown on its own."""
    policy = AlertPolicy(channel_cooldowns={"mail": timedelta(minutes=mail_min)})
    decision = run([new(V.CONFIRM, score)], facts(S.CONFIRMED, -1, mail=10, hook=10), policy)
    assert [expected] == [(d.reason, [e.reason for e in d.outbox]) for d in decision.alerts]


def test_neutral_evidence_never_decides_anything() -> None:
    """A mention is evidence, not a decision: no state written, no alert."""
    assert StoryDecision() == run([new(V.NEUTRAL, 0.99)], facts(S.CONFIRMED, -1))


def test_one_story_moves_a_claim_unknown_confirmed_disputed() -> None:
    """Two verdicts in one story: the second group starts from the state the first set."""
    story = [new(V.CONFIRM, hours=0, rid="1"), new(V.DISPUTED, hours=1, feed="bbc", rid="2")]
    decision = run(story)
    t1 = T0 + timedelta(hours=1)
    assert [(S.UNKNOWN, S.CONFIRMED, T0, 401), (S.CONFIRMED, S.DISPUTED, t1, 302)] == moves(
        decision
    )
    assert [
        (S.UNKNOWN, S.CONFIRMED, None, PENDING),
        (S.CONFIRMED, S.DISPUTED, None, PENDING),
    ] == alerts(decision)


def test_a_later_group_sees_the_as_of_an_earlier_group_set() -> None:
    """After a newer report set the state, an older one in the same story is a backfill."""
    story = [new(V.CONFIRM, hours=2, rid="1"), new(V.CONTRADICT, hours=1, feed="bbc", rid="2")]
    decision = run(story)
    assert [(S.UNKNOWN, S.CONFIRMED, T0 + timedelta(hours=2), 401)] == moves(decision)
    assert [
        (S.UNKNOWN, S.CONFIRMED, None, PENDING),
        (S.CONFIRMED, S.CONFIRMED, None, PENDING),
    ] == alerts(decision)


@pytest.mark.parametrize(
    ("first_score", "second"),
    [
        (0.9, (_cooldown("mail", 0), _cooldown("hook", 0))),
        (0.78, (None, None)),
    ],
    ids=["queued-starts-cooldown", "suppressed-does-not"],
)
def test_a_later_group_sees_the_alert_an_earlier_group_queued(
    first_score: float, second: tuple[str | None, ...]
) -> None:
    """An alert queued by the story's first group starts the cooldown for its second group."""
    claim = Claim(CLAIM.id, CLAIM.statement, CLAIM.aliases, cooldown_s=3600)
    story = [new(V.CONFIRM, first_score, hours=0), new(V.CONTRADICT, 0.9, -2, "bbc", "2")]
    decision = run(story, facts(S.CONFIRMED, as_of_hours=-1), claim=claim)
    held = decision.alerts[1]
    assert second == tuple(e.reason for e in held.outbox)
    assert (S.CONFIRMED, S.CONFIRMED, None) == (
        held.alert.previous_state,
        held.alert.new_state,
        held.reason,
    )


def test_facts_of_another_claim_do_not_leak() -> None:
    """A claim the facts do not mention starts unknown, never alerted."""
    decision = run([new(V.CONFIRM)], {"other": ClaimFacts(S.CONFIRMED, T0, (), {"mail": NOW})})
    assert [(S.UNKNOWN, S.CONFIRMED, None, PENDING)] == alerts(decision)


# --- the claim's alert threshold ------------------------------------------------------------------

HELD = ("suppressed", "suppressed")


@pytest.mark.parametrize(
    ("verdict", "score", "threshold", "expected"),
    [
        (V.CONFIRM, 0.55, None, (S.UNKNOWN, "score 0.55 below the claim's alert threshold 0.75")),
        (V.CONTRADICT, 0.748, None,
         (S.UNKNOWN, "score 0.748 below the claim's alert threshold 0.75")),
        (V.CONFIRM, 0.75, None, (S.CONFIRMED, None)),
        (V.CONFIRM, 0.85, 0.9, (S.UNKNOWN, "score 0.85 below the claim's alert threshold 0.90")),
        (V.CONTRADICT, 0.2, 0.0, (S.CONTRADICTED, None)),
        (V.DISPUTED, 0.3, None, (S.DISPUTED, None)),
    ],
    ids=["below-default", "just-below-shows-3-digits", "at-default", "claims-own-threshold",
         "zero-lets-all-through", "disputed-is-not-thresholded"],
)  # fmt: skip
def test_a_verdict_below_the_claims_alert_threshold_neither_moves_nor_alerts(
    verdict: V, score: float, threshold: float | None, expected: tuple[ClaimState, str | None]
) -> None:
    """Confirm/contradict under the claim's alert_threshold (default 0.75) is held back with the
    reason on every channel and leaves the state; at the threshold it counts."""
    claim = Claim(CLAIM.id, CLAIM.statement, CLAIM.aliases, alert_threshold=threshold)
    decision = run([new(verdict, score)], facts(S.UNKNOWN), claim=claim)
    state, reason = expected
    moved = [] if state is S.UNKNOWN else [(S.UNKNOWN, state, T0, 401)]
    outbox = PENDING if reason is None else HELD
    assert (moved, [(S.UNKNOWN, state, reason, outbox)]) == (moves(decision), alerts(decision))


def test_an_unsure_copy_first_holds_back_the_whole_group() -> None:
    """Syndicated copies make one alert from the first report, so its score is the one judged."""
    story = [new(V.CONFIRM, 0.5), new(V.CONFIRM, 0.9, feed="bbc", rid="2")]
    decision = run(story, facts(S.UNKNOWN))
    assert [(S.UNKNOWN, S.UNKNOWN, "score 0.50 below the claim's alert threshold 0.75", HELD)] == (
        alerts(decision)
    )


def test_the_alert_names_the_report_that_set_the_previous_state() -> None:
    """The facts' state report becomes the alert's ``previous_report``, labelled with its feed's
    name; a later group of the same story names the earlier group's report instead."""
    setter = Source("bbc", "bbc", "Gornal retaken, says Moscow", "https://bbc.example/9", T0)
    known = {CLAIM.id: ClaimFacts(S.CONFIRMED, T0, state_report=setter)}
    story = [new(V.CONTRADICT, hours=1, rid="2"), new(V.DISPUTED, hours=2, feed="ap", rid="3")]
    first, second = (d.alert for d in run(story, known).alerts)
    assert (setter.title, "BBC") == (first.previous_report.title, first.previous_report.feed_name)
    assert ("wire", TITLE) == (second.previous_report.feed_id, second.previous_report.title)


def test_an_unknown_claim_has_no_previous_report() -> None:
    """Nothing set the state of a claim never decided: the alert says so with None."""
    (decided,) = run([new(V.CONFIRM)]).alerts
    assert (S.UNKNOWN, None) == (decided.alert.previous_state, decided.alert.previous_report)
