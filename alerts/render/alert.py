"""Pure rendering of an ``Alert``: email subject, text and HTML bodies, webhook JSON payload.

Every string that came from a feed (titles, sentences, feed names, links) is hostile input: it is
reduced to one printable line and capped by ``monitors.untrusted.one_line``, a link is only ever
shown as a link when ``untrusted.safe_link`` accepts it, and the HTML body is a Jinja2 template
(``templates/email.html.j2``) that escapes every value. Channels only transport what this module
renders, so the golden files under ``tests/golden/`` pin down everything a recipient sees.
"""

from __future__ import annotations

import email.policy
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from alerts.render.templating import html_environment
from monitors.models import Alert, Correction, Evidence, FeedHealth, Source
from monitors.untrusted import one_line, safe_link

PAYLOAD_VERSION = "1"
PAYLOAD_TYPE = "claimwatch.alert"
HEALTH_PAYLOAD_TYPE = "claimwatch.feed_health"

MAX_SUBJECT = 200
MAX_SENTENCE = 1000
MAX_SOURCES = 50  # syndicated copies listed in a payload
MAX_EVIDENCE = 10  # a report rarely has more decisive sentences; the rest is noise in a mail

TEMPLATES = html_environment("alerts.render")  # email.html.j2, digest.html.j2 and their parts


def format_time(moment: datetime | None) -> str:
    """``2025-03-12 09:30 UTC``; naive datetimes are taken to be UTC already."""
    if moment is None:
        return "unknown"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with an explicit ``+00:00``; naive datetimes are taken to be UTC."""
    if moment is None:
        return None
    aware = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat()


def email_subject(alert: Alert) -> str:
    """``[claimwatch] CONTRADICTED: <claim>`` on one line, capped so no header can be injected."""
    return one_line(f"[claimwatch] {alert.headline}", MAX_SUBJECT)


def message_id(alert: Alert) -> str:
    """A Message-ID derived from the alert key, so a retried delivery carries the same id."""
    digest = hashlib.sha256(alert.key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@claimwatch>"


def feed_label(alert: Alert) -> str:
    name = one_line(alert.feed_name) or one_line(alert.feed_id)
    feed_id = one_line(alert.feed_id)
    return name if name == feed_id else f"{name} ({feed_id})"


def _link_text(alert: Alert) -> str:
    if not alert.report_link:
        return "(none)"
    return safe_link(alert.report_link) or "(omitted: not an http or https link)"


def health_rows(alert: Alert, health: FeedHealth) -> list[tuple[str, str]]:
    """A feed-health alert's label/value pairs (every channel shows these), already cleaned."""
    return [
        ("Feed", feed_label(alert)),
        ("Status", health.notice),
        ("URL", one_line(health.url)),
        ("Failing since", format_time(health.failing_since) if health.failing_since else "-"),
        ("Failures", str(health.failures)),
        ("Last error", one_line(health.last_error) or "(none)"),
        ("What now", one_line(alert.report_title)),
    ]


def _summary_rows(alert: Alert) -> list[tuple[str, str]]:
    """The label/value pairs shared by the text and HTML bodies, already cleaned (not escaped)."""
    if alert.health is not None:
        return health_rows(alert, alert.health)
    return [
        ("Claim", one_line(alert.claim_statement)),
        ("Verdict", verdict_text(alert)),
        ("State", f"{alert.previous_state.value} -> {alert.new_state.value}"),
        *correction_rows(alert),
        ("Report", one_line(alert.report_title)),
        ("Source", feed_label(alert)),
        ("Link", _link_text(alert)),
        ("Published", format_time(alert.published)),
    ] + _sources_rows(alert)


def corrected_here(alert: Alert) -> bool:
    """True when the alert's report is the one the analyst judged (nothing else decides now)."""
    c = alert.correction
    return c is not None and (c.feed_id, c.report_title) == (alert.feed_id, alert.report_title)


def verdict_text(alert: Alert) -> str:
    if alert.correction is not None and corrected_here(alert):
        return f"{alert.verdict.value} (the analyst's verdict)"
    return f"{alert.verdict.value} (score {alert.score:.2f})"


