"""Pure rendering of a digest: several alerts in one email or one webhook call.

A digest channel gets one message per run (or per period) instead of one per alert, so a busy
story cannot flood an inbox. The email opens with a summary, one row per claim (where it went
over the digest's alerts, the report that took it there, how many feeds carried it), then each
alert in full, as in a single alert's email.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from alerts.render.alert import (
    MAX_SUBJECT,
    PAYLOAD_VERSION,
    TEMPLATES,
    HtmlRow,
    email_text,
    feed_label,
    html_alert,
    new_email,
    webhook_payload,
)
from alerts.render.look import Badge, state_badge, verdict_badge
from monitors.models import Alert
from monitors.untrusted import one_line, safe_link

DIGEST_TYPE = "claimwatch.digest"


def digest_subject(alerts: Sequence[Alert]) -> str:
    """``[claimwatch] digest: 3 alerts (2 CONTRADICTED, 1 CONFIRMED)``."""
    counts = Counter(a.headline.split(":", 1)[0] for a in alerts)
    parts = ", ".join(f"{n} {word}" for word, n in counts.most_common())
    noun = "alert" if len(alerts) == 1 else "alerts"
    return one_line(f"[claimwatch] digest: {len(alerts)} {noun} ({parts})", MAX_SUBJECT)


@dataclass(frozen=True)
class SummaryRow:
    """One claim (or one feed, for feed-health alerts) in the digest's summary, cleaned."""

    claim: str
    change: str  # "confirmed -> contradicted": the first previous state to the last new one
    badge: Badge  # the state it ended in (a feed-health alert: its notice)
    decisive: HtmlRow  # the report that made the last transition (else the last alert's)
    feed: str  # that report's feed
    sources: int  # distinct feeds across the claim's alerts
    anchor: str = ""  # the id of the decisive alert's card in the HTML digest


def _group_key(alert: Alert) -> str:
    """Alerts about one claim share a row; feed-health alerts one row per feed."""
    return alert.claim_id if alert.health is None else f"{alert.claim_id}\x1f{alert.feed_id}"


def summary_rows(alerts: Sequence[Alert], arrow: str = "->") -> list[SummaryRow]:
    """One row per claim, in the order the claims first appear in the digest."""
    groups: dict[str, list[int]] = {}
    for index, alert in enumerate(alerts):
        groups.setdefault(_group_key(alert), []).append(index)
    return [_summary_row(alerts, indexes, arrow) for indexes in groups.values()]


def _summary_row(alerts: Sequence[Alert], indexes: list[int], arrow: str) -> SummaryRow:
    first, last = alerts[indexes[0]], alerts[indexes[-1]]
    moved = [i for i in indexes if alerts[i].is_transition]
    decisive_at = moved[-1] if moved else indexes[-1]
    decisive = alerts[decisive_at]
    feeds = {s.feed_id for i in indexes for s in alerts[i].sources}
    feeds |= {alerts[i].feed_id for i in indexes}
    title = HtmlRow("Report", one_line(decisive.report_title), safe_link(decisive.report_link))
    if last.health is not None:
        claim, change, badge = feed_label(last), last.health.notice, verdict_badge(last)
    else:
        claim, badge = one_line(first.claim_statement), state_badge(last.new_state)
        before, after = first.previous_state.value, last.new_state.value
        change = f"{before} {arrow} {after}" if before != after else f"still {after}"
    return SummaryRow(claim, change, badge, title, feed_label(decisive), len(feeds),
                      anchor=f"alert-{decisive_at + 1}")  # fmt: skip


_COLUMNS = (("Claim", 34), ("Net change", 27), ("Decisive report", 34))


def summary_table(alerts: Sequence[Alert]) -> list[str]:
    """The summary as aligned plain text: long claims and titles are cut to their column."""
    header = [name for name, _ in _COLUMNS] + ["Sources"]
    lines = [_table_line(header), _table_line(["-" * width for _, width in _COLUMNS] + ["-" * 7])]
    for row in summary_rows(alerts):
        cells = [row.claim, row.change, row.decisive.value]
        lines.append(_table_line([one_line(c, w) for c, (_, w) in zip(cells, _COLUMNS, strict=True)]
                                 + [str(row.sources).rjust(7)]))  # fmt: skip
    return lines


def _table_line(cells: list[str]) -> str:
    widths = [width for _, width in _COLUMNS]
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join(padded + cells[len(widths) :]).rstrip()


def digest_text(alerts: Sequence[Alert], report_url: str | None = None) -> str:
    """The subject, the summary table, then each alert's text body."""
    rule = "\n" + "=" * 72 + "\n\n"
    top = [one_line(digest_subject(alerts)), "", *summary_table(alerts)]
    details = rule.join(email_text(a, report_url) for a in alerts)
    return "\n".join(top) + "\n" + rule + details


def digest_html(alerts: Sequence[Alert], report_url: str | None = None) -> str:
    """The subject over the summary table, then each alert as in a single alert's HTML body."""
    template = TEMPLATES.get_template("digest.html.j2")
    cards = [html_alert(a, report_url, f"alert-{n}") for n, a in enumerate(alerts, start=1)]
    summary = summary_rows(alerts, "→")
    return template.render(subject=digest_subject(alerts), summary=summary, alerts=cards)


def digest_message(
    alerts: Sequence[Alert], from_addr: str, to: list[str], report_url: str | None = None
) -> EmailMessage:
    message = new_email(digest_subject(alerts), from_addr, to)
    message["Message-ID"] = digest_message_id(alerts)
    message.set_content(digest_text(alerts, report_url))
    message.add_alternative(digest_html(alerts, report_url), subtype="html")
    return message


def digest_message_id(alerts: Sequence[Alert]) -> str:
    """Derived from the alert keys, in order: a digest retried after a failed send (the same
    pending alerts) carries the same id, so a mail system or reader can drop the repeat."""
    keys = "\n".join(alert.key for alert in alerts)
    return f"<digest-{hashlib.sha256(keys.encode('utf-8')).hexdigest()[:32]}@claimwatch>"


def digest_payload(alerts: Sequence[Alert]) -> dict[str, Any]:
    """``{"version": "1", "type": "claimwatch.digest", "alerts": [<alert objects>]}``."""
    return {
        "version": PAYLOAD_VERSION,
        "type": DIGEST_TYPE,
        "alerts": [webhook_payload(a)["alert"] for a in alerts],
    }
