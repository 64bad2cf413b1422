"""Delivery faults against real loopback servers: permanent failures end at once with their reason,
transient ones stay pending and are delivered exactly once when the fault is gone."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from datetime import timedelta

import pytest

from alerts.budget import DeliveryBudget
from alerts.deliver import build_channels, deliver_pending
from monitors.config import ChannelSpec
from monitors.models import Verdict
from monitors.state.store import Store
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.webhook_receiver import WebhookReceiver
from tests.test_alert_policy import decided, record, report


def _email_spec(server: SmtpServer, to: str) -> ChannelSpec:
    settings = {
        "host": server.host,
        "port": server.port,
        "security": "none",
        "from_addr": "cw@example.test",
        "to": [to],
    }
    return ChannelSpec("mail", "email", settings)


def _webhook_spec(receiver: WebhookReceiver) -> ChannelSpec:
    return ChannelSpec(
        "hook", "webhook", {"url": receiver.url, "secret": "fault-secret-0123456789"}
    )


def _one_alert(store: Store, channel: str) -> None:
    record(store, [decided(report("wire", "1", "Russian forces recaptured Gornal"))], (channel,))


def test_webhook_410_is_failed_at_once_with_its_reason(
    state_store: Store, webhook_receiver: WebhookReceiver
) -> None:
    _one_alert(state_store, "hook")
    webhook_receiver.respond_with(410)
    channels = build_channels([_webhook_spec(webhook_receiver)])
    result = deliver_pending(state_store, channels)
    (item,) = state_store.outbox()
    assert ("failed", 1) == (item.status, item.attempts)
    assert "HTTP 410" in (item.last_error or "")
    assert (0, 0) == (result.sent, result.pending)
    deliver_pending(state_store, channels)  # a failed alert is not tried again
    assert 1 == len(webhook_receiver.requests)


def test_webhook_503_stays_pending_then_is_delivered_once(
    state_store: Store, webhook_receiver: WebhookReceiver
) -> None:
    _one_alert(state_store, "hook")
    webhook_receiver.respond_with(503)
    channels = build_channels([_webhook_spec(webhook_receiver)])
    first = deliver_pending(state_store, channels)
    assert (0, 1) == (first.sent, first.pending)
    second = deliver_pending(state_store, channels)
    assert (1, 0) == (second.sent, second.pending)
    (item,) = state_store.outbox()
    assert ("delivered", 2) == (item.status, item.attempts)
    keys = {r.headers["x-claimwatch-alert-key"] for r in webhook_receiver.requests}
    assert (2, 1) == (len(webhook_receiver.requests), len(keys))


@pytest.mark.parametrize(
    ("recipient", "status", "said", "pending"),
    [
        ("nobody", "failed", ("550", "to addresses"), 0),  # permanent: failed at once
        ("busy", "pending", ("451",), 1),  # transient: kept for the next run
    ],
)
def test_an_smtp_refusal_is_failed_or_kept_by_its_code(
    state_store: Store,
    smtp_server: SmtpServer,
    recipient: str,
    status: str,
    said: tuple[str, ...],
    pending: int,
) -> None:
    _one_alert(state_store, "mail")
    channels = build_channels([_email_spec(smtp_server, f"{recipient}@example.test")])
    result = deliver_pending(state_store, channels)
    (item,) = state_store.outbox()
    assert (status, 1) == (item.status, item.attempts)
    assert all(text in (item.last_error or "") for text in said)
    assert (0, pending, []) == (result.sent, result.pending, smtp_server.messages)


def _alerts(store: Store, channels: tuple[str, ...], count: int) -> None:
    """``count`` alerts: the claim's state flips with each report (confirmed, contradicted, ...),
    and every change of state alerts."""
    for i in range(count):
        verdict = Verdict.CONFIRM if i % 2 == 0 else Verdict.CONTRADICT
        title = f"Report {i} on Gornal"
        record(store, [decided(report("wire", str(i), title, hours=i), verdict)], channels)


def _keys(receiver: WebhookReceiver) -> list[str]:
    return [r.headers["x-claimwatch-alert-key"] for r in receiver.requests]


def test_a_live_deliverer_keeps_its_alerts_while_a_slow_channel_sends(
    state_store: Store, webhook_receiver: WebhookReceiver
) -> None:
    """Three alerts at 0.5 s each on a 0.6 s lease: a second deliverer that starts after the
    first lease would have lapsed finds nothing to take, and each alert arrives once."""
    _alerts(state_store, ("hook",), 3)
    webhook_receiver.delay_s = 0.5
    lease = timedelta(seconds=0.6)
    first: list[int] = []
    channels = build_channels([_webhook_spec(webhook_receiver)])
    worker = threading.Thread(
        target=lambda: first.append(deliver_pending(state_store, channels, lease=lease).sent)
    )
    worker.start()
    time.sleep(0.9)  # past the first lease of the alerts still waiting
    other = Store(state_store.url)
    try:
        second = deliver_pending(
            other, build_channels([_webhook_spec(webhook_receiver)]), lease=lease
        )
    finally:
        other.close()
    worker.join()
    assert (first, second.sent) == ([3], 0)
    keys = _keys(webhook_receiver)
    assert len(keys) == 3 == len(set(keys))
    assert {i.status for i in state_store.outbox()} == {"delivered"}


def _deliver_slowly(url: str, hook_url: str, lease_s: float) -> None:
    store = Store(url)
    spec = ChannelSpec("hook", "webhook", {"url": hook_url, "secret": "fault-secret-0123456789"})
    deliver_pending(store, build_channels([spec]), lease=timedelta(seconds=lease_s))


def test_a_killed_deliverers_alerts_are_taken_over_within_one_lease(
    state_store: Store, webhook_receiver: WebhookReceiver
) -> None:
    """SIGKILL while the first of three alerts is on the wire: within one lease the next
    deliverer sends all three. The one in flight may arrive twice (at least once: the receiver
    had it, we never heard back), with the same alert key; none is lost."""
    _alerts(state_store, ("hook",), 3)
    webhook_receiver.delay_s = 30.0  # the first request hangs until the deliverer is killed
    child = multiprocessing.get_context("spawn").Process(
        target=_deliver_slowly, args=(state_store.url, webhook_receiver.url, 1.0)
    )
    child.start()
    deadline = time.monotonic() + 30
    while not webhook_receiver.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert webhook_receiver.requests, "the deliverer never sent"
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join()
    webhook_receiver.delay_s = 0.0
    channels = build_channels([_webhook_spec(webhook_receiver)])
    assert deliver_pending(state_store, channels).sent == 0  # its leases are still live
    time.sleep(1.1)
    assert deliver_pending(state_store, channels).sent == 3
    keys = _keys(webhook_receiver)
    assert set(keys) == {i.alert.key for i in state_store.outbox()}
    assert len(keys) == 4 and keys.count(keys[0]) == 2  # the in-flight one, twice
    assert {i.status for i in state_store.outbox()} == {"delivered"}


def _slow_hook(receiver: WebhookReceiver, timeout: float) -> ChannelSpec:
    settings = {"url": receiver.url, "secret": "fault-secret-0123456789", "timeout": timeout}
    return ChannelSpec("hook", "webhook", settings)


def test_a_channel_that_times_out_twice_is_not_tried_again_in_the_delivery(
    state_store: Store, webhook_receiver: WebhookReceiver, smtp_server: SmtpServer
) -> None:
    """Five alerts on a webhook that never answers in time and on email: two webhook attempts,
    then its alerts wait for the next delivery (pending, lease given back), while every email
    goes out. Once the receiver is healthy, the next delivery sends the five; the two that timed
    out may arrive twice (the receiver had them), with the same key."""
    _alerts(state_store, ("hook", "mail"), 5)
    webhook_receiver.delay_s = 1.0
    specs = [_slow_hook(webhook_receiver, 0.3), _email_spec(smtp_server, "desk@example.test")]
    result = deliver_pending(state_store, build_channels(specs))
    assert (result.sent, result.deferred) == (5, {"hook": 3})
    assert len(webhook_receiver.requests) == 2 and len(smtp_server.messages) == 5
    assert any("timed out 2 times" in e for e in result.errors)
    webhook_receiver.delay_s = 0.0
    again = deliver_pending(state_store, build_channels(specs))  # at once: no lease to wait for
    assert (again.sent, again.deferred) == (5, {})
    keys = _keys(webhook_receiver)
    assert len(set(keys)) == 5 and len(keys) == 7  # the 2 timed-out ones, twice each
    assert {i.status for i in state_store.outbox()} == {"delivered"}


def test_a_slow_channel_stops_at_its_budget_and_the_rest_waits(
    state_store: Store, webhook_receiver: WebhookReceiver
) -> None:
    """A receiver taking 0.3 s an alert, a channel budget of 0.5 s: two are sent, three wait."""
    _alerts(state_store, ("hook",), 5)
    webhook_receiver.delay_s = 0.3
    channels = build_channels([_slow_hook(webhook_receiver, 5.0)])
    budget = DeliveryBudget(per_channel_seconds=0.5)
    result = deliver_pending(state_store, channels, budget=budget)
    assert (result.sent, result.deferred, result.pending) == (2, {"hook": 3}, 3)
    assert any("budget of 0.5s is used" in e for e in result.errors)
    assert [i.attempts for i in state_store.outbox(status="pending")] == [0, 0, 0]
    rest = deliver_pending(state_store, channels, budget=DeliveryBudget(per_channel_seconds=60))
    assert (rest.sent, rest.pending) == (3, 0)
    assert len(set(_keys(webhook_receiver))) == 5 == len(_keys(webhook_receiver))


def test_a_channels_retry_after_holds_its_alerts_for_every_deliverer(
    state_store: Store, webhook_receiver: WebhookReceiver, smtp_server: SmtpServer
) -> None:
    """429 with Retry-After: 1 on the first alert: the channel's other alerts are not tried in
    that delivery, nor by the next deliverer at once (the hold is in the outbox, not in the
    process); email beside it goes on; a second later all three are sent, once each."""
    _alerts(state_store, ("hook", "mail"), 3)
    webhook_receiver.respond_with(429)
    webhook_receiver.response_headers = {"Retry-After": "1"}
    specs = [_webhook_spec(webhook_receiver), _email_spec(smtp_server, "desk@example.test")]
    first = deliver_pending(state_store, build_channels(specs))
    assert (first.sent, first.deferred) == (3, {"hook": 2})
    assert any("asked to wait 1s (Retry-After)" in e for e in first.errors)
    assert len(webhook_receiver.requests) == 1 and len(smtp_server.messages) == 3
    other = Store(state_store.engine.url.render_as_string(hide_password=False))
    try:
        at_once = deliver_pending(other, build_channels(specs))
    finally:
        other.close()
    assert (at_once.sent, at_once.pending, len(webhook_receiver.requests)) == (0, 3, 1)
    time.sleep(1.2)
    later = deliver_pending(state_store, build_channels(specs))
    assert (later.sent, later.pending) == (3, 0)
    keys = _keys(webhook_receiver)
    assert len(keys) == 4 and len(set(keys)) == 3  # the refused one was asked twice


def test_smtp_dropping_after_data_is_at_least_once_with_one_message_id(
    state_store: Store, smtp_server: SmtpServer
) -> None:
    """The server keeps each of 3 messages and drops the connection before its 250: the sender
    cannot know, keeps them pending, and the next delivery sends them again. Each arrives twice
    with the same Message-ID (what a mail client or a receiver's dedupe recognises)."""
    _alerts(state_store, ("mail",), 3)
    smtp_server.faults.drop_after_data = 3
    channels = build_channels([_email_spec(smtp_server, "desk@example.test")])
    first = deliver_pending(state_store, channels)
    assert (first.sent, first.pending) == (0, 3)
    second = deliver_pending(state_store, channels)
    assert (second.sent, second.pending) == (3, 0)
    ids = [m.message["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 6 and len(set(ids)) == 3
    assert {i.status for i in state_store.outbox()} == {"delivered"}


def test_a_slow_smtp_server_is_stopped_by_its_budget_and_the_webhook_goes_on(
    state_store: Store, smtp_server: SmtpServer, webhook_receiver: WebhookReceiver
) -> None:
    """0.4 s a message against a 1 s channel budget: three emails go, the rest wait, pending
    with their lease given back; every webhook alert is sent meanwhile."""
    _alerts(state_store, ("mail", "hook"), 6)
    smtp_server.faults.data_delay_s = 0.4
    specs = [_email_spec(smtp_server, "desk@example.test"), _webhook_spec(webhook_receiver)]
    result = deliver_pending(state_store, build_channels(specs), budget=DeliveryBudget(1.0))
    sent_mail = len(smtp_server.messages)
    assert 2 <= sent_mail <= 4 and result.deferred == {"mail": 6 - sent_mail}
    assert len(webhook_receiver.requests) == 6
    assert [i.attempts for i in state_store.outbox(status="pending")] == [0] * (6 - sent_mail)
