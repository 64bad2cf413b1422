"""Class scores to probabilities, shared by the learned stance models."""

from __future__ import annotations

import math
from collections.abc import Sequence


def softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)  # subtracting the largest keeps exp() from overflowing
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]
