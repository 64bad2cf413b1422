"""The ``claimwatch`` command.

``run`` goes through the Prefect flow (so it is imported lazily: the other commands start fast and
need no Prefect server); the rest read config and state directly.

Every listing takes ``--json``: one JSON object on stdout, no colour, no progress bar. Feed-derived
text is hostile, so it only ever reaches the terminal as ``rich.text.Text`` (never parsed as markup)
with control characters removed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from rich import box
from rich.console import Console, Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from monitors import history
from monitors.config import Config, load_claims, load_config
from monitors.errors import ClaimwatchError
from monitors.fetch import Validators
from monitors.models import Alert, Assessment, Claim, Feed
from monitors.paths import DEMO_CONFIG_DIR, default_database_url
from monitors.store import ClaimStatus, OutboxItem, Store

if TYPE_CHECKING:
    from monitors.pipeline import FeedPoll

DEFAULT_INTERVAL_MINUTES = 15.0
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_VERDICT_STYLE = {"confirm": "green", "contradict": "red", "disputed": "yellow"}
_STATE_STYLE = {"confirmed": "green", "contradicted": "red", "disputed": "yellow"}


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
    run.add_argument("--claim", help="decide only this claim id")
    run.add_argument(
        "--since", type=_iso_time, help="only reports published at or after this ISO time (UTC)"
    )
    run.add_argument(
        "--dry-run", action="store_true", help="decide and summarise; store and send nothing"
    )
    run.set_defaults(handler=_run)

    check = _command(sub, "check", "show how a text scores against each claim, and why")
    check.add_argument("text", help="the report text (body)")
    check.add_argument("--title", default="", help="the report title, if separate")
    _json_flag(check)
    check.set_defaults(handler=_check)

    status = _command(sub, "status", "each claim's state, evidence counts and sources")
    _json_flag(status)
    status.set_defaults(handler=_status)

    evidence = _command(sub, "evidence", "the evidence recorded for one claim, newest first")
    evidence.add_argument("claim_id")
    _json_flag(evidence)
    evidence.set_defaults(handler=_evidence)

    _add_feeds(sub)
    _add_alerts(sub)
    _add_replay(sub)
    _add_report(sub)

    evaluate = sub.add_parser(
        "eval", help="score the stance engine on labelled pairs", add_help=False
    )
    evaluate.add_argument("rest", nargs=argparse.REMAINDER)
    evaluate.set_defaults(handler=_eval)
    return parser


def _add_feeds(sub: Any) -> None:
    feeds = _command(sub, "feeds", "feed health: last success, failures and why, next poll")
    feeds.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL_MINUTES,
        metavar="MINUTES",
        help="the monitor's schedule interval, to estimate the next poll (0: no schedule)",
    )
    feeds.add_argument(
        "--check",
        action="store_true",
        help="poll every feed now (progress bar) and report reachability; stores nothing",
    )
    _json_flag(feeds)
    feeds.set_defaults(handler=_feeds)


def _add_alerts(sub: Any) -> None:
    alerts = _command(sub, "alerts", "the alert outbox; 'alerts retry' re-queues failed alerts")
    alerts.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    alerts.add_argument(
        "--status", choices=["pending", "delivered", "failed"], help="list only these"
    )
    _json_flag(alerts)
    alerts.set_defaults(handler=_alerts)


def _add_replay(sub: Any) -> None:
    replay = _command(
        sub, "replay", "run claims over stored reports: what would have alerted (dry run)"
    )
    replay.add_argument(
        "--claim", action="append", default=[], metavar="ID", help="only this claim (repeatable)"
    )
    replay.add_argument(
        "--since", type=_iso_time, help="only reports published at or after this ISO time (UTC)"
    )
    replay.add_argument(
        "--send", action="store_true", help="queue the alerts for real, then deliver the outbox"
    )
    _json_flag(replay)
    replay.set_defaults(handler=_replay)


def _add_report(sub: Any) -> None:
    report = _command(sub, "report", "write a self-contained HTML page: state, chart, evidence")
    report.add_argument("--html", required=True, metavar="PATH", help="where to write the page")
    report.add_argument(
        "--claim", action="append", default=[], metavar="ID", help="only this claim (repeatable)"
    )
    report.set_defaults(handler=_report)


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


def _json_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--json", action="store_true", help="print one JSON object (no colour, no progress)"
    )


def _iso_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not an ISO time; write e.g. 2025-04-26 or 2025-04-26T14:00:00+00:00"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _store(args: argparse.Namespace) -> Store:
    return Store(args.database_url or default_database_url())


# --- output helpers ------------------------------------------------------------------------------


def _console(stderr: bool = False) -> Console:
    """Rich console; off a terminal rich uses 80 columns (or $COLUMNS), which tables respect."""
    return Console(highlight=False, stderr=stderr)


def _emit(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False))


def plain(text: str | None) -> str:
    """Feed text made safe for a terminal: control characters and bidi overrides removed."""
    return _CONTROL.sub("", text or "")


def _cell(text: str | None, style: str = "") -> Text:
    """A table cell from untrusted text: literal (no markup), one line of plain characters."""
    return Text(" ".join(plain(text).split()), style=style)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _stamp(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "undated"


def _span(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _ago(value: datetime | None, now: datetime) -> str:
    return "never" if value is None else f"{_span(now - value)} ago"


# --- run / check (unchanged behaviour) -----------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    from flows.monitor import monitor_claims  # Prefect loads only for the command that needs it

    config_dir = str(Path(args.config).resolve())
    config = load_config(config_dir)  # fail fast, before a Prefect server starts
    if args.claim:
        config.claim(args.claim)
    summary = monitor_claims(
        config_dir=config_dir,
        database_url=args.database_url,
        claim=args.claim,
        since=args.since,
        dry_run=args.dry_run,
        deliver=not args.no_deliver,
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
        _emit({"claims": [_assessment_json(a) for a in assessments]})
        return 0
    console = _console()
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
    )
    console.print(f"  claim: {plain(claim.statement)}", markup=False)
    for span in assessment.evidence:
        console.print(f"  - [{span.stance.value}] {plain(span.sentence)}", markup=False)
        console.print(f"    why: {plain(span.why)}", markup=False)


# --- status --------------------------------------------------------------------------------------


def _status(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = _store(args)
    statuses = store.claim_statuses(config.claims)
    sources = history.independent_sources(store.engine, [c.id for c in config.claims])
    changes = {c.id: history.last_change(store.engine, c.id) for c in config.claims}
    if args.json:
        rows = [_status_json(s, sources[s.claim_id], changes[s.claim_id]) for s in statuses]
        _emit({"claims": rows})
        return 0
    now = datetime.now(UTC)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("claim, latest report", overflow="fold", min_width=16)
    table.add_column("state", no_wrap=True, min_width=12)
    table.add_column("confirm", justify="right", no_wrap=True, min_width=7)
    table.add_column("contradict", justify="right", no_wrap=True, min_width=10)
    table.add_column("sources", justify="right", no_wrap=True, min_width=7)
    table.add_column("changed", no_wrap=True, min_width=8)
    for s in statuses:
        change = changes[s.claim_id]
        latest = _cell(s.latest_title or "-", "dim")
        latest.no_wrap, latest.overflow = True, "ellipsis"  # one line: the id matters more
        table.add_row(
            Group(_cell(s.claim_id, "bold"), latest),
            _cell(s.state.value, _STATE_STYLE.get(s.state.value, "")),
            str(s.confirming),
            str(s.contradicting),
            str(sources[s.claim_id]),
            _ago(change.recorded, now) if change else "never",
        )
    _console().print(table)
    return 0


def _status_json(
    s: ClaimStatus, sources: int, change: history.StateChange | None
) -> dict[str, Any]:
    return {
        "id": s.claim_id,
        "state": s.state.value,
        "confirming": s.confirming,
        "contradicting": s.contradicting,
        "neutral": s.neutral,
        "sources": sources,
        "last_change": _change_json(change),
        "changed_at": _iso(s.changed_at),
        "latest": s.latest_title,
        "latest_link": s.latest_link,
    }


def _change_json(change: history.StateChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "from": change.previous.value,
        "to": change.state.value,
        "reported_at": _iso(change.reported_at),
        "recorded_at": _iso(change.recorded),
        "report": change.evidence.title,
        "feed": change.evidence.feed_id,
    }


# --- evidence ------------------------------------------------------------------------------------


def _evidence(args: argparse.Namespace) -> int:
    config: Config = load_config(args.config)
    claim = config.claim(args.claim_id)
    store = _store(args)
    rows = list(reversed(history.evidence_timeline(store.engine, claim.id)))
    sources = history.independent_sources(store.engine, [claim.id])[claim.id]
    change = history.last_change(store.engine, claim.id)
    state = history.stored_state(store.engine, claim.id)
    names = {f.id: f.label for f in config.feeds}
    if args.json:
        _emit(
            {
                "claim": {
                    "id": claim.id,
                    "statement": claim.statement,
                    "state": state.value,
                    "sources": sources,
                    "last_change": _change_json(change),
                },
                "evidence": [_evidence_json(r, names) for r in rows],
            }
        )
        return 0
    console = _console()
    console.print(Text.assemble((claim.id, "bold"), ": ", plain(claim.statement)))
    console.print(
        Text.assemble(
            "state ",
            (state.value, _STATE_STYLE.get(state.value, "bold")),
            f" · {len(rows)} item(s) · {sources} independent source(s)",
        )
    )
    for row in rows:
        _print_evidence(console, row, names)
    return 0


def _evidence_json(row: history.EvidenceRow, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "verdict": row.verdict.value,
        "score": round(row.score, 4),
        "feed_id": row.feed_id,
        "feed": names.get(row.feed_id, row.feed_id),
        "report_id": row.report_id,
        "title": row.title,
        "link": row.link,
        "published": _iso(row.published),
        "recorded": _iso(row.recorded),
        "spans": [s.to_dict() for s in row.spans],
    }


def _print_evidence(console: Console, row: history.EvidenceRow, names: dict[str, str]) -> None:
    # soft_wrap: long titles and URLs wrap in the terminal instead of being cut into pieces
    verdict = row.verdict.value
    headline: list[str | tuple[str, str]] = [
        (verdict.upper(), _VERDICT_STYLE.get(verdict, "dim")),
        ": ",
        plain(row.title),
    ]
    if row.link:
        headline += [" ", (plain(row.link), "cyan")]
    console.print()
    console.print(Text.assemble(*headline), soft_wrap=True)
    feed = plain(names.get(row.feed_id, row.feed_id))
    console.print(
        Text(f"  {_stamp(row.published)} · {feed} · score {row.score:.2f}", style="dim"),
        soft_wrap=True,
    )
    for span in row.spans:
        console.print(Text(f"  - [{span.stance.value}] {plain(span.sentence)}"), soft_wrap=True)
        reasons = _span_reasons(span.cue, span.alias, span.matched, span.attribution)
        if reasons:
            console.print(Text(f"    {reasons}", style="dim"), soft_wrap=True)


def _span_reasons(cue: str | None, alias: str | None, matched: str | None, who: str | None) -> str:
    parts = []
    if cue:
        parts.append(f"cue '{plain(cue)}'")
    if alias:
        seen = f" (as '{plain(matched)}')" if matched and matched != alias else ""
        parts.append(f"alias '{plain(alias)}'{seen}")
    if who:
        parts.append(f"according to {plain(who)}")
    return " · ".join(parts)


# --- feeds ---------------------------------------------------------------------------------------


def _feeds(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = _store(args)
    if args.check:
        return _feeds_check(config, store, args.json)
    interval = timedelta(minutes=args.interval) if args.interval > 0 else None
    states = history.feed_states(store.engine)
    feeds = _known_feeds(config.feeds, states)
    now = datetime.now(UTC)
    rows = [_feed_json(feed, states.get(feed.id), interval, config) for feed in feeds]
    if args.json:
        _emit({"interval_minutes": args.interval or None, "feeds": rows})
        return 0
    _console().print(_feeds_table(rows, states, now))
    return 0


def _known_feeds(configured: Iterable[Feed], states: dict[str, history.FeedState]) -> list[Feed]:
    """Configured feeds first, then feeds the store remembers but the config no longer has."""
    feeds = list(configured)
    known = {f.id for f in feeds}
    feeds += [Feed(id=s.feed_id, url=s.url) for s in states.values() if s.feed_id not in known]
    return feeds


def _feed_json(
    feed: Feed, state: history.FeedState | None, interval: timedelta | None, config: Config
) -> dict[str, Any]:
    attempt = state.last_attempt_at if state else None
    upcoming = history.next_poll(attempt, interval)
    return {
        "id": feed.id,
        "name": feed.label,
        "url": redact_url(feed.url),
        "in_config": any(f.id == feed.id for f in config.feeds),
        "last_attempt_at": _iso(attempt),
        "last_success_at": _iso(state.last_success_at) if state else None,
        "consecutive_failures": state.consecutive_failures if state else 0,
        "last_error": state.last_error if state else None,
        "last_new_report_at": _iso(state.last_new_report_at) if state else None,
        "next_poll_at": _iso(upcoming),
    }


def _feeds_table(
    rows: list[dict[str, Any]], states: dict[str, history.FeedState], now: datetime
) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("feed", overflow="fold", min_width=10)
    table.add_column("last ok", no_wrap=True, min_width=8)
    table.add_column("fails", justify="right", no_wrap=True, min_width=5)
    table.add_column("why (last error)", overflow="fold", min_width=16)
    table.add_column("last new", no_wrap=True, min_width=8)
    table.add_column("next poll", no_wrap=True, min_width=11)
    for row in rows:
        state = states.get(row["id"])
        fails = row["consecutive_failures"]
        table.add_row(
            _cell(row["id"] + ("" if row["in_config"] else " (not in config)"), "bold"),
            _ago(state.last_success_at, now) if state else "never",
            Text(str(fails), style="red" if fails else ""),
            _cell(row["last_error"] or "", "red"),
            _ago(state.last_new_report_at, now) if state else "never",
            _next_poll_text(row["next_poll_at"], now),
        )
    return table


def _next_poll_text(next_poll_at: str | None, now: datetime) -> str:
    if next_poll_at is None:
        return "on next run"
    due = datetime.fromisoformat(next_poll_at)
    return f"in {_span(due - now)}" if due > now else f"overdue {_span(now - due)}"


def redact_url(url: str) -> str:
    """A feed URL without any user:password part (tokens in URLs belong to the user)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def _feeds_check(config: Config, store: Store, as_json: bool) -> int:
    """Poll every feed concurrently (stored validators, so unchanged feeds answer 304)."""
    from monitors.pipeline import poll_feed  # imports the stance engine: only when polling

    validators = store.validators()
    polls: list[FeedPoll] = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(stderr=True),
        transient=True,
        disable=as_json,
    )
    with progress, ThreadPoolExecutor(max_workers=config.fetch.concurrency) as pool:
        task = progress.add_task("polling feeds", total=len(config.feeds))
        futures = [
            pool.submit(poll_feed, feed, validators.get(feed.id, Validators()), config.fetch)
            for feed in config.feeds
        ]
        for future in as_completed(futures):
            polls.append(future.result())
            progress.update(task, advance=1, description=f"polled {polls[-1].feed.id}")
    order = {f.id: i for i, f in enumerate(config.feeds)}
    polls.sort(key=lambda p: order[p.feed.id])
    rows = [_check_json(p, len(store.unseen(list(p.reports)))) for p in polls]
    if as_json:
        _emit({"checked": rows})
    else:
        _console().print(_check_table(rows))
    return 1 if any(not r["ok"] for r in rows) else 0


