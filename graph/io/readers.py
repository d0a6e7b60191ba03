"""Reading the input files of SPEC §4 into tables of text, before any validation.

A CSV file holds one kind of data, told by its name (``teachings.csv``) or by the
caller; an XLSX workbook holds one kind per sheet, told by the sheet names; a zip archive
holds CSV files. A submissions export of the phone form (ODK Central, KoboToolbox) is told
by its columns, whatever its name, and read as teachings (SPEC §13). Every cell
comes out as stripped text or ``None``, with the spreadsheet row it came from, so the
validation layer can name file, sheet, row, column and value in its messages.

Nothing here touches the store.

>>> kind_from_name("2023_Pelatihan.csv")
'trainings'
>>> unneutralise(neutralise("=HYPERLINK(1)"))
'=HYPERLINK(1)'
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

import openpyxl

from tular.graph.io import columns, submissions
from tular.graph.io.tables import (  # noqa: F401  (importable from here)
    COLUMNS,
    Advice,
    Columns,
    FileProblem,
    Joined,
    Number,
    Row,
    Said,
    SourceFile,
    Table,
)
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError, said
from tular.graph.model.records import KINDS

#: Names a file or sheet may carry for each kind (English and Indonesian).
KIND_ALIASES: dict[str, tuple[str, ...]] = {
    "ikm": ("ikm",),
    "trainings": ("trainings", "training", "pelatihan"),
    "attendance": ("attendance", "kehadiran", "peserta"),
    "teachings": ("teachings", "teaching", "pengajaran", "tular"),
    "outcomes": ("outcomes", "hasil"),
    "populations": ("populations", "populasi"),
}

#: Sheets that explain the workbook to the person filling it in; never data.
INSTRUCTION_SHEETS = ("petunjuk", "instructions", "readme", "read me")
#: Sheets holding drop-down lists. A name that also names a kind (``Daftar IKM``) is data.
LIST_SHEETS = ("daftar", "lists")

#: First characters that make a spreadsheet run a cell as a formula (SPEC §4), with the
#: full-width forms of = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20) that Japanese/Chinese input
#: gives and spreadsheets accept too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: A cell runs as a formula when its first character that is not whitespace, a control or a
#: format character (zero-width space, direction marks, BOM) is one of these.
FORMULA_CHARACTERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: A zip of CSV files: ODK Central's export of a form's submissions (SPEC §13).
ZIP_SUFFIXES = (".zip",)
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Limits against decompression bombs, checked before openpyxl unpacks anything.
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
#: Small members may compress very well without being a threat; the parts together may unpack
#: to this much beyond ``MAX_COMPRESSION_RATIO`` times the file's size.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
#: The last row and column a workbook can have (Excel's limits): a larger index is refused
#: before any row is read — rows missing in between are never made (SPEC §9 "Reliable").
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384

_PROGRESS_EVERY_BYTES = 1024 * 1024
_PROGRESS_EVERY_ROWS = 1000
_CHUNK = 1024 * 1024

Progress = Callable[[int], None]


# --------------------------------------------------------------------------- formula prefix
def runs_as_formula(value: str) -> bool:
    """Whether a spreadsheet could run ``value`` as a formula: it starts with a tab or a
    carriage return, or its first character after any whitespace, control and format
    characters is ``=`` ``+`` ``-`` ``@`` or a full-width form of one.

    >>> [runs_as_formula(v) for v in ("=1", " =cmd", "\\n@x", "\\u200b+1", "\\uff1dcmd", "\\tok", "a=1", "'=1", "")]
    [True, True, True, True, True, True, False, False, False]
    """
    first = value[:1]
    if first in FORMULA_CHARACTERS or first in ("\t", "\r"):
        return True
    if not first or first.isalnum():  # the usual case, decided by the first character
        return False
    for char in value:
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
            continue
        return char in FORMULA_CHARACTERS
    return False


def neutralise(value: str) -> str:
    """Prefix ``'`` so a spreadsheet shows the value instead of running it as a formula
    (see :func:`runs_as_formula`).

    A value already starting with ``'`` and then a formula character gets one more
    ``'``, so that :func:`unneutralise` gives back exactly the original. The prefix also
    keeps the leading whitespace of such a value through the importer's trimming.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("-5"), neutralise("Bunulrejo"), neutralise(" =cmd"), neutralise("\\uff1dcmd")
    ("'-5", 'Bunulrejo', "' =cmd", "'\\uff1dcmd")
    >>> neutralise("'=1")
    "''=1"
    >>> all(unneutralise(neutralise(v)) == v for v in ["=1", "'=1", "''+2", "@a", "\\tx", "'", "ok", "' =1", "\\n-"])
    True
    """
    if runs_as_formula(value.lstrip("'")):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Remove the ``'`` that :func:`neutralise` put before a formula character.

    Examples
    --------
    >>> unneutralise("'=SUM(A1:A3)")
    '=SUM(A1:A3)'
    >>> unneutralise("'tis"), unneutralise("'")
    ("'tis", "'")
    """
    if value.startswith("'") and runs_as_formula(value.lstrip("'")):
        return value[1:]
    return value


