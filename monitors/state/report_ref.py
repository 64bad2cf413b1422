"""Which stored report a reference names: the one lookup ``check --report`` and ``verdict`` share.

A reference is what the operator has at hand: ``FEED_ID:REPORT_ID`` (the key), the report's link
(what they clicked), or an evidence row's id as ``claimwatch evidence`` shows it (``#123`` or
``123``). Every reading of it is tried; exactly one report must answer, else the error says what
was tried or which reports answered, so the operator can name one precisely. Connection-level,
so ``verdict`` resolves it inside the transaction that records the verdict.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Connection, RowMapping, select

from monitors.errors import UnknownReportError
from monitors.models import Report
from monitors.state import schema
from monitors.state.sql import utc
from monitors.untrusted import one_line

_EVIDENCE_ID = re.compile(r"#?(\d{1,18})")
AMBIGUOUS_SHOWN = 5  # matching reports named in the ambiguity error


def find_report(conn: Connection, ref: str) -> Report:
    """The one stored report ``ref`` names; ``UnknownReportError`` for none or several."""
    ref = ref.strip()
    found: dict[tuple[str, str], Report] = {}
    tried: list[str] = []
    for reading, reports in _readings(conn, ref):
        tried.append(reading)
        found.update(((r.feed_id, r.report_id), r) for r in reports)
    if not found:
        raise UnknownReportError(
            f"{ref!r}: no stored report matches (tried {'; '.join(tried)}); give an evidence id "
            "('#12', from `claimwatch evidence CLAIM`), FEED_ID:REPORT_ID, or the report's link"
        )
    if len(found) > 1:
        raise UnknownReportError(_ambiguous(ref, list(found.values())))
    return next(iter(found.values()))


def _readings(conn: Connection, ref: str) -> list[tuple[str, list[Report]]]:
    """(what REF was read as, the reports that reading finds), for every reading REF allows."""
    evidence = _EVIDENCE_ID.fullmatch(ref)
    if evidence:  # feed ids are never all digits with a '#', links never are: nothing else
        number = int(evidence.group(1))
        return [(f"evidence id {number}", _of_evidence(conn, number))]
    r = schema.reports.c
    readings = [(f"link {ref!r}", _reports(conn, r.link == ref))]
    feed_id, colon, report_id = ref.partition(":")
    # "https://..." is a link, not feed "https": a report id never starts with "//".
    if colon and feed_id and report_id and not report_id.startswith("//"):
        key = (r.feed_id == feed_id) & (r.report_id == report_id)
        readings.append((f"feed {feed_id!r} with report id {report_id!r}", _reports(conn, key)))
    return readings


def _of_evidence(conn: Connection, evidence_id: int) -> list[Report]:
    """The stored report an evidence row decided (its latest version), if both exist."""
    e, r = schema.evidence.c, schema.reports.c
    row = conn.execute(select(e.feed_id, e.report_id).where(e.id == evidence_id)).first()
    if row is None:
        return []
    return _reports(conn, (r.feed_id == row.feed_id) & (r.report_id == row.report_id))


def _reports(conn: Connection, where: ColumnElement[bool]) -> list[Report]:
    r = schema.reports.c
    query = select(schema.reports).where(where).order_by(r.feed_id, r.report_id)
    return [report_of_row(row) for row in conn.execute(query).mappings()]


def report_of_row(row: RowMapping) -> Report:
    """A ``reports`` row as a ``Report``."""
    return Report(
        feed_id=row["feed_id"],
        report_id=row["report_id"],
        title=row["title"],
        summary=row["summary"],
        link=row["link"],
        published=utc(row["published"]),
        content_hash=row["content_hash"],
    )


def _ambiguous(ref: str, reports: list[Report]) -> str:
    named = ", ".join(
        f"{one_line(r.feed_id)}:{one_line(r.report_id)}" for r in reports[:AMBIGUOUS_SHOWN]
    )
    more = " ..." if len(reports) > AMBIGUOUS_SHOWN else ""
    return (
        f"{ref!r} matches {len(reports)} stored reports ({named}{more}); "
        "name one as FEED_ID:REPORT_ID"
    )
