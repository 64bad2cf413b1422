"""Argparse pieces every command shares: where config and state live, ``--json``, ISO times."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from flows.config import undefined_claims
from monitors.config import Config
from monitors.paths import CONFIG_ENV, default_config_dir, default_database_url
from monitors.state.store import Store


def add_command(sub: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    """A subcommand with the ``--config`` and ``--database-url`` options every command takes."""
    command: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    command.add_argument(
        "--config",
        default=default_config_dir(),
        help=f"config directory (claims.yaml, feeds.yaml, channels.yaml); default: ${CONFIG_ENV}, "
        "else the bundled demo",
    )
    command.add_argument(
        "--database-url",
        default=None,
        help="state database URL (default: $CLAIMWATCH_DATABASE_URL or SQLite in $CLAIMWATCH_HOME)",
    )
    return command


def add_json_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--json", action="store_true", help="print one JSON object (no colour, no progress)"
    )


def iso_time(value: str) -> datetime:
    """An argparse type: an ISO date or time, read as UTC when it names no zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not an ISO time; write e.g. 2025-04-26 or 2025-04-26T14:00:00+00:00"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def open_store(args: argparse.Namespace, config: Config | None = None) -> Store:
    """The state database; with ``config``, a warning when it holds claims the config does not
    define (the demo's claims shown over a database of real ones, because --config was
    forgotten)."""
    store = Store(args.database_url or default_database_url())
    if config is not None:
        warning = undefined_claims(store, config)
        if warning:
            print(f"claimwatch: warning: {warning}", file=sys.stderr)
    return store
