"""``report --html``: one self-contained HTML page of claim state, chart and evidence."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.cli.args import add_command, open_store
from flows.config import load_config
from monitors.state import history


def add_parser(sub: Any) -> None:
    report = add_command(sub, "report", "write a self-contained HTML page: state, chart, evidence")
    report.add_argument("--html", required=True, metavar="PATH", help="where to write the page")
    report.add_argument(
        "--claim", action="append", default=[], metavar="ID", help="only this claim (repeatable)"
    )
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from flows.cli.html_report import ClaimPage, render_report

    config = load_config(args.config)
    claims = [config.claim(cid) for cid in args.claim] if args.claim else list(config.claims)
    store = open_store(args, config)
    engine = store.engine
    sources = history.independent_sources(engine, [c.id for c in claims])
    names = {f.id: f.label for f in config.feeds}
    pages = [
        ClaimPage(
            claim=claim,
            state=history.stored_state(engine, claim.id),
            evidence=history.evidence_timeline(engine, claim.id),
            changes=history.state_changes(engine, claim.id),
            sources=sources[claim.id],
            feed_names=names,
        )
        for claim in claims
    ]
    target = Path(args.html).expanduser()
    try:
        _write_atomically(target, render_report(pages, datetime.now(UTC)))
    except OSError as exc:
        print(
            f"claimwatch: cannot write {target}: {exc.strerror}; pick a writable path",
            file=sys.stderr,
        )
        return 2
    items = sum(len(p.evidence) for p in pages)
    print(f"wrote {target} ({len(pages)} claim(s), {items} evidence item(s))")
    return 0


def _write_atomically(target: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a page."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
