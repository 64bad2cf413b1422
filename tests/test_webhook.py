"""The webhook channel against a real HTTP receiver, and the signature helpers."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from alerts.channel import build_channel
from alerts.render import alert as render
from alerts.signing import sign, verify_signature
from alerts.transport import USER_AGENT
from alerts.webhook import WebhookChannel, WebhookSettings
from monitors.errors import DeliveryError, TransientDeliveryError
from monitors.feedstate import Notice, PollState, health_alert
from monitors.models import Alert, Correction, Verdict
from tests.fixtures.smtp_server import free_port
from tests.fixtures.webhook_receiver import ReceivedRequest, WebhookReceiver

GOLDEN = Path(__file__).parent / "golden"
DOC = Path(__file__).parent.parent / "docs" / "webhook.md"
README = Path(__file__).parent.parent / "README.md"
SECRET = "s3cret-for-tests-0123456789"
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def load_alert(case: str) -> Alert:
    return Alert.from_dict(json.loads((GOLDEN / case / "alert.json").read_text(encoding="utf-8")))


def channel_for(url: str, **overrides: Any) -> WebhookChannel:
    settings = {"url": url, "secret": SECRET, "timeout": 2, **overrides}
    channel = build_channel("ops-hook", "webhook", settings)
    assert isinstance(channel, WebhookChannel)
    return channel


def deliver(receiver: WebhookReceiver, case: str = "kursk-contradicted") -> ReceivedRequest:
    channel_for(receiver.url).send(load_alert(case))
    [request] = receiver.requests
    return request


def test_posts_documented_payload(webhook_receiver: WebhookReceiver) -> None:
    """One signed POST whose JSON body is the versioned payload of the alert."""
    alert = load_alert("kursk-contradicted")
    request = deliver(webhook_receiver)
    assert ("POST", "/hook") == (request.method, request.path)
    assert render.webhook_payload(alert) == json.loads(request.body)
    assert ("application/json", USER_AGENT, alert.key) == (
        request.headers["content-type"],
        request.headers["user-agent"],
        request.headers["x-claimwatch-alert-key"],
    )


def test_payload_schema(webhook_receiver: WebhookReceiver) -> None:
    """The body has exactly the fields docs/webhook.md documents, with their types."""
    payload = json.loads(deliver(webhook_receiver).body)
    alert = payload["alert"]
    assert ("1", "claimwatch.alert") == (payload["version"], payload["type"])
    expected_keys = {
        "key", "headline", "claim", "verdict", "previous_state", "new_state", "previous_report",
        "score", "report", "feed", "evidence", "evidence_total", "sources", "source_count",
        "outlet_count", "created_at",
    }  # fmt: skip
    assert expected_keys == set(alert)
    assert {"feed_id", "feed_name", "title", "link", "published"} == set(alert["previous_report"])
    assert {"id", "statement"} == set(alert["claim"])
    assert {"title", "link", "published"} == set(alert["report"])
    assert {"id", "name"} == set(alert["feed"])
    evidence_keys = {"sentence", "stance", "score", "alias", "matched", "cue", "attribution", "why"}
    assert [evidence_keys] * 2 == [set(item) for item in alert["evidence"]]


def test_signature_verifies_with_the_secret(webhook_receiver: WebhookReceiver) -> None:
    """The receiver can verify the signature with the shared secret; the timestamps agree."""
    request = deliver(webhook_receiver)
    header = request.headers["x-claimwatch-signature"]
    assert verify_signature(SECRET, header, request.body)
    assert header.startswith(f"t={request.headers['x-claimwatch-timestamp']},v1=")


def test_signature_fails_with_wrong_secret(webhook_receiver: WebhookReceiver) -> None:
    """Another secret does not verify."""
    request = deliver(webhook_receiver)
    header = request.headers["x-claimwatch-signature"]
    assert False is verify_signature("another-secret-0123456789", header, request.body)


def test_signature_fails_with_altered_body(webhook_receiver: WebhookReceiver) -> None:
    """Changing one byte of the body breaks the signature."""
    request = deliver(webhook_receiver)
    header = request.headers["x-claimwatch-signature"]
    altered = request.body.replace(b'"contradict"', b'"confirm"')
    assert request.body != altered
    assert False is verify_signature(SECRET, header, altered)


def test_signature_fails_when_too_old(webhook_receiver: WebhookReceiver) -> None:
    """A replay after the tolerance window (or far in the future) is rejected."""
    request = deliver(webhook_receiver)
    header = request.headers["x-claimwatch-signature"]
    sent = int(request.headers["x-claimwatch-timestamp"])
    results = [
        verify_signature(SECRET, header, request.body, now=sent + 299),
        verify_signature(SECRET, header, request.body, now=sent + 301),
        verify_signature(SECRET, header, request.body, now=sent - 301),
    ]
    assert [True, False, False] == results


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "t=abc,v1=00",
        "v1=00",
        "t=1700000000",
        "t=1700000000,v1=ünïcode",
        "t=1700000000,t=1700000001,v1=00",
    ],
)
def test_malformed_signature_header_is_rejected(header: str) -> None:
    """Malformed headers never verify and never raise."""
    assert False is verify_signature(SECRET, header, b"{}", now=1700000000)


def test_any_v1_signature_may_match() -> None:
    """During secret rotation a header carrying two v1 values verifies with either secret."""
    old = sign("old-secret-0123456789", b"{}", 1700000000)
    new = sign(SECRET, b"{}", 1700000000)
    header = f"{old},v1={new.split('v1=')[1]}"
    assert [True, True] == [
        verify_signature(secret, header, b"{}", now=1700000000)
        for secret in ("old-secret-0123456789", SECRET)
    ]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, TransientDeliveryError),
        (503, TransientDeliveryError),
        (429, TransientDeliveryError),
        (404, DeliveryError),
        (401, DeliveryError),
        (301, DeliveryError),
    ],
)
def test_status_mapping(
    webhook_receiver: WebhookReceiver, status: int, error: type[DeliveryError]
) -> None:
    """5xx/429 are transient, other 4xx and redirects permanent; the message names the origin."""
    webhook_receiver.respond_with(status)
    with pytest.raises(DeliveryError) as caught:
        channel_for(webhook_receiver.url + "?token=abc").send(load_alert("kursk-contradicted"))
    assert error is type(caught.value)
    expected = f"webhook ops-hook: HTTP {status} from {webhook_receiver.url.removesuffix('/hook')}"
    assert str(caught.value).startswith(expected)
    assert "token=abc" not in str(caught.value)


def test_recovers_after_failures(webhook_receiver: WebhookReceiver) -> None:
    """After the receiver stops failing, the next send is delivered."""
    webhook_receiver.respond_with(500, times=1)
    channel = channel_for(webhook_receiver.url)
    alert = load_alert("kursk-contradicted")
    with pytest.raises(TransientDeliveryError):
        channel.send(alert)
    channel.send(alert)
    assert 2 == len(webhook_receiver.requests)


def test_timeout_is_transient(webhook_receiver: WebhookReceiver) -> None:
    """A receiver slower than the timeout gives TransientDeliveryError."""
    webhook_receiver.delay_s = 1.0
    started = time.monotonic()
    with pytest.raises(TransientDeliveryError) as caught:
        channel_for(webhook_receiver.url, timeout=0.2).send(load_alert("kursk-contradicted"))
    assert "within 0.2s" in str(caught.value)
    assert time.monotonic() - started < 0.9


def test_connection_refused_is_transient() -> None:
    """Nothing listening on the port: TransientDeliveryError."""
    url = f"http://127.0.0.1:{free_port()}/hook"
    with pytest.raises(TransientDeliveryError) as caught:
        channel_for(url).send(load_alert("kursk-contradicted"))
    assert str(caught.value).startswith("webhook ops-hook: cannot reach http://127.0.0.1:")


def test_extra_headers_are_sent(webhook_receiver: WebhookReceiver) -> None:
    """Configured extra headers go along with the signed request."""
    channel_for(webhook_receiver.url, headers={"X-Team": "ops"}).send(
        load_alert("minimal-confirmed")
    )
    assert "ops" == webhook_receiver.requests[0].headers["x-team"]


BASE = {"url": "https://hooks.example.org/claimwatch", "secret": SECRET}


def test_settings_defaults() -> None:
    """Defaults: 10 s timeout, TLS verified, no extra headers."""
    settings = WebhookSettings.model_validate(BASE)
    assert (10.0, True, {}) == (settings.timeout, settings.verify_tls, settings.headers)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"url": "ftp://example.org/x"}, "must be an http:// or https:// URL"),
        ({"url": "https:///nohost"}, "must be an http:// or https:// URL"),
        ({"secret": "short"}, "must be at least 16 characters"),
        ({"headers": {"X-Claimwatch-Signature": "x"}}, "cannot be overridden"),
        ({"headers": {"X-Ok": "a\r\nInjected: 1"}}, "must be one line"),
        ({"headers": {"Bad Name": "x"}}, "not a valid HTTP header name"),
        ({"timeout": 0}, "greater than 0"),
    ],
    ids=["scheme", "no-host", "short-secret", "reserved-header", "crlf-header", "bad-name",
         "zero-timeout"],
)  # fmt: skip
def test_settings_rejected(overrides: dict[str, Any], fragment: str) -> None:
    """Invalid settings fail validation with a message saying what to fix."""
    with pytest.raises(ValidationError) as caught:
        WebhookSettings.model_validate({**BASE, **overrides})
    assert fragment in str(caught.value)


def test_short_secret_not_echoed() -> None:
    """The validation error for a short secret does not contain the secret."""
    with pytest.raises(ValidationError) as caught:
        WebhookSettings.model_validate({**BASE, "secret": "tiny-secret"})
    messages = [str(caught.value)] + [error["msg"] for error in caught.value.errors()]
    assert [False, False] == ["tiny-secret" in message for message in messages]


def test_secret_hidden_in_repr() -> None:
    """The secret never shows in repr/str of the settings or the channel."""
    channel = channel_for("https://hooks.example.org/x")
    assert [False, False] == [SECRET in repr(channel), SECRET in str(channel)]


def _flatten(value: Any, prefix: str) -> set[str]:
    """Dotted field names of a payload, ``[]`` marking list items (as in the docs table)."""
    if isinstance(value, dict):
        return set().union(*(_flatten(v, f"{prefix}.{k}") for k, v in value.items())) | {prefix}
    if isinstance(value, list) and value:
        return _flatten(value[0], prefix + "[]") | {prefix}
    return {prefix}


def test_docs_table_lists_every_payload_field() -> None:
    """docs/webhook.md documents exactly the fields the payload has."""
    alert = load_alert("kursk-contradicted")
    corrected = replace(alert, correction=Correction(
        "ana", Verdict.NEUTRAL, Verdict.CONFIRM, "wire", "1", "Kursk retaken", alert.created_at,
        "one side only",
    ))  # fmt: skip
    actual = {name.removeprefix(".") for name in _flatten(render.webhook_payload(alert), "")}
    actual |= {name.removeprefix(".") for name in _flatten(render.webhook_payload(corrected), "")}
    actual -= {""}
    leaves = {name for name in actual if not any(o.startswith(name + ".") for o in actual)}
    # documented as a whole, parts below
    leaves |= {"alert.evidence", "alert.correction", "alert.previous_report"}
    claim_part = DOC.read_text().split("### Feed-health alerts")[0]
    assert leaves == documented_fields(claim_part)


def documented_fields(markdown: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_.\[\]]+)` +\|", markdown, re.MULTILINE))


def test_docs_table_lists_every_feed_health_payload_field() -> None:
    """docs/webhook.md's feed-health table documents exactly the fields that payload has."""
    before = PollState(consecutive_failures=2, failing_since=datetime(2026, 3, 1, tzinfo=UTC))
    alert = health_alert("wire", "Wire", Notice.FAILING, before, before, "http://x/f", "500", NOW)
    payload = render.webhook_payload(alert)
    actual = {name.removeprefix(".") for name in _flatten(payload, "")} - {""}
    leaves = {name for name in actual if not any(o.startswith(name + ".") for o in actual)}
    section = DOC.read_text().split("### Feed-health alerts")[1].split("\n### ")[0]
    assert {"version", "type"} | documented_fields(section) == leaves


def test_docs_snippet_verifies_a_real_delivery(webhook_receiver: WebhookReceiver) -> None:
    """The Python snippet in the README accepts our signature and rejects a wrong secret."""
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)
    verify = namespace["verify_claimwatch_request"]
    request = deliver(webhook_receiver)
    header = request.headers["x-claimwatch-signature"]
    assert [True, False] == [
        verify(SECRET, header, request.body),
        verify("another-secret-0123456789", header, request.body),
    ]


def test_docs_snippet_drops_a_repeated_delivery(webhook_receiver: WebhookReceiver) -> None:
    """The README's receiver keeps the first delivery of an alert and drops its retry (a
    webhook that answered after our timeout gets the same alert again, same key)."""
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)
    is_new = namespace["is_new_alert"]
    channel = channel_for(webhook_receiver.url)
    for case in ("kursk-contradicted", "kursk-contradicted", "minimal-confirmed"):
        channel.send(load_alert(case))
    seen: set[str] = set()
    headers = [
        {"X-Claimwatch-Alert-Key": r.headers["x-claimwatch-alert-key"]}
        for r in webhook_receiver.requests
    ]
    assert [True, False, True] == [is_new(seen, h) for h in headers]
