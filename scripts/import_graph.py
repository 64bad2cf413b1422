"""Which part of claimwatch imports which, read from the source (every import, lazy ones too).

    python -m scripts.import_graph

prints one line per unit (a top-level module such as ``monitors.policy``, or a subpackage such as
``monitors.stance``) with the units it imports, then the rules' verdicts; it exits 1 when a rule is
broken. The rules: ``monitors`` and ``alerts`` never import Prefect; ``monitors`` never imports
``alerts`` or ``flows``, and ``alerts`` never imports ``flows`` (the layers point one way); no two
units import each other, directly or through others; no module imports itself through others.
``tests/test_imports.py`` checks the same rules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("monitors", "alerts", "flows")
LOWER_LAYERS = {"monitors": (), "alerts": ("monitors",), "flows": ("monitors", "alerts")}
NO_PREFECT = ("monitors", "alerts")

Graph = Mapping[str, set[str]]


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> source file, for every module of our packages."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported_names(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` anywhere in the file names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def module_graph(files: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports."""
    return {name: imported_names(path) & files.keys() - {name} for name, path in files.items()}


def unit_of(module: str, files: Mapping[str, Path]) -> str:
    """``monitors.stance.judge`` -> ``monitors.stance``; ``monitors.policy`` stays itself."""
    head = ".".join(module.split(".")[:2])
    is_package = head in files and files[head].name == "__init__.py"
    return head if is_package else module


def unit_graph(modules: Graph, files: Mapping[str, Path]) -> dict[str, set[str]]:
    units: dict[str, set[str]] = {}
    for source, targets in modules.items():
        home = unit_of(source, files)
        units.setdefault(home, set()).update(unit_of(t, files) for t in targets)
        units[home].discard(home)
    return units


def cycles(graph: Graph) -> list[list[str]]:
    """Every cycle a depth-first walk meets, each as the path that closes it."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def prefect_imports(files: Mapping[str, Path]) -> list[str]:
    """``module: prefect...`` for every Prefect import in a package that must not have one."""
    return [
        f"{name}: {imported}"
        for name, path in files.items()
        if name.split(".")[0] in NO_PREFECT
        for imported in sorted(imported_names(path))
        if imported == "prefect" or imported.startswith("prefect.")
    ]


def upward_imports(modules: Graph) -> list[str]:
    """``source -> target`` for every import from a lower layer into a higher one."""
    return [
        f"{source} -> {target}"
        for source, targets in sorted(modules.items())
        for target in sorted(targets)
        if target.split(".")[0] != source.split(".")[0]
        and target.split(".")[0] not in LOWER_LAYERS[source.split(".")[0]]
    ]


def problems(root: Path = ROOT) -> list[str]:
    files = module_files(root)
    modules = module_graph(files)
    found = [f"imports Prefect: {line}" for line in prefect_imports(files)]
    found += [f"imports a higher layer: {line}" for line in upward_imports(modules)]
    found += [f"unit cycle: {' -> '.join(c)}" for c in cycles(unit_graph(modules, files))]
    found += [f"module cycle: {' -> '.join(c)}" for c in cycles(modules)]
    return found


def _lines(graph: Graph) -> Iterable[str]:
    for unit in sorted(graph):
        yield f"{unit:<24} -> {', '.join(sorted(graph[unit])) or '(nothing of ours)'}"


def main() -> int:
    files = module_files()
    modules = module_graph(files)
    print(f"{len(files)} modules in {', '.join(PACKAGES)}")
    print("\n".join(_lines(unit_graph(modules, files))))
    found = problems()
    verdict = "ok: no Prefect in monitors/alerts, layers one way, no cycles"
    print("\n".join(found) if found else verdict)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
