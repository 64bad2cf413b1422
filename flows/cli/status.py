"""``status``: where every claim stands, readable in an 80-column terminal.

One block per claim rather than a table: the statement is what an analyst recognises, and in a
table's first column at 80 columns it would be cut to a few words. Each block: the id, the state
and when it last changed; the statement; the counts; the latest decisive report; and, when they
apply, the mute that holds its alerts back and the coverage that decides nothing.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.text import Text

from flows.cli.args import add_command, add_json_flag, open_store
from flows.cli.mutes import holding, muted_json, muted_marker
from flows.cli.output import STATE_STYLE, ago, emit, iso, make_console, plain, print_indented
from flows.config import load_config
from monitors.coverage import UndecidedCoverage
from monitors.models import ClaimState
from monitors.mutes import Mute, MuteKind
from monitors.state import history
from monitors.state.store import ClaimStatus

INDENT = 4  # the block's lines under the claim id; wrapped lines keep it
_ORDER = (ClaimState.CONFIRMED, ClaimState.CONTRADICTED, ClaimState.DISPUTED, ClaimState.UNKNOWN)


def add_parser(sub: Any) -> None:
    status = add_command(sub, "status", "each claim's state, statement, counts and latest report")
    add_json_flag(status)
    status.set_defaults(handler=_status)


def _status(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = open_store(args, config)
    ids = [c.id for c in config.claims]
    statuses = store.claim_statuses(config.claims)
    sources = history.independent_sources(store.engine, ids)
    changes = {cid: history.last_change(store.engine, cid) for cid in ids}
    now = datetime.now(UTC)
    active = store.mutes(now=now)
    muted = {cid: holding(active, MuteKind.CLAIM, cid) for cid in ids}
    coverage = history.undecided(store.engine, config.claims, config.coverage, now)
    statements = {c.id: c.statement for c in config.claims}
    if args.json:
        rows = [
            _status_json(s, sources[s.claim_id], changes[s.claim_id], muted[s.claim_id],
                         coverage[s.claim_id])
            for s in statuses
        ]  # fmt: skip
        emit({"claims": rows})
        return 0
    console = make_console()
    console.print(_overview(statuses))
    for s in statuses:
        console.print()
        block = _Block(s, statements[s.claim_id], sources[s.claim_id], changes[s.claim_id])
        block.print(console, muted[s.claim_id], coverage[s.claim_id], now)
    return 0


def _overview(statuses: list[ClaimStatus]) -> Text:
    """``3 claims: 1 confirmed, 1 contradicted, 1 unknown``."""
    counts = Counter(s.state for s in statuses)
    parts = ", ".join(f"{counts[state]} {state.value}" for state in _ORDER if counts[state])
    return Text(f"{len(statuses)} claim(s): {parts or 'none'}", style="bold")


class _Block:
    """One claim's lines."""

    def __init__(
        self, s: ClaimStatus, statement: str, sources: int, change: history.StateChange | None
    ) -> None:
        self.s, self.statement, self.sources, self.change = s, statement, sources, change

    def print(
        self, console: Console, mute: Mute | None, coverage: UndecidedCoverage | None, now: datetime
    ) -> None:
        console.print(self._head(now))
        for text in self._lines(mute, coverage, now):
            print_indented(console, text, INDENT)

    def _head(self, now: datetime) -> Text:
        state = self.s.state.value
        changed = f"changed {ago(self.change.recorded, now)}" if self.change else "never changed"
        return Text.assemble(
            (plain(self.s.claim_id), "bold"),
            "  ",
            (state.upper(), STATE_STYLE.get(state, "bold")),
            "  ",
            (changed, "dim"),
        )

    def _lines(
        self, mute: Mute | None, coverage: UndecidedCoverage | None, now: datetime
    ) -> list[Text]:
        s = self.s
        counts = (
            f"{s.confirming} confirm · {s.contradicting} contradict · {s.neutral} mention(s) · "
            f"{self.sources} independent source(s)"
        )
        lines = [Text(" ".join(plain(self.statement).split())), Text(counts, style="dim")]
        set_by = self.change.evidence.title if self.change else None
        if set_by:
            lines.append(_titled("changed by: ", set_by))
        if s.latest_title and s.latest_title != set_by:
            lines.append(_titled("latest: ", s.latest_title))
        if mute is not None:  # its alerts are held back: say so where the desk looks
            lines.append(muted_marker(mute, now))
        if coverage is not None:  # a miss made visible: read widely, decided by nothing
            lines.append(Text(coverage.line(), style="yellow"))
        return lines


def _titled(label: str, title: str) -> Text:
    return Text.assemble((label, "dim"), " ".join(plain(title).split()))


def _coverage_json(found: UndecidedCoverage | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "reports": found.reports,
        "outlets": found.outlets,
        "window_hours": round(found.window.total_seconds() / 3600, 4),
        "titles": list(found.titles),
        "line": found.line(),
    }


def _status_json(
    s: ClaimStatus,
    sources: int,
    change: history.StateChange | None,
    mute: Mute | None,
    coverage: UndecidedCoverage | None,
) -> dict[str, Any]:
    return {
        "id": s.claim_id,
        "state": s.state.value,
        "muted": muted_json(mute),
        "confirming": s.confirming,
        "contradicting": s.contradicting,
        "neutral": s.neutral,
        "sources": sources,
        "last_change": change_json(change),
        "changed_at": iso(s.changed_at),
        "latest": s.latest_title,
        "latest_link": s.latest_link,
        "coverage": _coverage_json(coverage),
    }


def change_json(change: history.StateChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "from": change.previous.value,
        "to": change.state.value,
        "reported_at": iso(change.reported_at),
        "recorded_at": iso(change.recorded),
        "report": change.evidence.title,
        "feed": change.evidence.feed_id,
    }
