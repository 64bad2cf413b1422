"""The README's "Correcting the machine" example runs as written and prints what it shows.

The block is read from README.md itself: every ``$ claimwatch ...`` line is run in-process on the
demo's defaults (``$CLAIMWATCH_HOME`` in a temporary directory, after one demo run), and every
line the README shows under it must appear in what the command printed (``...`` stands for
anything: times that change from run to run).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from flows.cli import main
from monitors.paths import DEMO_CONFIG_DIR
from scripts import plain_run

ROOT = Path(__file__).resolve().parents[1]
SECTION = "### Correcting the machine"


def readme_block() -> list[tuple[list[str], list[str]]]:
    """The section's first console block: (command words, the lines shown under it)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    block = section[section.index("```console\n") + len("```console\n") :]
    block = block[: block.index("```")]
    steps: list[tuple[list[str], list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((shlex.split(line[2:]), []))
        elif line.strip():
            steps[-1][1].append(line)
    return steps


def shown_as_pattern(line: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(line).replace(re.escape("..."), ".*") + "$", re.MULTILINE)


def test_the_feedback_loop_in_the_readme_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLAIMWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLAIMWATCH_CONFIG", raising=False)
    monkeypatch.delenv("CLAIMWATCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # the README shows unwrapped lines
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    url = f"sqlite:///{tmp_path / 'home' / 'claimwatch.db'}"
    (tmp_path / "home").mkdir()
    assert 0 == plain_run.run(str(DEMO_CONFIG_DIR), url)  # the README's `claimwatch run`
    capsys.readouterr()

    steps = readme_block()
    assert len(steps) >= 4 and all(words[0] == "claimwatch" for words, _ in steps)
    for words, shown in steps:
        assert 0 == main(words[1:]), words
        out = capsys.readouterr().out
        missing = [line for line in shown if not shown_as_pattern(line).search(out)]
        assert [] == missing, f"{shlex.join(words)} printed:\n{out}"
    assert (tmp_path / "feedback.csv").exists()
