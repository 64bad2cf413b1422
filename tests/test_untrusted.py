"""monitors.untrusted: the rules for feed text, and that every channel and the report follow them.

The tables are rows of (input, expected) with the reason as the test id.
"""

from __future__ import annotations

import dataclasses
import io
import json
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path

import jinja2
import pytest

from alerts.render import alert as render
from alerts.render import chat as render_chat
from alerts.render import digest as render_digest
from alerts.sinks import ConsoleChannel, ConsoleSettings
from flows.artifacts import evidence_of_alerts, run_summary_markdown
from flows.cli.html_report import ClaimPage, render_report
from monitors import untrusted
from monitors.models import Alert, Claim, ClaimState
from monitors.pipeline import RunSummary
from monitors.state.history import EvidenceRow

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# What tests/golden/hostile-feed carries to make text read differently from what it is.
DISGUISES = "\u202e\u202c\u2066\u2069\u200b\u200f\ufeff\u2060"


def table(*rows: tuple[object, ...]) -> pytest.MarkDecorator:
    """Parametrize by (inputs..., expected, why); ``why`` becomes the test id."""
    names = ["text", "expected"] if len(rows[0]) == 3 else ["text", "limit", "expected"]
    return pytest.mark.parametrize(
        names, [row[:-1] for row in rows], ids=[str(row[-1]) for row in rows]
    )


@table(
    ("a\r\nb", "a b", "CR LF become one space, so no header can be injected"),
    ("a\tb", "a b", "TAB is a control too"),
    ("a\x1b[31mb", "a [31mb", "ESC becomes a space: no terminal escape sequence survives"),
    ("a\x00b\x7fc\x9bd", "a b c d", "NUL, DEL and the C1 CSI are controls"),
    ("a\u2028b\u2029c", "a b c", "U+2028 and U+2029 are line breaks"),
    ("held \u202eton\u202c.", "held ton.", "the right-to-left override goes: stored order shows"),
    ("\u202aa\u202bb\u202dc", "abc", "embeddings and the left-to-right override go"),
    ("\u2066iso\u2069 \u2067r\u2069 \u2068f\u2069", "iso r f", "bidi isolates go"),
    ("a\u200eb\u200fc\u061cd", "abcd", "the implicit direction marks LRM, RLM and ALM go"),
    ("Gor\u200bnal", "Gornal", "a zero-width space cannot split a word unseen"),
    ("\ufeffBOM", "BOM", "a byte-order mark inside text is invisible"),
    ("pay\u00adpal", "paypal", "the soft hyphen is invisible"),
    ("a\u2060b\u2062c", "abc", "word joiner and invisible operators go"),
    ("x\U000e0068\U000e0069y", "xy", "tag characters are invisible ASCII"),
    ("می\u200cخواهم", "می\u200cخواهم", "ZWNJ stays: Persian is spelt with it"),
    ("👩\u200d💻", "👩\u200d💻", "ZWJ stays: emoji sequences need it"),
    ("a \u202e b", "a b", "a removed character leaves no double space"),
    ("  a \n\n  b  ", "a b", "whitespace runs collapse and the ends are trimmed"),
    ("<scr\u2060ipt>", "<script>", "removal can join markup: renderers escape after cleaning"),
    (None, "", "None is the empty line"),
    ("x" * 300, "x" * 300, "exactly MAX_LINE characters are kept"),
    ("x" * 301, "x" * 299 + "…", "one more and the line is capped at MAX_LINE with an ellipsis"),
)
def test_one_line(text: str | None, expected: str) -> None:
    """one_line: controls become spaces, bidi and invisible characters go, capped at MAX_LINE."""
    assert expected == untrusted.one_line(text)


@table(
    ("abcdefgh", 5, "abcd…", "the cap counts the ellipsis"),
    ("abc defgh", 5, "abc…", "spaces before the cut go"),
    ("abc", 3, "abc", "text at the limit is unchanged"),
    ("a\u202e" + "b" * 10, 5, "abbb…", "removal happens before the cap"),
)
def test_one_line_limit(text: str, limit: int, expected: str) -> None:
    """one_line caps at the given limit, counting the ellipsis, after cleaning."""
    assert expected == untrusted.one_line(text, limit)


