"""The shape of the code: layers point one way, no cycles, no Prefect below flows/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scripts import import_graph
from tests.conftest import REPO_ROOT


def test_the_repository_breaks_no_import_rule() -> None:
    """Every module's imports (lazy ones too) keep the rules of scripts/import_graph.py."""
    assert [] == import_graph.problems()


def test_every_package_and_subpackage_is_seen() -> None:
    """The walk finds the layout's units, so the rules are not checked on an empty graph."""
    files = import_graph.module_files()
    units = set(import_graph.unit_graph(import_graph.module_graph(files), files))
    expected = {"monitors.stance", "monitors.state", "monitors.ingest", "monitors.evaluate"}
    assert expected | {"alerts.render", "flows.cli", "flows.monitor"} <= units


def test_importing_monitors_and_alerts_loads_no_prefect() -> None:
    """In a fresh interpreter, importing every monitors/alerts module leaves Prefect unloaded."""
    names = [n for n in import_graph.module_files() if n.split(".")[0] in ("monitors", "alerts")]
    names = [n for n in names if not n.endswith("__main__")]  # runs the evaluation CLI
    code = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'prefect')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert [] == json.loads(done.stdout)


def _write(root: Path, name: str, source: str) -> None:
    path = root / (name.replace(".", "/") + ".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")


def test_each_rule_is_caught(tmp_path: Path) -> None:
    """A tree that breaks every rule gets one line per break (the check can fail)."""
    for package in ("monitors", "alerts", "flows", "monitors/state"):
        _write(tmp_path, f"{package.replace('/', '.')}.__init__", "")
    _write(tmp_path, "monitors.policy", "from monitors.state import store\n")
    _write(tmp_path, "monitors.state.store", "from monitors import policy\n")
    _write(tmp_path, "monitors.text", "def f():\n    import prefect\n")
    _write(tmp_path, "alerts.deliver", "from flows.monitor import x\n")
    _write(tmp_path, "flows.monitor", "x = 1\n")
    expected = [
        "imports Prefect: monitors.text: prefect",
        "imports a higher layer: alerts.deliver -> flows.monitor",
        "unit cycle: monitors.policy -> monitors.state -> monitors.policy",
        "module cycle: monitors.policy -> monitors.state.store -> monitors.policy",
    ]
    assert expected == import_graph.problems(tmp_path)
