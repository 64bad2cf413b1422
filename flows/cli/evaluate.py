"""``eval``: hands every argument after it to ``monitors.evaluate``, which has its own parser."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    evaluate = sub.add_parser(
        "eval", help="score the stance engine on labelled pairs", add_help=False
    )
    evaluate.add_argument("rest", nargs=argparse.REMAINDER)
    evaluate.set_defaults(handler=_eval)


def _eval(args: argparse.Namespace) -> int:
    return run(args.rest)


def run(words: list[str]) -> int:
    from monitors.evaluate.harness import main as evaluate_main

    return evaluate_main(words)
