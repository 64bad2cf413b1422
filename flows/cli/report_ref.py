"""``claimwatch check --report REF``: which stored report REF names.

REF is what the operator has at hand: ``FEED_ID:REPORT_ID`` (the key), the report's link (what
they clicked), or an evidence row's id as ``claimwatch evidence --json`` shows it (``#123`` or
``123``). Every reading of REF is tried; exactly one report must answer, else the error says
what was tried or which reports answered, so the operator can name one precisely.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine

from monitors.errors import ClaimwatchError
from monitors.models import Report
from monitors.state import history
from monitors.untrusted import one_line

_EVIDENCE_ID = re.compile(r"#?(\d+)")
AMBIGUOUS_SHOWN = 5  # matching reports named in the ambiguity error


def find_report(engine: Engine, ref: str) -> Report:
    """The one stored report ``ref`` names; raises ``ClaimwatchError`` for none or several."""
    ref = ref.strip()
    found: dict[tuple[str, str], Report] = {}
    tried: list[str] = []
    for reading, reports in _readings(engine, ref):
        tried.append(reading)
        found.update(((r.feed_id, r.report_id), r) for r in reports)
    if not found:
        raise ClaimwatchError(
            f"--report {ref!r}: no stored report matches (tried {'; '.join(tried)}); "
            "`claimwatch evidence CLAIM --json` lists ids, feed_id/report_id and links"
        )
    if len(found) > 1:
        raise ClaimwatchError(_ambiguous(ref, list(found.values())))
    return next(iter(found.values()))


def _readings(engine: Engine, ref: str) -> list[tuple[str, list[Report]]]:
    """(what REF was read as, the reports that reading finds), for every reading REF allows."""
    evidence = _EVIDENCE_ID.fullmatch(ref)
    if evidence:  # feed ids are never all digits with a '#', links never are: nothing else
        number = int(evidence.group(1))
        return [(f"evidence id {number}", history.report_of_evidence(engine, number))]
    readings = [(f"link {ref!r}", history.reports_with_link(engine, ref))]
    feed_id, colon, report_id = ref.partition(":")
    # "https://..." is a link, not feed "https": a report id never starts with "//".
    if colon and feed_id and report_id and not report_id.startswith("//"):
        key = f"feed {feed_id!r} with report id {report_id!r}"
        readings.append((key, history.reports_with_key(engine, feed_id, report_id)))
    return readings


def _ambiguous(ref: str, reports: list[Report]) -> str:
    named = ", ".join(
        f"{one_line(r.feed_id)}:{one_line(r.report_id)}" for r in reports[:AMBIGUOUS_SHOWN]
    )
    more = " ..." if len(reports) > AMBIGUOUS_SHOWN else ""
    return (
        f"--report {ref!r} matches {len(reports)} stored reports ({named}{more}); "
        "name one as FEED_ID:REPORT_ID"
    )
