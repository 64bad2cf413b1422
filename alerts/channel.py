"""The ``Channel`` interface and the registry of channel types.

A channel only transports what ``alerts.render`` produced. Each type brings a pydantic settings
model (validated by the config loader, errors reported per field) whose ``build(name)`` makes the
channel. Adding a type means one module and one line in ``CHANNEL_TYPES``, never an ``if`` chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from alerts.chat import DiscordSettings, SlackSettings
from alerts.email import EmailSettings
from alerts.sinks import ConsoleSettings, FileSettings
from alerts.webhook import WebhookSettings
from monitors.errors import ConfigError
from monitors.models import Alert


class Channel(Protocol):
    """Delivers alerts somewhere. ``send`` raises ``DeliveryError``/``TransientDeliveryError``."""

    @property
    def name(self) -> str:
        """The configured channel name, e.g. ``ops-email``."""
        ...

    def send(self, alert: Alert) -> None: ...


@runtime_checkable
class ChannelSettings(Protocol):
    """What every validated settings model offers besides pydantic: a channel factory."""

    def build(self, name: str) -> Channel: ...


# Typed as plain pydantic models so the config loader can validate and describe errors by field;
# every model here also satisfies ChannelSettings (checked in build_channel and in the tests).
CHANNEL_TYPES: dict[str, type[BaseModel]] = {
    "console": ConsoleSettings,
    "discord": DiscordSettings,
    "email": EmailSettings,
    "file": FileSettings,
    "slack": SlackSettings,
    "webhook": WebhookSettings,
}


def build_channel(name: str, type_: str, settings: Mapping[str, Any]) -> Channel:
    """Validate ``settings`` for ``type_`` and build the channel.

    Raises ``pydantic.ValidationError`` for bad settings and ``ConfigError`` for an unknown type.
    """
    model = CHANNEL_TYPES.get(type_)
    if model is None:
        known = ", ".join(sorted(CHANNEL_TYPES))
        problem = f"channels.{name}.type: unknown channel type {type_!r} (expected one of: {known})"
        raise ConfigError("channels", [problem])
    validated = model.model_validate(dict(settings))
    if not isinstance(validated, ChannelSettings):
        raise TypeError(f"{model.__name__} has no build(name) method; fix CHANNEL_TYPES")
    return validated.build(name)
