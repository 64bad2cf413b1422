"""The learned stance models: plain-Python trees and linear weights, and the shipped model file."""

from __future__ import annotations

import json
import math
import re

import pytest

from monitors.models import Claim, Verdict
from monitors.stance.engine import assess_one
from monitors.stance.glossary import describe, explain
from monitors.stance.models import MODEL_FILE, LinearModel, load_models, model_from_dict
from monitors.stance.trees import LEAF, Tree, TreeEnsemble


def _stump(feature: int, threshold: float, low: float, high: float) -> Tree:
    """One split: value <= threshold goes to ``low``; the root holds the mean of its leaves."""
    return Tree((feature, LEAF, LEAF), (threshold, 0.0, 0.0), (1, 0, 0), (2, 0, 0),
                ((low + high) / 2, low, high))  # fmt: skip


# Two classes, two features; "refute" pushes towards contradict, "assert" towards confirm.
ENSEMBLE = TreeEnsemble(
    classes=("confirm", "contradict"),
    names=("assert", "refute"),
    baseline=(0.1, -0.1),
    trees=(
        (_stump(0, 0.5, -1.0, 1.0), _stump(1, 0.5, 0.2, -0.6)),
        (_stump(1, 0.5, -0.5, 1.5),),
    ),
)


def _softmax(a: float, b: float) -> tuple[float, float]:
    ea, eb = math.exp(a), math.exp(b)
    return ea / (ea + eb), eb / (ea + eb)


@pytest.mark.parametrize(
    ("features", "confirm_score", "contradict_score"),
    [
        ({"assert": 1.0, "refute": 0.0}, 0.1 + 1.0 + 0.2, -0.1 - 0.5),
        ({"assert": 0.0, "refute": 1.0}, 0.1 - 1.0 - 0.6, -0.1 + 1.5),
        ({"assert": 0.5, "refute": 0.5}, 0.1 - 1.0 + 0.2, -0.1 - 0.5),  # <= goes left
        ({}, 0.1 - 1.0 + 0.2, -0.1 - 0.5),  # a missing feature counts as 0
    ],
)
def test_trees_sum_leaf_values_per_class_then_softmax(
    features: dict[str, float], confirm_score: float, contradict_score: float
) -> None:
    expected = _softmax(confirm_score, contradict_score)
    probs = ENSEMBLE.proba(features)
    assert list(probs) == ["confirm", "contradict"]
    assert probs["confirm"] == pytest.approx(expected[0])
    assert probs["contradict"] == pytest.approx(expected[1])


def test_tree_contributions_name_the_features_whose_splits_pushed_the_label() -> None:
    row = {"assert": 0.0, "refute": 1.0}
    # contradict: only "refute" splits, and it pushes up (root 0.5 -> leaf 1.5).
    assert ["refute=1.00"] == ENSEMBLE.contributions(row, "contradict")
    # confirm: both splits push down for this row, so nothing is named as a reason for it.
    assert [] == ENSEMBLE.contributions(row, "confirm")
    # Strongest push first: "assert" (0.0 -> 1.0), then the absent "refute" (-0.2 -> 0.2).
    assert ["assert=1.00", "refute=0.00"] == ENSEMBLE.contributions({"assert": 1.0}, "confirm")
    assert ["assert=1.00"] == ENSEMBLE.contributions({"assert": 1.0}, "confirm", top=1)


def test_models_round_trip_through_json_by_kind() -> None:
    linear = LinearModel(("a", "b"), ("bias", "x"), (0.0, 0.5), (1.0, 2.0),
                         ((0.3, 1.0), (-0.3, -1.0)))  # fmt: skip
    for model in (ENSEMBLE, linear):
        again = model_from_dict(json.loads(json.dumps(model.to_dict())))
        assert type(model) is type(again)
        assert model.proba({"x": 2.0, "refute": 1.0}) == again.proba({"x": 2.0, "refute": 1.0})


def test_linear_contributions_never_name_the_bias() -> None:
    linear = LinearModel(("a", "b"), ("bias", "x"), (0.0, 0.0), (1.0, 1.0),
                         ((5.0, 1.0), (-5.0, -1.0)))  # fmt: skip
    assert ["x=1.00"] == linear.contributions({"bias": 1.0, "x": 1.0}, "a")


def test_shipped_model_file_is_small_complete_and_well_formed() -> None:
    assert MODEL_FILE.stat().st_size < 5_000_000
    models = load_models()
    assert {"relate_long", "stance_long", "stance_short"} == set(models)
    trees = models["stance_long"]
    assert isinstance(trees, TreeEnsemble)
    assert ("confirm", "contradict", "neutral") == trees.classes
    for per_class in trees.trees:
        for tree in per_class:
            size = len(tree.feature)
            inner = [i for i, f in enumerate(tree.feature) if f != LEAF]
            assert inner, "every tree splits at least once"
            for i in inner:
                assert 0 <= tree.feature[i] < len(trees.names)
                assert i < tree.left[i] < size and i < tree.right[i] < size


def test_long_report_decided_by_trees_names_its_reasons() -> None:
    claim = Claim("whale", "A humpback whale swam up the Thames to Tower Bridge")
    body = (
        "Reports that a humpback whale swam up the Thames to Tower Bridge are a hoax, "
        "the Port of London Authority said on Monday. "
        "The photograph shared online was digitally altered, officials said. "
        "No whale has been seen in the Thames near Tower Bridge this year. "
        "The authority denied the story and called it fake. "
        "Experts said the picture was taken in Alaska in 2009."
    )
    assessment = assess_one(claim, "Thames whale photo is fake, authority says", body)
    assert Verdict.CONTRADICT == assessment.verdict
    top = assessment.evidence[0].why
    assert "weighed: " in top
    reasons = re.findall(r"([^,(]+) \((\S+?)=([0-9.]+)\)", top.split("weighed: ", 1)[1])
    stance_long = load_models()["stance_long"]
    assert reasons and all(name in stance_long.names for _, name, _ in reasons)
    # Each reason reads in words first, the feature's name and value after it.
    assert all(phrase.strip() == describe(name) for phrase, name, _ in reasons)


def test_every_feature_the_models_use_has_words() -> None:
    """No model feature falls back to its bare name in an explanation (bias is never named)."""
    names = {n for model in load_models().values() for n in getattr(model, "names", ())}
    assert [] == sorted(n for n in names - {"bias"} if describe(n) == n)
    assert "refuting words in the sentences about the claim (about_refute=0.69)" == explain(
        "about_refute=0.69"
    )
