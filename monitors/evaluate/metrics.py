"""Classification metrics for the harness: per-class P/R/F1, macro-F1, confusion, FNC-1 score."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from monitors.evaluate.datasets import LABELS


@dataclass(frozen=True)
class Metrics:
    n: int
    accuracy: float
    macro_f1: float  # over the labels present in the gold data
    per_class: dict[str, dict[str, float]]  # label -> precision, recall, f1, support
    confusion: dict[str, dict[str, int]]  # gold -> predicted -> count
    fnc_score: float | None  # only when the gold data has an "unrelated" class
    relatedness_accuracy: float | None


def compute_metrics(gold: Sequence[str], predicted: Sequence[str]) -> Metrics:
    """All figures for one run; ``gold`` and ``predicted`` are aligned label lists."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted labels differ in length")
    n = len(gold)
    labels = [label for label in LABELS if label in set(gold) | set(predicted)]
    pairs = Counter(zip(gold, predicted, strict=True))
    confusion = {g: {p: pairs[(g, p)] for p in labels} for g in labels}
    raw = {label: _prf(pairs, label, labels) for label in labels}
    gold_labels = [label for label in labels if label in set(gold)]
    macro = sum(raw[label]["f1"] for label in gold_labels) / max(len(gold_labels), 1)
    per_class = {label: {k: round(v, 4) for k, v in row.items()} for label, row in raw.items()}
    accuracy = sum(pairs[(label, label)] for label in labels) / n if n else 0.0
    fnc, related = (None, None)
    if "unrelated" in gold:
        fnc, related = _fnc(gold, predicted)
    return Metrics(n, round(accuracy, 4), round(macro, 4), per_class, confusion, fnc, related)


def _prf(pairs: Counter[tuple[str, str]], label: str, labels: list[str]) -> dict[str, float]:
    tp = pairs[(label, label)]
    predicted = sum(pairs[(g, label)] for g in labels)
    support = sum(pairs[(label, p)] for p in labels)
    precision = tp / predicted if predicted else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def _fnc(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    """FNC-1: +0.25 for related/unrelated right, +0.75 more for the exact related label."""
    score = best = 0.0
    related_right = 0
    for g, p in zip(gold, predicted, strict=True):
        related_right += (g == "unrelated") == (p == "unrelated")
        best += 0.25 if g == "unrelated" else 1.0
        if g == "unrelated":
            score += 0.25 if p == "unrelated" else 0.0
        elif p != "unrelated":
            score += 0.25 + (0.75 if g == p else 0.0)
    return round(score / best, 4), round(related_right / len(gold), 4)


def format_report(m: Metrics) -> str:
    """The human-readable table."""
    lines = [f"{'label':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for label, row in m.per_class.items():
        lines.append(f"{label:<12}{row['precision']:>10.3f}{row['recall']:>10.3f}"
                     f"{row['f1']:>10.3f}{int(row['support']):>10d}")  # fmt: skip
    lines.append(f"accuracy {m.accuracy:.4f}  macro-F1 {m.macro_f1:.4f}  n {m.n}")
    if m.fnc_score is not None:
        lines.append(
            f"FNC score {m.fnc_score:.4f}  relatedness accuracy {m.relatedness_accuracy:.4f}"
        )
    labels = list(m.confusion)
    lines.append("confusion (rows gold, columns predicted):")
    lines.append(" " * 12 + "".join(f"{label[:10]:>12}" for label in labels))
    for g in labels:
        lines.append(f"{g:<12}" + "".join(f"{m.confusion[g][p]:>12d}" for p in labels))
    return "\n".join(lines)
