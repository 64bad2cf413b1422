"""The ``claimwatch`` command.

``run`` goes through the Prefect flow (so it is imported lazily: the other commands start fast and
need no Prefect server); the rest read config and state directly.

Every listing takes ``--json``: one JSON object on stdout, no colour, no progress bar. Feed-derived
text is hostile, so it only ever reaches the terminal as ``rich.text.Text`` (never parsed as markup)
with control characters removed.

Each command module registers its own subcommands with ``add_parser(sub)``; the order of the calls
below is the order ``--help`` lists them in.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from flows.cli import (
    claims,
    config_check,
    evaluate,
    feedback,
    feeds,
    mutes,
    outbox,
    report,
    serve,
    status,
)
from monitors.about import VERSION
from monitors.errors import ClaimwatchError
from monitors.quick_exit import freeze_at_exit


def main(argv: Sequence[str] | None = None) -> int:
    freeze_at_exit()  # no collection over the whole heap as the process ends (0.3-0.6 s)
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["eval"]:
        # argparse's REMAINDER drops a leading option such as --help: hand eval its words whole.
        return evaluate.run(words[1:])
    args = _parser().parse_args(words)
    try:
        return int(args.handler(args))
    except ClaimwatchError as exc:
        print(f"claimwatch: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimwatch",
        description="Watch news feeds for reports that confirm or contradict your claims.",
    )
    parser.add_argument("--version", action="version", version=f"claimwatch {VERSION}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for module in (
        claims,
        serve,
        status,
        feedback,
        mutes,
        feeds,
        outbox,
        report,
        evaluate,
        config_check,
    ):
        module.add_parser(sub)
    return parser
