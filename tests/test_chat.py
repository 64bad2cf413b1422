"""Slack and Discord channels: golden renderings, hostile text, limits, and a real receiver."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from alerts.channel import ChannelSettings, build_channel
from alerts.chat import ChatChannel, DiscordSettings, SlackSettings
from alerts.render import chat as render_chat
from alerts.transport import USER_AGENT
from monitors.errors import DeliveryError, TransientDeliveryError
from monitors.models import Alert, Evidence, SentenceStance
from tests.fixtures.smtp_server import free_port
from tests.fixtures.webhook_receiver import WebhookReceiver

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "alert.json").is_file())
TOKEN = "XyZsecretTOKEN0123456789"
PAYLOADS: dict[str, Callable[[Alert], dict[str, Any]]] = {
    "slack": render_chat.slack_payload,
    "discord": render_chat.discord_payload,
}
INJECTION = "<!channel> <@U123> @everyone @here <https://evil.example|click> [click](https://evil.example) & co"  # noqa: E501


def load_alert(case: str) -> Alert:
    return Alert.from_dict(json.loads((GOLDEN / case / "alert.json").read_text(encoding="utf-8")))


def hostile_alert(**changes: Any) -> Alert:
    """The hostile golden case with more injection attempts in every feed-derived string."""
    item = Evidence(
        INJECTION, SentenceStance.ASSERT, 0.8, INJECTION, INJECTION, INJECTION, INJECTION
    )
    base = dataclasses.replace(
        load_alert("hostile-feed"),
        report_title=INJECTION,
        feed_name=INJECTION,
        report_link=None,
        evidence=(item,),
    )
    return dataclasses.replace(base, **changes)


def huge_alert() -> Alert:
    """Every feed string far beyond every limit, made of characters that grow when escaped."""
    blob = "&<>*_[]@ " * 2000
    item = Evidence(blob, SentenceStance.DENY, 0.9, blob, blob, blob, blob, blob)
    return dataclasses.replace(
        load_alert("kursk-contradicted"),
        claim_statement=blob,
        report_title=blob,
        report_link="https://news.example.org/" + "a&b" * 600,
        feed_name=blob,
        key=blob,
        evidence=(item,) * 40,
    )


def texts(value: Any) -> Iterator[str]:
    """Every string value anywhere in a payload."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


def chat_channel(kind: str, url: str, **overrides: Any) -> ChatChannel:
    channel = build_channel("team-chat", kind, {"url": url, "timeout": 2, **overrides})
    assert isinstance(channel, ChatChannel)
    return channel


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, kind: str) -> None:
    """Each chat rendering matches its reviewed golden file (UPDATE_GOLDEN=1 rewrites them)."""
    payload = PAYLOADS[kind](load_alert(case))
    actual = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    path = GOLDEN / case / f"{kind}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_posts_rendered_payload(webhook_receiver: WebhookReceiver, kind: str) -> None:
    """One JSON POST per alert to the configured URL, body = the rendered payload."""
    alert = load_alert("kursk-contradicted")
    chat_channel(kind, webhook_receiver.url + "/T0/" + TOKEN).send(alert)
    [request] = webhook_receiver.requests
    assert ("POST", f"/hook/T0/{TOKEN}") == (request.method, request.path)
    assert ("application/json", USER_AGENT) == (
        request.headers["content-type"],
        request.headers["user-agent"],
    )
    assert PAYLOADS[kind](alert) == json.loads(request.body)


def test_slack_payload_shape() -> None:
    """Slack gets fallback text, a header, the report link, summary fields, evidence, context."""
    payload = render_chat.slack_payload(load_alert("kursk-contradicted"))
    kinds = [block["type"] for block in payload["blocks"]]
    assert ["header", "section", "section", "section", "section", "context"] == kinds
    report = payload["blocks"][1]["text"]["text"]
    link = "https://news.example.org/2025/03/12/sudzha-positions"
    assert f"*Report:* <{link}|Ukrainian units still hold positions" in report
    assert payload["text"].startswith("CONTRADICTED: Russia has regained full control")
    assert (False, False) == (payload["unfurl_links"], payload["unfurl_media"])


def test_discord_payload_shape() -> None:
    """Discord gets short content, one embed with the link, colour, state, the report that made
    the previous state, and evidence fields."""
    payload = render_chat.discord_payload(load_alert("kursk-contradicted"))
    [embed] = payload["embeds"]
    names = [field["name"] for field in embed["fields"]]
    assert [
        "State",
        "Verdict",
        "Source",
        "Published",
        "Before",
        "Evidence 1",
        "Evidence 2",
    ] == names
    assert "https://news.example.org/2025/03/12/sudzha-positions" == embed["url"]
    assert "confirmed → contradicted" == embed["fields"][0]["value"]
    assert {"parse": []} == payload["allowed_mentions"]


