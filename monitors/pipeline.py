"""The monitor's steps as plain functions, in the order a run takes them.

``poll_all`` (every feed in one step, monitors/ingest/poll.py; ``poll_feed`` for one feed),
``record_health``, ``keep_new``, ``assess``, ``group_stories``,
``record_stories``, then ``summarize``. ``flows/monitor.py`` calls them by name, wrapping some in
Prefect tasks; ``process_polls`` runs the same steps without Prefect (tests, replays).
Each step takes and returns plain data, so a failure in one feed stays in that feed's result.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from monitors.config import Config
from monitors.errors import ClaimwatchError
from monitors.feedstate import DEFAULT_HEALTH, Failure, HealthPolicy
from monitors.ingest.fetch import FetchSettings, fetch_feed, make_client
from monitors.ingest.parse import parse_feed
from monitors.ingest.poll import FeedPoll, PollStats, failed_poll
from monitors.models import Alert, Claim, Feed, Report, Validators
from monitors.policy import AlertPolicy, same_story_key, story_key
from monitors.progress import Progress
from monitors.stance.batch import CHUNK, WORKERS_FROM, Found, assess_many, in_workers
from monitors.stance.engine import StanceEngine
from monitors.state import history
from monitors.state.record import DecidedReport, Suppressed
from monitors.state.store import BATCH_REPORTS, Store


@dataclass(frozen=True)
class ProcessResult:
    new_reports: int
    new_evidence: int
    alerts: tuple[Alert, ...]
    suppressed: tuple[Suppressed, ...] = ()


@dataclass
class RunSummary:
    """What one monitor run did; logged, returned by the flow, printed by the CLI."""

    feeds_ok: list[str] = field(default_factory=list)
    feeds_unchanged: list[str] = field(default_factory=list)
    feeds_failed: dict[str, str] = field(default_factory=dict)
    feeds_waiting: list[str] = field(default_factory=list)  # backoff or Retry-After not over
    feeds_disabled: list[str] = field(default_factory=list)  # 410 Gone
    new_reports: int = 0
    new_evidence: int = 0
    alerts_queued: int = 0
    alerts_suppressed: int = 0
    alerts_sent: int = 0
    alerts_pending: int = 0
    messages: str | None = None  # "messages sent: email 9, digest 1 (9 alerts)"
    delivery_errors: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    poll: PollStats | None = None  # how long fetching and parsing took
    stage_seconds: dict[str, float] = field(default_factory=dict)  # later stages, by name
    notes: list[str] = field(default_factory=list)  # what the config left to defaults
    # Claims widely reported on with no report deciding them (``coverage_lines``; real runs).
    coverage: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        failed = ", ".join(f"{k} ({v})" for k, v in self.feeds_failed.items()) or "none"
        return [
            *(f"note: {note}" for note in self.notes),
            f"feeds: {len(self.feeds_ok)} ok ({len(self.feeds_unchanged)} unchanged), "
            f"{len(self.feeds_failed)} failed: {failed}",
            *self._not_polled(),
            f"reports: {self.new_reports} new or changed; evidence: {self.new_evidence} new",
            f"alerts: {self.alerts_queued} queued, {self.alerts_pending} pending, "
            f"{self.alerts_suppressed} held back by policy; {self.alerts_sent} deliveries",
            *([self.messages] if self.messages else []),
            *self.decisions,
            *self.coverage,
            *(f"delivery error: {e}" for e in self.delivery_errors),
            *self.timing_lines(),
        ]

    def _not_polled(self) -> list[str]:
        """Feeds left out of this run by their poll state (empty: every feed was due)."""
        if not (self.feeds_waiting or self.feeds_disabled):
            return []
        waiting = ", ".join(self.feeds_waiting) or "none"
        disabled = ", ".join(self.feeds_disabled) or "none"
        return [
            f"not polled: waiting (backoff, Retry-After): {waiting}; disabled (410): {disabled}"
        ]

    def timing_lines(self) -> list[str]:
        """Where the run's time went: the poll (fetch and parse), then each later stage."""
        lines = [self.poll.line()] if self.poll is not None else []
        if self.stage_seconds:
            stages = ", ".join(f"{name} {secs:.2f} s" for name, secs in self.stage_seconds.items())
            lines.append(f"stages: {stages}")
        return lines


