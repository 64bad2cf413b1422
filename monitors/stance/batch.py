"""Many reports assessed against the claims on every core: a worker job, and what sends it.

Reading 50,000 reports against 100 claims takes about 3.7 s on one core (the bench farm's first
cycle), and the run's process has nothing else to do meanwhile. Above ``WORKERS_FROM`` reports
the texts go to ``monitors.workers`` processes in chunks; each worker builds the engine once per
set of claims. An answer carries only the assessments that differ from the engine's shared
"unrelated" ones (most of 100 claims, for most reports), so the reports x claims matrix never
crosses a pipe; ``StanceEngine.expand`` puts the shared objects back. Below the bar the start of
the workers (about 0.4 s, importing the engine) would cost more than it saves.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator, Sequence

from monitors.models import Assessment
from monitors.stance.engine import Compact, StanceEngine
from monitors.workers.pool import WorkerDied, WorkerPool

# Reports. Estimated: 2 workers save ~37 us a report of the ~74 us one core takes, against
# ~0.45 s to start them, so they pay from ~12,000 reports.
WORKERS_FROM = 10_000
CHUNK = 1_000  # reports per job: progress every chunk, and little held in flight
MAX_WORKERS = 2

Text = tuple[str, str]  # a report's title and summary
Found = tuple[Assessment, ...]  # one report's assessments, one per claim
# Called with the index of the first report and the assessments of the reports from there on,
# in order and each report once, as soon as they are known (see ``assess_many``).
Ready = Callable[[int, list[Found]], None]

_engines: dict[str, StanceEngine] = {}  # in a worker: the engine of the claims last sent


def assess_texts(claims_blob: bytes, texts: Sequence[Text]) -> list[Compact]:
    """Worker job: each text's assessments in ``StanceEngine.compact`` form."""
    key = hashlib.sha256(claims_blob).hexdigest()
    engine = _engines.get(key)
    if engine is None:
        _engines.clear()
        engine = _engines[key] = StanceEngine(pickle.loads(claims_blob))
    return [engine.compact(engine.assess_all(title, summary)) for title, summary in texts]


def in_workers(texts: int, workers: int | None = None, workers_from: int = WORKERS_FROM) -> bool:
    """Whether ``assess_many`` reads this many texts in worker processes."""
    return _worker_count(workers) >= 1 and texts >= workers_from


def _worker_count(workers: int | None) -> int:
    return min(MAX_WORKERS, os.cpu_count() or 1) if workers is None else workers


def assess_many(
    engine: StanceEngine,
    texts: Sequence[Text],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    workers_from: int = WORKERS_FROM,
    ready: Ready | None = None,
    chunk: int = CHUNK,
) -> list[Found]:
    """``engine.assess_all`` of every text, in order; in worker processes when there are at least
    ``workers_from`` texts. ``progress(done)`` after each report (in-process) or chunk.
    ``ready(start, found)``: each run of reports as soon as it and every report before it are
    read (per chunk in workers, so the caller can use the first ones while the workers read the
    rest; at the end in-process); an exception it raises stops the reading. ``chunk``: reports
    per worker job."""
    if not in_workers(len(texts), workers, workers_from):
        found = []
        for title, summary in texts:
            found.append(engine.assess_all(title, summary))
            if progress is not None:
                progress(len(found))
        if ready is not None:
            ready(0, found)
        return found
    count = _worker_count(workers)
    return asyncio.run(_in_workers(engine, texts, count, progress, ready, chunk))


async def _in_workers(
    engine: StanceEngine,
    texts: Sequence[Text],
    workers: int,
    progress: Callable[[int], None] | None,
    ready: Ready | None,
    size: int,
) -> list[Found]:
    """The chunks in ``workers`` processes; a chunk whose worker died is read here instead."""
    blob = pickle.dumps(tuple(engine.claims), pickle.HIGHEST_PROTOCOL)
    chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
    answers: list[list[Found] | None] = [None for _ in chunks]
    pending: Iterator[int] = iter(range(len(chunks)))
    done, told = 0, 0  # reports read; chunks handed to ``ready``

    def tell_ready() -> None:  # the chunks read so far, in order
        nonlocal told
        while told < len(chunks) and (answer := answers[told]) is not None:
            if ready is not None:
                ready(told * size, answer)
            told += 1

    async def drain() -> None:  # one per worker: a chunk is pickled only when a worker is free
        nonlocal done
        for index in pending:
            try:
                compact = await pool.run(assess_texts, blob, chunks[index])
            except WorkerDied:  # the OOM killer, say: nothing is lost, it takes longer
                compact = [engine.compact(engine.assess_all(*t)) for t in chunks[index]]
            answers[index] = [engine.expand(c) for c in compact]
            done += len(chunks[index])
            if progress is not None:
                progress(done)
            tell_ready()

    pool = WorkerPool(workers)
    drains = [asyncio.ensure_future(drain()) for _ in range(workers)]
    try:
        await asyncio.gather(*drains)
    except BaseException:  # the others stop too, rather than read every chunk left in here
        for task in drains:
            task.cancel()
        await asyncio.gather(*drains, return_exceptions=True)
        raise
    finally:
        await pool.close()
    return [found for answer in answers if answer is not None for found in answer]
