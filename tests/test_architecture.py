"""The shape of the package (issue #10): imports flow one way, no circles, small modules.

Every module under ``gis/`` is parsed with :mod:`ast`. Its imports of the project's own
modules are: ``import``/``from … import`` at the top, inside functions and under
``if TYPE_CHECKING`` (a type needed from above is still a dependency on above), relative and
absolute, plus a string naming a project module exactly (``importlib.import_module("gis.x")``
hides an import in a string). ``from pkg import name`` is an import of ``pkg.name`` when that is
a module, else of ``pkg``.

Layers, from the top (a module may import from its own level and below). A module's layer is
that of its top-level name under ``gis`` (``gis.render.palette`` is ``render``):

4. front ends: ``cli``, ``notebook``, ``__main__``, and ``gis`` itself (``gis/__init__.py``)
3. ``maps``
2. ``analysis``, ``indicators``, ``importer``, ``render``, and ``classify`` (class breaks and
   their colours for ``maps/styles``, colours from ``render/palette``), ``osm`` (fetches a
   layer's geometry, as the importer does)
1. ``readers``, ``layers``, ``catalog``, ``crs``, ``districts``, and ``io`` (atomic writes),
   ``table_out`` and ``vector_out`` (writers), ``names`` (name folding), ``basemaps`` (tile
   sources and their datum), ``layer_schema`` (field vocabularies)
0. ``settings``, ``errors``

A new top-level module must be given a layer here (:data:`LAYER`); a test says so.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gis"
MAX_LINES = 600

_LEVELS = {
    4: "cli notebook __main__",  # "" (gis/__init__.py) is added below
    3: "maps",
    2: "analysis indicators importer render classify osm",
    1: "readers layers catalog crs districts io table_out vector_out names basemaps layer_schema",
    0: "settings errors",
}
#: Top-level name under gis -> its layer (higher imports lower).
LAYER: dict[str, int] = {"": 4} | {n: lvl for lvl, names in _LEVELS.items() for n in names.split()}
#: What render/ may never import, though some share its level: it only draws a MapPlan
#: (gis/render/plan.py), it neither computes nor loads what the plan shows.
RENDER_MUST_NOT_IMPORT = {"maps", "cli", "notebook", "analysis", "indicators", "importer"}


@dataclass(frozen=True)
class Edge:
    """``src`` imports ``dst`` at ``src``'s line ``line`` (``how``: top, function, string)."""

    src: str
    dst: str
    line: int
    how: str

    def __str__(self) -> str:
        return f"{self.src} -> {self.dst} (line {self.line}, {self.how})"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    return {module_name(p, package.parent): p for p in sorted(package.rglob("*.py"))}


def component(module: str) -> str:
    """The top-level name under ``gis`` ('' for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _known(name: str, known: set[str]) -> str | None:
    """The longest prefix of a dotted name that is a project module."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        cand = ".".join(parts[:n])
        if cand in known:
            return cand
    return None


def _scopes(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node with whether it sits inside a function."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, inside = stack.pop()
        yield node, inside
        nested = inside or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        stack.extend((child, nested) for child in ast.iter_child_nodes(node))


def imports_of(module: str, source: str, known: set[str], *, is_package: bool) -> list[Edge]:
    """The project modules ``module`` imports (see the module docstring for what counts)."""
    package = module if is_package else module.rpartition(".")[0]
    root = module.split(".")[0]
    edges: list[Edge] = []

    def add(target: str | None, node: ast.AST, how: str) -> None:
        edge = Edge(module, target or "", getattr(node, "lineno", 0), how)
        if target and target != module and edge not in edges:
            edges.append(edge)

    for node, inside in _scopes(ast.parse(source)):
        how = "function" if inside else "top"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == root:
                    add(_known(alias.name, known), node, how)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                full = ".".join([*base, *([node.module] if node.module else [])])
            else:
                full = node.module or ""
            if full.split(".")[0] != root:
                continue
            for alias in node.names:
                sub = f"{full}.{alias.name}"
                add(sub if sub in known else _known(full, known), node, how)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in known
            and "." in node.value
        ):
            add(node.value, node, "string")
    return edges