# --------------------------------------------------------------------------- names
def normalise_header(name: str) -> str:
    """The key of a header cell: trimmed, lower case, inner spaces as one underscore.

    >>> normalise_header("\\ufeff Learner ID ")
    'learner_id'
    """
    return re.sub(r"\s+", "_", name.replace("\ufeff", "").strip().casefold())


def _alias_key(word: str) -> str:
    key = re.sub(r"[\s_\-]+", "", word.casefold())
    return key[:-1] if key.endswith("s") else key


_KIND_BY_ALIAS = {_alias_key(alias): kind for kind, aliases in KIND_ALIASES.items() for alias in aliases}
_INSTRUCTION_KEYS = {_alias_key(name) for name in INSTRUCTION_SHEETS}
_LIST_KEYS = {_alias_key(name) for name in LIST_SHEETS}


def _name_keys(name: str) -> set[str]:
    """The whole name and each of its words, as alias keys."""
    stem = Path(name).name
    if Path(stem).suffix.lower() in CSV_SUFFIXES + XLSX_SUFFIXES:
        stem = Path(stem).stem
    words = re.findall(r"[^\W\d_]+|\d+", stem.casefold())
    return {_alias_key(stem)} | {_alias_key(word) for word in words}


def _kinds_in_name(name: str) -> list[str]:
    return sorted({_KIND_BY_ALIAS[key] for key in _name_keys(name) if key in _KIND_BY_ALIAS},
                  key=KINDS.index)


def kind_from_name(name: str) -> str | None:
    """The kind a file or sheet name announces, or ``None`` when it names none or several.

    An alias counts when it is a whole word of the name; case, spaces, underscores,
    hyphens and a trailing ``s`` do not matter.

    Examples
    --------
    >>> kind_from_name("2023_teachings.csv"), kind_from_name("Teachings (Q3).csv")
    ('teachings', 'teachings')
    >>> kind_from_name("ikm-bunulrejo.csv"), kind_from_name("Kehadiran")
    ('ikm', 'attendance')
    >>> kind_from_name("Sheet1") is None, kind_from_name("ikm_attendance.csv") is None
    (True, True)
    """
    kinds = _kinds_in_name(name)
    return kinds[0] if len(kinds) == 1 else None


def _resolve_kind(kind: str) -> str:
    resolved = _KIND_BY_ALIAS.get(_alias_key(kind))
    if resolved is None:
        raise said(UsageError, N_("readers.unknown_kind"), {"kind": repr(kind), "choices": ", ".join(KINDS)})
    return resolved


def kind_from_columns(columns: Iterable[str]) -> str | None:
    """The kind a header's columns tell, whatever the file or sheet is called: the kind whose
    required columns are all there (the one needing most, when several are), or else the one
    kind with at least two of its required columns there, more than any other has (its missing
    columns are then reported); None when the columns tell no kind.

    Examples
    --------
    >>> kind_from_columns(["learner_id", "teacher_id", "skill", "date", "note"])
    'teachings'
    >>> kind_from_columns(["training_id", "ikm_id"]), kind_from_columns(["learner_id", "teacher_id", "skill"])
    ('attendance', 'teachings')
    >>> kind_from_columns(["catatan"]) is None, kind_from_columns(["kelurahan", "jumlah"]) is None
    (True, True)
    """
    present = set(columns)
    found = {kind: sum(column in present for column in COLUMNS[kind].required) for kind in KINDS}
    complete = sorted((kind for kind in KINDS if found[kind] == len(COLUMNS[kind].required)),
                      key=lambda kind: -found[kind])
    if complete:
        best = complete[:2]
        return best[0] if len(best) == 1 or found[best[0]] > found[best[1]] else None
    ranked = sorted(KINDS, key=lambda kind: -found[kind])
    if found[ranked[0]] >= 2 and found[ranked[0]] > found[ranked[1]]:
        return ranked[0]
    return None


