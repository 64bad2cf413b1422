"""The webhook channel: POSTs the signed JSON payload documented in docs/webhook.md.

Failure policy: 2xx is delivered; timeouts, connection errors, 408, 425, 429 and 5xx are transient
(retried on the next run); redirects and every other status are permanent, because following a
redirect would send the signed alert somewhere the user did not configure. Error messages name
only the URL's origin: webhook paths and query strings often carry tokens. ``post_json`` applies
this policy and is shared with the Slack and Discord channels (``alerts.chat``).
"""

from __future__ import annotations

import hashlib
import re
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, FilePath, SecretStr, field_validator

from alerts.email import tls_context
from alerts.render import alert as render
from alerts.render.alert import compact_json
from alerts.render.digest import digest_payload
from alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from monitors.about import PRODUCT
from monitors.errors import DeliveryError, TransientDeliveryError
from monitors.models import Alert

ALERT_KEY_HEADER = "X-Claimwatch-Alert-Key"
MIN_SECRET = 16
TRANSIENT_STATUS = frozenset({408, 425, 429})
_RESERVED = {"content-type", "user-agent", "content-length", "host"}
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 header field name


USER_AGENT = PRODUCT


def origin(url: str) -> str:
    """``scheme://host[:port]``: safe to show in errors and logs (no credentials, path or query)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


class WebhookSettings(BaseModel):
    """``type: webhook`` in the channels section of the config."""

    # hide_input_in_errors: str(ValidationError) would otherwise print the secret it rejected.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    url: str
    secret: SecretStr
    timeout: float = Field(default=10.0, gt=0)
    headers: dict[str, str] = Field(default_factory=dict)
    verify_tls: bool = True
    ca_file: FilePath | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a non-numeric port
        except ValueError as exc:
            raise ValueError(f"must be an http(s) URL ({exc})") from exc
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    @field_validator("secret")
    @classmethod
    def _long_secret(cls, value: SecretStr) -> SecretStr:
        # A custom message on purpose: pydantic's own length error would echo the secret.
        if len(value.get_secret_value()) < MIN_SECRET:
            raise ValueError(
                f"must be at least {MIN_SECRET} characters; generate one with "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return value

    @field_validator("headers")
    @classmethod
    def _plain_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, header_value in value.items():
            if not _TOKEN.match(name):
                raise ValueError(f"header name {name!r} is not a valid HTTP header name")
            if name.lower() in _RESERVED or name.lower().startswith("x-claimwatch-"):
                raise ValueError(f"header {name!r} is set by claimwatch and cannot be overridden")
            if render.clean_line(header_value) != header_value:
                raise ValueError(f"header {name!r} value must be one line without control chars")
        return value

    def build(self, name: str) -> WebhookChannel:
        return WebhookChannel(name=name, settings=self)


@dataclass(frozen=True)
class WebhookChannel:
    """Signs and POSTs one request per alert."""

    name: str
    settings: WebhookSettings

    @property
    def label(self) -> str:
        return f"webhook {self.name}"

    def send(self, alert: Alert) -> None:
        body = render.webhook_body(alert)
        self._post(body, self.headers(render.clean_line(alert.key), body))

    def send_digest(self, alerts: Sequence[Alert]) -> None:
        """One signed request carrying many alerts (digest mode, payload type claimwatch.digest)."""
        body = compact_json(digest_payload(alerts))
        key = hashlib.sha256("\n".join(a.key for a in alerts).encode()).hexdigest()[:40]
        self._post(body, self.headers(key, body))

    def _post(self, body: bytes, headers: Mapping[str, str]) -> None:
        settings = self.settings
        verify = tls_context(settings.verify_tls, settings.ca_file)
        target = PostTarget(self.label, settings.url, settings.timeout, verify)
        post_json(target, body, headers)

    def headers(self, key: str, body: bytes) -> dict[str, str]:
        timestamp = int(time.time())
        return {
            **self.settings.headers,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self.settings.secret.get_secret_value(), body, timestamp),
            ALERT_KEY_HEADER: key,
        }


@dataclass(frozen=True)
class PostTarget:
    """Where and how to POST: shared by every HTTP channel (webhook, Slack, Discord)."""

    label: str  # names the channel in errors, e.g. "webhook ops-hook"
    url: str = field(repr=False)  # may carry a token: only its origin reaches error messages
    timeout: float
    verify: ssl.SSLContext


def post_json(target: PostTarget, body: bytes, headers: Mapping[str, str]) -> None:
    """POST ``body`` once; return on 2xx, else raise by the policy in this module's docstring."""
    where = origin(target.url)
    try:
        with httpx.Client(timeout=target.timeout, verify=target.verify) as client:
            response = client.post(target.url, content=body, headers=dict(headers))
    except httpx.TimeoutException as exc:
        message = f"no answer from {where} within {target.timeout:g}s"
        raise TransientDeliveryError(target.label, message) from exc
    except httpx.TransportError as exc:
        raise _transport_error(target.label, where, exc, target.url) from exc
    if not response.is_success:
        raise _status_error(target.label, where, response)


def _status_error(label: str, where: str, response: httpx.Response) -> DeliveryError:
    status = f"HTTP {response.status_code} from {where}"
    if response.is_redirect:
        target = origin(str(response.next_request.url)) if response.next_request else "?"
        hint = f" (redirect to {target}); set url to the final address"
        return DeliveryError(label, status + hint)
    if response.status_code >= 500 or response.status_code in TRANSIENT_STATUS:
        return TransientDeliveryError(label, status)
    return DeliveryError(label, status + "; check the url and the receiver's logs")


def _transport_error(label: str, where: str, exc: httpx.TransportError, url: str) -> DeliveryError:
    """TLS trust failures need the user to act; every other network failure may heal itself."""
    cause: BaseException | None = exc
    for _ in range(10):  # the chain is short; the bound guards against a cyclic __context__
        if cause is None:
            break
        if isinstance(cause, ssl.SSLCertVerificationError):
            return DeliveryError(
                label,
                f"TLS certificate of {where} not trusted ({cause.verify_message}); "
                "fix the server certificate or set ca_file",
            )
        cause = cause.__cause__ or cause.__context__
    reason = _redact(render.clean_line(str(exc)), url) or type(exc).__name__
    return TransientDeliveryError(label, f"cannot reach {where}: {reason}")


def _redact(text: str, url: str) -> str:
    """Drop the URL's secret-bearing parts from a library message, should one ever quote them."""
    parts = urlsplit(url)
    for secret in (url, parts.password, parts.path, parts.query):
        if secret and len(secret) > 1:
            text = text.replace(secret, "…")
    return text
