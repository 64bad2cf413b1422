"""The ``claimwatch report --html`` page: one self-contained HTML file, a section per claim.

A pure function from data to a string. No scripts, no external CSS, fonts or images: the chart is
inline SVG drawn here, and a Content-Security-Policy forbids loading anything. Feed text is hostile:
every string goes through ``monitors.untrusted.one_line`` and is HTML-escaped, and only links
``untrusted.safe_link`` accepts become anchors.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitors.models import Claim, ClaimState, Verdict
from monitors.state.history import EvidenceRow, StateChange
from monitors.untrusted import one_line, safe_link

MAX_LISTED = 500  # evidence items listed per claim; the chart still plots all of them
MAX_TEXT = 600  # characters of any one feed-derived string shown

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_COLOURS = {
    Verdict.CONFIRM: "#1a7f37",
    Verdict.CONTRADICT: "#cf222e",
    Verdict.DISPUTED: "#9a6700",
    Verdict.NEUTRAL: "#8c959f",
}
_STATE_COLOURS = {
    ClaimState.CONFIRMED: _COLOURS[Verdict.CONFIRM],
    ClaimState.CONTRADICTED: _COLOURS[Verdict.CONTRADICT],
    ClaimState.DISPUTED: _COLOURS[Verdict.DISPUTED],
    ClaimState.UNKNOWN: "#57606a",
}


@dataclass(frozen=True)
class ClaimPage:
    """Everything one claim's section shows."""

    claim: Claim
    state: ClaimState
    evidence: Sequence[EvidenceRow]  # oldest first
    changes: Sequence[StateChange] = ()
    sources: int = 0  # distinct feeds with decisive evidence
    feed_names: dict[str, str] | None = None  # feed id -> display name


def esc(value: object) -> str:
    """Escape text for HTML content and double-quoted attributes."""
    return html.escape(str(value), quote=True)


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render_report(pages: Sequence[ClaimPage], generated_at: datetime) -> str:
    """The whole page: header, a contents list, then one section per claim."""
    contents = "".join(
        f'<li><a href="#claim-{esc(p.claim.id)}">{esc(p.claim.id)}</a> {_state_badge(p.state)}</li>'
        for p in pages
    )
    sections = "\n".join(_section(p) for p in pages)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>claimwatch report</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>claimwatch report</h1><p class="muted">generated {stamp(generated_at)}'
        f' · {len(pages)} claim(s)</p><ul class="toc">{contents}</ul></header>\n'
        f"{sections}\n</body>\n</html>\n"
    )


def _state_badge(state: ClaimState) -> str:
    colour = _STATE_COLOURS[state]
    return f'<span class="badge" style="background:{colour}">{esc(state.value)}</span>'


def _verdict_badge(verdict: Verdict) -> str:
    colour = _COLOURS.get(verdict, "#57606a")
    return f'<span class="badge" style="background:{colour}">{esc(verdict.value)}</span>'


def _section(page: ClaimPage) -> str:
    confirming = sum(1 for r in page.evidence if r.verdict in _CONFIRMING)
    contradicting = sum(1 for r in page.evidence if r.verdict in _CONTRADICTING)
    change = page.changes[-1] if page.changes else None
    changed = (
        f"{esc(change.previous.value)} → {esc(change.state.value)} on {stamp(change.reported_at)}"
        if change
        else "never changed"
    )
    return (
        f'<section class="claim" id="claim-{esc(page.claim.id)}">\n'
        f"<h2>{esc(one_line(page.claim.statement, MAX_TEXT))}</h2>\n"
        f'<p class="meta"><code>{esc(page.claim.id)}</code> {_state_badge(page.state)} '
        f"<span>{confirming} confirming</span> · <span>{contradicting} contradicting</span> · "
        f"<span>{page.sources} independent source(s)</span> · <span>last change: {changed}</span>"
        "</p>\n"
        f"{render_chart(page)}\n{_evidence_list(page)}\n</section>"
    )


_CONFIRMING = (Verdict.CONFIRM, Verdict.DISPUTED)
_CONTRADICTING = (Verdict.CONTRADICT, Verdict.DISPUTED)

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