def _unknown_kind(name: str, head: _Head | None, sheet: str | None = None) -> FileProblem:
    """The error of a file (or the one sheet of a workbook) whose kind neither its name nor its
    columns tell."""
    columns = Joined(tuple(head.columns)) if head is not None and head.columns else "—"
    named = _kinds_in_name(sheet if sheet is not None else name)
    params = {"columns": columns, "advice": Advice("kind")}
    if len(named) > 1:
        return FileProblem(name, N_("problem.kind_name_fits_several"), sheet=sheet,
                           params={**params, "kinds": Joined(tuple(named))})
    return FileProblem(name, N_("problem.kind_unknown_sheet") if sheet is not None else N_("problem.kind_unknown"),
                       sheet=sheet, params=params)


# --------------------------------------------------------------------------- cells and rows
def _clean(text: str) -> str | None:
    text = text.strip()
    return unneutralise(text) if text else None


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as text: numbers typed for ids and phones lose no ``.0``."""
    if value is None:
        return None
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return _clean(str(value))


def _column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass
class _Where:
    file: str
    sheet: str | None = None

    def problem(self, code: str, **location: Any) -> FileProblem:
        return FileProblem(self.file, code, sheet=self.sheet, **location)


def _header(cells: Iterable[str | None], line: int, where: _Where) -> list[str | None]:
    """Column names by position; ``None`` where the header cell is blank."""
    names: list[str | None] = []
    seen: set[str] = set()
    for cell in cells:
        name = normalise_header(cell) if cell else ""
        if name in seen:
            raise where.problem(N_("problem.column_twice"), row=line, column=name)
        if name:
            seen.add(name)
        names.append(name or None)
    return names


def _check_required(columns: list[str], kind: str, line: int, where: _Where) -> None:
    missing = [column for column in COLUMNS[kind].required if column not in columns]
    if missing:
        raise where.problem(
            N_("problem.missing_columns"), row=line,
            params={"missing": Joined(tuple(missing)), "kind": kind, "needs": Joined(COLUMNS[kind].required),
                    "found": Joined(tuple(columns)) if columns else "—"})


def _row(cells: list[str | None], line: int, header: list[str | None],
         columns: list[str], where: _Where) -> Row | None:
    """The row's values by column, or ``None`` for a blank row."""
    if len(cells) <= len(columns) == len(header):
        # the usual row: every header cell named, no value beyond them (a fast path for big files)
        if cells.count(None) == len(cells):
            return None
        values = dict(zip(columns, cells))
        if len(cells) < len(columns):
            values.update(dict.fromkeys(columns[len(cells):]))
        return Row(line, values)
    values: dict[str, str | None] = dict.fromkeys(columns)
    blank = True
    for index, text in enumerate(cells):
        if text is None:
            continue
        name = header[index] if index < len(header) else None
        if name is None:
            raise where.problem(N_("problem.value_without_header"), row=line, value=text,
                                params={"letter": _column_letter(index), "columns": len(columns)})
        values[name] = text
        blank = False
    return None if blank else Row(line, values)


Records = Iterator[tuple[int, list[str | None]]]


@dataclass
class _Head:
    """A table's header, read from its first non-blank record: its line, the name of each
    cell (None where blank) and the names in order."""

    line: int
    header: list[str | None]
    columns: list[str]


def _head(records: Records, where: _Where) -> _Head | None:
    """The header of numbered records (the records after it are left to read), or None when
    every record is blank."""
    for line, cells in records:
        if any(cell is not None for cell in cells):
            header = _header(cells, line, where)
            return _Head(line, header, [name for name in header if name is not None])
    return None


def _rows(records: Records, head: _Head, where: _Where) -> list[Row]:
    """The data rows after the header, blank ones left out."""
    header, columns = head.header, head.columns
    return [row for line, cells in records if (row := _row(cells, line, header, columns, where)) is not None]


def _table(records: Records, kind: str, where: _Where) -> Table | None:
    """A table from numbered records whose first non-blank one is the header."""
    head = _head(records, where)
    if head is None:
        return None
    _check_required(head.columns, kind, head.line, where)
    return Table(where.file, where.sheet, kind, head.columns, _rows(records, head, where))


def _is_submissions(head: _Head | None, kind: str | None) -> bool:
    """Whether a table is one of a submissions export of the phone form (SPEC §13): its columns
    decide, unless the caller named another kind."""
    return head is not None and kind in (None, "teachings") and submissions.is_export(head.columns)