def correction_rows(alert: Alert) -> list[tuple[str, str]]:
    """Why an analyst's verdict, not a new report, moved the claim."""
    c = alert.correction
    if c is None:
        return []
    note = f" ({one_line(c.note)})" if c.note else ""
    said = (
        f'{one_line(c.analyst)} at {format_time(c.at)}: "{one_line(c.report_title)}" is '
        f"{c.verdict.value}, not {c.machine_verdict.value} as the engine read it{note}"
    )
    rows = [("Corrected", said)]
    if not corrected_here(alert):
        rows.append(("Decisive", "the report below, the newest evidence that still counts"))
    return rows


def _sources_rows(alert: Alert) -> list[tuple[str, str]]:
    """Syndicated copies: every outlet that carried the story, as corroboration."""
    if alert.source_count < 2:
        return []
    names = sorted({one_line(s.feed_name) or one_line(s.feed_id) for s in alert.sources})
    return [("Sources", f"{alert.source_count} feeds carried this story: {', '.join(names)}")]


def _evidence_rows(item: Evidence) -> list[tuple[str, str]]:
    """Annotations of one evidence sentence; absent ones are left out rather than shown empty."""
    rows = [("stance", f"{item.stance.value} (score {item.score:.2f})")]
    if item.alias:
        matched = one_line(item.matched)
        alias = one_line(item.alias)
        rows.append(("alias", f'{alias} (matched "{matched}")' if matched else alias))
    optional = [("cue", item.cue), ("attribution", item.attribution), ("why", item.why)]
    rows.extend((label, one_line(value)) for label, value in optional if value)
    return rows


def _shown_evidence(alert: Alert) -> tuple[tuple[Evidence, ...], int]:
    return alert.evidence[:MAX_EVIDENCE], max(0, len(alert.evidence) - MAX_EVIDENCE)