@table(
    ("abc", 3, "abc", "at the limit: unchanged"),
    ("abcd", 3, "ab…", "one over: cut to limit with the ellipsis"),
    ("ab cd", 4, "ab…", "trailing space before the ellipsis goes"),
    ("abc", 1, "…", "limit 1: the ellipsis alone"),
    ("a\nb", 10, "a\nb", "truncate only cuts; cleaning is one_line's job"),
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    """truncate: at most ``limit`` characters, ending in one ellipsis character when cut."""
    assert expected == untrusted.truncate(text, limit)


def _amp(char: str) -> str:
    return "&amp;" if char == "&" else char


@table(
    ("a&b", 10, "a&amp;b", "short text is escaped whole"),
    ("&&&", 7, "&amp;…", "the cap is on the escaped text and never cuts an escape"),
    ("x\u202e&\r\n", 10, "x&amp;", "cleaned before escaping"),
    ("aaaa&", 6, "aaaa…", "an escape that does not fit is left out whole"),
)
def test_escaped_line(text: str, limit: int, expected: str) -> None:
    """escaped_line cleans, escapes char by char and caps the escaped result."""
    assert expected == untrusted.escaped_line(text, limit, _amp)


@table(
    ("a\x1b[2Jb\x07", "a[2Jb", "ESC and BEL are removed, leaving harmless text"),
    ("one\ntwo\tthree", "one\ntwo\tthree", "LF and TAB are kept: the text may span lines"),
    ("a\rb\x9bc", "abc", "CR and C1 controls are removed"),
    ("a\u2028b", "a\nb", "U+2028 is a line break, so it becomes LF"),
    ("\u202eevil\u2066x\u2069\u200b", "evilx", "bidi and invisible characters are removed"),
    (None, "", "None is empty"),
)
def test_printable(text: str | None, expected: str) -> None:
    """printable: terminal-safe text that keeps its line breaks."""
    assert expected == untrusted.printable(text)


LONGEST = "https://example.org/" + "a" * (untrusted.MAX_LINK - len("https://example.org/"))


@table(
    ("https://example.org/a?b=c&d=e", "https://example.org/a?b=c&d=e", "https is a link"),
    ("HTTP://example.org/", "HTTP://example.org/", "the scheme is case-insensitive"),
    ("https://курск.рф/новости", "https://курск.рф/новости", "international names are hosts"),
    ("javascript:alert(1)", None, "javascript: runs code"),
    ("JaVaScRiPt:alert(1)", None, "javascript: in any case"),
    (" javascript:alert(1)", None, "padding is not stripped into a link"),
    ("java\nscript:alert(1)", None, "a line break inside"),
    ("data:text/html,<script>", None, "data: carries content"),
    ("ftp://example.org/f", None, "only http and https"),
    ("/story/1", None, "a relative path resolves wherever it is shown"),
    ("//example.org/x", None, "a scheme-relative link"),
    ("https://", None, "no host"),
    ("https:///nohost", None, "an empty host"),
    ("https://user@/x", None, "userinfo but no host"),
    ("https://[::1", None, "an unparseable URL"),
    ("https://exa mple.org/", None, "a space"),
    (" https://example.org/", None, "leading whitespace"),
    ("https://example.org/\t", None, "a TAB"),
    ("https://example.org/\u00a0", None, "a no-break space is whitespace too"),
    ("https://example.org/\u202egpj.exe", None, "a bidi override disguises the URL"),
    ("https://exa\u200bmple.org/", None, "a zero-width space hides in the host"),
    (LONGEST, LONGEST, "exactly MAX_LINK characters"),
    (LONGEST + "a", None, "longer than MAX_LINK"),
    ("", None, "empty"),
    (None, None, "None"),
)
def test_safe_link(text: str | None, expected: str | None) -> None:
    """safe_link: absolute http(s) with a host, nothing hidden, capped; None otherwise."""
    assert expected == untrusted.safe_link(text)


@table(
    ("a \n\t b ", "a b", "whitespace runs become one space, ends trimmed"),
    ("a\x00b\x0bc\x7fd", "abcd", "non-whitespace C0 controls and DEL are removed, not spaced"),
    ("a\x85b", "a b", "NEL is whitespace"),
    ("a\u202eb\x9bc", "a\u202eb\x9bc", "bidi and C1 stay: stored text and content hashes are kept"),
)
def test_collapse_whitespace(text: str, expected: str) -> None:
    """collapse_whitespace: the parse step's milder cleaning of what it stores."""
    assert expected == untrusted.collapse_whitespace(text)


# --- every channel ------------------------------------------------------------------------------


def hostile() -> Alert:
    path = GOLDEN / "hostile-feed" / "alert.json"
    return Alert.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _console(alert: Alert) -> str:
    stream = io.StringIO()
    ConsoleChannel("console", ConsoleSettings(), stream=stream).send(alert)
    return stream.getvalue()


def _summary(alert: Alert) -> str:
    return run_summary_markdown(RunSummary(), [alert], evidence_of_alerts([alert]), False)


def _report(alert: Alert) -> str:
    when = alert.published or datetime(2025, 3, 15, tzinfo=UTC)
    row = EvidenceRow(
        id=1, claim_id=alert.claim_id, feed_id=alert.feed_id, report_id="r1",
        verdict=alert.verdict, score=alert.score, title=alert.report_title,
        link=alert.report_link, published=when, recorded=when, spans=alert.evidence,
    )  # fmt: skip
    claim = Claim(id=alert.claim_id, statement=alert.claim_statement)
    names = {alert.feed_id: alert.feed_name}
    page = ClaimPage(claim, ClaimState.CONFIRMED, [row], feed_names=names)
    return render_report([page], when)


CHANNELS: dict[str, Callable[[Alert], str]] = {
    "email text": render.email_text,
    "email html": render.email_html,
    "digest text": lambda alert: render_digest.digest_text([alert]),
    "digest html": lambda alert: render_digest.digest_html([alert]),
    "webhook json": lambda alert: render.webhook_body(alert).decode("utf-8"),
    "slack": lambda alert: render_chat.slack_body(alert).decode("utf-8"),
    "discord": lambda alert: render_chat.discord_body(alert).decode("utf-8"),
    "console sink": _console,
    "run summary artifact": _summary,
    "html report": _report,
}


def test_hostile_fixture_carries_the_disguises() -> None:
    """The hostile alert really holds every disguise (else the channel tests prove nothing)."""
    raw = json.dumps(hostile().to_dict(), ensure_ascii=False)
    assert [] == [char for char in DISGUISES if char not in raw]


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_no_channel_carries_bidi_or_invisible_characters(channel: str) -> None:
    """No rendering of the hostile alert carries U+202E or any other disguise it holds."""
    output = CHANNELS[channel](hostile())
    assert [] == [f"U+{ord(char):04X}" for char in output if char in DISGUISES]


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_every_channel_shows_the_title_in_stored_order(channel: str) -> None:
    """The overridden "deined" (shown as "denied" before) is still there, in stored order."""
    assert True is ("yes deined" in CHANNELS[channel](hostile()))


# --- the HTML templates -------------------------------------------------------------------------


HTML: dict[str, Callable[[Alert], str]] = {
    "email html": render.email_html,
    "digest html": lambda alert: render_digest.digest_html([alert]),
    "html report": _report,
}


@pytest.mark.parametrize("page", sorted(HTML))
def test_templates_autoescape_a_script_title(page: str) -> None:
    """A report titled <script>alert(1)</script> shows escaped in each HTML page, never as a tag."""
    alert = dataclasses.replace(hostile(), report_title=SCRIPT)
    html = HTML[page](alert)
    assert (True, False) == (ESCAPED_SCRIPT in html, SCRIPT in html)


def test_templates_refuse_undefined_values() -> None:
    """A template given too little fails loudly instead of rendering an empty value."""
    with pytest.raises(jinja2.UndefinedError):
        render.TEMPLATES.get_template("email.html.j2").render()


def test_templates_ship_as_package_data() -> None:
    """Every template file matches a [tool.setuptools.package-data] pattern of its package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]

    def shipped(path: Path) -> bool:
        for package, globs in patterns.items():
            base = ROOT.joinpath(*package.split("."))
            if path.is_relative_to(base):
                relative = path.relative_to(base).as_posix()
                if any(fnmatch(relative, pattern) for pattern in globs):
                    return True
        return False

    templates = [p for top in ("alerts", "flows", "monitors") for p in (ROOT / top).rglob("*.j2")]
    unshipped = [str(path.relative_to(ROOT)) for path in templates if not shipped(path)]
    assert (True, []) == (bool(templates), unshipped)