# --------------------------------------------------------------------------- entry point
def read_file(path: str | os.PathLike[str], kind: str | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES, progress: Progress | None = None,
              *, name: str | None = None, column_min_bytes: int | None = None) -> SourceFile:
    """Read a CSV file, an XLSX workbook or a zip of CSV files into tables of text. A
    submissions export of the phone form (ODK Central's CSV or zip, KoboToolbox's XLSX or CSV;
    SPEC §13) is told by its columns and read as teachings (:mod:`tular.graph.io.submissions`).

    Parameters
    ----------
    path : str or path-like
        The file to read.
    kind : str, optional
        One of :data:`~tular.graph.model.records.KINDS` (or an alias). For a CSV file, or a workbook with a single
        sheet of data, it overrides what the name says.
    max_bytes : int
        Larger files are refused before parsing.
    progress : callable, optional
        Called from time to time with the bytes read so far (CSV) or the rows read so
        far (XLSX).
    name : str, optional
        The name to show in messages and to tell the kind and format from, e.g. the
        original name of an upload saved to a temporary file. Default: ``path`` as given.
    column_min_bytes : int, optional
        A plain CSV file at least this big is read column by column
        (:mod:`tular.graph.io.columns`); default ``COLUMN_READ_MIN_BYTES``.

    Returns
    -------
    SourceFile

    Raises
    ------
    FileProblem
        For anything that keeps the file from being read, with the file, sheet and row.
    UsageError
        For a ``kind`` that names no kind.
    """
    name = name if name is not None else os.fspath(path)
    kind = _resolve_kind(kind) if kind is not None else None
    size = _checked_size(path, name, max_bytes)
    suffix = Path(name).suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            return _read_csv(path, name, size, kind, progress, column_min_bytes)
        if suffix in XLSX_SUFFIXES:
            return _read_xlsx(path, name, size, kind, progress)
        if suffix in ZIP_SUFFIXES:
            return _read_zip(path, name, size, kind, progress)
    except OSError as exc:
        raise FileProblem(name, N_("problem.cannot_read"), params={"why": exc.strerror or str(exc)}) from exc
    raise _unsupported_format(name, suffix)


def _unsupported_format(name: str, suffix: str) -> FileProblem:
    if suffix in (".xls", ".ods", ".numbers"):
        return FileProblem(name, N_("problem.old_workbook_format"), params={"suffix": suffix})
    if suffix:
        return FileProblem(name, N_("problem.unsupported_format"), params={"suffix": suffix})
    return FileProblem(name, N_("problem.no_extension"))


def _checked_size(path: str | os.PathLike[str], name: str, max_bytes: int) -> int:
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise FileProblem(name, N_("problem.no_such_file")) from None
    except OSError as exc:
        raise FileProblem(name, N_("problem.cannot_read"), params={"why": exc.strerror or str(exc)}) from None
    if Path(path).is_dir():
        raise FileProblem(name, N_("problem.folder"))
    if size == 0:
        raise FileProblem(name, N_("problem.empty_file"))
    if size > max_bytes:
        raise FileProblem(name, N_("problem.file_too_large"),
                          params={"size": _megabytes(size), "limit": _megabytes(max_bytes)})
    return size


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


# --------------------------------------------------------------------------- CSV
class _BadBytes(Exception):
    """Bytes that are not text, found while decoding; the record reader adds the row."""

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params


def _read_csv(path: str | os.PathLike[str], name: str, size: int, kind: str | None,
              progress: Progress | None, column_min_bytes: int | None = None) -> SourceFile:
    limit = columns.COLUMN_READ_MIN_BYTES if column_min_bytes is None else column_min_bytes
    if size >= limit and (read := _read_csv_columns(path, name, size, kind, progress)) is not None:
        return read
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        tables = _csv_tables(handle, _Where(name), kind, Path(name).name, digest, progress)
    return SourceFile(name, digest.hexdigest(), size, tables)


