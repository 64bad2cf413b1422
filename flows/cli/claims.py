"""Commands about claims: ``run`` (the Prefect flow), ``check``, ``status`` and ``evidence``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from flows.cli.args import add_command, add_json_flag, iso_time, open_store
from flows.cli.output import (
    STATE_STYLE,
    VERDICT_STYLE,
    emit,
    iso,
    make_console,
    plain,
    print_indented,
    stamp,
)
from flows.cli.status import change_json
from flows.config import load_config
from monitors.config import CLAIMS_FILE, Config, load_claims
from monitors.errors import ClaimwatchError, UnknownReportError
from monitors.ingest.page import FEED, Fetched, fetch_reports
from monitors.models import Assessment, Claim, Feed, Report, Verdict
from monitors.policy import alert_threshold
from monitors.sharing import Shard
from monitors.state import history
from monitors.state.report_ref import find_report

if TYPE_CHECKING:
    from monitors.stance.engine import StanceEngine

URL_FEED_ID = "url"  # the feed id `check --url` fetches under: fetch errors start with it


def add_parser(sub: Any) -> None:
    _add_run(sub)

    _add_check(sub)

    evidence = add_command(sub, "evidence", "the evidence recorded for one claim, newest first")
    evidence.add_argument("claim_id")
    add_json_flag(evidence)
    evidence.set_defaults(handler=_evidence)


def _add_check(sub: Any) -> None:
    check = add_command(
        sub, "check", "show how a text, a stored report or a URL scores against each claim, and why"
    )
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="the report text (body)")
    source.add_argument(
        "--report",
        metavar="REF",
        help="a stored report: FEED_ID:REPORT_ID, its link, or an evidence id (#123, as "
        "`evidence --json` shows it); read from --database-url",
    )
    source.add_argument(
        "--url",
        help="fetch a feed (each entry is scored) or a web page (its title and visible text)",
    )
    check.add_argument("--title", default="", help="the report title, if separate (with TEXT)")
    add_json_flag(check)
    check.set_defaults(handler=_check)


def _add_run(sub: Any) -> None:
    run = add_command(sub, "run", "poll feeds, decide new reports, deliver alerts (Prefect flow)")
    run.add_argument("--no-deliver", action="store_true", help="queue alerts but do not send them")
    run.add_argument("--claim", help="decide only this claim id")
    run.add_argument(
        "--since", type=iso_time, help="only reports published at or after this ISO time (UTC)"
    )
    run.add_argument(
        "--dry-run", action="store_true", help="decide and summarise; store and send nothing"
    )
    run.add_argument(
        "--shard", type=_shard, help="'i/n': only the feeds whose stable id hash mod n is i"
    )
    run.add_argument(
        "--claim-batch",
        type=_positive,
        help="lease this many feeds at a time, so concurrent runs share a cycle (default: all)",
    )
    run.set_defaults(handler=_run)


def _shard(text: str) -> str:
    try:
        Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1 (got {text!r})")
    return int(text)


# --- run / check ---------------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    # Prefect loads only for the command that needs it.
    from flows.heartbeat import own_heartbeats
    from flows.monitor import monitor_claims

    config_dir = str(Path(args.config).resolve())
    config = load_config(config_dir)  # fail fast, before the flow run
    if args.claim:
        config.claim(args.claim)
    with own_heartbeats():  # heartbeats that do not hold up the run's end (flows/heartbeat.py)
        summary = monitor_claims(
            config_dir=config_dir,
            database_url=args.database_url,
            claim=args.claim,
            since=args.since,
            dry_run=args.dry_run,
            deliver=not args.no_deliver,
            shard=args.shard,
            claim_batch=args.claim_batch,
        )
    print("\n".join(summary.lines()))
    return 1 if summary.feeds_failed and not summary.feeds_ok else 0


def _claims_from(path: str) -> tuple[Claim, ...]:
    """``--config`` for check may name a config directory or a claims file (channels, and the
    secrets they may name, are not needed to check a text)."""
    target = Path(path).expanduser()
    return load_claims(target if target.is_file() else target / CLAIMS_FILE)


def _check(args: argparse.Namespace) -> int:
    """Score a text, a stored report (``--report``) or what a URL holds (``--url``)."""
    from monitors.stance.engine import StanceEngine

    if args.text is None and args.title:
        raise ClaimwatchError("--title goes with a TEXT; a stored report or a URL has its own")
    claims = _claims_from(args.config)
    engine = StanceEngine(claims)
    if args.report is not None:
        return _check_report(args.json, claims, engine, _stored_report(args))
    if args.url is not None:
        return _check_url(args.json, claims, engine, args.url)
    assessments = engine.assess(args.title, args.text)
    if args.json:
        emit(_assessments_json(assessments))
        return 0
    console = make_console()
    for claim, assessment in zip(claims, assessments, strict=True):
        _print_assessment(console, claim, assessment)
    return 0


def _stored_report(args: argparse.Namespace) -> Report:
    store = open_store(args)
    try:
        with store.engine.connect() as conn:
            return find_report(conn, args.report)
    except UnknownReportError as exc:
        raise UnknownReportError(f"--report {exc}") from None
    finally:
        store.close()


def _check_report(
    as_json: bool, claims: tuple[Claim, ...], engine: StanceEngine, report: Report
) -> int:
    """A stored report's title and summary, scored as they were stored."""
    assessments = engine.assess(report.title, report.summary)
    if as_json:
        emit({"report": _report_json(report), **_assessments_json(assessments)})
        return 0
    console = make_console()
    _print_scored(console, claims, report, assessments)
    return 0


