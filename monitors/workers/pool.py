"""A few light worker processes of our own (``monitors.workers.worker``), driven from asyncio.

feedparser is CPU-bound (about 5 MB/s a core) and so is reading reports against claims, so a big
cycle does both on every core. Not a ``multiprocessing`` pool: a forked worker starts as a copy of
the run's process, and under Prefect that made the bench's first cycle peak at 443 MB for the
process tree against 302 MB for the same steps without Prefect (measured with the bench farm,
1,000 feeds); spawn and forkserver import the run's ``__main__`` again in every worker, which for
``claimwatch run`` is Prefect (2-4 s a worker, measured). A worker here imports only what its jobs
need (a parser: 0.1 s, 23 MB).

A job is a top-level function and its arguments (both pickled). A worker that dies (a crash, the
OOM killer) fails the job it was running with ``WorkerDied``, and a new worker takes its place for
the next job. A job cancelled mid-way (the run's poll budget ran out) kills its worker, whose
pipe would otherwise carry a stale answer to the next job.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from monitors.workers.worker import FRAME_HEADER, frame

T = TypeVar("T")

# The directory holding the ``monitors`` package, so a worker imports the same code as the run,
# installed or not.
_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])
_STOP_SECONDS = 5.0  # a worker told to stop (stdin closed) is killed if still alive after this


class WorkerDied(Exception):
    """The worker process ended before answering."""


class JobFailed(Exception):
    """The job's function raised in the worker (the message names the exception)."""


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def run(self, payload: bytes) -> tuple[bool, Any]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(frame(payload))
            await stdin.drain()
            (size,) = FRAME_HEADER.unpack(await stdout.readexactly(FRAME_HEADER.size))
            answer: tuple[bool, Any] = pickle.loads(await stdout.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise WorkerDied(f"exit code {await self._exit_code()}") from exc
        return answer

    async def _exit_code(self) -> int | None:
        try:
            return await asyncio.wait_for(self.process.wait(), 1.0)
        except TimeoutError:
            return None

    async def stop(self) -> None:
        if self.process.returncode is not None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), _STOP_SECONDS)
        except TimeoutError:
            self.kill()
            await self.process.wait()

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


async def _start_worker(python: str) -> _Worker:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_SOURCE_ROOT, env.get("PYTHONPATH")) if p)
    process = await asyncio.create_subprocess_exec(
        python,
        "-m",
        "monitors.workers.worker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    return _Worker(process)


class WorkerPool:
    """``workers`` processes, started on the first job; one job per worker at a time.
    ``python``: the interpreter to run them with (this one)."""

    def __init__(self, workers: int, python: str = sys.executable) -> None:
        self.workers = workers
        self._python = python
        # None wakes the jobs waiting for a worker when the last one died and none could start.
        self._idle: asyncio.Queue[_Worker | None] = asyncio.Queue()
        self._all: list[_Worker] = []
        self._first_start: asyncio.Task[None] | None = None
        self._starting: set[asyncio.Task[None]] = set()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker; raises ``WorkerDied`` or ``JobFailed``."""
        payload = pickle.dumps((function, args), pickle.HIGHEST_PROTOCOL)
        worker = await self._take()
        try:
            ok, answer = await worker.run(payload)
        except BaseException:  # died, or cancelled mid-job (its answer would reach the next job)
            self._replace(worker)
            raise
        self._release(worker)
        if not ok:
            raise JobFailed(answer)
        result: T = answer
        return result

    async def _take(self) -> _Worker:
        if self._first_start is None:  # one start for every job that waits on it
            self._first_start = asyncio.get_running_loop().create_task(self._start_all())
        await self._first_start  # raises, for every job, if the workers could not start
        worker = await self._idle.get() if self._all or self._starting else None
        if worker is None:
            self._idle.put_nowait(None)  # for the next job waiting
            raise WorkerDied("no worker left, and none could be started")
        return worker

    async def _start_all(self) -> None:
        for _ in range(self.workers):
            self._add(await _start_worker(self._python))

    def _add(self, worker: _Worker) -> None:
        self._all.append(worker)
        self._release(worker)

    def _release(self, worker: _Worker) -> None:
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.remove(worker)
        starting = asyncio.get_running_loop().create_task(self._start_replacement())
        self._starting.add(starting)
        starting.add_done_callback(self._starting.discard)

    async def _start_replacement(self) -> None:
        try:
            self._add(await _start_worker(self._python))
        except Exception:  # the jobs hear of it as WorkerDied: no one awaits this task
            if not self._all and len(self._starting) <= 1:  # this start was the last hope
                self._idle.put_nowait(None)

    async def close(self) -> None:
        if self._first_start is not None:
            await asyncio.gather(self._first_start, return_exceptions=True)
        await asyncio.gather(*self._starting, return_exceptions=True)
        await asyncio.gather(*(w.stop() for w in self._all))
        self._all.clear()