def _read_csv_columns(path: str | os.PathLike[str], name: str, size: int, kind: str | None,
                      progress: Progress | None) -> SourceFile | None:
    """A plain CSV file of one kind read column by column (:mod:`tular.graph.io.columns`), or
    None for any other (the row reader reads it, and names what is wrong with it). The header
    is checked first and the bytes as they are read, so that a file the row reader refuses
    is left to it before it is read whole."""
    with open(path, "rb") as handle:
        chunk = handle.read(_PROGRESS_EVERY_BYTES)
        text = chunk[3:] if chunk.startswith(b"\xef\xbb\xbf") else chunk
        end = text.find(b"\n")
        if end < 0 or chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            return None
        try:
            first = text[:end].decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not first.strip():
            return None
        where = _Where(name)
        head = _head(_csv_records(iter([first + "\n"]), where), where)
        if head is None or None in head.header or _is_submissions(head, kind):
            return None
        table_kind = kind or kind_from_name(Path(name).name) or kind_from_columns(head.columns)
        if table_kind is None or any(c not in head.columns for c in COLUMNS[table_kind].required):
            return None
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:  # the first part checked before the whole file's room is taken
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return None
        if b'"' in chunk or b"\0" in chunk:
            return None
        decoder.reset()
        data = bytearray(size)  # read into place: no second copy of a big file
        view = memoryview(data)
        done = 0
        handle.seek(0)
        while True:
            read = handle.readinto(view[done:done + _PROGRESS_EVERY_BYTES]) if done < size else 0
            if not read:
                break
            if data.find(b'"', done, done + read) >= 0 or data.find(b"\0", done, done + read) >= 0:
                return None
            try:
                decoder.decode(view[done:done + read])
            except UnicodeDecodeError:
                return None
            done += read
            if progress is not None:
                progress(done)
        if done != size or handle.read(1):  # the file changed while it was read
            return None
        view.release()
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    rows = columns.read_columns(data, _detect_delimiter(first), head.columns, _clean)
    if rows is None:
        return None
    return SourceFile(name, columns.sha256(data), size, [Table(name, None, table_kind, head.columns, rows)])


def _csv_tables(handle: IO[bytes], where: _Where, kind: str | None, name: str, digest: Any,
                progress: Progress | None) -> list[Table]:
    """The table of one CSV text (a file, or a member of a zip archive called ``name``): of
    ``kind``, or of the kind its name tells, or the teachings of a submissions export when its
    columns say it is one (whatever its name)."""
    told = kind or kind_from_name(name)
    _refuse_non_text(handle, where)
    records = _csv_records(_utf8_lines(_byte_lines(handle), digest, progress), where)
    head = _head(records, where)
    if head is None:
        raise where.problem(N_("problem.empty_file"))
    if _is_submissions(head, kind):
        sheet = submissions.Sheet(where.file, where.sheet, name, head.columns, _rows(records, head, where))
        return submissions.teaching_tables([sheet])
    table_kind = told or kind_from_columns(head.columns)
    if table_kind is None:
        raise _unknown_kind(where.file, head)
    _check_required(head.columns, table_kind, head.line, where)
    return [Table(where.file, where.sheet, table_kind, head.columns, _rows(records, head, where))]


def _refuse_non_text(handle: IO[bytes], where: _Where) -> None:
    """Explain the usual wrong files by their first bytes, better than a decoding error."""
    head = handle.read(8)
    handle.seek(0)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise where.problem(N_("problem.utf16"))
    if head.startswith(b"PK\x03\x04"):
        raise where.problem(N_("problem.workbook_as_csv"))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise where.problem(N_("problem.xls_as_csv"))


def _byte_lines(handle: IO[bytes]) -> Iterator[bytes]:
    """Lines with their endings; CR alone ends lines when the file has no LF at all."""
    head = handle.read(_CHUNK)
    handle.seek(0)
    if b"\n" in head or b"\r" not in head:
        yield from handle
        return
    parts: list[bytes] = []
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        *complete, rest = chunk.split(b"\r")
        for piece in complete:
            parts.append(piece)
            yield b"".join(parts) + b"\r"
            parts = []
        parts.append(rest)
    if tail := b"".join(parts):
        yield tail


