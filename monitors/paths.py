"""Where claimwatch keeps its state and finds its bundled demo."""

from __future__ import annotations

import os
from pathlib import Path

DEMO_CONFIG_DIR = Path(__file__).resolve().parent.parent / "examples" / "kursk"
CONFIG_ENV = "CLAIMWATCH_CONFIG"


def default_config_dir() -> str:
    """``$CLAIMWATCH_CONFIG``, else the bundled demo: the config every command reads."""
    return os.environ.get(CONFIG_ENV) or str(DEMO_CONFIG_DIR)


def data_dir() -> Path:
    """``$CLAIMWATCH_HOME``, else ``$XDG_DATA_HOME/claimwatch``, else ``~/.local/share/...``."""
    explicit = os.environ.get("CLAIMWATCH_HOME")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "claimwatch"


def default_database_url() -> str:
    """``$CLAIMWATCH_DATABASE_URL``, else a SQLite file in the data directory."""
    explicit = os.environ.get("CLAIMWATCH_DATABASE_URL")
    if explicit:
        return explicit
    return f"sqlite:///{data_dir() / 'claimwatch.db'}"
