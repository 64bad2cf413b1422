"""What a run shows in the Prefect UI: a markdown summary and a table of every claim's state.

Feed text is hostile: a title could carry markdown links, images or raw HTML. Every piece of text
that came from a feed, a server or a config goes through ``md_text`` (``untrusted.one_line``, then
HTML-escaped, and the characters that start markup mid-line written as numeric character
references (``[`` as ``&#91;``): not backslash escapes, which the UI shows inside link text as
"Ruse" + backslash + ". For Putin"), and a link is only ever rendered when ``untrusted.safe_link``
accepts it.

Keys carry the config (``claimwatch-run-summary-examples-kursk``), so two desks on one Prefect
server do not overwrite each other's latest summary; table data is JSON in UTF-8, so
``prefect artifact inspect`` shows Cyrillic as Cyrillic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from prefect.artifacts import TableArtifact, create_markdown_artifact
from sqlalchemy import func, select

from monitors.config import Config
from monitors.models import Alert
from monitors.pipeline import RunSummary
from monitors.state import schema
from monitors.state.store import ClaimStatus, Store
from monitors.untrusted import one_line, safe_link

SUMMARY_KEY = "claimwatch-run-summary"
CLAIMS_KEY = "claimwatch-claims"
REPLAY_KEY = "claimwatch-replay"
MAX_TEXT = 300
MAX_ROWS = 50

# What starts markup inside a line: emphasis, code, links and images (brackets), tables,
# strikethrough and the backslash. Line-start markup (#, -, 1.) never applies: feed text never
# starts a line here.
_MD_SPECIAL = re.compile(r"[\\`*_\[\]|~]")
_KEY_JUNK = re.compile(r"[^a-z0-9]+")
_URL_SAFE = "/:?#&=%+~@!$,;-._"  # no ( ) [ ] < > " ' ` or spaces: they could close the link


def artifact_key(base: str, config_dir: Path | None) -> str:
    """``base`` and the config directory's last two path parts, as Prefect keys allow
    (lower-case letters, digits, dashes): one latest artifact per config, not one for all."""
    where = config_dir.resolve() if config_dir else Path("default")
    slug = _KEY_JUNK.sub("-", "-".join(where.parts[-2:]).lower()).strip("-")[:60].strip("-")
    return f"{base}-{slug or 'config'}"


def plain_text(value: object, limit: int = MAX_TEXT) -> str:
    """``untrusted.one_line`` of any value: safe for a table cell."""
    return one_line(str(value), limit)


def md_text(value: object, limit: int = MAX_TEXT) -> str:
    """Text that renders as itself in markdown: no links, emphasis, headings or HTML."""
    text = plain_text(value, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text)


def md_link(title: object, url: str | None) -> str:
    """``[title](url)`` when ``safe_link`` accepts the URL; the escaped title alone otherwise."""
    label = md_text(title) or "(untitled)"
    link = safe_link(url)
    return f"[{label}]({quote(link, safe=_URL_SAFE)})" if link else label


@dataclass(frozen=True)
class EvidenceRow:
    claim_id: str
    verdict: str
    title: str
    link: str | None
    feed_id: str


def last_evidence_id(store: Store) -> int:
    """The newest evidence row's id (0 when none): the run's new evidence comes after it."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.max(schema.evidence.c.id))).scalar() or 0)


