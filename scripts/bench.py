"""claimwatch against the shared scale workload, next to its floors, in one sitting.

    python -m scripts.bench [--bench-dir DIR] [--feeds 1000] [--items 50] [--claims 100]
        [--mutate 10] [--cycles 3] [--repeat 3] [--timeout 1800] [--skip-floors] [--skip-naive]
        [--skip-plain]

Starts one feed farm from the bench directory (default ``../shared/bench`` next to the repository;
it is not part of claimwatch and is never copied into it) and points the bench's own scripts at it:
``floor.py`` (the floors), ``baseline_naive.py`` (the naive poller) and ``time_product.py`` (the
product, cycle by cycle: 1 all 200, 2 all 304, 3+ K changed feeds), and the same cycles of
``scripts.plain_run`` (the steps without Prefect; ``--skip-plain`` leaves it out); with a running
Prefect server, the same cycles through one ``claimwatch serve`` process and through the plain
steps in one process (``scripts/bench_served.py``; ``--skip-served`` leaves them out). It also
times one run over one one-item local feed (the fixed cost of a flow run), reads the product's
evidence rows to compute recall of the farm's planted mentions, prints one table and writes the raw
results as JSON under ``$BENCH_RESULTS`` (default ./bench-results). It measures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from scripts.bench_served import time_plain_loop, time_served

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "bench"
NAIVE_RECALL = 0.917  # the bench README's figure for the naive partial_ratio scorer
PRODUCT_CMD = "{exe} run --config {{config_dir}} --database-url sqlite:///{{state_dir}}/cw.db"
# The same steps without Prefect (scripts/plain_run.py), for the Prefect-vs-plain ratio.
PLAIN_CMD = "{python} -m scripts.plain_run --config {{config_dir}} --database-url sqlite:///{{state_dir}}/cw.db"

Json = dict[str, Any]


@dataclass(frozen=True)
class Row:
    """One line of the table: a product figure, what it is compared with, and the target."""

    figure: str
    value: float | None
    floor: float | None
    target: str
    limit: float | None  # value must be <= limit (or >= for recall); None: no verdict

    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    def verdict(self, at_least: bool = False) -> str:
        if self.value is None or self.limit is None:
            return "-"
        ok = self.value >= self.limit if at_least else self.value <= self.limit
        return "ok" if ok else "MISS"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--bench-dir", type=pathlib.Path, default=DEFAULT_BENCH)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--claims", type=int, default=100)
    ap.add_argument("--mutate", type=int, default=10, help="feeds changed per cycle from cycle 3")
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="repeats for floors, naive, fixed cost")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per product cycle")
    ap.add_argument("--skip-floors", action="store_true")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument(
        "--skip-plain", action="store_true", help="do not time the path without Prefect"
    )
    ap.add_argument(
        "--skip-served",
        action="store_true",
        help="do not time `claimwatch serve` and the plain steps in one process",
    )
    a = ap.parse_args(argv)
    if a.cycles < 2:
        ap.error("--cycles must be at least 2 (cycle 2 is the all-304 cycle)")
    return a


# --- the farm and the bench's scripts -------------------------------------------------------------


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as r:  # the farm on 127.0.0.1 only
        return json.loads(r.read())


@contextmanager
def farm(bench: pathlib.Path, a: argparse.Namespace) -> Iterator[str]:
    """``farm.py serve`` as our child; yields its URL and stops exactly that PID."""
    cmd = [
        sys.executable,
        str(bench / "farm.py"),
        "serve",
        "--n",
        str(a.feeds),
        "--m",
        str(a.items),
        "--seed",
        str(a.seed),
        "--mutate",
        str(a.mutate),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"the farm (pid {proc.pid}) exited before it was ready")
        yield str(json.loads(line)["url"])
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()


def run_script(bench: pathlib.Path, name: str, args: list[str]) -> int:
    """A bench script by path, its output passed through."""
    cmd = [sys.executable, str(bench / name), *args]
    print(f"\n$ {' '.join(cmd)}", flush=True)
    return subprocess.run(cmd, check=False).returncode


def load(results: pathlib.Path, name: str) -> Json | None:
    path = results / f"{name}.json"
    data: Json | None = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    return data


# --- the product ----------------------------------------------------------------------------------


def check_extras() -> None:
    """The bench's scripts run in this interpreter: time_product.py needs psutil, floor.py numpy."""
    for name in ("psutil", "numpy"):
        try:
            __import__(name)
        except ImportError:
            raise SystemExit(f"the bench needs {name}: pip install -e '.[bench]'") from None


def claimwatch_exe() -> str:
    exe = pathlib.Path(sys.executable).parent / "claimwatch"
    if not exe.exists():
        raise SystemExit(f"no claimwatch next to {sys.executable}: pip install -e . in this venv")
    return str(exe)


