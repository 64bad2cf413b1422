"""The claimwatch command, in-process against a real SQLite store: every view and its --json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.config import load_config
from monitors.models import Assessment, Evidence, Feed, Report, SentenceStance, Validators, Verdict
from monitors.paths import DEMO_CONFIG_DIR
from monitors.stance.engine import StanceEngine
from monitors.state import history
from monitors.state.store import Store
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.test_report_html import Page

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


# --- operator views: a real store, filled through the Store API -------------------------------

T0 = datetime(2025, 4, 20, 8, tzinfo=UTC)
MARKUP = "[bold red]INJECTED[/] [link=https://evil.example]click[/link]"
HOSTILE_TITLE = f"Ukrainian troops remain in Gornal {MARKUP} \x1b[2J\x1b]8;;x\x07"


@dataclass(frozen=True)
class Setup:
    config: Path
    url: str
    store: Store
    alerts_file: Path

    def args(self, *argv: str) -> list[str]:
        return [*argv, "--config", str(self.config), "--database-url", self.url]


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    """The demo claims, one file channel, and an empty SQLite store, all under tmp_path."""
    config = tmp_path / "cfg"
    shutil.copytree(DEMO_CONFIG_DIR, config)
    alerts_file = tmp_path / "alerts.jsonl"
    (config / "channels.yaml").write_text(
        f"channels:\n  - name: file\n    type: file\n    path: {alerts_file}\n", encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 'state.db'}"
    return Setup(config, url, Store(url), alerts_file)


def decide(
    setup: Setup, feed: str, rid: str, verdict: Verdict, hours: float, title: str, link: str
) -> None:
    """Record a report with a constructed assessment of gornal-recaptured."""
    stance = SentenceStance.DENY if verdict is Verdict.CONTRADICT else SentenceStance.ASSERT
    span = Evidence(f"{title}.", stance, 0.9, alias="Gornal", matched="Gornal",
                    cue="still holding" if stance is SentenceStance.DENY else "recaptured",
                    attribution="Ukraine" if stance is SentenceStance.DENY else None)  # fmt: skip
    report = Report(feed, rid, title, f"{title}.", link, T0 + timedelta(hours=hours),
                    content_hash=f"h{rid}")  # fmt: skip
    claims = {c.id: c for c in load_config(setup.config).claims}
    assessment = Assessment("gornal-recaptured", verdict, 0.9, 0.8, (span,))
    setup.store.record_report(report, Feed(id=feed, url="x"), [assessment], claims, ["file"])


def story(setup: Setup) -> None:
    """Gornal is reported taken by two feeds, then denied by two others (one hostile)."""
    decide(setup, "wire", "1", Verdict.CONFIRM, 0, "Russian forces recaptured Gornal",
           "https://wire.example/1")  # fmt: skip
    decide(setup, "mirror", "2", Verdict.CONFIRM, 2, "Gornal retaken, officials say",
           "https://mirror.example/2")  # fmt: skip
    decide(setup, "kyiv", "3", Verdict.CONTRADICT, 20, "Ukraine denies Gornal has fallen",
           "https://kyiv.example/3")  # fmt: skip
    decide(setup, "hostile", "4", Verdict.CONTRADICT, 30, HOSTILE_TITLE, "javascript:alert(1)")


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> Any:
    """Run the CLI in-process; it must exit with ``code`` and print exactly one JSON object."""
    assert code == main(argv)
    out = capsys.readouterr().out
    assert 1 == len(out.strip().splitlines())
    assert "\x1b" not in out
    return json.loads(out)


def run_text(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> str:
    assert code == main(argv)
    return capsys.readouterr().out


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-terminal 80 columns wide, as in a pipe or a CI log."""
    monkeypatch.setenv("COLUMNS", "80")


def assert_fits(out: str, width: int = 80) -> None:
    too_wide = [line for line in out.splitlines() if len(line) > width]
    assert [] == too_wide


