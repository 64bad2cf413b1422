"""``claimwatch serve``: run the monitor's scheduled and triggered flow runs in this process
(flows/serve.py). Prefect is imported only when the command runs."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from flows.cli.args import add_command
from flows.config import load_config
from flows.serve_options import DEFAULT_EVERY_S, DEFAULT_NAME, DEFAULT_POLL_S, ServeOptions


def add_parser(sub: Any) -> None:
    serve = add_command(
        sub,
        "serve",
        "stay running: register a monitor deployment on a Prefect server and run its flow runs "
        "here (scheduled, or started with `prefect deployment run`)",
    )
    serve.add_argument(
        "--name", default=DEFAULT_NAME, help=f"deployment name (default: {DEFAULT_NAME})"
    )
    serve.add_argument(
        "--every",
        type=_seconds,
        default=DEFAULT_EVERY_S,
        metavar="SECONDS",
        help=f"schedule interval (default: {DEFAULT_EVERY_S:g}); 0: runs started by hand only",
    )
    serve.add_argument(
        "--poll",
        type=_seconds,
        default=DEFAULT_POLL_S,
        metavar="SECONDS",
        help=f"how often to ask the server for due runs (default: {DEFAULT_POLL_S:g})",
    )
    serve.add_argument(
        "--max-runs", type=_positive, help="stop after this many flow runs (default: never)"
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from flows.serve import serve

    config_dir = str(Path(args.config).resolve())
    load_config(config_dir)  # fail fast, before registering a deployment that cannot run
    logger = _serve_logger()
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %d: stopping after the current flow run, if any", signum)
        stop.set()

    # During a flow run Prefect's engine puts its own SIGTERM handler in place (flows/serve.py).
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    options = ServeOptions(
        config_dir=config_dir,
        database_url=args.database_url,
        name=args.name,
        every_s=args.every,
        poll_s=args.poll,
        max_runs=args.max_runs,
    )
    done = serve(options, stop)
    print(f"claimwatch serve: {done} flow run(s) executed")
    return 0


def _serve_logger() -> logging.Logger:
    """Its own handler: Prefect configures logging when imported and would drop these lines."""
    logger = logging.getLogger("claimwatch.serve")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s claimwatch serve: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0 (got {text!r})")
    return value


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1 (got {text!r})")
    return int(text)
