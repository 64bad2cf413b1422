"""The desk corrects the machine: ``verdict`` and ``feedback`` (list, export).

``verdict`` records an analyst's verdict on one stored report for one claim
(``monitors.feedback``); the claim's state is recomputed and, only if it changes, an alert is
queued and the outbox delivered. ``verdict --request FILE`` is the same operation as JSON in,
JSON out, for a webhook consumer or a bot.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from flows.cli.args import add_command, add_json_flag, open_store
from flows.cli.outbox import deliver_now
from flows.cli.output import STATE_STYLE, VERDICT_STYLE, cell, emit, make_console, plain
from flows.config import load_config
from monitors.config import Config
from monitors.errors import FeedbackError
from monitors.feedback import (
    VerdictRequest,
    apply_verdict,
    export_csv,
    export_rows,
    handle_request,
    outcome_json,
)
from monitors.state.correct import VerdictOutcome
from monitors.state.store import Store

ANALYST_VERDICTS = ("confirm", "contradict", "neutral", "unrelated")


def add_parser(sub: Any) -> None:
    verdict = add_command(
        sub, "verdict", "record an analyst's verdict on a report; the claim's state follows"
    )
    verdict.add_argument("claim_id", nargs="?", help="the claim (an id from claims.yaml)")
    verdict.add_argument(
        "report",
        nargs="?",
        help="the report: an evidence id ('#12', from 'claimwatch evidence CLAIM'), "
        "FEED_ID:REPORT_ID, or its link",
    )
    said = verdict.add_mutually_exclusive_group()
    said.add_argument("--is", dest="verdict", choices=ANALYST_VERDICTS, help="what it really is")
    said.add_argument(
        "--wrong", action="store_true", help="the engine's confirm or contradict is wrong: neutral"
    )
    verdict.add_argument("--by", default="", help="who says so (default: $CLAIMWATCH_ANALYST, "
                         "else the OS user)")  # fmt: skip
    verdict.add_argument("--note", help="why, kept with the verdict and in the export")
    verdict.add_argument(
        "--request",
        metavar="FILE",
        help="read one JSON request ({claim, report, verdict|wrong, analyst?, note?}) from FILE "
        "('-': stdin) and print the JSON outcome",
    )
    verdict.add_argument(
        "--no-deliver", action="store_true", help="queue the alert a state change causes, not send"
    )
    add_json_flag(verdict)
    verdict.set_defaults(handler=_verdict)

    feedback = add_command(sub, "feedback", "the analysts' verdicts: list, or export for eval")
    feedback.add_argument("action", choices=["list", "export"])
    feedback.add_argument(
        "--claim", action="append", default=[], metavar="ID", help="only this claim (repeatable)"
    )
    feedback.add_argument(
        "--output", "-o", metavar="FILE", help="export: write the CSV here (default: stdout)"
    )
    add_json_flag(feedback)
    feedback.set_defaults(handler=_feedback)


# --- verdict -------------------------------------------------------------------------------------


def _verdict(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = open_store(args, config)
    try:
        if args.request:
            return _json_request(store, config, args)
        if not args.claim_id or not args.report:
            raise FeedbackError(
                "name the claim and the report: claimwatch verdict CLAIM REPORT "
                "--is confirm|contradict|neutral|unrelated (or --wrong)"
            )
        request = VerdictRequest(
            claim=args.claim_id,
            report=args.report,
            verdict=args.verdict,
            wrong=args.wrong,
            analyst=args.by,
            note=args.note,
        )
        outcome = apply_verdict(store, config, request)
        delivery = deliver_now(store, config) if outcome.alert and not args.no_deliver else None
        if args.json:
            emit({**outcome_json(outcome), "delivery": delivery})
        else:
            _print_outcome(outcome, delivery)
        return 0
    finally:
        store.close()


def _json_request(store: Store, config: Config, args: argparse.Namespace) -> int:
    source = sys.stdin.read() if args.request == "-" else _read(Path(args.request))
    result = handle_request(store, config, source)
    if result["ok"] and result["alert"] and not args.no_deliver:
        result["delivery"] = deliver_now(store, config)
    emit(result)
    return 0 if result["ok"] else 2


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FeedbackError(f"cannot read the request file {path}: {exc.strerror}") from None


def _print_outcome(outcome: VerdictOutcome, delivery: dict[str, Any] | None) -> None:
    console = make_console()
    verdict, recomputed = outcome.verdict, outcome.recomputed
    console.print(
        Text.assemble(
            f"recorded #{verdict.id}: ",
            (verdict.claim_id, "bold"),
            " · ",
            plain(outcome.report.title),
            " is ",
            (verdict.verdict.value, VERDICT_STYLE.get(verdict.verdict.value, "bold")),
            f" (the engine said {verdict.machine_verdict.value}; by {plain(verdict.analyst)})",
        ),
        soft_wrap=True,
    )
    before, after = recomputed.previous.value, recomputed.state.value
    if recomputed.moved:
        console.print(
            Text.assemble(
                "state ",
                (before, STATE_STYLE.get(before, "")),
                " -> ",
                (after, STATE_STYLE.get(after, "bold")),
                "; alert queued",
            )
        )
    else:
        console.print(Text(f"state stays {after}; no alert", style="dim"))
    if delivery is not None:
        console.print(f"delivered {delivery['sent']}, still pending {delivery['pending']}")
        for error in delivery["errors"]:
            console.print(Text(f"delivery error: {plain(error)}", style="red"), soft_wrap=True)


# --- feedback ------------------------------------------------------------------------------------


def _feedback(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    for claim_id in args.claim:
        config.claim(claim_id)
    store = open_store(args, config)
    try:
        rows = export_rows(store, args.claim)
    finally:
        store.close()
    if args.action == "export":
        text = export_csv(rows)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
            print(f"wrote {len(rows)} labelled pair(s) to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    if args.json:
        emit({"verdicts": [{k: v for k, v in r.items() if k != "report"} for r in rows]})
        return 0
    _print_list(rows)
    return 0


def _print_list(rows: list[dict[str, str]]) -> None:
    console = make_console()
    console.print(f"{len(rows)} analyst verdict(s) in force")
    if not rows:
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("claim", overflow="fold", min_width=10)
    table.add_column("engine → analyst", no_wrap=True, min_width=16)
    table.add_column("report", overflow="fold", min_width=16)
    table.add_column("by, when", overflow="fold", min_width=10)
    for row in rows:
        label = row["label"]
        change = Text(f"{row['machine_verdict']} → ")
        change.append(label, style=VERDICT_STYLE.get(label, "bold"))
        when = row["recorded_at"][:16].replace("T", " ")
        table.add_row(cell(row["claim_id"]), change, cell(row["title"]),
                      cell(f"{row['analyst']}, {when}"))  # fmt: skip
    console.print(table)
