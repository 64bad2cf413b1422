"""scripts/bench.py's arguments and its table, from given numbers (no farm, no product run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import bench


def test_defaults_are_the_scale_issue_workload() -> None:
    a = bench.parse_args([])
    assert (1000, 50, 100, 10, 3) == (a.feeds, a.items, a.claims, a.mutate, a.cycles)
    assert Path(__file__).resolve().parent.parent.parent / "shared" / "bench" == a.bench_dir


def test_one_cycle_is_refused() -> None:
    with pytest.raises(SystemExit):
        bench.parse_args(["--cycles", "1"])


def test_missing_bench_dir_exits_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 2 == bench.main(["--bench-dir", str(tmp_path)])
    assert "no bench workload at" in capsys.readouterr().err


def _product(walls: list[float], rss: float) -> dict[str, object]:
    cycles = [{"wall_s": w, "peak_tree_rss_mb": rss, "rc": 0} for w in walls]
    return {"cycles": cycles, "mutate": 10}


def test_rows_compare_with_floors_and_targets() -> None:
    floor = {"c_parse_pool": {"wall_s": 4.0}, "b_fetch_304": {"wall_s": 0.5}}
    rows = bench.rows(floor, _product([10.0, 3.0, 3.3], 300.0), 2.0, 0.96)
    by = {r.figure: r for r in rows}
    first = by["cycle 1, all 200 (s)"]
    assert (2.5, 8.0, "MISS") == (first.ratio(), first.limit, first.verdict())
    second = by["cycle 2, all 304 (s)"]
    assert (3.5, "ok") == (second.limit, second.verdict())  # 3 x 0.5 + 2.0 fixed
    third = by["cycle 3, 10 changed (s)"]
    assert (1.1, "ok") == (pytest.approx(third.ratio()), third.verdict())
    assert "ok" == by["peak RSS, process tree (MB)"].verdict()
    assert "ok" == by["recall of planted mentions"].verdict(at_least=True)


def test_rows_without_floors_give_no_verdict() -> None:
    rows = bench.rows(None, _product([10.0, 3.0], 0.0), None, None)
    assert all(r.verdict() == "-" for r in rows if not r.figure.startswith("cycle 3"))
    text = bench.table(rows)
    assert "cycle 1, all 200 (s)" in text and "recall of planted mentions" in text


def test_plain_path_rows_compare_each_cycle_with_the_run_without_prefect() -> None:
    rows = bench.rows(None, _product([13.0, 3.0], 0.0), None, None, plain_walls=[10.0, 2.0])
    by = {r.figure: r for r in rows}
    first, second = by["cycle 1, plain path (s)"], by["cycle 2, plain path (s)"]
    assert (1.3, 13.0, "ok") == (first.ratio(), first.limit, first.verdict())
    assert (1.5, "MISS") == (second.ratio(), second.verdict())


def test_a_long_sitting_shows_cycles_1_2_3_and_the_last_with_medians_and_rss_growth() -> None:
    product = _product([10.0, 3.0, 3.3, 9.0, 3.1, 3.2], 300.0)
    product["cycles"][-1]["peak_tree_rss_mb"] = 340.0  # grew by 13% over cycle 3
    rows = bench.rows(None, product, None, None, plain_walls=[8.0, 2.0, 2.0, 2.0, 2.0, 3.0])
    by = {r.figure: r for r in rows}
    assert "cycle 4, 10 changed (s)" not in by and "cycle 6, 10 changed (s)" in by
    median = by["cycles 3-6 median (s)"]
    assert (3.25, 3.6) == (median.value, pytest.approx(median.limit))  # of 3.3, 9.0, 3.1, 3.2
    assert "MISS" == by["RSS process tree, cycle 6 (MB)"].verdict()
    plain = by["cycles 3-6 median, plain path (s)"]
    assert (3.25, 2.0, "MISS") == (plain.value, plain.floor, plain.verdict())


def test_served_rows_compare_with_both_plain_paths_and_check_rss_growth() -> None:
    served = {
        "startup_s": 1.8,
        "cycles": [{"wall_s": w, "peak_tree_rss_mb": 250.0} for w in [9.0, 2.0, 2.0, 1.9, 2.1]],
    }
    loop = {"cycles": [{"wall_s": w} for w in [8.0, 1.5, 1.5, 1.6, 1.7]]}
    by = {r.figure: r for r in bench.served_rows(served, loop, [10.0, 2.5, 2.5, 2.5, 2.5])}
    assert "ok" == by["cycles 3-5 median, served (s)"].verdict()
    warm = by["cycles 3-5 median, served: plain loop (s)"]
    assert (2.0, 1.6, "ok") == (warm.value, warm.floor, warm.verdict())
    assert "ok" == by["RSS served tree, cycle 5 (MB)"].verdict()


def test_plain_run_does_the_flows_steps_without_prefect(tmp_path: Path) -> None:
    """One run on the bundled demo: it polls, decides and delivers like ``claimwatch run``."""
    from flows.config import load_config
    from monitors.paths import DEMO_CONFIG_DIR
    from monitors.state.store import Store
    from scripts import plain_run

    url = f"sqlite:///{tmp_path / 'cw.db'}"
    assert 0 == plain_run.main(["--config", str(DEMO_CONFIG_DIR), "--database-url", url])
    store = Store(url)
    try:
        delivered = store.outbox(status="delivered")
        claims = load_config(DEMO_CONFIG_DIR, secrets=None).claims
        states = {s.claim_id: s.state.value for s in store.claim_statuses(claims)}
    finally:
        store.close()
    assert delivered, "the demo's alerts were not delivered"
    assert "confirmed" in states.values(), states  # the demo's Gornal report confirms its claim
