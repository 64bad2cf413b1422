"""The state store, on SQLite and on a real PostgreSQL: dedupe, atomic decisions, the outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from monitors.models import (
    Assessment,
    Claim,
    ClaimState,
    Evidence,
    Feed,
    Report,
    SentenceStance,
    Validators,
    Verdict,
)
from monitors.policy import DEFAULT_POLICY, NewEvidence
from monitors.state import history, record, schema
from monitors.state.record import DecidedReport
from monitors.state.store import Store

CLAIM = Claim(id="gornal", statement="Russian forces recaptured Gornal", aliases=("Gornal",))
CLAIMS = {CLAIM.id: CLAIM}
FEED = Feed(id="wire", url="http://127.0.0.1/feed", name="Wire")
CHANNELS = ["mail", "hook"]


@pytest.fixture
def store(state_store: Store) -> Store:
    return state_store


def report(report_id: str = "r1", text_hash: str = "h1", hours: int = 0) -> Report:
    return Report(
        feed_id=FEED.id,
        report_id=report_id,
        title=f"Report {report_id}",
        summary="Russian forces recaptured Gornal.",
        link=f"https://example.org/{report_id}",
        published=datetime(2025, 4, 26, tzinfo=UTC) + timedelta(hours=hours),
        content_hash=text_hash,
    )


def assessment(verdict: Verdict) -> Assessment:
    span = Evidence(
        sentence="Russian forces recaptured Gornal.",
        stance=SentenceStance.ASSERT,
        score=0.9,
        alias="Gornal",
        matched="Gornal",
        cue="recaptured",
        why="asserts: 'recaptured' near 'Gornal'",
    )
    return Assessment(
        claim_id=CLAIM.id, verdict=verdict, score=0.9, relatedness=1.0, evidence=(span,)
    )


def test_decision_writes_evidence_state_and_one_alert_per_channel(store: Store) -> None:
    """Confirming report: evidence stored, claim confirmed, one alert queued per channel."""
    decision = store.record_report(report(), FEED, [assessment(Verdict.CONFIRM)], CLAIMS, CHANNELS)
    assert 1 == decision.evidence_count
    alert = decision.alerts[0]
    assert (ClaimState.UNKNOWN, ClaimState.CONFIRMED) == (alert.previous_state, alert.new_state)
    assert ["hook", "mail"] == sorted(item.channel for item in store.outbox(status="pending"))
    status = store.claim_statuses([CLAIM])[0]
    assert (ClaimState.CONFIRMED, 1, 0) == (status.state, status.confirming, status.contradicting)
    assert "recaptured" == history.evidence_timeline(store.engine, CLAIM.id)[0].spans[0].cue


def test_rerun_is_a_no_op(store: Store) -> None:
    """The same report version recorded twice adds no evidence and no alert."""
    store.record_report(report(), FEED, [assessment(Verdict.CONFIRM)], CLAIMS, CHANNELS)
    assert [] == store.unseen([report()])
    again = store.record_report(report(), FEED, [assessment(Verdict.CONFIRM)], CLAIMS, CHANNELS)
    assert (0, ()) == (again.evidence_count, again.alerts)
    assert 2 == len(store.outbox())


def test_changed_report_is_unseen_and_alerts_again(store: Store) -> None:
    """An edited report (new content hash) is re-evaluated and may alert again."""
    store.record_report(report(), FEED, [assessment(Verdict.CONFIRM)], CLAIMS, CHANNELS)
    edited = report(text_hash="h2", hours=1)
    assert [edited] == store.unseen([edited])
    decision = store.record_report(edited, FEED, [assessment(Verdict.CONTRADICT)], CLAIMS, CHANNELS)
    assert ClaimState.CONFIRMED == decision.alerts[0].previous_state
    assert ClaimState.CONTRADICTED == store.claim_statuses([CLAIM])[0].state
    assert 4 == len(store.outbox())


def test_older_report_does_not_overturn_newer_state(store: Store) -> None:
    """A late-arriving older report is recorded and alerted, but the newer state stands."""
    store.record_report(
        report("new", hours=5), FEED, [assessment(Verdict.CONTRADICT)], CLAIMS, CHANNELS
    )
    old = store.record_report(report("old"), FEED, [assessment(Verdict.CONFIRM)], CLAIMS, CHANNELS)
    assert ClaimState.CONTRADICTED == old.alerts[0].new_state
    assert ClaimState.CONTRADICTED == store.claim_statuses([CLAIM])[0].state


def test_later_groups_of_a_story_see_what_earlier_ones_wrote(store: Store) -> None:
    """In one story, a second verdict starts from the first's state and inside its cooldown."""
    claims = {CLAIM.id: Claim(CLAIM.id, CLAIM.statement, CLAIM.aliases, cooldown_s=3600)}
    story = [
        DecidedReport(report("newer", hours=2), (assessment(Verdict.CONFIRM),)),
        DecidedReport(report("older", hours=1), (assessment(Verdict.CONTRADICT),)),
    ]
    decision = store.record_story(story, {FEED.id: FEED}, claims, CHANNELS)
    assert [
        (ClaimState.UNKNOWN, ClaimState.CONFIRMED),
        (ClaimState.CONFIRMED, ClaimState.CONFIRMED),  # older: recorded, state kept
    ] == [(a.previous_state, a.new_state) for a in decision.alerts]
    statuses = [(i.alert.report_title, i.channel, i.status) for i in store.outbox()]
    assert [
        ("Report newer", "mail", "pending"),
        ("Report newer", "hook", "pending"),
        ("Report older", "mail", "suppressed"),
        ("Report older", "hook", "suppressed"),
    ] == statuses
    assert "cooldown: last alert for this claim on mail" in (store.outbox()[2].last_error or "")
    assert ClaimState.CONFIRMED == store.claim_statuses([CLAIM])[0].state


