"""The email channel against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from alerts.channel import build_channel
from alerts.email import EmailChannel, EmailSettings
from alerts.render import alert as render
from monitors.errors import DeliveryError, TransientDeliveryError
from monitors.models import Alert
from tests.fixtures.smtp_server import SMTP_PASSWORD, SMTP_USER, SmtpServer

GOLDEN = Path(__file__).parent / "golden"


def load_alert(case: str) -> Alert:
    return Alert.from_dict(json.loads((GOLDEN / case / "alert.json").read_text(encoding="utf-8")))


def channel_for(server: SmtpServer, **overrides: Any) -> EmailChannel:
    settings = {
        "host": server.host,
        "port": server.port,
        "security": "none",
        "from_addr": "claimwatch <alerts@example.org>",
        "to": ["ops@example.org", "oncall@example.org"],
        "timeout": 5,
        **overrides,
    }
    channel = build_channel("ops-email", "email", settings)
    assert isinstance(channel, EmailChannel)
    return channel


def test_delivers_multipart_message(smtp_server: SmtpServer) -> None:
    """One message reaches the server with the right subject, From, To and both parts."""
    alert = load_alert("kursk-contradicted")
    channel_for(smtp_server).send(alert)
    [mail] = smtp_server.messages
    message = mail.message
    expected_subject = (
        "[claimwatch] CONTRADICTED: Russia has regained full control of the Kursk region"
    )
    assert expected_subject == message["Subject"]
    assert "claimwatch <alerts@example.org>" == message["From"]
    assert "ops@example.org, oncall@example.org" == message["To"]
    assert ("alerts@example.org", ["ops@example.org", "oncall@example.org"]) == (
        mail.mail_from,
        mail.rcpt_tos,
    )
    text, html = (message.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
    assert text is not None and html is not None
    assert render.email_text(alert) == text.get_content().replace("\r\n", "\n")
    assert render.email_html(alert) == html.get_content().replace("\r\n", "\n")
    assert message["Date"] is not None


def test_hostile_content_cannot_add_headers_over_smtp(smtp_server: SmtpServer) -> None:
    """CR/LF in the claim and title do not add Bcc/X-Injected headers or recipients."""
    channel_for(smtp_server).send(load_alert("hostile-feed"))
    [mail] = smtp_server.messages
    assert [None, None] == [mail.message["Bcc"], mail.message["X-Injected"]]
    assert ["ops@example.org", "oncall@example.org"] == mail.rcpt_tos
    assert b"\r\nBcc:" not in mail.raw


def test_logs_in_when_username_given(smtp_auth_server: SmtpServer) -> None:
    """With username/password the channel authenticates, then delivers."""
    channel = channel_for(smtp_auth_server, username=SMTP_USER, password=SMTP_PASSWORD)
    channel.send(load_alert("kursk-contradicted"))
    assert ([SMTP_USER], 1) == (smtp_auth_server.logins, len(smtp_auth_server.messages))


def test_wrong_password_is_permanent_and_not_echoed(smtp_auth_server: SmtpServer) -> None:
    """A refused login is a permanent DeliveryError naming the user but never the password."""
    channel = channel_for(smtp_auth_server, username=SMTP_USER, password="wrong-password-123")
    with pytest.raises(DeliveryError) as caught:
        channel.send(load_alert("kursk-contradicted"))
    assert not isinstance(caught.value, TransientDeliveryError)
    message = str(caught.value)
    assert message.startswith(f"email ops-email: login as '{SMTP_USER}' refused by ")
    assert "wrong-password-123" not in message


def test_smtp_down_is_transient_then_delivers(stopped_smtp_server: SmtpServer) -> None:
    """Nothing listening: TransientDeliveryError; the same channel delivers once it is up."""
    channel = channel_for(stopped_smtp_server)
    alert = load_alert("kursk-contradicted")
    with pytest.raises(TransientDeliveryError) as caught:
        channel.send(alert)
    assert f"cannot connect to 127.0.0.1:{stopped_smtp_server.port}" in str(caught.value)
    stopped_smtp_server.start()
    channel.send(alert)
    assert 1 == len(stopped_smtp_server.messages)


@pytest.mark.parametrize(
    ("to", "error", "fragment"),
    [
        (["busy@example.org"], TransientDeliveryError, "busy@example.org (451 4.3.0"),
        (["nobody@example.org"], DeliveryError, "nobody@example.org (550 5.1.1"),
        (["ops@example.org", "nobody@example.org"], DeliveryError, "delivered, but recipients"),
    ],
    ids=["all-4xx-transient", "5xx-permanent", "partial-permanent"],
)
def test_refused_recipients(
    smtp_server: SmtpServer, to: list[str], error: type[DeliveryError], fragment: str
) -> None:
    """4xx refusals are retried; 5xx and partial deliveries are permanent (no duplicates)."""
    with pytest.raises(DeliveryError) as caught:
        channel_for(smtp_server, to=to).send(load_alert("kursk-contradicted"))
    assert error is type(caught.value)
    assert fragment in str(caught.value)


def test_starttls_with_trusted_ca_file(smtp_tls_server: SmtpServer) -> None:
    """STARTTLS (the default) verifies the server against ca_file, then delivers."""
    channel = channel_for(smtp_tls_server, security="starttls", ca_file=smtp_tls_server.ca_file)
    channel.send(load_alert("kursk-contradicted"))
    assert 1 == len(smtp_tls_server.messages)


def test_starttls_untrusted_cert_is_permanent(smtp_tls_server: SmtpServer) -> None:
    """A self-signed cert the system does not trust fails verification: permanent error."""
    with pytest.raises(DeliveryError) as caught:
        channel_for(smtp_tls_server, security="starttls").send(load_alert("kursk-contradicted"))
    assert not isinstance(caught.value, TransientDeliveryError)
    assert "not trusted" in str(caught.value)
    assert [] == smtp_tls_server.messages


def test_starttls_unsupported_is_permanent(smtp_server: SmtpServer) -> None:
    """A server without STARTTLS is not silently used in clear text."""
    with pytest.raises(DeliveryError) as caught:
        channel_for(smtp_server, security="starttls").send(load_alert("kursk-contradicted"))
    assert not isinstance(caught.value, TransientDeliveryError)
    assert "STARTTLS" in str(caught.value)
    assert [] == smtp_server.messages


BASE = {"host": "smtp.example.org", "from_addr": "a@example.org", "to": ["b@example.org"]}


def test_settings_defaults() -> None:
    """Defaults: STARTTLS on 587, 30 s timeout, TLS verified, no login; 465 for implicit TLS."""
    settings = EmailSettings.model_validate(BASE)
    assert ("starttls", 587, 30.0, True, None) == (
        settings.security,
        settings.port,
        settings.timeout,
        settings.verify_tls,
        settings.username,
    )
    assert 465 == EmailSettings.model_validate({**BASE, "security": "tls"}).port


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"username": "u"}, "username and password must be given together"),
        ({"username": "u", "password": "p", "security": "none"}, "clear text"),
        ({"to": ["b@example.org\r\nBcc: x@evil.org"]}, "must be an email address"),
        ({"from_addr": "not-an-address"}, "must be an email address"),
        ({"to": []}, "at least 1 item"),
        ({"security": "ssl"}, "'starttls', 'tls' or 'none'"),
        ({"smtp_host": "x"}, "Extra inputs are not permitted"),
        ({"report_url": "ftp://desk.example/r.html#claim-{claim_id}"}, "must be an http or https"),
        ({"report_url": "javascript:alert(1)//{claim_id}"}, "must be an http or https"),
        ({"report_url": "https://desk.example/{feed_id}"}, "only the placeholder {claim_id}"),
        ({"report_url": "https://desk.example/#claim-{claim_id"}, "only the placeholder"),
    ],
    ids=["user-without-password", "clear-login", "crlf-address", "bad-from", "no-to",
         "bad-security", "typo-field", "ftp-report-url", "javascript-report-url",
         "other-placeholder", "open-brace"],
)  # fmt: skip
def test_settings_rejected(overrides: dict[str, Any], fragment: str) -> None:
    """Invalid settings fail validation with a message saying what to fix."""
    with pytest.raises(ValidationError) as caught:
        EmailSettings.model_validate({**BASE, **overrides})
    assert fragment in str(caught.value)


REPORT_URL = "https://desk.example/report.html#claim-{claim_id}"
HISTORY = "https://desk.example/report.html#claim-kursk-control"


def test_report_url_links_each_alert_to_its_claims_history(smtp_server: SmtpServer) -> None:
    """With report_url set, the delivered alert and digest link the claim's report section."""
    channel = channel_for(smtp_server, report_url=REPORT_URL)
    alert = load_alert("kursk-contradicted")
    channel.send(alert)
    channel.send_digest([alert, load_alert("minimal-confirmed")])
    for mail in smtp_server.messages:
        text, html = (mail.message.get_body(preferencelist=(k,)) for k in ("plain", "html"))
        assert text is not None and html is not None
        assert f"History:   {HISTORY}" in text.get_content()
        assert f'href="{HISTORY}"' in html.get_content()
    assert 2 == len(smtp_server.messages)


def test_without_report_url_there_is_no_history_link(smtp_server: SmtpServer) -> None:
    """The link is opt-in: an email channel without report_url shows none."""
    channel_for(smtp_server).send(load_alert("kursk-contradicted"))
    [mail] = smtp_server.messages
    parts = [mail.message.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
    bodies = [part.get_content() for part in parts if part is not None]
    assert [(False, False)] * 2 == [("History" in b, "#claim-" in b) for b in bodies]


def test_plain_login_allowed_on_loopback() -> None:
    """security: none with a login is accepted for localhost (dev relays)."""
    settings = {**BASE, "host": "localhost", "security": "none", "username": "u", "password": "p"}
    assert "localhost" == EmailSettings.model_validate(settings).host


def test_password_hidden_in_repr() -> None:
    """The password never shows in repr/str of the settings or the channel."""
    secret = "hunter2-very-secret"
    channel = build_channel("e", "email", {**BASE, "username": "u", "password": secret})
    assert [False, False] == [secret in repr(channel), secret in str(channel)]
