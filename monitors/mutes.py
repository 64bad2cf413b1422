"""Mutes: the desk silencing one claim, one feed or one outlet for a while, without editing YAML.

A mute holds back *alerts* only. Reports are still polled, their evidence is recorded and the
claim's state still moves; the alert is kept in the outbox as ``suppressed`` with the mute as its
reason, and is not sent when the mute ends (a flood that is over is not worth replaying).

Kinds and what they match (``target``):

- ``claim``: a claim id; every alert about the claim is held back;
- ``feed``: a feed id; a report from that feed does not alert;
- ``source``: a host name ("rt.com"); a report whose link is on that host or a subdomain of it
  does not alert, whichever feed carried it (outlets are syndicated through several feeds).

An alert groups syndicated copies of a story (``policy.decide``): it is held back by feed and
source mutes only when *every* copy is muted; otherwise it is built around an unmuted copy.

Everything here is pure: the store reads ``Mute`` rows, the CLI validates what the desk typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from monitors.errors import ConfigError
from monitors.models import Report
from monitors.outlets import link_host, normal_host

T = TypeVar("T")


class MuteKind(StrEnum):
    CLAIM = "claim"
    FEED = "feed"
    SOURCE = "source"


@dataclass(frozen=True)
class Mute:
    """One row of the ``mutes`` table. Append-only: lifting sets ``lifted_at``."""

    id: int
    kind: MuteKind
    target: str
    until: datetime | None  # None: until lifted
    reason: str | None
    created_by: str
    created_at: datetime
    lifted_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        """Neither lifted nor expired at ``now``."""
        return self.lifted_at is None and (self.until is None or self.until > now)

    def describe(self) -> str:
        """``feed rt until 2026-12-05 09:00 UTC (by ana: flooding)``: what, how long, who, why."""
        why = f"by {self.created_by}: {self.reason}" if self.reason else f"by {self.created_by}"
        return f"{self.kind.value} {self.target} {until_text(self.until)} ({why})"


def until_text(until: datetime | None) -> str:
    return "until lifted" if until is None else f"until {until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


# --- the rule -------------------------------------------------------------------------------------


def active(mutes: Iterable[Mute], now: datetime) -> tuple[Mute, ...]:
    """The mutes that hold at ``now`` (lifted and expired ones are history)."""
    return tuple(m for m in mutes if m.is_active(now))


def claim_mute(claim_id: str, mutes: Sequence[Mute]) -> Mute | None:
    """The active mute of this claim, if any (``mutes`` already filtered by ``active``)."""
    return next((m for m in mutes if m.kind is MuteKind.CLAIM and m.target == claim_id), None)


def report_mute(report: Report, mutes: Sequence[Mute]) -> Mute | None:
    """The feed or source mute that silences this report, if any."""
    host = link_host(report.link)
    for mute in mutes:
        if mute.kind is MuteKind.FEED and mute.target == report.feed_id:
            return mute
        if mute.kind is MuteKind.SOURCE and host is not None and on_host(host, mute.target):
            return mute
    return None


def muted_reason(claim_id: str, reports: Sequence[Report], mutes: Sequence[Mute]) -> str | None:
    """Why an alert about ``claim_id`` carried by ``reports`` is held back, or None.

    Held back when the claim is muted, or when every report is from a muted feed or source: one
    unmuted outlet carrying the story is enough for the desk to hear about it.
    """
    muted = claim_mute(claim_id, mutes)
    if muted is not None:
        return f"muted: {muted.describe()}"
    by_report = [report_mute(r, mutes) for r in reports]
    if not reports or any(m is None for m in by_report):
        return None
    distinct = dict.fromkeys(m.describe() for m in by_report if m is not None)
    return "muted: " + "; ".join(distinct)


def unmuted_first(items: Sequence[T], reports: Sequence[Report], mutes: Sequence[Mute]) -> list[T]:
    """``items`` (one per report) with those of unmuted reports first, each part in order: the
    alert's headline and link come from an outlet the desk still wants to hear."""
    muted = [report_mute(r, mutes) is not None for r in reports]
    pairs = list(zip(items, muted, strict=True))
    return [i for i, m in pairs if not m] + [i for i, m in pairs if m]


# --- hosts ----------------------------------------------------------------------------------------

_LABEL = r"(?!-)[\w-]{1,63}(?<!-)"
_HOST = re.compile(rf"{_LABEL}(\.{_LABEL})+")


def on_host(host: str, target: str) -> bool:
    """``host`` is ``target`` or a subdomain of it: ``de.rt.com`` is on rt.com, ``notrt.com``
    is not."""
    return host == target or host.endswith("." + target)


# --- what the desk typed --------------------------------------------------------------------------


def mute_target(
    kind: MuteKind, target: str, claim_ids: Sequence[str], feed_ids: Sequence[str]
) -> str:
    """The target as stored, checked against the selected config's claim and feed ids: a claim
    or feed must be one it defines (a typo would silence nothing), a source a host name."""
    if kind is MuteKind.SOURCE:
        return source_target(target)
    known, section = (claim_ids, "claims") if kind is MuteKind.CLAIM else (feed_ids, "feeds")
    if target not in known:
        problem = f"no {kind.value} with id '{target}' (known: {', '.join(known) or 'none'})"
        raise ConfigError(section, [problem])
    return target


def source_target(target: str) -> str:
    """A source mute's host name, normalised; a URL or a bare word is refused with an example."""
    host = normal_host(target)
    if not _HOST.fullmatch(host) or "_" in host:
        raise ConfigError(
            "mute",
            [f"source '{target}' is not a host name; give the outlet's host, e.g. rt.com"],
        )
    return host


_PERIOD = re.compile(r"(-?\d+)\s*([mhd])")
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


def parse_period(text: str) -> timedelta:
    """``30m``, ``6h`` or ``2d`` as a time span (sign kept: ``mute_until`` refuses it)."""
    found = _PERIOD.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError(f"'{text}' is not a period; write minutes, hours or days: 30m, 6h, 2d")
    return int(found.group(1)) * _UNIT[found.group(2)]


def mute_until(now: datetime, period: timedelta | None, until: datetime | None) -> datetime | None:
    """When a new mute ends (None: until lifted); a period that is not positive, or an end that
    is not in the future, would silence nothing and is refused."""
    if period is not None and until is not None:
        raise ConfigError("mute", ["give --for or --until, not both"])
    if period is not None:
        if period <= timedelta(0):
            raise ConfigError("mute", ["--for must be a positive period, such as 30m, 6h or 2d"])
        return now + period
    if until is not None and until <= now:
        raise ConfigError(
            "mute",
            [f"--until {until.isoformat()} is in the past; give a later time, or --for 6h"],
        )
    return until