def render_chart(page: ClaimPage) -> str:
    """Inline SVG: cumulative confirming vs contradicting counts above, one lane per feed below.

    Every evidence item is one ``class="point"`` mark (shape and colour by verdict, tooltip with
    the title); dashed verticals mark the claim's state changes, so a turn in the story shows.
    """
    if not page.evidence:
        return '<p class="empty">No evidence recorded for this claim yet.</p>'
    frame = _frame(page.evidence)
    names = page.feed_names or {}
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} '
        f'{frame.height}" role="img" aria-label="{esc(_chart_label(page))}">',
        _axis(frame),
        _lanes(frame, names),
        _cumulative(frame, page.evidence),
        _changes(frame, page.changes),
        *(_point(frame, row, names) for row in page.evidence),
        "</svg>",
        _LEGEND,
    ]
    return "\n".join(parts)


def _chart_label(page: ClaimPage) -> str:
    return f"Evidence over time for {page.claim.id}: {len(page.evidence)} item(s)"


def _frame(rows: Sequence[EvidenceRow]) -> _Frame:
    times = [r.when for r in rows]
    start, end = min(times), max(times)
    pad = max((end - start) * 0.04, timedelta(hours=1))
    lanes = tuple(dict.fromkeys(r.feed_id for r in rows))
    return _Frame(start - pad, end + pad, lanes)


_HOURS = (1, 2, 3, 6, 12, 24, 48, 24 * 7, 24 * 14, 24 * 30, 24 * 91, 24 * 365)
_STEPS = [timedelta(hours=h) for h in _HOURS]