def evidence_after(store: Store, evidence_id: int, limit: int = MAX_ROWS + 1) -> list[EvidenceRow]:
    e = schema.evidence.c
    query = (
        select(e.claim_id, e.verdict, e.report_title, e.report_link, e.feed_id)
        .where(e.id > evidence_id)
        .order_by(e.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [EvidenceRow(*row) for row in conn.execute(query).all()]


def evidence_of_alerts(alerts: Iterable[Alert]) -> list[EvidenceRow]:
    """A dry run stores nothing: its evidence is what its alerts carry."""
    return [
        EvidenceRow(a.claim_id, a.verdict.value, a.report_title, a.report_link, a.feed_id)
        for a in alerts
    ]


def run_summary_markdown(
    summary: RunSummary, alerts: Sequence[Alert], evidence: Sequence[EvidenceRow], dry_run: bool
) -> str:
    title = "# claimwatch run" + (" (dry run: nothing stored or sent)" if dry_run else "")
    sections = [
        title,
        *_overview(summary),
        "## Claims whose state changed",
        *(_state_changes(alerts) or ["None."]),
        "## New evidence",
        *(_evidence_lines(evidence) or ["None."]),
        "## Alerts",
        *_alert_lines(summary, alerts, dry_run),
        "## Feeds that failed",
        *(_failed_feeds(summary) or ["None."]),
    ]
    if summary.coverage:  # a miss made visible: read widely, decided by nothing
        undecided = [f"- {md_text(line)}" for line in summary.coverage]
        sections += ["## Claims reported widely, undecided", *undecided]
    return "\n\n".join(sections) + "\n"


def _overview(summary: RunSummary) -> list[str]:
    return [
        f"Feeds: {len(summary.feeds_ok)} ok ({len(summary.feeds_unchanged)} unchanged), "
        f"{len(summary.feeds_failed)} failed. Reports: {summary.new_reports} new or changed. "
        f"Evidence: {summary.new_evidence} new.",
        *(f"Time: {md_text(line)}." for line in summary.timing_lines()),
    ]


def _state_changes(alerts: Sequence[Alert]) -> list[str]:
    """First previous state to last new state per claim; claims whose state did not move drop."""
    first: dict[str, Alert] = {}
    last: dict[str, Alert] = {}
    for alert in alerts:
        if alert.is_transition:  # the report that moved the claim, not a later one that agreed
            first.setdefault(alert.claim_id, alert)
            last[alert.claim_id] = alert
    return [
        f"- **{md_text(cid)}** ({md_text(last[cid].claim_statement)}): "
        f"{first[cid].previous_state.value} → **{last[cid].new_state.value}**, "
        f"by {md_link(last[cid].report_title, last[cid].report_link)}"
        for cid in last
        if first[cid].previous_state is not last[cid].new_state
    ]


def _evidence_lines(evidence: Sequence[EvidenceRow]) -> list[str]:
    lines = [
        f"- {md_text(row.claim_id)} {md_text(row.verdict)}: {md_link(row.title, row.link)} "
        f"(feed {md_text(row.feed_id)})"
        for row in evidence[:MAX_ROWS]
    ]
    if len(evidence) > MAX_ROWS:
        lines.append(f"- … and more (first {MAX_ROWS} shown; see claimwatch evidence CLAIM\\_ID)")
    return lines


def _failed_feeds(summary: RunSummary) -> list[str]:
    return [f"- {md_text(feed)}: {md_text(why)}" for feed, why in summary.feeds_failed.items()]


def _alert_lines(summary: RunSummary, alerts: Sequence[Alert], dry_run: bool) -> list[str]:
    verb = "would be queued" if dry_run else "queued"
    lines = [
        f"{summary.alerts_queued} {verb}, {summary.alerts_pending} pending in the outbox, "
        f"{summary.alerts_suppressed} held back by policy (weak evidence, duplicate, cooldown "
        f"or mute); {summary.alerts_sent} deliveries."
    ]
    if summary.messages:
        lines.append(md_text(summary.messages) + ".")
    lines += [f"- {md_text(a.headline)} ← {md_link(a.report_title, a.report_link)}" for a in alerts]
    lines += [f"- delivery error: {md_text(e)}" for e in summary.delivery_errors]
    return lines


def claims_table(statuses: Sequence[ClaimStatus]) -> list[dict[str, str | int]]:
    return [
        {
            "claim": s.claim_id,
            "state": s.state.value,
            "confirming": s.confirming,
            "contradicting": s.contradicting,
            "neutral": s.neutral,
            "changed_at": _when(s.changed_at),
            "latest_report": plain_text(s.latest_title or ""),
            "latest_link": plain_text(s.latest_link or "", 2000),
        }
        for s in statuses
    ]


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


class Utf8TableArtifact(TableArtifact):
    """A table artifact whose JSON keeps non-ASCII text as is (Prefect's escapes it)."""

    async def aformat(self) -> str:
        return self._json()

    def format(self, _sync: bool = True) -> str:
        return self._json()

    def _json(self) -> str:
        return json.dumps(self._sanitize(self.table), ensure_ascii=False)


def publish_run(
    config: Config, markdown: str, table: list[dict[str, str | int]], description: str
) -> None:
    key = artifact_key(SUMMARY_KEY, config.source)
    create_markdown_artifact(key=key, markdown=markdown, description=description)
    table_artifact: Any = Utf8TableArtifact(
        key=artifact_key(CLAIMS_KEY, config.source), table=table, description="Every claim's state"
    )
    table_artifact.create(_sync=True)  # Prefect's create is sync-or-async by this flag


def replay_markdown(reports: int, alerts: Sequence[Alert], sent: bool) -> str:
    verb = "queued" if sent else "would have queued (dry run: nothing stored or sent)"
    lines = [
        "# claimwatch replay",
        f"{reports} stored reports replayed; {len(alerts)} alerts {verb}.",
        *[f"- {md_text(a.headline)} ← {md_link(a.report_title, a.report_link)}" for a in alerts],
    ]
    return "\n\n".join(lines) + "\n"
