"""``config check``: validate the config directory without running anything.

Every problem of every file is reported in one pass (``monitors.config.load_config``); a valid
config prints what it holds and what it leaves to defaults ("no channels.yaml ...").
"""

from __future__ import annotations

import argparse
from typing import Any

from flows.cli.args import add_command, add_json_flag
from flows.cli.output import emit
from flows.config import load_config


def add_parser(sub: Any) -> None:
    command = add_command(sub, "config", "validate the config directory (nothing is run)")
    command.add_argument("action", choices=["check"], help="check: report every problem at once")
    add_json_flag(command)
    command.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    config = load_config(args.config)  # a ConfigError names every problem; main prints it
    held = {
        "config": str(config.source),
        "claims": [c.id for c in config.claims],
        "feeds": [f.id for f in config.feeds],
        "channels": [c.name for c in config.channels],
        "notes": list(config.notes),
    }
    if args.json:
        emit({"ok": True, **held})
        return 0
    print(
        f"{config.source}: ok: {len(config.claims)} claims, {len(config.feeds)} feeds, "
        f"{len(config.channels)} channels ({', '.join(held['channels'])})"
    )
    for note in config.notes:
        print(f"note: {note}")
    return 0
