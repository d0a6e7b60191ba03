"""Words written into the code where a reader will see them, instead of taken from the catalogue
(SPEC §11): an AST scan of the ways in (``service/``), the domain (``graph/``: its errors reach the
CLI, the pages and the API) and the views (``visualizations/``) for string literals handed to the
places a person reads — console and ``print`` output, typer help,
progress descriptions, table titles and headings, problem details, the text of a raised error.

A literal is allowed when, once its ``{placeholders}`` and rich ``[markup]`` are taken out, no word
is left (``"  • {line}"``); a catalogue lookup (``t("…")``, ``N_("…")``) is what the rest should be.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("service", "graph", "visualizations")

#: Files whose texts are still English literals, waiting to be moved into the catalogue (SPEC §11).
#: Empty this list file by file as they move; the scan then holds each one.
NOT_YET_IN_THE_CATALOGUE: tuple[str, ...] = ()

#: Literals that are no words for a reader: the product's name (with its version, or naming its API
#: documentation page), a role's id, and the names of the two kinds of area, which Indonesian and
#: English share (``UnknownArea("kelurahan", …)``).
ALLOWED = {("service/cli.py", "tular {}"), ("service/api_docs.py", "{} — API"), ("service/web_plumbing.py", "editor"),
           ("graph/model/gazetteer.py", "kelurahan"), ("graph/model/gazetteer.py", "kecamatan")}

#: Calls whose text arguments a person reads: by the called name (the last part of a dotted name).
SHOWN_CALLS = {"print", "echo", "secho", "status", "add_task", "Tree", "log"}
#: Calls whose first argument is a heading, or keywords that are read wherever they appear.
HEADING_CALLS = {"add_column"}
SHOWN_KEYWORDS = {"help", "title", "caption", "description", "detail", "short_help", "epilog"}
#: Making an error: its first argument is what the user is told.
ERRORS = {"TularError", "StoreUnavailable", "StoreBusy", "RestoreInProgress", "RemoteUnavailable", "UsageError",
          "InvalidData", "TooLarge", "BadFileName", "NotFound", "Unauthorized", "Forbidden", "TooManyAttempts",
          "UnknownIKM", "UnknownSkill", "UnknownArea", "HTTPException", "LoginNeeded", "RoleNeeded", "CsrfFailed"}
#: A problem+json answer made by hand: ``problem(status, detail, …)``.
PROBLEM_CALLS = {"problem": 1}
#: Where OpenAPI documents a route for developers (not the end user's language): not scanned.
DEVELOPER_CALLS = {"Query", "Path", "Header", "Body", "Form", "File", "APIRouter", "get", "post", "put", "patch",
                   "delete", "FastAPI", "Field"}
MARKUP = re.compile(r"\[/?[a-z0-9 #.=_-]*\]")
WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Literal:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _texts(node: ast.expr) -> list[tuple[int, str]]:
    """The literal text in ``node`` (placeholders as ``{}``), looking through ``+``, ``if … else``
    and f-strings; a call (a catalogue lookup, a formatter) or a name is a value, not a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.lineno, node.value)]
    if isinstance(node, ast.JoinedStr):
        return [(node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _texts(node.left) + _texts(node.right)
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    return []


def has_words(text: str) -> bool:
    return WORD.search(MARKUP.sub(" ", re.sub(r"\{[^{}]*\}", " ", text))) is not None


def scan_source(source: str, path: str) -> tuple[list[Literal], int]:
    """The worded literals of ``source`` in the shown places, and how many places were looked at."""
    found, looked = [], 0
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in DEVELOPER_CALLS:
            continue
        shown: list[ast.expr] = []
        if name in SHOWN_CALLS:
            shown += node.args
        if name in HEADING_CALLS or name in ERRORS:
            shown += node.args[:1]
        if name in PROBLEM_CALLS and len(node.args) > PROBLEM_CALLS[name]:
            shown.append(node.args[PROBLEM_CALLS[name]])
        shown += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        looked += len(shown)
        for argument in shown:
            for line, text in _texts(argument):
                if has_words(text) and (path, re.sub(r"\{[^{}]*\}", "{}", text)) not in ALLOWED:
                    found.append(Literal(path, line, text))
    return found, looked


def scan(skip: tuple[str, ...] = NOT_YET_IN_THE_CATALOGUE) -> tuple[list[Literal], int]:
    found, looked = [], 0
    for folder in SCANNED:
        where = ROOT / folder
        for file in [where] if where.is_file() else sorted(where.rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            if path in skip:
                continue
            more, seen = scan_source(file.read_text("utf-8"), path)
            found += more
            looked += seen
    return found, looked
