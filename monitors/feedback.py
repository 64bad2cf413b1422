"""The desk corrects the machine: analyst verdicts in, labelled pairs out.

``apply_verdict`` is the one operation behind ``claimwatch verdict`` and its JSON form
(``handle_request``: a JSON object in, a JSON object out), so a webhook consumer, a chat bot or a
small web form can record a verdict without a shell: the request is validated here (pydantic, at
the edge), the rule lives in ``monitors.corrections``, the transaction in
``monitors.state.correct``.

``export_rows`` turns the corrections into the generic evaluation CSV (``claim_id, title, report,
label``), so ``claimwatch eval FILE --claims claims.yaml`` measures the engine on the desk's own
judgements.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitors.config import Config
from monitors.errors import FeedbackError
from monitors.models import Assessment, Claim, Report, Verdict
from monitors.state.correct import VerdictOutcome
from monitors.state.store import Store

# The evaluation's labels: "disputed" is the engine's reading of two sides, not a label.
VerdictName = Literal["confirm", "contradict", "neutral", "unrelated"]
EXPORT_COLUMNS = (
    "claim_id", "title", "report", "label",
    "machine_verdict", "feed_id", "report_id", "link", "analyst", "recorded_at", "note",
)  # fmt: skip


class VerdictRequest(BaseModel):
    """What an analyst says about one report: the JSON API's request and the CLI's arguments."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    claim: str = Field(min_length=1, max_length=64, description="a claim id from claims.yaml")
    report: str = Field(
        min_length=1,
        max_length=2048,
        description="evidence id ('#12'), FEED_ID:REPORT_ID, or the report's link",
    )
    verdict: VerdictName | None = None
    wrong: bool = Field(default=False, description="the engine's verdict is wrong: neutral")
    analyst: str = Field(default="", max_length=128, description="default: the OS user")
    note: str | None = Field(default=None, max_length=2000)


def parse_request(payload: Mapping[str, Any] | str | bytes) -> VerdictRequest:
    """A request from JSON text or a decoded object; every problem in one FeedbackError."""
    try:
        data = json.loads(payload) if isinstance(payload, str | bytes) else dict(payload)
        return VerdictRequest.model_validate(data)
    except json.JSONDecodeError as exc:
        raise FeedbackError(f"the request is not JSON: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'request'}: {err['msg']}"
            for err in exc.errors()
        )
        raise FeedbackError(f"invalid verdict request: {problems}") from None


def default_analyst() -> str:
    try:
        return os.environ.get("CLAIMWATCH_ANALYST") or getpass.getuser()
    except (KeyError, OSError):  # no user name on this machine (some containers)
        return "analyst"


def apply_verdict(store: Store, config: Config, request: VerdictRequest) -> VerdictOutcome:
    """Record the verdict; the claim's state follows, and an alert if the state changes."""
    claim = config.claim(request.claim)
    if (request.verdict is None) == (not request.wrong):
        raise FeedbackError(
            "say what the report does to the claim: a verdict (confirm, contradict, neutral, "
            "unrelated) or 'wrong' (the engine's confirm or contradict is wrong), not both"
        )
    verdict = None if request.verdict is None else Verdict(request.verdict)
    feeds = {f.id: f for f in config.feeds}
    channels = [c.name for c in config.channels]
    analyst = request.analyst or default_analyst()
    return store.record_verdict(
        claim, request.report, verdict, analyst, request.note, _assessor(claim), feeds, channels
    )


def _assessor(claim: Claim) -> Any:
    def assess(report: Report) -> Assessment:
        from monitors.stance.engine import StanceEngine  # loaded only for a report never kept

        return StanceEngine([claim]).assess(report.title, report.summary)[0]

    return assess


def outcome_json(outcome: VerdictOutcome) -> dict[str, Any]:
    verdict, recomputed = outcome.verdict, outcome.recomputed
    return {
        "id": verdict.id,
        "claim": verdict.claim_id,
        "report": {
            "feed_id": verdict.feed_id,
            "report_id": verdict.report_id,
            "title": outcome.report.title,
            "link": outcome.report.link,
        },
        "verdict": verdict.verdict.value,
        "machine_verdict": verdict.machine_verdict.value,
        "analyst": verdict.analyst,
        "note": verdict.note,
        "recorded_at": verdict.at.isoformat(),
        "state": {"from": recomputed.previous.value, "to": recomputed.state.value},
        "state_changed": recomputed.moved,
        "alert": None if outcome.alert is None else outcome.alert.key,
    }


def handle_request(
    store: Store, config: Config, payload: Mapping[str, Any] | str | bytes
) -> dict[str, Any]:
    """The JSON API: ``{"claim", "report", "verdict" | "wrong", "analyst"?, "note"?}`` in, the
    outcome out (``{"ok": true, ...}``), or ``{"ok": false, "error": ...}`` for a request to fix."""
    from monitors.errors import ClaimwatchError

    try:
        return {"ok": True, **outcome_json(apply_verdict(store, config, parse_request(payload)))}
    except ClaimwatchError as exc:
        return {"ok": False, "error": str(exc)}


def export_rows(store: Store, claim_ids: Sequence[str] = ()) -> list[dict[str, str]]:
    """The corrections as labelled pairs: the report's stored text, the analyst's label."""
    rows = []
    for verdict in store.analyst_verdicts(claim_ids):
        report = store.stored_report(verdict.feed_id, verdict.report_id)
        if report is None:  # never happens through the CLI: a verdict needs a stored report
            continue
        rows.append(
            {
                "claim_id": verdict.claim_id,
                "title": report.title,
                "report": report.summary,
                "label": verdict.verdict.value,
                "machine_verdict": verdict.machine_verdict.value,
                "feed_id": verdict.feed_id,
                "report_id": verdict.report_id,
                "link": report.link or "",
                "analyst": verdict.analyst,
                "recorded_at": verdict.at.isoformat(),
                "note": verdict.note or "",
            }
        )  # fmt: skip
    return rows


def export_csv(rows: Sequence[Mapping[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
