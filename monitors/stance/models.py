"""The learned stance models: named features in, class probabilities and reasons out.

Two kinds, both plain Python over JSON written by ``scripts/train_stance.py``: a tiny multinomial
logistic regression (``LinearModel``) and boosted trees (``monitors.stance.trees``). Each prediction
can say which features pushed it (``contributions``), so a learned decision stays explainable next
to the rules' evidence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from monitors.stance.softmax import softmax
from monitors.stance.trees import TreeEnsemble

MODEL_FILE = Path(__file__).with_name("stance_model.json")


class StanceModel(Protocol):
    """What the engine needs of a learned model: probabilities, and the reasons behind one."""

    @property
    def classes(self) -> tuple[str, ...]: ...

    def proba(self, features: Mapping[str, float]) -> dict[str, float]: ...

    def contributions(
        self, features: Mapping[str, float], label: str, top: int = 3
    ) -> list[str]: ...

    def to_dict(self) -> dict[str, object]: ...


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
        # The bias term is no reason a reader can check, so it is never named.
        ranked = sorted(
            (i for i in range(len(x)) if self.names[i] != "bias"),
            key=lambda i: row[i] * x[i],
            reverse=True,
        )
        return [f"{self.names[i]}={features.get(self.names[i], 0.0):.2f}" for i in ranked[:top]
                if row[i] * x[i] > 0]  # fmt: skip

    def to_dict(self) -> dict[str, object]:
        return {"kind": "linear", "classes": self.classes, "names": self.names, "mean": self.mean,
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


@cache
def load_models(path: Path = MODEL_FILE) -> dict[str, StanceModel]:
    """The trained models by name ("relate_long", "stance_long", "stance_short"); {} if absent."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {name: model_from_dict(m) for name, m in data["models"].items()}


def model_from_dict(data: Mapping[str, object]) -> StanceModel:
    if data.get("kind", "linear") == "trees":
        return TreeEnsemble.from_dict(data)
    return LinearModel.from_dict(data)