def _check_json(poll: FeedPoll, new: int) -> dict[str, Any]:
    return {
        "id": poll.feed.id,
        "ok": poll.ok,
        "not_modified": poll.not_modified,
        "entries": len(poll.reports),
        "new": new,
        "error": poll.error,
    }


def _check_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("feed", overflow="fold", min_width=10)
    table.add_column("result", no_wrap=True, min_width=9)
    table.add_column("entries", justify="right", no_wrap=True, min_width=7)
    table.add_column("new", justify="right", no_wrap=True, min_width=3)
    table.add_column("detail", overflow="fold", min_width=20)
    for row in rows:
        result = (
            Text("unchanged", style="dim")
            if row["not_modified"]
            else Text("ok", style="green")
            if row["ok"]
            else Text("FAILED", style="bold red")
        )
        table.add_row(
            _cell(row["id"], "bold"),
            result,
            str(row["entries"]),
            str(row["new"]),
            _cell(row["error"] or "", "red"),
        )
    return table


# --- alerts --------------------------------------------------------------------------------------


def _alerts(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.action == "retry":
        requeued = store.retry_failed()
        if args.json:
            _emit({"requeued": requeued})
        else:
            print(f"re-queued {requeued} failed alert(s)")
        return 0
    items = store.outbox(status=args.status)
    counts = {s: 0 for s in ("pending", "delivered", "failed")}
    for item in store.outbox():
        counts[item.status] = counts.get(item.status, 0) + 1
    if args.json:
        _emit({"counts": counts, "alerts": [_outbox_json(i) for i in items]})
        return 0
    console = _console()
    console.print(", ".join(f"{n} {s}" for s, n in counts.items()))
    if items:
        console.print(_outbox_table(items))
    return 0


def _outbox_json(item: OutboxItem) -> dict[str, Any]:
    alert = item.alert
    return {
        "id": item.id,
        "channel": item.channel,
        "status": item.status,
        "attempts": item.attempts,
        "last_error": item.last_error,
        "claim_id": alert.claim_id,
        "headline": alert.headline,
        "verdict": alert.verdict.value,
        "report_title": alert.report_title,
        "report_link": alert.report_link,
        "feed_id": alert.feed_id,
        "created_at": _iso(alert.created_at),
    }


def _outbox_table(items: list[OutboxItem]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True, min_width=2)
    table.add_column("channel", overflow="fold", min_width=8, max_width=16)
    table.add_column("status", no_wrap=True, min_width=9)
    table.add_column("tries", justify="right", no_wrap=True, min_width=5)
    table.add_column("alert / report / last error", overflow="fold", min_width=20)
    status_style = {"delivered": "green", "failed": "bold red", "pending": "yellow"}
    for item in items:
        detail = Text(" ".join(plain(item.alert.headline).split()), style="bold")
        detail.append("\n" + " ".join(plain(item.alert.report_title).split()), style="")
        if item.last_error:
            detail.append("\n" + " ".join(plain(item.last_error).split()), style="red")
        table.add_row(
            str(item.id),
            _cell(item.channel),
            Text(item.status, style=status_style.get(item.status, "")),
            str(item.attempts),
            detail,
        )
    return table


# --- replay --------------------------------------------------------------------------------------


def _replay(args: argparse.Namespace) -> int:
    from monitors.replay import replay_claims

    config = load_config(args.config)
    store = _store(args)
    result = replay_claims(store, config, args.claim, args.since, send=args.send)
    delivery = _deliver(store, config) if args.send else None
    if args.json:
        _emit(
            {
                "dry_run": not args.send,
                "reports": result.reports,
                "alerts": [_alert_json(a) for a in result.alerts],
                "delivery": delivery,
            }
        )
        return 0
    _print_replay(result.reports, result.alerts, args.send, delivery)
    return 0 if not delivery or not delivery["errors"] else 1


def _deliver(store: Store, config: Config) -> dict[str, Any]:
    from alerts.deliver import deliver_configured

    result = deliver_configured(store, config.channels)
    return {"sent": result.sent, "pending": result.pending, "errors": list(result.errors)}


def _alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "claim_id": alert.claim_id,
        "headline": alert.headline,
        "verdict": alert.verdict.value,
        "previous_state": alert.previous_state.value,
        "new_state": alert.new_state.value,
        "report_title": alert.report_title,
        "report_link": alert.report_link,
        "feed_id": alert.feed_id,
        "published": _iso(alert.published),
    }


