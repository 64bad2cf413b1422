"""Figures per claim: which claims the engine reads well, and which drag the average down.

Overall figures hide a claim whose reports all go wrong behind many easy ones; a user tuning a
claim's aliases and cues needs that claim's own recall and precision of confirm and contradict,
the two verdicts that alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from monitors.evaluate.datasets import Pair
from monitors.evaluate.metrics import compute_metrics

# Datasets whose claims are headlines (Emergent, FNC-1) have hundreds of them: show the biggest.
TOP_HEADLINES = 20
_NAME_WIDTH = 27


@dataclass(frozen=True)
class ClaimRow:
    """One claim's figures; None where a figure is undefined (no such gold or predicted pair)."""

    claim: str  # the claim id, or the statement for a claim given only as a headline
    pairs: int
    accuracy: float
    macro_f1: float
    confirm_recall: float | None
    confirm_precision: float | None
    contradict_recall: float | None
    contradict_precision: float | None


@dataclass(frozen=True)
class Breakdown:
    rows: tuple[ClaimRow, ...]
    claims: int  # all claims, shown or not

    def to_json(self) -> dict[str, object]:
        return {"claims": self.claims, "rows": [asdict(r) for r in self.rows]}


def by_claim(pairs: Sequence[Pair], predicted: Sequence[str]) -> Breakdown:
    """Rows by pair count (largest first); headline claims only the top ``TOP_HEADLINES``."""
    groups: dict[str, list[int]] = {}
    for index, pair in enumerate(pairs):
        groups.setdefault(_name(pair), []).append(index)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    if not all(p.named for p in pairs):
        ordered = ordered[:TOP_HEADLINES]
    rows = tuple(_row(name, [pairs[i].label for i in idx], [predicted[i] for i in idx])
                 for name, idx in ordered)  # fmt: skip
    return Breakdown(rows, len(groups))


def _name(pair: Pair) -> str:
    return pair.claim.id if pair.named else pair.claim.statement


def _row(name: str, gold: list[str], predicted: list[str]) -> ClaimRow:
    m = compute_metrics(gold, predicted)
    return ClaimRow(
        name,
        m.n,
        m.accuracy,
        m.macro_f1,
        _share(gold, predicted, "confirm", of=gold),
        _share(gold, predicted, "confirm", of=predicted),
        _share(gold, predicted, "contradict", of=gold),
        _share(gold, predicted, "contradict", of=predicted),
    )


def _share(gold: list[str], predicted: list[str], label: str, of: list[str]) -> float | None:
    """Recall (``of=gold``) or precision (``of=predicted``) of ``label``; None with no such pair."""
    total = sum(1 for x in of if x == label)
    right = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
    return round(right / total, 4) if total else None


def format_breakdown(b: Breakdown) -> str:
    """The per-claim table, 80 columns wide."""
    lines = [
        "per claim (conf/cont: confirm/contradict; R recall, P precision; -: none):",
        f"{'claim':<{_NAME_WIDTH}}{'pairs':>6}{'acc':>7}{'mac-F1':>8}"
        f"{'conf-R':>8}{'conf-P':>8}{'cont-R':>8}{'cont-P':>8}",
    ]
    for r in b.rows:
        figures = (r.confirm_recall, r.confirm_precision, r.contradict_recall,
                   r.contradict_precision)  # fmt: skip
        lines.append(
            f"{_short(r.claim):<{_NAME_WIDTH}}{r.pairs:>6d}{r.accuracy:>7.3f}{r.macro_f1:>8.3f}"
            + "".join(f"{_cell(x):>8}" for x in figures)
        )
    if b.claims > len(b.rows):
        lines.append(f"... {b.claims - len(b.rows)} more claims (the {len(b.rows)} with most pairs "
                     "shown)")  # fmt: skip
    return "\n".join(lines)


def _short(name: str) -> str:
    room = _NAME_WIDTH - 1
    return name if len(name) <= room else name[: room - 3] + "..."


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
