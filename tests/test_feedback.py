"""The desk corrects the machine: ``claimwatch verdict``, the recomputed state, the alert that
follows only when the state moves, the evidence view, the JSON API, and the export ``eval`` reads.

The runs are real: feeds served by a loopback HTTP server, decided by the engine, recorded in
SQLite or a real PostgreSQL server, alerts delivered to a file channel.
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from alerts.render.alert import email_html, email_text, webhook_payload
from flows.cli import main
from monitors.corrections import CountedEvidence, recompute
from monitors.models import Alert, ClaimState, Verdict
from monitors.paths import DEMO_CONFIG_DIR
from monitors.state.store import Store
from scripts import plain_run
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.fixtures.stores import fresh_postgres_database

# --- the rule, on plain rows ------------------------------------------------------------------

T0 = datetime(2025, 4, 26, 8, tzinfo=UTC)
CONFIRM, CONTRADICT, NEUTRAL = Verdict.CONFIRM, Verdict.CONTRADICT, Verdict.NEUTRAL


def row(eid: int, verdict: Verdict, hours: float, score: float = 0.9) -> CountedEvidence:
    return CountedEvidence(eid, "feed", f"r{eid}", verdict, score, T0 + timedelta(hours=hours))


def key(eid: int) -> tuple[str, str]:
    return ("feed", f"r{eid}")


def test_wrong_on_the_newest_confirm_falls_back_to_the_earlier_contradict() -> None:
    rows = [row(1, CONTRADICT, 0), row(2, CONFIRM, 5)]
    result = recompute(ClaimState.CONFIRMED, rows, {}, (key(2), NEUTRAL), 0.75)
    assert (ClaimState.CONTRADICTED, 1, True) == (result.state, result.deciding.evidence_id,
                                                  result.moved)  # type: ignore[union-attr]  # fmt: skip


def test_nothing_left_that_counts_makes_the_claim_unknown() -> None:
    rows = [row(1, NEUTRAL, 0), row(2, CONFIRM, 5)]
    result = recompute(ClaimState.CONFIRMED, rows, {}, (key(2), Verdict.UNRELATED), 0.75)
    assert (ClaimState.UNKNOWN, None, True) == (result.state, result.deciding, result.moved)


def test_an_analyst_verdict_counts_below_the_alert_threshold() -> None:
    """The engine's 0.40 confirm never moved the claim; the analyst's confirm of it does."""
    rows = [row(1, CONFIRM, 0, score=0.40)]
    result = recompute(ClaimState.UNKNOWN, rows, {}, (key(1), CONFIRM), 0.75)
    assert (ClaimState.CONFIRMED, True) == (result.state, result.moved)


def test_an_older_report_does_not_overturn_a_newer_one() -> None:
    rows = [row(1, NEUTRAL, 0), row(2, CONTRADICT, 5)]
    result = recompute(ClaimState.CONTRADICTED, rows, {}, (key(1), CONFIRM), 0.75)
    assert (ClaimState.CONTRADICTED, False, False) == (result.state, result.moved,
                                                       result.rewrites)  # fmt: skip


def test_a_verdict_rewrites_only_what_it_changes() -> None:
    """The stored state drifted (a threshold raised since): a verdict that changes nothing in the
    outcome does not rewrite it, one that does moves it."""
    rows = [row(1, CONFIRM, 0, score=0.80), row(2, NEUTRAL, 5)]
    unchanged = recompute(ClaimState.UNKNOWN, rows, {}, (key(2), NEUTRAL), 0.85)
    assert (False, False) == (unchanged.rewrites, unchanged.moved)
    changed = recompute(ClaimState.UNKNOWN, rows, {}, (key(2), CONTRADICT), 0.85)
    assert (ClaimState.CONTRADICTED, True) == (changed.state, changed.moved)


def test_agreeing_with_the_engine_changes_nothing() -> None:
    rows = [row(1, CONTRADICT, 0), row(2, CONFIRM, 5)]
    result = recompute(ClaimState.CONFIRMED, rows, {}, (key(2), CONFIRM), 0.75)
    assert (False, False) == (result.rewrites, result.moved)


def test_an_earlier_analyst_verdict_still_applies() -> None:
    """Two corrections in a row: the second is read with the first in force."""
    rows = [row(1, CONTRADICT, 0), row(2, CONFIRM, 3), row(3, CONFIRM, 5)]
    result = recompute(ClaimState.CONFIRMED, rows, {key(3): NEUTRAL}, (key(2), NEUTRAL), 0.75)
    assert (ClaimState.CONTRADICTED, 1) == (result.state, result.deciding.evidence_id)  # type: ignore[union-attr]


# --- a desk: real feeds, real runs --------------------------------------------------------------


def rfc822(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


GORNAL_TAKEN = {
    "guid": "wire-1",
    "title": "Russian forces recaptured Gornal, the defence ministry said",
    "description": "The defence ministry said its troops recaptured Gornal on Saturday.",
    "link": "https://wire.example/1",
    "pub_date": rfc822(T0 + timedelta(hours=5)),
}
KYIV_DENIES = {
    "guid": "kyiv-1",
    "title": "Ukraine says its troops are still holding Gornal",
    "description": "Ukraine's general staff said its units were still holding Gornal.",
    "link": "https://kyiv.example/1",
    "pub_date": rfc822(T0),
}
WEATHER = {
    "guid": "wire-2",
    "title": "Heavy rain expected across the region this week",
    "description": "Forecasters expect heavy rain and flooding in low-lying areas.",
    "link": "https://wire.example/2",
    "pub_date": rfc822(T0 + timedelta(hours=1)),
}


@dataclass
class Desk:
    config: Path
    url: str
    alerts: Path
    server: FeedServer

    def run(self, capsys: pytest.CaptureFixture[str]) -> None:
        """One monitor cycle: the flow's steps without Prefect (``scripts.plain_run``)."""
        assert 0 == plain_run.run(str(self.config), self.url)
        capsys.readouterr()  # its summary lines

    def args(self, *argv: str) -> list[str]:
        return [*argv, "--config", str(self.config), "--database-url", self.url]

    def delivered(self) -> list[dict[str, Any]]:
        if not self.alerts.exists():
            return []
        return [json.loads(line) for line in self.alerts.read_text().splitlines()]

    def serve(self, path: str, *items: dict[str, str]) -> None:
        self.server.set_feed(path, rss_feed(list(items)))