def test_status_json_counts_sources_and_last_change(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """status --json: state, counts, independent sources and the last real state change."""
    story(setup)
    rows = {r["id"]: r for r in run_json(capsys, setup.args("status", "--json"))["claims"]}
    gornal = rows["gornal-recaptured"]
    assert ("contradicted", 2, 2, 4) == (
        gornal["state"], gornal["confirming"], gornal["contradicting"], gornal["sources"]
    )  # fmt: skip
    change = gornal["last_change"]
    assert ("confirmed", "contradicted", "kyiv") == (change["from"], change["to"], change["feed"])
    assert (T0 + timedelta(hours=20)).isoformat() == change["reported_at"]
    assert (0, None) == (rows["kursk-control"]["sources"], rows["kursk-control"]["last_change"])


def test_status_table_fits_80_columns(
    setup: Setup, capsys: pytest.CaptureFixture[str], narrow: None
) -> None:
    """status stays within 80 columns: per claim its id and state, the statement whole, the
    counts, and the report that changed it; wrapped lines keep their indent."""
    story(setup)
    out = run_text(capsys, setup.args("status"))
    assert_fits(out)
    lines = out.splitlines()
    assert "2 claim(s): 1 contradicted, 1 unknown" == lines[0]
    start = lines.index(next(line for line in lines if line.startswith("gornal-recaptured")))
    assert ["gornal-recaptured", "CONTRADICTED", "changed"] == lines[start].split()[:3]
    block = lines[start + 1 : start + 5]
    assert "    Russian forces recaptured Gornal" == block[0]
    assert "    2 confirm · 2 contradict · 0 mention(s) · 4 independent source(s)" == block[1]
    assert block[2].startswith("    changed by: Ukraine denies Gornal has fallen")
    assert all(line.startswith("    ") and line == line.rstrip() for line in block)
    assert "kursk-control  UNKNOWN  never changed" in out


def test_evidence_json_lists_sentences_cues_and_links(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """evidence --json: newest first, each with verdict, feed, time, link and its spans."""
    story(setup)
    data = run_json(capsys, setup.args("evidence", "gornal-recaptured", "--json"))
    assert ("contradicted", 4) == (data["claim"]["state"], data["claim"]["sources"])
    items = data["evidence"]
    assert ["hostile", "kyiv", "mirror", "wire"] == [i["feed_id"] for i in items]
    kyiv = items[1]
    assert ("contradict", "https://kyiv.example/3") == (kyiv["verdict"], kyiv["link"])
    assert (T0 + timedelta(hours=20)).isoformat() == kyiv["published"]
    span = kyiv["spans"][0]
    assert ("deny", "still holding", "Gornal", "Ukraine") == (
        span["stance"], span["cue"], span["alias"], span["attribution"]
    )  # fmt: skip
    assert HOSTILE_TITLE == items[0]["title"]  # JSON carries the data as stored


def test_evidence_prints_hostile_text_literally(
    setup: Setup, capsys: pytest.CaptureFixture[str], narrow: None
) -> None:
    """Rich markup in feed text prints as-is, and terminal control sequences are removed."""
    story(setup)
    out = run_text(capsys, setup.args("evidence", "gornal-recaptured"))
    assert (
        f"CONTRADICT: Ukrainian troops remain in Gornal {MARKUP} [2J]8;;x javascript:alert(1)"
        in out
    )
    assert "\x1b" not in out and "\x07" not in out
    assert "CONFIRM: Russian forces recaptured Gornal https://wire.example/1" in out
    assert "cue 'still holding' · alias 'Gornal' · according to Ukraine" in out


def test_status_and_alert_tables_print_markup_literally(
    setup: Setup, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Table cells holding feed text never interpret rich markup or pass control codes."""
    story(setup)
    monkeypatch.setenv("COLUMNS", "80")
    out = run_text(capsys, setup.args("alerts"))
    assert_fits(out)
    words = " ".join(out.split())  # the cell may wrap; its words stay whole and in order
    assert MARKUP in words and "\x1b" not in out
    monkeypatch.setenv("COLUMNS", "250")  # wide enough for the whole latest title
    out = run_text(capsys, setup.args("status"))
    assert MARKUP in out and "\x1b" not in out


def test_alerts_json_retry_and_filter(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    """alerts --json shows each outbox row with attempts and error; retry re-queues failures."""
    story(setup)
    first, *_ = setup.store.claim_pending(["file"], lease=timedelta(seconds=1))
    setup.store.mark_failed(first, "file: disk full", give_up=True)
    data = run_json(capsys, setup.args("alerts", "--json"))
    assert {"pending": 3, "delivered": 0, "failed": 1} == data["counts"]
    failed = [a for a in data["alerts"] if a["status"] == "failed"]
    assert [(1, "file: disk full", "wire")] == [
        (a["attempts"], a["last_error"], a["feed_id"]) for a in failed
    ]
    only = run_json(capsys, setup.args("alerts", "--status", "failed", "--json"))["alerts"]
    assert [first.id] == [a["id"] for a in only]
    assert {"requeued": 1} == run_json(capsys, setup.args("alerts", "retry", "--json"))
    assert [] == run_json(capsys, setup.args("alerts", "--status", "failed", "--json"))["alerts"]


def test_feeds_json_health_and_next_poll(
    setup: Setup, capsys: pytest.CaptureFixture[str], narrow: None
) -> None:
    """feeds: failures and why, and a next poll derived from the interval, else 'on next run'."""
    demo = load_config(setup.config).feeds[0]
    at = datetime.now(UTC) - timedelta(minutes=5)
    setup.store.record_fetch_failure(demo, "demo-wire: HTTP 503 [bold]down[/bold]", at=at)
    setup.store.record_fetch_failure(demo, "demo-wire: HTTP 503 [bold]down[/bold]", at=at)
    data = run_json(capsys, setup.args("feeds", "--json"))
    (feed,) = data["feeds"]
    assert (15, "demo-wire", 2, None) == (
        data["interval_minutes"], feed["id"], feed["consecutive_failures"], feed["last_success_at"]
    )  # fmt: skip
    assert (at + timedelta(minutes=15)).isoformat() == feed["next_poll_at"]
    # Without a schedule, the next poll is the stored backoff's (two failures: 8-10 minutes).
    unscheduled = run_json(capsys, setup.args("feeds", "--interval", "0", "--json"))
    backoff_until = datetime.fromisoformat(unscheduled["feeds"][0]["next_poll_at"])
    assert at + timedelta(minutes=8) <= backoff_until <= at + timedelta(minutes=10)
    out = run_text(capsys, setup.args("feeds"))
    assert_fits(out)
    assert "[bold]down[/bold]" in out.split()
    assert re.search(r"\bin (9|10)m\b", out)  # last attempt 5 minutes ago, 15-minute interval
    setup.store.record_fetch_success(demo, Validators('"v1"'), 0, at=at)  # backoff cleared
    assert "on next run" in run_text(capsys, setup.args("feeds", "--interval", "0"))


def test_feeds_check_polls_every_feed_and_stores_nothing(
    setup: Setup, capsys: pytest.CaptureFixture[str], feed_server: FeedServer
) -> None:
    """feeds --check polls each feed concurrently, counts new entries, exits 1 on a failure."""
    items = [{"title": f"Item {n}", "guid": f"g{n}", "link": f"https://x.example/{n}"}
             for n in range(3)]  # fmt: skip
    good = feed_server.set_feed("/cli-check/good.rss", rss_feed(items))
    gone = feed_server.url("/status/404")
    (setup.config / "feeds.yaml").write_text(
        f"feeds:\n  - id: good\n    url: {good}\n  - id: gone\n    url: {gone}\n", encoding="utf-8"
    )
    rows = run_json(capsys, setup.args("feeds", "--check", "--json"), code=1)["checked"]
    assert [("good", True, 3, 3), ("gone", False, 0, 0)] == [
        (r["id"], r["ok"], r["entries"], r["new"]) for r in rows
    ]
    assert "404" in rows[1]["error"]
    assert ({}, []) == (history.feed_states(setup.store.engine), setup.store.stored_reports())


def test_replay_dry_run_then_send(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    """replay shows what a new claim would have alerted on; --send queues and delivers it."""
    report = Report("wire", "r1", "The Antonivskyi bridge collapsed", "It collapsed at dawn.",
                    "https://wire.example/r1", T0, content_hash="b1")  # fmt: skip
    setup.store.record_report(report, Feed(id="wire", url="x"), [], {}, [])
    (setup.config / "claims.yaml").write_text(
        "claims:\n  - id: bridge\n    statement: The Antonivskyi bridge collapsed\n"
        "    aliases: [Antonivskyi bridge]\n",
        encoding="utf-8",
    )
    dry = run_json(capsys, setup.args("replay", "--claim", "bridge", "--json"))
    assert (True, 1, ["bridge"], None) == (
        dry["dry_run"], dry["reports"], [a["claim_id"] for a in dry["alerts"]], dry["delivery"]
    )  # fmt: skip
    assert [] == setup.store.outbox()
    sent = run_json(capsys, setup.args("replay", "--send", "--since", "2025-04-01", "--json"))
    assert (False, {"sent": 1, "pending": 0, "errors": []}) == (sent["dry_run"], sent["delivery"])
    delivered = [json.loads(line) for line in setup.alerts_file.read_text().splitlines()]
    assert ["bridge"] == [d["claim_id"] for d in delivered]


def test_replay_rejects_a_bad_since(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    """--since must be an ISO time; the message shows the expected form."""
    with pytest.raises(SystemExit) as stopped:
        main(setup.args("replay", "--since", "yesterday"))
    assert 2 == stopped.value.code
    assert "'yesterday' is not an ISO time; write e.g. 2025-04-26" in capsys.readouterr().err


def test_report_html_writes_a_self_contained_page(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """report --html: a section per claim, a chart point per evidence item, nothing external."""
    story(setup)
    target = tmp_path / "out" / "report.html"
    out = run_text(capsys, setup.args("report", "--html", str(target)))
    assert f"wrote {target} (2 claim(s), 4 evidence item(s))\n" == out
    page = target.read_text(encoding="utf-8")
    parsed = Page(page)
    assert ["claim-kursk-control", "claim-gornal-recaptured"] == [
        a["id"] for a in parsed.all("section")
    ]
    assert 4 == len(parsed.all("g", **{"class": "point"}))
    assert [] == parsed.all("script") and "<script>" not in page.replace("&lt;script&gt;", "")
    external = sorted(a["href"] for a in parsed.all("a") if not a["href"].startswith("#"))
    assert [
        "https://kyiv.example/3",
        "https://mirror.example/2",
        "https://wire.example/1",
    ] == external
    only = run_text(capsys, setup.args("report", "--html", str(target), "--claim", "kursk-control"))
    assert "(1 claim(s), 0 evidence item(s))" in only


def test_version_is_the_installed_one(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert (0, f"claimwatch {version('claimwatch')}") == (
        exited.value.code,
        capsys.readouterr().out.strip(),
    )


@pytest.mark.parametrize(("argv", "code", "said"), [(["--help"], 0, "CONFIG_DIR"),
                                                     (["--bogus"], 2, "unrecognized")])  # fmt: skip
def test_the_flow_module_reads_options_instead_of_running_on_them(
    argv: list[str], code: int, said: str
) -> None:
    """`python -m flows.monitor --help` used to start a run on a config dir named "--help"."""
    done = subprocess.run(
        [sys.executable, "-m", "flows.monitor", *argv], capture_output=True, text=True, timeout=60
    )
    assert (code, True) == (done.returncode, said in done.stdout + done.stderr)
    assert "Flow run" not in done.stdout + done.stderr


def test_claimwatch_config_selects_the_config_of_every_command(
    setup: Setup, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With $CLAIMWATCH_CONFIG, a command without --config reads that directory."""
    (setup.config / "claims.yaml").write_text(
        "claims:\n  - id: only-mine\n    statement: Something happened\n", encoding="utf-8"
    )
    monkeypatch.setenv("CLAIMWATCH_CONFIG", str(setup.config))
    rows = run_json(capsys, ["status", "--json", "--database-url", setup.url])["claims"]
    assert ["only-mine"] == [r["id"] for r in rows]


def test_a_database_with_claims_the_config_does_not_define_warns(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """The database holds gornal-recaptured; status over the a config without it says so."""
    story(setup)
    assert 0 == main(["status", "--database-url", setup.url, "--config", str(setup.config)])
    assert "warning" not in capsys.readouterr().err
    (setup.config / "claims.yaml").write_text(
        "claims:\n  - id: other\n    statement: Something else happened\n", encoding="utf-8"
    )
    assert 0 == main(["status", "--database-url", setup.url, "--config", str(setup.config)])
    err = capsys.readouterr().err
    assert "warning: the database holds 1 claim(s)" in err
    assert "(gornal-recaptured); pass --config or set CLAIMWATCH_CONFIG" in err


def test_config_check_names_what_it_holds_and_what_it_leaves_to_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "cfg"
    shutil.copytree(DEMO_CONFIG_DIR, config)
    out = run_text(capsys, ["config", "check", "--config", str(config)])
    assert out.startswith(f"{config}: ok: 2 claims, 1 feeds, 2 channels (console, demo-file)")
    (config / "channels.yaml").unlink()
    body = run_json(capsys, ["config", "check", "--json", "--config", str(config)])
    assert (True, ["console"]) == (body["ok"], body["channels"])
    assert [f"no channels.yaml in {config}: alerts are printed to the console only"] == body[
        "notes"
    ]


def test_config_check_reports_every_broken_file_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "claims.yaml").write_text("claims:\n  - id: Bad Id\n", encoding="utf-8")
    (config / "feeds.yaml").write_text("feeds:\n  - id: a\n    url: news.example.org/rss\n")
    assert 2 == main(["config", "check", "--config", str(config)])
    err = capsys.readouterr().err
    assert f"claimwatch: {config} (2 files): " in err
    assert "claims.yaml: claims[0].id" in err
    assert "feeds.yaml: feeds[0].url: 'news.example.org/rss' has no scheme" in err
