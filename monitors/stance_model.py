"""A tiny multinomial logistic regression over named features (plain Python, JSON weights).

Trained by ``scripts/train_stance.py``; read here. Each prediction can say which features pushed it
(``contributions``), so a learned decision stays explainable next to the rules' evidence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("stance_model.json")


@dataclass(frozen=True)
class LinearModel:
    """Softmax over classes of (weights . standardised features)."""

    classes: tuple[str, ...]
    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per class

    def vector(self, features: Mapping[str, float]) -> list[float]:
        return [
            (features.get(n, 0.0) - m) / s
            for n, m, s in zip(self.names, self.mean, self.scale, strict=True)
        ]

    def scores(self, x: Sequence[float]) -> list[float]:
        return [sum(w * v for w, v in zip(row, x, strict=True)) for row in self.weights]

    def proba(self, features: Mapping[str, float]) -> dict[str, float]:
        return dict(zip(self.classes, softmax(self.scores(self.vector(features))), strict=True))

    def contributions(self, features: Mapping[str, float], label: str, top: int = 3) -> list[str]:
        """The features that pushed hardest towards ``label``, as "name=value"."""
        x = self.vector(features)
        row = self.weights[self.classes.index(label)]
        ranked = sorted(range(len(x)), key=lambda i: row[i] * x[i], reverse=True)
        return [f"{self.names[i]}={features.get(self.names[i], 0.0):.2f}" for i in ranked[:top]
                if row[i] * x[i] > 0]  # fmt: skip

    def to_dict(self) -> dict[str, object]:
        return {"classes": self.classes, "names": self.names, "mean": self.mean,
                "scale": self.scale, "weights": self.weights}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> LinearModel:
        def floats(v: object) -> tuple[float, ...]:
            return tuple(float(x) for x in v)  # type: ignore[attr-defined]

        return cls(
            tuple(data["classes"]),  # type: ignore[arg-type]
            tuple(data["names"]),  # type: ignore[arg-type]
            floats(data["mean"]),
            floats(data["scale"]),
            tuple(floats(row) for row in data["weights"]),  # type: ignore[attr-defined]
        )


def softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


@cache
def load_models(path: Path = MODEL_FILE) -> dict[str, LinearModel]:
    """The trained models by name ("relate_long", "stance_long", "stance_short"); {} if absent."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {name: LinearModel.from_dict(m) for name, m in data["models"].items()}
