"""The shapes the readers hand on (SPEC §4): the columns of each kind, a problem located in a
file, and the rows of a table as text. Pure data; shared by the readers of every format.

>>> COLUMNS["teachings"].required
('learner_id', 'teacher_id', 'skill', 'date')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from tular.graph.model.catalogue import LANGUAGES, N_, Messages
from tular.graph.model.errors import InvalidData, Month  # noqa: F401 (Month: a value of a problem too)


@dataclass(frozen=True)
class Columns:
    """The required and optional columns of one kind of input file."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


COLUMNS: dict[str, Columns] = {
    "ikm": Columns(("ikm_id", "name", "kelurahan"),
                   ("business_name", "sector", "gender", "phone", "joined_on", "kecamatan")),
    "trainings": Columns(("training_id", "title", "skill", "end_date"),
                         ("start_date", "organizer", "location", "budget_idr", "target_group")),
    "attendance": Columns(("training_id", "ikm_id"), ("completed",)),
    "teachings": Columns(("learner_id", "teacher_id", "skill", "date"), ("source", "note", "submission_id")),
    "outcomes": Columns(("ikm_id", "kind", "date"), ("skill", "value", "note")),
    "populations": Columns(("kelurahan", "population"), ("kecamatan",)),
}


# --------------------------------------------------------------------------- problems
# A problem is kept as a message id (its ``code``, stable: the same in every language) and the
# values its text needs; the text is made in the reader's language only when it is shown, and
# only for the problems shown (a big file's good rows never build one).

#: Where a problem is shown: its advice names what a person does there (SPEC §11) — a flag on
#: the command line, the "Jenis berkas" drop-down on the web page, a form field in the API.
SURFACES = ("cli", "web", "api")


@dataclass(frozen=True)
class Said:
    """A message inside a problem's text (a date's reason inside "not a date: …")."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Advice:
    """What to do, told the way of the surface the problem is shown on: ``ADVICE[name][surface]``."""

    name: str


@dataclass(frozen=True)
class Joined:
    """Values shown one after the other, joined by ``", "``, by the message ``between``
    (``M-005 mengajar M-004 mengajar M-005``), or — ``between`` is :data:`AND` — as the reader's
    language lists them (``1 Mei 2020 dan 1 September 2020``)."""

    items: tuple[Any, ...]
    between: str | None = None


#: :class:`Joined`'s ``between`` for a list told as the reader's language tells one ("a, b and c").
AND = "and"


@dataclass(frozen=True)
class Number:
    """A count shown with the reader's digit grouping (``1.048.576`` / ``1,048,576``)."""

    value: int | float


#: The advice of each surface; ``{kinds}`` in some of them is filled by the problem's text.
ADVICE: dict[str, dict[str, str]] = {
    "kind": {"cli": N_("advice.kind.cli"), "web": N_("advice.kind.web"), "api": N_("advice.kind.api")},
    "repair": {"cli": N_("advice.repair.cli"), "web": N_("advice.repair.web"), "api": N_("advice.repair.web")},
    "check": {"cli": N_("advice.check.cli"), "web": N_("advice.check.web"), "api": N_("advice.check.web")},
}


def default_language() -> str:
    """The language of a problem shown without one asked for: ``TULAR_LANG``, else Indonesian (SPEC §11)."""
    lang = os.environ.get("TULAR_LANG", "").strip().casefold()
    return lang if lang in LANGUAGES else "id"


def rendered(value: Any, messages: Messages, surface: str = "cli") -> str:
    """A problem's value as text in the language of ``messages`` (see :class:`Said`, :class:`Advice`, …)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Said):
        return messages.t(value.key, **{k: rendered(v, messages, surface) for k, v in value.values.items()})
    if isinstance(value, Advice):
        return messages.t(ADVICE[value.name][surface])
    if isinstance(value, Joined) and value.between == AND:
        return format_list([rendered(item, messages, surface) for item in value.items], locale=messages.lang)
    if isinstance(value, Joined):
        between = messages.t(value.between) if value.between else ", "
        return between.join(rendered(item, messages, surface) for item in value.items)
    if isinstance(value, Month):
        return value.said_in(messages.lang)
    if isinstance(value, Number):
        return format_decimal(value.value, locale=messages.lang)
    if isinstance(value, date):
        return format_date(value, "long", locale=messages.lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(rendered(item, messages, surface) for item in value)
    return str(value)


def plain(value: Any) -> Any:
    """A problem's value as JSON (``code`` and ``params`` for a nested message)."""
    if isinstance(value, Said):
        return {"code": value.key, "params": {k: plain(v) for k, v in value.values.items()}}
    if isinstance(value, Advice):
        return value.name
    if isinstance(value, Joined):
        return [plain(item) for item in value.items]
    if isinstance(value, Month):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, Number):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


