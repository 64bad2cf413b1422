"""`claimwatch feeds import|export|discover`: real OPML files, a real feeds.yaml, a real server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from monitors.config import load_feeds_file
from monitors.feeds_file import append_entries, feed_id_for, unique_id
from monitors.models import Feed
from monitors.paths import DEMO_CONFIG_DIR
from tests.fixtures.feed_server import FeedServer, rss_feed

FEEDS_YAML = """\
# Our desk's feeds. Keep this comment.
feeds:
  - id: reuters-world   # the wire
    name: Reuters World
    url: https://feeds.example.org/world.xml

# - id: parked
#   url: https://parked.example.org/rss

fetch:
  read_timeout: 5   # tuned
"""

NESTED_OPML = """\
<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head><title>reader export</title></head>
  <body>
    <outline text="News">
      <outline text="World">
        <outline type="rss" text="Kyiv Independent" title="The Kyiv Independent"
                 xmlUrl="https://kyivindependent.example/rss" htmlUrl="https://kyivindependent.example/"/>
        <outline type="rss" text="Reuters again" xmlUrl="HTTPS://Feeds.Example.org/world.xml"/>
      </outline>
      <outline type="rss" title="Reuters World" xmlUrl="https://other.example.net/world.rss"/>
    </outline>
    <outline type="rss" text="Meduza &amp; Friends" xmlUrl="https://meduza.example/rss?a=1&amp;b=2"/>
    <outline type="rss" text="Kyiv (dup)" xmlUrl="https://kyivindependent.example/rss"/>
    <outline text="A bookmark, not a feed" htmlUrl="https://example.org/"/>
  </body>
</opml>
"""


def _config(tmp_path: Path, feeds_yaml: str = FEEDS_YAML) -> Path:
    directory = tmp_path / "cfg"
    directory.mkdir()
    (directory / "feeds.yaml").write_text(feeds_yaml, encoding="utf-8")
    return directory


def _opml(tmp_path: Path, text: str, name: str = "reader.opml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    assert 0 == main([*argv, "--json"])
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def test_import_adds_nested_feeds_keeps_comments_and_reports_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Folders are walked; a known URL and a repeat are skipped with why; a title already used
    as an id gets -2; the file's comments and fetch block stay, the loader reads the result."""
    cfg = _config(tmp_path)
    opml = _opml(tmp_path, NESTED_OPML)
    result = _json(capsys, ["feeds", "import", str(opml), "--config", str(cfg)])
    assert [
        ("the-kyiv-independent", "The Kyiv Independent", "https://kyivindependent.example/rss"),
        ("reuters-world-2", "Reuters World", "https://other.example.net/world.rss"),
        ("meduza-friends", "Meduza & Friends", "https://meduza.example/rss?a=1&b=2"),
    ] == [(a["id"], a["name"], a["url"]) for a in result["added"]]
    assert [
        "already in feeds.yaml as reuters-world",
        "repeats outline 1 (News/World)",
        "no xmlUrl: not a feed",
    ] == [s["reason"] for s in result["skipped"]]
    text = (cfg / "feeds.yaml").read_text(encoding="utf-8")
    assert text.startswith(FEEDS_YAML.split("\n# - id: parked")[0])  # untouched up to the end
    for kept in (
        "# Our desk's feeds. Keep this comment.",
        "# the wire",
        "# - id: parked",
        "# tuned",
    ):
        assert kept in text
    assert text.index("meduza-friends") < text.index("# - id: parked") < text.index("fetch:")
    loaded = load_feeds_file(cfg / "feeds.yaml")
    assert ["reuters-world", "the-kyiv-independent", "reuters-world-2", "meduza-friends"] == [
        f.id for f in loaded
    ]


def test_dry_run_writes_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    opml = _opml(tmp_path, NESTED_OPML)
    assert 0 == main(["feeds", "import", str(opml), "--config", str(cfg), "--dry-run"])
    out = capsys.readouterr().out
    assert "would add 3, skipped 3" in out
    assert "dry run: nothing written" in out
    assert FEEDS_YAML == (cfg / "feeds.yaml").read_text(encoding="utf-8")


