"""An analyst's verdict overrides the engine's: the claim's state recomputed from the evidence.

``claimwatch verdict`` records what an analyst says one report does to one claim. The claim's state
is then what the monitor would have set had the engine read that report the analyst's way: the
newest report (by its own time, then by when it was recorded) whose verdict counts. A machine
confirm or contradict counts when it reaches the claim's alert threshold, a disputed one always
(as in ``monitors.policy``); an analyst's verdict always counts, whatever the engine's score was.

The rule is a pure function over plain rows; ``monitors.state.correct`` reads them, calls it and
writes the result in the transaction that records the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from monitors.models import ClaimState, Verdict

ReportKey = tuple[str, str]  # (feed_id, report_id): a verdict covers every version of a report


@dataclass(frozen=True)
class AnalystVerdict:
    """One row of ``analyst_verdicts``: the newest per report is the one that applies."""

    id: int
    claim_id: str
    feed_id: str
    report_id: str
    verdict: Verdict
    machine_verdict: Verdict
    analyst: str
    at: datetime
    note: str | None = None

    @property
    def report(self) -> ReportKey:
        return (self.feed_id, self.report_id)


@dataclass(frozen=True)
class CountedEvidence:
    """An evidence row as the state rule reads it: the engine's verdict and the analyst's."""

    evidence_id: int
    feed_id: str
    report_id: str
    machine: Verdict
    score: float
    reported_at: datetime  # the report's publication time, else when it was recorded
    analyst: Verdict | None = None

    @property
    def verdict(self) -> Verdict:
        return self.machine if self.analyst is None else self.analyst

    @property
    def report(self) -> ReportKey:
        return (self.feed_id, self.report_id)


def with_analyst(
    rows: Sequence[CountedEvidence], verdicts: Mapping[ReportKey, Verdict]
) -> list[CountedEvidence]:
    """The rows with each report's analyst verdict applied (all its versions)."""
    return [replace(row, analyst=verdicts.get(row.report, row.analyst)) for row in rows]


def counts(row: CountedEvidence, threshold: float) -> bool:
    """True when the row may set the claim's state."""
    verdict = row.verdict
    if not verdict.is_decisive:
        return False
    if row.analyst is not None or verdict is Verdict.DISPUTED:
        return True
    return row.score >= threshold


def deciding_row(rows: Sequence[CountedEvidence], threshold: float) -> CountedEvidence | None:
    """The row that sets the claim's state: the newest one that counts (None: unknown)."""
    counted = [row for row in rows if counts(row, threshold)]
    return max(counted, key=lambda r: (r.reported_at, r.evidence_id), default=None)


def state_of(row: CountedEvidence | None) -> ClaimState:
    return ClaimState.UNKNOWN if row is None else ClaimState.from_verdict(row.verdict)


@dataclass(frozen=True)
class Recomputed:
    """What a new analyst verdict does to a claim: ``moved`` when its state changes,
    ``rewrites`` when the state or the report that decides it changes (the stored row follows)."""

    previous: ClaimState  # the stored state
    state: ClaimState
    deciding: CountedEvidence | None  # the row that sets ``state`` (None: no evidence counts)
    rewrites: bool

    @property
    def moved(self) -> bool:
        return self.rewrites and self.state != self.previous


def recompute(
    stored: ClaimState,
    rows: Sequence[CountedEvidence],
    verdicts: Mapping[ReportKey, Verdict],
    new: tuple[ReportKey, Verdict],
    threshold: float,
) -> Recomputed:
    """The claim's state once ``new`` joins the analyst ``verdicts`` already recorded.

    Only the difference the new verdict makes counts: if the stored state had drifted from what
    the evidence says now (a threshold changed in claims.yaml since), the verdict does not
    rewrite it unless the verdict itself changes the outcome.
    """
    before = deciding_row(with_analyst(rows, verdicts), threshold)
    after = deciding_row(with_analyst(rows, {**verdicts, new[0]: new[1]}), threshold)
    state = state_of(after)
    rewrites = (state_of(before), _id(before)) != (state, _id(after))
    return Recomputed(stored, state, after, rewrites)


def _id(row: CountedEvidence | None) -> int | None:
    return None if row is None else row.evidence_id
