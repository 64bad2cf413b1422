"""Shared by the experiments: the dev data as feature matrices, and train_stance's grouped folds."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_stance import LONG_SKIP, assign_folds, featurise  # noqa: E402

from monitors.evaluate.datasets import Pair, load_emergent, load_fnc  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def emergent() -> list[Pair]:
    return load_emergent(DATA / "emergent" / "dev.csv")


def fnc() -> list[Pair]:
    return load_fnc(DATA / "fnc-1" / "dev_stances.csv", DATA / "fnc-1" / "dev_bodies.csv")


def matrix(pairs: list[Pair], long: bool = False) -> np.ndarray:
    rows = featurise(pairs)
    names = sorted(n for n in rows[0] if not (long and n.startswith(LONG_SKIP)))
    return np.array([[r[n] for n in names] for r in rows])


def folds(pairs: list[Pair], k: int = 5) -> np.ndarray:
    """Fold number per pair, by group, exactly as scripts/train_stance.py assigns them."""
    fold_of = assign_folds([p.group for p in pairs], k)
    return np.array([fold_of[p.group] for p in pairs])
