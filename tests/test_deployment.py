"""The documented production path, for real: prefect server + process work pool + worker.

Runs exactly the commands docs/deploy.md gives a user (server, work pool, ``prefect deploy --all``,
worker, ``prefect deployment run``), each as a subprocess with its own PREFECT_HOME and an explicit
PREFECT_API_URL, against the loopback feed server, a real aiosmtpd server and a webhook receiver.
Every process started here is stopped by its PID (and its process group) in fixture teardown.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from alerts.signing import verify_signature
from flows.artifacts import artifact_key
from flows.serve import register
from flows.serve_options import ServeOptions
from tests.conftest import REPO_ROOT
from tests.fixtures.configs import write_config as write_test_config
from tests.fixtures.feed_server import FeedServer, rss_feed
from tests.fixtures.smtp_server import SmtpServer, free_port
from tests.fixtures.webhook_receiver import WebhookReceiver

PREFECT = Path(sys.executable).with_name("prefect")
CLAIMWATCH = Path(sys.executable).with_name("claimwatch")
SECRET = "deployment-test-webhook-secret"
GORNAL_TAKEN = {
    "guid": "deploy-1",
    "title": "Russian forces recaptured Gornal, Moscow says",
    "link": "https://news.example/deploy-1",
    "description": "Russia's defence ministry said its troops recaptured the village of Gornal.",
    "pub_date": "Sat, 26 Apr 2025 09:00:00 GMT",
}
START_TIMEOUT_S = 120  # a loaded 2-core CI machine has taken 30 s to bring the server up
RUN_TIMEOUT_S = 150

pytestmark = pytest.mark.skipif(not PREFECT.is_file(), reason=f"prefect CLI not found at {PREFECT}")


@dataclass
class Server:
    api_url: str
    env: dict[str, str]  # what every `prefect ...` subprocess runs with
    logs: Path

    def api(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """One REST call. A 503 is retried for up to ~15 s: the server answers so while its
        SQLite database is busy (seen on a loaded CI machine); Prefect's own client does too."""
        for _ in range(30):
            response = httpx.request(method, self.api_url + path, json=body, timeout=30)
            if response.status_code != 503:
                break
            time.sleep(0.5)
        response.raise_for_status()
        return response.json() if response.content else None

    def cli(self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120) -> str:
        """Run ``prefect ARGS`` from the repository root; fail the test with its output."""
        done = subprocess.run(
            [str(PREFECT), *args],
            cwd=REPO_ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = done.stdout + done.stderr
        assert 0 == done.returncode, f"prefect {' '.join(args)} failed:\n{output[-4000:]}"
        return output


def _start(args: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A child in its own session: SIGTERM reaches it (not ignored as under a shell's `&`)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            args, cwd=REPO_ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM by PID; SIGKILL the process group if it lingers; then reap any stragglers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # e.g. a flow-run child the worker left behind


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""


def _wait_until(check: Any, timeout: float, what: str, logs: Path) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:g}s waiting for {what}; log tail:\n{_tail(logs)}")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real `prefect server start` on a free loopback port with a private PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-server")
    api_url = f"http://127.0.0.1:{free_port()}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home / "home"),
        "PREFECT_API_URL": api_url,
        "PWD": str(REPO_ROOT),  # prefect.yaml's {{ $PWD }}: subprocess cwd= does not set it
        "PREFECT_UI_ENABLED": "false",
        # The scheduler's default loop is a minute; the test wants upcoming runs within seconds.
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
    }
    port = api_url.rsplit(":", 1)[1].removesuffix("/api")
    logs = home / "server.log"
    proc = _start(
        [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", port], env, logs
    )
    try:
        _wait_until(lambda: _healthy(api_url), START_TIMEOUT_S, "the Prefect server", logs)
        yield Server(api_url=api_url, env=env, logs=logs)
    finally:
        _stop(proc)


@dataclass
class Deployed:
    deployments: dict[str, dict[str, Any]]  # "flow/deployment" -> the API's deployment
    upcoming: list[dict[str, Any]]  # scheduled runs of monitor-claims/scheduled, before pausing


@pytest.fixture(scope="module")
def deployed(server: Server) -> Deployed:
    """Work pool created and `prefect deploy --all` run from the repo root, as a user would."""
    server.cli("work-pool", "create", "claimwatch", "--type", "process")
    server.cli("--no-prompt", "deploy", "--all")
    deployments = {_full_name(server, d): d for d in server.api("POST", "/deployments/filter", {})}
    scheduled_id = deployments["monitor-claims/scheduled"]["id"]
    upcoming = _wait_until(
        lambda: _scheduled_runs(server, scheduled_id), 60, "scheduled runs", server.logs
    )
    # The schedules could fire while the worker runs the manual test; pausing deletes their runs.
    server.cli("--no-prompt", "deployment", "schedule", "pause", "--all")
    return Deployed(deployments=deployments, upcoming=upcoming)


def _full_name(server: Server, deployment: dict[str, Any]) -> str:
    flow = server.api("GET", f"/flows/{deployment['flow_id']}")
    return f"{flow['name']}/{deployment['name']}"


def _scheduled_runs(server: Server, deployment_id: str) -> list[dict[str, Any]]:
    body = {
        "deployments": {"id": {"any_": [deployment_id]}},
        "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
    }
    runs: list[dict[str, Any]] = server.api("POST", "/flow_runs/filter", body)
    return runs


@pytest.fixture
def worker(server: Server, deployed: Deployed, tmp_path: Path) -> Iterator[Path]:
    """`prefect worker start --pool claimwatch` with claimwatch's state and secrets in its env."""
    env = {
        **claimwatch_env(server, tmp_path),
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    logs = tmp_path / "worker.log"
    proc = _start([str(PREFECT), "worker", "start", "--pool", "claimwatch"], env, logs)
    try:
        yield logs
    finally:
        _stop(proc)


def claimwatch_env(server: Server, tmp_path: Path) -> dict[str, str]:
    """What a process running claimwatch's flows needs: its data, database and webhook secret."""
    return {
        **server.env,
        "CLAIMWATCH_HOME": str(tmp_path / "claimwatch-home"),
        "CLAIMWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}",
        "CLAIMWATCH_WEBHOOK_SECRET": SECRET,
    }


def gornal_config(
    tmp_path: Path,
    prefix: str,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> Path:
    """A config over one loopback feed with the Gornal report, and the test's channels."""
    feed_url = feed_server.set_feed(f"{prefix}/{tmp_path.name}.xml", rss_feed([GORNAL_TAKEN]))
    config_dir = tmp_path / "config"
    write_config(config_dir, feed_url, smtp_server.port, webhook_receiver.url)
    return config_dir


def write_config(directory: Path, feed_url: str, smtp_port: int, hook_url: str) -> None:
    """A config like a user's: the webhook secret is ${CLAIMWATCH_WEBHOOK_SECRET}, not a value."""
    secret = "${CLAIMWATCH_WEBHOOK_SECRET}"
    write_test_config(directory, {"wire": feed_url}, smtp_port, hook_url, secret)


def test_deploy_creates_every_deployment_with_schedule_and_concurrency(deployed: Deployed) -> None:
    """`prefect deploy --all` makes four deployments; the monitor's schedule has upcoming runs."""
    assert [
        "deliver-alerts/every-5-minutes",
        "monitor-claims/manual",
        "monitor-claims/scheduled",
        "replay-claims/manual",
    ] == sorted(d for d in deployed.deployments if not d.endswith(SERVED))
    assert len(deployed.upcoming) >= 1
    assert {"Scheduled"} == {run["state_name"] for run in deployed.upcoming}
    for name in ("monitor-claims/scheduled", "monitor-claims/manual"):
        deployment = deployed.deployments[name]
        assert 1 == deployment["global_concurrency_limit"]["limit"]
        assert "CANCEL_NEW" == deployment["concurrency_options"]["collision_strategy"]
    assert str(REPO_ROOT) == _pull_directory(deployed.deployments["monitor-claims/manual"])


def _pull_directory(deployment: dict[str, Any]) -> str:
    step = deployment["pull_steps"][0]["prefect.deployments.steps.set_working_directory"]
    return str(step["directory"])


def test_manual_run_through_worker_alerts_and_publishes_artifacts(
    server: Server,
    worker: Path,
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """`prefect deployment run 'monitor-claims/manual'` completes; email, webhook and artifacts."""
    config_dir = gornal_config(tmp_path, "/deploy", feed_server, smtp_server, webhook_receiver)

    output = server.cli(
        "deployment", "run", "monitor-claims/manual",
        "--param", f"config_dir={config_dir}",
        "--watch", "--watch-timeout", str(RUN_TIMEOUT_S),
        timeout=RUN_TIMEOUT_S + 30,
    )  # fmt: skip

    assert "Flow run finished successfully in 'Completed'." in output, _tail(worker)
    assert ["[claimwatch] CONFIRMED: Russian forces recaptured Gornal"] == [
        m.message["Subject"] for m in smtp_server.messages
    ]
    [request] = webhook_receiver.requests
    assert verify_signature(SECRET, request.headers["x-claimwatch-signature"], request.body)
    assert "gornal-recaptured" == json.loads(request.body)["alert"]["claim"]["id"]
    artifacts = _artifacts_of_latest_manual_run(server)
    slug = artifact_key("", config_dir)  # "-<parent>-config"
    assert {f"claimwatch-run-summary{slug}", f"claimwatch-claims{slug}"} == set(artifacts)
    assert "Russian forces recaptured Gornal" in artifacts[f"claimwatch-run-summary{slug}"]
    states = {row["claim"]: row["state"] for row in artifacts[f"claimwatch-claims{slug}"]}
    assert {"gornal-recaptured": "confirmed", "kursk-control": "unknown"} == states


def _artifacts_of_latest_manual_run(server: Server) -> dict[str, Any]:
    """key -> data for the artifacts of the newest completed flow run of monitor-claims/manual."""
    runs = server.api(
        "POST",
        "/flow_runs/filter",
        {
            "deployments": {"name": {"any_": ["manual"]}},
            "flows": {"name": {"any_": ["monitor-claims"]}},
            "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
            "sort": "EXPECTED_START_TIME_DESC",
            "limit": 1,
        },
    )
    assert 1 == len(runs)
    body = {"artifacts": {"flow_run_id": {"any_": [runs[0]["id"]]}}}
    found = server.api("POST", "/artifacts/filter", body)
    return {a["key"]: _decoded(a["data"]) for a in found}


def _decoded(data: Any) -> Any:
    """Table artifacts come back as a JSON string; markdown as the text itself."""
    if isinstance(data, str) and data.startswith("["):
        return json.loads(data)
    return data


SERVED = "/served-test"  # the deployment `claimwatch serve` registers in the test below


def test_serve_runs_triggered_flow_runs_in_its_own_process(
    server: Server,
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """`claimwatch serve` registers a deployment and runs its flow runs itself: two runs started
    through the API both complete in that one process; the alert goes out once; it stops on
    SIGTERM between runs with exit code 0."""
    config_dir = gornal_config(tmp_path, "/serve", feed_server, smtp_server, webhook_receiver)
    env = claimwatch_env(server, tmp_path)
    logs = tmp_path / "serve.log"
    args = ["serve", "--config", str(config_dir), "--name", SERVED.strip("/"), "--every", "0"]
    proc = _start([str(CLAIMWATCH), *args, "--poll", "0.5"], env, logs)
    try:
        deployment = _wait_until(
            lambda: _deployment_named(server, SERVED.strip("/")), 60, "the deployment", logs
        )
        assert {"config_dir": str(config_dir)} == deployment["parameters"]
        assert deployment["work_pool_name"] is None  # no worker: the serving process runs them
        path = f"/deployments/{deployment['id']}/create_flow_run"
        ids = [server.api("POST", path, {})["id"] for _ in range(2)]
        states = _wait_until(lambda: _final_states(server, ids), RUN_TIMEOUT_S, "the runs", logs)
        assert ["COMPLETED", "COMPLETED"] == states, _tail(logs)
        # The process logs a run's end once the engine returns, just after the API says so.
        lines = [f"({flow_run_id}) ended Completed" for flow_run_id in ids]
        _wait_until(lambda: _logged(logs, lines), 30, "both runs' end in the serve log", logs)
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        code = proc.poll()
        _stop(proc)
    assert 0 == code, _tail(logs)
    assert "claimwatch serve: 2 flow run(s) executed" in logs.read_text(encoding="utf-8")
    assert ["[claimwatch] CONFIRMED: Russian forces recaptured Gornal"] == [
        m.message["Subject"] for m in smtp_server.messages
    ]
    assert 1 == len(webhook_receiver.requests)


def test_serve_starts_a_scheduled_run_on_time_not_a_poll_late(
    server: Server,
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """A run the server has scheduled 12 s ahead starts at its time although the process asks
    for runs only once a minute (`--poll 60`): it waits for the run it knows is coming, not a
    whole poll. Asking and then sleeping a poll would start it ~50 s late."""
    config_dir = gornal_config(tmp_path, "/ontime", feed_server, smtp_server, webhook_receiver)
    env = claimwatch_env(server, tmp_path)
    name = "served-on-time"
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        deployment_id = register(ServeOptions(config_dir=str(config_dir), name=name, every_s=0))
    start = datetime.now(UTC) + timedelta(seconds=12)
    state = {"type": "SCHEDULED", "state_details": {"scheduled_time": start.isoformat()}}
    path = f"/deployments/{deployment_id}/create_flow_run"
    run_id = server.api("POST", path, {"state": state})["id"]
    args = ["serve", "--config", str(config_dir), "--name", name, "--every", "0"]
    logs = tmp_path / "serve.log"
    proc = _start([str(CLAIMWATCH), *args, "--poll", "60", "--max-runs", "1"], env, logs)
    try:
        code = proc.wait(timeout=RUN_TIMEOUT_S)
    finally:
        _stop(proc)
    assert 0 == code, _tail(logs)
    run = server.api("GET", f"/flow_runs/{run_id}")
    assert "COMPLETED" == run["state"]["type"], _tail(logs)
    late = datetime.fromisoformat(run["start_time"]) - start
    assert timedelta(0) <= late < timedelta(seconds=3), (late, _tail(logs))


def _logged(logs: Path, lines: list[str]) -> bool:
    text = logs.read_text(encoding="utf-8", errors="replace")
    return all(line in text for line in lines)


def _deployment_named(server: Server, name: str) -> dict[str, Any] | None:
    found = server.api("POST", "/deployments/filter", {"deployments": {"name": {"any_": [name]}}})
    return found[0] if found else None


def _final_states(server: Server, ids: list[str]) -> list[str] | None:
    """The runs' state types once every one has ended; None while any is still going."""
    states = [server.api("GET", f"/flow_runs/{i}")["state"]["type"] for i in ids]
    final = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
    return states if all(s in final for s in states) else None


def test_two_serve_processes_share_a_deployment_without_running_a_run_twice(
    server: Server,
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    """Two `claimwatch serve` processes on one deployment and one database: of six runs started
    at once each runs in exactly one of them (a run is taken by moving it to Pending, which the
    server grants once), all six complete, and the alert goes out once."""
    config_dir = gornal_config(tmp_path, "/serve2", feed_server, smtp_server, webhook_receiver)
    env = claimwatch_env(server, tmp_path)
    name = "served-pair"
    args = ["serve", "--config", str(config_dir), "--name", name, "--every", "0", "--poll", "0.2"]
    logs = [tmp_path / "serve-a.log", tmp_path / "serve-b.log"]
    procs = [_start([str(CLAIMWATCH), *args], env, log) for log in logs]
    try:
        for log in logs:
            _wait_until(lambda log=log: _logged(log, ["serving deployment"]), 60, "serve", log)
        deployment = _deployment_named(server, name)
        assert deployment is not None
        path = f"/deployments/{deployment['id']}/create_flow_run"
        ids = [server.api("POST", path, {})["id"] for _ in range(6)]
        states = _wait_until(lambda: _final_states(server, ids), RUN_TIMEOUT_S, "runs", logs[0])
        assert ["COMPLETED"] * 6 == states, _tail(logs[0]) + _tail(logs[1])
        ended = [f"({i}) ended Completed" for i in ids]
        _wait_until(lambda: _each_logged_once(logs, ended), 30, "both logs", logs[1])
    finally:
        for proc in procs:
            _stop(proc)
    assert 1 == len(smtp_server.messages)
    assert 1 == len(webhook_receiver.requests)


def _each_logged_once(logs: list[Path], lines: list[str]) -> bool:
    texts = [log.read_text(encoding="utf-8", errors="replace") for log in logs]
    counts = [sum(text.count(line) for text in texts) for line in lines]
    assert all(n <= 1 for n in counts), f"a run ran twice: {counts}"
    return all(n == 1 for n in counts)
