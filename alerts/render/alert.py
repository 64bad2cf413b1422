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
from urllib.parse import quote

from alerts.render.look import Badge, Part, highlight, marked_text, verdict_badge, why_line
from alerts.render.templating import html_environment
from monitors.models import Alert, ClaimState, Correction, Evidence, FeedHealth, Source
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
    outlets = alert.outlet_count
    independent = f" ({outlets} independent outlet{'s' if outlets != 1 else ''})"
    carried = f"{alert.source_count} feeds carried this story{independent}"
    return [("Sources", f"{carried}: {', '.join(names)}")]


def _shown_evidence(alert: Alert) -> tuple[tuple[Evidence, ...], int]:
    return alert.evidence[:MAX_EVIDENCE], max(0, len(alert.evidence) - MAX_EVIDENCE)


# --- what both bodies show, in the order they show it ---------------------------------------------


def history_link(alert: Alert, report_url: str | None) -> str | None:
    """The claim's section of the desk's HTML report (``report_url`` with ``{claim_id}``
    filled in, the anchor ``claimwatch report --html`` gives each claim), or None."""
    if not report_url or alert.health is not None:
        return None
    return safe_link(report_url.replace("{claim_id}", quote(alert.claim_id, safe="")))


def change_line(alert: Alert, arrow: str = "->") -> str:
    """``confirmed -> contradicted``, or that the state stayed where it was."""
    if alert.is_transition:
        return f"{alert.previous_state.value} {arrow} {alert.new_state.value}"
    return f"still {alert.new_state.value} (no change of state)"


@dataclass(frozen=True)
class Previously:
    """The report that set the claim's previous state, cleaned: "previously confirmed by ..."."""

    state: str
    title: str
    href: str | None
    feed: str
    when: str  # "2025-03-11 18:05 UTC"


def previously(alert: Alert) -> Previously | None:
    """None when the previous state was unknown or nothing recorded which report set it."""
    source = alert.previous_report
    if source is None or alert.previous_state is ClaimState.UNKNOWN:
        return None
    feed = one_line(source.feed_name) or one_line(source.feed_id)
    title = one_line(source.title) or "(untitled)"
    when = format_time(source.published)
    return Previously(alert.previous_state.value, title, safe_link(source.link), feed, when)


def _sources_line(alert: Alert) -> str | None:
    rows = _sources_rows(alert)
    return rows[0][1] if rows else None


@dataclass(frozen=True)
class ShownEvidence:
    """One evidence sentence with its matched words marked, and its one line of why."""

    parts: tuple[Part, ...]
    why: str


def shown_evidence(item: Evidence) -> ShownEvidence:
    sentence = one_line(item.sentence, MAX_SENTENCE)
    return ShownEvidence(highlight(sentence, item.matched), why_line(item))


# --- the plain-text body --------------------------------------------------------------------------


def _labelled(rows: list[tuple[str, str]]) -> list[str]:
    return [f"{label + ':':<11}{value}" for label, value in rows]


def _text_footer(alert: Alert) -> list[str]:
    return ["-- ", "claimwatch", f"Alert id, for support: {one_line(alert.key)}"]


def _text_change(alert: Alert) -> list[str]:
    lines = _labelled([("Changed", change_line(alert))])
    before = previously(alert)
    if before is not None:
        said = f'{before.state} by "{before.title}" ({before.feed}, {before.when})'
        lines += _labelled([("Before", said)])
        if before.href:
            lines.append(" " * 11 + before.href)
    return lines + _labelled([("Verdict", verdict_text(alert)), *correction_rows(alert)])


def _text_evidence(item: ShownEvidence, prefix: str) -> list[str]:
    indent = " " * len(prefix)
    return [f'{prefix}"{marked_text(item.parts)}"', f"{indent}{item.why}"]


def _text_report(alert: Alert, report_url: str | None) -> list[str]:
    rows = [
        ("Report", one_line(alert.report_title)),
        ("Source", feed_label(alert)),
        ("Published", format_time(alert.published)),
        ("Link", _link_text(alert)),
    ]
    if (sources := _sources_line(alert)) is not None:
        rows.append(("Sources", sources))
    if (history := history_link(alert, report_url)) is not None:
        rows.append(("History", history))
    return _labelled(rows)


