"""Build monitors/stance/idf.json: how common each word stem is in news text (document frequencies).

Relatedness weighs a claim's words by rarity: sharing "Gornal" or "meteorite" with a report says
much more than sharing "video" or "man". The table is counted over the FNC-1 dev bodies and the
Emergent dev headlines (../shared/data); no labels are used. Stems seen in fewer than 3 documents
are left out (they get the maximum weight anyway), which keeps the file small.

    .venv/bin/python scripts/train_idf.py [--data ../shared/data] [--out monitors/stance/idf.json]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

from monitors.text import stems

MIN_DF = 3


def count(data: Path) -> tuple[int, Counter[str]]:
    csv.field_size_limit(10_000_000)
    df: Counter[str] = Counter()
    n = 0
    with (data / "fnc-1" / "dev_bodies.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            df.update(set(stems(row["articleBody"])))
            n += 1
    with (data / "emergent" / "dev.csv").open(newline="", encoding="utf-8") as handle:
        seen = set()
        for row in csv.DictReader(handle):
            if row["articleId"] not in seen:
                seen.add(row["articleId"])
                df.update(set(stems(row["articleHeadline"])))
                n += 1
    return n, df


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=root.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=root / "monitors" / "stance" / "idf.json")
    args = parser.parse_args()
    n, df = count(args.data)
    table = {word: c for word, c in sorted(df.items()) if c >= MIN_DF}
    args.out.write_text(json.dumps({"documents": n, "df": table}, separators=(",", ":")) + "\n")
    print(f"{args.out}: {len(table)} stems from {n} documents")


if __name__ == "__main__":
    main()