def email_text(alert: Alert) -> str:
    """The plain-text body (also what the console sink prints)."""
    lines = [one_line(alert.headline), ""]
    lines += [f"{label + ':':<11}{value}" for label, value in _summary_rows(alert)]
    if alert.health is not None:  # a feed-health alert has no evidence to list
        return "\n".join([*lines, "", "-- ", "claimwatch"]) + "\n"
    lines += ["", "Evidence:"]
    shown, hidden = _shown_evidence(alert)
    for number, item in enumerate(shown, start=1):
        lines.append(f'  {number}. "{one_line(item.sentence, MAX_SENTENCE)}"')
        lines += [f"     {label}: {value}" for label, value in _evidence_rows(item)]
    if not shown:
        lines.append("  (no evidence sentences recorded)")
    if hidden:
        lines.append(f"  ... and {hidden} more")
    lines += ["", f"Alert key: {one_line(alert.key)}", "-- ", "claimwatch"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class HtmlRow:
    """One row of the summary table: cleaned text, and the link when the row is a safe link."""

    label: str
    value: str
    href: str | None = None


@dataclass(frozen=True)
class HtmlEvidence:
    sentence: str
    notes: list[tuple[str, str]]


@dataclass(frozen=True)
class HtmlAlert:
    """What ``_alert.html.j2`` shows of one alert: cleaned, not escaped (the template escapes)."""

    headline: str
    rows: list[HtmlRow]
    evidence: list[HtmlEvidence]
    hidden: int
    key: str
    is_health: bool = False  # a feed-health alert: no evidence section


def html_alert(alert: Alert) -> HtmlAlert:
    """The HTML view of one alert (also used in digests)."""
    link = safe_link(alert.report_link)
    rows = [
        HtmlRow(label, value, link if label == "Link" else None)
        for label, value in _summary_rows(alert)
    ]
    shown, hidden = _shown_evidence(alert)
    evidence = [
        HtmlEvidence(one_line(item.sentence, MAX_SENTENCE), _evidence_rows(item)) for item in shown
    ]
    return HtmlAlert(
        one_line(alert.headline),
        rows,
        evidence,
        hidden,
        one_line(alert.key),
        is_health=alert.health is not None,
    )


def email_html(alert: Alert) -> str:
    """The HTML body: every feed-derived string escaped, links only for http(s) URLs."""
    return TEMPLATES.get_template("email.html.j2").render(alert=html_alert(alert))


def new_email(subject: str, from_addr: str, to: list[str]) -> EmailMessage:
    """An empty message with one-line headers (Subject must already be clean)."""
    # Long subjects would otherwise fold onto a continuation line, which some clients (and
    # Python's own parser) read back with a leading space; 998 is RFC 5322's hard line limit.
    message = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    message["Subject"] = subject
    message["From"] = one_line(from_addr)
    message["To"] = ", ".join(one_line(address) for address in to)
    return message


def email_message(alert: Alert, from_addr: str, to: list[str]) -> EmailMessage:
    """multipart/alternative (text, then HTML). Date is added by the channel at send time."""
    message = new_email(email_subject(alert), from_addr, to)
    message["Message-ID"] = message_id(alert)
    message.set_content(email_text(alert))
    message.add_alternative(email_html(alert), subtype="html")
    return message


def _evidence_payload(item: Evidence) -> dict[str, Any]:
    return {
        "sentence": one_line(item.sentence, MAX_SENTENCE),
        "stance": item.stance.value,
        "score": round(item.score, 4),
        "alias": one_line(item.alias) or None,
        "matched": one_line(item.matched) or None,
        "cue": one_line(item.cue) or None,
        "attribution": one_line(item.attribution) or None,
        "why": one_line(item.why),
    }


def _source_payload(source: Source) -> dict[str, Any]:
    return {
        "feed_id": one_line(source.feed_id),
        "feed_name": one_line(source.feed_name) or one_line(source.feed_id),
        "title": one_line(source.title),
        "link": safe_link(source.link),
        "published": iso_utc(source.published),
    }


def _correction_payload(c: Correction) -> dict[str, Any]:
    return {
        "analyst": one_line(c.analyst),
        "verdict": c.verdict.value,
        "engine_verdict": c.machine_verdict.value,
        "report": {"feed_id": c.feed_id, "report_id": one_line(c.report_id),
                   "title": one_line(c.report_title)},
        "note": one_line(c.note) or None,
        "at": iso_utc(c.at),
    }  # fmt: skip


def health_payload(alert: Alert, health: FeedHealth) -> dict[str, Any]:
    """A feed-health alert's payload (type ``claimwatch.feed_health``, docs/webhook.md)."""
    body = {
        "key": alert.key,
        "headline": one_line(alert.headline),
        "notice": health.notice,
        "feed": {
            "id": alert.feed_id,
            "name": one_line(alert.feed_name) or alert.feed_id,
            "url": one_line(health.url),
        },
        "failures": health.failures,
        "failing_since": iso_utc(health.failing_since),
        "last_error": one_line(health.last_error) or None,
        "summary": one_line(alert.report_title),
        "created_at": iso_utc(alert.created_at),
    }
    return {"version": PAYLOAD_VERSION, "type": HEALTH_PAYLOAD_TYPE, "alert": body}


def webhook_payload(alert: Alert) -> dict[str, Any]:
    """The versioned payload documented in docs/webhook.md (change both together)."""
    if alert.health is not None:
        return health_payload(alert, alert.health)
    body = {
        "key": alert.key,
        "headline": one_line(alert.headline),
        "claim": {"id": alert.claim_id, "statement": one_line(alert.claim_statement)},
        "verdict": alert.verdict.value,
        "previous_state": alert.previous_state.value,
        "new_state": alert.new_state.value,
        "previous_report": _source_payload(p) if (p := alert.previous_report) else None,
        "score": round(alert.score, 4),
        "report": {
            "title": one_line(alert.report_title),
            "link": safe_link(alert.report_link),
            "published": iso_utc(alert.published),
        },
        "feed": {"id": alert.feed_id, "name": one_line(alert.feed_name) or alert.feed_id},
        "evidence": [_evidence_payload(item) for item in alert.evidence[:MAX_EVIDENCE]],
        "evidence_total": len(alert.evidence),
        "sources": [_source_payload(source) for source in alert.sources[:MAX_SOURCES]],
        "source_count": alert.source_count,
        "created_at": iso_utc(alert.created_at),
    }
    if alert.correction is not None:  # only on an alert an analyst's verdict caused
        body["correction"] = _correction_payload(alert.correction)
    return {"version": PAYLOAD_VERSION, "type": PAYLOAD_TYPE, "alert": body}


def webhook_body(alert: Alert) -> bytes:
    """The exact bytes that are sent and signed: compact UTF-8 JSON."""
    return compact_json(webhook_payload(alert))


def compact_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