def _utf8_lines(raw_lines: Iterable[bytes], digest: Any, progress: Progress | None) -> Iterator[str]:
    """Decoded lines, BOM removed; hashing and reporting progress along the way."""
    offset = 0
    next_report = _PROGRESS_EVERY_BYTES
    for number, raw in enumerate(raw_lines):
        digest.update(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _BadBytes(N_("problem.not_utf8"), byte=f"0x{raw[exc.start]:02X}",
                            offset=Number(offset + exc.start)) from None
        if "\0" in text:
            raise _BadBytes(N_("problem.nul_byte"), offset=Number(offset + raw.index(0)))
        if number == 0 and text.startswith("\ufeff"):
            text = text[1:]
        offset += len(raw)
        if progress is not None and offset >= next_report:
            progress(offset)
            next_report = offset + _PROGRESS_EVERY_BYTES
        yield text
    if progress is not None:
        progress(offset)


def _detect_delimiter(line: str) -> str:
    """The most frequent of ``,`` ``;`` and tab outside quotes; ``,`` on a tie or none.

    >>> _detect_delimiter('ikm_id;name;"Kota, Malang"'), _detect_delimiter("a\\tb")
    (';', '\\t')
    """
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


_CSV_ERRORS = {
    "unexpected end of data": N_("problem.csv_open_quote"),
    "expected after": N_("problem.csv_text_after_quote"),
    "field larger than field limit": N_("problem.csv_value_too_long"),
    "new-line character seen in unquoted field": N_("problem.csv_line_break"),
}


def _csv_records(lines: Iterator[str], where: _Where) -> Iterator[tuple[int, list[str | None]]]:
    """Numbered CSV records (a record spans lines when a quoted value does)."""
    row = 0
    peeked: list[str] = []
    try:
        for line in lines:
            peeked.append(line)
            if line.strip():
                break
            row += 1
        delimiter = _detect_delimiter(peeked[-1] if peeked else "")
        reader = csv.reader(itertools.chain(peeked, lines), delimiter=delimiter, strict=True)
        row = 0
        for cells in reader:
            row += 1
            # _clean, in-line: called for every cell of big files
            yield row, [(unneutralise(text) if text[0] == "'" else text) if (text := cell.strip()) else None
                        for cell in cells]
    except _BadBytes as bad:
        raise where.problem(bad.code, row=row + 1, params=bad.params) from None
    except csv.Error as exc:
        message = str(exc).lower()
        code = next((code for key, code in _CSV_ERRORS.items() if key in message), None)
        if code is None:
            raise where.problem(N_("problem.not_csv"), row=row + 1, params={"why": str(exc)}) from None
        raise where.problem(code, row=row + 1) from None


# --------------------------------------------------------------------------- XLSX
def _read_xlsx(path: str | os.PathLike[str], name: str, size: int, kind: str | None,
               progress: Progress | None) -> SourceFile:
    checksum = _sha256(path)
    _check_archive(path, name)
    with open(path, "rb") as handle, warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, styles): noise for reading values.
        warnings.simplefilter("ignore")
        try:
            tables, ignored = _workbook_tables(handle, name, kind, progress)
        except FileProblem:
            raise
        except Exception as exc:  # a damaged workbook fails inside openpyxl in many ways
            raise FileProblem(name, N_("problem.damaged_workbook"), params={"why": type(exc).__name__}) from exc
    return SourceFile(name, checksum, size, tables, warnings=ignored)


def _read_zip(path: str | os.PathLike[str], name: str, size: int, kind: str | None,
              progress: Progress | None) -> SourceFile:
    """A zip archive of CSV files: ODK Central's export of a form's submissions (its table and
    one per repeat group, SPEC §13), or any CSV files of the kinds, each told by its name."""
    checksum = _sha256(path)
    members = [m for m in _check_archive(path, name, workbook=False)
               if not m.is_dir() and Path(m.filename).suffix.lower() in CSV_SUFFIXES
               and not Path(m.filename).name.startswith(".") and not m.filename.startswith("__MACOSX/")]
    if not members:
        raise FileProblem(name, N_("problem.zip_without_csv"))
    counter = _RowCounter(progress)
    with zipfile.ZipFile(path) as archive:
        read = []
        for member in members:
            where = _Where(name, member.filename)
            with archive.open(member) as handle:
                records = counter.count(_csv_records(_utf8_lines(_byte_lines(handle), hashlib.sha256(), None),
                                                     where))
                head = _head(records, where)
                if head is not None:
                    read.append((member.filename, where, head, _rows(records, head, where)))
    counter.finish()
    if not read:
        raise FileProblem(name, N_("problem.empty_zip"))
    if any(_is_submissions(head, kind) for _, _, head, _ in read):
        return SourceFile(name, checksum, size, submissions.teaching_tables(
            [submissions.Sheet(name, where.sheet, Path(member).name, head.columns, rows)
             for member, where, head, rows in read]))
    tables, problems = [], []
    for member, where, head, rows in read:
        member_kind = ((kind if len(read) == 1 else None) or kind_from_name(member)
                       or kind_from_columns(head.columns))
        try:
            if member_kind is None:
                raise _unknown_kind(name, head, sheet=member)
            _check_required(head.columns, member_kind, head.line, where)
        except FileProblem as problem:
            problems.append(problem)
            continue
        tables.append(Table(name, where.sheet, member_kind, head.columns, rows))
    _raise_all(problems)
    return SourceFile(name, checksum, size, tables)


def _raise_all(problems: list[FileProblem], warnings: list[FileProblem] | None = None) -> None:
    """Raise the first of ``problems`` with the others (every bad sheet named at once) and the
    ``warnings`` found beside them (a notes sheet ignored), if there is any problem."""
    if problems:
        first, *others = [found for problem in problems for found in problem.all()]
        first.also = [*others, *(warnings or [])]
        raise first


