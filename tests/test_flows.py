"""The flows under Prefect's test server: artifacts, dry_run, claim, since, retries, deliver,
replay.

Real loopback feed, SMTP and webhook servers; the flows run for real (``prefect_harness``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from flows.artifacts import CLAIMS_KEY, REPLAY_KEY, SUMMARY_KEY, artifact_key, md_link, md_text
from flows.deliver import deliver_alerts
from flows.monitor import monitor_claims
from flows.params import MonitorParams
from flows.replay import replay_claims
from monitors.models import ClaimState
from monitors.pipeline import RunSummary
from monitors.state import schema
from monitors.state.store import Store
from tests.fixtures.configs import write_config as write_test_config
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.webhook_receiver import WebhookReceiver

KURSK = """  - id: kursk-control
    statement: Russia has regained full control of the Kursk region
    aliases: [Kursk, Kursk region, Курск, Курская область]
    confirm_cues: [regained control, liberated, fully liberated]
    contradict_cues: [still holding positions, operations continue]
"""
GORNAL = """  - id: gornal-recaptured
    statement: Russian forces recaptured Gornal
    aliases: [Gornal, Горналь]
    confirm_cues: [recaptured, retaken]
    contradict_cues: [still holding, remains under Ukrainian control]
"""
GORNAL_TAKEN = {
    "guid": "flows-1",
    "title": "Russian forces recaptured Gornal, Moscow says",
    "link": "https://news.example/flows-1",
    "description": "Russia's defence ministry said its troops recaptured the village of Gornal.",
    "pub_date": "Sat, 26 Apr 2025 09:00:00 GMT",
}
KURSK_LIBERATED = {
    "guid": "flows-2",
    "title": "Moscow says the Kursk region is fully liberated",
    "link": "https://news.example/flows-2",
    "description": "Russia's defence ministry said the Kursk region was fully liberated.",
    "pub_date": "Sat, 26 Apr 2025 10:00:00 GMT",
}
GORNAL_HELD = {
    "guid": "flows-3",
    "title": "Ukraine denies Russia retook Gornal",
    "link": "https://news.example/flows-3",
    "description": "Kyiv said Ukrainian units still hold Gornal.",
    "pub_date": "Sat, 26 Apr 2025 11:00:00 GMT",
}
HOSTILE_TITLE = (
    "Russian forces recaptured Gornal <img src=x onerror=alert(1)> "
    "[click](javascript:alert(1)) **bold** `code` <script>x</script>"
)


@dataclass
class Env:
    config_dir: Path
    database_url: str
    feed_path: str
    feed_server: FeedServer
    smtp: SmtpServer
    hook: WebhookReceiver

    def serve(self, items: list[dict[str, str]]) -> None:
        self.feed_server.set_feed(self.feed_path, rss_feed(items))

    def write(
        self, claims: str = KURSK + GORNAL, extra_feeds: dict[str, str] | None = None
    ) -> None:
        feeds = {"wire": self.feed_server.url(self.feed_path), **(extra_feeds or {})}
        write_config(self.config_dir, claims, feeds, self.smtp.port, self.hook.url)

    def monitor(self, **params: Any) -> tuple[RunSummary, UUID]:
        """One monitor run; returns its summary and flow run id (asserting it Completed)."""
        state = monitor_claims(
            config_dir=str(self.config_dir),
            database_url=self.database_url,
            retry_delay_seconds=0,
            return_state=True,
            **params,
        )
        assert state.is_completed(), state.message
        run_id = state.state_details.flow_run_id
        assert run_id is not None
        return state.result(), run_id

    def store(self) -> Store:
        return Store(self.database_url)


def write_config(
    directory: Path, claims: str, feeds: dict[str, str], smtp_port: int, hook_url: str
) -> None:
    write_test_config(
        directory, feeds, smtp_port, hook_url, "flows-test-secret", f"claims:\n{claims}"
    )


@pytest.fixture
def env(
    prefect_harness: None,
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> Env:
    return Env(
        config_dir=tmp_path / "config",
        database_url=f"sqlite:///{tmp_path / 'state.db'}",
        feed_path=f"/flows/{tmp_path.name}.xml",
        feed_server=feed_server,
        smtp=smtp_server,
        hook=webhook_receiver,
    )


def artifacts_of(flow_run_id: UUID) -> dict[str, Any]:
    """key -> data of the artifacts one flow run published."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    only_run = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=only_run)
    return {_base_key(str(a.key)): _decoded(a.data) for a in found}


