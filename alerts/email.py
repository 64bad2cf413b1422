"""The email channel: renders an alert to a multipart message and sends it over SMTP.

Failure policy (what the outbox retries): connection refused, timeouts, dropped connections and
SMTP 4xx replies are transient; a refused login, 5xx replies, TLS trust failures and servers that
lack a required extension are permanent, because they need the user to change something.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FilePath,
    SecretStr,
    field_validator,
    model_validator,
)

from alerts.render import alert as render
from alerts.render.digest import digest_message
from alerts.transport import is_loopback, tls_context
from monitors.errors import DeliveryError, DeliveryTimeoutError, TransientDeliveryError
from monitors.models import Alert
from monitors.untrusted import one_line, safe_link

PORT_FOR_SECURITY = {"starttls": 587, "tls": 465, "none": 587}


def _check_address(value: str) -> str:
    _, address = parseaddr(value)
    if "@" not in address or one_line(value) != value.strip():
        raise ValueError(f"must be an email address like alerts@example.org (got {value!r})")
    return value.strip()


def check_report_url(value: str) -> str:
    """An http(s) URL whose only placeholder is ``{claim_id}`` (the claim's anchor in the HTML
    report is ``#claim-{claim_id}``); anything else would reach recipients as a broken link."""
    rest = value.replace("{claim_id}", "")
    if "{" in rest or "}" in rest:
        raise ValueError(
            "report_url may contain only the placeholder {claim_id}, e.g. "
            "https://desk.example/report.html#claim-{claim_id}"
        )
    if safe_link(value.replace("{claim_id}", "x")) is None:
        raise ValueError(
            f"report_url must be an http or https URL like "
            f"https://desk.example/report.html#claim-{{claim_id}} (got {one_line(value)!r})"
        )
    return value


class EmailSettings(BaseModel):
    """``type: email`` in the channels section of the config."""

    # hide_input_in_errors: str(ValidationError) would otherwise print the secret it rejected.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    host: str = Field(min_length=1, pattern=r"^[^\s/]+$")
    port: int = Field(default=587, ge=1, le=65535)  # 465 when security is tls and port unset
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    from_addr: str
    to: list[str] = Field(min_length=1)
    timeout: float = Field(default=30.0, gt=0)
    verify_tls: bool = True
    ca_file: FilePath | None = None
    # The claim's section of the desk's HTML report (``claimwatch report --html``), linked from
    # every alert: "https://desk.example/report.html#claim-{claim_id}". None: no link.
    report_url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_port(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("port") is None and "security" in data:
            return {**data, "port": PORT_FOR_SECURITY.get(data["security"], 587)}
        return data

    @field_validator("from_addr")
    @classmethod
    def _from_is_address(cls, value: str) -> str:
        return _check_address(value)

    @field_validator("report_url")
    @classmethod
    def _report_url_is_a_link(cls, value: str | None) -> str | None:
        return None if value is None else check_report_url(value)

    @field_validator("to")
    @classmethod
    def _to_are_addresses(cls, value: list[str]) -> list[str]:
        return [_check_address(item) for item in value]

    @model_validator(mode="after")
    def _login_is_safe(self) -> EmailSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password must be given together (or neither)")
        if self.username and self.security == "none" and not is_loopback(self.host):
            raise ValueError(
                "security: none would send the password in clear text; "
                "use starttls or tls (plain login is only allowed to localhost)"
            )
        return self

    def build(self, name: str) -> EmailChannel:
        return EmailChannel(name=name, settings=self)


@dataclass(frozen=True)
class EmailChannel:
    """Sends one message per alert to every ``to`` address."""

    name: str
    settings: EmailSettings

    @property
    def label(self) -> str:
        return f"email {self.name}"

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def send(self, alert: Alert) -> None:
        settings = self.settings
        message = render.email_message(alert, settings.from_addr, settings.to, settings.report_url)
        self._send(message)

    def send_digest(self, alerts: Sequence[Alert]) -> None:
        """One message for many alerts (digest mode)."""
        settings = self.settings
        self._send(digest_message(alerts, settings.from_addr, settings.to, settings.report_url))

    def _send(self, message: EmailMessage) -> None:
        recipients = [parseaddr(address)[1] for address in self.settings.to]
        message["Date"] = format_datetime(datetime.now(UTC))
        try:
            refused = self._deliver(message, recipients)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._translate(exc) from exc
        if refused:
            # Some recipients got it: a retry would duplicate theirs, so this is permanent.
            raise DeliveryError(self.label, "delivered, but " + _describe_refused(refused))

    def _deliver(self, message: Any, recipients: list[str]) -> dict[str, tuple[int, bytes]]:
        with self._connect() as smtp:
            if self.settings.username and self.settings.password:
                smtp.login(self.settings.username, self.settings.password.get_secret_value())
            return smtp.send_message(message, to_addrs=recipients)

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        context = tls_context(settings.verify_tls, settings.ca_file)
        if settings.security == "tls":
            return smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp

    def _translate(self, exc: smtplib.SMTPException | OSError) -> DeliveryError:
        """Map smtplib/socket/ssl errors onto the error tree (order matters: subclasses first)."""
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return DeliveryError(
                self.label,
                f"login as {self.settings.username!r} refused by {self.where} "
                f"({exc.smtp_code}); check username and password",
            )
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return _refused_error(self.label, exc.recipients)
        if isinstance(exc, smtplib.SMTPResponseException):
            reply = _reply(exc.smtp_code, exc.smtp_error)
            error = TransientDeliveryError if 400 <= exc.smtp_code < 500 else DeliveryError
            return error(self.label, f"{self.where} answered {reply}")
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            if isinstance(exc.__context__, TimeoutError):
                # smtplib reports its read timeout as a disconnect: it is the server's silence.
                return self._translate_os_error(exc.__context__)
            return TransientDeliveryError(self.label, f"{self.where} closed the connection")
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            reason = one_line(str(exc)).rstrip(".")
            hint = "set security to what the server offers, or remove username/password"
            return DeliveryError(self.label, f"{self.where}: {reason}; {hint}")
        if isinstance(exc, smtplib.SMTPException):
            return DeliveryError(self.label, f"{self.where}: {one_line(str(exc))}")
        return self._translate_os_error(exc)

    def _translate_os_error(self, exc: OSError) -> DeliveryError:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return DeliveryError(
                self.label,
                f"TLS certificate of {self.where} not trusted ({exc.verify_message}); fix the "
                "server certificate or set ca_file",
            )
        if isinstance(exc, ssl.SSLError):
            return DeliveryError(
                self.label,
                f"TLS handshake with {self.where} failed ({exc.reason}); check security and port "
                "(tls is usually port 465, starttls 587)",
            )
        if isinstance(exc, TimeoutError):
            return DeliveryTimeoutError(
                self.label, f"no answer from {self.where} within {self.settings.timeout:g}s"
            )
        reason = one_line(exc.strerror or str(exc) or type(exc).__name__)
        return TransientDeliveryError(self.label, f"cannot connect to {self.where}: {reason}")


def _reply(code: int, text: bytes | str) -> str:
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {one_line(raw, 200)}"


def _describe_refused(refused: dict[str, tuple[int, bytes]]) -> str:
    parts = [f"{address} ({_reply(code, text)})" for address, (code, text) in refused.items()]
    return "recipients refused: " + "; ".join(parts)


def _refused_error(label: str, refused: dict[str, tuple[int, bytes]]) -> DeliveryError:
    """All recipients refused: transient only if every refusal was a 4xx (try again later)."""
    temporary = all(400 <= code < 500 for code, _ in refused.values())
    if temporary:
        return TransientDeliveryError(label, _describe_refused(refused))
    return DeliveryError(label, _describe_refused(refused) + "; check the to addresses")
