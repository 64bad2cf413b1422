"""One worker process: ``python -m monitors.workers.worker``, started by ``monitors.workers.pool``.

It reads jobs from stdin and writes answers to stdout, each frame an 8-byte big-endian length and
a pickle, until stdin closes. A job is a top-level function and its arguments; unpickling the
function imports its module, so a worker that only parses imports the parser and nothing else
(0.1 s, about 23 MB), and never what the run imported (Prefect). Pickle is safe here: both ends
are our own processes; feed bytes travel inside the frame as data.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import Any, BinaryIO

FRAME_HEADER = struct.Struct(">Q")


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


def answer_of(payload: bytes) -> tuple[bool, Any]:
    """(True, what the job's function returned) or (False, why it raised)."""
    try:
        function, args = pickle.loads(payload)
        return True, function(*args)
    except Exception as exc:  # a bug fails this job, not the worker
        return False, f"{type(exc).__name__}: {exc}"


def serve(jobs: BinaryIO, answers: BinaryIO) -> None:
    while (payload := read_frame(jobs)) is not None:
        answers.write(frame(pickle.dumps(answer_of(payload), protocol=pickle.HIGHEST_PROTOCOL)))
        answers.flush()


def main() -> int:
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    serve(sys.stdin.buffer, protocol_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
