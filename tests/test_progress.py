"""A long decide says how far it got, every few seconds, and once at the end."""

from __future__ import annotations

from monitors.models import Claim, Report
from monitors.pipeline import assess
from monitors.progress import Throttled


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_lines_come_every_two_seconds_and_once_at_the_end() -> None:
    clock, said = Clock(), []
    tick = Throttled(said.append, every_s=2.0, clock=clock)
    for done in range(1, 801):
        clock.now += 0.01  # 8 s for 800 reports
        tick(done, 800)
    assert 4 == len(said)  # at 2, 4 and 6 s, then the end at 8 s
    assert "deciding: 200 of 800 reports (25%), 2 s" == said[0]
    assert "deciding: 800 of 800 reports (100%), 8 s" == said[-1]


def test_a_quick_step_says_nothing() -> None:
    clock, said = Clock(), []
    tick = Throttled(said.append, clock=clock)
    for done in range(1, 11):
        clock.now += 0.01
        tick(done, 10)
    assert [] == said


def test_assess_reports_each_report_done() -> None:
    claim = Claim("gornal", "Russian forces recaptured Gornal", aliases=("Gornal",))
    reports = [Report("f", str(n), f"Report {n} about Gornal", "text") for n in range(3)]
    seen: list[tuple[int, int]] = []
    assess([claim], reports, lambda done, total: seen.append((done, total)))
    assert [(1, 3), (2, 3), (3, 3)] == seen
