"""`claimwatch mute / unmute / mutes`, what `status` and `feeds` show of them, and a real run with
a muted feed: in-process CLI against a real SQLite store and a loopback feed server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from monitors.state.store import Store
from tests.fixtures.configs import write_claims_and_feeds
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.test_cli import MARKUP, assert_fits

CLAIMS = """claims:
  - id: gornal-recaptured
    statement: Russian forces recaptured Gornal
    aliases: [Gornal, Горналь, Gornal village]
    confirm_cues: [recaptured, retaken, reclaimed]
    contradict_cues: [still holding, remains under Ukrainian control]
  - id: bridge
    statement: The Antonivskyi bridge collapsed
    aliases: [Antonivskyi bridge, Антоновский мост]
"""
GORNAL_TAKEN = {
    "guid": "rt-1",
    "title": "Russian forces recaptured Gornal, Moscow says",
    "link": "https://www.rt.com/russia/1",
    "description": "Russia's defence ministry said its troops recaptured the village of Gornal.",
    "pub_date": "Sat, 26 Apr 2025 09:00:00 GMT",
}
BRIDGE_DOWN = {
    "guid": "wire-1",
    "title": "The Antonivskyi bridge collapsed on Sunday",
    "link": "https://wire.example/1",
    "description": "Officials said the Antonivskyi bridge collapsed on Sunday after shelling.",
    "pub_date": "Sun, 27 Apr 2025 09:00:00 GMT",
}


@dataclass(frozen=True)
class Desk:
    config: Path
    url: str
    alerts_file: Path

    def args(self, *argv: str) -> list[str]:
        return [*argv, "--config", str(self.config), "--database-url", self.url]


@pytest.fixture
def desk(tmp_path: Path, feed_server: FeedServer) -> Desk:
    """Two claims, feeds 'rt' and 'wire' on the loopback feed server, one file channel."""
    config = tmp_path / "cfg"
    feeds = {f: feed_server.url(f"/mutes/{tmp_path.name}/{f}.xml") for f in ("rt", "wire")}
    write_claims_and_feeds(config, feeds, CLAIMS)
    alerts_file = tmp_path / "alerts.jsonl"
    (config / "channels.yaml").write_text(
        f"channels:\n  - name: file\n    type: file\n    path: {alerts_file}\n", encoding="utf-8"
    )
    return Desk(config, f"sqlite:///{tmp_path / 'state.db'}", alerts_file)


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert 0 == main(argv)
    out = capsys.readouterr().out
    assert 1 == len(out.strip().splitlines())
    return json.loads(out)


def run_text(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> str:
    assert code == main(argv)
    return capsys.readouterr().out


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The command exits 2 and says why on stderr, storing nothing."""
    assert 2 == main(argv)
    return capsys.readouterr().err


# --- mute, unmute, mutes --------------------------------------------------------------------------


