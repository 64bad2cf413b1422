"""Delivery faults against real loopback servers: permanent failures end at once with their reason,
transient ones stay pending and are delivered exactly once when the fault is gone."""

from __future__ import annotations

from alerts.deliver import build_channels, deliver_pending
from monitors.config import ChannelSpec
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


def test_smtp_550_recipient_refused_is_failed_at_once(
    state_store: Store, smtp_server: SmtpServer
) -> None:
    _one_alert(state_store, "mail")
    channels = build_channels([_email_spec(smtp_server, "nobody@example.test")])
    result = deliver_pending(state_store, channels)
    (item,) = state_store.outbox()
    assert ("failed", 1) == (item.status, item.attempts)
    assert "550" in (item.last_error or "") and "to addresses" in (item.last_error or "")
    assert (0, 0, []) == (result.sent, result.pending, smtp_server.messages)


def test_smtp_451_stays_pending_for_the_next_run(
    state_store: Store, smtp_server: SmtpServer
) -> None:
    _one_alert(state_store, "mail")
    channels = build_channels([_email_spec(smtp_server, "busy@example.test")])
    result = deliver_pending(state_store, channels)
    (item,) = state_store.outbox()
    assert ("pending", 1) == (item.status, item.attempts)
    assert "451" in (item.last_error or "")
    assert 1 == result.pending