def email_text(alert: Alert, report_url: str | None = None) -> str:
    """The plain-text body (also what the console sink prints), in the HTML body's order:
    verdict and claim, what changed, the decisive sentence, the report, the rest, a footer."""
    lines = [one_line(alert.headline), ""]
    if alert.health is not None:  # a feed-health alert has no evidence to list
        lines += _labelled(health_rows(alert, alert.health))
        return "\n".join([*lines, "", *_text_footer(alert)]) + "\n"
    lines += _text_change(alert)
    shown, hidden = _shown_evidence(alert)
    lines += ["", "Decisive sentence:"]
    if shown:
        lines += _text_evidence(shown_evidence(shown[0]), "  ")
    else:
        lines.append("  (no evidence sentences recorded)")
    lines += ["", *_text_report(alert, report_url)]
    if len(shown) > 1 or hidden:
        lines += ["", "More evidence:"]
        for number, item in enumerate(shown[1:], start=2):
            lines += _text_evidence(shown_evidence(item), f"  {number}. ")
        if hidden:
            lines.append(f"  ... and {hidden} more")
    return "\n".join([*lines, "", *_text_footer(alert)]) + "\n"


# --- the HTML body --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HtmlRow:
    """One label/value row: cleaned text, and the link when the row is a safe link."""

    label: str
    value: str
    href: str | None = None


@dataclass(frozen=True)
class ClaimView:
    """What a claim alert shows below its badge, cleaned, not escaped (the template escapes)."""

    change: str
    previously: Previously | None
    verdict: str
    corrections: list[HtmlRow]
    decisive: ShownEvidence | None
    report: HtmlRow  # the report's title, linked when its link is safe
    link: HtmlRow  # the link itself, or why there is none
    source: str
    published: str
    sources: str | None
    history: str | None  # the claim's section of the HTML report
    rest: list[ShownEvidence]
    hidden: int


@dataclass(frozen=True)
class HtmlAlert:
    """What ``_alert.html.j2`` shows of one alert (a single email, or one part of a digest)."""

    headline: str
    badge: Badge
    title: str  # the claim statement, or the feed of a feed-health alert
    key: str
    claim: ClaimView | None  # None: a feed-health alert, which shows ``rows`` instead
    rows: list[HtmlRow]
    anchor: str = ""  # an id for the digest's summary to point at


def _claim_view(alert: Alert, report_url: str | None) -> ClaimView:
    shown, hidden = _shown_evidence(alert)
    href = safe_link(alert.report_link)
    title = one_line(alert.report_title) or "(untitled)"
    return ClaimView(
        change=change_line(alert, "→"),
        previously=previously(alert),
        verdict=verdict_text(alert),
        corrections=[HtmlRow(label, value) for label, value in correction_rows(alert)],
        decisive=shown_evidence(shown[0]) if shown else None,
        report=HtmlRow("Report", title, href),
        link=HtmlRow("Link", _link_text(alert), href),
        source=feed_label(alert),
        published=format_time(alert.published),
        sources=_sources_line(alert),
        history=history_link(alert, report_url),
        rest=[shown_evidence(item) for item in shown[1:]],
        hidden=hidden,
    )


def html_alert(alert: Alert, report_url: str | None = None, anchor: str = "") -> HtmlAlert:
    """The HTML view of one alert (also used in digests)."""
    badge = verdict_badge(alert)
    key = one_line(alert.key)
    if alert.health is not None:
        rows = [HtmlRow(label, value) for label, value in health_rows(alert, alert.health)]
        return HtmlAlert(one_line(alert.headline), badge, feed_label(alert), key, None, rows,
                         anchor)  # fmt: skip
    statement = one_line(alert.claim_statement)
    view = _claim_view(alert, report_url)
    return HtmlAlert(one_line(alert.headline), badge, statement, key, view, [], anchor)


def email_html(alert: Alert, report_url: str | None = None) -> str:
    """The HTML body: every feed-derived string escaped, links only for http(s) URLs."""
    template = TEMPLATES.get_template("email.html.j2")
    return template.render(alert=html_alert(alert, report_url))


def new_email(subject: str, from_addr: str, to: list[str]) -> EmailMessage:
    """An empty message with one-line headers (Subject must already be clean)."""
    # Long subjects would otherwise fold onto a continuation line, which some clients (and
    # Python's own parser) read back with a leading space; 998 is RFC 5322's hard line limit.
    message = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    message["Subject"] = subject
    message["From"] = one_line(from_addr)
    message["To"] = ", ".join(one_line(address) for address in to)
    return message


def email_message(
    alert: Alert, from_addr: str, to: list[str], report_url: str | None = None
) -> EmailMessage:
    """multipart/alternative (text, then HTML). Date is added by the channel at send time;
    ``report_url`` is the email channel's link to the claim's history (None: no link)."""
    message = new_email(email_subject(alert), from_addr, to)
    message["Message-ID"] = message_id(alert)
    message.set_content(email_text(alert, report_url))
    message.add_alternative(email_html(alert, report_url), subtype="html")
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
        "outlet_count": alert.outlet_count,
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