def test_a_broken_url_is_reported_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every bad URL is named (scheme, no host, an environment reference); the file stays."""
    cfg = _config(tmp_path)
    opml = _opml(
        tmp_path,
        '<opml version="1.0"><body>'
        '<outline text="fine" xmlUrl="https://fine.example/rss"/>'
        '<outline text="js" xmlUrl="javascript:alert(1)"/>'
        '<outline text="nohost" xmlUrl="https:///rss"/>'
        '<outline text="leak" xmlUrl="https://x.example/rss?k=${API_TOKEN}"/>'
        '<outline text="typo" xmlUrl="news.example.org/rss"/>'
        "</body></opml>",
    )
    assert 2 == main(["feeds", "import", str(opml), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert "5 problems" in err
    assert "outline 2: url 'javascript:alert(1)'" in err
    assert "outline 3: url 'https:///rss' has no host" in err
    assert "environment reference" in err
    assert "outline 5: url 'news.example.org/rss' is neither" in err
    assert "nothing was written" in err
    assert FEEDS_YAML == (cfg / "feeds.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<opml version="2.0"><body><outline text="&c;" xmlUrl="https://x.example/rss"/>'
        "</body></opml>",
        '<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/evil.dtd"><opml><body/></opml>',
    ],
    ids=["entity-bomb", "external-dtd"],
)
def test_a_hostile_opml_with_a_dtd_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: str
) -> None:
    cfg = _config(tmp_path)
    opml = _opml(tmp_path, document)
    assert 2 == main(["feeds", "import", str(opml), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert "declares a DOCTYPE" in err
    assert "aaaa" not in err
    assert FEEDS_YAML == (cfg / "feeds.yaml").read_text(encoding="utf-8")


def test_a_utf16_dtd_without_a_byte_order_mark_is_refused_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    opml = tmp_path / "wide.opml"
    opml.write_bytes(
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE opml [<!ENTITY e "x">]>'
        '<opml><body><outline text="&e;" xmlUrl="https://x.example/rss"/></body></opml>'.encode(
            "utf-16-le"
        )
    )
    assert 2 == main(["feeds", "import", str(opml), "--config", str(cfg)])
    assert "declares a DOCTYPE" in capsys.readouterr().err


def test_not_opml_and_undeclared_entities_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    rss = tmp_path / "feed.opml"
    rss.write_bytes(rss_feed([{"title": "x", "guid": "1"}]))
    assert 2 == main(["feeds", "import", str(rss), "--config", str(cfg)])
    assert "not an OPML file: expected <opml> with a <body>, got <rss>" in capsys.readouterr().err
    entity = _opml(tmp_path, '<opml><body><outline text="&nope;"/></body></opml>', "e.opml")
    assert 2 == main(["feeds", "import", str(entity), "--config", str(cfg)])
    assert "undefined entity" in capsys.readouterr().err


def test_export_round_trips_through_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's feeds plus awkward names, exported and imported into an empty config, come
    back as the same feeds (a local file included); markup in a name stays text."""
    source = tmp_path / "source"
    shutil.copytree(DEMO_CONFIG_DIR, source)
    text = (source / "feeds.yaml").read_text(encoding="utf-8")
    extra = [
        Feed("a-b-news", "https://a.example/rss?x=1&y=<2>", 'A & B "News" <b>'),
        Feed("ria-novosti", "https://ria.example/export/rss2/index.xml", "RIA Novosti"),
    ]
    (source / "feeds.yaml").write_text(append_entries(text, extra), encoding="utf-8")
    exported = tmp_path / "out.opml"
    assert 0 == main(["feeds", "export", "--config", str(source), "-o", str(exported)])
    assert "wrote 3 feeds as OPML 2.0" in capsys.readouterr().out
    assert b"&lt;b&gt;" in exported.read_bytes()
    target = tmp_path / "target"
    target.mkdir()  # no feeds.yaml yet: the import creates it
    assert 0 == main(["feeds", "import", str(exported), "--config", str(target)])
    said = " ".join(capsys.readouterr().out.split())
    assert "skipped 1" in said and "may not point claimwatch at files on this machine" in said
    assert ["a-b-news-b", "ria-novosti"] == [f.id for f in load_feeds_file(target / "feeds.yaml")]
    (target / "feeds.yaml").unlink()
    args = ["feeds", "import", str(exported), "--config", str(target), "--allow-local-files"]
    assert 0 == main(args)
    capsys.readouterr()
    before = load_feeds_file(source / "feeds.yaml")
    after = load_feeds_file(target / "feeds.yaml")
    assert [(f.url, f.name) for f in before] == [(f.url, f.name) for f in after]
    assert ["demo-wire-bundled-offline", "a-b-news-b", "ria-novosti"] == [f.id for f in after]


def test_export_prints_opml_without_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["feeds", "export", "--config", str(DEMO_CONFIG_DIR)])
    out = capsys.readouterr().out
    assert out.startswith("<?xml version='1.0' encoding='utf-8'?>\n<opml version=\"2.0\">")
    assert 'title="Demo wire (bundled, offline)"' in out


def test_the_bundled_demo_is_never_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = _opml(tmp_path, NESTED_OPML)
    assert 2 == main(["feeds", "import", str(opml), "--config", str(DEMO_CONFIG_DIR)])
    assert "is the bundled demo" in capsys.readouterr().err


def test_ids_are_slugs_unique_against_taken_ones() -> None:
    assert "meduza-friends" == feed_id_for("Meduza & Friends!", "https://m.example/rss")
    assert "cafe-noir" == feed_id_for("Café Noir", "https://c.example/rss")
    assert "lenta-example-ru" == feed_id_for("Лента", "https://lenta.example.ru/rss")
    assert "x" * 64 == feed_id_for("X" * 80, "")
    taken = {"wire", "wire-2", "x" * 64}
    assert "wire-3" == unique_id("wire", taken)
    assert "x" * 62 + "-2" == unique_id("x" * 64, taken)


