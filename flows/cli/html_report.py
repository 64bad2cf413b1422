"""The ``claimwatch report --html`` page: one self-contained HTML file, a section per claim.

A pure function from data to a string. No scripts, no external CSS, fonts or images: the chart is
inline SVG, and a Content-Security-Policy forbids loading anything. This module computes what the
page shows (cleaned text, counts, chart coordinates); ``templates/report.html.j2`` lays it out and
escapes every value. Feed text is hostile: it goes through ``monitors.untrusted.one_line``, and
only links ``untrusted.safe_link`` accepts become anchors.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from alerts.render.templating import html_environment
from monitors.models import Claim, ClaimState, Evidence, Verdict
from monitors.state.history import EvidenceRow, StateChange
from monitors.untrusted import one_line, safe_link

MAX_LISTED = 500  # evidence items listed per claim; the chart still plots all of them
MAX_TEXT = 600  # characters of any one feed-derived string shown

TEMPLATES = html_environment("flows.cli")  # report.html.j2

_COLOURS = {
    Verdict.CONFIRM: "#1a7f37",
    Verdict.CONTRADICT: "#cf222e",
    Verdict.DISPUTED: "#9a6700",
    Verdict.NEUTRAL: "#8c959f",
}
_OTHER_COLOUR = "#57606a"
_STATE_COLOURS = {
    ClaimState.CONFIRMED: _COLOURS[Verdict.CONFIRM],
    ClaimState.CONTRADICTED: _COLOURS[Verdict.CONTRADICT],
    ClaimState.DISPUTED: _COLOURS[Verdict.DISPUTED],
    ClaimState.UNKNOWN: _OTHER_COLOUR,
}


@dataclass(frozen=True)
class ClaimPage:
    """Everything one claim's section shows."""

    claim: Claim
    state: ClaimState
    evidence: Sequence[EvidenceRow]  # oldest first
    changes: Sequence[StateChange] = ()
    sources: int = 0  # distinct outlets (link hosts) with decisive evidence
    feed_names: dict[str, str] | None = None  # feed id -> display name


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render_report(pages: Sequence[ClaimPage], generated_at: datetime) -> str:
    """The whole page: header, a contents list, then one section per claim."""
    template = TEMPLATES.get_template("report.html.j2")
    return template.render(generated=stamp(generated_at), sections=[_section(p) for p in pages])


# --- what the template shows -------------------------------------------------------------------


@dataclass(frozen=True)
class _Badge:
    text: str
    colour: str


@dataclass(frozen=True)
class _Span:
    stance: str
    parts: list[tuple[str, bool]]  # the cleaned sentence as (text, is the matched words)
    details: list[tuple[str, str]]  # (label, cleaned value)


@dataclass(frozen=True)
class _Item:
    """One evidence list entry."""

    id: int
    verdict: str
    badge: _Badge
    when: str
    feed: str
    score: str
    title: str
    href: str | None
    spans: list[_Span]
    correction: str | None = None  # the engine's verdict an analyst overrode, and who did


@dataclass(frozen=True)
class _Decisive:
    """One state change and the report that made it: the first thing an analyst checks."""

    previous: _Badge
    state: _Badge
    when: str
    item: _Item
    anchor: bool  # the item carries the ``ev-<id>`` anchor (its first listing on the page)


@dataclass(frozen=True)
class _Group:
    """The rest of the evidence of one verdict: a ``<details>`` the reader opens or closes."""

    verdict: str
    label: str
    badge: _Badge
    items: list[_Item]
    open: bool


@dataclass(frozen=True)
class _FeedCount:
    feed: str
    total: int
    breakdown: str  # "2 confirm, 1 neutral"


@dataclass(frozen=True)
class _Section:
    id: str
    statement: str
    badge: _Badge
    confirming: int
    contradicting: int
    sources: int
    changed: str
    chart: _Chart | None
    decisive: list[_Decisive]
    groups: list[_Group]
    feeds: list[_FeedCount]
    total: int  # evidence items, listed or not
    hidden: int  # older items not listed

    @property
    def rest(self) -> int:
        """Items listed under the stance groups (not among the decisive ones)."""
        return sum(len(g.items) for g in self.groups)


