"""Pure rendering of an ``Alert`` as a Slack or a Discord incoming-webhook message.

Feed text is hostile: ``monitors.untrusted.escaped_line`` reduces it to one line, escapes it for
the target's markup with the escapes defined here, and caps it *after* escaping so the result
always fits the platform's limits (an escape is never cut in half). Slack: ``&``, ``<`` and ``>``
become entities, so feed text can form neither links nor mentions (``<!channel>``, ``<@U123>``).
Discord: markdown characters get a backslash, so ``[text](url)`` cannot mask a link, and
``allowed_mentions`` forbids every ping. Only our own markup (bold labels, the quote marker, the
report link) is ever left unescaped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from alerts.render.alert import (
    correction_rows,
    feed_label,
    format_time,
    health_rows,
    previously,
    verdict_text,
)
from monitors.models import Alert, Evidence, Verdict
from monitors.untrusted import escaped_line, one_line, safe_link

CHAT_EVIDENCE = 3  # a chat message shows the strongest few; the email and webhook carry up to 10

# Slack Block Kit limits (header text 150, text objects 3000, section fields 2000 each).
SLACK_HEADER = 150
SLACK_TEXT = 3000
SLACK_LINK = 2500  # our cap on the escaped URL, so the report section stays under 3000
SLACK_FALLBACK = 500  # our choice: the notification preview; Slack itself truncates at 40000
# Discord limits: content 2000, embed title 256, description 4096, fields 25 (name 256,
# value 1024), footer 2048, and at most 6000 characters over all of an embed's text.
DISCORD_CONTENT = 300  # our choice: "short"; Discord allows 2000
DISCORD_TITLE = 256
DISCORD_DESCRIPTION = 4096
DISCORD_FIELD_NAME = 256
DISCORD_FIELD_VALUE = 1024
DISCORD_FIELDS = 25
DISCORD_EMBED_TOTAL = 6000

# Per-piece caps (after escaping). With CHAT_EVIDENCE items they keep every Slack text object
# under 3000 and a Discord embed under its 6000 total: 256 + 311 + 4 * 310 + 3 * 1013 + 40 + 300.
LINE = 300  # claim, report title, feed name, alert key
SENTENCE = 600
NOTES = 400  # the alias / cue / attribution line under a sentence

_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Markdown and mention syntax Discord reacts to; "#" and "-" only at a line start, escaped anyway.
_DISCORD_SPECIAL = frozenset("\\*_~`|<>[]@#-")

_COLOURS = {Verdict.CONFIRM: 0x2E7D32, Verdict.CONTRADICT: 0xC62828, Verdict.DISPUTED: 0xF9A825}
_NEUTRAL_COLOUR = 0x607D8B


def _slack_char(char: str) -> str:
    return _SLACK_ESCAPES.get(char, char)


def _discord_char(char: str) -> str:
    return "\\" + char if char in _DISCORD_SPECIAL else char


def slack_escape(text: str | None, limit: int = LINE) -> str:
    """One line of feed text, safe inside any Slack text object and at most ``limit`` long."""
    return escaped_line(text, limit, _slack_char)


def discord_escape(text: str | None, limit: int = LINE) -> str:
    """One line of feed text with Discord markdown neutralised, at most ``limit`` long."""
    return escaped_line(text, limit, _discord_char)


def _state_change(alert: Alert) -> str:
    return f"{alert.previous_state.value} → {alert.new_state.value}"


def _verdict(alert: Alert) -> str:
    return verdict_text(alert)


def _before(alert: Alert) -> list[tuple[str, str]]:
    """``("Before", "confirmed by <title> (feed · time)")`` when the previous report is known."""
    was = previously(alert)
    if was is None:
        return []
    return [("Before", f"{was.state} by {was.title} ({was.feed} · {was.when})")]


def _notes(item: Evidence) -> str:
    """The raw annotation line of one sentence (escaped by the caller as a whole)."""
    notes = [f"{item.stance.value} {item.score:.2f}"]
    if item.alias:
        matched = f' (matched "{one_line(item.matched)}")' if item.matched else ""
        notes.append(f"alias: {one_line(item.alias)}{matched}")
    if item.cue:
        notes.append(f"cue: {one_line(item.cue)}")
    if item.attribution:
        notes.append(f"attribution: {one_line(item.attribution)}")
    return " · ".join(notes)


def _more(alert: Alert) -> str | None:
    hidden = len(alert.evidence) - CHAT_EVIDENCE
    return f"… and {hidden} more evidence sentences" if hidden > 0 else None


def _slack_link(alert: Alert) -> str | None:
    """The report URL escaped for ``<url|text>``; None when it cannot be a safe Slack link."""
    link = safe_link(alert.report_link)
    # "|" would end the URL early; "<" and ">" would be decoded into markup; "&" is an entity.
    if not link or any(char in link for char in "<>|"):
        return None
    escaped = link.replace("&", "&amp;")
    return escaped if len(escaped) <= SLACK_LINK else None


# --- Slack -------------------------------------------------------------------------------------


def _mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: no automatic link-ifying of channel names or mentions in the (escaped) text.
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _slack_report(alert: Alert) -> str:
    if alert.health is not None:
        return f"*Feed health:* {slack_escape(alert.report_title)}"
    title = slack_escape(alert.report_title) or "(untitled report)"
    link = _slack_link(alert)
    return f"*Report:* <{link}|{title}>" if link else f"*Report:* {title}"


def _slack_summary(alert: Alert) -> dict[str, Any]:
    if alert.health is not None:
        rows = health_rows(alert, alert.health)
        fields = [f"*{label}*\n{slack_escape(value)}" for label, value in rows]
        return {"type": "section", "fields": [_mrkdwn(text) for text in fields]}
    fields = [
        f"*Claim*\n{slack_escape(alert.claim_statement)}",
        f"*State*\n{_state_change(alert)}",
        f"*Verdict*\n{_verdict(alert)}",
        f"*Source*\n{slack_escape(feed_label(alert))}",
        f"*Published*\n{format_time(alert.published)}",
        *(f"*{label}*\n{slack_escape(value)}" for label, value in _before(alert)),
        *(f"*{label}*\n{slack_escape(value)}" for label, value in correction_rows(alert)),
    ]
    return {"type": "section", "fields": [_mrkdwn(text) for text in fields]}


def _slack_evidence(number: int, item: Evidence) -> dict[str, Any]:
    sentence = slack_escape(item.sentence, SENTENCE) or "(empty sentence)"
    text = f"*{number}.* {sentence}\n{slack_escape(_notes(item), NOTES)}"
    return {"type": "section", "text": _mrkdwn(">" + text.replace("\n", "\n>"))}


def _slack_footer(alert: Alert) -> dict[str, Any]:
    parts = [_more(alert), f"claimwatch · alert key {one_line(alert.key)}"]
    text = " · ".join(slack_escape(part, LINE) for part in parts if part)
    return {"type": "context", "elements": [_mrkdwn(text)]}


def slack_payload(alert: Alert) -> dict[str, Any]:
    """An incoming-webhook message: ``text`` for notifications, ``blocks`` for the message."""
    header = {"type": "plain_text", "text": slack_escape(alert.headline, SLACK_HEADER)}
    evidence = [
        _slack_evidence(number, item)
        for number, item in enumerate(alert.evidence[:CHAT_EVIDENCE], start=1)
    ]
    blocks = [
        {"type": "header", "text": header},
        {"type": "section", "text": _mrkdwn(_slack_report(alert))},
        _slack_summary(alert),
        *evidence,
        _slack_footer(alert),
    ]
    fallback = slack_escape(f"{alert.headline} — {alert.report_title}", SLACK_FALLBACK)
    # No unfurling: Slack would fetch the (feed-chosen) report URL to build a preview.
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


# --- Discord -----------------------------------------------------------------------------------


def _field(name: str, value: str, inline: bool = False) -> dict[str, Any]:
    # Discord rejects empty names and values.
    return {"name": name or "(none)", "value": value or "(none)", "inline": inline}


def _discord_evidence(number: int, item: Evidence) -> dict[str, Any]:
    sentence = discord_escape(item.sentence, SENTENCE) or "(empty sentence)"
    return _field(f"Evidence {number}", f"> {sentence}\n{discord_escape(_notes(item), NOTES)}")


def _discord_fields(alert: Alert) -> list[dict[str, Any]]:
    if alert.health is not None:
        rows = health_rows(alert, alert.health)
        return [_field(label, discord_escape(value), inline=True) for label, value in rows]
    fields = [
        _field("State", _state_change(alert), inline=True),
        _field("Verdict", _verdict(alert), inline=True),
        _field("Source", discord_escape(feed_label(alert)), inline=True),
        _field("Published", format_time(alert.published), inline=True),
        *(_field(label, discord_escape(value)) for label, value in _before(alert)),
        *(_field(label, discord_escape(value)) for label, value in correction_rows(alert)),
    ]
    fields += [
        _discord_evidence(number, item)
        for number, item in enumerate(alert.evidence[:CHAT_EVIDENCE], start=1)
    ]
    more = _more(alert)
    return fields + [_field("More", more)] if more else fields


def _discord_description(alert: Alert) -> str:
    if alert.health is not None:
        return "**Feed health**"
    return f"**Claim:** {discord_escape(alert.claim_statement)}"


def _discord_embed(alert: Alert) -> dict[str, Any]:
    embed: dict[str, Any] = {
        "title": discord_escape(alert.report_title, DISCORD_TITLE) or "(untitled report)",
        "description": _discord_description(alert),
        "color": _COLOURS.get(alert.verdict, _NEUTRAL_COLOUR),
        "fields": _discord_fields(alert),
        # Footers show no markdown (and never ping): an escape would be shown as a backslash.
        "footer": {"text": one_line(f"claimwatch · alert key {alert.key}")},
    }
    link = safe_link(alert.report_link)
    if link:
        embed["url"] = link
    return embed


def discord_payload(alert: Alert) -> dict[str, Any]:
    """An incoming-webhook message: a short ``content`` line and one embed; nobody is pinged."""
    return {
        "content": discord_escape(alert.headline, DISCORD_CONTENT),
        "embeds": [_discord_embed(alert)],
        "allowed_mentions": {"parse": []},
    }


def discord_embed_size(embed: Mapping[str, Any]) -> int:
    """The characters Discord counts against its 6000 limit for one embed."""
    fields = sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    footer = len(embed.get("footer", {}).get("text", ""))
    author = len(embed.get("author", {}).get("name", ""))
    texts = len(embed.get("title", "")) + len(embed.get("description", ""))
    return texts + fields + footer + author


def _body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def slack_body(alert: Alert) -> bytes:
    """The exact bytes POSTed to a Slack incoming webhook."""
    return _body(slack_payload(alert))


def discord_body(alert: Alert) -> bytes:
    """The exact bytes POSTed to a Discord webhook."""
    return _body(discord_payload(alert))
