"""The webhook channel: POSTs the signed JSON payload documented in docs/webhook.md.

The POST and its failure policy (2xx delivered; timeouts, 408, 425, 429 and 5xx transient;
redirects and other statuses permanent) are ``alerts.transport.post_json``, shared with the Slack
and Discord channels (``alerts.chat``).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, FilePath, SecretStr, field_validator

from alerts.render import alert as render
from alerts.render.alert import compact_json
from alerts.render.digest import digest_payload
from alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from alerts.transport import USER_AGENT, PostTarget, post_json, tls_context
from monitors.models import Alert
from monitors.untrusted import one_line

ALERT_KEY_HEADER = "X-Claimwatch-Alert-Key"
MIN_SECRET = 16
_RESERVED = {"content-type", "user-agent", "content-length", "host"}
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 header field name


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
            if one_line(header_value) != header_value:
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
        self._post(body, self.headers(one_line(alert.key), body))

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