def test_neutral_and_unrelated_do_not_alert(store: Store) -> None:
    """A mention is kept as evidence without an alert; an unrelated verdict stores nothing."""
    decision = store.record_report(
        report(),
        FEED,
        [assessment(Verdict.NEUTRAL), assessment(Verdict.UNRELATED)],
        CLAIMS,
        CHANNELS,
    )
    assert (1, ()) == (decision.evidence_count, decision.alerts)
    assert [] == store.outbox()


def test_failed_decision_leaves_nothing_behind(store: Store) -> None:
    """If deciding fails midway, neither the report nor its evidence is stored: it is retried."""
    unknown_claim = Assessment(claim_id="missing", verdict=Verdict.CONFIRM, score=1.0)
    with pytest.raises(KeyError):
        store.record_report(report(), FEED, [unknown_claim], CLAIMS, CHANNELS)
    assert [report()] == store.unseen([report()])
    assert [] == history.evidence_timeline(store.engine, "missing")


def test_outbox_lease_retry_and_give_up(store: Store) -> None:
    """Leased alerts are not handed out twice; failures stay pending until given up."""
    store.record_report(report(), FEED, [assessment(Verdict.CONFIRM)], CLAIMS, ["mail"])
    lease = timedelta(minutes=5)
    (item,) = store.claim_pending(["mail"], lease)
    assert [] == store.claim_pending(["mail"], lease)
    store.mark_failed(item, "email: connection refused", give_up=False)
    (again,) = store.claim_pending(["mail"], lease)
    assert (1, "email: connection refused", "pending") == (
        again.attempts,
        again.last_error,
        again.status,
    )
    store.mark_failed(again, "email: connection refused", give_up=True)
    assert [] == store.claim_pending(["mail"], lease)
    assert 1 == store.retry_failed()
    (last,) = store.claim_pending(["mail"], lease)
    store.mark_delivered(last)
    assert ["delivered"] == [i.status for i in store.outbox()]
    assert [] == store.claim_pending(["mail"], lease)


def test_feed_validators_and_health(store: Store) -> None:
    """Validators survive between runs; failures count up and reset on success."""
    store.record_fetch_failure(FEED, "wire: HTTP 500")
    store.record_fetch_failure(FEED, "wire: HTTP 503")
    health = history.feed_states(store.engine)["wire"]
    assert (2, "wire: HTTP 503") == (health.consecutive_failures, health.last_error)
    store.record_fetch_success(FEED, Validators(etag='"v1"', last_modified=None), new_reports=3)
    assert {"wire": Validators(etag='"v1"', last_modified=None)} == store.validators()
    health = history.feed_states(store.engine)["wire"]
    assert (0, None) == (health.consecutive_failures, health.last_error)
    assert health.last_new_report_at is not None


def story(report_id: str, verdict: Verdict, claim_id: str = CLAIM.id, hours: int = 0) -> list:
    item = assessment(verdict)
    return [DecidedReport(report(report_id, hours=hours), (replace(item, claim_id=claim_id),))]


