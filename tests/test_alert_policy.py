"""Alert policy: transitions and strong evidence alert; duplicates, weak news and cooldowns wait."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts.deliver import build_channels, deliver_pending
from alerts.signing import verify_signature
from monitors.config import ChannelSpec, load_claims
from monitors.models import (
    Alert,
    Assessment,
    Claim,
    ClaimState,
    Evidence,
    Feed,
    Report,
    SentenceStance,
    Verdict,
)
from monitors.pipeline import group_stories
from monitors.policy import DEFAULT_POLICY, AlertPolicy, alert_reason, same_story
from monitors.state.record import DecidedReport
from monitors.state.store import Store
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.webhook_receiver import WebhookReceiver

CLAIM = Claim(id="gornal", statement="Russian forces recaptured Gornal", aliases=("Gornal",))
CLAIMS = {CLAIM.id: CLAIM}
FEEDS = {f: Feed(id=f, url=f"http://127.0.0.1/{f}", name=f.title()) for f in ("wire", "bbc", "ap")}
T0 = datetime(2025, 4, 26, 9, tzinfo=UTC)


@pytest.fixture
def store(state_store: Store) -> Store:
    return state_store


def report(feed: str, rid: str, title: str, hours: float = 0) -> Report:
    return Report(
        feed,
        rid,
        title,
        "",
        f"https://{feed}.example/{rid}",
        T0 + timedelta(hours=hours),
        content_hash=f"{feed}-{rid}-{title}",
    )


def decided(rep: Report, verdict: Verdict = Verdict.CONFIRM, score: float = 0.9) -> DecidedReport:
    span = Evidence(rep.title, SentenceStance.ASSERT, score, "Gornal", "Gornal", "recaptured")
    return DecidedReport(rep, (Assessment(CLAIM.id, verdict, score, 1.0, (span,)),))


def record(
    store: Store,
    items: list[DecidedReport],
    channels: tuple[str, ...] = ("mail",),
    policy: AlertPolicy = DEFAULT_POLICY,
    claims: dict[str, Claim] = CLAIMS,
):
    return store.record_story(items, FEEDS, claims, list(channels), policy=policy)


@pytest.mark.parametrize(
    ("previous", "new", "score", "expected"),
    [
        (ClaimState.UNKNOWN, ClaimState.CONFIRMED, 0.2, "state unknown -> confirmed"),
        (ClaimState.CONFIRMED, ClaimState.CONFIRMED, 0.9, "strong evidence (score 0.90 >= 0.85)"),
        (ClaimState.CONFIRMED, ClaimState.CONFIRMED, 0.5, None),
    ],
    ids=["transition-always", "strong-evidence", "weak-repeat"],
)
def test_alert_reason(
    previous: ClaimState, new: ClaimState, score: float, expected: str | None
) -> None:
    """A transition always alerts; without one, only strong evidence does."""
    assert expected == alert_reason(previous, new, score, DEFAULT_POLICY)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Russian forces recaptured Gornal", "Russian forces recaptured Gornal - Reuters", True),
        ("Russian forces recaptured Gornal", "RUSSIAN FORCES RECAPTURED GORNAL | BBC News", True),
        ("Russian forces recaptured Gornal", "Russian forces recaptured Горнал", True),
        ("Russian forces recaptured Gornal", "Russian forces recaptured Sudzha", False),
        ("Russian forces recaptured Gornal", "Ukraine denies Gornal was recaptured", False),
    ],
    ids=["outlet-suffix", "case-and-pipe-suffix", "cyrillic-spelling", "other-village", "denial"],
)
def test_same_story(a: str, b: str, expected: bool) -> None:
    """Syndicated copies match; a different place or a different statement does not."""
    assert expected == same_story(a, b)


def test_syndicated_copies_in_one_run_make_one_alert_listing_every_source(store: Store) -> None:
    """Three outlets carrying one wire story become one alert with three sources."""
    items = [
        decided(report("wire", "1", "Russian forces recaptured Gornal")),
        decided(report("bbc", "7", "Russian forces recaptured Gornal - BBC News", 0.5)),
        decided(report("ap", "3", "Russian forces recaptured Gornal | AP", 1)),
        decided(report("ap", "4", "Kursk governor visits hospital", 1)),
    ]
    stories = group_stories(items, DEFAULT_POLICY)
    assert [3, 1] == [len(s) for s in stories]
    decision = record(store, stories[0])
    (alert,) = decision.alerts
    assert (3, ["wire", "bbc", "ap"]) == (alert.source_count, [s.feed_id for s in alert.sources])
    assert 3 == decision.evidence_count
    assert 1 == len(store.outbox())


def test_report_about_no_claim_is_a_story_of_its_own() -> None:
    """Only reports with evidence are grouped: a copy about no claim neither anchors a story
    nor keeps its outlet's related copy out of one; the stories keep the reports' order."""
    unrelated = DecidedReport(
        report("bbc", "6", "Russian forces recaptured Gornal - BBC"),
        (Assessment(CLAIM.id, Verdict.UNRELATED, 1.0),),
    )
    items = [
        decided(report("wire", "1", "Russian forces recaptured Gornal")),
        unrelated,
        decided(report("bbc", "7", "Russian forces recaptured Gornal - BBC News", 0.5)),
    ]
    stories = group_stories(items, DEFAULT_POLICY)
    assert [["wire/1", "bbc/7"], ["bbc/6"]] == [
        [f"{i.report.feed_id}/{i.report.report_id}" for i in s] for s in stories
    ]


def test_copy_in_a_later_run_is_held_back_as_duplicate(store: Store) -> None:
    """A copy arriving after the first alert is recorded but suppressed with the reason."""
    record(store, [decided(report("wire", "1", "Russian forces recaptured Gornal"))])
    later = record(
        store, [decided(report("bbc", "7", "Russian forces recaptured Gornal - BBC", 3))]
    )
    assert () == later.alerts
    assert "duplicate of 'Russian forces recaptured Gornal'" in later.suppressed[0].reason
    assert ["pending", "suppressed"] == [i.status for i in store.outbox()]
    assert "already alerted" in (store.outbox()[1].last_error or "")


def test_another_outlets_account_of_the_event_in_a_later_run_is_held_back(store: Store) -> None:
    """Three outlets, three titles, one event: the stored summaries (read back from the store)
    make the later two copies of the first alert; a different event still alerts."""
    lead = "Paratroopers of the 106th division entered the village after assaults from Sudzha."
    accounts = [("nyt", "1", "Moscow says Gornal is back under its control"),
                ("bbc", "7", "Gornal falls to Russian paratroopers"),
                ("aje", "3", "Kremlin: troops retake border village of Gornal")]  # fmt: skip
    results = [
        record(store, [decided(replace(report(feed, rid, title, n), summary=lead))])
        for n, (feed, rid, title) in enumerate(accounts)
    ]
    assert [1, 0, 0] == [len(r.alerts) for r in results]
    first = "duplicate of 'Moscow says Gornal is back under its control'"
    assert all(first in r.suppressed[0].reason for r in results[1:])
    push = "A second push took Oleshnya, north of the village, on Monday."
    other = replace(report("ap", "9", "Russian forces recaptured Gornal", 4), summary=push)
    assert 1 == len(record(store, [decided(other)]).alerts)


def test_weak_repeat_is_held_back_strong_new_report_alerts(store: Store) -> None:
    """Without a state change, weak evidence waits and strong, different evidence alerts."""
    record(store, [decided(report("wire", "1", "Russian forces recaptured Gornal"))])
    weak = record(
        store,
        [decided(report("bbc", "2", "Gornal: more details emerge", 1), Verdict.CONFIRM, 0.78)],
    )
    assert "weak evidence" in weak.suppressed[0].reason
    strong = record(store, [decided(report("ap", "3", "Video shows Russian flag over Gornal", 2))])
    assert 1 == len(strong.alerts)


def test_cooldown_per_claim_and_per_channel(store: Store) -> None:
    """Inside a cooldown a non-transition alert waits; a channel without one still gets it."""
    policy = AlertPolicy(channel_cooldowns={"mail": timedelta(hours=1)})
    channels = ("mail", "hook")
    record(
        store, [decided(report("wire", "1", "Russian forces recaptured Gornal"))], channels, policy
    )
    record(
        store,
        [decided(report("ap", "3", "Video shows Russian flag over Gornal", 1))],
        channels,
        policy,
    )
    statuses = {(i.channel, i.alert.report_title): i.status for i in store.outbox()}
    assert "suppressed" == statuses[("mail", "Video shows Russian flag over Gornal")]
    assert "pending" == statuses[("hook", "Video shows Russian flag over Gornal")]

    claims = {CLAIM.id: Claim(CLAIM.id, CLAIM.statement, CLAIM.aliases, cooldown_s=3600)}
    record(store, [decided(report("ap", "4", "Gornal mayor returns", 2))], channels, claims=claims)
    assert {"suppressed"} == {
        i.status for i in store.outbox() if i.alert.report_title == "Gornal mayor returns"
    }

    turn = record(
        store,
        [decided(report("bbc", "5", "Ukraine retakes Gornal", 3), Verdict.CONTRADICT)],
        channels,
        policy,
        claims,
    )
    assert ["state confirmed -> contradicted"] == [
        alert_reason(a.previous_state, a.new_state, a.score, policy) for a in turn.alerts
    ]


def test_digest_sends_one_email_for_all_pending_alerts(
    store: Store, smtp_server: SmtpServer
) -> None:
    """A digest channel gets one message per run; with a period, not again before it ends."""
    spec = ChannelSpec(
        "desk",
        "email",
        {
            "host": smtp_server.host,
            "port": smtp_server.port,
            "security": "none",
            "from_addr": "cw@example.test",
            "to": ["desk@example.test"],
        },
        digest_s=3600,
    )
    record(store, [decided(report("wire", "1", "Russian forces recaptured Gornal"))], ("desk",))
    record(
        store,
        [decided(report("bbc", "5", "Ukraine retakes Gornal", 1), Verdict.CONTRADICT)],
        ("desk",),
    )
    channels = build_channels([spec])
    first = deliver_pending(store, channels, digests={"desk": 3600})
    assert (2, 1) == (first.sent, first.digests)
    (mail,) = smtp_server.messages
    assert "[claimwatch] digest: 2 alerts (1 CONFIRMED, 1 CONTRADICTED)" == mail.message["Subject"]
    body = mail.message.get_body(("plain",)).get_content()
    assert "Ukraine retakes Gornal" in body and "Russian forces recaptured Gornal" in body

    record(store, [decided(report("ap", "9", "Russia retakes Gornal again", 2))], ("desk",))
    second = deliver_pending(store, channels, digests={"desk": 3600})
    assert (0, 1) == (second.sent, second.pending)
    assert 1 == len(smtp_server.messages)


def test_the_summary_counts_messages_per_channel(
    store: Store, webhook_receiver: WebhookReceiver
) -> None:
    """Three alerts on a per-alert channel and a digest channel: six deliveries, but four
    messages, which is what the run summary says (not "3 queued, 6 sent")."""
    per_alert = ChannelSpec("hook", "webhook", {"url": webhook_receiver.url, "secret": "s" * 24})
    digest = ChannelSpec(
        "digest", "webhook", {"url": webhook_receiver.url, "secret": "d" * 24}, digest_s=0
    )
    for n, title in enumerate(("Gornal retaken", "Ukraine retakes Gornal", "Gornal lost again")):
        verdict = Verdict.CONTRADICT if n == 1 else Verdict.CONFIRM
        record(store, [decided(report("wire", str(n), title, n), verdict)], ("hook", "digest"))
    channels = build_channels([per_alert, digest])
    result = deliver_pending(store, channels, digests={"digest": 0})
    assert (6, {"hook": 3, "digest": 1}) == (result.sent, result.messages)
    assert "messages sent: hook 3, digest 1 (3 alerts)" == result.messages_line()
    assert 4 == len(webhook_receiver.requests)


def test_webhook_digest_is_one_signed_request(
    store: Store, webhook_receiver: WebhookReceiver
) -> None:
    """A webhook in digest mode posts one signed claimwatch.digest payload per run."""
    secret = "digest-secret-0123456789"
    spec = ChannelSpec(
        "hook", "webhook", {"url": webhook_receiver.url, "secret": secret}, digest_s=0
    )
    record(store, [decided(report("wire", "1", "Russian forces recaptured Gornal"))], ("hook",))
    record(
        store,
        [decided(report("bbc", "5", "Ukraine retakes Gornal", 1), Verdict.CONTRADICT)],
        ("hook",),
    )
    result = deliver_pending(store, build_channels([spec]), digests={"hook": 0})
    assert (2, 1) == (result.sent, result.digests)
    (request,) = webhook_receiver.requests
    assert verify_signature(secret, request.headers["x-claimwatch-signature"], request.body)
    payload = json.loads(request.body)
    assert ("claimwatch.digest", ["confirm", "contradict"]) == (
        payload["type"],
        [a["verdict"] for a in payload["alerts"]],
    )


# --- the claim's alert threshold, through the store ----------------------------------------------


def test_an_unsure_verdict_is_kept_as_evidence_and_the_sure_one_after_it_alerts(
    store: Store,
) -> None:
    """Below the alert threshold (default 0.75): evidence stored, outbox row suppressed with the
    reason, claim still unknown; the confident report that follows is the transition."""
    unsure = record(
        store, [decided(report("wire", "1", "Gornal recaptured, sources say"), score=0.55)]
    )
    status = store.claim_statuses([CLAIM])[0]
    reason = "score 0.55 below the claim's alert threshold 0.75"
    assert ((), [reason], ClaimState.UNKNOWN, 1) == (
        unsure.alerts,
        [s.reason for s in unsure.suppressed],
        status.state,
        status.confirming,
    )
    assert [("suppressed", reason)] == [(i.status, i.last_error) for i in store.outbox()]
    sure = record(store, [decided(report("ap", "2", "Video shows Russian flag over Gornal", 1))])
    assert [(ClaimState.UNKNOWN, ClaimState.CONFIRMED)] == [
        (a.previous_state, a.new_state) for a in sure.alerts
    ]
    assert ClaimState.CONFIRMED == store.claim_statuses([CLAIM])[0].state


def test_alert_threshold_from_claims_yaml_holds_back_a_verdict_below_it(
    store: Store, tmp_path: Path
) -> None:
    """A claim's own alert_threshold in claims.yaml is the one the policy applies."""
    path = tmp_path / "claims.yaml"
    path.write_text(
        "claims:\n  - id: gornal\n    statement: Russian forces recaptured Gornal\n"
        "    aliases: [Gornal]\n    alert_threshold: 0.9\n",
        encoding="utf-8",
    )
    (claim,) = load_claims(path)
    items = [decided(report("wire", "1", "Russian forces recaptured Gornal"), score=0.85)]
    result = record(store, items, claims={claim.id: claim})
    assert ["score 0.85 below the claim's alert threshold 0.90"] == [
        s.reason for s in result.suppressed
    ]