def _state_badge(state: ClaimState) -> _Badge:
    return _Badge(state.value, _STATE_COLOURS[state])


def _verdict_badge(verdict: Verdict) -> _Badge:
    return _Badge(verdict.value, _COLOURS.get(verdict, _OTHER_COLOUR))


def _section(page: ClaimPage) -> _Section:
    confirming = sum(1 for r in page.evidence if r.verdict in _CONFIRMING)
    contradicting = sum(1 for r in page.evidence if r.verdict in _CONTRADICTING)
    change = page.changes[-1] if page.changes else None
    changed = (
        f"{change.previous.value} → {change.state.value} on {stamp(change.reported_at)}"
        if change
        else "never changed"
    )
    names = page.feed_names or {}
    newest = list(reversed(page.evidence))
    shown = newest[:MAX_LISTED]
    decisive = _decisive(page, names)
    first = {d.item.id for d in decisive}
    return _Section(
        id=page.claim.id,
        statement=one_line(page.claim.statement, MAX_TEXT),
        badge=_state_badge(page.state),
        confirming=confirming,
        contradicting=contradicting,
        sources=page.sources,
        changed=changed,
        chart=_chart(page) if page.evidence else None,
        decisive=decisive,
        groups=_groups([row for row in shown if row.id not in first], names),
        feeds=_feed_counts(page.evidence, names),
        total=len(newest),
        hidden=len(newest) - len(shown),
    )


def _decisive(page: ClaimPage, names: dict[str, str]) -> list[_Decisive]:
    """The reports that changed the claim's state, newest change first, with the analysts'
    verdicts applied (the change's own row is the engine's; the timeline's has the analyst's)."""
    current = {row.id: row for row in page.evidence}
    seen: set[int] = set()
    found = []
    for change in reversed(page.changes):
        row = current.get(change.evidence.id, change.evidence)
        found.append(
            _Decisive(
                previous=_state_badge(change.previous),
                state=_state_badge(change.state),
                when=stamp(change.reported_at),
                item=_item(row, names),
                anchor=row.id not in seen,
            )
        )
        seen.add(row.id)
    return found


_GROUPS = (
    (Verdict.CONFIRM, "Confirming", True),
    (Verdict.CONTRADICT, "Contradicting", True),
    (Verdict.DISPUTED, "Disputed", True),
    (Verdict.NEUTRAL, "Neutral mentions", False),  # many and rarely decisive: closed
)


def _groups(rows: Sequence[EvidenceRow], names: dict[str, str]) -> list[_Group]:
    """One group per verdict that has rows, newest first within it; other verdicts (unrelated
    reports an analyst judged) last, so nothing listed is lost."""
    known = {verdict for verdict, _, _ in _GROUPS}
    groups = []
    for verdict, label, is_open in _GROUPS:
        items = [_item(r, names) for r in rows if r.verdict is verdict]
        if items:
            groups.append(_Group(verdict.value, label, _verdict_badge(verdict), items, is_open))
    rest = [_item(r, names) for r in rows if r.verdict not in known]
    if rest:
        groups.append(_Group("other", "Other", _Badge("other", _OTHER_COLOUR), rest, False))
    return groups