@pytest.fixture(params=["sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest, tmp_path: Path, feed_server: FeedServer) -> Desk:
    config = tmp_path / "cfg"
    config.mkdir()
    shutil.copy(DEMO_CONFIG_DIR / "claims.yaml", config / "claims.yaml")
    alerts = tmp_path / "alerts.jsonl"
    (config / "channels.yaml").write_text(
        f"channels:\n  - name: file\n    type: file\n    path: {alerts}\n", encoding="utf-8"
    )
    (config / "feeds.yaml").write_text(
        "feeds:\n"
        f"  - {{id: wire, url: '{feed_server.url('/wire.xml')}'}}\n"
        f"  - {{id: kyiv, url: '{feed_server.url('/kyiv.xml')}'}}\n",
        encoding="utf-8",
    )
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = fresh_postgres_database(request.getfixturevalue("postgres_url"))
    found = Desk(config, url, alerts, feed_server)
    found.serve("/wire.xml", GORNAL_TAKEN, WEATHER)
    found.serve("/kyiv.xml", KYIV_DENIES)
    return found


def cli_json(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> Any:
    assert code == main(argv)
    return json.loads(capsys.readouterr().out)


def state(desk: Desk, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    rows = cli_json(capsys, desk.args("status", "--json"))["claims"]
    return {r["id"]: r for r in rows}["gornal-recaptured"]


def evidence_of(desk: Desk, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    rows = cli_json(capsys, desk.args("evidence", "gornal-recaptured", "--json"))["evidence"]
    return {r["feed_id"]: r for r in rows}


def test_a_wrong_confirm_corrected_moves_the_claim_and_alerts_once(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.run(capsys)
    assert "confirmed" == state(desk, capsys)["state"]
    wire = evidence_of(desk, capsys)["wire"]
    assert "confirm" == wire["verdict"]
    before = len(desk.delivered())

    argv = ["verdict", "gornal-recaptured", f"#{wire['id']}", "--wrong", "--by", "ana"]
    out = cli_json(capsys, desk.args(*argv, "--note", "Moscow's word only", "--json"))
    assert ("neutral", "confirm", "ana") == (out["verdict"], out["machine_verdict"], out["analyst"])
    assert {"from": "confirmed", "to": "contradicted"} == out["state"]
    assert out["state_changed"] and out["alert"] and 1 == out["delivery"]["sent"]

    status = state(desk, capsys)
    assert ("contradicted", 0, 1, 1) == (status["state"], status["confirming"],
                                         status["contradicting"], status["sources"])  # fmt: skip
    assert KYIV_DENIES["title"] == status["latest"]  # the judged-neutral report is not "latest"
    shown = evidence_of(desk, capsys)["wire"]
    assert ("neutral", "confirm") == (shown["verdict"], shown["engine_verdict"])
    assert {"verdict": "neutral", "by": "ana", "note": "Moscow's word only"}.items() <= shown[
        "analyst"
    ].items()

    (alert,) = desk.delivered()[before:]
    assert ("confirmed", "contradicted", "kyiv") == (alert["previous_state"], alert["new_state"],
                                                     alert["feed_id"])  # fmt: skip
    assert ("ana", "neutral", "confirm") == (alert["correction"]["analyst"],
                                             alert["correction"]["verdict"],
                                             alert["correction"]["machine_verdict"])  # fmt: skip

    # The same verdict again changes nothing and sends nothing.
    again = cli_json(capsys, desk.args("verdict", "gornal-recaptured", "wire:wire-1", "--is",
                                       "neutral", "--json"))  # fmt: skip
    assert (False, None) == (again["state_changed"], again["alert"])
    assert before + 1 == len(desk.delivered())


def test_after_a_correction_the_next_report_alerts_as_a_change_and_an_edit_does_not(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.run(capsys)
    assert 0 == main(desk.args("verdict", "gornal-recaptured", "wire:wire-1", "--wrong"))
    capsys.readouterr()
    before = len(desk.delivered())

    # The outlet edits the corrected report: stored, but the analyst's verdict stands.
    edited = {**GORNAL_TAKEN, "description": GORNAL_TAKEN["description"] + " Officials insisted."}
    desk.serve("/wire.xml", edited, WEATHER)
    desk.run(capsys)
    assert "contradicted" == state(desk, capsys)["state"]
    assert before == len(desk.delivered())
    rows = cli_json(capsys, desk.args("evidence", "gornal-recaptured", "--json"))["evidence"]
    assert 2 == sum(1 for r in rows if r["feed_id"] == "wire")  # both versions kept

    # A new confirming report is now a change of state (contradicted -> confirmed).
    newer = {**GORNAL_TAKEN, "guid": "wire-3", "link": "https://wire.example/3",
             "title": "Gornal retaken by Russian forces, ministry says",
             "pub_date": rfc822(T0 + timedelta(hours=9))}  # fmt: skip
    desk.serve("/wire.xml", newer, edited, WEATHER)
    desk.run(capsys)
    (alert,) = desk.delivered()[before:]
    assert ("contradicted", "confirmed", None) == (alert["previous_state"], alert["new_state"],
                                                   alert.get("correction"))  # fmt: skip


def test_a_miss_the_engine_found_unrelated_can_be_corrected(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    """The analyst points at a stored report that has no evidence for the claim: the engine's
    reading (unrelated) is stored beside the analyst's, and the state follows."""
    desk.run(capsys)
    out = cli_json(capsys, desk.args("verdict", "kursk-control", "https://wire.example/2", "--is",
                                     "confirm", "--by", "ana", "--json"))  # fmt: skip
    assert ("confirm", "unrelated") == (out["verdict"], out["machine_verdict"])
    assert {"from": "unknown", "to": "confirmed"} == out["state"]
    rows = cli_json(capsys, desk.args("evidence", "kursk-control", "--json"))["evidence"]
    assert [("wire-2", "confirm", "unrelated")] == [
        (r["report_id"], r["verdict"], r["engine_verdict"]) for r in rows
    ]


def test_wrong_on_a_verdict_that_decides_nothing_is_refused_and_records_nothing(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.run(capsys)
    assert 2 == main(desk.args("verdict", "kursk-control", "wire:wire-2", "--wrong"))
    assert "'wrong' would change nothing" in capsys.readouterr().err
    assert {"verdicts": []} == cli_json(capsys, desk.args("feedback", "list", "--json"))


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("#999", "'#999': no stored report matches (tried evidence id 999)"),
        ("wire:nope", "(tried link 'wire:nope'; feed 'wire' with report id 'nope')"),
        ("https://elsewhere.example/1", "(tried link 'https://elsewhere.example/1')"),
    ],
)
def test_a_reference_to_no_stored_report_says_what_to_give(
    desk: Desk, capsys: pytest.CaptureFixture[str], ref: str, message: str
) -> None:
    desk.run(capsys)
    assert 2 == main(desk.args("verdict", "gornal-recaptured", ref, "--is", "confirm"))
    err = capsys.readouterr().err
    assert message in err and "FEED_ID:REPORT_ID" in err


def test_a_link_two_feeds_share_is_ambiguous(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.serve("/kyiv.xml", KYIV_DENIES, {**WEATHER, "guid": "kyiv-weather"})
    desk.run(capsys)
    assert 2 == main(desk.args("verdict", "gornal-recaptured", WEATHER["link"], "--is", "neutral"))
    err = capsys.readouterr().err
    assert "matches 2 stored reports" in err and "kyiv:kyiv-weather" in err and "wire:wire-2" in err


def test_the_json_api_records_a_verdict_and_names_every_problem(
    desk: Desk, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.run(capsys)
    request = {"claim": "gornal-recaptured", "report": "wire:wire-1", "wrong": True,
               "analyst": "bot", "note": "from the chat button"}  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(request)))
    out = cli_json(capsys, desk.args("verdict", "--request", "-"))
    said = (out["ok"], out["verdict"], out["analyst"], out["state"]["to"])
    assert (True, "neutral", "bot", "contradicted") == said

    bad = {"claim": "gornal-recaptured", "report": "wire:wire-1", "verdict": "maybe", "x": 1}
    (desk.config / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    out = cli_json(capsys, desk.args("verdict", "--request", str(desk.config / "bad.json")), 2)
    assert not out["ok"] and "verdict" in out["error"] and "x: Extra inputs" in out["error"]
    monkeypatch.setattr("sys.stdin", io.StringIO("{not json"))
    out = cli_json(capsys, desk.args("verdict", "--request", "-"), 2)
    assert "not JSON" in out["error"]


def test_the_export_is_what_eval_measures(
    desk: Desk, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    desk.run(capsys)
    assert 0 == main(desk.args("verdict", "gornal-recaptured", "wire:wire-1", "--wrong"))
    assert 0 == main(desk.args("verdict", "gornal-recaptured", "kyiv:kyiv-1", "--is", "contradict"))
    capsys.readouterr()
    export = tmp_path / "feedback.csv"
    assert 0 == main(desk.args("feedback", "export", "-o", str(export)))
    header, *lines = export.read_text(encoding="utf-8").splitlines()
    assert header.startswith("claim_id,title,report,label,machine_verdict")
    assert 2 == len(lines)

    claims = str(desk.config / "claims.yaml")
    assert 0 == main(["eval", str(export), "--claims", claims, "--json"])
    scored = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 2 == scored["n"]
    # The engine said confirm where the analyst says neutral, and agreed on the denial.
    assert 0.5 == pytest.approx(scored["accuracy"])


# --- what a recipient sees ----------------------------------------------------------------------


def test_a_correction_alert_says_who_corrected_what_in_every_rendering(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.run(capsys)
    note = "<script>alert(1)</script> only Moscow says so"
    assert 0 == main(desk.args("verdict", "gornal-recaptured", "wire:wire-1", "--wrong", "--by",
                               "ana", "--note", note, "--no-deliver"))  # fmt: skip
    store = Store(desk.url)
    try:
        (item,) = [i for i in store.outbox(status="pending") if i.alert.correction]
    finally:
        store.close()
    alert: Alert = item.alert
    assert alert.headline == "CORRECTED, NOW CONTRADICTED: Russian forces recaptured Gornal"
    text = email_text(alert)
    assert "Corrected: ana at" in text and "is neutral, not confirm" in text
    assert "Decisive:" in text  # the alert's report is Kyiv's, which now decides the claim
    html = email_html(alert)
    assert "<script>" not in html and "&lt;script&gt;" in html
    # The wire's report had confirmed the claim: the correction's alert names it.
    assert alert.previous_report is not None and alert.previous_report.feed_id == "wire"
    assert f'Previously confirmed by <a class="cw-link" href="{alert.previous_report.link}"' in html
    payload = webhook_payload(alert)["alert"]
    assert {"analyst": "ana", "verdict": "neutral", "engine_verdict": "confirm"}.items() <= payload[
        "correction"
    ].items()
    assert payload["correction"]["report"]["report_id"] == "wire-1"


def test_the_html_report_shows_the_analysts_verdict_over_the_engines(
    desk: Desk, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    desk.run(capsys)
    note = "<b>only</b> Moscow"
    assert 0 == main(desk.args("verdict", "gornal-recaptured", "wire:wire-1", "--wrong", "--by",
                               "ana", "--note", note))  # fmt: skip
    page = tmp_path / "report.html"
    assert 0 == main(desk.args("report", "--html", str(page)))
    html = page.read_text(encoding="utf-8")
    assert "engine: confirm · analyst: neutral (ana, " in html
    assert "&lt;b&gt;only&lt;/b&gt; Moscow" in html and "<b>only</b>" not in html
