"""Coverage without a verdict: the pure rule at its boundaries, the claims.yaml settings, and
the query that feeds it from a real store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.cli import main
from monitors.config import load_claims_file
from monitors.coverage import (
    CoverageRow,
    CoverageSettings,
    outlet_of,
    undecided_coverage,
    window_phrase,
)
from monitors.errors import ConfigError
from monitors.models import Assessment, Claim, Feed, Report, Verdict
from monitors.paths import DEMO_CONFIG_DIR
from monitors.state import history
from monitors.state.store import Store
from tests.fixtures.configs import write_claims_and_feeds
from tests.fixtures.feed_server import FeedServer, rss_feed

NOW = datetime(2025, 5, 1, 12, tzinfo=UTC)
THRESHOLD = 0.6


def row(
    n: int,
    host: str,
    verdict: Verdict = Verdict.NEUTRAL,
    score: float = 0.3,
    hours_ago: float = 1.0,
    feed: str | None = None,
    link: str | None = "",
) -> CoverageRow:
    """Report ``n`` of ``host`` (its own feed unless ``feed`` is given), ``hours_ago`` old."""
    return CoverageRow(
        feed_id=feed or host.replace(".", "-"),
        report_id=str(n),
        verdict=verdict,
        score=score,
        title=f"Report {n}",
        link=f"https://{host}/{n}" if link == "" else link,
        when=NOW - timedelta(hours=hours_ago),
    )


def spread(count: int, hosts: int) -> list[CoverageRow]:
    """``count`` neutral reports spread round-robin over ``hosts`` outlets, newest first."""
    return [row(n, f"outlet{n % hosts}.example", hours_ago=1 + n) for n in range(count)]


def decide(rows: list[CoverageRow]) -> tuple[int, int] | None:
    found = undecided_coverage("c", rows, THRESHOLD, NOW)
    return None if found is None else (found.reports, found.outlets)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (spread(4, 3), None),  # 4 reports: one short of the default 5
        (spread(5, 3), (5, 3)),
        (spread(5, 2), None),  # 2 outlets: one short of the default 3
        (spread(9, 4), (9, 4)),
    ],
    ids=["4-reports", "5-reports", "2-outlets", "9-from-4"],
)
def test_reports_and_outlets_at_the_boundaries(
    rows: list[CoverageRow], expected: tuple[int, int] | None
) -> None:
    assert expected == decide(rows)


def test_two_feeds_of_one_host_count_as_one_outlet() -> None:
    """www. and case do not make another publisher; nor does a second feed of the same one."""
    rows = [
        row(1, "a.example", feed="a-world"),
        row(2, "WWW.A.example", feed="a-europe"),
        row(3, "a.example", feed="a-europe"),
        row(4, "b.example"),
        row(5, "b.example"),
    ]
    assert decide(rows) is None  # two outlets
    assert (6, 3) == decide([*rows, row(6, "c.example")])


def test_a_report_without_a_host_counts_as_its_feed() -> None:
    """No link, or one naming no host: the feed stands for the outlet."""
    assert "feed:wire" == outlet_of("wire", None) == outlet_of("wire", "javascript:alert(1)")
    assert "news.example" == outlet_of("wire", "https://www.News.example./x")
    rows = [*spread(4, 2), row(9, "x", feed="wire", link=None)]
    assert (5, 3) == decide(rows)


@pytest.mark.parametrize("verdict", [Verdict.CONFIRM, Verdict.CONTRADICT, Verdict.DISPUTED])
def test_a_deciding_row_in_the_window_hides_it(verdict: Verdict) -> None:
    rows = spread(6, 3)
    assert decide([*rows, row(7, "d.example", verdict, score=THRESHOLD)]) is None


def test_a_decisive_row_below_the_threshold_is_undecided_coverage() -> None:
    rows = [*spread(4, 2), row(7, "d.example", Verdict.CONFIRM, score=THRESHOLD - 0.01)]
    assert (5, 3) == decide(rows)


def test_rows_outside_the_window_count_for_nothing() -> None:
    """An old report neither adds coverage nor decides the claim."""
    inside = spread(4, 3)
    old = row(8, "d.example", hours_ago=24.01)
    assert decide([*inside, old]) is None
    edge = row(8, "d.example", hours_ago=24)
    assert (5, 4) == decide([*inside, edge])
    old_confirm = row(9, "e.example", Verdict.CONFIRM, score=0.99, hours_ago=30)
    assert (5, 3) == decide([*spread(5, 3), old_confirm])


def test_versions_of_one_report_count_once_and_titles_are_the_newest() -> None:
    rows = spread(5, 3)
    edited = CoverageRow("outlet0-example", "0", Verdict.NEUTRAL, 0.2, "Report 0, edited",
                         "https://outlet0.example/0", NOW)  # fmt: skip
    found = undecided_coverage("gornal", [*rows, edited], THRESHOLD, NOW)
    assert found is not None
    assert (5, ("Report 0, edited", "Report 0", "Report 1")) == (found.reports, found.titles)
    assert (
        "undecided: 5 reports from 3 outlets in 24 h, none confirms or contradicts" == found.line()
    )


def test_settings_move_the_boundaries() -> None:
    settings = CoverageSettings(window=timedelta(hours=2), min_reports=2, min_outlets=2)
    rows = spread(5, 3)  # 1 to 5 hours old: two inside two hours
    found = undecided_coverage("c", rows, THRESHOLD, NOW, settings)
    assert found is not None and (2, 2) == (found.reports, found.outlets)
    assert "2 h" == window_phrase(settings.window)
    assert "90 min" == window_phrase(timedelta(minutes=90))


# --- claims.yaml -------------------------------------------------------------------------------

CLAIM = "claims:\n  - id: c\n    statement: Something happened\n"


def test_claims_yaml_sets_coverage_for_the_file(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIM, encoding="utf-8")
    assert CoverageSettings() == load_claims_file(path)[1]
    path.write_text(
        CLAIM + "coverage:\n  window_hours: 6\n  min_reports: 3\n  min_outlets: 2\n",
        encoding="utf-8",
    )
    claims, settings = load_claims_file(path)
    assert ["c"] == [c.id for c in claims]
    assert CoverageSettings(timedelta(hours=6), 3, 2) == settings


def test_bad_coverage_settings_say_what_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(
        CLAIM + "coverage:\n  window_hours: 0\n  min_reports: 0\n  min_outlets: yes\n"
        "  min_outlet: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_claims_file(path)
    assert [
        "coverage.window_hours: must be a positive number of hours, e.g. 24 (got 0); "
        "it is how far back reports count",
        "coverage.min_reports: must be a whole number of at least 1 (got 0)",
        "coverage.min_outlets: must be a number, e.g. 24 or 5 (got True)",
        "coverage.min_outlet: unknown field (did you mean 'min_outlets'?)",
    ] == raised.value.problems


# --- the query ------------------------------------------------------------------------------------


def test_undecided_reads_every_claim_from_a_real_store(state_store: Store) -> None:
    """Neutral mentions from three hosts make one claim undecided; a confirm decides the other,
    and a claim with no evidence has none."""
    now = datetime.now(UTC)
    quiet, settled, empty = (
        Claim("quiet", "Q happened"),
        Claim("settled", "S happened", alert_threshold=0.5),
        Claim("empty", "E happened"),
    )
    claims = {c.id: c for c in (quiet, settled, empty)}
    for n in range(6):
        host = ("a.example", "b.example", "c.example")[n % 3]
        report = Report(f"f{n % 3}", f"r{n}", f"Mention {n}", "text", f"https://{host}/{n}",
                        now - timedelta(hours=n + 1), content_hash=f"h{n}")  # fmt: skip
        verdict = Verdict.CONFIRM if n == 5 else Verdict.NEUTRAL
        found = [
            Assessment("quiet", Verdict.NEUTRAL, 0.2, 0.5),
            Assessment("settled", verdict, 0.9 if n == 5 else 0.2, 0.5),
        ]
        state_store.record_report(report, Feed(f"f{n % 3}", "x"), found, claims, [])
    old = Report("f9", "old", "Old mention", "text", "https://d.example/o",
                 now - timedelta(days=3), content_hash="ho")  # fmt: skip
    state_store.record_report(
        old, Feed("f9", "x"), [Assessment("quiet", Verdict.NEUTRAL, 0.2, 0.5)], claims, []
    )
    found = history.undecided(state_store.engine, list(claims.values()), CoverageSettings(), now)
    assert {"settled": None, "empty": None} == {k: v for k, v in found.items() if k != "quiet"}
    quiet_found = found["quiet"]
    assert quiet_found is not None
    assert (6, 3, ("Mention 0", "Mention 1", "Mention 2")) == (
        quiet_found.reports, quiet_found.outlets, quiet_found.titles
    )  # fmt: skip


def test_an_analysts_confirm_decides_undecided_coverage(state_store: Store) -> None:
    """Six neutral mentions from three hosts are undecided until an analyst says one of them
    confirms the claim; then the claim is decided, whatever the engine scored."""
    now = datetime.now(UTC)
    quiet = Claim("quiet", "Q happened")
    for n in range(6):
        host = ("a.example", "b.example", "c.example")[n % 3]
        report = Report(f"f{n % 3}", f"r{n}", f"Mention {n}", "text", f"https://{host}/{n}",
                        now - timedelta(hours=n + 1), content_hash=f"h{n}")  # fmt: skip
        found = [Assessment("quiet", Verdict.NEUTRAL, 0.2, 0.5)]
        state_store.record_report(report, Feed(f"f{n % 3}", "x"), found, {"quiet": quiet}, [])
    assert history.undecided(state_store.engine, [quiet], CoverageSettings(), now)["quiet"]

    def never(report: Report) -> Assessment:
        raise AssertionError("the report has evidence: the engine is not asked again")

    state_store.record_verdict(quiet, "f1:r1", Verdict.CONFIRM, "ana", None, never, {}, [])
    assert None is history.undecided(state_store.engine, [quiet], CoverageSettings(), now)["quiet"]


# --- status and the run summary ------------------------------------------------------------------

MENTIONS = [
    ("Has Gornal fallen?", "Analysts ask whether Russian forces recaptured Gornal."),
    ("Residents of Gornal describe a tense week", "People in Gornal spoke of power cuts."),
    ("What next for Gornal", "The village of Gornal has been in the news for weeks."),
    ("Gornal: a village on the border", "Gornal lies near the border with the Sumy region."),
    ("Gornal residents describe the shelling", "People in Gornal spoke of shelling."),
    ("Is Gornal still contested?", "Observers ask who holds Gornal."),
]
HOSTS = ("a.example", "www.b.example", "c.example")
UNDECIDED = "undecided: 6 reports from 3 outlets in 24 h, none confirms or contradicts"


def _config(tmp_path: Path, feeds: dict[str, str] | None = None) -> Path:
    config = tmp_path / "cfg"
    write_claims_and_feeds(config, feeds or {"demo": str(DEMO_CONFIG_DIR / "demo-feed.xml")})
    return config


def _neutral_mentions(store: Store, now: datetime) -> None:
    """Six neutral mentions of Gornal from three hosts, recorded through the Store API."""
    claims = {c.id: c for c in load_claims_file(DEMO_CONFIG_DIR / "claims.yaml")[0]}
    for n, (title, body) in enumerate(MENTIONS):
        host = HOSTS[n % 3]
        report = Report(f"f{n % 3}", f"m{n}", title, body, f"https://{host}/{n}",
                        now - timedelta(hours=n + 1), content_hash=f"m{n}")  # fmt: skip
        neutral = Assessment("gornal-recaptured", Verdict.NEUTRAL, 0.3, 0.6)
        store.record_report(report, Feed(f"f{n % 3}", "x"), [neutral], claims, [])


def test_status_shows_undecided_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """status: a line under the claim, a `coverage` object in --json (null when decided or
    quiet), and claims.yaml's coverage: settings move the bar."""
    monkeypatch.setenv("COLUMNS", "80")
    config = _config(tmp_path)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    _neutral_mentions(Store(url), datetime.now(UTC))
    args = ["status", "--config", str(config), "--database-url", url]
    assert 0 == main([*args, "--json"])
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)["claims"]}
    assert rows["kursk-control"]["coverage"] is None
    assert {
        "reports": 6,
        "outlets": 3,
        "window_hours": 24,
        "titles": [title for title, _ in MENTIONS[:3]],
        "line": UNDECIDED,
    } == rows["gornal-recaptured"]["coverage"]
    assert 0 == main(args)
    out = capsys.readouterr().out
    assert all(len(line) <= 80 for line in out.splitlines())
    blocks = out.split("\n\n")  # the overview, then one block per claim
    (gornal,) = [b for b in blocks if b.startswith("gornal-recaptured ")]
    assert ["gornal-recaptured", "UNKNOWN"] == gornal.split()[:2]
    assert UNDECIDED in " ".join(gornal.split())
    (kursk,) = [b for b in blocks if b.startswith("kursk-control ")]
    assert "undecided" not in kursk
    claims = (config / "claims.yaml").read_text(encoding="utf-8")
    (config / "claims.yaml").write_text(claims + "coverage:\n  min_outlets: 4\n")
    assert 0 == main([*args, "--json"])
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)["claims"]}
    assert rows["gornal-recaptured"]["coverage"] is None