def _base_key(key: str) -> str:
    """``claimwatch-run-summary-<config>`` -> ``claimwatch-run-summary`` (every key names one)."""
    for base in (SUMMARY_KEY, CLAIMS_KEY, REPLAY_KEY):
        if key.startswith(base + "-"):
            return base
    raise AssertionError(f"artifact key {key!r} names no config")


def task_names(flow_run_id: UUID) -> list[str]:
    """The task names (not run names) of one flow run's task runs."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    only_run = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=only_run)
    return sorted(run.name.rsplit("-", 1)[0] for run in runs)


def _decoded(data: Any) -> Any:
    """Table artifacts are stored as a JSON string; markdown as the text itself."""
    return json.loads(data) if isinstance(data, str) and data.startswith("[") else data


def test_md_text_neutralises_markdown_and_html() -> None:
    """Links, emphasis, code and tags in feed text come out as character references: literal
    text in any renderer, with no backslash for a UI to show."""
    expected = "&#91;x&#93;(javascript:alert(1)) &#42;b&#42; &#96;c&#96; &lt;img src=x&gt; a&amp;b"
    assert expected == md_text("[x](javascript:alert(1))\n*b* `c` <img src=x> a&b")
    # Punctuation that starts no markup mid-line is left as it is.
    assert "Ruse. For Putin (2025) - a #1 story!" == md_text("Ruse. For Putin (2025) - a #1 story!")
    assert "\\" not in md_text("a\\b _c_ ~d~ |e|") and "&#92;" in md_text("a\\b")


def test_md_link_renders_only_http_links() -> None:
    """An http(s) link is rendered with parentheses encoded; javascript: or a space: no link."""
    assert "[a&#95;b](https://x.example/p%28q%29r)" == md_link("a_b", "https://x.example/p(q)r")
    assert "t" == md_link("t", "javascript:alert(1)")
    assert "t" == md_link("t", "https://x.example/p(q) r")  # not a link in any other channel


def test_artifact_keys_name_the_config(tmp_path: Path) -> None:
    """Two desks on one server keep their own latest artifacts; keys are what Prefect allows."""
    a = artifact_key(SUMMARY_KEY, tmp_path / "Desk A" / "config")
    b = artifact_key(SUMMARY_KEY, tmp_path / "desk_b" / "config")
    assert ("claimwatch-run-summary-desk-a-config", "claimwatch-run-summary-desk-b-config") == (
        a,
        b,
    )
    assert re.fullmatch(r"[a-z0-9-]+", artifact_key(CLAIMS_KEY, tmp_path / "Ünï" / "ДЕСК"))


def test_run_publishes_escaped_summary_and_claims_table(env: Env) -> None:
    """A run's markdown lists the change with escaped feed text; the table has every claim."""
    env.serve([{**GORNAL_TAKEN, "title": HOSTILE_TITLE, "link": "javascript:alert(1)"}])
    env.write(extra_feeds={"gone": env.feed_server.url("/status/404")})
    summary, run_id = env.monitor()
    assert (1, 2) == (summary.alerts_queued, summary.alerts_sent)

    artifacts = artifacts_of(run_id)
    markdown = artifacts["claimwatch-run-summary"]
    assert "unknown → **confirmed**" in markdown
    assert "Time: poll 0." in markdown  # numbers are not backslash-escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in markdown
    for raw in ("<img", "<script", "](javascript", "[click]", "**bold**", "`code`"):
        assert raw not in markdown
    assert "- gone: gone: HTTP 404" in markdown
    rows = {row["claim"]: row for row in artifacts["claimwatch-claims"]}
    assert ["kursk-control", "gornal-recaptured"] == list(rows)
    assert ("confirmed", 1) == (
        rows["gornal-recaptured"]["state"],
        rows["gornal-recaptured"]["confirming"],
    )
    assert "unknown" == rows["kursk-control"]["state"]


def test_run_with_no_changes_completes_and_says_so(env: Env) -> None:
    """A second run over the same feed finds nothing new, sends nothing and ends Completed."""
    env.serve([GORNAL_TAKEN])
    env.write()
    env.monitor()
    summary, run_id = env.monitor()
    assert (0, 0, 0) == (summary.new_reports, summary.alerts_queued, summary.alerts_sent)
    markdown = artifacts_of(run_id)["claimwatch-run-summary"]
    assert "## Claims whose state changed\n\nNone." in markdown
    assert 1 == len(env.smtp.messages)