def test_slack_feed_text_cannot_inject_markup() -> None:
    """Mentions and links in feed text arrive as entities: no raw <, > or & in any string."""
    payload = render_chat.slack_payload(hostile_alert())
    ours = re.compile(r"^>", re.MULTILINE)  # our own quote marker at each evidence line start
    raw = [t for t in texts(payload) if re.search(r"[<>]|&(?!amp;|lt;|gt;)", ours.sub("", t))]
    assert [] == raw
    assert "&lt;!channel&gt; &lt;@U123&gt;" in payload["blocks"][1]["text"]["text"]


def test_discord_feed_text_cannot_inject_markup() -> None:
    """Masked links, mentions and markup in feed text are backslash-escaped; no pings allowed."""
    payload = render_chat.discord_payload(hostile_alert())
    unescaped = re.compile(r"(?<!\\)[\[\]<>@*_|`~]")
    ours = {"**Claim:** ", "> "}  # our own markup at the start of the description / evidence
    leftovers = [text for text in texts(payload) if unescaped.search(_strip_prefixes(text, ours))]
    assert [] == leftovers
    assert "\\[click\\](https://evil.example)" in payload["embeds"][0]["title"]
    assert {"parse": []} == payload["allowed_mentions"]


def _strip_prefixes(text: str, prefixes: set[str]) -> str:
    for prefix in prefixes:
        text = text.removeprefix(prefix)
    return text


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,x", "ftp://x.org/a"])
def test_non_http_link_is_never_a_link(link: str) -> None:
    """Only http(s) report links become a Slack link or a Discord embed url."""
    alert = hostile_alert(report_link=link)
    slack = json.dumps(render_chat.slack_payload(alert))
    discord = render_chat.discord_payload(alert)
    assert (False, False) == (link in slack, "url" in discord["embeds"][0])


def test_slack_link_with_pipe_is_not_linked() -> None:
    """A URL containing '|' would split the Slack link: it is shown as plain title instead."""
    alert = hostile_alert(report_link="https://x.example/a|b", report_title="Title")
    assert "*Report:* Title" == render_chat.slack_payload(alert)["blocks"][1]["text"]["text"]


def test_slack_limits_with_huge_input() -> None:
    """Header <= 150, every text object <= 3000, fields <= 2000 each and <= 10, blocks <= 50."""
    payload = render_chat.slack_payload(huge_alert())
    blocks = payload["blocks"]
    header = blocks[0]["text"]["text"]
    objects = [b["text"] for b in blocks if "text" in b] + [
        obj for b in blocks for obj in b.get("fields", []) + b.get("elements", [])
    ]
    fields = [obj["text"] for b in blocks for obj in b.get("fields", [])]
    assert (True, True) == (len(header) <= render_chat.SLACK_HEADER, header.endswith("…"))
    assert [] == [o["text"][:40] for o in objects if len(o["text"]) > render_chat.SLACK_TEXT]
    assert [] == [text[:40] for text in fields if len(text) > 2000]
    assert (True, True) == (len(fields) <= 10, len(blocks) <= 50)
    assert len(payload["text"]) <= render_chat.SLACK_FALLBACK
    assert "… and 37 more evidence sentences" in blocks[-1]["elements"][0]["text"]


def test_discord_limits_with_huge_input() -> None:
    """Every Discord per-field limit and the 6000-character embed total hold."""
    payload = render_chat.discord_payload(huge_alert())
    [embed] = payload["embeds"]
    fields = embed["fields"]
    assert len(payload["content"]) <= render_chat.DISCORD_CONTENT
    assert (True, True) == (len(embed["title"]) <= 256, embed["title"].endswith("…"))
    assert len(embed["description"]) <= render_chat.DISCORD_DESCRIPTION
    assert len(fields) <= render_chat.DISCORD_FIELDS
    assert [] == [f["name"] for f in fields if len(f["name"]) > 256 or len(f["value"]) > 1024]
    assert [] == [f["name"] for f in fields if not f["name"] or not f["value"]]
    assert render_chat.discord_embed_size(embed) <= render_chat.DISCORD_EMBED_TOTAL
    assert "… and 37 more evidence sentences" == fields[-1]["value"]


@pytest.mark.parametrize(
    ("escape", "text", "whole"),
    [
        (render_chat.slack_escape, "&" * 400, r"(&amp;)+…"),
        (render_chat.slack_escape, "<" * 400, r"(&lt;)+…"),
        (render_chat.discord_escape, "[" * 400, r"(\\\[)+…"),
    ],
)
def test_truncation_never_splits_an_escape(
    escape: Callable[[str, int], str], text: str, whole: str
) -> None:
    """Capped escaped text ends on a whole escape sequence, within the limit."""
    capped = escape(text, 100)
    assert (True, True) == (len(capped) <= 100, re.fullmatch(whole, capped) is not None)


