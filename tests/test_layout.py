"""The package's shape (issue #10): imports flow one way, no circles, small modules.

Imports are read from the source with ``ast``, including imports inside functions,
which hide circles from Python but not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GIS = Path(__file__).resolve().parent.parent / "gis"


def _modules() -> dict[str, Path]:
    out = {}
    for f in GIS.rglob("*.py"):
        parts = list(f.relative_to(GIS.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


MODULES = _modules()


def _target(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rsplit(".", 1)[0] if "." in name else ""
    return name or None


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (anywhere in the file)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                names = [f"{stem}.{a.name}" for a in node.names]
            for n in names:
                t = _target(n)
                if t and t != mod and t.startswith("gis"):
                    graph[mod].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                group = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    group.append(x)
                    if x == v:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_checker_sees_a_circle_hidden_in_a_function() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_counting_imports_inside_functions() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(
    "above", ["gis.maps", "gis.cli", "gis.analysis", "gis.indicators", "gis.importer"]
)
def test_render_imports_nothing_above_itself(above: str) -> None:
    graph = import_graph()
    bad = {
        m: sorted(t for t in ts if t == above or t.startswith(above + "."))
        for m, ts in graph.items()
        if m.startswith("gis.render")
    }
    assert {m: ts for m, ts in bad.items() if ts} == {}


def test_render_and_maps_are_where_the_tree_says() -> None:
    for mod in ("gis.render.plan", "gis.render.palette", "gis.maps.compose", "gis.maps.publish"):
        assert mod in MODULES


def test_no_module_over_600_lines() -> None:
    long = {
        m: n
        for m, p in MODULES.items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}, long
