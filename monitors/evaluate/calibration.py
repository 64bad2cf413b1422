"""How far the engine's score can be trusted: reliability bins and precision at a threshold.

Choosing the score a confirm or contradict verdict needs before it alerts means asking: "of the
verdicts scoring at least t, how many were right, and how many alerts would I get?" The bins
show whether a higher score does mean a likelier right answer (a calibrated score: share correct
close to the mean score).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

# Scores below 0.5 share one bin: the rules never decide under 0.45, so few verdicts land there.
BIN_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
THRESHOLDS = tuple(t / 100 for t in range(50, 100, 5))  # 0.50 .. 0.95, as the policy compares
# The verdicts that alert, each alone, and together: one claim's alert_threshold applies to both.
GROUPS = {"confirm": ("confirm",), "contradict": ("contradict",),
          "alerting": ("confirm", "contradict")}  # fmt: skip


@dataclass(frozen=True)
class ScoreBin:
    low: float
    high: float  # exclusive, except the last bin, which holds 1.0
    count: int
    correct: float | None  # share of the bin's verdicts that match the gold label
    mean_score: float | None


@dataclass(frozen=True)
class AtThreshold:
    threshold: float
    alerts: int  # verdicts scoring >= threshold: what would alert
    precision: float | None


@dataclass(frozen=True)
class Reliability:
    group: str
    bins: tuple[ScoreBin, ...]
    at_threshold: tuple[AtThreshold, ...]


def calibration(
    gold: Sequence[str], predicted: Sequence[str], scores: Sequence[float]
) -> dict[str, Reliability]:
    """Per group of predicted verdicts (confirm, contradict, both): bins and threshold rows."""
    out = {}
    for group, labels in GROUPS.items():
        hits = [(s, g == p) for g, p, s in zip(gold, predicted, scores, strict=True)
                if p in labels]  # fmt: skip
        out[group] = Reliability(group, _bins(hits), _thresholds(hits))
    return out


def _bins(hits: list[tuple[float, bool]]) -> tuple[ScoreBin, ...]:
    bins = []
    last = len(BIN_EDGES) - 2
    for i, (low, high) in enumerate(zip(BIN_EDGES, BIN_EDGES[1:], strict=False)):
        inside = [(s, ok) for s, ok in hits if low <= s < high or (i == last and s >= high)]
        bins.append(ScoreBin(low, high, len(inside), *_shares(inside)))
    return tuple(bins)


def _thresholds(hits: list[tuple[float, bool]]) -> tuple[AtThreshold, ...]:
    rows = []
    for t in THRESHOLDS:
        above = [(s, ok) for s, ok in hits if s >= t]
        rows.append(AtThreshold(t, len(above), _shares(above)[0]))
    return tuple(rows)


def _shares(hits: list[tuple[float, bool]]) -> tuple[float | None, float | None]:
    if not hits:
        return None, None
    correct = sum(ok for _, ok in hits) / len(hits)
    return round(correct, 4), round(sum(s for s, _ in hits) / len(hits), 4)


def calibration_json(table: dict[str, Reliability]) -> dict[str, object]:
    return {
        group: {"bins": [asdict(b) for b in r.bins],
                "at_threshold": [asdict(a) for a in r.at_threshold]}
        for group, r in table.items()
    }  # fmt: skip


def format_calibration(table: dict[str, Reliability]) -> str:
    """Bins for predicted confirm and contradict, then precision at each threshold."""
    lines = []
    for group in ("confirm", "contradict"):
        lines.append(f"calibration of predicted {group}:")
        lines.append(f"{'score':<12}{'count':>8}{'correct':>10}{'mean score':>12}")
        for b in table[group].bins:
            span = f"{b.low:.1f}-{b.high:.1f}"
            lines.append(f"{span:<12}{b.count:>8d}{_cell(b.correct):>10}{_cell(b.mean_score):>12}")
    lines.append("precision at threshold t (count: verdicts scoring >= t, which would alert):")
    lines.append(f"{'t':<6}{'confirm':>11}{'precision':>11}{'contradict':>11}{'precision':>11}"
                 f"{'both':>11}{'precision':>11}")  # fmt: skip
    for i, t in enumerate(THRESHOLDS):
        cells = "".join(f"{r.at_threshold[i].alerts:>11d}{_cell(r.at_threshold[i].precision):>11}"
                        for r in table.values())  # fmt: skip
        lines.append(f"{t:<6.2f}{cells}")
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