def test_a_real_run_summary_names_undecided_coverage(
    prefect_harness: None, tmp_path: Path, feed_server: FeedServer
) -> None:
    """Neutral mentions from three hosts, fetched from 127.0.0.1 and decided by the engine: the
    run summary says the claim is undecided; a dry run, which stores nothing, does not."""
    from flows.monitor import monitor_claims

    now = datetime.now(UTC).replace(microsecond=0)
    feeds = {}
    for index, host in enumerate(HOSTS):
        items = [
            {"guid": f"{host}-{n}", "title": title, "description": body,
             "link": f"https://{host}/{n}", "pub_date": now - timedelta(hours=n + 1)}
            for n, (title, body) in enumerate(MENTIONS) if n % 3 == index
        ]  # fmt: skip
        path = f"/coverage/{tmp_path.name}/{index}.rss"
        feeds[f"feed-{index}"] = feed_server.set_feed(path, rss_feed(items))
    config = _config(tmp_path, feeds)
    url = f"sqlite:///{tmp_path / 'state.db'}"

    def run(dry_run: bool) -> list[str]:
        summary = monitor_claims(config_dir=str(config), database_url=url, dry_run=dry_run,
                                 deliver=False, retry_delay_seconds=0)  # fmt: skip
        assert (3, {}) == (len(summary.feeds_ok), summary.feeds_failed)
        assert summary.coverage == [line for line in summary.lines() if "undecided" in line]
        return summary.coverage

    assert [] == run(dry_run=True)
    assert [f"gornal-recaptured: {UNDECIDED}"] == run(dry_run=False)
