"""How well "the same event" is recognised across outlets, on Emergent dev headlines.

    python -m scripts.story_similarity [--emergent ../shared/data/emergent/dev.csv]

Positives: two headlines that confirm ("for") the same Emergent claim, i.e. one event as two
outlets titled it. Negatives: 20,000 random pairs of confirming headlines of two different
claims. The content rule leaves out the first claim's own words, as the product leaves out the
tracked claim's (``policy.words_of_claim``). The claims are shuffled (seed 0) and halved: the
threshold of ``AlertPolicy.content_overlap`` was chosen on half A and measured once on half B.
Prints, per half and rule, recall of positives and the false-positive rate of negatives at each
threshold. What it cannot measure: two different events about one claim within the duplicate
window (Emergent has none), which is where a threshold too low would hold back news.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from monitors.models import Claim
from monitors.policy import (
    content_overlap,
    story_key,
    story_similarity,
    story_words,
    words_of_claim,
)

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "emergent" / "dev.csv"
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
Pair = tuple[str, str, str]  # (claim id, headline, headline)


CLAIMS: dict[str, Claim] = {}


def confirming_headlines(path: Path) -> dict[str, list[str]]:
    by_claim: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            CLAIMS[row["claimId"]] = Claim(row["claimId"], row["claimHeadline"])
            if row["articleHeadlineStance"] == "for":
                by_claim[row["claimId"]].append(row["articleHeadline"])
    return by_claim


def pairs(
    by_claim: dict[str, list[str]], claims: list[str], rng: random.Random
) -> tuple[list[Pair], list[Pair]]:
    positives = [(c, a, b) for c in claims for a, b in itertools.combinations(by_claim[c], 2)]
    heads = [(c, h) for c in claims for h in by_claim[c]]
    negatives = []
    while len(negatives) < 20_000:
        (c1, h1), (c2, h2) = rng.sample(heads, 2)
        if c1 != c2:
            negatives.append((c1, h1, h2))
    return positives, negatives


def title_rule(claim_id: str, a: str, b: str) -> float:
    return story_similarity(story_key(a), story_key(b)) / 100


def content_rule(claim_id: str, a: str, b: str) -> float:
    own = words_of_claim(CLAIMS[claim_id])
    return content_overlap(story_words(a) - own, story_words(b) - own)


def table(
    name: str, rule: Callable[[str, str, str], float], pos: list[Pair], neg: list[Pair]
) -> None:
    ps, ns = [rule(*p) for p in pos], [rule(*n) for n in neg]
    print(f"  {name}: {len(ps)} positive pairs, {len(ns)} negative")
    for t in THRESHOLDS:
        recall = sum(p >= t for p in ps) / len(ps)
        false = sum(n >= t for n in ns) / len(ns)
        print(f"    >= {t:.1f}: recall {recall:.3f}  false positives {false:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--emergent", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    if not args.emergent.exists():
        print(f"{args.emergent} not found: this measures on ../shared/data/emergent/dev.csv")
        return 2
    by_claim = confirming_headlines(args.emergent)
    claims = sorted(by_claim)
    random.Random(0).shuffle(claims)
    halves = {
        "A (chosen on)": claims[: len(claims) // 2],
        "B (measured once)": claims[len(claims) // 2 :],
    }
    for name, half in halves.items():
        pos, neg = pairs(by_claim, half, random.Random(1))
        print(f"half {name}: {len(half)} claims")
        table("title rule (story_similarity of story_key, /100)", title_rule, pos, neg)
        table("content rule (content_overlap of story_words)", content_rule, pos, neg)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
