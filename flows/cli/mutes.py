"""Commands that silence a claim, a feed or an outlet for a while: ``mute``, ``unmute``, ``mutes``.

A mute holds back alerts only (``monitors.mutes``): reports are still polled and recorded and
claim states still move, so ``status`` and ``evidence`` stay true while the desk has quiet. The
helpers at the end are what ``status`` and ``feeds`` show of the mutes in force.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from flows.cli.args import add_command, add_json_flag, iso_time, open_store
from flows.cli.output import cell, emit, iso, make_console, plain, stamp
from flows.config import load_config
from monitors.errors import ConfigError
from monitors.feedback import default_analyst
from monitors.mutes import (
    Mute,
    MuteKind,
    mute_target,
    mute_until,
    parse_period,
    source_target,
)

KINDS = [k.value for k in MuteKind]
MAX_BY = 128  # the mutes.created_by column


def add_parser(sub: Any) -> None:
    mute = add_command(
        sub, "mute", "hold back alerts about a claim, from a feed or from a source (host)"
    )
    _add_target(mute)
    period = mute.add_mutually_exclusive_group()
    period.add_argument(
        "--for", dest="period", type=_period, metavar="PERIOD", help="for 30m, 6h, 2d, ..."
    )
    period.add_argument("--until", type=iso_time, help="until this ISO time (UTC unless given)")
    mute.add_argument("--reason", help="why, shown with every alert it holds back")
    mute.add_argument("--by", help="who mutes (default: $CLAIMWATCH_ANALYST, else the OS user)")
    add_json_flag(mute)
    mute.set_defaults(handler=_mute)

    unmute = add_command(sub, "unmute", "lift every active mute of a claim, feed or source")
    _add_target(unmute)
    add_json_flag(unmute)
    unmute.set_defaults(handler=_unmute)

    mutes = add_command(sub, "mutes", "the mutes in force (--all: lifted and expired ones too)")
    mutes.add_argument("--all", action="store_true", help="include lifted and expired mutes")
    add_json_flag(mutes)
    mutes.set_defaults(handler=_mutes)


def _add_target(command: argparse.ArgumentParser) -> None:
    command.add_argument("kind", choices=KINDS, help="what TARGET names")
    command.add_argument("target", help="a claim id, a feed id, or a host name such as rt.com")


def _period(text: str) -> timedelta:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _by(given: str | None) -> str:
    """Who mutes: ``--by``, else who a verdict would name (``monitors.feedback``)."""
    name = given if given is not None else default_analyst()
    name = " ".join(plain(name).split())
    if not name or len(name) > MAX_BY:
        raise ConfigError("mute", [f"--by must name who mutes, 1-{MAX_BY} characters"])
    return name


# --- mute / unmute -------------------------------------------------------------------------------


def _mute(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    kind = MuteKind(args.kind)
    claim_ids, feed_ids = [c.id for c in config.claims], [f.id for f in config.feeds]
    target = mute_target(kind, args.target, claim_ids, feed_ids)
    until = mute_until(datetime.now(UTC), args.period, args.until)
    by = _by(args.by)
    reason = " ".join(plain(args.reason or "").split()) or None  # one line in every listing
    mute = open_store(args).mute(kind, target, until, reason, by)
    if args.json:
        emit({"mute": mute_json(mute)})
        return 0
    print(
        plain(f"muted {mute.describe()}: its alerts are held back (kept in the outbox as "
              "suppressed); reports are still polled and recorded, claim states still move")
    )  # fmt: skip
    return 0


def _unmute(args: argparse.Namespace) -> int:
    kind = MuteKind(args.kind)
    target = source_target(args.target) if kind is MuteKind.SOURCE else args.target
    store = open_store(args)
    lifted = store.unmute(kind, target)
    if args.json:
        emit({"lifted": [mute_json(m) for m in lifted]})
        return 0
    if not lifted:
        holding = ", ".join(f"{m.kind.value} {m.target}" for m in store.mutes()) or "none"
        print(plain(f"no active mute of {kind.value} {target} (active: {holding})"))
        return 0
    for mute in lifted:
        print(plain(f"lifted: {mute.describe()}"))
    return 0


# --- mutes ---------------------------------------------------------------------------------------


def _mutes(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    mutes = open_store(args).mutes(now=now, include_inactive=args.all)
    if args.json:
        emit({"mutes": [mute_json(m, now) for m in mutes]})
        return 0
    console = make_console()
    if not mutes:
        console.print("no mutes" if args.all else "no mutes in force")
        return 0
    console.print(_mutes_table(mutes, now))
    return 0


def mute_status(mute: Mute, now: datetime) -> str:
    """``active``, ``lifted`` or ``expired``."""
    if mute.lifted_at is not None:
        return "lifted"
    return "active" if mute.is_active(now) else "expired"


def mute_json(mute: Mute, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": mute.id,
        "kind": mute.kind.value,
        "target": mute.target,
        "until": iso(mute.until),
        "reason": mute.reason,
        "created_by": mute.created_by,
        "created_at": iso(mute.created_at),
        "lifted_at": iso(mute.lifted_at),
        "status": mute_status(mute, now or datetime.now(UTC)),
    }


def _mutes_table(mutes: Sequence[Mute], now: datetime) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True, min_width=2)
    table.add_column("muted", overflow="fold", min_width=12)
    table.add_column("until", no_wrap=True, min_width=11)
    table.add_column("status", no_wrap=True, min_width=7)
    table.add_column("by, reason", overflow="fold", min_width=16)
    style = {"active": "yellow", "lifted": "dim", "expired": "dim"}
    for mute in mutes:
        status = mute_status(mute, now)
        who = cell(mute.created_by, "bold")
        if mute.reason:
            who.append(": " + " ".join(plain(mute.reason).split()), style="")
        table.add_row(
            str(mute.id),
            cell(f"{mute.kind.value} {mute.target}"),
            stamp(mute.until) if mute.until else "when lifted",
            Text(status, style=style[status]),
            who,
        )
    return table


# --- what status and feeds show ------------------------------------------------------------------


def holding(mutes: Sequence[Mute], kind: MuteKind, target: str) -> Mute | None:
    """The active mute of ``target`` that lasts longest (``mutes``: the active ones)."""
    found = [m for m in mutes if m.kind is kind and m.target == target]
    if not found:
        return None
    return max(found, key=lambda m: (m.until is None, m.until or m.created_at))


def muted_json(mute: Mute | None) -> dict[str, Any] | None:
    """The ``muted`` object of a claim or feed in ``status --json`` and ``feeds --json``."""
    if mute is None:
        return None
    return {k: v for k, v in mute_json(mute).items() if k not in ("kind", "target", "status")}


def muted_marker(mute: Mute, now: datetime) -> Text:
    """``muted until 12-05 09:00 UTC`` under the claim or feed, short enough for a narrow first
    column (the year only when it is not this one's)."""
    if mute.until is None:
        return Text("muted until lifted", style="yellow")
    until = mute.until.astimezone(UTC)
    shown = f"{until:%m-%d %H:%M}" if until.year == now.year else f"{until:%Y-%m-%d %H:%M}"
    return Text(f"muted until {shown} UTC", style="yellow")
