"""Domain objects: small frozen dataclasses with no I/O.

Everything downstream of parsing works with these; nothing outside ``parse.py`` touches feedparser's
dicts, and nothing outside ``config.py`` touches pydantic models.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from monitors.outlets import outlet_of


class Verdict(StrEnum):
    """What one report says about one claim."""

    CONFIRM = "confirm"
    CONTRADICT = "contradict"
    DISPUTED = "disputed"  # both, attributed to different sides
    NEUTRAL = "neutral"  # about the claim, takes no side (mention, question, hedge)
    UNRELATED = "unrelated"

    @property
    def is_decisive(self) -> bool:
        """True when the verdict moves a claim's state (and so may alert)."""
        return self in (Verdict.CONFIRM, Verdict.CONTRADICT, Verdict.DISPUTED)


class ClaimState(StrEnum):
    """Where a tracked claim stands given the evidence so far."""

    UNKNOWN = "unknown"
    CONFIRMED = "confirmed"
    CONTRADICTED = "contradicted"
    DISPUTED = "disputed"

    @classmethod
    def from_verdict(cls, verdict: Verdict) -> ClaimState:
        return _STATE_OF_VERDICT.get(verdict, cls.UNKNOWN)


_STATE_OF_VERDICT = {
    Verdict.CONFIRM: ClaimState.CONFIRMED,
    Verdict.CONTRADICT: ClaimState.CONTRADICTED,
    Verdict.DISPUTED: ClaimState.DISPUTED,
}


class SentenceStance(StrEnum):
    """What one sentence does with the claimed fact."""

    ASSERT = "assert"
    DENY = "deny"
    HEDGE = "hedge"
    QUESTION = "question"
    MENTION = "mention"


@dataclass(frozen=True)
class Claim:
    """A statement the user tracks, with the words that identify its subject."""

    id: str
    statement: str
    aliases: tuple[str, ...] = ()  # subject names in any script; empty: derived from statement
    confirm_cues: tuple[str, ...] = ()  # added to the built-in lexicon, never replacing it
    contradict_cues: tuple[str, ...] = ()
    threshold: float = 85.0  # fuzzy alias match threshold, 0..100 (rapidfuzz scale)
    cooldown_s: float = 0.0  # hold back non-transition alerts this long after the last one
    # The score (0..1) a confirm or contradict verdict needs to move the claim and alert;
    # None: the policy's DEFAULT_ALERT_THRESHOLD.
    alert_threshold: float | None = None


@dataclass(frozen=True)
class Feed:
    """A news source to poll: an http(s) URL or a local path (offline use)."""

    id: str
    url: str
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Validators:
    """A feed's conditional-GET state (ETag, Last-Modified), stored between runs."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Report:
    """One feed entry, reduced to plain text."""

    feed_id: str
    report_id: str  # stable: GUID, else canonical link, else hash of title + summary
    title: str
    summary: str  # plain text, HTML stripped
    link: str | None = None
    published: datetime | None = None
    content_hash: str = ""  # changes when title or summary change: triggers re-evaluation

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.summary}" if self.summary else self.title


@dataclass(frozen=True)
class Evidence:
    """One sentence that bears on a claim, and why the engine read it the way it did."""

    sentence: str
    stance: SentenceStance
    score: float  # 0..1: how strongly this sentence supports its stance
    alias: str | None = None  # the claim alias that matched
    matched: str | None = None  # the words in the sentence that matched it
    cue: str | None = None  # the cue phrase that decided the stance
    attribution: str | None = None  # who says so ("Ukraine", "Russian officials")
    why: str = ""  # one human-readable line
    reading: str | None = None  # which rule read it: "frame:controller", "rule:refute" ...

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stance"] = self.stance.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(**{**data, "stance": SentenceStance(data["stance"])})


@dataclass(frozen=True)
class Assessment:
    """The engine's verdict on one (claim, report) pair, with its evidence."""

    claim_id: str
    verdict: Verdict
    score: float  # 0..1 confidence in the verdict
    relatedness: float = 0.0  # 0..1: how much the report is about this claim
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> str:
        """One line a user can read: verdict, score and the strongest evidence."""
        if not self.evidence:
            return f"{self.verdict.value} ({self.score:.2f})"
        top = self.evidence[0]
        return f"{self.verdict.value} ({self.score:.2f}): {top.why or top.sentence}"


@dataclass(frozen=True)
class Source:
    """One outlet that carried a story: an alert lists every source of a syndicated report."""

    feed_id: str
    feed_name: str
    title: str
    link: str | None = None
    published: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        published = data.get("published")
        return cls(
            feed_id=data["feed_id"],
            feed_name=data.get("feed_name") or data["feed_id"],
            title=data.get("title", ""),
            link=data.get("link"),
            published=datetime.fromisoformat(published) if published else None,
        )


