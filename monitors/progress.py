"""Progress of a long step, said every few seconds: a run deciding 800 reports for 30 s must not
look hung. The step calls ``tick(done, total)`` as often as it likes; a line is written at most
every ``every_s`` seconds, and once at the end if anything was said before it."""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[int, int], None]  # (done, total)


class Throttled:
    """A ``Progress`` that writes ``"<what>: 400 of 800 reports (50%), 12 s"`` lines."""

    def __init__(
        self,
        write: Callable[[str], None],
        what: str = "deciding",
        every_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.write, self.what, self.every_s, self.clock = write, what, every_s, clock
        self.started = clock()
        self.last_said: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        finished = done >= total
        due = now - (self.last_said or self.started) >= self.every_s
        if (finished and self.last_said is not None) or (due and not finished):
            self.last_said = now
            share = 100 * done // total if total else 100
            self.write(
                f"{self.what}: {done} of {total} reports ({share}%), {now - self.started:.0f} s"
            )