def _check_url(as_json: bool, claims: tuple[Claim, ...], engine: StanceEngine, url: str) -> int:
    """Each entry of the feed at ``url``, or the page there as one report, scored."""
    fetched = fetch_reports(Feed(id=URL_FEED_ID, url=url))
    scored = [(r, engine.assess(r.title, r.summary)) for r in fetched.reports]
    if as_json:
        reports = [{"report": _report_json(r), **_assessments_json(a)} for r, a in scored]
        emit({"url": fetched.url, "kind": fetched.kind, "reports": reports})
        return 0
    console = make_console()
    console.print(Text.assemble(("url", "bold"), f" {plain(fetched.url)} ", _held(fetched)))
    for report, assessments in scored:
        console.print()
        _print_scored(console, claims, report, assessments)
    return 0


def _held(fetched: Fetched) -> str:
    """``(page)`` or ``(feed, 2 entries)``: what the URL turned out to hold."""
    if fetched.kind != FEED:
        return f"({fetched.kind})"
    count = len(fetched.reports)
    return f"(feed, {count} entr{'y' if count == 1 else 'ies'})"


def _report_json(report: Report) -> dict[str, Any]:
    return {
        "feed": report.feed_id,
        "id": report.report_id,
        "title": report.title,
        "link": report.link,
        "published": iso(report.published),
    }


def _assessments_json(assessments: Sequence[Assessment]) -> dict[str, Any]:
    return {"claims": [_assessment_json(a) for a in assessments]}


def _print_scored(
    console: Console, claims: tuple[Claim, ...], report: Report, assessments: Sequence[Assessment]
) -> None:
    """Which report was scored (feed, id, title, link), then each claim's verdict on it."""
    head: list[str | tuple[str, str]] = [
        ("report", "bold"),
        f" {plain(report.feed_id)}:{plain(report.report_id)}: ",
        plain(report.title) or "(untitled)",
    ]
    if report.link:
        head += [" ", (plain(report.link), "cyan")]
    console.print(Text.assemble(*head), soft_wrap=True)
    for claim, assessment in zip(claims, assessments, strict=True):
        _print_assessment(console, claim, assessment)


def _assessment_json(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.claim_id,
        "verdict": assessment.verdict.value,
        "score": round(assessment.score, 4),
        "relatedness": round(assessment.relatedness, 4),
        "evidence": [e.to_dict() for e in assessment.evidence],
    }


def _print_assessment(console: Console, claim: Claim, assessment: Assessment) -> None:
    verdict = assessment.verdict.value
    head = Text.assemble(
        (plain(claim.id), "bold"),
        ": ",
        (verdict.upper(), VERDICT_STYLE.get(verdict, "bold")),
        " · ",
        verdict_meaning(claim, assessment),
    )
    print_indented(console, head, 0, hang=2)
    print_indented(console, Text(f"claim: {plain(claim.statement)}"), 2, hang=7)
    for span in assessment.evidence:
        print_indented(console, Text(f"- [{span.stance.value}] {plain(span.sentence)}"), 2, 2)
        print_indented(console, Text(f"why: {plain(span.why)}", style="dim"), 4, hang=5)