def _feed_counts(rows: Sequence[EvidenceRow], names: dict[str, str]) -> list[_FeedCount]:
    """Items per feed, most first, each with its verdicts: one loud feed shows at a glance."""
    per_feed: dict[str, Counter[str]] = {}
    for row in rows:
        per_feed.setdefault(row.feed_id, Counter())[row.verdict.value] += 1
    ordered = sorted(per_feed.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return [
        _FeedCount(
            feed=one_line(names.get(feed_id) or feed_id, 80),
            total=sum(counts.values()),
            breakdown=", ".join(f"{n} {verdict}" for verdict, n in counts.most_common()),
        )
        for feed_id, counts in ordered
    ]


_CONFIRMING = (Verdict.CONFIRM, Verdict.DISPUTED)
_CONTRADICTING = (Verdict.CONTRADICT, Verdict.DISPUTED)


def _item(row: EvidenceRow, names: dict[str, str]) -> _Item:
    when = stamp(row.when) if row.published else f"recorded {stamp(row.recorded)} (undated)"
    return _Item(
        id=row.id,
        verdict=row.verdict.value,
        badge=_verdict_badge(row.verdict),
        when=when,
        feed=one_line(names.get(row.feed_id) or row.feed_id, 80),
        score=f"{row.score:.2f}",
        title=one_line(row.title, MAX_TEXT) or "(untitled)",
        href=safe_link(row.link),
        spans=[_span(span) for span in row.spans[:10]],
        correction=_correction(row),
    )


def _correction(row: EvidenceRow) -> str | None:
    said = row.analyst
    if said is None:
        return None
    note = f": {one_line(said.note, 300)}" if said.note else ""
    return (
        f"engine: {row.machine.value} · analyst: {said.verdict.value} "
        f"({one_line(said.analyst, 80)}, {stamp(said.at)}){note}"
    )


def _span(span: Evidence) -> _Span:
    sentence = one_line(span.sentence, MAX_TEXT)
    matched = one_line(span.matched, 80)
    parts = highlight(sentence, matched)
    found = any(is_match for _, is_match in parts)
    differs = matched.casefold() != (span.alias or "").casefold()
    shown_matched = matched if matched and (differs or not found) else None
    labelled = (
        ("cue", span.cue),
        ("alias", span.alias),
        ("matched", shown_matched),
        ("according to", span.attribution),
    )
    return _Span(
        stance=span.stance.value,
        parts=parts,
        details=[(label, one_line(value, 80)) for label, value in labelled if value],
    )


def highlight(sentence: str, matched: str | None) -> list[tuple[str, bool]]:
    """``sentence`` split into (text, is_match) parts around every case-insensitive occurrence
    of ``matched``, so the template can wrap matches in ``<mark>`` and still escape every part.

    Not found (or nothing matched): the whole sentence as one plain part; the caller then shows
    the matched words beside the alias instead, so a false match is still visible.
    """
    if not matched or not matched.strip():
        return [(sentence, False)] if sentence else []
    parts: list[tuple[str, bool]] = []
    at = 0
    for found in re.finditer(re.escape(matched), sentence, re.IGNORECASE):
        if found.start() > at:
            parts.append((sentence[at : found.start()], False))
        parts.append((found.group(0), True))
        at = found.end()
    if at < len(sentence):
        parts.append((sentence[at:], False))
    return parts


# --- the chart ---------------------------------------------------------------------------------

_WIDTH = 960
_LEFT = 170  # room for feed names
_RIGHT = 24
_TOP = 28  # room for state-change labels
_CUMULATIVE_HEIGHT = 130
_LANE = 30
_AXIS = 34


@dataclass(frozen=True)
class _Frame:
    """Maps times to x and lanes to y for one chart."""

    start: datetime
    end: datetime
    lanes: tuple[str, ...]

    def x(self, when: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        fraction = (when - self.start).total_seconds() / span
        return round(_LEFT + fraction * (_WIDTH - _LEFT - _RIGHT), 1)

    def lane_y(self, feed_id: str) -> float:
        top = _TOP + _CUMULATIVE_HEIGHT + 16
        return top + self.lanes.index(feed_id) * _LANE + _LANE / 2

    @property
    def height(self) -> int:
        return _TOP + _CUMULATIVE_HEIGHT + 16 + len(self.lanes) * _LANE + _AXIS


@dataclass(frozen=True)
class _Tick:
    x: float
    label: str
    anchor: str


@dataclass(frozen=True)
class _Lane:
    feed_id: str
    label: str
    stripe: str
    top: float  # of the stripe
    text_y: float


@dataclass(frozen=True)
class _Total:
    """One running-total line. The two are told apart by more than colour, and drawn apart, so
    equal totals still show both: confirm solid and wide, contradict dashed, narrow, shifted."""

    key: str  # confirm | contradict
    label: str
    colour: str
    points: str  # the polyline's "x,y x,y ..." (numbers only)
    width: float
    dash: str  # stroke-dasharray; "none" for solid
    markers: list[tuple[float, float]]  # a mark at each step up


@dataclass(frozen=True)
class _Change:
    tip: str
    state: str
    colour: str
    x: float
    label_x: float
    anchor: str


@dataclass(frozen=True)
class _Point:
    """One evidence mark: shape and colour by verdict, the title as its tooltip."""

    id: int
    verdict: str
    tip: str
    shape: str  # circle | polygon | ring
    colour: str
    cx: float
    cy: float
    points: str  # polygon corners (numbers only)


@dataclass(frozen=True)
class _Chart:
    """Everything the SVG draws; every coordinate is a number computed here."""

    label: str
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    plot_width: int
    label_x: int  # right end of the labels left of the plot
    top: int
    bottom: int  # y of the time axis
    base: int  # y of the running totals' zero line
    lane: int  # height of one feed's lane
    top_y: int  # y of the running totals' top label
    middle_y: float  # y of the "running total" label
    highest: int  # the running totals' top value
    ticks: list[_Tick]
    lanes: list[_Lane]
    totals: list[_Total]
    changes: list[_Change]
    points: list[_Point]


def _chart(page: ClaimPage) -> _Chart:
    """Inline SVG: cumulative confirming vs contradicting counts above, one lane per feed below.

    Every evidence item is one ``class="point"`` mark (shape and colour by verdict, tooltip with
    the title); dashed verticals mark the claim's state changes, so a turn in the story shows.
    """
    frame = _frame(page.evidence)
    names = page.feed_names or {}
    highest, totals = _totals(frame, page.evidence)
    return _Chart(
        label=f"Evidence over time for {page.claim.id}: {len(page.evidence)} item(s)",
        width=_WIDTH,
        height=frame.height,
        left=_LEFT,
        right=_WIDTH - _RIGHT,
        plot_width=_WIDTH - _LEFT - _RIGHT,
        label_x=_LEFT - 8,
        top=_TOP,
        bottom=frame.height - _AXIS,
        base=_TOP + _CUMULATIVE_HEIGHT,
        lane=_LANE,
        top_y=_TOP + 10,
        middle_y=_TOP + _CUMULATIVE_HEIGHT / 2 + 4,
        highest=highest,
        ticks=_ticks(frame),
        lanes=_lanes(frame, names),
        totals=totals,
        changes=[_change(frame, change) for change in page.changes],
        points=[_point(frame, row, names) for row in page.evidence],
    )


def _frame(rows: Sequence[EvidenceRow]) -> _Frame:
    times = [r.when for r in rows]
    start, end = min(times), max(times)
    pad = max((end - start) * 0.04, timedelta(hours=1))
    lanes = tuple(dict.fromkeys(r.feed_id for r in rows))
    return _Frame(start - pad, end + pad, lanes)


_HOURS = (1, 2, 3, 6, 12, 24, 48, 24 * 7, 24 * 14, 24 * 30, 24 * 91, 24 * 365)
_STEPS = [timedelta(hours=h) for h in _HOURS]


def _ticks(frame: _Frame) -> list[_Tick]:
    span = frame.end - frame.start
    step = next((s for s in _STEPS if span / s <= 7), _STEPS[-1])
    fmt = "%d %b %H:%M" if step < timedelta(days=1) else "%d %b %Y"
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    tick = epoch + step * -(-(frame.start - epoch) // step)  # round up to a step boundary
    ticks = []
    while tick <= frame.end:
        x = frame.x(tick)
        # A label centred on a tick near the right edge would be cut off: end it at the tick.
        anchor = "end" if x > _WIDTH - _RIGHT - 40 else "middle"
        ticks.append(_Tick(x, tick.strftime(fmt), anchor))
        tick += step
    return ticks


def _lanes(frame: _Frame, names: dict[str, str]) -> list[_Lane]:
    lanes = []
    for index, feed_id in enumerate(frame.lanes):
        y = frame.lane_y(feed_id)
        label = one_line(names.get(feed_id) or feed_id, 24)
        stripe = "lane-odd" if index % 2 else "lane-even"
        lanes.append(_Lane(feed_id, label, stripe, y - _LANE / 2, y + 4))
    return lanes


def _totals(frame: _Frame, rows: Sequence[EvidenceRow]) -> tuple[int, list[_Total]]:
    """The top of the scale and two step lines: running totals of confirming and contradicting."""
    totals = {"confirm": 0, "contradict": 0}
    series: dict[str, list[tuple[datetime, int]]] = {k: [(frame.start, 0)] for k in totals}
    for row in rows:
        for key, verdicts in (("confirm", _CONFIRMING), ("contradict", _CONTRADICTING)):
            if row.verdict in verdicts:
                totals[key] += 1
                series[key].append((row.when, totals[key]))
    top = max(max(totals.values()), 1)
    base = _TOP + _CUMULATIVE_HEIGHT
    lines = []
    for key, label, verdict in _TOTAL_LINES:
        width, dash, shift = _TOTAL_STYLE[key]
        points, markers = _steps(frame, series[key], top, base + shift)
        lines.append(_Total(key, label, _COLOURS[verdict], points, width, dash, markers))
    return top, lines


_TOTAL_LINES = (
    ("confirm", "confirming total", Verdict.CONFIRM),
    ("contradict", "contradicting total", Verdict.CONTRADICT),
)
# key -> (stroke width, dash, y shift in px): where the totals are equal the lines run 3 px apart,
# the wide solid green under the narrow dashed red, so both stay visible.
_TOTAL_STYLE = {"confirm": (3.5, "none", -1.5), "contradict": (2.0, "6 4", 1.5)}


def _steps(
    frame: _Frame, values: list[tuple[datetime, int]], top: int, base: float
) -> tuple[str, list[tuple[float, float]]]:
    """The step line's points, and a marker where each step lands (an item counted)."""

    def y(count: int) -> float:
        return round(base - count / top * (_CUMULATIVE_HEIGHT - 10), 1)

    coords: list[str] = []
    markers: list[tuple[float, float]] = []
    previous = 0
    for when, count in [*values, (frame.end, values[-1][1])]:
        x = frame.x(when)
        coords.append(f"{x},{y(previous)}")
        coords.append(f"{x},{y(count)}")
        if count != previous:
            markers.append((x, y(count)))
        previous = count
    return " ".join(coords), markers


def _change(frame: _Frame, change: StateChange) -> _Change:
    x = frame.x(change.reported_at)
    # near the right edge the label goes left of its line, so it is never cut off
    right = x > _WIDTH - 160
    label_x, anchor = (x - 4, "end") if right else (x + 4, "start")
    tip = f"{change.previous.value} → {change.state.value} ({stamp(change.reported_at)})"
    return _Change(tip, change.state.value, _STATE_COLOURS[change.state], x, label_x, anchor)


def _point(frame: _Frame, row: EvidenceRow, names: dict[str, str]) -> _Point:
    """Shape as well as colour tells verdicts apart (colour-blind readers, greyscale prints)."""
    x, y = frame.x(row.when), frame.lane_y(row.feed_id)
    colour = _COLOURS.get(row.verdict, _OTHER_COLOUR)
    feed = one_line(names.get(row.feed_id) or row.feed_id, MAX_TEXT)
    tip = f"{row.verdict.value} · {stamp(row.when)} · {feed}\n{one_line(row.title, 200)}"
    if row.verdict is Verdict.CONFIRM:
        shape, cx, cy, points = "circle", x, y - 5, ""
    elif row.verdict is Verdict.CONTRADICT:
        shape, cx, cy, points = "polygon", x, y, f"{x - 6},{y - 1} {x + 6},{y - 1} {x},{y + 10}"
    elif row.verdict is Verdict.DISPUTED:
        shape, cx, cy = "polygon", x, y
        points = f"{x},{y - 7} {x + 7},{y} {x},{y + 7} {x - 7},{y}"
    else:
        shape, cx, cy, points = "ring", x, y, ""
    return _Point(row.id, row.verdict.value, tip, shape, colour, cx, cy, points)
