"""Subject matching measured on the bench's feed farm: recall, precision, throughput.

    python -m scripts.match_bench [--bench DIR] [--n 1000] [--m 50] [--seed 1] [--claims 20]

Starts the farm from the bench directory (default ``$CLAIMWATCH_BENCH`` or /work/shared/bench;
it is not part of claimwatch and is never copied into it), fetches and parses every feed with
claimwatch's own parser, reads each entry into sentences and runs the alias index over them. It
prints recall and precision of (entry, claim) subject matches against the mentions the farm
planted (``GET /__truth``), and throughput in entry-alias pairs per second, next to the bench's
token-index floor (``floor.match_index``) measured in the same sitting on the same texts. It
measures and prints; it is not a test.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pathlib
import sys
import time
from types import ModuleType
from typing import Any

import feedparser
import httpx

from monitors.ingest.parse import entry_to_report
from monitors.models import Claim
from monitors.stance.alias_index import AliasIndex
from monitors.stance.sentence import raw_words, read_text, scan_text

# ../shared/bench beside the checkout, as CI has it (CLAIMWATCH_BENCH overrides).
DEFAULT_BENCH = pathlib.Path(
    os.environ.get(
        "CLAIMWATCH_BENCH", pathlib.Path(__file__).resolve().parents[2] / "shared" / "bench"
    )
)
NAIVE_RECALL = 0.917  # the bench README's figure for fuzz.partial_ratio per entry x alias


def _bench_module(bench: pathlib.Path, name: str) -> ModuleType:
    if str(bench) not in sys.path:
        sys.path.insert(0, str(bench))
    return importlib.import_module(name)


def _entries(url: str, n: int) -> list[tuple[str, str, str]]:
    """(guid, title, summary) of every item, via feedparser and claimwatch's entry reader."""
    out: list[tuple[str, str, str]] = []
    with httpx.Client(timeout=60.0) as client:
        for i in range(n):
            parsed: Any = feedparser.parse(client.get(f"{url}/feed/{i}.xml").content)
            for entry in parsed.entries:
                report = entry_to_report(f"farm-{i}", entry)
                if report is not None:
                    guid = str(entry.get("id", "")).rsplit(":", 1)[-1]
                    out.append((guid, report.title, report.summary))
    return out


def _first_look(index: AliasIndex, entries: list[tuple[str, str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for guid, title, summary in entries:
        raws = raw_words(title, summary)
        if raws is not None and not index.may_match(raws):
            continue
        found.update((guid, cid) for cid in index.best_hits(scan_text(title, summary)))
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", type=pathlib.Path, default=DEFAULT_BENCH)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--m", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--claims", type=int, default=20)
    a = ap.parse_args(argv)
    if not (a.bench / "farm.py").exists():
        print(f"no bench at {a.bench} (set --bench or $CLAIMWATCH_BENCH)", file=sys.stderr)
        return 2
    common, farm, floor = (_bench_module(a.bench, m) for m in ("common", "farm", "floor"))
    specs = farm.make_claims(a.claims, a.seed)
    claims = [Claim(c["id"], c["statement"], tuple(c["aliases"]), threshold=c["threshold"])
              for c in specs]  # fmt: skip
    with common.FarmProc(a.n, a.m, a.seed) as proc:
        t0 = time.perf_counter()
        entries = _entries(proc.url, a.n)
        fetch_s = time.perf_counter() - t0
        truth: dict[str, list[str]] = common.get_json(proc.url + "/__truth")

    t0 = time.perf_counter()
    readings = [read_text(title, summary) for _, title, summary in entries]
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = AliasIndex(claims)
    found = {
        (guid, cid)
        for (guid, _, _), sentences in zip(entries, readings, strict=True)
        for cid in index.claims_in((s.tokens, s.clauses) for s in sentences)
    }
    match_s = time.perf_counter() - t0

    # What the engine does instead (StanceEngine.assess): a first look at each entry's raw words,
    # then a sentence scan only where one can anchor an alias. Fresh index: no warm caches.
    t0 = time.perf_counter()
    looked = _first_look(AliasIndex(claims), entries)
    look_s = time.perf_counter() - t0
    assert looked == found, "the engine's first look must find what claims_in finds"

    by_subject: dict[str, list[str]] = {}
    for spec in specs:
        by_subject.setdefault(spec["subject"], []).append(spec["id"])
    want = {(g, cid) for g, (subject, *_) in truth.items() for cid in by_subject.get(subject, [])}
    right = want & found
    pairs = len(entries) * index.aliases

    texts = [f"{title} {summary}" for _, title, summary in entries]
    aliases = [alias for spec in specs for alias in spec["aliases"]]
    floor_s, _, _ = floor.match_index(texts, aliases)

    print(f"farm {a.n} feeds x {a.m} items, seed {a.seed}: {len(entries)} entries")
    print(f"fetch + parse {fetch_s:.1f} s; {len(claims)} claims, {index.aliases} aliases")
    print(f"planted (entry, claim) mentions: {len(want)}; matched: {len(found)}")
    print(f"recall    {len(right) / len(want):.4f}  (naive partial_ratio scorer: {NAIVE_RECALL})")
    print(f"precision {len(right) / len(found):.4f}  ({len(found - want)} matches not planted)")
    print(f"sentence reading (claim-independent): {read_s:.2f} s")
    print(f"matching: {match_s:.2f} s = {pairs / match_s / 1e6:.2f} M entry-alias pairs/s")
    print(f"bench token-index floor (floor.match_index, 1 process, same texts, this sitting): "
          f"{floor_s:.2f} s = {pairs / floor_s / 1e6:.2f} M pairs/s")  # fmt: skip
    print(f"ours / floor throughput: {floor_s / match_s:.2f}")
    rate = pairs / look_s / 1e6
    print(f"engine's matching from raw text (raw words first, then scan; no prior reading): "
          f"{look_s:.2f} s = {rate:.2f} M pairs/s; / floor: {floor_s / look_s:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