def import_graph(package: Path = PACKAGE) -> tuple[dict[str, Path], list[Edge]]:
    mods = modules(package)
    known = set(mods)
    edges: list[Edge] = []
    for name, path in mods.items():
        text = path.read_text(encoding="utf-8")
        edges += imports_of(name, text, known, is_package=path.name == "__init__.py")
    return mods, edges


def cycles(nodes: set[str], edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), sorted."""
    succ: dict[str, set[str]] = {n: set() for n in nodes}
    for e in edges:
        succ[e.src].add(e.dst)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:  # recursion depth is bounded by the number of modules
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for n in sorted(nodes):
        if n not in index:
            visit(n)
    return sorted(out)


@pytest.fixture(scope="module")
def graph() -> tuple[dict[str, Path], list[Edge]]:
    return import_graph()


def _report(title: str, items: list[str]) -> str:
    return f"{title} ({len(items)}):\n  " + "\n  ".join(items)


# -- the checker itself, on synthetic sources ------------------------------------------------


def test_imports_are_found_at_the_top_in_functions_relative_absolute_and_in_strings():
    known = {"pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c", "pkg.sub.d"}
    source = (
        "from __future__ import annotations\n"
        "import os\n"
        "from . import d\n"  # a sibling module
        "from .. import a\n"  # a module of the parent package
        "from ..b import thing\n"  # a name of a module
        "from pkg import sub\n"  # a subpackage, absolute
        "def f():\n"
        "    import pkg.b\n"
        "    from .d import g\n"
        "    return importlib.import_module('pkg.a'), 'pkg.sub.c is not an import'\n"
    )
    edges = imports_of("pkg.sub.c", source, known, is_package=False)
    got = [(e.dst, e.line, e.how) for e in sorted(edges, key=lambda e: (e.line, e.dst))]
    assert got == [
        ("pkg.sub.d", 3, "top"),
        ("pkg.a", 4, "top"),
        ("pkg.b", 5, "top"),
        ("pkg.sub", 6, "top"),
        ("pkg.b", 8, "function"),
        ("pkg.sub.d", 9, "function"),
        ("pkg.a", 10, "string"),
    ]
    # in a package's __init__, "." is the package itself
    init = imports_of("pkg.sub", "from . import c\nfrom .d import x\n", known, is_package=True)
    assert sorted(e.dst for e in init) == ["pkg.sub.c", "pkg.sub.d"]
    # one edge per import statement, however many names it takes
    assert len(imports_of("pkg.a", "from pkg.b import x, y\n", known, is_package=False)) == 1


def test_cycles_are_found_through_any_number_of_modules():
    edges = [Edge("a", "b", 1, "top"), Edge("b", "c", 1, "function"), Edge("c", "a", 1, "top")]
    edges.append(Edge("c", "d", 1, "top"))
    assert cycles({"a", "b", "c", "d"}, edges) == [["a", "b", "c"]]
    assert cycles({"a", "b", "c", "d"}, edges[:2]) == []


# -- the package ------------------------------------------------------------------------------


def test_every_module_has_a_layer(graph):
    mods, _ = graph
    # the tree of issue #10: maps compose, render draws a plan
    for name in (
        "gis.cli",
        "gis.maps.compose",
        "gis.maps.publish",
        "gis.render.plan",
        "gis.render.palette",
        "gis.readers",
        "gis.crs",
        "gis.settings",
        "gis.errors",
    ):
        assert name in mods, name
    missing = sorted({component(m) for m in mods} - set(LAYER))
    assert not missing, f"give {missing} a layer in LAYER (tests/test_architecture.py)"


#: The optional extras (pyproject [project.optional-dependencies]) and test-only packages.
OPTIONAL = ("dask", "dask_geopandas", "distributed", "spopt", "pulp", "cnmaps", "playwright")


def test_every_module_imports_without_the_optional_extras(graph):
    """So pytest can collect every docstring example (--doctest-modules imports each module)
    on an installation without [dask], [siting] or [data]: the extras load only in the
    functions that need them."""
    mods, _ = graph
    names = sorted(m for m in mods if not m.endswith("__main__"))
    code = (
        "import importlib, sys\n"
        "class Refuse:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {OPTIONAL!r}:\n"
        "            raise ImportError(f'optional {name} imported at module level')\n"
        "sys.meta_path.insert(0, Refuse())\n"
        f"for m in {names!r}:\n"
        "    importlib.import_module(m)\n"
        "print(len(sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]


def test_no_import_cycle(graph):
    """Between modules, and between the top-level units (``gis/render/`` as a whole against
    ``gis/basemaps.py``, say)."""
    mods, edges = graph
    found = cycles(set(mods), edges)
    units = [
        Edge(f"gis.{component(e.src)}", f"gis.{component(e.dst)}", e.line, e.how)
        for e in edges
        if component(e.src) != component(e.dst)
    ]
    found += cycles({f"gis.{component(m)}" for m in mods}, units)
    assert not found, _report("import cycles", [" <-> ".join(c) for c in found])


def test_render_imports_nothing_from_maps_cli_analysis_indicators_or_importer(graph):
    _, edges = graph
    bad = [
        str(e)
        for e in edges
        if component(e.src) == "render" and component(e.dst) in RENDER_MUST_NOT_IMPORT
    ]
    assert not bad, _report("render/ imports from above", bad)


def test_no_module_imports_from_a_layer_above_its_own(graph):
    _, edges = graph
    bad = [str(e) for e in edges if LAYER[component(e.dst)] > LAYER[component(e.src)]]
    assert not bad, _report("imports from a layer above", bad)


def test_no_module_is_over_600_lines(graph):
    mods, _ = graph
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in mods.items()}
    big = [f"{m}: {n} lines" for m, n in sorted(sizes.items()) if n > MAX_LINES]
    assert not big, _report(f"modules over {MAX_LINES} lines", big)


# -- the project's own imports at the top of modules -----------------------------------------

#: Files whose imports inside functions are not counted here: the CLI (``gis/cli/``, which keeps
#: modules that load pandas, geopandas or folium per command, each file saying so once).
NOT_COUNTED_PREFIXES = ("gis/cli/",)
#: (importing module, imported module) pairs allowed inside a function, each with its reason.
IMPORTS_IN_FUNCTIONS_ALLOWED = {
    # gis.notebook loads folium and pandas: `import gis` stays light (tests/test_notebook.py)
    ("gis", "gis.notebook"),
    # gis.crs loads numpy: GeoJSON is read for `clustermap layers` without it; only the
    # extent check of a file needs the lon/lat test
    ("gis.readers.geojson", "gis.crs"),
}


def _counted(path: Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return not rel.startswith(NOT_COUNTED_PREFIXES)


def test_project_imports_sit_at_the_top_of_library_modules(graph):
    """Issue #10: an import inside a function hides a dependency (and the circles issue #10
    found were hidden that way). Only a module loading a heavy third-party library may be
    imported late, and then by name in :data:`IMPORTS_IN_FUNCTIONS_ALLOWED`."""
    mods, edges = graph
    late = [e for e in edges if e.how == "function" and _counted(mods[e.src])]
    bad = [str(e) for e in late if (e.src, e.dst) not in IMPORTS_IN_FUNCTIONS_ALLOWED]
    assert not bad, _report("project imports inside functions (move them to the top)", bad)
    stale = IMPORTS_IN_FUNCTIONS_ALLOWED - {(e.src, e.dst) for e in late}
    assert not stale, f"allowed but no longer there, remove from the list: {sorted(stale)}"


_HEAVY = ("pandas", "geopandas", "shapely", "folium", "matplotlib", "pyproj")


def _loaded_by(args: list[str], names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` a ``clustermap ARGS`` run (in-process, as ``python -m gis``) has
    imported when it exits."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['clustermap', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('gis', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print('LOADED', sorted(m for m in {names!r} if m in sys.modules), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    line = [x for x in r.stderr.splitlines() if x.startswith("LOADED ")][-1]
    return list(ast.literal_eval(line.removeprefix("LOADED ")))


@pytest.mark.parametrize("args", [["--help"], ["layers"]])
def test_help_and_layers_start_without_heavy_libraries(args):
    """The CLI imports its library modules at the top except those loading pandas & co."""
    assert _loaded_by(args, _HEAVY) == []


@pytest.mark.parametrize("args", [["--help"], ["layers"]])
def test_help_and_layers_start_without_numpy(args):
    assert _loaded_by(args, ("numpy",)) == []