@pytest.mark.parametrize(("status", "error"), [(500, TransientDeliveryError),
                                               (503, TransientDeliveryError),
                                               (429, TransientDeliveryError),
                                               (404, DeliveryError),
                                               (400, DeliveryError),
                                               (302, DeliveryError)])  # fmt: skip
@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_status_mapping(
    webhook_receiver: WebhookReceiver, kind: str, status: int, error: type[DeliveryError]
) -> None:
    """5xx/429 transient, other statuses permanent; errors name the origin, never the token."""
    webhook_receiver.respond_with(status)
    with pytest.raises(DeliveryError) as caught:
        chat_channel(kind, f"{webhook_receiver.url}/{TOKEN}?t={TOKEN}").send(
            load_alert("minimal-confirmed")
        )
    origin = webhook_receiver.url.removesuffix("/hook")
    assert error is type(caught.value)
    assert str(caught.value).startswith(f"{kind} team-chat: HTTP {status} from {origin}")
    assert TOKEN not in str(caught.value)


def test_recovers_after_a_500(webhook_receiver: WebhookReceiver) -> None:
    """A 500 is transient; the next send to the healed receiver is delivered."""
    webhook_receiver.respond_with(500, times=1)
    channel = chat_channel("slack", webhook_receiver.url)
    alert = load_alert("kursk-contradicted")
    with pytest.raises(TransientDeliveryError):
        channel.send(alert)
    channel.send(alert)
    assert 2 == len(webhook_receiver.requests)


def test_timeout_is_transient(webhook_receiver: WebhookReceiver) -> None:
    """A receiver slower than the timeout gives TransientDeliveryError without the token."""
    webhook_receiver.delay_s = 1.0
    with pytest.raises(TransientDeliveryError) as caught:
        chat_channel("discord", f"{webhook_receiver.url}/{TOKEN}", timeout=0.2).send(
            load_alert("kursk-contradicted")
        )
    assert ("within 0.2s" in str(caught.value), TOKEN in str(caught.value)) == (True, False)


def test_connection_refused_is_transient_without_token() -> None:
    """Nothing listening: TransientDeliveryError naming only the origin."""
    url = f"http://127.0.0.1:{free_port()}/api/webhooks/1/{TOKEN}"
    with pytest.raises(TransientDeliveryError) as caught:
        chat_channel("discord", url).send(load_alert("kursk-contradicted"))
    assert str(caught.value).startswith("discord team-chat: cannot reach http://127.0.0.1:")
    assert TOKEN not in str(caught.value)


SLACK_URL = f"https://hooks.slack.com/services/T0/B0/{TOKEN}"


@pytest.mark.parametrize("model", [SlackSettings, DiscordSettings])
def test_settings_defaults(model: type[SlackSettings] | type[DiscordSettings]) -> None:
    """Defaults: 10 s timeout, TLS verified, system trust store."""
    settings = model.model_validate({"url": SLACK_URL})
    assert (10.0, True, None) == (settings.timeout, settings.verify_tls, settings.ca_file)
    assert isinstance(settings, ChannelSettings)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]:9/hook"]
)
def test_plain_http_allowed_on_loopback(url: str) -> None:
    """Plain http is accepted for loopback receivers (tests, local relays) only."""
    assert url == SlackSettings.model_validate({"url": url}).url.get_secret_value()


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"url": f"http://hooks.slack.com/services/T0/B0/{TOKEN}"}, "must be the https://"),
        ({"url": f"ftp://hooks.slack.com/{TOKEN}"}, "must be the https://"),
        ({"url": f"https:///{TOKEN}"}, "must be the https://"),
        ({"url": f"https://hooks.slack.com:x{TOKEN}/a"}, "must be the https://"),
        ({"timeout": 0}, "greater than 0"),
        ({"secret": TOKEN}, "Extra inputs are not permitted"),
    ],
    ids=["http", "ftp", "no-host", "bad-port", "zero-timeout", "extra-field"],
)
def test_settings_rejected_without_echoing_url(overrides: dict[str, Any], fragment: str) -> None:
    """Bad settings fail with a message saying what to fix, never containing the token."""
    with pytest.raises(ValidationError) as caught:
        DiscordSettings.model_validate({"url": SLACK_URL, **overrides})
    messages = str(caught.value) + " ".join(error["msg"] for error in caught.value.errors())
    assert (True, False) == (fragment in str(caught.value), TOKEN in messages)


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_url_hidden_in_repr(kind: str) -> None:
    """The webhook URL (the credential) never shows in repr/str of the settings or channel."""
    channel = chat_channel(kind, SLACK_URL)
    shown = [repr(channel), str(channel), repr(channel.settings), str(channel.settings)]
    assert [False] * 4 == [TOKEN in text for text in shown]
    assert f"{kind} team-chat" == channel.label
