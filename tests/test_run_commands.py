"""The ways a user starts a run: `claimwatch run` and `python -m flows.monitor`, on the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitors.paths import DEMO_CONFIG_DIR


def _run(command: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "CLAIMWATCH_HOME": str(home),
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),  # the harness's server, not a new one
    }
    env.pop("CLAIMWATCH_DATABASE_URL", None)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "command",
    [
        [str(Path(sys.executable).with_name("claimwatch")), "run"],
        [sys.executable, "-m", "flows.monitor", str(DEMO_CONFIG_DIR)],
    ],
    ids=["claimwatch-run", "python-m-flows.monitor"],
)
def test_demo_run_alerts_then_finds_nothing_new(
    prefect_harness: None, tmp_path: Path, command: list[str]
) -> None:
    """The demo decides its five reports, writes alerts to the JSON-lines sink, then is quiet."""
    first = _run(command, tmp_path)
    assert 0 == first.returncode, first.stderr[-3000:]
    alerts = [
        json.loads(line) for line in (tmp_path / "demo-alerts.jsonl").read_text().splitlines()
    ]
    by_claim = {(a["claim_id"], a["verdict"]) for a in alerts}
    assert ("gornal-recaptured", "confirm") in by_claim
    assert any(claim == "kursk-control" for claim, _ in by_claim)
    assert (tmp_path / "claimwatch.db").is_file()

    second = _run(command, tmp_path)
    assert 0 == second.returncode, second.stderr[-3000:]
    assert len(alerts) == len((tmp_path / "demo-alerts.jsonl").read_text().splitlines())


def test_a_run_over_a_database_of_other_claims_says_so(
    prefect_harness: None, tmp_path: Path
) -> None:
    """Forgetting --config runs the demo's claims over a database of real ones: the run
    summary names the claims the database holds that the config does not define."""
    from datetime import UTC, datetime

    from monitors.models import Assessment, Claim, Feed, Report, Verdict
    from monitors.state.store import Store

    store = Store(f"sqlite:///{tmp_path / 'claimwatch.db'}")
    real = Claim("bridge-destroyed", "The bridge was destroyed", aliases=("bridge",))
    report = Report("desk", "1", "The bridge was destroyed", "It was.", None,
                    datetime(2025, 1, 1, tzinfo=UTC), content_hash="h")  # fmt: skip
    assessment = Assessment(real.id, Verdict.NEUTRAL, 0.5, 0.5)
    store.record_report(report, Feed("desk", "x"), [assessment], {real.id: real}, [])
    store.close()

    run = _run([str(Path(sys.executable).with_name("claimwatch")), "run"], tmp_path)
    assert 0 == run.returncode, run.stderr[-3000:]
    assert "note: the database holds 1 claim(s) that " in run.stdout
    assert "(bridge-destroyed); pass --config or set CLAIMWATCH_CONFIG" in run.stdout


def test_the_readme_run_on_its_own_temporary_server_prints_no_error(tmp_path: Path) -> None:
    """The README's first command with no Prefect server configured: claimwatch's defaults turn
    the temporary server's telemetry off, so an offline machine sees no red ERROR line."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT_", "CLAIMWATCH_"))  # as on a fresh machine
    }
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), CLAIMWATCH_HOME=str(tmp_path / "home"))
    command = [str(Path(sys.executable).with_name("claimwatch")), "run"]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert 0 == run.returncode, output[-3000:]
    assert "temporary server" in output  # the path under test: no PREFECT_API_URL
    assert "telemetry" not in output.lower() and "ERROR" not in output, output[-3000:]