def test_a_flow_style_feeds_list_is_reported_not_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = "feeds: [{id: a, url: 'https://a.example/rss'}]\n"
    cfg = _config(tmp_path, flow)
    opml = _opml(tmp_path, NESTED_OPML)
    assert 2 == main(["feeds", "import", str(opml), "--config", str(cfg)])
    assert "no block list under 'feeds:'" in capsys.readouterr().err
    assert flow == (cfg / "feeds.yaml").read_text(encoding="utf-8")


# --- discover ------------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head>
<title>Example news</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="World &amp; more" href="/feeds/world.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="http://127.0.0.1:9/atom.xml">
<link rel="alternate" type="application/rss+xml" title="js" href="javascript:alert(1)">
</head><body>
<link rel="alternate" type="application/rss+xml" href="/not-in-head.xml">
<p>Hello</p></body></html>
"""


def test_discover_lists_a_pages_feeds(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two alternate links (one relative, resolved against the page); a javascript: link and
    one outside the head are not feeds."""
    url = feed_server.set_feed("/discover/page.html", PAGE.encode(), "text/html; charset=utf-8")
    result = _json(capsys, ["feeds", "discover", url, "--config", str(DEMO_CONFIG_DIR)])
    assert not result["is_feed"]
    assert [
        (feed_server.url("/feeds/world.xml"), "World & more", "rss"),
        ("http://127.0.0.1:9/atom.xml", "Atom", "atom"),
    ] == [(f["url"], f["title"], f["type"]) for f in result["feeds"]]
    assert 0 == main(["feeds", "discover", url, "--config", str(DEMO_CONFIG_DIR)])
    out = capsys.readouterr().out
    assert "2 feed(s) linked from" in out
    assert "1. World & more [rss]" in out


def test_discover_says_a_feed_is_a_feed_and_adds_it(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = feed_server.set_feed("/discover/feed.xml", rss_feed([{"title": "t", "guid": "1"}]))
    assert 0 == main(["feeds", "discover", url, "--config", str(DEMO_CONFIG_DIR)])
    assert "is a feed itself" in capsys.readouterr().out
    cfg = _config(tmp_path)
    added = _json(capsys, ["feeds", "discover", url, "--add", "--config", str(cfg)])
    assert [url] == [a["url"] for a in added["added"]]
    assert url in [f.url for f in load_feeds_file(cfg / "feeds.yaml")]


def test_discover_add_picks_a_linked_feed(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = feed_server.set_feed("/discover/page2.html", PAGE.encode(), "text/html")
    cfg = _config(tmp_path)
    result = _json(capsys, ["feeds", "discover", url, "--pick", "2", "--config", str(cfg)])
    assert [("atom", "http://127.0.0.1:9/atom.xml")] == [
        (a["id"], a["url"]) for a in result["added"]
    ]
    assert "# Our desk's feeds. Keep this comment." in (cfg / "feeds.yaml").read_text()
    assert 2 == main(["feeds", "discover", url, "--pick", "3", "--config", str(cfg)])
    assert "links to 2 feed(s); --pick 3 names none" in capsys.readouterr().err


def test_discover_reports_a_404(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = feed_server.url("/status/404")
    assert 2 == main(["feeds", "discover", url, "--config", str(DEMO_CONFIG_DIR)])
    assert "HTTP 404 Not Found" in capsys.readouterr().err


def test_options_of_another_action_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["feeds", "export", "--add", "--config", str(DEMO_CONFIG_DIR)])
    assert "--add/--pick belong to discover" in capsys.readouterr().err
    assert 2 == main(["feeds", "import", "--config", str(DEMO_CONFIG_DIR)])
    assert "needs FILE.opml" in capsys.readouterr().err


def test_a_title_cannot_pull_in_an_environment_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """feeds.yaml reads ${VAR} in every value: a title holding one is written so it stays text."""
    monkeypatch.setenv("CLAIMWATCH_TEST_SECRET", "hunter2")
    cfg = _config(tmp_path)
    opml = _opml(
        tmp_path,
        '<opml version="2.0"><body><outline title="Leak ${CLAIMWATCH_TEST_SECRET} [bold]x[/bold]"'
        ' xmlUrl="https://leak.example/rss"/></body></opml>',
    )
    assert 0 == main(["feeds", "import", str(opml), "--config", str(cfg)])
    assert "[bold]x[/bold]" in capsys.readouterr().out  # printed as text, not as markup
    names = [f.name for f in load_feeds_file(cfg / "feeds.yaml")]
    assert "Leak $ {CLAIMWATCH_TEST_SECRET} [bold]x[/bold]" == names[-1]
    assert not any("hunter2" in name for name in names)
