"""Which model decides a long report's stance best? (FNC-1 dev, grouped 5-fold CV by body.)

Relatedness by logistic regression first (as the engine does), then the stance of related pairs by
boosted trees of several shapes and class weightings. Needs '.[train]':

    python scripts/experiments/body_trees.py
"""

from __future__ import annotations

import numpy as np
from _folds import fnc, folds, matrix
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from monitors.evaluate.metrics import compute_metrics

SHAPES = [  # depth, rounds, learning rate, class weighting
    (6, 100, 0.1, "sqrt"),
    (5, 300, 0.05, "sqrt"),
    (5, 300, 0.05, "inverse"),
    (5, 300, 0.05, "none"),
    (4, 150, 0.15, "sqrt"),
    (3, 500, 0.1, "inverse"),
]


def weights(labels: np.ndarray, how: str) -> np.ndarray | None:
    if how == "none":
        return None
    classes, counts = np.unique(labels, return_counts=True)
    power = 0.5 if how == "sqrt" else 1.0
    per_class = dict(zip(classes, counts, strict=True))
    return np.array([(len(labels) / (len(classes) * per_class[v])) ** power for v in labels])


def main() -> None:
    pairs = fnc()
    x, y, fold = matrix(pairs, long=True), np.array([p.label for p in pairs]), folds(pairs)
    related = np.where(y == "unrelated", "unrelated", "related")
    is_related = np.empty(len(y), dtype=object)
    for k in range(5):
        train, test = fold != k, fold == k
        scale = StandardScaler().fit(x[train])
        model = LogisticRegression(max_iter=3000).fit(scale.transform(x[train]), related[train])
        is_related[test] = model.predict(scale.transform(x[test]))
    for depth, rounds, rate, how in SHAPES:
        predicted = np.empty(len(y), dtype=object)
        for k in range(5):
            train, test = (fold != k) & (y != "unrelated"), fold == k
            trees = HistGradientBoostingClassifier(
                max_depth=depth, max_iter=rounds, learning_rate=rate, l2_regularization=1.0,
                early_stopping=False, random_state=0,
            )  # fmt: skip
            trees.fit(x[train], y[train], sample_weight=weights(y[train], how))
            predicted[test] = trees.predict(x[test])
        predicted = np.where(is_related == "related", predicted, "unrelated")
        m = compute_metrics(list(y), list(predicted))
        disagree = m.per_class["contradict"]["f1"]
        shape = f"depth {depth} x {rounds} rounds, lr {rate}, {how:7} weights"
        print(f"{shape}: FNC {m.fnc_score:.4f} disagree F1 {disagree:.3f}", flush=True)


if __name__ == "__main__":
    main()