class FileProblem(InvalidData):
    """A problem in an input file, located as precisely as the reader knows: a message id
    (``code``, e.g. ``problem.unknown_skill``) and the values of its text (``params``).

    Raised by the readers for problems with a whole file or row (with the other problems
    found at the same time in ``also``: every bad sheet of a workbook at once); the
    validation layer uses it for problems with one value (and may keep warnings as
    instances with ``severity="warning"`` without raising them).

    Examples
    --------
    >>> problem = FileProblem("teachings.csv", "problem.empty_file", row=14, column="date", value="31/02/2021")
    >>> problem.text("en")
    "teachings.csv, row 14, column date, value '31/02/2021': the file is empty"
    >>> problem.text("id")
    "teachings.csv, baris 14, kolom date, nilai '31/02/2021': berkas ini kosong"
    >>> FileProblem("data.xlsx", "problem.empty_file", sheet="ikm").text("en")
    "data.xlsx, sheet 'ikm': the file is empty"
    """

    def __init__(self, file: str | None, code: str, *, sheet: str | None = None,
                 row: int | None = None, column: str | None = None, value: str | None = None,
                 severity: str = "error", params: dict[str, Any] | None = None,
                 also: list[FileProblem] | None = None):
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        self.code = code
        self.params = params or {}
        self.severity = severity
        self.also = also or []
        super().__init__(code)

    def all(self) -> list[FileProblem]:
        """This problem and those found with it."""
        return [self, *self.also]

    def reason_in(self, lang: str, surface: str = "cli") -> str:
        """Why, in ``lang``, with the advice of ``surface``."""
        messages = Messages(lang)
        return messages.t(self.code, **{k: rendered(v, messages, surface) for k, v in self.params.items()})

    @property
    def reason(self) -> str:
        return self.reason_in(default_language())

    def text(self, lang: str, surface: str = "cli") -> str:
        """Where and why, in ``lang``."""
        return describe(self.to_dict(lang, surface), lang)

    def __str__(self) -> str:
        return self.text(default_language())

    def to_dict(self, lang: str = "id", surface: str = "cli") -> dict[str, Any]:
        """The problem as plain data, for JSON reports: where, the message id and its values
        (``code``, ``params``: the same in every language) and the ``reason`` in ``lang``."""
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "reason": self.reason_in(lang, surface), "severity": self.severity,
                "code": self.code, "params": {k: plain(v) for k, v in self.params.items()}}


def describe(problem: dict[str, Any], lang: str) -> str:
    """A problem of a JSON report (:meth:`FileProblem.to_dict`) in one line: where, then why.

    >>> describe({"file": "ikm.csv", "row": 2, "column": "kelurahan", "value": "Bunul Rejoo",
    ...           "reason": "kelurahan tidak dikenal"}, "id")
    "ikm.csv, baris 2, kolom kelurahan, nilai 'Bunul Rejoo': kelurahan tidak dikenal"
    """
    messages = Messages(lang)
    parts = [(N_("problem.where_sheet"), "sheet"), (N_("problem.where_row"), "row"),
             (N_("problem.where_column"), "column"), (N_("problem.where_value"), "value")]
    where = [problem["file"]] if problem.get("file") else []
    for key, name in parts:
        if (found := problem.get(name)) is not None:
            shown = _quoted(str(found)) if name in ("sheet", "value") else found
            where.append(messages.t(key, **{name: shown}))
    reason = problem["reason"]
    return f"{', '.join(where)}: {reason}" if where else reason


def _quoted(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(shown)


# --------------------------------------------------------------------------- results
@dataclass(slots=True)
class Row:
    """One data row: its spreadsheet row number (header = 1) and its cells by column."""

    line: int
    values: dict[str, str | None]


@dataclass
class Table:
    """The rows of one kind read from a CSV file or one sheet of a workbook.

    A table read from a submissions export of ODK Central or KoboToolbox (``submissions``,
    SPEC §13; see :mod:`tular.graph.io.submissions`) names its columns as tular does, keeps
    each one's header as the file wrote it (``headers``, for messages), and carries the
    new-learner fields of the phone form (``internal``) beside the teaching's."""

    source: str
    sheet: str | None
    kind: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    submissions: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    internal: tuple[str, ...] = ()

    @cached_property  # asked once per row when the table is validated
    def unknown_columns(self) -> list[str]:
        """Columns that are neither required nor optional for the kind (kept as notes)."""
        known = COLUMNS[self.kind].known
        return [column for column in self.columns if column not in known and column not in self.internal]

    def header(self, column: str | None) -> str | None:
        """The header of ``column`` as the file wrote it (``pengajaran-teacher_id``)."""
        return self.headers.get(column, column) if column is not None else None


@dataclass
class SourceFile:
    """A file as read: its name, sha256 and size (for the batch log), its tables, and the
    warnings of what the reader left out (a workbook's notes sheet)."""

    name: str
    checksum: str
    size: int
    tables: list[Table]
    warnings: list[FileProblem] = field(default_factory=list)