def test_a_failure_mid_batch_leaves_nothing_of_the_batch(store: Store) -> None:
    """Stories written in one batch are one transaction: a story failing after an earlier one
    queued its alert takes that alert, its evidence, its state and every report back out."""
    stories = [story("r1", Verdict.CONFIRM), story("r2", Verdict.CONFIRM, claim_id="missing")]
    with pytest.raises(KeyError):
        store.record_stories(stories, {FEED.id: FEED}, CLAIMS, CHANNELS)
    assert [report("r1"), report("r2")] == store.unseen([report("r1"), report("r2")])
    assert ([], ClaimState.UNKNOWN) == (store.outbox(), store.claim_statuses([CLAIM])[0].state)
    assert [] == history.evidence_timeline(store.engine, CLAIM.id)


def test_batches_before_a_failure_stay_written(store: Store) -> None:
    """Each batch commits on its own: a failing later batch keeps the earlier batches'
    decisions, each with the alerts it caused."""
    stories = [story("r1", Verdict.CONFIRM), story("r2", Verdict.CONFIRM, claim_id="missing")]
    with pytest.raises(KeyError):
        store.record_stories(stories, {FEED.id: FEED}, CLAIMS, CHANNELS, batch_reports=1)
    assert [report("r2")] == store.unseen([report("r1"), report("r2")])
    assert 1 == len(history.evidence_timeline(store.engine, CLAIM.id))
    assert ["hook", "mail"] == sorted(item.channel for item in store.outbox())


@pytest.mark.parametrize("batch_reports", [1, 2, 1000])
def test_batch_size_changes_no_decision(store: Store, batch_reports: int) -> None:
    """Later stories see the states earlier ones set, in a batch as across batches: the chain
    confirm -> contradict -> confirm decides and alerts the same whatever the batching."""
    stories = [
        story("r1", Verdict.CONFIRM),
        story("r2", Verdict.CONTRADICT, hours=1),
        story("r3", Verdict.CONFIRM, hours=2),
    ]
    decisions = store.record_stories(
        stories, {FEED.id: FEED}, CLAIMS, CHANNELS, batch_reports=batch_reports
    )
    moves = [(a.previous_state, a.new_state) for d in decisions for a in d.alerts]
    assert [
        (ClaimState.UNKNOWN, ClaimState.CONFIRMED),
        (ClaimState.CONFIRMED, ClaimState.CONTRADICTED),
        (ClaimState.CONTRADICTED, ClaimState.CONFIRMED),
    ] == moves
    assert 6 == len(store.outbox())
    assert [] == store.unseen([report("r1"), report("r2"), report("r3")])


def test_edited_report_is_updated_in_a_batch_and_keeps_first_seen(store: Store) -> None:
    """The bulk upsert updates a known report's text and hash; when it was first seen stays."""
    store.record_stories([story("r1", Verdict.NEUTRAL)], {FEED.id: FEED}, CLAIMS, CHANNELS)
    first_seen = _first_seen(store)
    edited = replace(report("r1"), summary="Edited.", content_hash="h2")
    item = [DecidedReport(edited, (assessment(Verdict.NEUTRAL),))]
    store.record_stories([item], {FEED.id: FEED}, CLAIMS, CHANNELS)
    (after,) = store.stored_reports()
    assert ("Edited.", "h2") == (after.summary, after.content_hash)
    assert [] == store.unseen([edited])
    assert first_seen == _first_seen(store)


def _first_seen(store: Store) -> list[datetime]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(schema.reports.c.first_seen)).scalars())


def test_facts_kept_in_step_equal_a_fresh_read_after_every_story(store: Store) -> None:
    """record_batch reads a claim's facts once and then keeps them in step with what it writes:
    after each story of a chain (state moves, copies from other feeds inside the duplicate
    window, a weak and an older report, a neutral one, two channels) every fact held equals what
    the database now says."""
    feeds, chain = _chain()
    policy, now = DEFAULT_POLICY, datetime.now(UTC)
    since = now - policy.duplicate_window
    with store._tx() as conn:
        known = record.FactsInStep(conn, CHANNELS, since)
        alerts = 0
        for s in chain:
            record.upsert_reports(conn, [item.report for item in s], now)
            decision = record.decide_story(
                conn, s, feeds, CLAIMS, CHANNELS, policy, now, known=known
            )
            alerts += len(decision.alerts)
            held = known.facts(_fresh_of(s))
            assert held == record.read_facts(
                conn, _fresh_of(s), CHANNELS, policy.duplicate_window, now
            )
    assert alerts >= 3 and len(held[CLAIM.id].recent) == 7  # the chain moved the claim and alerted


