"""Rendering: golden files per case under tests/golden/<case>/ (input alert.json), plus escaping.

Adding a case means adding a folder with an alert.json and running once with UPDATE_GOLDEN=1;
review the diff of the generated files before committing them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from alerts.render import alert as render
from monitors.models import Alert

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
    assert f'<a href="{link}">{link}</a>' in html


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
