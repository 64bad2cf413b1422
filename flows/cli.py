"""The ``claimwatch`` command.

``run`` goes through the Prefect flow (so it is imported lazily: the other commands start fast and
need no Prefect server); the rest read config and state directly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from monitors.config import Config, load_claims, load_config
from monitors.errors import ClaimwatchError
from monitors.models import Assessment, Claim
from monitors.paths import DEMO_CONFIG_DIR, default_database_url
from monitors.store import Store


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
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
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = _command(sub, "run", "poll feeds, decide new reports, deliver alerts (Prefect flow)")
    run.add_argument("--no-deliver", action="store_true", help="queue alerts but do not send them")
    run.set_defaults(handler=_run)

    check = _command(sub, "check", "show how a text scores against each claim, and why")
    check.add_argument("text", help="the report text (body)")
    check.add_argument("--title", default="", help="the report title, if separate")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(handler=_check)

    status = _command(sub, "status", "each claim's state and evidence counts")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=_status)

    evidence = _command(sub, "evidence", "the evidence recorded for one claim")
    evidence.add_argument("claim_id")
    evidence.set_defaults(handler=_evidence)

    alerts = _command(sub, "alerts", "the alert outbox; 'alerts retry' re-queues failed alerts")
    alerts.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    alerts.set_defaults(handler=_alerts)

    evaluate = sub.add_parser(
        "eval", help="score the stance engine on labelled pairs", add_help=False
    )
    evaluate.add_argument("rest", nargs=argparse.REMAINDER)
    evaluate.set_defaults(handler=_eval)
    return parser


def _command(sub: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    command: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    command.add_argument(
        "--config",
        default=str(DEMO_CONFIG_DIR),
        help="config directory (claims.yaml, feeds.yaml, channels.yaml); default: bundled demo",
    )
    command.add_argument(
        "--database-url",
        default=None,
        help="state database URL (default: $CLAIMWATCH_DATABASE_URL or SQLite in $CLAIMWATCH_HOME)",
    )
    return command


def _store(args: argparse.Namespace) -> Store:
    return Store(args.database_url or default_database_url())


def _run(args: argparse.Namespace) -> int:
    from flows.monitor import monitor_claims  # Prefect loads only for the command that needs it

    config_dir = str(Path(args.config).resolve())
    load_config(config_dir)  # fail fast, before a Prefect server starts, on a bad config
    summary = monitor_claims(
        config_dir=config_dir, database_url=args.database_url, deliver=not args.no_deliver
    )
    print("\n".join(summary.lines()))
    return 1 if summary.feeds_failed and not summary.feeds_ok else 0


def _claims_from(path: str) -> tuple[Claim, ...]:
    """``--config`` for check may name a config directory or a claims file."""
    target = Path(path)
    return load_claims(target) if target.is_file() else load_config(target).claims


def _check(args: argparse.Namespace) -> int:
    from monitors.stance import StanceEngine

    claims = _claims_from(args.config)
    assessments = StanceEngine(claims).assess(args.title, args.text)
    if args.json:
        print(
            json.dumps({"claims": [_assessment_json(a) for a in assessments]}, ensure_ascii=False)
        )
        return 0
    console = Console()
    for claim, assessment in zip(claims, assessments, strict=True):
        _print_assessment(console, claim, assessment)
    return 0


def _assessment_json(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.claim_id,
        "verdict": assessment.verdict.value,
        "score": round(assessment.score, 4),
        "relatedness": round(assessment.relatedness, 4),
        "evidence": [e.to_dict() for e in assessment.evidence],
    }


def _print_assessment(console: Console, claim: Claim, assessment: Assessment) -> None:
    console.print(
        f"[bold]{claim.id}[/bold]: {assessment.verdict.value.upper()} "
        f"(score {assessment.score:.2f}, relatedness {assessment.relatedness:.2f})",
        highlight=False,
    )
    console.print(f"  claim: {claim.statement}", markup=False, highlight=False)
    for span in assessment.evidence:
        console.print(f"  - [{span.stance.value}] {span.sentence}", markup=False, highlight=False)
        console.print(f"    why: {span.why}", markup=False, highlight=False)


def _status(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    statuses = _store(args).claim_statuses(config.claims)
    if args.json:
        rows = [
            {
                "id": s.claim_id,
                "state": s.state.value,
                "confirming": s.confirming,
                "contradicting": s.contradicting,
                "neutral": s.neutral,
                "changed_at": s.changed_at.isoformat() if s.changed_at else None,
                "latest": s.latest_title,
            }
            for s in statuses
        ]
        print(json.dumps({"claims": rows}, ensure_ascii=False))
        return 0
    table = Table("claim", "state", "confirm", "contradict", "mention", "changed", "latest")
    for s in statuses:
        changed = s.changed_at.strftime("%Y-%m-%d %H:%M") if s.changed_at else "-"
        table.add_row(
            s.claim_id,
            s.state.value,
            str(s.confirming),
            str(s.contradicting),
            str(s.neutral),
            changed,
            s.latest_title or "-",
        )
    Console().print(table)
    return 0


def _evidence(args: argparse.Namespace) -> int:
    config: Config = load_config(args.config)
    claim = config.claim(args.claim_id)
    console = Console()
    console.print(f"[bold]{claim.id}[/bold]: {claim.statement}", highlight=False)
    for verdict, title, link, spans in _store(args).evidence_for(claim.id):
        console.print(f"{verdict.upper()}: {title} {link or ''}", markup=False, highlight=False)
        for span in spans:
            console.print(f"  - {span.why or span.sentence}", markup=False, highlight=False)
    return 0


def _alerts(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.action == "retry":
        print(f"re-queued {store.retry_failed()} failed alert(s)")
        return 0
    table = Table("id", "channel", "status", "attempts", "alert", "last error")
    for item in store.outbox():
        table.add_row(
            str(item.id),
            item.channel,
            item.status,
            str(item.attempts),
            item.alert.headline,
            item.last_error or "",
        )
    Console().print(table)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from monitors.evaluate import main as evaluate_main

    return evaluate_main(args.rest)


if __name__ == "__main__":
    raise SystemExit(main())