def test_mute_lists_and_shows_in_status(
    desk: Desk, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim muted for 6h by $USER is listed with its end and shown in status (text and JSON)."""
    monkeypatch.setenv("USER", "desk-ana")
    monkeypatch.setenv("COLUMNS", "80")
    before = datetime.now(UTC)
    said = run_text(capsys, desk.args("mute", "claim", "bridge", "--for", "6h", "--reason", "x"))
    assert said.startswith("muted claim bridge until ")
    assert "(by desk-ana: x)" in said
    assert "reports are still polled and recorded" in said

    (listed,) = run_json(capsys, desk.args("mutes", "--json"))["mutes"]
    until = datetime.fromisoformat(listed["until"])
    assert before + timedelta(hours=6) <= until <= datetime.now(UTC) + timedelta(hours=6)
    expected = ("claim", "bridge", "desk-ana", "x", "active")
    assert expected == tuple(
        listed[k] for k in ("kind", "target", "created_by", "reason", "status")
    )

    claims = {c["id"]: c for c in run_json(capsys, desk.args("status", "--json"))["claims"]}
    assert claims["gornal-recaptured"]["muted"] is None
    assert (listed["id"], listed["until"]) == (
        claims["bridge"]["muted"]["id"],
        claims["bridge"]["muted"]["until"],
    )
    table = run_text(capsys, desk.args("status"))
    assert_fits(table)
    lines = table.splitlines()
    (row,) = [i for i, line in enumerate(lines) if line.startswith("bridge ")]
    shown = f"{until:%m-%d %H:%M}" if until.year == before.year else f"{until:%Y-%m-%d %H:%M}"
    block = lines[row + 1 : lines.index("", row) if "" in lines[row:] else len(lines)]
    assert f"    muted until {shown} UTC" in block
    assert 1 == table.count("muted until")


def test_unmute_lifts_every_active_mute_and_says_when_there_was_none(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    for days in ("1d", "2d"):
        run_text(capsys, desk.args("mute", "feed", "rt", "--for", days, "--by", "ana"))
    run_text(capsys, desk.args("mute", "source", "www.RT.com", "--by", "bo"))

    said = run_text(capsys, desk.args("unmute", "feed", "rt")).splitlines()
    assert 2 == len(said) and all(line.startswith("lifted: feed rt until") for line in said)
    again = run_text(capsys, desk.args("unmute", "feed", "rt"))
    assert "no active mute of feed rt (active: source rt.com)\n" == again

    active = run_json(capsys, desk.args("mutes", "--json"))["mutes"]
    assert [("source", "rt.com")] == [(m["kind"], m["target"]) for m in active]
    every = run_json(capsys, desk.args("mutes", "--all", "--json"))["mutes"]
    assert ["lifted", "lifted", "active"] == [m["status"] for m in every]
    assert "is not a host name" in refused(capsys, desk.args("unmute", "source", "rt.com/x"))
    (lifted,) = run_json(capsys, desk.args("unmute", "source", "rt.com", "--json"))["lifted"]
    assert ("rt.com", "lifted") == (lifted["target"], lifted["status"])


def test_mute_refuses_what_it_cannot_mean(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown claim or feed ids (the known ones named), a URL for a source, a period that is not
    positive, an end in the past: exit 2 with what to fix, and nothing stored."""
    err = refused(capsys, desk.args("mute", "claim", "gornal"))
    assert "no claim with id 'gornal' (known: gornal-recaptured, bridge)" in err
    err = refused(capsys, desk.args("mute", "feed", "tass"))
    assert "no feed with id 'tass' (known: rt, wire)" in err
    err = refused(capsys, desk.args("mute", "source", "https://rt.com/news"))
    assert "source 'https://rt.com/news' is not a host name; give the outlet's host" in err
    err = refused(capsys, desk.args("mute", "feed", "rt", "--for", "0m"))
    assert "--for must be a positive period" in err
    err = refused(capsys, desk.args("mute", "feed", "rt", "--until", "2020-01-01"))
    assert "--until 2020-01-01T00:00:00+00:00 is in the past" in err
    assert "no mutes\n" == run_text(capsys, desk.args("mutes", "--all"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--for", "6 hours"], "is not a period; write minutes, hours or days: 30m, 6h, 2d"),
        (["--for", "6h", "--until", "2999-01-01"], "not allowed with argument --for"),
        (["--until", "tomorrow"], "'tomorrow' is not an ISO time"),
    ],
)
def test_mute_options_are_checked_by_the_parser(
    desk: Desk, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(desk.args("mute", "feed", "rt", *extra))
    assert 2 == stopped.value.code
    assert message in capsys.readouterr().err


def test_feeds_show_feed_mutes_and_list_source_mutes(
    desk: Desk, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The muted feed carries a marker and a muted object; a source mute is listed under the
    table; the desk's reason is printed literally, markup and all."""
    monkeypatch.setenv("COLUMNS", "80")
    run_text(capsys, desk.args("mute", "feed", "rt", "--by", "ana"))
    run_text(capsys, desk.args("mute", "source", "rt.com", "--by", "bo", "--reason", MARKUP))

    data = run_json(capsys, desk.args("feeds", "--json"))
    muted = {f["id"]: f["muted"] for f in data["feeds"]}
    assert muted["wire"] is None
    assert (None, "ana") == (muted["rt"]["until"], muted["rt"]["created_by"])
    assert [("rt.com", MARKUP)] == [(m["target"], m["reason"]) for m in data["source_mutes"]]

    table = run_text(capsys, desk.args("feeds"))
    assert_fits(table)
    assert 1 == table.count("muted until lifted")
    flat = " ".join(table.split())
    assert f"source rt.com muted until lifted (by bo: {MARKUP})" in flat
    listing = " ".join(run_text(capsys, desk.args("mutes")).split())
    assert "[bold red]INJECTED[/]" in listing


# --- a real run -----------------------------------------------------------------------------------


def test_a_run_with_a_muted_feed_moves_the_state_but_suppresses_its_alert(
    prefect_harness: None, desk: Desk, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`claimwatch run`: rt's confirmation of Gornal is recorded and confirms the claim, its alert
    is kept as suppressed with the mute; wire's bridge report alerts in the same run."""
    prefix = f"/mutes/{desk.config.parent.name}"
    feed_server.set_feed(f"{prefix}/rt.xml", rss_feed([GORNAL_TAKEN]))
    feed_server.set_feed(f"{prefix}/wire.xml", rss_feed([BRIDGE_DOWN]))
    muted = run_json(
        capsys,
        desk.args(
            "mute", "feed", "rt", "--for", "2d", "--by", "ana", "--reason", "flood", "--json"
        ),
    )["mute"]
    until = datetime.fromisoformat(muted["until"])

    assert 0 == main(desk.args("run"))
    capsys.readouterr()

    claims = {c["id"]: c for c in run_json(capsys, desk.args("status", "--json"))["claims"]}
    assert ("confirmed", 1) == (
        claims["gornal-recaptured"]["state"],
        claims["gornal-recaptured"]["confirming"],
    )
    assert "confirmed" == claims["bridge"]["state"]
    outbox = {i.alert.claim_id: i for i in Store(desk.url).outbox()}
    reason = f"muted: feed rt until {until:%Y-%m-%d %H:%M} UTC (by ana: flood)"
    gornal = outbox["gornal-recaptured"]
    assert ("suppressed", reason) == (gornal.status, gornal.last_error)
    assert "delivered" == outbox["bridge"].status
    sent = [json.loads(line) for line in desk.alerts_file.read_text().splitlines()]
    assert ["bridge"] == [a["claim_id"] for a in sent]

    # Lifting the mute does not send what it held back.
    run_text(capsys, desk.args("unmute", "feed", "rt"))
    assert 0 == main(desk.args("run"))
    assert 1 == len(desk.alerts_file.read_text().splitlines())
    assert "suppressed" == Store(desk.url).outbox(status="suppressed")[0].status