def poll_feed(feed: Feed, validators: Validators, settings: FetchSettings) -> FeedPoll:
    """Fetch and parse one feed; never raises for the feed's own failures."""
    try:
        return asyncio.run(fetch_and_parse(feed, validators, settings))
    except ClaimwatchError as exc:
        return failed_poll(feed, exc)


async def fetch_and_parse(feed: Feed, validators: Validators, settings: FetchSettings) -> FeedPoll:
    """One feed's new reports (none when unchanged); raises FetchError or ParseError."""
    async with make_client(settings) as client:
        result = await fetch_feed(client, feed, validators, settings)
    if result.not_modified:
        return FeedPoll(feed=feed, validators=result.validators, not_modified=True)
    reports = parse_feed(feed.id, result.body, result.headers, base_url=result.url)
    return FeedPoll(feed=feed, reports=tuple(reports), validators=result.validators)


@dataclass(frozen=True)
class RunOptions:
    """How a run decides: which claims, which reports, and whether anything is written."""

    claim_ids: tuple[str, ...] = ()  # empty: every claim in the config
    since: datetime | None = None  # skip reports published before this (undated ones are kept)
    dry_run: bool = False  # decide and report what would alert; store and send nothing


def process_polls(
    store: Store,
    config: Config,
    polls: Sequence[FeedPoll],
    options: RunOptions = RunOptions(),
    at: datetime | None = None,
) -> ProcessResult:
    """The monitor's steps after polling, as ``flows/monitor.py`` runs them, without Prefect.
    Feed health (the validators) is written last: only once the reports it covers are stored.
    ``at``: the time the poll state is recorded at (tests pass their clock's)."""
    result = decide_polls(store, config, polls, options)
    record_health(store, polls, options.dry_run, config.health_policy(), at)
    return result


def decide_polls(
    store: Store,
    config: Config,
    polls: Sequence[FeedPoll],
    options: RunOptions,
    progress: Progress | None = None,
) -> ProcessResult:
    """The polled reports not decided yet, decided against the selected claims and recorded."""
    reports = keep_new(store, polls, options.since)
    claims = selected_claims(config, options.claim_ids)
    feeds = polled_feeds(polls)
    return decide_reports(store, config, claims, reports, feeds, options.dry_run, progress)


