"""Score the stance engine on labelled (claim, report) pairs.

    python -m monitors.evaluate PAIRS.csv [--claims claims.yaml]
    python -m monitors.evaluate --format emergent ../shared/data/emergent/dev.csv
    python -m monitors.evaluate --format fnc STANCES.csv BODIES.csv [--json] [--errors 20]
    python -m monitors.evaluate --format warnews LABELS.csv --claims claims.yaml [--news news.csv]

Generic CSV columns: ``claim`` (statement) or ``claim_id`` (looked up in ``--claims``), ``report``,
optional ``title``, ``label`` in confirm/contradict/neutral/unrelated, optional ``split`` (dev or
holdout). RUWA labels: ``ruwa_id,claim_id,label[,split]``, the text looked up in the RUWA news
file. ``--split`` (default dev) scores one split only, so the holdout is read only when asked for.
A ``disputed`` verdict counts as ``neutral`` here (the report presents both sides without taking
one).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from monitors.errors import ClaimwatchError
from monitors.evaluate.breakdown import by_claim, format_breakdown
from monitors.evaluate.calibration import calibration, calibration_json, format_calibration
from monitors.evaluate.datasets import DEFAULT_NEWS, Pair, load_pairs
from monitors.evaluate.metrics import Metrics, compute_metrics, format_report
from monitors.models import Verdict
from monitors.stance.engine import StanceEngine

_AS_LABEL = {Verdict.DISPUTED: "neutral"}


@dataclass(frozen=True)
class Prediction:
    """The engine's answer for one pair: our label, its score (the confidence) and why."""

    label: str
    score: float
    why: str


def predict(pairs: Sequence[Pair]) -> list[Prediction]:
    """A prediction for every pair; one engine, texts read once each."""
    claims = {p.claim.id: p.claim for p in pairs}
    engine = StanceEngine(claims.values())
    out: list[Prediction] = []
    for pair in pairs:
        assessment = engine.assess(pair.title, pair.body, [pair.claim.id])[0]
        label = _AS_LABEL.get(assessment.verdict, assessment.verdict.value)
        why = assessment.evidence[0].why if assessment.evidence else "no sentence matched"
        out.append(
            Prediction(
                label,
                assessment.score,
                f"{assessment.verdict.value} ({assessment.score:.2f}): {why}",
            )
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m monitors.evaluate`` and ``claimwatch eval``."""
    args = _parser().parse_args(argv)
    try:
        pairs = load_pairs(
            args.format, args.paths, args.claims, news_path=args.news, split=args.split
        )
    except (OSError, ValueError, KeyError, ClaimwatchError) as exc:
        # str(KeyError) wraps its message in quotes; show the message itself.
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"evaluate: {message}", file=sys.stderr)
        return 2
    if args.limit:
        pairs = pairs[: args.limit]
    empty = sum(1 for p in pairs if not (p.title.strip() or p.body.strip()))
    if empty:
        # RUWA has reports with neither title nor desc: their label cannot be earned, say so.
        print(f"evaluate: note: {empty} pair(s) have no title or text; the engine reads them "
              "as unrelated", file=sys.stderr)  # fmt: skip
    started = time.perf_counter()
    predictions = predict(pairs)
    elapsed = time.perf_counter() - started
    gold, labels = [p.label for p in pairs], [p.label for p in predictions]
    metrics = compute_metrics(gold, labels)
    claims = by_claim(pairs, labels)
    reliability = calibration(gold, labels, [p.score for p in predictions])
    print(format_report(metrics))
    if args.by_claim:
        print(format_breakdown(claims))
    if args.calibration:
        print(format_calibration(reliability))
    print(f"{len(pairs)} pairs (split {args.split}) in {elapsed:.1f} s")
    if args.errors:
        _print_errors(pairs, predictions, args.errors)
    if args.json:
        data = _as_json(metrics)
        # Always in the JSON (they cost nothing next to the engine): scripts need no flags.
        data["by_claim"] = claims.to_json()
        data["calibration"] = calibration_json(reliability)
        print(json.dumps(data, sort_keys=True))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m monitors.evaluate", description="Score the stance engine on labelled pairs."
    )
    parser.add_argument("paths", nargs="+", type=Path, help="pairs CSV (fnc: STANCES BODIES)")
    parser.add_argument("--format", choices=("csv", "warnews", "emergent", "fnc"), default="csv")
    parser.add_argument("--claims", type=Path, help="claims YAML for a claim_id column")
    parser.add_argument(
        "--news", type=Path, help=f"warnews: the RUWA news.csv (default {DEFAULT_NEWS})"
    )
    parser.add_argument(
        "--split", choices=("dev", "holdout", "all"), default="dev",
        help="rows of this split only (default dev; a file without a split column is all dev)",
    )  # fmt: skip
    parser.add_argument(
        "--by-claim", action="store_true", help="a table per claim after the overall figures"
    )
    parser.add_argument(
        "--calibration", action="store_true",
        help="score bins of predicted confirm/contradict, and precision at thresholds 0.5-0.95",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="show N mistakes")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="first N pairs only")
    return parser


def _print_errors(pairs: Sequence[Pair], predictions: Sequence[Prediction], n: int) -> None:
    shown = 0
    for pair, prediction in zip(pairs, predictions, strict=True):
        if prediction.label == pair.label or shown >= n:
            continue
        shown += 1
        report = (pair.title + " | " + pair.body).strip(" |")[:200]
        print(
            f"\n[{shown}] gold={pair.label} predicted={prediction.label}"
            f"\n  claim:  {pair.claim.statement}\n  report: {report}\n  why:    {prediction.why}"
        )


def _as_json(metrics: Metrics) -> dict[str, object]:
    data: dict[str, object] = {
        "n": metrics.n,
        "accuracy": metrics.accuracy,
        "macro_f1": metrics.macro_f1,
        "per_class": metrics.per_class,
        "confusion": metrics.confusion,
    }
    if metrics.fnc_score is not None:
        data["fnc_score"] = metrics.fnc_score
        data["relatedness_accuracy"] = metrics.relatedness_accuracy
    return data
