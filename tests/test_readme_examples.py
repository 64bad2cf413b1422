"""The README's command examples run as written on the demo.

Two blocks are read from README.md itself and every ``claimwatch`` command in them is run in
order, in-process, on the demo's defaults (``$CLAIMWATCH_HOME`` in a temporary directory, after
one demo run): the block under "What the demo shows" and the operator's view. Each must exit 0.
(The feedback loop's block, with its outputs, is ``tests/test_readme_feedback.py``; blocks that
need ``../shared``, a Prefect server or minutes of work, such as ``eval`` and ``scripts.bench``,
are measured elsewhere.)
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
BLOCKS = {
    "## What the demo shows": "```sh\n",
    "## The operator's view": "```console\n",
}
_COMMENT = re.compile(r"\s{2,}#.*$")  # "$ claimwatch feeds   # feed health ..." -> the command


def commands(heading: str, fence: str) -> list[list[str]]:
    """The ``claimwatch`` commands of the first ``fence`` block under ``heading``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading + "\n") :]
    block = section[section.index(fence) + len(fence) :]
    block = block[: block.index("```")]
    found = []
    for line in block.splitlines():
        line = _COMMENT.sub("", line.removeprefix("$ ").strip())
        words = shlex.split(line) if line and not line.startswith("#") else []
        if words and words[0] in ("claimwatch", ".venv/bin/claimwatch"):
            found.append(words[1:])
    return found


@pytest.fixture
def demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """The demo after one run, on its defaults, in a working directory of its own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("CLAIMWATCH_HOME", str(home))
    for name in ("CLAIMWATCH_CONFIG", "CLAIMWATCH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert 0 == plain_run.run(str(DEMO_CONFIG_DIR), f"sqlite:///{home / 'claimwatch.db'}")
    capsys.readouterr()
    return tmp_path


@pytest.mark.parametrize(("heading", "fence"), list(BLOCKS.items()), ids=["demo", "operator"])
def test_every_command_of_the_block_runs_as_written(
    demo: Path, capsys: pytest.CaptureFixture[str], heading: str, fence: str
) -> None:
    found = commands(heading, fence)
    assert len(found) >= 5, f"no commands found under {heading!r}: the test reads nothing"
    for words in found:
        try:
            code = main(words)
        except SystemExit as exc:  # --version exits through argparse
            code = int(exc.code or 0)
        out = capsys.readouterr()
        assert 0 == code, f"claimwatch {shlex.join(words)} exited {code}:\n{out.err[-2000:]}"