def decide_reports(
    store: Store,
    config: Config,
    claims: Sequence[Claim],
    reports: Sequence[Report],
    feeds: Mapping[str, Feed],
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ProcessResult:
    """Assess reports oldest first, group syndicated copies, record decisions and alerts.

    When the reports are read in worker processes, this process writes the first stories while
    the workers read the rest (``_decide_overlapped``); the decisions are the same."""
    if not dry_run and in_workers(len(reports)):
        return decide_overlapped(store, config, claims, reports, feeds, progress)
    decided = assess(claims, reports, progress)
    stories = group_stories(decided, config.alert_policy())
    return record_stories(store, config, stories, feeds, dry_run)


class _Stop(Exception):
    """Tells the assessing thread to stop: the writes failed."""


_Chunk = tuple[int, list[Found]] | BaseException | None  # None: every report read


def decide_overlapped(
    store: Store,
    config: Config,
    claims: Sequence[Claim],
    reports: Sequence[Report],
    feeds: Mapping[str, Feed],
    progress: Progress | None = None,
    workers_from: int = WORKERS_FROM,
    chunk: int = CHUNK,
    batch_reports: int = BATCH_REPORTS,
) -> ProcessResult:
    """``decide_reports`` with the writes overlapping the reading: the workers read chunks of
    reports on every core while this thread groups the chunks read so far and records each
    story as soon as no later report can join it (``StoryGrouper.final``), in story order, in
    batches of ``batch_reports``. Writing after reading took ~2.8 s of the bench's ~6.3 s
    decide, with this process idle while the workers read. Batch boundaries differ from writing
    all at the end, which changes no decision (``Store.record_stories``)."""
    engine = StanceEngine(claims)
    ordered = _oldest_first(reports)
    texts = [(r.title, r.summary) for r in ordered]
    tell = None if progress is None else (lambda done: progress(done, len(ordered)))
    chunks: queue.Queue[_Chunk] = queue.Queue()
    stop = threading.Event()

    def ready(start: int, found: list[Found]) -> None:
        if stop.is_set():
            raise _Stop
        chunks.put((start, found))

    def read() -> None:  # in a thread: the workers' event loop must not wait for SQLite
        try:
            assess_many(engine, texts, tell, workers_from=workers_from, ready=ready, chunk=chunk)
            chunks.put(None)
        except BaseException as exc:  # handed to the writing thread, which raises it
            chunks.put(exc)

    reader = threading.Thread(target=read, name="claimwatch-assess", daemon=True)
    reader.start()
    grouper = StoryGrouper(config.alert_policy())
    writes = _Writes(store, config, feeds, batch_reports)
    try:
        while (got := chunks.get()) is not None:
            if isinstance(got, BaseException):
                raise got
            start, found = got
            read_now = ordered[start : start + len(found)]
            for report, assessments in zip(read_now, found, strict=True):
                grouper.add(DecidedReport(report, assessments, engine.related_of(assessments)))
            writes.add(grouper.final(read_now[-1].published))
        writes.add(grouper.rest())
        writes.flush()
    finally:
        stop.set()
        reader.join()
    return writes.result()


class _Writes:
    """Stories recorded in order, a batch once about ``batch_reports`` reports are waiting."""

    def __init__(
        self, store: Store, config: Config, feeds: Mapping[str, Feed], batch_reports: int
    ) -> None:
        self._store, self._config, self._feeds = store, config, feeds
        self._batch = batch_reports
        self._waiting: list[list[DecidedReport]] = []
        self._reports = 0
        self._done: list[ProcessResult] = []

    def add(self, stories: Sequence[list[DecidedReport]]) -> None:
        self._waiting += stories
        self._reports += sum(len(story) for story in stories)
        if self._reports >= self._batch:
            self.flush()

    def flush(self) -> None:
        if self._waiting:
            self._done.append(record_stories(self._store, self._config, self._waiting,
                                             self._feeds))  # fmt: skip
        self._waiting, self._reports = [], 0

    def result(self) -> ProcessResult:
        return ProcessResult(
            new_reports=sum(r.new_reports for r in self._done),
            new_evidence=sum(r.new_evidence for r in self._done),
            alerts=tuple(a for r in self._done for a in r.alerts),
            suppressed=tuple(s for r in self._done for s in r.suppressed),
        )


def record_health(
    store: Store,
    polls: Sequence[FeedPoll],
    dry_run: bool = False,
    health: HealthPolicy = DEFAULT_HEALTH,
    at: datetime | None = None,
) -> None:
    """Each feed's validators and poll state (failures, backoff, Retry-After, 410, 301) and the
    operator's health alerts; a dry run writes nothing."""
    if dry_run:
        return
    successes = [
        (p.feed, p.validators, len(p.reports))
        for p in polls
        if p.error is None and p.validators is not None
    ]
    failures = [
        (p.feed, Failure(p.error, p.status_code, p.retry_after))
        for p in polls
        if p.error is not None and not p.over_budget
    ]
    moves = {p.feed.id: p.moved_to for p in polls if p.error is None and p.moved_to}
    unfinished = [p.feed for p in polls if p.over_budget]
    store.record_fetches(successes, failures, at, health, moves, unfinished=unfinished)


def keep_new(store: Store, polls: Sequence[FeedPoll], since: datetime | None) -> list[Report]:
    """The polled reports worth deciding: recent enough, and never decided in this version."""
    recent = [r for p in polls for r in p.reports if _is_recent(r, since)]
    return store.unseen(recent)


def assess(
    claims: Sequence[Claim], reports: Sequence[Report], progress: Progress | None = None
) -> list[DecidedReport]:
    """Every report against every claim, oldest first, so the newest sets a claim's state last;
    ``progress(done, total)`` after each report."""
    engine = StanceEngine(claims)
    ordered = _oldest_first(reports)
    texts = [(r.title, r.summary) for r in ordered]
    tell = None if progress is None else (lambda done: progress(done, len(ordered)))
    found = assess_many(engine, texts, tell)
    return [DecidedReport(r, a, engine.related_of(a)) for r, a in zip(ordered, found, strict=True)]


def group_stories(
    decided: Sequence[DecidedReport], policy: AlertPolicy
) -> list[list[DecidedReport]]:
    """Syndicated copies (near-identical titles, other feeds, close in time) form one story.

    Only reports with evidence (an assessment other than unrelated) are grouped: a story exists
    to turn copies of one piece of news into one alert, and a report that is about no claim
    records nothing but itself. It stays a story of its own, so grouping costs comparisons
    among the few related reports, not among every pair of a run's reports.
    """
    grouper = StoryGrouper(policy)
    for item in decided:
        grouper.add(item)
    return grouper.rest()


class StoryGrouper:
    """``group_stories`` a report at a time (oldest first), handing out the stories that are
    complete as it goes (``final``) and the rest at the end (``rest``), in the order they began
    (a story without evidence, which decides nothing, may go ahead of one still open)."""

    def __init__(self, policy: AlertPolicy) -> None:
        self._policy = policy
        self._stories: list[list[DecidedReport]] = []  # not handed out yet
        self._open: list[_Story] = []  # the stories with evidence a later report may join

    def add(self, item: DecidedReport) -> None:
        if not _has_evidence(item):
            self._stories.append([item])
            return
        key = story_key(item.report.title)
        home = next((s for s in self._open if s.takes(item, key, self._policy)), None)
        if home is None:
            home = _Story([item], key, {item.report.feed_id})
            self._open.append(home)
            self._stories.append(home.members)
        else:
            home.members.append(item)
            home.feeds.add(item.report.feed_id)

    def final(self, latest: datetime | None) -> list[list[DecidedReport]]:
        """The stories up to the first one a report added later may still join, given that
        every report added from now on is published at ``latest`` or after (reports come
        oldest first; None: undated, which can join any story, so nothing is final)."""
        if latest is None:
            return []
        window = self._policy.duplicate_window
        self._open = [s for s in self._open if not s.closed(latest, window)]
        still_open = {id(s.members) for s in self._open}
        end = next((i for i, st in enumerate(self._stories) if id(st) in still_open), None)
        if end is None:
            return self._hand_out(len(self._stories))
        # Behind a story still open, the ones with evidence wait (their decisions must follow
        # its decision); a report with none decides nothing, so it need not wait: the last
        # duplicate window of a first cycle is most of its reports (the bench: 28,500 of 50,000).
        out = self._hand_out(end)
        out += [st for st in self._stories if not _has_evidence(st[0])]
        self._stories = [st for st in self._stories if _has_evidence(st[0])]
        return out

    def rest(self) -> list[list[DecidedReport]]:
        """Every story not handed out yet (no more reports come)."""
        self._open = []
        return self._hand_out(len(self._stories))

    def _hand_out(self, end: int) -> list[list[DecidedReport]]:
        out, self._stories = self._stories[:end], self._stories[end:]
        return out


@dataclass
class _Story:
    members: list[DecidedReport]
    key: str  # story_key of the first member's title
    feeds: set[str]

    def takes(self, item: DecidedReport, key: str, policy: AlertPolicy) -> bool:
        first, report = self.members[0].report, item.report
        if report.feed_id in self.feeds:
            return False  # one outlet's two reports are two reports, not two sources
        apart = (
            abs(report.published - first.published)
            if first.published and report.published
            else timedelta(0)
        )
        return apart <= policy.duplicate_window and same_story_key(self.key, key, policy)

    def closed(self, latest: datetime, window: timedelta) -> bool:
        """No report published at ``latest`` or later can join: too far from the first one
        (an undated first report is never too far)."""
        first = self.members[0].report.published
        return first is not None and latest - first > window


def _has_evidence(item: DecidedReport) -> bool:
    return bool(item.related)


def record_stories(
    store: Store,
    config: Config,
    stories: Sequence[Sequence[DecidedReport]],
    feeds: Mapping[str, Feed],
    dry_run: bool = False,
) -> ProcessResult:
    """Decide and store each story (``policy.decide``), queueing its alerts in the outbox: a
    batch of whole stories per transaction (``Store.record_stories``); a dry run rolls back."""
    channels = [c.name for c in config.channels]
    claims = {c.id: c for c in config.claims}
    policy = config.alert_policy()
    decisions = store.record_stories(stories, feeds, claims, channels, dry_run, policy)
    return ProcessResult(
        new_reports=sum(len(story) for story in stories),  # every report is in one story
        new_evidence=sum(d.evidence_count for d in decisions),
        alerts=tuple(a for d in decisions for a in d.alerts),
        suppressed=tuple(s for d in decisions for s in d.suppressed),
    )


def coverage_lines(
    store: Store, config: Config, claims: Sequence[Claim], now: datetime | None = None
) -> list[str]:
    """One line per claim whose recent coverage decides nothing (``monitors.coverage``), e.g.
    "gornal-recaptured: undecided: 9 reports from 4 outlets in 24 h, none confirms or
    contradicts": a miss the alerts cannot show, so the run summary says it."""
    found = history.undecided(store.engine, claims, config.coverage, now or datetime.now(UTC))
    return [f"{c.claim_id}: {c.line()}" for c in found.values() if c is not None]


def polled_feeds(polls: Sequence[FeedPoll]) -> dict[str, Feed]:
    return {p.feed.id: p.feed for p in polls}


def selected_claims(config: Config, claim_ids: Sequence[str]) -> list[Claim]:
    return [config.claim(cid) for cid in claim_ids] if claim_ids else list(config.claims)


def _is_recent(report: Report, since: datetime | None) -> bool:
    return since is None or report.published is None or report.published >= since


def _oldest_first(reports: Sequence[Report]) -> list[Report]:
    """Decide in publication order, so the newest report sets a claim's state last."""
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(reports, key=lambda r: r.published or epoch)


def _decision_line(alert: Alert) -> str:
    sources = f", {alert.source_count} sources" if alert.source_count > 1 else ""
    return (
        f"{alert.headline} (was {alert.previous_state.value}) <- {alert.report_title!r} "
        f"[{alert.feed_id}{sources}]"
    )


def summarize(
    polls: Sequence[FeedPoll], processed: ProcessResult, poll: PollStats | None = None
) -> RunSummary:
    summary = RunSummary(
        poll=poll,
        feeds_ok=[p.feed.id for p in polls if p.ok],
        feeds_unchanged=[p.feed.id for p in polls if p.not_modified],
        feeds_failed={p.feed.id: p.error for p in polls if p.error is not None},
        new_reports=processed.new_reports,
        new_evidence=processed.new_evidence,
        alerts_queued=len(processed.alerts),
        alerts_suppressed=len(processed.suppressed),
    )
    summary.decisions = [_decision_line(a) for a in processed.alerts] + [
        f"held back: {_decision_line(s.alert)}: {s.reason}" for s in processed.suppressed
    ]
    return summary
