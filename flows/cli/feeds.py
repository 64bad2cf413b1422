"""``feeds``: feed health from stored state, or with ``--check`` a live poll of every feed.

``feeds import|export|discover`` (OPML in and out, feeds found from a page) are in ``feeds_io``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from rich import box
from rich.console import Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from flows.cli.args import add_command, add_json_flag, open_store
from flows.cli.feeds_io import ACTIONS, add_arguments, check_usage
from flows.cli.feeds_io import run as run_action
from flows.cli.mutes import holding, mute_json, muted_json, muted_marker
from flows.cli.output import ago, cell, duration, emit, iso, make_console
from flows.config import load_config
from monitors.config import Config
from monitors.models import Feed, Validators
from monitors.mutes import Mute, MuteKind, until_text
from monitors.state import history
from monitors.state.store import Store

if TYPE_CHECKING:
    from monitors.ingest.poll import FeedPoll

DEFAULT_INTERVAL_MINUTES = 15.0


def add_parser(sub: Any) -> None:
    feeds = add_command(
        sub,
        "feeds",
        "feed health: last success, failures and why, next poll; import/export OPML, discover",
    )
    feeds.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=ACTIONS,
        help="list (default): feed health; import FILE.opml; export [-o FILE]; discover URL",
    )
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
    add_arguments(feeds)
    add_json_flag(feeds)
    feeds.set_defaults(handler=_feeds)


def redact_url(url: str) -> str:
    """A feed URL without any user:password part (tokens in URLs belong to the user)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


# --- feed health ---------------------------------------------------------------------------------


def _feeds(args: argparse.Namespace) -> int:
    check_usage(args)
    if args.action != "list":
        return run_action(args)
    config = load_config(args.config)
    store = open_store(args)
    if args.check:
        return _feeds_check(config, store, args.json)
    interval = timedelta(minutes=args.interval) if args.interval > 0 else None
    states = history.feed_states(store.engine)
    feeds = _known_feeds(config.feeds, states)
    now = datetime.now(UTC)
    active = store.mutes(now=now)
    rows = [_feed_json(feed, states.get(feed.id), interval, config) for feed in feeds]
    for row in rows:
        row["muted"] = muted_json(holding(active, MuteKind.FEED, row["id"]))
    sources = [m for m in active if m.kind is MuteKind.SOURCE]
    if args.json:
        emit(
            {
                "interval_minutes": args.interval or None,
                "feeds": rows,
                "source_mutes": [mute_json(m, now) for m in sources],
            }
        )
        return 0
    console = make_console()
    console.print(_feeds_table(rows, states, now, active))
    for note in feed_notes(rows):
        console.print(cell(note, "yellow"))  # URLs and errors came from servers
    for note in source_mute_notes(sources):
        console.print(cell(note, "yellow"))
    return 0


def source_mute_notes(mutes: Iterable[Mute]) -> list[str]:
    """Source mutes cut across feeds, so they are listed under the table, one line each."""
    return [
        f"source {m.target} muted {until_text(m.until)} (by {m.created_by}"
        + (f": {m.reason})" if m.reason else ")")
        + ": alerts from its links are held back, whichever feed carries them"
        for m in mutes
    ]


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
    # What the store decided about this URL; a URL changed in feeds.yaml starts afresh.
    current = state if state and feed.url in (state.url, state.moved_to) else None
    upcoming = history.next_poll(attempt, interval)
    waits = current.next_poll_at if current else None
    if waits is not None and (upcoming is None or waits > upcoming):
        upcoming = waits  # backoff or Retry-After: no run polls it before then
    moved = current.moved_for(feed.url) if current else None
    disabled = current is not None and current.disabled_at is not None
    return {
        "id": feed.id,
        "name": feed.label,
        "url": redact_url(feed.url),
        "moved_to": redact_url(moved) if moved else None,
        "disabled_at": iso(current.disabled_at) if current and disabled else None,
        "disabled_reason": current.disabled_reason if current and disabled else None,
        "failing_since": iso(current.failing_since) if current else None,
        "in_config": any(f.id == feed.id for f in config.feeds),
        "last_attempt_at": iso(attempt),
        "last_success_at": iso(state.last_success_at) if state else None,
        "consecutive_failures": state.consecutive_failures if state else 0,
        "last_error": state.last_error if state else None,
        "last_new_report_at": iso(state.last_new_report_at) if state else None,
        "next_poll_at": None if disabled else iso(upcoming),
    }


def _feeds_table(
    rows: list[dict[str, Any]],
    states: dict[str, history.FeedState],
    now: datetime,
    mutes: Sequence[Mute] = (),
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
        name = cell(row["id"] + ("" if row["in_config"] else " (not in config)"), "bold")
        mute = holding(mutes, MuteKind.FEED, row["id"])
        table.add_row(
            Group(name, muted_marker(mute, now)) if mute else name,
            ago(state.last_success_at, now) if state else "never",
            Text(str(fails), style="red" if fails else ""),
            cell(row["last_error"] or "", "red"),
            ago(state.last_new_report_at, now) if state else "never",
            _next_poll_text(row["next_poll_at"], now, row["disabled_at"] is not None),
        )
    return table


def feed_notes(rows: list[dict[str, Any]]) -> list[str]:
    """What the operator should do about moved and disabled feeds, one line each."""
    notes = []
    for row in rows:
        if row["moved_to"]:
            notes.append(
                f"{row['id']} moved permanently (301) from {row['url']} to {row['moved_to']} "
                "and is polled there: update its url in feeds.yaml"
            )
        if row["disabled_at"]:
            notes.append(
                f"{row['id']} is disabled since {row['disabled_at']} ({row['disabled_reason']}): "
                "remove it from feeds.yaml, or change its url there to poll it again"
            )
    return notes


def _next_poll_text(next_poll_at: str | None, now: datetime, disabled: bool = False) -> str:
    if disabled:
        return "disabled"
    if next_poll_at is None:
        return "on next run"
    due = datetime.fromisoformat(next_poll_at)
    return f"in {duration(due - now)}" if due > now else f"overdue {duration(now - due)}"


# --- feeds --check -------------------------------------------------------------------------------


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
        console=make_console(stderr=True),
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
        emit({"checked": rows})
    else:
        make_console().print(_check_table(rows))
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
            cell(row["id"], "bold"),
            result,
            str(row["entries"]),
            str(row["new"]),
            cell(row["error"] or "", "red"),
        )
    return table
