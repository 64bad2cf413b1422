"""Coverage without a verdict: many outlets write about a claim, and none of it decides it.

A claim that stays ``unknown`` while a story breaks everywhere is a miss the alerts never show:
every report mentions the subject, and the engine found no sentence that confirms or contradicts
it (or found one too unsure to count). ``undecided_coverage`` says when that is so, as a pure
decision over the claim's evidence rows; ``monitors.state.history.coverage_rows`` reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitors.models import Verdict
from monitors.outlets import outlet_of

DEFAULT_WINDOW = timedelta(hours=24)
DEFAULT_MIN_REPORTS = 5
DEFAULT_MIN_OUTLETS = 3
TITLES_SHOWN = 3  # the newest titles an UndecidedCoverage carries, for the operator to read

_DECIDING = frozenset({Verdict.CONFIRM, Verdict.CONTRADICT, Verdict.DISPUTED})


@dataclass(frozen=True)
class CoverageSettings:
    """When coverage counts as undecided: at least ``min_reports`` reports from at least
    ``min_outlets`` outlets within ``window`` (``coverage:`` in claims.yaml)."""

    window: timedelta = DEFAULT_WINDOW
    min_reports: int = DEFAULT_MIN_REPORTS
    min_outlets: int = DEFAULT_MIN_OUTLETS


@dataclass(frozen=True)
class CoverageRow:
    """One evidence row of a claim: what the engine said about one version of one report."""

    feed_id: str
    report_id: str
    verdict: Verdict
    score: float
    title: str
    link: str | None
    when: datetime  # the report's publication time, else when it was recorded


@dataclass(frozen=True)
class UndecidedCoverage:
    """A claim widely reported on in the window with no report that decides it."""

    claim_id: str
    reports: int
    outlets: int
    window: timedelta
    titles: tuple[str, ...]  # the newest first, at most TITLES_SHOWN

    def line(self) -> str:
        """The operator's sentence, e.g. "undecided: 9 reports from 4 outlets in 24 h, none
        confirms or contradicts"."""
        return (
            f"undecided: {self.reports} reports from {self.outlets} outlets in "
            f"{window_phrase(self.window)}, none confirms or contradicts"
        )


def window_phrase(window: timedelta) -> str:
    """``24 h``, ``90 min`` or ``1.5 h``: hours when whole, else minutes when whole."""
    hours = window.total_seconds() / 3600
    if hours == int(hours):
        return f"{int(hours)} h"
    minutes = window.total_seconds() / 60
    return f"{int(minutes)} min" if minutes == int(minutes) else f"{hours:g} h"


def undecided_coverage(
    claim_id: str,
    rows: Sequence[CoverageRow],
    threshold: float,
    now: datetime,
    settings: CoverageSettings = CoverageSettings(),
) -> UndecidedCoverage | None:
    """The claim's undecided coverage in the window ending at ``now``, or None.

    None when a row in the window decides the claim (a confirm, contradict or disputed verdict
    scoring at least ``threshold``), or when fewer than ``settings.min_reports`` reports or
    ``settings.min_outlets`` outlets wrote about it. A decisive verdict below the threshold is
    coverage like a neutral mention: it did not count, so it did not decide anything either.
    """
    start = now - settings.window
    recent = [r for r in rows if r.when >= start and r.verdict is not Verdict.UNRELATED]
    if any(_decides(r, threshold) for r in recent):
        return None
    reports = {(r.feed_id, r.report_id) for r in recent}
    outlets = {outlet_of(r.feed_id, r.link) for r in recent}
    if len(reports) < settings.min_reports or len(outlets) < settings.min_outlets:
        return None
    return UndecidedCoverage(
        claim_id=claim_id,
        reports=len(reports),
        outlets=len(outlets),
        window=settings.window,
        titles=_newest_titles(recent),
    )


def _decides(row: CoverageRow, threshold: float) -> bool:
    return row.verdict in _DECIDING and row.score >= threshold


def _newest_titles(rows: Sequence[CoverageRow]) -> tuple[str, ...]:
    """Distinct titles, newest report first."""
    titles: list[str] = []
    for row in sorted(rows, key=lambda r: r.when, reverse=True):
        if row.title and row.title not in titles:
            titles.append(row.title)
        if len(titles) == TITLES_SHOWN:
            break
    return tuple(titles)