DULL_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>empty</title><link>http://127.0.0.1/</link>
<description>one dull item</description><item><guid>bench-dull-1</guid><title>Weather</title>
<description>Mild and dry.</description></item></channel></rss>
"""


def fixed_cost(work: pathlib.Path, repeat: int) -> Json:
    """Median wall of ``claimwatch run`` with the same claims over one local one-item feed: the
    cost of a flow run itself. (The config refuses zero feeds, and a local feed with no items
    counts as failed: a file has no Content-Type, so feedparser flags it.)"""
    empty = work / "config-empty"
    shutil.rmtree(empty, ignore_errors=True)
    shutil.copytree(work / "config", empty)
    (empty / "dull.rss").write_text(DULL_RSS, encoding="utf-8")
    feed = (empty / "dull.rss").resolve().as_uri()
    (empty / "feeds.yaml").write_text(f"feeds:\n  - id: empty\n    url: {feed}\n", encoding="utf-8")
    walls, rcs = [], []
    for i in range(repeat):
        db = work / f"empty-{i}.db"
        db.unlink(missing_ok=True)
        cmd = [claimwatch_exe(), "run", "--config", str(empty), "--database-url", f"sqlite:///{db}"]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, check=False, capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        rcs.append(done.returncode)
        if done.returncode:
            print(done.stdout[-2000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
    return {"wall_s": statistics.median(walls), "runs_wall_s": walls, "rc": rcs}


def recall(truth: dict[str, list[str]], claims: list[Json], db: pathlib.Path) -> Json:
    """Planted (guid, claim) pairs found in the product's evidence rows (any verdict but
    unrelated: the product stores a row for every report it judged to be about a claim)."""
    by_subject: dict[str, list[str]] = {}
    for c in claims:
        by_subject.setdefault(c["subject"], []).append(c["id"])
    want = {(g, cid) for g, (subject, *_) in truth.items() for cid in by_subject.get(subject, [])}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT DISTINCT report_id, claim_id FROM evidence").fetchall()
        reports = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    got = {(str(rid).rsplit(":", 1)[-1], str(cid)) for rid, cid in rows}  # Atom ids are tag: URIs
    return {
        "planted_pairs": len(want),
        "evidence_pairs": len(got),
        "found": len(want & got),
        "not_planted": len(got - want),
        "reports_stored": reports,
        "recall": len(want & got) / len(want) if want else None,
    }


# --- the table ------------------------------------------------------------------------------------


def rows(
    fl: Json | None,
    product: Json,
    fixed_s: float | None,
    rec: float | None,
    naive_rec: float = NAIVE_RECALL,
    plain_walls: list[float] | None = None,
) -> list[Row]:
    """The figures against their floors and targets (see the scale issue)."""
    cyc = [c["wall_s"] for c in product["cycles"]]
    mark = ["*" if c["rc"] else "" for c in product["cycles"]]  # killed: a lower bound
    pool = fl["c_parse_pool"]["wall_s"] if fl and "c_parse_pool" in fl else None
    f304 = fl["b_fetch_304"]["wall_s"] if fl and "b_fetch_304" in fl else None
    allowed_304 = 3 * f304 + fixed_s if f304 is not None and fixed_s is not None else None
    out = [
        Row(
            f"cycle 1, all 200 (s){mark[0]}",
            cyc[0],
            pool,
            "<= 2x parse floor (2 proc)",
            2 * pool if pool else None,
        ),
        Row(
            f"cycle 2, all 304 (s){mark[1]}",
            cyc[1],
            f304,
            "<= 3x cond. fetch floor + fixed",
            allowed_304,
        ),
    ]
    changed = f"{product['mutate']} changed"
    for i in (i for i in shown(len(cyc)) if i >= 3):
        label = f"cycle {i}, {changed} (s){mark[i - 1]}"
        out.append(Row(label, cyc[i - 1], cyc[1], "<= 1.2x cycle 2", 1.2 * cyc[1]))
    if len(cyc) > 3:
        mid = statistics.median(cyc[2:])
        label = f"cycles 3-{len(cyc)} median (s)"
        out.append(Row(label, mid, cyc[1], "<= 1.2x cycle 2", 1.2 * cyc[1]))
    out.append(Row("fixed cost, 1-item local feed", fixed_s, None, "(in the 304 target)", None))
    rss = [c["peak_tree_rss_mb"] for c in product["cycles"]]
    peak = max(rss) or None  # 0: not sampled
    out.append(Row("peak RSS, process tree (MB)", peak, None, "<= 400", 400.0))
    out += flat_rss_rows("process tree", rss)
    out.append(Row("recall of planted mentions", rec, naive_rec, ">= 0.95 (vs naive)", 0.95))
    if plain_walls:
        out += versus_rows("plain path", cyc, plain_walls, "Prefect <= 1.3x plain")
    return out


def shown(cycles: int) -> list[int]:
    """The cycles that get a row of their own: 1, 2, 3 and the last (a long sitting's other
    cycles are in its median rows and the JSON)."""
    return sorted({i for i in (1, 2, 3, cycles) if 1 <= i <= cycles})


def versus_rows(name: str, walls: list[float], others: list[float], target: str) -> list[Row]:
    """``walls`` against ``others`` cycle by cycle (the shown ones), and the medians of cycles 3+
    (K changed each) when there are more than three: a single cycle on a noisy host moves by
    +-20%."""
    n = min(len(walls), len(others))
    out = [
        Row(f"cycle {i}, {name} (s)", walls[i - 1], others[i - 1], target, 1.3 * others[i - 1])
        for i in shown(n)
    ]
    if n > 3:
        mine, theirs = statistics.median(walls[2:n]), statistics.median(others[2:n])
        out.append(Row(f"cycles 3-{n} median, {name} (s)", mine, theirs, target, 1.3 * theirs))
    return out


def flat_rss_rows(name: str, rss: list[float]) -> list[Row]:
    """Peak RSS of the last cycle against cycle 3's (no growth over a long sitting)."""
    if len(rss) <= 3 or not rss[2]:
        return []
    label = f"RSS {name}, cycle {len(rss)} (MB)"
    return [Row(label, rss[-1], rss[2], "flat: <= 1.1x cycle 3", 1.1 * rss[2])]


