"""The bench's cycles through ``claimwatch serve`` (one long-lived process), and the plain steps
in one long-lived process, next to the per-process paths ``scripts.bench`` times.

Used by ``scripts.bench`` (``--skip-served`` leaves it out); needs ``PREFECT_API_URL`` (a running
server: ``claimwatch serve`` refuses a temporary one). Per cycle, like ``time_product.py``: 1 all
200 on fresh state, 2 all 304, 3+ after ``GET /__epoch`` (K feeds changed).

- served: ``claimwatch serve --every 0 --poll 0.2`` is started once; its start-up (imports and
  registering the deployment) is timed apart. Each cycle creates a flow run of its deployment
  scheduled 1 s ahead, as the server creates a schedule's runs ahead, and waits for it to end:
  the wall runs from the time the run was scheduled for to the moment this process sees it
  ended (up to 50 ms late), so it includes a late start (printed) and Prefect's whole run.
  Peak RSS is the serve process tree's, sampled every 50 ms during the cycle.
- plain, in one process (``--plain-loop``, this module run as a child): the same steps as
  ``scripts.plain_run``, called once per cycle in one interpreter, so Prefect's share of a warm
  cycle can be read off against the served one.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]
DEPLOYMENT = "bench-served"
POLL_S = "0.2"
LEAD_S = 1.0  # each cycle's run is scheduled this far ahead (more than a poll)
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def api(base: str, method: str, path: str, body: Json | None = None) -> Any:
    """One call to the Prefect server's REST API; a 503 (a server still starting, or its SQLite
    busy) is retried for up to ~10 s."""
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(20):
        request = urllib.request.Request(base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # the loopback server
                raw = response.read()
            return json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or attempt == 19:
                raise
            time.sleep(0.5)
    return None


def time_served(
    exe: str, config: pathlib.Path, work: pathlib.Path, farm_url: str, cycles: int, timeout: float
) -> Json:
    """Every cycle through one ``claimwatch serve`` process (module docstring)."""
    base = os.environ["PREFECT_API_URL"].rstrip("/")
    state = _fresh(work, config)
    cmd = [exe, "serve", "--config", str(work / "config"), "--database-url", f"sqlite:///{state}"]
    cmd += ["--name", DEPLOYMENT, "--every", "0", "--poll", POLL_S]
    log_path = work / "serve.log"
    log = log_path.open("wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(lambda: _serving(log_path, proc), timeout, "claimwatch serve to start serving")
        out: Json = {"startup_s": time.perf_counter() - t0, "cycles": []}
        deployment = _deployment(base)
        for cycle in range(1, cycles + 1):
            if cycle >= 3:
                urllib.request.urlopen(farm_url + "/__epoch", timeout=60).read()
            out["cycles"].append(_served_cycle(base, deployment, proc.pid, cycle, timeout))
            done = out["cycles"][-1]
            late = "?" if done["started_late_s"] is None else f"{done['started_late_s']:.2f}"
            print(
                f"served cycle {cycle}: {done['wall_s']:.2f} s (started {late} s late)", flush=True
            )
        return out
    finally:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _fresh(work: pathlib.Path, config: pathlib.Path) -> pathlib.Path:
    shutil.rmtree(work, ignore_errors=True)
    (work / "state").mkdir(parents=True)
    shutil.copytree(config, work / "config")
    return work / "state" / "cw.db"


def _serving(log: pathlib.Path, proc: subprocess.Popen[bytes]) -> bool:
    """The process has registered its deployment and polls for runs (its log says so)."""
    if proc.poll() is not None:
        raise SystemExit(f"claimwatch serve exited {proc.returncode}; see {log}")
    return f"serving deployment monitor-claims/{DEPLOYMENT}" in log.read_text(errors="replace")


def _deployment(base: str) -> str:
    body = {"deployments": {"name": {"any_": [DEPLOYMENT]}}}
    [found] = api(base, "POST", "/deployments/filter", body)
    return str(found["id"])


def _served_cycle(base: str, deployment: str, pid: int, cycle: int, timeout: float) -> Json:
    """One flow run, scheduled ``LEAD_S`` ahead as the schedule's runs are; its wall runs from
    the time it was scheduled for to the moment this process sees it ended."""
    peak = _Peak(pid)
    start = datetime.now(UTC) + timedelta(seconds=LEAD_S)
    state = {"type": "SCHEDULED", "state_details": {"scheduled_time": start.isoformat()}}
    path = f"/deployments/{deployment}/create_flow_run"
    run = api(base, "POST", path, {"state": state})
    ended = _wait(lambda: _ended(base, run["id"]), timeout, f"served cycle {cycle}")
    wall = (datetime.now(UTC) - start).total_seconds()
    done = api(base, "GET", f"/flow_runs/{run['id']}")
    began = done["start_time"]  # None when the run never started (it crashed first)
    late = None if began is None else (datetime.fromisoformat(began) - start).total_seconds()
    return {
        "cycle": cycle,
        "wall_s": wall,
        "started_late_s": late,
        "state": ended,
        "peak_tree_rss_mb": peak.stop(),
    }


def _ended(base: str, flow_run_id: str) -> str | None:
    state = api(base, "GET", f"/flow_runs/{flow_run_id}")["state"]["type"]
    return str(state) if state in FINAL else None


def _wait(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise SystemExit(f"timed out after {timeout:g} s waiting for {what}")


class _Peak:
    """Peak RSS of a process tree, sampled every 50 ms until ``stop``."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._done.is_set():
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs) / 2**20)
            self._done.wait(0.05)

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak


def time_plain_loop(
    config: pathlib.Path, work: pathlib.Path, farm_url: str, cycles: int, timeout: float
) -> Json:
    """Every cycle through the plain steps in one child interpreter (``--plain-loop``)."""
    state = _fresh(work, config)
    cmd = [sys.executable, "-m", "scripts.bench_served", "--plain-loop", str(work / "config")]
    cmd += [f"sqlite:///{state}", farm_url, str(cycles)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * cycles)
    if done.returncode:
        raise SystemExit(f"the plain loop failed:\n{done.stderr[-3000:]}")
    result: Json = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _plain_loop(config: str, database_url: str, farm_url: str, cycles: int) -> None:
    t0 = time.perf_counter()
    from scripts.plain_run import run

    out: Json = {"startup_s": time.perf_counter() - t0, "cycles": []}
    for cycle in range(1, cycles + 1):
        if cycle >= 3:
            urllib.request.urlopen(farm_url + "/__epoch", timeout=60).read()
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            rc = run(config, database_url)
        out["cycles"].append({"cycle": cycle, "wall_s": time.perf_counter() - started, "rc": rc})
    print(json.dumps(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--plain-loop", nargs=4, metavar=("CONFIG", "DB_URL", "FARM", "CYCLES"))
    args = parser.parse_args(argv)
    if not args.plain_loop:
        parser.error("run by scripts.bench; alone it only takes --plain-loop")
    config, database_url, farm_url, cycles = args.plain_loop
    _plain_loop(config, database_url, farm_url, int(cycles))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