def verdict_meaning(claim: Claim, assessment: Assessment) -> str:
    """What the verdict and its score mean, in words: the score is the engine's confidence in
    the verdict shown, never a measure of confirmation or contradiction by itself."""
    score, related = assessment.score, assessment.relatedness
    if assessment.verdict is Verdict.UNRELATED:
        return f"not about this claim (relatedness {related:.2f})"
    sure = f"confidence {score:.2f} in this verdict, relatedness {related:.2f}"
    if assessment.verdict is Verdict.NEUTRAL:
        return f"about the claim, takes no side; {sure}"
    threshold = alert_threshold(claim)
    if assessment.verdict is Verdict.DISPUTED or score >= threshold:
        return f"{sure}; counts: can move the claim and alert (threshold {threshold:.2f})"
    return f"{sure}; too unsure to move the claim or alert (threshold {threshold:.2f})"


# --- evidence ------------------------------------------------------------------------------------


def _evidence(args: argparse.Namespace) -> int:
    config: Config = load_config(args.config)
    claim = config.claim(args.claim_id)
    store = open_store(args, config)
    rows = list(reversed(history.evidence_timeline(store.engine, claim.id)))
    sources = history.independent_sources(store.engine, [claim.id])[claim.id]
    change = history.last_change(store.engine, claim.id)
    state = history.stored_state(store.engine, claim.id)
    names = {f.id: f.label for f in config.feeds}
    if args.json:
        emit(
            {
                "claim": {
                    "id": claim.id,
                    "statement": claim.statement,
                    "state": state.value,
                    "sources": sources,
                    "last_change": change_json(change),
                },
                "evidence": [_evidence_json(r, names) for r in rows],
            }
        )
        return 0
    console = make_console()
    console.print(Text.assemble((claim.id, "bold"), ": ", plain(claim.statement)))
    console.print(
        Text.assemble(
            "state ",
            (state.value, STATE_STYLE.get(state.value, "bold")),
            f" · {len(rows)} item(s) · {sources} independent source(s)",
        )
    )
    for row in rows:
        _print_evidence(console, row, names)
    return 0


def _evidence_json(row: history.EvidenceRow, names: dict[str, str]) -> dict[str, Any]:
    analyst = row.analyst
    return {
        "id": row.id,
        "verdict": row.verdict.value,
        "engine_verdict": row.machine.value,
        "analyst": None
        if analyst is None
        else {
            "verdict": analyst.verdict.value,
            "by": analyst.analyst,
            "at": iso(analyst.at),
            "note": analyst.note,
        },  # fmt: skip
        "score": round(row.score, 4),
        "feed_id": row.feed_id,
        "feed": names.get(row.feed_id, row.feed_id),
        "report_id": row.report_id,
        "title": row.title,
        "link": row.link,
        "published": iso(row.published),
        "recorded": iso(row.recorded),
        "spans": [s.to_dict() for s in row.spans],
    }


def _print_evidence(console: Console, row: history.EvidenceRow, names: dict[str, str]) -> None:
    # soft_wrap: long titles and URLs wrap in the terminal instead of being cut into pieces
    verdict = row.verdict.value
    headline: list[str | tuple[str, str]] = [
        (f"#{row.id} ", "dim"),
        (verdict.upper(), VERDICT_STYLE.get(verdict, "dim")),
        ": ",
        plain(row.title),
    ]
    if row.link:
        headline += [" ", (plain(row.link), "cyan")]
    console.print()
    console.print(Text.assemble(*headline), soft_wrap=True)
    feed = plain(names.get(row.feed_id, row.feed_id))
    console.print(
        Text(f"  {stamp(row.published)} · {feed} · score {row.score:.2f}", style="dim"),
        soft_wrap=True,
    )
    if row.analyst is not None:
        said = row.analyst
        note = f": {plain(said.note)}" if said.note else ""
        console.print(
            Text(
                f"  engine: {row.machine.value} · analyst: {said.verdict.value} "
                f"({plain(said.analyst)}, {stamp(said.at)}){note}",
                style="bold",
            ),
            soft_wrap=True,
        )
    for span in row.spans:
        print_indented(console, Text(f"- [{span.stance.value}] {plain(span.sentence)}"), 2, 2)
        reasons = _span_reasons(span.cue, span.alias, span.matched, span.attribution)
        if reasons:
            print_indented(console, Text(reasons, style="dim"), 4)


def _span_reasons(cue: str | None, alias: str | None, matched: str | None, who: str | None) -> str:
    parts = []
    if cue:
        parts.append(f"cue '{plain(cue)}'")
    if alias:
        seen = f" (as '{plain(matched)}')" if matched and matched != alias else ""
        parts.append(f"alias '{plain(alias)}'{seen}")
    if who:
        parts.append(f"according to {plain(who)}")
    return " · ".join(parts)