def test_dry_run_stores_and_sends_nothing_but_reports_what_would_alert(env: Env) -> None:
    """dry_run decides for real, writes and sends nothing, and its summary names the alert."""
    env.serve([GORNAL_TAKEN])
    env.write()
    summary, run_id = env.monitor(dry_run=True)
    assert (1, 0) == (summary.alerts_queued, summary.alerts_sent)
    assert ([], []) == (env.smtp.messages, env.hook.requests)
    store = env.store()
    assert [] == store.outbox()
    assert [ClaimState.UNKNOWN] * 2 == [s.state for s in store.claim_statuses(_claims(env))]
    markdown = artifacts_of(run_id)["claimwatch-run-summary"]
    assert markdown.startswith("# claimwatch run (dry run: nothing stored or sent)")
    assert "1 would be queued" in markdown


def test_claim_parameter_decides_only_that_claim(env: Env) -> None:
    """With claim=gornal-recaptured a Kursk report leaves no evidence for kursk-control."""
    env.serve([GORNAL_TAKEN, KURSK_LIBERATED])
    env.write()
    summary, _ = env.monitor(claim="gornal-recaptured")
    assert {"gornal-recaptured"} == _evidence_claims(env)
    assert ["gornal-recaptured"] * summary.alerts_queued == [
        item.alert.claim_id for item in env.store().outbox() if item.channel == "desk-hook"
    ]


def test_since_ignores_older_reports(env: Env) -> None:
    """Reports published before ``since`` are not decided; newer ones are."""
    env.serve([GORNAL_TAKEN, KURSK_LIBERATED])
    env.write()
    summary, _ = env.monitor(since=datetime(2025, 4, 26, 9, 30, tzinfo=UTC))
    assert 1 == summary.new_reports
    assert "gornal-recaptured" not in _evidence_claims(env)


def test_only_transient_feed_failures_are_retried_and_none_fails_the_run(env: Env) -> None:
    """A 500 is fetched 1 + retries times; a 404 and a 429 with Retry-After once; run Completed."""
    env.serve([GORNAL_TAKEN])
    tag = env.feed_path.rsplit("/", 1)[1]
    paths = {
        "broken": f"/status/500?t={tag}",
        "gone": f"/status/404?t={tag}",
        "busy": f"/retry-after/429?after=120&t={tag}",
    }
    env.write(extra_feeds={k: env.feed_server.url(p) for k, p in paths.items()})
    summary, run_id = env.monitor(fetch_retries=2)
    fetched = {k: sum(1 for t, _ in env.feed_server.requests if t == p) for k, p in paths.items()}
    assert {"broken": 3, "gone": 1, "busy": 1} == fetched
    assert ["poll-feeds"] == [n for n in task_names(run_id) if n.startswith("poll")]
    assert ["broken", "busy", "gone"] == sorted(summary.feeds_failed)
    assert "HTTP 500" in summary.feeds_failed["broken"]
    assert (["wire"], 2) == (summary.feeds_ok, summary.alerts_sent)
    # The next run leaves all three alone (backoff, Retry-After) and says so.
    again, _ = env.monitor(fetch_retries=2)
    refetched = {k: sum(1 for t, _ in env.feed_server.requests if t == p) for k, p in paths.items()}
    assert (fetched, ["broken", "busy", "gone"]) == (refetched, sorted(again.feeds_waiting))
    assert (
        "not polled: waiting (backoff, Retry-After): broken, gone, busy; disabled (410): none"
        in again.lines()
    )


def test_invalid_parameters_are_rejected_with_the_field_named(env: Env) -> None:
    """A negative retry count fails before anything runs, naming fetch_retries."""
    env.write()
    with pytest.raises(ValidationError, match="fetch_retries"):
        monitor_claims(
            config_dir=str(env.config_dir), database_url=env.database_url, fetch_retries=-1
        )


def test_since_without_a_zone_means_utc() -> None:
    """A zone-less ``since`` (as typed on a command line) is read as UTC, not rejected later."""
    since = MonitorParams.model_validate({"since": "2025-04-26T09:30:00"}).since
    assert datetime(2025, 4, 26, 9, 30, tzinfo=UTC) == since


def test_deliver_flow_drains_what_a_run_queued(env: Env) -> None:
    """A run with deliver=False queues; deliver_alerts sends each alert once on both channels."""
    env.serve([GORNAL_TAKEN])
    env.write()
    summary, _ = env.monitor(deliver=False)
    assert (1, 0, []) == (summary.alerts_queued, summary.alerts_sent, env.smtp.messages)
    first = deliver_alerts(config_dir=str(env.config_dir), database_url=env.database_url)
    again = deliver_alerts(config_dir=str(env.config_dir), database_url=env.database_url)
    assert (2, 0, 0) == (first.sent, first.pending, again.sent)
    assert (1, 1) == (len(env.smtp.messages), len(env.hook.requests))


