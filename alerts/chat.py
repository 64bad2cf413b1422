"""Slack and Discord incoming-webhook channels: one JSON POST per alert, rendered for the chat.

Both differ only in the rendering (``alerts.render.chat``); the POST and its failure policy
(5xx/408/425/429/timeouts transient, other statuses permanent, redirects not followed) are
``alerts.transport.post_json``. An incoming-webhook URL *is* the credential (its path carries the
token), so it is a ``SecretStr``: hidden in repr, and errors only ever name its origin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, FilePath, SecretStr, field_validator

from alerts.render import chat as render_chat
from alerts.transport import USER_AGENT, PostTarget, is_loopback, post_json, tls_context
from monitors.models import Alert

_URL_HINT = (
    "must be the https:// webhook URL the chat service gave you "
    "(plain http:// is accepted only for localhost and 127.0.0.1, for tests)"
)


def check_url(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` is https (or http on loopback); never echoes the URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise ValueError(_URL_HINT) from None  # the library's message may quote the token
    if not parts.hostname or parts.scheme not in ("http", "https"):
        raise ValueError(_URL_HINT)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(_URL_HINT)


class ChatSettings(BaseModel):
    """Settings shared by ``type: slack`` and ``type: discord``."""

    # hide_input_in_errors: a rejected URL must not be printed back, it carries the token.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    url: SecretStr
    timeout: float = Field(default=10.0, gt=0)
    verify_tls: bool = True
    ca_file: FilePath | None = None

    @field_validator("url")
    @classmethod
    def _chat_url(cls, value: SecretStr) -> SecretStr:
        check_url(value.get_secret_value())
        return value


class SlackSettings(ChatSettings):
    """``type: slack``: a Slack incoming webhook (https://hooks.slack.com/services/...)."""

    def build(self, name: str) -> ChatChannel:
        return ChatChannel(name=name, kind="slack", settings=self, render=render_chat.slack_body)


class DiscordSettings(ChatSettings):
    """``type: discord``: a Discord channel webhook (https://discord.com/api/webhooks/...)."""

    def build(self, name: str) -> ChatChannel:
        render = render_chat.discord_body
        return ChatChannel(name=name, kind="discord", settings=self, render=render)


@dataclass(frozen=True)
class ChatChannel:
    """POSTs the rendered message once per alert; the receiver needs no signature."""

    name: str
    kind: str  # "slack" or "discord": names the channel in errors
    settings: ChatSettings
    render: Callable[[Alert], bytes] = field(repr=False)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    def send(self, alert: Alert) -> None:
        settings = self.settings
        verify = tls_context(settings.verify_tls, settings.ca_file)
        target = PostTarget(self.label, settings.url.get_secret_value(), settings.timeout, verify)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        post_json(target, self.render(alert), headers)
