"""The shapes the readers hand on (SPEC §4): the columns of each kind, a problem located in a
file, and the rows of a table as text. Pure data; shared by the readers of every format.

>>> COLUMNS["teachings"].required
('learner_id', 'teacher_id', 'skill', 'date')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tular.graph.model.errors import InvalidData


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
class FileProblem(InvalidData):
    """A problem in an input file, located as precisely as the reader knows.

    Raised by the readers for problems with a whole file or row; the validation layer
    uses it for problems with one value (and may keep warnings as instances with
    ``severity="warning"`` without raising them).

    Examples
    --------
    >>> str(FileProblem("teachings.csv", "not a date", row=14, column="date", value="31/02/2021"))
    "teachings.csv, row 14, column date, value '31/02/2021': not a date"
    >>> str(FileProblem("data.xlsx", "file is empty", sheet="ikm"))
    "data.xlsx, sheet 'ikm': file is empty"
    """

    def __init__(self, file: str | None, reason: str, *, sheet: str | None = None,
                 row: int | None = None, column: str | None = None, value: str | None = None,
                 severity: str = "error"):
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        self.reason = reason
        self.severity = severity
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [part for part in (
            self.file,
            f"sheet {_quoted(self.sheet)}" if self.sheet is not None else None,
            f"row {self.row}" if self.row is not None else None,
            f"column {self.column}" if self.column is not None else None,
            f"value {_quoted(self.value)}" if self.value is not None else None,
        ) if part]
        return f"{', '.join(where)}: {self.reason}" if where else self.reason

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileProblem:
        """The problem of a JSON report (:meth:`to_dict`) again, e.g. to print it."""
        return cls(data.get("file"), data["reason"], sheet=data.get("sheet"), row=data.get("row"),
                   column=data.get("column"), value=data.get("value"), severity=data.get("severity", "error"))

    def to_dict(self) -> dict[str, Any]:
        """The problem as plain data, for JSON reports."""
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "reason": self.reason, "severity": self.severity}


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
    """A file as read: its name, sha256 and size (for the batch log) and its tables."""

    name: str
    checksum: str
    size: int
    tables: list[Table]
