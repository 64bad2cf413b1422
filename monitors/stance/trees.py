"""Boosted decision trees over named features, evaluated in plain Python from JSON.

``scripts/train_stance.py`` fits them with scikit-learn (a training-time dependency only) and
exports every tree as flat arrays. A report's class scores are the baseline plus one leaf value per
tree; softmax turns them into probabilities, exactly as scikit-learn's
``HistGradientBoostingClassifier`` does.

Trees stay explainable the way the linear model is: every node stores the mean leaf value of the
training reports that reached it, so walking a report's path splits the score into per-feature
steps (value after the split minus value before it). Summed over all trees, the features with the
largest steps towards the verdict are the ones the evidence line names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from monitors.stance.softmax import softmax

LEAF = -1  # ``feature`` of a leaf node


@dataclass(frozen=True)
class Tree:
    """One regression tree as parallel arrays; node 0 is the root."""

    feature: tuple[int, ...]  # index into the ensemble's names, LEAF for leaves
    threshold: tuple[float, ...]  # go left when value <= threshold
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]  # leaf value, or the mean leaf value below an inner node

    def to_dict(self) -> dict[str, object]:
        return {"feature": self.feature, "threshold": self.threshold, "left": self.left,
                "right": self.right, "value": self.value}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[float]]) -> Tree:
        return cls(
            tuple(int(v) for v in data["feature"]),
            tuple(float(v) for v in data["threshold"]),
            tuple(int(v) for v in data["left"]),
            tuple(int(v) for v in data["right"]),
            tuple(float(v) for v in data["value"]),
        )


@dataclass(frozen=True)
class TreeEnsemble:
    """Multiclass gradient boosting: per class, baseline + sum of its trees' leaf values."""

    classes: tuple[str, ...]
    names: tuple[str, ...]
    baseline: tuple[float, ...]  # one per class
    trees: tuple[tuple[Tree, ...], ...]  # one tuple of trees per class

    def vector(self, features: Mapping[str, float]) -> list[float]:
        return [features.get(n, 0.0) for n in self.names]

    def proba(self, features: Mapping[str, float]) -> dict[str, float]:
        x = self.vector(features)
        feature, threshold, left, right, value, roots = self._flat
        scores = []
        # The hot loop of a long-report decision (hundreds of trees): flat arrays, local names.
        for base, class_roots in zip(self.baseline, roots, strict=True):
            score = base
            for node in class_roots:
                f = feature[node]
                while f != LEAF:
                    node = left[node] if x[f] <= threshold[node] else right[node]
                    f = feature[node]
                score += value[node]
            scores.append(score)
        return dict(zip(self.classes, softmax(scores), strict=True))

    @cached_property
    def _flat(
        self,
    ) -> tuple[list[int], list[float], list[int], list[int], list[float], list[list[int]]]:
        """All trees in one set of arrays (child indices shifted), and each tree's root index."""
        feature: list[int] = []
        threshold: list[float] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        roots: list[list[int]] = []
        for per_class in self.trees:
            roots.append([])
            for tree in per_class:
                start = len(feature)
                roots[-1].append(start)
                feature.extend(tree.feature)
                threshold.extend(tree.threshold)
                left.extend(start + i for i in tree.left)
                right.extend(start + i for i in tree.right)
                value.extend(tree.value)
        return feature, threshold, left, right, value, roots

    def contributions(self, features: Mapping[str, float], label: str, top: int = 3) -> list[str]:
        """The features whose splits pushed ``label``'s score up most, as "name=value"."""
        x = self.vector(features)
        feature, threshold, left, right, value, roots = self._flat
        push = [0.0] * len(self.names)
        for node in roots[self.classes.index(label)]:
            while (f := feature[node]) != LEAF:
                child = left[node] if x[f] <= threshold[node] else right[node]
                push[f] += value[child] - value[node]
                node = child
        ranked = sorted(range(len(push)), key=push.__getitem__, reverse=True)
        return [f"{self.names[i]}={x[i]:.2f}" for i in ranked[:top] if push[i] > 0]

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": "trees",
            "classes": self.classes,
            "names": self.names,
            "baseline": self.baseline,
            "trees": [[t.to_dict() for t in per_class] for per_class in self.trees],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TreeEnsemble:
        return cls(
            tuple(data["classes"]),  # type: ignore[arg-type]
            tuple(data["names"]),  # type: ignore[arg-type]
            tuple(float(v) for v in data["baseline"]),  # type: ignore[attr-defined]
            tuple(
                tuple(Tree.from_dict(t) for t in per_class)
                for per_class in data["trees"]  # type: ignore[attr-defined]
            ),
        )