def _sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_archive(path: str | os.PathLike[str], name: str, workbook: bool = True) -> list[zipfile.ZipInfo]:
    """Refuse what is not a workbook (or, ``workbook`` False, a zip archive), or would unpack to
    far more than it weighs; the archive's members otherwise."""
    noun = N_("problem.noun_workbook") if workbook else N_("problem.noun_archive")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise FileProblem(name, _not_a_zip_reason(path) if workbook else N_("problem.bad_zip")) from None
    if workbook and "[Content_Types].xml" not in {member.filename for member in members}:
        raise FileProblem(name, N_("problem.zip_not_workbook"))
    # The sizes the central directory declares: zipfile never unpacks a part past its declared
    # size (a part that claims less than it holds fails its read), so checking them is enough.
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise FileProblem(name, N_("problem.unpacks_too_large"),
                          params={"noun": Said(noun), "size": _megabytes(unpacked),
                                  "limit": _megabytes(MAX_UNCOMPRESSED_BYTES)})
    for member in members:
        if (member.file_size >= RATIO_CHECK_MIN_BYTES
                and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)):
            raise FileProblem(name, N_("problem.zip_bomb_part"),
                              params={"part": member.filename, "noun": Said(noun), "ratio": MAX_COMPRESSION_RATIO})
    # Many parts, each too small for the check above, together: the same limit on the whole.
    size = os.path.getsize(path)
    if unpacked > MAX_COMPRESSION_RATIO * size + RATIO_CHECK_MIN_BYTES:
        raise FileProblem(name, N_("problem.zip_bomb_parts"),
                          params={"noun": Said(noun), "parts": Number(len(members)), "size": _amount(unpacked),
                                  "file_size": _amount(size), "ratio": MAX_COMPRESSION_RATIO})
    return members


def _amount(size: int) -> str:
    """Bytes in words: ``19.1 MB``, ``21 KB``."""
    return _megabytes(size) if size >= 1024 * 1024 else f"{max(1, round(size / 1024)):,} KB"


