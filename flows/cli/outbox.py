"""Commands about the alert outbox: ``alerts`` (list, retry) and ``replay``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from flows.cli.args import add_command, add_json_flag, iso_time, open_store
from flows.cli.output import VERDICT_STYLE, cell, emit, iso, make_console, plain
from flows.config import load_config
from monitors.config import Config
from monitors.models import Alert
from monitors.state.store import OutboxItem, Store


def add_parser(sub: Any) -> None:
    alerts = add_command(sub, "alerts", "the alert outbox; 'alerts retry' re-queues failed alerts")
    alerts.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    alerts.add_argument(
        "--status", choices=["pending", "delivered", "failed"], help="list only these"
    )
    add_json_flag(alerts)
    alerts.set_defaults(handler=_alerts)
    _add_replay(sub)


def _add_replay(sub: Any) -> None:
    replay = add_command(
        sub, "replay", "run claims over stored reports: what would have alerted (dry run)"
    )
    replay.add_argument(
        "--claim", action="append", default=[], metavar="ID", help="only this claim (repeatable)"
    )
    replay.add_argument(
        "--since", type=iso_time, help="only reports published at or after this ISO time (UTC)"
    )
    replay.add_argument(
        "--send", action="store_true", help="queue the alerts for real, then deliver the outbox"
    )
    add_json_flag(replay)
    replay.set_defaults(handler=_replay)


# --- alerts --------------------------------------------------------------------------------------


def _alerts(args: argparse.Namespace) -> int:
    store = open_store(args)
    if args.action == "retry":
        requeued = store.retry_failed()
        if args.json:
            emit({"requeued": requeued})
        else:
            print(f"re-queued {requeued} failed alert(s)")
        return 0
    items = store.outbox(status=args.status)
    counts = {s: 0 for s in ("pending", "delivered", "failed")}
    for item in store.outbox():
        counts[item.status] = counts.get(item.status, 0) + 1
    if args.json:
        emit({"counts": counts, "alerts": [_outbox_json(i) for i in items]})
        return 0
    console = make_console()
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
        "created_at": iso(alert.created_at),
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
            cell(item.channel),
            Text(item.status, style=status_style.get(item.status, "")),
            str(item.attempts),
            detail,
        )
    return table


# --- replay --------------------------------------------------------------------------------------


def _replay(args: argparse.Namespace) -> int:
    from monitors.replay import replay_claims

    config = load_config(args.config)
    store = open_store(args, config)
    result = replay_claims(store, config, args.claim, args.since, send=args.send)
    delivery = deliver_now(store, config) if args.send else None
    if args.json:
        emit(
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


def deliver_now(store: Store, config: Config) -> dict[str, Any]:
    """Deliver the outbox now (after ``replay --send`` or a verdict), for printing or JSON."""
    from alerts.deliver import deliver_configured

    result = deliver_configured(store, config.channels, config.delivery)
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
        "published": iso(alert.published),
    }


def _print_replay(
    reports: int, alerts: Sequence[Alert], sent: bool, delivery: dict[str, Any] | None
) -> None:
    console = make_console()
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
            style = VERDICT_STYLE.get(alert.verdict.value, "")
            table.add_row(
                cell(alert.claim_id), Text(change, style=style), cell(alert.report_title),
                cell(alert.feed_id),
            )  # fmt: skip
        console.print(table)
    if delivery is not None:
        console.print(f"delivered {delivery['sent']}, still pending {delivery['pending']}")
        for error in delivery["errors"]:
            console.print(Text(f"delivery error: {plain(error)}", style="red"), soft_wrap=True)