@dataclass(frozen=True)
class Correction:
    """An analyst's verdict on one report for one claim, overriding the engine's (``claimwatch
    verdict``); carried by the alert that follows when it changes the claim's state."""

    analyst: str
    verdict: Verdict  # the analyst's
    machine_verdict: Verdict  # the engine's, which it overrides
    feed_id: str
    report_id: str
    report_title: str
    at: datetime
    note: str | None = None

    @property
    def line(self) -> str:
        """``ana: 'Gornal retaken' is neutral, not confirm (note)``."""
        note = f" ({self.note})" if self.note else ""
        return (
            f"{self.analyst}: {self.report_title!r} is {self.verdict.value}, "
            f"not {self.machine_verdict.value}{note}"
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(verdict=self.verdict.value, machine_verdict=self.machine_verdict.value)
        data["at"] = self.at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Correction:
        return cls(
            analyst=str(data["analyst"]),
            verdict=Verdict(data["verdict"]),
            machine_verdict=Verdict(data["machine_verdict"]),
            feed_id=str(data["feed_id"]),
            report_id=str(data["report_id"]),
            report_title=str(data.get("report_title", "")),
            at=datetime.fromisoformat(data["at"]),
            note=data.get("note"),
        )


# The outbox's claim id of feed-health alerts: ':' is never in a claim id (config's id pattern).
HEALTH_CLAIM_ID = "feed:health"


@dataclass(frozen=True)
class FeedHealth:
    """What an operator is told about a feed: it is failing, recovered, or gone (disabled)."""

    notice: str  # "failing" | "recovered" | "disabled" (monitors.feedstate.Notice)
    url: str
    failures: int  # consecutive failures so far (0 once recovered)
    failing_since: datetime | None
    last_error: str | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failing_since"] = self.failing_since.isoformat() if self.failing_since else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedHealth:
        since = data.get("failing_since")
        return cls(
            notice=str(data["notice"]),
            url=str(data.get("url", "")),
            failures=int(data.get("failures", 0)),
            failing_since=datetime.fromisoformat(since) if since else None,
            last_error=data.get("last_error"),
        )


@dataclass(frozen=True)
class Alert:
    """A decision worth telling the user about; serialised into the outbox.

    A feed-health alert (``health`` set) goes through the same outbox and channels; its claim
    fields are placeholders (``claim_id`` ``HEALTH_CLAIM_ID``, which no claim can have) and the
    renderers show ``health`` instead.
    """

    key: str  # idempotency key: one alert per (claim, report version)
    claim_id: str
    claim_statement: str
    verdict: Verdict
    previous_state: ClaimState
    new_state: ClaimState
    score: float
    report_title: str
    report_link: str | None
    feed_id: str
    feed_name: str
    published: datetime | None
    evidence: tuple[Evidence, ...]
    created_at: datetime
    sources: tuple[Source, ...] = ()  # every outlet that carried this story, first one first
    health: FeedHealth | None = None  # set on a feed-health alert to the operator channel
    # Set when an analyst's verdict, not a new report, moved the claim: the report and
    # evidence fields then describe the report that decides the new state (if any).
    correction: Correction | None = None
    # The report whose evidence set the claim's state before this alert (``previous_state``):
    # "previously confirmed by <this report>". None when the state was unknown or not recorded
    # (alerts queued before the field existed).
    previous_report: Source | None = None

    @property
    def is_transition(self) -> bool:
        """True when the alert moves the claim to another state."""
        return self.previous_state != self.new_state

    @property
    def source_count(self) -> int:
        """Distinct feeds that carried the story (at least the one that triggered it)."""
        return len({s.feed_id for s in self.sources} | {self.feed_id})

    @property
    def outlet_count(self) -> int:
        """Distinct outlets (link hosts) that carried it: one publisher's feeds count once."""
        first = outlet_of(self.feed_id, self.report_link)
        return len({outlet_of(s.feed_id, s.link) for s in self.sources} | {first})

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "claim_id": self.claim_id,
            "claim_statement": self.claim_statement,
            "verdict": self.verdict.value,
            "previous_state": self.previous_state.value,
            "new_state": self.new_state.value,
            "score": self.score,
            "report_title": self.report_title,
            "report_link": self.report_link,
            "feed_id": self.feed_id,
            "feed_name": self.feed_name,
            "published": self.published.isoformat() if self.published else None,
            "evidence": [e.to_dict() for e in self.evidence],
            "created_at": self.created_at.isoformat(),
            "sources": [source.to_dict() for source in self.sources],
            **({"health": self.health.to_dict()} if self.health else {}),
            **({"correction": self.correction.to_dict()} if self.correction else {}),
            **({"previous_report": p.to_dict()} if (p := self.previous_report) else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        published = data.get("published")
        return cls(
            key=data["key"],
            claim_id=data["claim_id"],
            claim_statement=data["claim_statement"],
            verdict=Verdict(data["verdict"]),
            previous_state=ClaimState(data["previous_state"]),
            new_state=ClaimState(data["new_state"]),
            score=float(data["score"]),
            report_title=data["report_title"],
            report_link=data.get("report_link"),
            feed_id=data["feed_id"],
            feed_name=data.get("feed_name") or data["feed_id"],
            published=datetime.fromisoformat(published) if published else None,
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", [])),
            created_at=datetime.fromisoformat(data["created_at"]),
            sources=tuple(Source.from_dict(x) for x in data.get("sources", [])),
            health=FeedHealth.from_dict(data["health"]) if data.get("health") else None,
            correction=Correction.from_dict(c) if (c := data.get("correction")) else None,
            # Absent in outbox rows written before the field existed: they still load.
            previous_report=Source.from_dict(p) if (p := data.get("previous_report")) else None,
        )

    @property
    def headline(self) -> str:
        """``CONTRADICTED: <claim>``: the verdict as a state word, then the claim; for a
        feed-health alert ``FEED FAILING: <feed>``."""
        if self.health is not None:
            return f"FEED {self.health.notice.upper()}: {self.feed_name}"
        if self.correction is not None:
            return f"CORRECTED, NOW {self.new_state.value.upper()}: {self.claim_statement}"
        word = {
            Verdict.CONFIRM: "CONFIRMED",
            Verdict.CONTRADICT: "CONTRADICTED",
            Verdict.DISPUTED: "DISPUTED",
        }.get(self.verdict, self.verdict.value.upper())
        return f"{word}: {self.claim_statement}"