def test_replay_reports_a_new_claim_and_sends_only_when_asked(env: Env) -> None:
    """A claim added later: replay shows it would alert, sends nothing; send=True delivers it."""
    env.serve([GORNAL_TAKEN])
    env.write(claims=KURSK)
    env.monitor()
    env.write(claims=KURSK + GORNAL)
    args: dict[str, Any] = {"config_dir": str(env.config_dir), "database_url": env.database_url}

    state = replay_claims(**args, claim="gornal-recaptured", return_state=True)
    dry = state.result()
    assert (1, ["gornal-recaptured"], False) == (
        dry.reports,
        [a.claim_id for a in dry.alerts],
        dry.sent,
    )
    assert ([], [], []) == (env.smtp.messages, env.hook.requests, env.store().outbox())
    assert state.state_details.flow_run_id is not None
    replayed = artifacts_of(state.state_details.flow_run_id)["claimwatch-replay"]
    assert "1 alerts would have queued" in replayed

    sent = replay_claims(**args, claim="gornal-recaptured", send=True)
    assert (1, True) == (len(sent.alerts), sent.sent)
    assert (1, 1) == (len(env.smtp.messages), len(env.hook.requests))


def _claims(env: Env) -> list[Any]:
    from flows.config import load_config

    return list(load_config(env.config_dir).claims)


def _evidence_claims(env: Env) -> set[str]:
    with env.store().engine.connect() as conn:
        return {row.claim_id for row in conn.execute(schema.evidence.select())}


class _InFlight(BaseHTTPRequestHandler):
    """Serves a small feed slowly and records the most requests it ever had open at once."""

    lock = threading.Lock()
    open_now = 0
    most = 0

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.open_now += 1
            cls.most = max(cls.most, cls.open_now)
        time.sleep(0.5)
        body = rss_feed([{"guid": self.path, "title": "Grain harvest forecast raised"}])
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with cls.lock:
            cls.open_now -= 1

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.mark.parametrize("concurrency", [1, 3])
def test_fetch_concurrency_bounds_parallel_polls(
    prefect_harness: None, tmp_path: Path, concurrency: int
) -> None:
    """fetch.concurrency in feeds.yaml caps how many feeds are polled at the same time."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _InFlight)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _InFlight.most = 0
    base = f"http://127.0.0.1:{server.server_address[1]}"
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "claims.yaml").write_text(f"claims:\n{KURSK}", encoding="utf-8")
    feeds = "".join(f"  - id: f{n}\n    url: {base}/feed-{n}\n" for n in range(6))
    (config_dir / "feeds.yaml").write_text(
        f"feeds:\n{feeds}fetch:\n  concurrency: {concurrency}\n", encoding="utf-8"
    )
    try:
        summary = monitor_claims(
            config_dir=str(config_dir), database_url=f"sqlite:///{tmp_path / 'state.db'}"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert 6 == len(summary.feeds_ok)
    assert _InFlight.most <= concurrency
    assert concurrency == 1 or _InFlight.most > 1  # and the cap is not a serial loop


def claimwatch_events(since: datetime, expected: int, wait_s: float = 20.0) -> list[dict[str, Any]]:
    """claimwatch.* events that occurred since ``since``, oldest first, read back from the
    Prefect server; waits until ``expected`` have arrived (events are sent asynchronously)."""
    from prefect.client.orchestration import get_client

    query = {
        "filter": {
            "event": {"prefix": ["claimwatch."]},
            "occurred": {"since": since.isoformat()},
            "order": "ASC",
        },
        "limit": 50,
    }
    deadline = time.monotonic() + wait_s
    while True:
        with get_client(sync_client=True) as client:
            response = client._client.post("/events/filter", json=query)
        response.raise_for_status()
        events: list[dict[str, Any]] = response.json()["events"]
        if len(events) >= expected or time.monotonic() > deadline:
            return events
        time.sleep(0.25)


def test_state_changes_are_emitted_as_prefect_events_once(env: Env) -> None:
    """A run that moves a claim emits claimwatch.claim.<state> for it, naming the state before
    it and how many changes the run made; a rerun with nothing new emits nothing, a dry run
    emits nothing."""
    started = datetime.now(UTC)
    env.serve([GORNAL_TAKEN])
    env.write()
    env.monitor()
    env.monitor()
    env.serve([GORNAL_TAKEN, GORNAL_HELD])
    env.monitor(dry_run=True)
    env.monitor()

    events = claimwatch_events(started, expected=2)
    new_state = {s.claim_id: s.state for s in env.store().claim_statuses(_claims(env))}
    later = new_state["gornal-recaptured"]
    assert ClaimState.CONFIRMED != later
    assert [
        ("claimwatch.claim.confirmed", "unknown"),
        (f"claimwatch.claim.{later.value}", "confirmed"),
    ] == [(e["event"], e["payload"]["previous_state"]) for e in events]
    for event in events:
        assert "claimwatch.claim.gornal-recaptured" == event["resource"]["prefect.resource.id"]
        assert "wire" == event["payload"]["feed"]
        assert 1 == event["payload"]["changes"]


def test_channel_secret_read_from_a_prefect_secret_block(env: Env) -> None:
    """A webhook secret written as ${secret:NAME} is read from the Prefect Secret block NAME on
    the run's server: the delivered request verifies with the block's value."""
    from prefect.blocks.system import Secret

    from alerts.signing import verify_signature

    key = "flows-block-held-webhook-key"
    Secret(value=key).save("flows-hook-key", overwrite=True)
    env.serve([GORNAL_TAKEN])
    feeds = {"wire": env.feed_server.url(env.feed_path)}
    claims = f"claims:\n{KURSK + GORNAL}"
    write_test_config(env.config_dir, feeds, env.smtp.port, env.hook.url,
                      "${secret:flows-hook-key}", claims)  # fmt: skip
    summary, _ = env.monitor()
    assert 2 == summary.alerts_sent
    [request] = env.hook.requests
    assert verify_signature(key, request.headers["x-claimwatch-signature"], request.body)
    assert not verify_signature("${secret:flows-hook-key}", request.headers[
        "x-claimwatch-signature"], request.body)  # fmt: skip


def test_missing_secret_block_is_named_with_how_to_create_it(prefect_harness: None) -> None:
    from flows.secrets import prefect_secret

    with pytest.raises(LookupError) as info:
        prefect_secret("flows-no-such-block")
    assert "no Prefect Secret block named 'flows-no-such-block'" in str(info.value)
    assert "Secret(value=...).save('flows-no-such-block')" in str(info.value)


def test_table_artifacts_keep_cyrillic_as_cyrillic() -> None:
    """Prefect's own table artifact escapes it (``\\u041c...`` in ``prefect artifact inspect``)."""
    from flows.artifacts import Utf8TableArtifact

    artifact = Utf8TableArtifact(key="k", table=[{"latest_report": "Минобороны: Курская область"}])
    data = artifact.format()
    assert '"Минобороны: Курская область"' in data and "\\u" not in data
    assert [{"latest_report": "Минобороны: Курская область"}] == json.loads(data)


