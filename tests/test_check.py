"""`claimwatch check --report REF` over a real SQLite store, and `check --url` against a real
HTTP server on 127.0.0.1: a stored report, a feed or a page scores exactly as its text does."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.config import load_config
from monitors.models import Feed, Report
from monitors.paths import DEMO_CONFIG_DIR
from monitors.stance.engine import StanceEngine
from monitors.state.store import Store
from tests.fixtures.feed_server import FeedServer, rss_feed

TAKEN = Report("wire", "1", "Russian forces recaptured Gornal",
               "The defence ministry said troops recaptured Gornal.", "https://wire.example/1",
               datetime(2025, 4, 26, tzinfo=UTC), content_hash="h1")  # fmt: skip
MARKUP = "[bold red]INJECTED[/] \x1b[2J"
SHARED_LINK = "https://shared.example/story"


@dataclass(frozen=True)
class Setup:
    config: Path
    url: str
    store: Store

    def args(self, *argv: str) -> list[str]:
        return [*argv, "--config", str(self.config), "--database-url", self.url]


def record(store: Store, config: Path, report: Report) -> None:
    """Store a report with the engine's real verdicts, as a run would."""
    claims = load_config(config).claims
    assessments = StanceEngine(claims).assess(report.title, report.summary)
    store.record_report(
        report, Feed(report.feed_id, "x"), assessments, {c.id: c for c in claims}, []
    )


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    """The demo claims and a store holding a Gornal report, a hostile one, and one link that
    two feeds share (a syndicated story)."""
    config = tmp_path / "cfg"
    shutil.copytree(DEMO_CONFIG_DIR, config)
    (config / "channels.yaml").unlink()
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = Store(url)
    record(store, config, TAKEN)
    hostile = Report("hostile", "h", f"Gornal {MARKUP}", "Troops recaptured Gornal.",
                     "https://hostile.example/h", content_hash="hh")  # fmt: skip
    record(store, config, hostile)
    for feed, rid in (("wire", "2"), ("mirror", "m1")):
        copy = Report(feed, rid, "Gornal retaken", "Russian troops retook Gornal.", SHARED_LINK,
                      content_hash=f"s{rid}")  # fmt: skip
        record(store, config, copy)
    return Setup(config, url, store)


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert 0 == main(argv)
    out = capsys.readouterr().out
    assert 1 == len(out.strip().splitlines())
    return json.loads(out)


