"""One parser process: ``python -m monitors.ingest.parse_worker``, started by ``parse_pool``.

It reads jobs from stdin and writes outcomes to stdout, each frame an 8-byte big-endian length
and a pickle, until stdin closes. It imports the parser and nothing else (0.1 s, about 23 MB),
so it neither copies the run's process nor imports what the run imported (Prefect). Pickle is
safe here: both ends are our own processes; feed bytes travel inside the frame as data.
"""

from __future__ import annotations

import pickle
import struct
import sys
import time
from collections.abc import Mapping
from typing import BinaryIO

from monitors.errors import ParseError
from monitors.ingest.parse import parse_feed
from monitors.models import Report

FRAME_HEADER = struct.Struct(">Q")

Outcome = tuple[tuple[Report, ...] | str, float]


def parse_job(feed_id: str, body: bytes, headers: Mapping[str, str], url: str) -> Outcome:
    """One body's reports, or why it is not a feed, and the seconds parsing took. The error goes
    back as text: our exceptions do not survive pickling (their __init__ takes two args)."""
    started = time.perf_counter()
    try:
        outcome: tuple[Report, ...] | str = tuple(parse_feed(feed_id, body, headers, base_url=url))
    except ParseError as exc:
        outcome = str(exc)
    return outcome, time.perf_counter() - started


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's payload, or None at end of input."""
    header = stream.read(FRAME_HEADER.size)
    if len(header) < FRAME_HEADER.size:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def frame(payload: bytes) -> bytes:
    return FRAME_HEADER.pack(len(payload)) + payload


def serve(jobs: BinaryIO, outcomes: BinaryIO) -> None:
    while (payload := read_frame(jobs)) is not None:
        feed_id, body, headers, url = pickle.loads(payload)
        try:
            outcome = parse_job(feed_id, body, headers, url)
        except Exception as exc:  # a parser bug fails this feed, not the worker
            outcome = (f"{feed_id}: parser failed: {type(exc).__name__}: {exc}", 0.0)
        outcomes.write(frame(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)))
        outcomes.flush()


def main() -> int:
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    serve(sys.stdin.buffer, protocol_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
