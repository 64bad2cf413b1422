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
from monitors.paths import CONFIG_ENV
from monitors.state import history
from monitors.state.store import Store

UNDEFINED_SHOWN = 5  # claim ids named in the warning


def load_config(directory: Path | str, secrets: SecretSource | None = prefect_secret) -> Config:
    """Claims, feeds and channels of a config directory; one ConfigError per broken file."""
    return config.load_config(directory, channel_types=CHANNEL_TYPES, secrets=secrets)


def undefined_claims(store: Store, config: Config) -> str | None:
    """Said when the database holds claims the config does not define: the demo's claims shown
    (or run) over a database of real ones, because --config was forgotten."""
    unknown = sorted(history.stored_claim_ids(store.engine) - {c.id for c in config.claims})
    if not unknown:
        return None
    named = ", ".join(unknown[:UNDEFINED_SHOWN]) + (
        " ..." if len(unknown) > UNDEFINED_SHOWN else ""
    )
    return (
        f"the database holds {len(unknown)} claim(s) that {config.source} does not define "
        f"({named}); pass --config or set {CONFIG_ENV} to the config that tracks them"
    )
