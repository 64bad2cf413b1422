"""The claimwatch command: check, status, evidence, alerts, and config errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.cli import main
from monitors.config import load_config
from monitors.models import Feed, Report
from monitors.paths import DEMO_CONFIG_DIR
from monitors.stance import StanceEngine
from monitors.store import Store

VERDICTS = {"confirm", "contradict", "disputed", "neutral", "unrelated"}


def test_check_json_from_the_console_script() -> None:
    """`claimwatch check --json` prints one object with a verdict and evidence per claim."""
    exe = Path(sys.executable).with_name("claimwatch")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "flows.cli"]
    done = subprocess.run(
        [*command, "check", "--json", "Ukraine denies that Russian forces recaptured Gornal"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    by_id = {c["id"]: c for c in result["claims"]}
    assert ["kursk-control", "gornal-recaptured"] == [c["id"] for c in result["claims"]]
    assert all(c["verdict"] in VERDICTS for c in result["claims"])
    gornal = by_id["gornal-recaptured"]
    assert "contradict" == gornal["verdict"]
    assert "Gornal" == gornal["evidence"][0]["alias"]
    assert gornal["evidence"][0]["cue"]


def test_check_accepts_a_claims_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--config` may name a claims file; the human output explains each verdict."""
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n  - id: bridge\n    statement: The Antonivskyi bridge collapsed\n"
        "    aliases: [Antonivskyi bridge, Антоновский мост]\n",
        encoding="utf-8",
    )
    assert 0 == main(
        ["check", "--config", str(claims), "The Antonivskyi bridge collapsed on Sunday."]
    )
    out = capsys.readouterr().out
    assert out.startswith("bridge: CONFIRM")
    assert "why:" in out


def test_bad_config_exits_2_with_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken config makes the command exit 2 and print every problem."""
    shutil.copytree(DEMO_CONFIG_DIR, tmp_path / "cfg")
    (tmp_path / "cfg" / "claims.yaml").write_text(
        "claims:\n  - id: x\n    statement: y\n    threshold: 120\n", encoding="utf-8"
    )
    assert 2 == main(["status", "--config", str(tmp_path / "cfg")])
    assert capsys.readouterr().err == (
        "claimwatch: claims.yaml: 1 problem\n"
        "  claims[0].threshold: must be between 0 and 100 (got 120)\n"
    )


def test_status_evidence_and_alerts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After a decided report, status, evidence and alerts show it; alerts retry re-queues."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    config = load_config(DEMO_CONFIG_DIR)
    report = Report(
        feed_id="wire",
        report_id="1",
        title="Russian forces recaptured Gornal",
        summary="The defence ministry said troops recaptured Gornal.",
        link="https://news.example/1",
        published=datetime(2025, 4, 26, tzinfo=UTC),
        content_hash="h1",
    )
    store = Store(url)
    assessments = StanceEngine(config.claims).assess(report.title, report.summary)
    claims = {c.id: c for c in config.claims}
    store.record_report(report, Feed(id="wire", url="x"), assessments, claims, ["demo-file"])

    assert 0 == main(["status", "--json", "--database-url", url])
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)["claims"]}
    assert ("confirmed", 1) == (
        rows["gornal-recaptured"]["state"],
        rows["gornal-recaptured"]["confirming"],
    )
    assert "unknown" == rows["kursk-control"]["state"]

    assert 0 == main(["evidence", "gornal-recaptured", "--database-url", url])
    assert (
        "CONFIRM: Russian forces recaptured Gornal https://news.example/1"
        in capsys.readouterr().out
    )

    (item,) = store.claim_pending(["demo-file"], lease=timedelta(seconds=1))
    store.mark_failed(item, "file demo-file: disk full", give_up=True)
    assert 0 == main(["alerts", "retry", "--database-url", url])
    assert "re-queued 1 failed alert(s)" in capsys.readouterr().out
    assert ["pending"] == [i.status for i in store.outbox()]