def fails(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The command exits 2; its stderr."""
    assert 2 == main(argv)
    captured = capsys.readouterr()
    assert "" == captured.out
    return captured.err


def text_verdicts(capsys: pytest.CaptureFixture[str], setup: Setup, title: str, body: str) -> Any:
    """What `check TEXT --title` says: the reference a report or a URL must match."""
    return run_json(capsys, setup.args("check", "--json", "--title", title, body))["claims"]


def test_a_stored_report_by_key_link_and_evidence_id(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each way of naming the report finds it and scores its stored title and summary."""
    expected = text_verdicts(capsys, setup, TAKEN.title, TAKEN.summary)
    assert "confirm" == {c["id"]: c for c in expected}["gornal-recaptured"]["verdict"]
    evidence = run_json(capsys, setup.args("evidence", "gornal-recaptured", "--json"))
    (row,) = [e for e in evidence["evidence"] if e["feed_id"] == "wire" and e["report_id"] == "1"]
    for ref in ("wire:1", TAKEN.link, f"#{row['id']}", str(row["id"])):
        data = run_json(capsys, setup.args("check", "--report", str(ref), "--json"))
        assert {"feed": "wire", "id": "1", "title": TAKEN.title, "link": TAKEN.link,
                "published": "2025-04-26T00:00:00+00:00"} == data["report"]  # fmt: skip
        assert expected == data["claims"], ref


def test_a_stored_report_prints_which_report_and_its_text_literally(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 0 == main(setup.args("check", "--report", "wire:1"))
    out = capsys.readouterr().out
    assert out.startswith(f"report wire:1: {TAKEN.title} {TAKEN.link}\n")
    assert "gornal-recaptured: CONFIRM" in out
    assert 0 == main(setup.args("check", "--report", "hostile:h"))
    out = capsys.readouterr().out
    assert "report hostile:h: Gornal [bold red]INJECTED[/] [2J https://hostile.example/h" in out
    assert "\x1b" not in out


@pytest.mark.parametrize(
    ("ref", "said"),
    [
        ("nowhere:9", "tried link 'nowhere:9'; feed 'nowhere' with report id '9'"),
        ("#999", "tried evidence id 999"),
        ("https://wire.example/404", "tried link 'https://wire.example/404')"),
    ],
)
def test_an_unknown_ref_says_what_was_tried(
    setup: Setup, capsys: pytest.CaptureFixture[str], ref: str, said: str
) -> None:
    err = fails(capsys, setup.args("check", "--report", ref))
    assert err.startswith(f"claimwatch: --report {ref!r}: no stored report matches (")
    assert said in err


def test_a_link_two_feeds_share_is_ambiguous(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    err = fails(capsys, setup.args("check", "--report", SHARED_LINK))
    assert (
        f"claimwatch: --report {SHARED_LINK!r} matches 2 stored reports (mirror:m1, wire:2); "
        "name one as FEED_ID:REPORT_ID\n"
    ) == err
    data = run_json(capsys, setup.args("check", "--report", "mirror:m1", "--json"))
    assert ("mirror", SHARED_LINK) == (data["report"]["feed"], data["report"]["link"])


def test_text_report_and_url_exclude_each_other(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(setup.args("check", "some text", "--report", "wire:1"))
    assert 2 == stopped.value.code
    assert "not allowed with argument" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(setup.args("check"))
    assert "one of the arguments text --report --url is required" in capsys.readouterr().err
    err = fails(capsys, setup.args("check", "--report", "wire:1", "--title", "T"))
    assert "--title goes with a TEXT" in err


# --- --url ----------------------------------------------------------------------------------

ENTRIES = [
    {"guid": "u1", "title": "Russian forces recaptured Gornal, Moscow says",
     "link": "https://news.example/u1",
     "description": "Russia's defence ministry said its troops recaptured the village of Gornal."},
    {"guid": "u2", "title": "Grain harvest forecast raised", "link": "https://news.example/u2",
     "description": "The agriculture ministry raised its wheat forecast."},
]  # fmt: skip


def test_a_feed_url_scores_each_entry(
    setup: Setup, capsys: pytest.CaptureFixture[str], feed_server: FeedServer
) -> None:
    url = feed_server.set_feed("/check/two.rss", rss_feed(ENTRIES))
    data = run_json(capsys, setup.args("check", "--url", url, "--json"))
    assert (url, "feed", ["u1", "u2"]) == (
        data["url"], data["kind"], [r["report"]["id"] for r in data["reports"]]
    )  # fmt: skip
    for entry, scored in zip(ENTRIES, data["reports"], strict=True):
        assert ("url", entry["title"], entry["link"]) == (
            scored["report"]["feed"], scored["report"]["title"], scored["report"]["link"]
        )  # fmt: skip
        expected = text_verdicts(capsys, setup, entry["title"], entry["description"])
        assert expected == scored["claims"]
    verdicts = [{c["id"]: c["verdict"] for c in r["claims"]} for r in data["reports"]]
    assert ["confirm", "unrelated"] == [v["gornal-recaptured"] for v in verdicts]
    assert 0 == main(setup.args("check", "--url", url))
    out = capsys.readouterr().out
    assert out.startswith(f"url {url} (feed, 2 entries)\n")
    assert f"report url:u1: {ENTRIES[0]['title']} https://news.example/u1" in out


PAGE = (
    "<!doctype html><html><head><title>Harvest &amp; weather</title>"
    "<script>var story = 'Russian forces recaptured Gornal';</script>"
    "<style>p::before {{ content: 'Gornal recaptured' }}</style></head>"
    "<body><h1>Farm desk</h1><p>{body}</p></body></html>"
)


def test_an_html_page_is_scored_on_its_title_and_visible_text(
    setup: Setup, capsys: pytest.CaptureFixture[str], feed_server: FeedServer
) -> None:
    """A script's (or style's) text is never scored: the same sentence in a paragraph is."""
    quiet = feed_server.set_feed(
        "/check/page.html",
        PAGE.format(body="The wheat forecast was raised.").encode(),
        content_type="text/html; charset=utf-8",
    )
    data = run_json(capsys, setup.args("check", "--url", quiet, "--json"))
    (page,) = data["reports"]
    assert ("page", "Harvest & weather", quiet) == (
        data["kind"], page["report"]["title"], page["report"]["link"]
    )  # fmt: skip
    assert text_verdicts(capsys, setup, "Harvest & weather", "Farm desk The wheat forecast "
                         "was raised.") == page["claims"]  # fmt: skip
    by_id = {c["id"]: c for c in page["claims"]}
    assert ("unrelated", []) == (
        by_id["gornal-recaptured"]["verdict"],
        by_id["gornal-recaptured"]["evidence"],
    )
    loud = feed_server.set_feed(
        "/check/loud.html",
        PAGE.format(body="Russian forces recaptured Gornal.").encode(),
        content_type="text/html; charset=utf-8",
    )
    (loud_page,) = run_json(capsys, setup.args("check", "--url", loud, "--json"))["reports"]
    assert "confirm" == {c["id"]: c for c in loud_page["claims"]}["gornal-recaptured"]["verdict"]
    assert 0 == main(setup.args("check", "--url", quiet))
    assert capsys.readouterr().out.startswith(f"url {quiet} (page)\n\nreport url:{quiet}: Harvest")


def test_a_url_that_fails_reports_the_fetch_layers_message(
    setup: Setup, capsys: pytest.CaptureFixture[str], feed_server: FeedServer
) -> None:
    gone = feed_server.url("/status/404")
    err = fails(capsys, setup.args("check", "--url", gone))
    assert f"claimwatch: url: HTTP 404 Not Found at {gone}\n" == err


def test_the_text_output_says_what_each_verdict_and_score_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """UNRELATED never reads as a contradiction with a high score; a decisive verdict says
    whether it reaches the claim's alert threshold; wrapped lines keep their indent."""
    monkeypatch.setenv("COLUMNS", "80")
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n"
        "  - {id: gornal, statement: Russian forces recaptured Gornal, aliases: [Gornal]}\n"
        "  - {id: strict, statement: Russian forces recaptured Gornal, aliases: [Gornal],\n"
        "     alert_threshold: 0.99}\n"
        "  - {id: bridge, statement: The Crimean bridge was destroyed,\n"
        "     aliases: [Crimean bridge]}\n",
        encoding="utf-8",
    )
    body = (
        "Ukraine's general staff denied that Russian forces had recaptured Gornal and said its "
        "units still held positions in the village of Gornal near the border."
    )
    assert 0 == main(["check", body, "--title", "Ukraine denies Gornal has fallen",
                      "--config", str(claims)])  # fmt: skip
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "bridge: UNRELATED · not about this claim (relatedness 0.00)" in lines
    gornal = " ".join(out.split("\nstrict:")[0].split())
    assert "gornal: CONTRADICT · confidence 0.90 in this verdict" in gornal
    assert "counts: can move the claim and alert (threshold 0.75)" in gornal
    strict = " ".join(out.split("\nstrict:")[1].split("\nbridge:")[0].split())
    assert "too unsure to move the claim or alert (threshold 0.99)" in strict
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)
    sentence = next(i for i, line in enumerate(lines) if line.startswith("  - [deny] Ukraine's"))
    assert lines[sentence + 1].startswith("    ") and not lines[sentence + 1].startswith("    why")