def _chain() -> tuple[dict[str, Feed], list[list[DecidedReport]]]:
    """State moves, copies from other feeds inside the duplicate window, a weak and an older
    report, a neutral one."""
    other = Feed(id="agency", url="http://127.0.0.1/agency", name="Agency")
    copy = replace(report("c1", hours=1), feed_id=other.id)
    weak = replace(assessment(Verdict.CONFIRM), score=0.4)
    chain = [
        story("r1", Verdict.CONFIRM),
        [DecidedReport(copy, (assessment(Verdict.CONFIRM),))],
        story("r2", Verdict.CONTRADICT, hours=2),
        story("r3", Verdict.NEUTRAL, hours=3),
        story("r4", Verdict.CONFIRM, hours=-5),  # older than the state: no move
        [DecidedReport(report("r5", hours=4), (weak,))],
        story("r6", Verdict.CONFIRM, hours=6),
    ]
    return {FEED.id: FEED, other.id: other}, chain


def _outcome(decisions: list[record.Decision]) -> list[tuple]:
    """What a chain decided, without the evidence ids (PostgreSQL does not reuse them)."""
    return [
        (d.evidence_count,
         [(a.claim_id, a.previous_state, a.new_state, a.report_title) for a in d.alerts],
         [(s.alert.report_title, s.reason) for s in d.suppressed])
        for d in decisions
    ]  # fmt: skip


def test_a_batch_decides_as_story_by_story(store: Store) -> None:
    """record_batch reads the claims' facts up front and stores the batch's evidence before the
    first story is decided; it decides the chain as storing and reading story by story does,
    and so does a lazy read while evidence of later stories is already stored (left out)."""
    feeds, chain = _chain()
    policy, now = DEFAULT_POLICY, datetime.now(UTC)
    since = now - policy.duplicate_window
    reports = [item.report for s in chain for item in s]
    with store._tx(rollback=True) as conn:
        batch = record.record_batch(conn, chain, feeds, CLAIMS, CHANNELS, policy, now)
    with store._tx(rollback=True) as conn:
        record.upsert_reports(conn, reports, now)
        known = record.FactsInStep(conn, CHANNELS, since)
        one_by_one = [
            record.decide_story(conn, s, feeds, CLAIMS, CHANNELS, policy, now, known=known)
            for s in chain
        ]
    with store._tx(rollback=True) as conn:
        record.upsert_reports(conn, reports, now)
        known = record.FactsInStep(conn, CHANNELS, since)  # nothing preloaded: reads lazily
        ahead = record.insert_evidence_many(conn, [item for s in chain for item in s], now)
        known.ahead(ahead.ids())
        lazy = []
        for done, s in enumerate(chain, 1):
            lazy.append(record.decide_story(conn, s, feeds, CLAIMS, CHANNELS, policy, now,
                                            known=known, ahead=ahead))  # fmt: skip
            held = known.facts(_fresh_of(chain[0]))[CLAIM.id]
            assert done == len(held.recent)  # the rows of stories still to decide left out
    assert _outcome(one_by_one) == _outcome(batch) == _outcome(lazy)
    assert sum(len(alerts) for _, alerts, _ in _outcome(batch)) >= 3  # the chain moved the claim


def test_evidence_stored_ahead_is_fresh_once_and_in_story_order(store: Store) -> None:
    """The batch's evidence goes in one statement: a version stored by an earlier run is not
    fresh, one carried twice in the batch is fresh for its first story only, and the rows get
    their ids in story order."""
    feeds = {FEED.id: FEED}
    store.record_stories([story("r0", Verdict.CONFIRM)], feeds, CLAIMS, CHANNELS)
    stories = [
        story("r0", Verdict.CONFIRM),
        story("r1", Verdict.CONTRADICT, hours=1),
        story("r1", Verdict.CONTRADICT, hours=1),
        story("r2", Verdict.NEUTRAL, hours=2),
    ]
    decisions = store.record_stories(stories, feeds, CLAIMS, CHANNELS)
    assert [0, 1, 0, 1] == [d.evidence_count for d in decisions]
    assert [1, 0] == [len(d.alerts) for d in decisions[1:3]]  # the contradiction alerts once
    timeline = history.evidence_timeline(store.engine, CLAIM.id)
    assert ["r0", "r1", "r2"] == [row.report_id for row in timeline]


def _fresh_of(s: list) -> list:
    return [NewEvidence(item.report, a, 0) for item in s for a in item.related]