def _ticks(frame: _Frame) -> tuple[list[datetime], str]:
    span = frame.end - frame.start
    step = next((s for s in _STEPS if span / s <= 7), _STEPS[-1])
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first = epoch + step * -(-(frame.start - epoch) // step)  # round up to a step boundary
    ticks = []
    while first <= frame.end:
        ticks.append(first)
        first += step
    return ticks, ("%d %b %H:%M" if step < timedelta(days=1) else "%d %b %Y")


def _axis(frame: _Frame) -> str:
    ticks, fmt = _ticks(frame)
    bottom = frame.height - _AXIS
    out = [f'<line class="axis" x1="{_LEFT}" y1="{bottom}" x2="{_WIDTH - _RIGHT}" y2="{bottom}"/>']
    for tick in ticks:
        x = frame.x(tick)
        # A label centred on a tick near the right edge would be cut off: end it at the tick.
        anchor = "end" if x > _WIDTH - _RIGHT - 40 else "middle"
        out.append(
            f'<line class="grid" x1="{x}" y1="{_TOP}" x2="{x}" y2="{bottom}"/>'
            f'<text class="tick" x="{x}" y="{bottom + 16}" text-anchor="{anchor}">'
            f"{esc(tick.strftime(fmt))}</text>"
        )
    return "".join(out)


def _lanes(frame: _Frame, names: dict[str, str]) -> str:
    out = []
    for index, feed_id in enumerate(frame.lanes):
        y = frame.lane_y(feed_id)
        label = one_line(names.get(feed_id) or feed_id, 24)
        stripe = "lane-odd" if index % 2 else "lane-even"
        out.append(
            f'<rect class="{stripe}" x="{_LEFT}" y="{y - _LANE / 2}" '
            f'width="{_WIDTH - _LEFT - _RIGHT}" height="{_LANE}"/>'
            f'<text class="lane" x="{_LEFT - 8}" y="{y + 4}" text-anchor="end">'
            f"<title>{esc(feed_id)}</title>{esc(label)}</text>"
        )
    return "".join(out)


def _cumulative(frame: _Frame, rows: Sequence[EvidenceRow]) -> str:
    """Two step lines: running totals of confirming and contradicting evidence."""
    totals = {"confirm": 0, "contradict": 0}
    series: dict[str, list[tuple[datetime, int]]] = {k: [(frame.start, 0)] for k in totals}
    for row in rows:
        for key, verdicts in (("confirm", _CONFIRMING), ("contradict", _CONTRADICTING)):
            if row.verdict in verdicts:
                totals[key] += 1
                series[key].append((row.when, totals[key]))
    top = max(max(totals.values()), 1)
    base = _TOP + _CUMULATIVE_HEIGHT
    out = [
        f'<text class="tick" x="{_LEFT - 8}" y="{_TOP + 10}" text-anchor="end">{top}</text>'
        f'<text class="tick" x="{_LEFT - 8}" y="{base}" text-anchor="end">0</text>'
        f'<text class="lane" x="{_LEFT - 8}" y="{_TOP + _CUMULATIVE_HEIGHT / 2 + 4}" '
        'text-anchor="end">running total</text>'
        f'<line class="axis" x1="{_LEFT}" y1="{base}" x2="{_WIDTH - _RIGHT}" y2="{base}"/>'
    ]
    for key, verdict in (("confirm", Verdict.CONFIRM), ("contradict", Verdict.CONTRADICT)):
        points = _steps(frame, series[key], top, base)
        out.append(
            f'<polyline class="total total-{key}" fill="none" stroke="{_COLOURS[verdict]}" '
            f'stroke-width="2.5" points="{points}"/>'
        )
    return "".join(out)


def _steps(frame: _Frame, values: list[tuple[datetime, int]], top: int, base: float) -> str:
    def y(count: int) -> float:
        return round(base - count / top * (_CUMULATIVE_HEIGHT - 10), 1)

    coords: list[str] = []
    previous = 0
    for when, count in [*values, (frame.end, values[-1][1])]:
        x = frame.x(when)
        coords.append(f"{x},{y(previous)}")
        coords.append(f"{x},{y(count)}")
        previous = count
    return " ".join(coords)


def _changes(frame: _Frame, changes: Sequence[StateChange]) -> str:
    bottom = frame.height - _AXIS
    out = []
    for change in changes:
        x = frame.x(change.reported_at)
        colour = _STATE_COLOURS[change.state]
        # near the right edge the label goes left of its line, so it is never cut off
        right = x > _WIDTH - 160
        label_x, anchor = (x - 4, "end") if right else (x + 4, "start")
        out.append(
            f'<g class="change"><title>{esc(change.previous.value)} → '
            f"{esc(change.state.value)} ({stamp(change.reported_at)})</title>"
            f'<line x1="{x}" y1="{_TOP - 6}" x2="{x}" y2="{bottom}" stroke="{colour}" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
            f'<text class="change-label" x="{label_x}" y="{_TOP - 10}" fill="{colour}" '
            f'text-anchor="{anchor}">'
            f"→ {esc(change.state.value)}</text></g>"
        )
    return "".join(out)


def _point(frame: _Frame, row: EvidenceRow, names: dict[str, str]) -> str:
    x, y = frame.x(row.when), frame.lane_y(row.feed_id)
    colour = _COLOURS.get(row.verdict, "#57606a")
    feed = one_line(names.get(row.feed_id) or row.feed_id, MAX_TEXT)
    tip = f"{row.verdict.value} · {stamp(row.when)} · {feed}\n{one_line(row.title, 200)}"
    return (
        f'<a href="#ev-{row.id}"><g class="point" data-verdict="{esc(row.verdict.value)}" '
        f'data-evidence="{row.id}"><title>{esc(tip)}</title>'
        f"{_shape(row.verdict, x, y, colour)}</g></a>"
    )


def _shape(verdict: Verdict, x: float, y: float, colour: str) -> str:
    """Shape as well as colour tells verdicts apart (colour-blind readers, greyscale prints)."""
    if verdict is Verdict.CONFIRM:
        return f'<circle cx="{x}" cy="{y - 5}" r="6" fill="{colour}"/>'
    if verdict is Verdict.CONTRADICT:
        return f'<polygon points="{x - 6},{y - 1} {x + 6},{y - 1} {x},{y + 10}" fill="{colour}"/>'
    if verdict is Verdict.DISPUTED:
        return (
            f'<polygon points="{x},{y - 7} {x + 7},{y} {x},{y + 7} {x - 7},{y}" fill="{colour}"/>'
        )
    return f'<circle cx="{x}" cy="{y}" r="4" fill="white" stroke="{colour}" stroke-width="2"/>'


_LEGEND = (
    '<p class="legend"><span style="color:#1a7f37">● confirm</span> '
    '<span style="color:#cf222e">▼ contradict</span> '
    '<span style="color:#9a6700">◆ disputed</span> '
    '<span style="color:#8c959f">○ neutral mention</span> '
    "<span>╎ state change</span> · lines: running totals (disputed counts on both)</p>"
)

# --- the evidence list -------------------------------------------------------------------------


def _evidence_list(page: ClaimPage) -> str:
    newest = list(reversed(page.evidence))
    shown = newest[:MAX_LISTED]
    hidden = len(newest) - len(shown)
    names = page.feed_names or {}
    items = "\n".join(_evidence_item(row, names) for row in shown)
    more = f'<p class="muted">{hidden} older item(s) not listed.</p>' if hidden else ""
    heading = f"<h3>Evidence ({len(newest)}), newest first</h3>"
    return f'{heading}\n<ol class="evidence">\n{items}\n</ol>{more}' if shown else ""


def _evidence_item(row: EvidenceRow, names: dict[str, str]) -> str:
    when = stamp(row.when) if row.published else f"recorded {stamp(row.recorded)} (undated)"
    feed = names.get(row.feed_id) or row.feed_id
    return (
        f'<li id="ev-{row.id}" class="verdict-{esc(row.verdict.value)}">'
        f'<div class="head">{_verdict_badge(row.verdict)} <span class="muted">{esc(when)} · '
        f"{esc(one_line(feed, 80))} · score {row.score:.2f}</span></div>"
        f'<div class="title">{_title_link(row)}</div>'
        f"{_spans(row)}</li>"
    )


def _title_link(row: EvidenceRow) -> str:
    title = esc(one_line(row.title, MAX_TEXT) or "(untitled)")
    href = safe_link(row.link)
    if href is None:
        return title
    return f'<a href="{esc(href)}" rel="noopener noreferrer nofollow">{title}</a>'


def _spans(row: EvidenceRow) -> str:
    if not row.spans:
        return ""
    items = []
    for span in row.spans[:10]:
        detail = ", ".join(
            f"{label} “{esc(one_line(value, 80))}”"
            for label, value in (
                ("cue", span.cue),
                ("alias", span.alias),
                ("according to", span.attribution),
            )
            if value
        )
        note = f' <span class="muted">({detail})</span>' if detail else ""
        items.append(
            f'<li><span class="stance">{esc(span.stance.value)}</span> '
            f"<q>{esc(one_line(span.sentence, MAX_TEXT))}</q>{note}</li>"
        )
    return f'<ul class="spans">{"".join(items)}</ul>'


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
 margin:0 auto;max-width:1000px;padding:16px 24px;color:#1f2328;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;margin:0 0 6px}
h3{font-size:16px;margin:18px 0 6px}
.muted{color:#57606a}.toc{padding-left:18px}.toc li{margin:2px 0}
.claim{border-top:1px solid #d0d7de;margin-top:22px;padding-top:16px}
.meta span{white-space:nowrap}.meta code{background:#f6f8fa;padding:1px 5px;border-radius:4px}
.badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600;
 text-transform:uppercase;letter-spacing:.03em}
.chart{width:100%;height:auto;display:block;margin:10px 0 0}
.chart text{font:12px system-ui,sans-serif;fill:#57606a}.chart .change-label{font-weight:600}
.chart .axis{stroke:#8c959f}.chart .grid{stroke:#eaeef2}
.chart .lane-even{fill:#f6f8fa}.chart .lane-odd{fill:#fff}
.legend{font-size:13px;color:#57606a;margin:4px 0 0}.legend span{margin-right:12px}
.evidence{padding-left:22px}.evidence>li{margin:10px 0}
.evidence .title{font-weight:600;overflow-wrap:anywhere}
.spans{margin:4px 0 0;padding-left:18px;font-size:14px}.spans q{overflow-wrap:anywhere}
.stance{font-size:12px;color:#57606a;text-transform:uppercase}
.empty{color:#57606a;font-style:italic}a{color:#0969da}
"""
