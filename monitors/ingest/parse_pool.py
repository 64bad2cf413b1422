"""Feed bodies parsed in a few light worker processes of our own (``parse_worker``).

feedparser is CPU-bound (about 5 MB/s a core), so a big cycle parses on every core. Not a
``multiprocessing`` pool: a forked worker starts as a copy of the run's process, and under
Prefect that made the bench's first cycle peak at 443 MB for the process tree against 302 MB for
the same steps without Prefect (measured with the bench farm, 1,000 feeds); spawn and forkserver
import the run's ``__main__`` again in every worker, which for ``claimwatch run`` is Prefect (2-4 s
a worker, measured). A ``parse_worker`` imports only the parser (0.1 s, 23 MB).

A worker that dies (a crash, the OOM killer) fails the feed it was parsing with that reason, and a
new worker takes its place for the next feed. A job cancelled mid-way (the run's poll budget ran
out) kills its worker, whose pipe would otherwise carry a stale answer.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import sys
from collections.abc import Mapping
from pathlib import Path

from monitors.ingest.parse_worker import FRAME_HEADER, Outcome, frame

# The directory holding the ``monitors`` package, so a worker imports the same code as the run,
# installed or not.
_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])
_STOP_SECONDS = 5.0  # a worker told to stop (stdin closed) is killed if still alive after this


class WorkerDied(Exception):
    """The worker process ended before answering."""


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def run(self, payload: bytes) -> Outcome:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(frame(payload))
            await stdin.drain()
            (size,) = FRAME_HEADER.unpack(await stdout.readexactly(FRAME_HEADER.size))
            answer: Outcome = pickle.loads(await stdout.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            code = await self._exit_code()
            raise WorkerDied(f"exit code {code}") from exc
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


async def _start_worker() -> _Worker:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_SOURCE_ROOT, env.get("PYTHONPATH")) if p)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "monitors.ingest.parse_worker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    return _Worker(process)


class ParsePool:
    """``workers`` parser processes, started on the first job; one job per worker at a time."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: list[_Worker] = []
        self._starting: set[asyncio.Task[None]] = set()

    async def parse(
        self, feed_id: str, body: bytes, headers: Mapping[str, str], url: str
    ) -> Outcome:
        payload = pickle.dumps((feed_id, body, dict(headers), url), pickle.HIGHEST_PROTOCOL)
        worker = await self._take()
        try:
            outcome = await worker.run(payload)
        except WorkerDied as exc:
            self._replace(worker)
            return f"{feed_id}: the parser process died while parsing this feed ({exc})", 0.0
        except BaseException:  # cancelled mid-job: its answer would reach the next job
            self._replace(worker)
            raise
        self._release(worker)
        return outcome

    async def _take(self) -> _Worker:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.workers):
                self._add(await _start_worker())
        return await self._idle.get()

    def _add(self, worker: _Worker) -> None:
        self._all.append(worker)
        self._release(worker)

    def _release(self, worker: _Worker) -> None:
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.remove(worker)
        starting = asyncio.get_running_loop().create_task(self._start_replacement())
        self._starting.add(starting)
        starting.add_done_callback(self._starting.discard)

    async def _start_replacement(self) -> None:
        self._add(await _start_worker())

    async def close(self) -> None:
        await asyncio.gather(*self._starting, return_exceptions=True)
        await asyncio.gather(*(w.stop() for w in self._all))
        self._all.clear()