def test_a_run_called_in_process_sends_its_own_heartbeats_not_prefects(env: Env) -> None:
    """``own_heartbeats`` (claimwatch run): one prefect.flow-run.heartbeat for the run, sent by
    the body as it starts, with the flow as related resource; Prefect's own thread stays off, or
    it would have sent a second one at the same moment."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.heartbeat import HEARTBEAT_EVENT, own_heartbeats

    env.serve([GORNAL_TAKEN])
    env.write()
    started = datetime.now(UTC)
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 60}), own_heartbeats():
        _, run_id = env.monitor()
    query = {
        "filter": {
            "event": {"name": [HEARTBEAT_EVENT]},
            "any_resource": {"id": [f"prefect.flow-run.{run_id}"]},
            "occurred": {"since": started.isoformat()},
        },
        "limit": 10,
    }
    deadline = time.monotonic() + 20
    events: list[dict[str, Any]] = []
    while not events and time.monotonic() < deadline:
        time.sleep(0.25)
        with get_client(sync_client=True) as client:
            events = client._client.post("/events/filter", json=query).json()["events"]
    time.sleep(1.0)  # a second heartbeat, if Prefect also sent one, arrives with the first
    with get_client(sync_client=True) as client:
        events = client._client.post("/events/filter", json=query).json()["events"]
    assert 1 == len(events)
    roles = {r["prefect.resource.role"]: r for r in events[0]["related"]}
    assert "monitor-claims" == roles["flow"]["prefect.resource.name"]


def test_summary_lines_are_logged_in_few_records_that_keep_every_line() -> None:
    from flows.monitor import log_blocks

    lines = [f"line {i}: " + "x" * (i % 7) for i in range(500)]
    blocks = log_blocks(lines, max_chars=1_000)
    assert lines == "\n".join(blocks).split("\n")
    assert all(len(b) <= 1_000 for b in blocks)
    assert len(blocks) < len(lines) / 10
    assert ["a" * 50, "b"] == log_blocks(["a" * 50, "b"], max_chars=10)  # a long line: its own
    assert [] == log_blocks([])
