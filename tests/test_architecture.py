"""The import rules of the layout (DEVELOPERS.md "Where things are"), held so that they stay
true: the domain (``tular.graph``) never imports the ways in (``tular.service``) or the views
(``tular.visualizations``); a view never imports, even through another module, a module that
reads a store; no module imports itself round a circle; every module name is used once."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"graph": "tular.graph", "service": "tular.service", "visualizations": "tular.visualizations"}


def _modules() -> dict[str, Path]:
    found = {}
    for folder, package in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


MODULES = _modules()


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks: imports for annotations only."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(module: str) -> set[str]:
    """The tular modules ``module`` imports, at the top or inside a function (a module named in
    ``from package import name`` counts as that module)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text("utf-8"))
    skip = _type_checking_only(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("tular."))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("tular"):
                continue
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


GRAPH = nx.DiGraph((module, imported) for module in MODULES for imported in _imports(module))


def test_the_domain_never_imports_the_service_or_the_views():
    wrong = sorted((a, b) for a, b in GRAPH.edges
                   if a.startswith("tular.graph") and b.startswith(("tular.service", "tular.visualizations")))
    assert not wrong, wrong


def test_views_never_reach_a_store():
    for view in (m for m in MODULES if m.startswith("tular.visualizations")):
        reached = nx.descendants(GRAPH, view) if view in GRAPH else set()
        stores = sorted(m for m in reached if m.startswith("tular.graph.store"))
        assert not stores, f"{view} reaches {stores} through {nx.shortest_path(GRAPH, view, stores[0])}"


def test_drawing_a_report_or_a_map_loads_no_database_driver():
    """Loaded for real: the modules a report and a map are drawn with, and nothing that talks to
    a database."""
    code = ("import sys, tular.visualizations.report, tular.visualizations.report_charts, "
            "tular.visualizations.propagation_map, tular.visualizations.web_pages; "
            "print(sorted(m for m in sys.modules if m == 'neo4j' or m.startswith(('neo4j.', 'sqlite3', "
            "'tular.graph.store', 'tular.service')))) ")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]", loaded


def test_no_import_circles():
    circles = sorted(sorted(c) for c in nx.strongly_connected_components(GRAPH) if len(c) > 1)
    assert not circles, circles


def test_every_module_name_is_used_once():
    names = Counter(path.name for path in MODULES.values() if path.name != "__init__.py")
    assert [name for name, n in names.items() if n > 1] == []


def test_the_rules_see_real_imports():
    """The graph the rules read is the real one: a module known to import the store does so here."""
    assert "tular.graph.store.base" in _imports("tular.graph.metrics.answers")
    assert "tular.graph.metrics.results" in _imports("tular.visualizations.report")


def test_tular_help_loads_no_driver_web_stack_or_drawing_library():
    """SPEC §9: a command imports what it uses when it uses it — ``tular --help``, in a fresh
    interpreter, loads neither the Neo4j driver nor FastAPI, WeasyPrint or matplotlib (nor
    scipy, pyvis or openpyxl)."""
    heavy = ("neo4j", "fastapi", "starlette", "weasyprint", "matplotlib", "scipy", "pyvis", "openpyxl")
    code = ("import runpy, sys; sys.argv = ['tular', '--help']\n"
            "try:\n    runpy.run_module('tular', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"print(sorted({{m.partition('.')[0] for m in sys.modules}} & {set(heavy)!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "reach" in done.stdout  # the help was printed: the command ran
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout.splitlines()[-1]


def test_tular_reach_loads_only_what_it_uses(tmp_path: Path):
    """SPEC §9: ``tular reach --json`` on the embedded store, in a fresh interpreter, answers
    (numpy, pydantic, typer, sqlite3) without loading what it does not use: no help panels
    (typer.rich_utils, rich.markdown, markdown_it), no rich at all for JSON, no pydantic-settings,
    Babel or click (typer brings its own), no numpy.ma, and none of the libraries the --help test
    names (the Neo4j driver, the web stack, scipy, networkx, the drawing and spreadsheet ones)."""
    from tular.graph.store import EmbeddedStore

    from .factories import small_batik_program

    store = EmbeddedStore(tmp_path / "tiny.db")
    store.init_schema()
    store.write(small_batik_program())
    store.close()
    unused = ("neo4j", "fastapi", "starlette", "uvicorn", "weasyprint", "matplotlib", "scipy", "networkx", "pyvis",
              "openpyxl", "jinja2", "rich", "markdown_it", "pydantic_settings", "babel", "click", "asyncio",
              "typer.rich_utils", "numpy.ma", "concurrent.futures", "tular.service.views",
              "tular.visualizations.report")
    argv = ["tular", "--db", f"sqlite:///{tmp_path / 'tiny.db'}", "reach", "--skill", "batik", "--json"]
    code = (f"import runpy, sys; sys.argv = {argv!r}\n"
            "try:\n    runpy.run_module('tular', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "loaded = set(sys.modules)\n"
            f"print(sorted(loaded & {set(unused)!r}))\n"
            "print(sorted(loaded & {'numpy', 'pydantic', 'typer', 'sqlite3', 'tular.graph.metrics.engine'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *answer, not_used, used = done.stdout.strip().splitlines()
    assert '"skill":"batik"' in answer[0]  # the answer was printed: the command ran
    assert not_used == "[]", not_used
    assert used == str(["numpy", "pydantic", "sqlite3", "tular.graph.metrics.engine", "typer"])