def _print_replay(
    reports: int, alerts: Sequence[Alert], sent: bool, delivery: dict[str, Any] | None
) -> None:
    console = _console()
    if sent:
        console.print(f"{reports} stored report(s) replayed; {len(alerts)} alert(s) queued")
    else:
        console.print(
            f"dry run: {reports} stored report(s) replayed; {len(alerts)} alert(s) would have "
            "been queued. Nothing was written or sent (--send to do it).",
            soft_wrap=True,
        )
    if alerts:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("claim", overflow="fold", min_width=10)
        table.add_column("change", no_wrap=True, min_width=25)
        table.add_column("report", overflow="fold", min_width=16)
        table.add_column("feed", overflow="fold", min_width=8)
        for alert in alerts:
            change = f"{alert.previous_state.value} → {alert.new_state.value}"
            style = _VERDICT_STYLE.get(alert.verdict.value, "")
            table.add_row(
                _cell(alert.claim_id), Text(change, style=style), _cell(alert.report_title),
                _cell(alert.feed_id),
            )  # fmt: skip
        console.print(table)
    if delivery is not None:
        console.print(f"delivered {delivery['sent']}, still pending {delivery['pending']}")
        for error in delivery["errors"]:
            console.print(Text(f"delivery error: {plain(error)}", style="red"), soft_wrap=True)


# --- report --------------------------------------------------------------------------------------


def _report(args: argparse.Namespace) -> int:
    from monitors.report_html import ClaimPage, render_report

    config = load_config(args.config)
    claims = [config.claim(cid) for cid in args.claim] if args.claim else list(config.claims)
    store = _store(args)
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


def _eval(args: argparse.Namespace) -> int:
    from monitors.evaluate import main as evaluate_main

    return evaluate_main(args.rest)


if __name__ == "__main__":
    raise SystemExit(main())
