"""monitors.workers: jobs run in our own light worker processes (real processes, real pipes)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from monitors.ingest.parse import parse_job
from monitors.workers.pool import JobFailed, WorkerDied, WorkerPool
from tests.fixtures.feed_server import atom_feed, rss_feed

URL = "https://news.example/feed.xml"


def _bodies(count: int) -> list[bytes]:
    bodies = []
    for i in range(count):
        items = [
            {"guid": f"g{i}-{k}", "title": f"Report {k} of feed {i}", "description": f"Body {k}"}
            for k in range(5)
        ]
        if i % 2:
            atom = [
                {"id": e["guid"], "title": e["title"], "summary": e["description"]} for e in items
            ]
            bodies.append(atom_feed(atom))
        else:
            bodies.append(rss_feed(items))
    return bodies


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def test_workers_give_the_reports_parsed_here_in_order() -> None:
    """Ten bodies parsed at once on 2 workers: each answer is the one parse_job gives here."""
    bodies = [*_bodies(10), b"<html><body>not a feed</body></html>"]

    async def run() -> list[object]:
        pool = WorkerPool(2)
        try:
            jobs = [pool.run(parse_job, f"f{i}", body, {}, URL) for i, body in enumerate(bodies)]
            return [outcome for outcome, _ in await asyncio.gather(*jobs)]
        finally:
            await pool.close()

    here = [parse_job(f"f{i}", body, {}, URL)[0] for i, body in enumerate(bodies)]
    assert here == asyncio.run(run())
    assert isinstance(here[-1], str) and "not an RSS or Atom feed" in here[-1]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_a_worker_is_light_and_gone_after_close() -> None:
    """A worker imports the parser only (not the run's Prefect): well under a forked copy's
    ~150 MB. After close no worker process is left."""

    async def run() -> tuple[list[int], list[int | None]]:
        pool = WorkerPool(2)
        await pool.run(parse_job, "f", _bodies(1)[0], {}, URL)
        sizes = [_rss_kb(w.process.pid) for w in pool._all]
        workers = list(pool._all)
        await pool.close()
        return sizes, [w.process.returncode for w in workers]

    sizes, codes = asyncio.run(run())
    assert len(sizes) == 2 and max(sizes) < 80_000, sizes
    assert codes == [0, 0]


def test_a_dead_worker_fails_its_job_and_is_replaced() -> None:
    """Workers killed (SIGKILL, as the OOM killer does): the jobs sent to them raise WorkerDied
    with the exit code; the next jobs run in new workers."""

    async def run() -> tuple[list[BaseException | object], list[object]]:
        pool = WorkerPool(2)
        try:
            body = _bodies(1)[0]
            await asyncio.gather(
                *(pool.run(parse_job, f"warm{i}", body, {}, URL) for i in range(2))
            )
            for worker in pool._all:
                os.kill(worker.process.pid, signal.SIGKILL)
                await worker.process.wait()
            jobs = (pool.run(parse_job, f"d{i}", body, {}, URL) for i in range(2))
            during = list(await asyncio.gather(*jobs, return_exceptions=True))
            jobs = (pool.run(parse_job, f"a{i}", body, {}, URL) for i in range(4))
            after = [outcome for outcome, _ in await asyncio.gather(*jobs)]
            return during, after
        finally:
            await pool.close()

    during, after = asyncio.run(run())
    assert all(isinstance(o, WorkerDied) and "exit code -9" in str(o) for o in during), during
    assert all(isinstance(o, tuple) and len(o) == 5 for o in after), after


def test_a_job_that_raises_fails_alone() -> None:
    """The function raising in the worker is JobFailed naming the exception; the worker goes on."""

    async def run() -> tuple[str, int]:
        pool = WorkerPool(1)
        try:
            with pytest.raises(JobFailed) as failed:
                await pool.run(int, "not a number")
            return str(failed.value), await pool.run(int, "42")
        finally:
            await pool.close()

    message, value = asyncio.run(run())
    assert message.startswith("ValueError: invalid literal for int()") and value == 42


def test_a_job_cancelled_mid_way_does_not_leak_its_answer_to_the_next() -> None:
    """The run's budget cancels a parse in flight: the next job gets its own reports."""
    big = rss_feed(
        [{"guid": f"big-{k}", "title": f"Big {k}", "description": "x " * 200} for k in range(3000)]
    )
    small = _bodies(1)[0]

    async def run() -> object:
        pool = WorkerPool(1)
        try:
            await pool.run(
                parse_job, "warm", small, {}, URL
            )  # the worker is up: the cancel hits the job
            job = asyncio.ensure_future(pool.run(parse_job, "big", big, {}, URL))
            await asyncio.sleep(0.05)
            job.cancel()
            with pytest.raises(asyncio.CancelledError):
                await job
            outcome, _ = await pool.run(parse_job, "small", small, {}, URL)
            return outcome
        finally:
            await pool.close()

    outcome = asyncio.run(run())
    assert isinstance(outcome, tuple) and [r.feed_id for r in outcome] == ["small"] * 5


def test_workers_that_cannot_start_fail_every_job_without_hanging() -> None:
    """No interpreter at the path: each of several jobs waiting together raises at once."""

    async def run() -> list[BaseException | object]:
        pool = WorkerPool(2, python="/nonexistent/python")
        try:
            jobs = (pool.run(int, "1") for _ in range(3))
            return list(await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), 10))
        finally:
            await pool.close()

    assert all(isinstance(o, FileNotFoundError) for o in asyncio.run(run()))


def test_the_last_worker_dead_and_no_replacement_fails_the_waiting_jobs() -> None:
    """The only worker is killed and its replacement cannot start (the interpreter is gone):
    the jobs queued behind it raise WorkerDied instead of waiting for ever."""

    async def run() -> list[BaseException | object]:
        pool = WorkerPool(1)
        try:
            assert 1 == await pool.run(int, "1")
            pool._python = "/nonexistent/python"  # what a vanished interpreter looks like
            os.kill(pool._all[0].process.pid, signal.SIGKILL)
            await pool._all[0].process.wait()
            jobs = (pool.run(int, "2") for _ in range(3))
            return list(await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), 10))
        finally:
            await pool.close()

    outcomes = asyncio.run(run())
    assert all(isinstance(o, WorkerDied) for o in outcomes), outcomes