def test_an_alert_names_the_report_that_made_the_previous_state(store: Store) -> None:
    """A later run's contradiction names the earlier run's confirming report (read from the
    claim's state row and its evidence), with the feed's display name; the outbox keeps it."""
    (first,) = record(
        store, [decided(report("wire", "1", "Russian forces recaptured Gornal"))]
    ).alerts
    later = decided(report("bbc", "2", "Ukraine still holds Gornal", 2), Verdict.CONTRADICT)
    (second,) = record(store, [later]).alerts
    assert None is first.previous_report
    previous = second.previous_report
    assert previous is not None
    assert ("Wire", "Russian forces recaptured Gornal", "https://wire.example/1", T0) == (
        previous.feed_name, previous.title, previous.link, previous.published
    )  # fmt: skip
    queued = [item.alert for item in store.outbox() if item.alert.key == second.key]
    assert [previous] == [alert.previous_report for alert in queued]


def test_an_outbox_row_written_before_previous_report_existed_still_loads() -> None:
    """Old payloads have no ``previous_report`` key: they load with None."""
    alert = Alert(
        "k", CLAIM.id, CLAIM.statement, Verdict.CONFIRM, ClaimState.UNKNOWN, ClaimState.CONFIRMED,
        0.9, "t", None, "wire", "Wire", None, (), T0,
    )  # fmt: skip
    data = alert.to_dict()
    assert "previous_report" not in data
    assert alert == Alert.from_dict(json.loads(json.dumps(data)))
