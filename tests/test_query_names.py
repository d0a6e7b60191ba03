"""Each Cypher file is named in full where it is used (STYLE: ``query("merge_teachings")``,
not ``query(f"merge_{kind}")``), so that grepping a file's name finds its callers; and every
name used has its file."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "graph" / "store"
QUERIES = {path.stem for path in (STORE / "queries").glob("*.cypher")}
#: The Neo4j store's helpers that take a query file's name first.
TAKES_A_NAME = {"query", "statements", "_read", "_lease"}


def _called(node: ast.Call) -> str | None:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


def _trees() -> dict[str, ast.Module]:
    return {path.name: ast.parse(path.read_text("utf-8"), str(path)) for path in sorted(STORE.glob("*.py"))}


def _names_used() -> dict[str, list[str]]:
    """Query names given to the Neo4j store's helpers, or kept in its ``*_QUERIES`` tables, with where."""
    tree = ast.parse((STORE / "neo4j.py").read_text("utf-8"))
    used: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) in TAKES_A_NAME and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                used.setdefault(first.value, []).append(f"neo4j.py:{node.lineno}")
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.endswith("_QUERIES")
                                                  for t in node.targets):
            assert isinstance(node.value, ast.Dict), ast.unparse(node)
            for value in node.value.values:
                assert isinstance(value, ast.Constant), ast.unparse(value)
                used.setdefault(value.value, []).append(f"neo4j.py:{value.lineno}")
    return used


def test_every_cypher_file_is_named_in_full_in_the_store_code():
    literals = {node.value for tree in _trees().values() for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert len(QUERIES) > 40
    assert sorted(QUERIES - literals) == []


def test_every_query_name_used_has_its_file():
    used = _names_used()
    assert {"merge_teachings", "delete_populations", "version", "initialize"} <= set(used)
    missing = {name: where for name, where in used.items() if name not in QUERIES}
    assert missing == {}


def _built_names(tree: ast.Module, helpers: set[str]) -> list[str]:
    """Calls of ``helpers`` whose query name is an f-string or a sum of strings."""
    return [f"{node.lineno}: {ast.unparse(node)}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _called(node) in helpers and node.args
            and isinstance(node.args[0], (ast.JoinedStr, ast.BinOp))]


def test_no_query_name_is_built_at_run_time():
    built = {name: found for name, tree in _trees().items()
             if (found := _built_names(tree, TAKES_A_NAME if name == "neo4j.py" else {"query", "statements"}))}
    assert built == {}


def test_the_check_finds_a_query_name_built_at_run_time():
    bad = ast.parse('tx.run(query(f"merge_{kind}"), rows=rows)\nself._read("stored_" + kind)\n'
                    'tx.run(query(MERGE_QUERIES[kind]))\nself._read("version")\n')
    assert len(_built_names(bad, TAKES_A_NAME)) == 2
