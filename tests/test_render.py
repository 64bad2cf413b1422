"""Rendering: golden files per case under tests/golden/<case>/ (input alert.json), plus escaping.

Adding a case means adding a folder with an alert.json and running once with UPDATE_GOLDEN=1;
review the diff of the generated files before committing them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

import pytest

from alerts.render import alert as render
from alerts.render.digest import digest_html, digest_text, summary_rows
from alerts.render.look import highlight, why_line
from monitors.feedstate import Notice, PollState, health_alert
from monitors.models import Alert, ClaimState, Correction, Source, Verdict

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "alert.json").is_file())


def load_alert(case: str) -> Alert:
    return Alert.from_dict(json.loads((GOLDEN / case / "alert.json").read_text(encoding="utf-8")))


def _pretty_payload(alert: Alert) -> str:
    return json.dumps(render.webhook_payload(alert), indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[Alert], str]] = {
    "subject.txt": lambda alert: render.email_subject(alert) + "\n",
    "email.txt": render.email_text,
    "email.html": render.email_html,
    "webhook.json": _pretty_payload,
}


@pytest.mark.parametrize("output", sorted(RENDERERS))
@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, output: str) -> None:
    """Each rendering matches its reviewed golden file (UPDATE_GOLDEN=1 rewrites them)."""
    actual = RENDERERS[output](load_alert(case))
    path = GOLDEN / case / output
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual


def test_golden_cases_present() -> None:
    """The corpus is not silently empty (a missing folder would make test_golden vacuous)."""
    assert {"hostile-feed", "kursk-contradicted", "minimal-confirmed"} <= set(CASES)


def test_subject_is_headline_with_prefix() -> None:
    """The subject is the tag plus Alert.headline."""
    alert = load_alert("kursk-contradicted")
    expected = "[claimwatch] CONTRADICTED: Russia has regained full control of the Kursk region"
    assert expected == render.email_subject(alert)


def test_subject_is_capped() -> None:
    """A huge claim statement gives a subject of at most MAX_SUBJECT characters."""
    alert = dataclasses.replace(load_alert("minimal-confirmed"), claim_statement="word " * 500)
    subject = render.email_subject(alert)
    assert (True, True) == (len(subject) <= render.MAX_SUBJECT, subject.endswith("…"))
    assert len(subject) > render.MAX_SUBJECT - 10


def test_html_escapes_feed_strings() -> None:
    """Markup from the feed is shown as text, never as tags or attributes."""
    html = render.email_html(load_alert("hostile-feed"))
    assert "<script" not in html
    assert "<img" not in html
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html


def test_javascript_link_is_not_an_href() -> None:
    """A javascript: link is neither an href nor shown in any rendering."""
    alert = load_alert("hostile-feed")
    rendered = [render.email_html(alert), render.email_text(alert), _pretty_payload(alert)]
    assert [False, False, False] == ["javascript:" in text for text in rendered]
    assert None is render.webhook_payload(alert)["alert"]["report"]["link"]


def test_http_link_becomes_an_href() -> None:
    """An https report link is rendered as a link in the HTML body."""
    html = render.email_html(load_alert("kursk-contradicted"))
    link = "https://news.example.org/2025/03/12/sudzha-positions"
    assert f'href="{link}"' in html
    assert 2 == html.count(f'href="{link}"')  # the title and the link itself


def test_crlf_in_content_cannot_inject_headers() -> None:
    """CR/LF in the claim or title never produce extra headers in the serialized message."""
    message = render.email_message(load_alert("hostile-feed"), "a@example.org", ["b@example.org"])
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert [None, None] == [parsed["Bcc"], parsed["X-Injected"]]
    assert "\n" not in str(parsed["Subject"])
    assert str(parsed["Subject"]).endswith("Bcc: victim@example.net")


def test_terminal_escapes_are_stripped_from_text() -> None:
    """ESC and other control characters from the feed never reach the text body."""
    text = render.email_text(load_alert("hostile-feed"))
    assert [] == [ch for ch in text if ord(ch) < 32 and ch != "\n"]


def test_email_message_has_text_and_html_parts() -> None:
    """The message is multipart/alternative with a text part first and an HTML part."""
    message = render.email_message(load_alert("kursk-contradicted"), "a@example.org", ["b@x.org"])
    types = [part.get_content_type() for part in message.iter_parts()]
    assert "multipart/alternative" == message.get_content_type()
    assert ["text/plain", "text/html"] == types


def test_message_id_is_stable_per_alert_key() -> None:
    """A retried alert has the same Message-ID; a different alert has another one."""
    first, other = load_alert("kursk-contradicted"), load_alert("minimal-confirmed")
    assert render.message_id(first) == render.message_id(dataclasses.replace(first))
    assert render.message_id(first) != render.message_id(other)


def test_digest_message_id_is_stable_for_the_same_pending_alerts() -> None:
    """A digest retried with the same alerts has the same Message-ID; another set another one."""
    from alerts.render.digest import digest_message

    first, other = load_alert("kursk-contradicted"), load_alert("minimal-confirmed")
    to = ["desk@example.test"]

    def mid(alerts: list[Alert]) -> str:
        return str(digest_message(alerts, "cw@example.test", to)["Message-ID"])

    assert mid([first, other]) == mid([dataclasses.replace(first), other])
    assert mid([first, other]) != mid([first])
    assert mid([first]) != render.message_id(first)  # a digest is not the alert's own message


def test_evidence_is_capped() -> None:
    """More than MAX_EVIDENCE sentences: the rest is counted, not listed."""
    alert = load_alert("kursk-contradicted")
    many = dataclasses.replace(alert, evidence=alert.evidence * 8)
    payload = render.webhook_payload(many)["alert"]
    assert (render.MAX_EVIDENCE, 16) == (len(payload["evidence"]), payload["evidence_total"])
    assert "... and 6 more" in render.email_text(many)


def test_webhook_body_is_the_compact_payload() -> None:
    """The signed body is UTF-8 JSON that decodes to the documented payload."""
    alert = load_alert("kursk-contradicted")
    body = render.webhook_body(alert)
    assert render.webhook_payload(alert) == json.loads(body.decode("utf-8"))
    assert "Курская область".encode() in body


# --- what a reader sees at a glance ---------------------------------------------------------------


def _badge_style(html: str) -> str:
    """The inline style of the first badge (the verdict's) in an HTML body."""
    found = re.search(r'<span style="(display:inline-block;[^"]*)">', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("verdict", "word", "colours"),
    [
        (Verdict.CONFIRM, "CONFIRMED", ("#ffffff", "#1b7f3b")),  # green
        (Verdict.CONTRADICT, "CONTRADICTED", ("#ffffff", "#b3261e")),  # red
        (Verdict.DISPUTED, "DISPUTED", ("#1f1600", "#f2b01e")),  # amber
    ],
)
def test_the_verdict_is_a_badge_in_its_own_colour(
    verdict: Verdict, word: str, colours: tuple[str, str]
) -> None:
    """Each verdict's badge sets both its text and its background colour (dark-mode safe)."""
    alert = dataclasses.replace(load_alert("kursk-contradicted"), verdict=verdict)
    html = render.email_html(alert)
    style = _badge_style(html)
    assert (f"color:{colours[0]};", f"background-color:{colours[1]};") == (
        re.search(r"(?<!-)color:#[0-9a-f]{6};", style).group(0),  # type: ignore[union-attr]
        re.search(r"background-color:#[0-9a-f]{6};", style).group(0),  # type: ignore[union-attr]
    )
    assert f'{style}">{word}</span>' in html


def test_a_correction_and_a_feed_alert_have_their_own_badges() -> None:
    """An analyst's correction is blue, never the engine's verdict colour; a failing feed amber."""
    alert = load_alert("kursk-contradicted")
    corrected = dataclasses.replace(alert, correction=Correction(
        "ana", Verdict.NEUTRAL, Verdict.CONFIRM, "wire", "1", "Kursk retaken", alert.created_at,
    ))  # fmt: skip
    before = PollState(consecutive_failures=2, failing_since=alert.created_at)
    failing = health_alert("wire", "Wire", Notice.FAILING, before, before, "http://x/f", "500",
                           alert.created_at)  # fmt: skip
    styles = [_badge_style(render.email_html(a)) for a in (corrected, failing)]
    assert ["background-color:#2f5d8a;", "background-color:#f2b01e;"] == [
        re.search(r"background-color:#[0-9a-f]{6};", s).group(0)  # type: ignore[union-attr]
        for s in styles
    ]
    html = render.email_html(corrected)
    assert "CORRECTED, NOW CONTRADICTED</span>" in html and "<b>Corrected:</b> ana at" in html
    assert "<td" in render.email_html(failing) and "HTTP" not in _badge_style(html)


def test_the_matched_words_are_marked_in_both_bodies() -> None:
    """The decisive sentence's matched words (another script here) are in a <mark>, and between
    asterisks in the text body."""
    alert = load_alert("kursk-contradicted")
    html, text = render.email_html(alert), render.email_text(alert)
    marked = re.findall(r"<mark [^>]*>([^<]*)</mark>", html)
    assert ["Курская область", "Kursk region"] == marked
    assert "in the *Курская область* near Sudzha." in text
    assert re.search(r'<mark class="cw-mark" style="background-color:#[0-9a-f]{6};color:#', html)


@pytest.mark.parametrize(
    ("sentence", "matched", "expected"),
    [
        ("Gornal fell; GORNAL burns", "gornal", [("Gornal", True), (" fell; ", False),
                                                 ("GORNAL", True), (" burns", False)]),
        ("near Sudzha", "Gornal", [("near Sudzha", False)]),
        ("<b>Gornal</b>", "Gornal", [("<b>", False), ("Gornal", True), ("</b>", False)]),
        ("a (b) c", "(b)", [("a ", False), ("(b)", True), (" c", False)]),
        ("no match given", None, [("no match given", False)]),
    ],
    ids=["case-insensitive-twice", "absent", "markup-stays-text", "regex-characters", "none"],
)  # fmt: skip
def test_highlight_splits_the_sentence_into_parts(
    sentence: str, matched: str | None, expected: list[tuple[str, bool]]
) -> None:
    """Parts rejoin to the sentence; only the matched text is marked, found case-insensitively."""
    parts = highlight(sentence, matched)
    assert expected == [(p.text, p.marked) for p in parts]
    assert sentence == "".join(p.text for p in parts)


def test_hostile_text_in_a_marked_sentence_and_the_previous_report_is_escaped() -> None:
    """Markup around and inside the matched words, and in the previous report's title, is shown
    as text; the previous report's javascript: link is no link."""
    alert = load_alert("hostile-feed")
    evil = Source("evil", "<i>Evil</i>", '<script>alert("prev")</script>', "javascript:x()")
    span = dataclasses.replace(alert.evidence[0], sentence="<b>Gornal</b> <script>x</script>",
                               matched="<b>Gornal")  # fmt: skip
    alert = dataclasses.replace(
        alert, previous_state=ClaimState.CONTRADICTED, previous_report=evil, evidence=(span,)
    )
    html = render.email_html(alert)
    assert "<mark " in html and "&lt;b&gt;Gornal</mark>&lt;/b&gt; &lt;script&gt;x" in html
    assert "Previously contradicted by &lt;script&gt;alert(&quot;prev&quot;)" in html
    assert [False, False, False] == ["<script" in html, "<i>" in html, "javascript:" in html]


class _Resources(HTMLParser):
    """Every tag and attribute that would load something, or run something, in a mail client."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("img", "script", "link", "iframe", "object", "embed", "video", "audio"):
            self.found.append(tag)
        for name, value in attrs:
            if name in ("src", "srcset", "background", "poster") or name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name == "style" and value and ("url(" in value or "@import" in value):
                self.found.append(f"{tag}[style={value}]")


@pytest.mark.parametrize("case", CASES)
def test_the_html_loads_nothing(case: str) -> None:
    """No images, scripts, stylesheets or fonts: the body renders offline and tracks no one."""
    alert = load_alert(case)
    for html in (render.email_html(alert, "https://d.example/r#claim-{claim_id}"),
                 digest_html([alert, alert])):  # fmt: skip
        parser = _Resources()
        parser.feed(html)
        assert ([], False) == (parser.found, "@import" in html)


def test_the_previous_report_is_named_and_linked() -> None:
    """'Previously confirmed by <title>', linked, with its feed and time."""
    html = render.email_html(load_alert("kursk-contradicted"))
    assert (
        'Previously confirmed by <a class="cw-link" href="https://t.example.ru/mod/4512"'
    ) in html
    assert "Минобороны: Курская область полностью освобождена</a> (Russian MoD (Telegram)" in html


def test_the_why_line_names_alias_and_cue_once() -> None:
    """One compact line: the engine's ``why`` that restates cue and alias is left out; one that
    names neither is kept; an alias equal to the marked words is not repeated."""
    item = load_alert("kursk-contradicted").evidence[0]
    line = why_line(item)
    assert (1, 1, False) == (
        line.count("still hold"),
        line.count("Kursk region"),
        "next to" in line,
    )
    other = dataclasses.replace(item, alias="Курская область", why="frame: controller changed")
    assert why_line(other).endswith("· frame: controller changed")
    assert "alias" not in why_line(other)


def test_the_footer_labels_the_alert_id() -> None:
    """The key is labelled as what it is, in both bodies."""
    alert = load_alert("kursk-contradicted")
    label = "Alert id, for support: kursk-control:wire-1:3f9a2c"
    assert [True, True] == [label in render.email_html(alert), label in render.email_text(alert)]


# --- the digest --------------------------------------------------------------------------------


def _day() -> list[Alert]:
    """Three alerts about one claim (the last without a transition) and one about another."""
    kursk, other = load_alert("kursk-contradicted"), load_alert("minimal-confirmed")
    S = ClaimState
    first = dataclasses.replace(kursk, key="a", previous_state=S.UNKNOWN, new_state=S.CONFIRMED,
                                report_title="Kursk retaken, Moscow says", sources=())  # fmt: skip
    second = dataclasses.replace(kursk, key="b")  # confirmed -> contradicted, two feeds
    third = dataclasses.replace(kursk, key="c", previous_state=S.CONTRADICTED, feed_id="third",
                                report_title="Still fighting near Sudzha", sources=())  # fmt: skip
    return [first, other, second, third]


def test_the_digest_summary_has_one_row_per_claim_with_its_net_change() -> None:
    """First previous state -> last new state; the report of the last transition; the distinct
    feeds across the claim's alerts."""
    rows = summary_rows(_day())
    assert [
        ("Russia has regained full control of the Kursk region", "unknown -> contradicted",
         "Ukrainian units still hold positions near Sudzha, General Staff says", 3, "alert-3"),
        ("Sudzha is under Russian control", "unknown -> confirmed", "Sudzha", 1, "alert-2"),
    ] == [(r.claim, r.change, r.decisive.value, r.sources, r.anchor) for r in rows]  # fmt: skip
    assert ["CONTRADICTED", "CONFIRMED"] == [r.badge.word for r in rows]


def test_the_digest_opens_with_the_summary_then_every_alert() -> None:
    """HTML: the summary table before the first card, every card with its id; text: an aligned
    table (each column starts at the same place on every line) before the details."""
    day = _day()
    html, text = digest_html(day), digest_text(day)
    assert html.index("Net change") < html.index('id="alert-1"')
    assert [f'id="alert-{n}"' in html for n in range(1, 5)] == [True] * 4
    assert 'href="#alert-3"' in html
    table = text.split("=" * 72)[0].strip().splitlines()[2:]
    header, rule, *lines = table
    starts = [m.start() for m in re.finditer(r"(?<=  )\S", rule)]
    assert len(lines) == 2 and len(starts) == 3
    for line in [header, *lines]:
        assert [line[s - 2 : s] for s in starts] == ["  "] * 3
    assert "unknown -> contradicted" in lines[0] and lines[0].endswith(" 3")
    assert text.count("Alert id, for support:") == 4
