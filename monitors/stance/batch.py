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

_engines: dict[str, StanceEngine] = {}  # in a worker: the engine of the claims last sent


def assess_texts(claims_blob: bytes, texts: Sequence[Text]) -> list[Compact]:
    """Worker job: each text's assessments in ``StanceEngine.compact`` form."""
    key = hashlib.sha256(claims_blob).hexdigest()
    engine = _engines.get(key)
    if engine is None:
        _engines.clear()
        engine = _engines[key] = StanceEngine(pickle.loads(claims_blob))
    return [engine.compact(engine.assess_all(title, summary)) for title, summary in texts]


def assess_many(
    engine: StanceEngine,
    texts: Sequence[Text],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    workers_from: int = WORKERS_FROM,
) -> list[tuple[Assessment, ...]]:
    """``engine.assess_all`` of every text, in order; in worker processes when there are at least
    ``workers_from`` texts. ``progress(done)`` after each report (in-process) or chunk."""
    count = min(MAX_WORKERS, os.cpu_count() or 1) if workers is None else workers
    if count < 1 or len(texts) < workers_from:
        found = []
        for title, summary in texts:
            found.append(engine.assess_all(title, summary))
            if progress is not None:
                progress(len(found))
        return found
    compact = asyncio.run(_in_workers(engine, texts, count, progress))
    return [engine.expand(c) for c in compact]


async def _in_workers(
    engine: StanceEngine,
    texts: Sequence[Text],
    workers: int,
    progress: Callable[[int], None] | None,
) -> list[Compact]:
    """The chunks in ``workers`` processes; a chunk whose worker died is read here instead."""
    blob = pickle.dumps(tuple(engine.claims), pickle.HIGHEST_PROTOCOL)
    chunks = [list(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    answers: list[list[Compact]] = [[] for _ in chunks]
    pending: Iterator[int] = iter(range(len(chunks)))
    done = 0
    pool = WorkerPool(workers)

    async def drain() -> None:  # one per worker: a chunk is pickled only when a worker is free
        nonlocal done
        for index in pending:
            try:
                answers[index] = await pool.run(assess_texts, blob, chunks[index])
            except WorkerDied:  # the OOM killer, say: nothing is lost, it takes longer
                answers[index] = [engine.compact(engine.assess_all(*t)) for t in chunks[index]]
            done += len(chunks[index])
            if progress is not None:
                progress(done)

    try:
        await asyncio.gather(*(drain() for _ in range(workers)))
    finally:
        await pool.close()
    return [c for answer in answers for c in answer]
