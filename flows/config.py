"""The product's configuration as every command and flow loads it.

``monitors.config`` validates claims, feeds and the common channel fields but knows no channel
type; ``alerts.channel`` owns each type's settings model. This is where the two meet, with
``${secret:NAME}`` read from Prefect Secret blocks, so ``monitors`` never imports ``alerts`` or
Prefect.
"""

from __future__ import annotations

from pathlib import Path

from alerts.channel import CHANNEL_TYPES
from flows.secrets import prefect_secret
from monitors import config
from monitors.config import Config, SecretSource


def load_config(directory: Path | str, secrets: SecretSource | None = prefect_secret) -> Config:
    """Claims, feeds and channels of a config directory; one ConfigError per broken file."""
    return config.load_config(directory, channel_types=CHANNEL_TYPES, secrets=secrets)