def _not_a_zip_reason(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return N_("problem.xls_or_password")
    try:
        looks_like_text = b"\0" not in head and bool(head.decode("utf-8").strip())
    except UnicodeDecodeError:
        looks_like_text = False
    if looks_like_text:
        return N_("problem.csv_as_workbook")
    return N_("problem.not_a_workbook")


def _workbook_tables(handle: IO[bytes], name: str, kind: str | None,
                     progress: Progress | None) -> tuple[list[Table], list[FileProblem]]:
    """The tables of a workbook's sheets, and the warnings of the sheets ignored (notes, a
    summary: no kind in their names or their columns). Every sheet that cannot be read is
    named at once."""
    workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    try:
        counter = _RowCounter(progress)
        if kind in (None, "teachings") and (export := _submission_sheets(workbook.worksheets, name, counter)):
            counter.finish()
            return submissions.teaching_tables(export), []
        tables: list[Table] = []
        problems: list[FileProblem] = []
        ignored: list[FileProblem] = []
        candidates = _data_sheets(workbook.worksheets, name)
        single = len(candidates) == 1
        for sheet in candidates:
            where = _Where(name, sheet.title)
            records = counter.count(_sheet_records(sheet, name))
            named = (kind if single else None) or kind_from_name(sheet.title) or (
                kind_from_name(name) if single else None)
            try:
                head = _head(records, where)
            except FileProblem as problem:
                if named is None and not single:  # a notes sheet's first line is no header
                    ignored.append(_ignored_sheet(name, sheet.title, None))
                else:
                    problems.append(problem)
                continue
            if head is None:
                continue
            sheet_kind = named or kind_from_columns(head.columns)
            if sheet_kind is None:
                if single:
                    problems.append(_unknown_kind(name, head, sheet=sheet.title))
                else:
                    ignored.append(_ignored_sheet(name, sheet.title, head))
                continue
            try:
                _check_required(head.columns, sheet_kind, head.line, where)
                tables.append(Table(name, sheet.title, sheet_kind, head.columns, _rows(records, head, where)))
            except FileProblem as problem:
                problems.append(problem)
        counter.finish()
        _raise_all(problems, ignored)
        if not tables:
            raise FileProblem(name, N_("problem.no_sheet_to_import"),
                              params={"sheets": Joined(tuple(problem.sheet or "" for problem in ignored))})
        return tables, ignored
    finally:
        workbook.close()


def _ignored_sheet(name: str, sheet: str, head: _Head | None) -> FileProblem:
    """The warning of a sheet whose name and columns tell no kind: notes, a summary."""
    columns = Joined(tuple(head.columns)) if head is not None and head.columns else "—"
    return FileProblem(name, N_("problem.sheet_ignored"), sheet=sheet, severity="warning",
                       params={"columns": columns})


def _submission_sheets(sheets: list[Any], name: str, counter: _RowCounter) -> list[submissions.Sheet]:
    """The sheets of a KoboToolbox (or ODK Central) submissions export — the submissions' and
    one per repeat group, whatever their names — when a sheet's header says the workbook is one;
    else none (SPEC §13)."""
    heads = [(sheet, _head(_sheet_records(sheet, name), _Where(name, sheet.title))) for sheet in sheets]
    if not any(_is_submissions(head, None) for _, head in heads):
        return []
    found = []
    for sheet, head in heads:
        if head is None or (sheet.sheet_state != "visible" and not submissions.is_export(head.columns)):
            continue
        where = _Where(name, sheet.title)
        records = counter.count(_sheet_records(sheet, name))
        _head(records, where)  # read again, past the header
        found.append(submissions.Sheet(name, sheet.title, sheet.title, head.columns, _rows(records, head, where)))
    return found


def _data_sheets(sheets: list[Any], name: str) -> list[Any]:
    """The sheets to read; instructions, lists and empty sheets left out."""
    with_data = [sheet for sheet in sheets if _has_data(sheet, name)]
    if not with_data:
        raise FileProblem(name, N_("problem.empty_workbook"))
    candidates = [sheet for sheet in with_data if not _is_skipped_sheet(sheet)]
    if not candidates:
        raise FileProblem(name, N_("problem.only_instruction_sheets"),
                          params={"skipped": Joined(INSTRUCTION_SHEETS + LIST_SHEETS)})
    return candidates


def _is_skipped_sheet(sheet: Any) -> bool:
    keys = _name_keys(sheet.title)
    if keys & _INSTRUCTION_KEYS:
        return True
    named_kind = bool(_kinds_in_name(sheet.title))
    if keys & _LIST_KEYS and not named_kind:
        return True
    # A hidden sheet nobody can see (drop-down sources, helpers) is not meant as data.
    return sheet.sheet_state != "visible" and not named_kind


def _has_data(sheet: Any, name: str) -> bool:
    return any(any(cell is not None for cell in cells) for _, cells in _sheet_records(sheet, name))


def _sheet_records(sheet: Any, name: str) -> Iterator[tuple[int, list[str | None]]]:
    """The sheet's rows that hold a value, numbered as in the spreadsheet, each up to its last value.

    Read from the sheet's XML as openpyxl's ``iter_rows(values_only=True)`` reads it (the stored
    dimension, which may be wrong, is not used), except that the rows missing in between are not
    made: openpyxl yields every one of them, so that one ``<row r="2000000">`` in a 1.4 KB file
    kept the reader busy for seconds (an hour at ``r="2000000000"``). A row or column beyond
    Excel's limits (:data:`MAX_ROWS`, :data:`MAX_COLUMNS`) is refused as soon as it is met.
    Rows numbered lower than a row before them are skipped, as openpyxl does.
    """
    from openpyxl.worksheet._reader import WorkSheetParser  # the parser iter_rows uses (openpyxl 3.1)

    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=book.data_only, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        last = 0
        for line, cells in parser.parse():
            if line > MAX_ROWS:
                raise FileProblem(name, N_("problem.row_beyond_limit"), sheet=sheet.title, row=line,
                                  params={"line": Number(line), "limit": Number(MAX_ROWS)})
            if line <= last:
                continue
            last = line
            values = {cell["column"]: cell["value"] for cell in cells if cell["value"] is not None}
            if not values:
                continue
            width = max(values)
            if width > MAX_COLUMNS:
                raise FileProblem(name, N_("problem.column_beyond_limit"), sheet=sheet.title, row=line,
                                  params={"column": Number(width), "limit": Number(MAX_COLUMNS)})
            row: list[str | None] = [None] * width
            for column, value in values.items():
                if column >= 1:
                    row[column - 1] = _cell_text(value)
            yield line, row


class _RowCounter:
    """Counts rows across sheets and reports them to a progress hook."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.rows = 0

    def count(self, records: Iterator[tuple[int, list[str | None]]]) -> Iterator[tuple[int, list[str | None]]]:
        for record in records:
            self.rows += 1
            if self.progress is not None and self.rows % _PROGRESS_EVERY_ROWS == 0:
                self.progress(self.rows)
            yield record

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.rows)