def served_rows(served: Json, loop: Json, plain_walls: list[float] | None) -> list[Row]:
    """``claimwatch serve`` against the plain path per process and in one process."""
    walls = [c["wall_s"] for c in served["cycles"]]
    out = [Row("served start-up, once (s)", served["startup_s"], None, "(not in any cycle)", None)]
    if plain_walls:
        out += versus_rows("served", walls, plain_walls, "served <= 1.3x plain")
    warm = [c["wall_s"] for c in loop["cycles"]]
    out += versus_rows("served: plain loop", walls, warm, "warm <= 1.3x warm")
    rss = [c["peak_tree_rss_mb"] for c in served["cycles"]]
    out.append(Row("peak RSS, served tree (MB)", max(rss) or None, None, "<= 400", 400.0))
    out += flat_rss_rows("served tree", rss)
    return out


def _num(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def table(rs: list[Row]) -> str:
    """The rows aligned, the figure column as wide as the longest figure."""
    width = max([30, *(len(r.figure) for r in rs)])
    head = (
        f"{'figure':<{width}} {'product':>9} {'floor':>9} {'ratio':>7} {'limit':>8}  {'target':<32}"
    )
    lines = [head.rstrip(), "-" * len(head)]
    for r in rs:
        recall_row = r.figure.startswith("recall")
        d = 3 if recall_row else 2
        lines.append(
            f"{r.figure:<{width}} {_num(r.value, d):>9} {_num(r.floor, d):>9} "
            f"{_num(r.ratio()):>7} {_num(r.limit, d):>8}  {r.target:<32} {r.verdict(recall_row)}"
        )
    return "\n".join(lines)


# --- one sitting ----------------------------------------------------------------------------------


def sitting(a: argparse.Namespace, bench: pathlib.Path, results: pathlib.Path) -> Json:
    tag = f"n{a.feeds}_m{a.items}"
    size = ["--n", str(a.feeds), "--m", str(a.items), "--seed", str(a.seed)]
    work = results / f"work_{tag}_c{a.claims}"
    out: Json = {"kind": "claimwatch-bench", "args": {k: str(v) for k, v in vars(a).items()}}
    with farm(bench, a) as url:
        print(f"farm {url}: {a.feeds} feeds x {a.items} items, {a.claims} claims", flush=True)
        if not a.skip_floors:
            run_script(
                bench,
                "floor.py",
                [*size, "--farm", url, "--claims", str(a.claims), "--repeat", str(a.repeat)],
            )
        if not a.skip_naive:
            run_script(
                bench,
                "baseline_naive.py",
                [*size, "--farm", url, "--claims", str(a.claims), "--repeat", str(a.repeat)],
            )
        time_product(bench, a, url, "claimwatch", PRODUCT_CMD.format(exe=claimwatch_exe()), work)
        # The planted mentions as of the product's last cycle: the paths timed after it bump the
        # farm's epoch further (new items the product never polled).
        truth: dict[str, list[str]] = get_json(url + "/__truth")
        if not a.skip_plain:
            plain = PLAIN_CMD.format(python=sys.executable)
            time_product(bench, a, url, "plain", plain, results / f"work_{tag}_c{a.claims}_plain")
        if not a.skip_served and os.environ.get("PREFECT_API_URL"):
            print("\nthe same cycles through claimwatch serve, then the plain steps in one process")
            config = work / "config"
            args = (url, a.cycles, a.timeout)
            served_work = results / f"work_{tag}_c{a.claims}_served"
            out["served"] = time_served(claimwatch_exe(), config, served_work, *args)
            out["plain_loop"] = time_plain_loop(config, results / f"work_{tag}_loop", *args)
    product = load(results, f"product_claimwatch_{tag}_c{a.claims}")
    if product is None:
        raise SystemExit("time_product.py wrote no results; see its output above")
    out["product"] = product
    print("\nfixed cost: claimwatch run over one one-item local feed ...", flush=True)
    out["fixed_cost"] = fixed_cost(work, a.repeat)
    sys.path.insert(0, str(bench))
    claims: list[Json] = __import__("farm").make_claims(a.claims, a.seed)
    out["recall"] = recall(truth, claims, work / "state" / "cw.db")
    out["floor"] = None if a.skip_floors else load(results, f"floor_{tag}")
    out["naive"] = None if a.skip_naive else load(results, f"naive_{tag}_c{a.claims}")
    out["plain"] = None if a.skip_plain else load(results, f"product_plain_{tag}_c{a.claims}")
    return out


def time_product(
    bench: pathlib.Path,
    a: argparse.Namespace,
    url: str,
    name: str,
    cmd: str,
    work: pathlib.Path,
) -> None:
    """``time_product.py`` over ``cmd``: cycle 1 all 200, cycle 2 all 304, then K changed."""
    size = ["--n", str(a.feeds), "--m", str(a.items), "--seed", str(a.seed)]
    args = ["--farm", url, "--claims", str(a.claims), "--mutate", str(a.mutate)]
    args += ["--cycles", str(a.cycles), "--name", name, "--workdir", str(work)]
    run_script(bench, "time_product.py", [*size, *args, "--timeout", str(a.timeout), "--cmd", cmd])


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    bench = a.bench_dir.resolve()
    if not (bench / "farm.py").exists():
        print(
            f"no bench workload at {bench}: pass --bench-dir DIR (the folder holding "
            "farm.py, floor.py, baseline_naive.py, time_product.py)",
            file=sys.stderr,
        )
        return 2
    check_extras()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the farm is stopped on TERM
    results = pathlib.Path(os.environ.get("BENCH_RESULTS", "bench-results")).resolve()
    os.environ["BENCH_RESULTS"] = str(results)  # the bench's scripts write there too
    api = os.environ.get("PREFECT_API_URL")
    where = f"server at {api}" if api else "no PREFECT_API_URL: a temporary server per run"
    print(f"Prefect: {where}")
    out = sitting(a, bench, results)
    fl = out["floor"]
    naive = out["naive"]
    naive_rec = naive["median"].get("recall") if naive else None
    rs = rows(
        fl,
        out["product"],
        out["fixed_cost"]["wall_s"],
        out["recall"]["recall"],
        naive_rec or NAIVE_RECALL,
        [c["wall_s"] for c in out["plain"]["cycles"]] if out["plain"] else None,
    )
    if out.get("served"):
        plain_walls = [c["wall_s"] for c in out["plain"]["cycles"]] if out["plain"] else None
        rs += served_rows(out["served"], out["plain_loop"], plain_walls)
    out["table"] = [vars(r) | {"ratio": r.ratio()} for r in rs]
    out["prefect_api_url"] = api
    print(
        f"\nclaimwatch, {a.feeds} feeds x {a.items} items, {a.claims} claims, "
        f"K={a.mutate}; {out['product']['machine']}"
    )
    print(table(rs))
    if naive:
        cycles = naive["median"]["cycles"]
        print(
            f"naive poller, same sitting: cycle 1 {cycles[0]['wall_s_full']:.1f} s, cycle 2 "
            f"{cycles[-1]['wall_s_full']:.1f} s, recall {naive['median'].get('recall')}"
        )
    for c in out["product"]["cycles"]:
        if c["rc"] != 0:
            print(f"* cycle {c['cycle']} exited {c['rc']} (-9: killed at --timeout; a lower bound)")
    r = out["recall"]
    print(
        f"recall: {r['found']} of {r['planted_pairs']} planted (report, claim) pairs in the "
        f"evidence table; {r['not_planted']} evidence pairs not planted"
    )
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"bench_n{a.feeds}_m{a.items}_c{a.claims}.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"-> {path}")
    return 0 if all(c["rc"] == 0 for c in out["product"]["cycles"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
