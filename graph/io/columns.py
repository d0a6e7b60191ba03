"""A big CSV file read column by column (pyarrow's C reader), for the import of a province.

The row-by-row reader (:mod:`tular.graph.io.readers`) makes a dict per row; at three
million rows that is most of an import's reading time and memory. Here the cells of a
plain CSV file — one record per line, no quotes, as spreadsheets and the phone-form
exports write them — are parsed in C into one array per column, cleaned as the row reader
cleans each cell (stripped, empty → None, a neutralised formula given back), and kept as
columns: :class:`ColumnRows` is the table's rows, made one by one only where they are asked
for (a row with a problem, whose message names its values).

Any file this reader is not sure to read exactly as the row reader would (quotes, blank
lines, a short or long row, bytes that are not UTF-8, a lone CR, …) is left to the row
reader: :func:`read_columns` returns None, and the row reader reads it and names its problem.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from tular.graph.io.tables import Row

#: Files smaller than this are read row by row (pyarrow's import is not worth it).
COLUMN_READ_MIN_BYTES = 1024 * 1024
#: Python's csv module refuses a longer field; such a file is left to the row reader.
FIELD_LIMIT = 131_072
#: Characters ``str.strip`` takes off an ASCII text.
_ASCII_SPACE = "\t\n\x0b\x0c\r \x1c\x1d\x1e\x1f"


class ColumnRows(Sequence[Row]):
    """A table's rows held as columns: ``arrays`` (pyarrow, text or null) by column name and
    each row's spreadsheet line. Indexing or iterating makes :class:`Row` objects, as the
    row reader would have made them; the validator reads the columns instead."""

    def __init__(self, columns: list[str], arrays: dict[str, Any], lines: np.ndarray):
        self.columns = columns
        self.arrays = arrays
        self.lines = lines
        self._lists: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.lines)

    def array(self, column: str) -> Any:
        """The column's cells as a pyarrow array (all null for a column the file lacks)."""
        import pyarrow as pa

        found = self.arrays.get(column)
        return found if found is not None else pa.nulls(len(self.lines), pa.string())

    def column(self, column: str) -> list[str | None]:
        """The column's cells as a list (kept: asked again, it is not made again)."""
        if column not in self.arrays:
            return [None] * len(self.lines)
        found = self._lists.get(column)
        if found is None:
            found = self._lists[column] = self.arrays[column].to_pylist()
        return found

    def row(self, index: int) -> Row:
        """One row, its cells taken from the arrays (a row with a problem: few of them)."""
        lists = self._lists
        return Row(int(self.lines[index]), {c: lists[c][index] if c in lists else self.arrays[c][index].as_py()
                                            for c in self.columns})

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self.row(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.row(index)

    def __iter__(self) -> Iterator[Row]:
        lists = [self.column(c) for c in self.columns]
        names = self.columns
        for line, *cells in zip(self.lines.tolist(), *lists):
            yield Row(line, dict(zip(names, cells)))


def read_columns(data: bytes | bytearray, delimiter: str, names: list[str],
                 clean: Callable[[str], str | None]) -> ColumnRows | None:
    """The records after the header line of ``data`` (a whole CSV file, its header already
    read as ``names``, one name per cell), each cell as ``clean`` makes it, or None when the file is not one this reader
    reads exactly as the row reader does."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pa_csv

    if b'"' in data or b"\0" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    end = data.find(b"\n")
    if end < 0 or not data[end + 1:end + 4097].strip():
        return None
    body = pa.BufferReader(pa.py_buffer(data).slice(end + 1))  # not a copy
    fields = [f"c{i}" for i in range(len(names))]
    try:
        table = pa_csv.read_csv(
            body,
            read_options=pa_csv.ReadOptions(column_names=fields, use_threads=False),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char=False, escape_char=False,
                                              newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={f: pa.string() for f in fields},
                                                  strings_can_be_null=True, null_values=[""]),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    rows = table.num_rows
    plain = _plain(data, delimiter)
    arrays: dict[str, Any] = {}
    blank = np.ones(rows, dtype=bool)
    for name, field in zip(names, fields):
        column = table.column(field).combine_chunks()
        if rows and pc.max(pc.binary_length(column)).as_py() > FIELD_LIMIT:
            return None
        if not plain:
            column = _cleaned(column, clean)
        blank &= column.is_null().to_numpy(zero_copy_only=False)
        arrays[name] = column
    lines = np.arange(2, rows + 2, dtype=np.int64)
    if blank.any():  # a row of empty cells: left out, the lines of the others kept
        keep = pa.array(~blank)
        arrays = {name: column.filter(keep) for name, column in arrays.items()}
        lines = lines[~blank]
    return ColumnRows(list(names), arrays, lines)


def _plain(data: bytes | bytearray, delimiter: str) -> bool:
    """Whether no cell of ``data`` can need cleaning beyond empty → null: ASCII, no control
    character but line ends (and tabs that separate cells), no ``'``, and no space next to a
    separator or a line end."""
    controls = [c for c in range(32) if c not in (10, 13) and not (c == 9 and delimiter == "\t")]
    if not data.isascii() or b"'" in data or any(bytes([c]) in data for c in controls):
        return False
    octets = np.frombuffer(data, dtype=np.uint8)
    spaces = np.flatnonzero(octets == 32)
    if not len(spaces):
        return True
    if spaces[0] == 0 or spaces[-1] == len(octets) - 1:
        return False
    before, after = octets[spaces - 1], octets[spaces + 1]
    return not any((before == edge).any() or (after == edge).any() for edge in (ord(delimiter), 10, 13))


def _cleaned(column: Any, clean: Callable[[str], str | None]) -> Any:
    """The cells as the row reader cleans each one: stripped, empty → null, a formula that was
    neutralised with a leading ``'`` given back (Python does the few cells that need it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    trimmed = pc.ascii_trim(column, characters=_ASCII_SPACE)
    needs = pc.or_(pc.or_(pc.invert(pc.string_is_ascii(column)), pc.starts_with(column, "'")),
                   pc.not_equal(pc.binary_length(trimmed), pc.binary_length(column))).fill_null(False)
    flagged = np.flatnonzero(needs.to_numpy(zero_copy_only=False))
    if len(flagged):
        texts = column.take(pa.array(flagged)).to_pylist()
        cleaned = [clean(text) for text in texts]
        column = pc.replace_with_mask(column, needs, pa.array(cleaned, pa.string()))
    return column


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
