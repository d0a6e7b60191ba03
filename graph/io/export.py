"""Exports of the whole store (SPEC §4).

Two families:

- **network files** for Gephi and other graph tools — ``graphml``, ``gexf`` and ``json``
  (networkx node-link data): one node per IKM, one edge per ``TAUGHT_BY`` from teacher to
  learner (the way knowledge flows) with its skill and date; in ``gexf`` the dates are also
  dynamic (spells: each IKM from the day it learned, each teaching from its date), so that
  Gephi's timeline plays the spread. They carry no phone numbers:
  a phone number is personal data under UU 27/2022 and a network picture does not need it.
- **data round trips** in exactly the import format — ``xlsx`` (one sheet per kind) and
  ``csv`` (one file per kind in a folder). ``tular import`` of such an export into an empty
  store gives back the same records, phone numbers included.

And the IKM register of the phone form (``odk-register``, SPEC §13): ``ikm.csv``, the list
the form's learner and teacher are picked from — ids, names and kelurahan only.

Everything here is a pure function of data read through the ``GraphStore`` interface,
except :func:`export_store`, which reads the store once and writes the file.

>>> rows = list(table_rows("attendance", Records(attendance=[Attendance(training_id="=T1", ikm_id="A")]),
...                        Gazetteer.kota_malang()))
>>> rows
[["'=T1", 'A', 'ya']]
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any

import networkx as nx
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from tular.graph.io.files import open_private
from tular.graph.io.readers import neutralise, unneutralise
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import InvalidData, Phrase, Phrases, UsageError, said
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import IKM, KINDS, Attendance, Population, Records, placeholder  # noqa: F401  (Attendance: the doctest)
from tular.graph.store.base import GraphStore

REGISTER_FORMAT = "odk-register"
FORMATS = ("graphml", "gexf", "json", "xlsx", "csv", REGISTER_FORMAT)
NETWORK_FORMATS = ("graphml", "gexf", "json")
_SUFFIX_FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".json": "json", ".xlsx": "xlsx", ".csv": "csv"}

#: The columns of each kind, in the order export and template write them; every one is a
#: column the importer knows (``kecamatan`` beside ``kelurahan``, dates after ids).
SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    "ikm": ("ikm_id", "name", "kelurahan", "kecamatan", "business_name", "sector", "gender", "phone", "joined_on"),
    "trainings": ("training_id", "title", "skill", "start_date", "end_date", "organizer", "location",
                  "budget_idr", "target_group"),
    "attendance": ("training_id", "ikm_id", "completed"),
    "teachings": ("learner_id", "teacher_id", "skill", "date", "source", "note", "submission_id"),
    "outcomes": ("ikm_id", "kind", "skill", "date", "value", "note"),
    "populations": ("kelurahan", "kecamatan", "population"),
}

#: How ``completed`` is written (the words of the template's drop-down list).
COMPLETED_WORDS = {True: "ya", False: "tidak"}

#: What an Excel workbook cannot hold: control characters other than tab and line feed
#: (a carriage return comes back as a line feed), and the two XML non-characters.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
#: The CSV importer refuses a NUL byte.
_NOT_IN_CSV = re.compile(r"\x00")
#: What XML 1.0 cannot hold, replaced in network files (they are pictures, not round trips).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XLSX_MAX_CELL_CHARS = 32_767
XLSX_MAX_ROWS = 1_048_576
#: Cells named in an error message at most.
_LISTED_CELLS = 10


class ExportResult(BaseModel):
    """What an export wrote."""

    format: str
    paths: list[str]
    counts: dict[str, int]


# --------------------------------------------------------------------------- reading
def read_records(store: GraphStore) -> Records:
    """Every record of the store, each kind sorted by its key (the same order on every store)."""
    return Records(
        ikm=sorted(store.all_ikm(), key=lambda r: r.ikm_id),
        trainings=sorted(store.trainings(), key=lambda r: r.training_id),
        attendance=sorted(store.all_attendance(), key=lambda r: (r.training_id, r.ikm_id)),
        teachings=sorted(store.all_teachings(), key=lambda r: (r.learner_id, r.teacher_id, r.skill)),
        outcomes=sorted(store.all_outcomes(), key=lambda r: (r.ikm_id, r.kind, r.skill_key, r.date)),
        populations=[Population(kelurahan_code=code, population=n) for code, n in sorted(store.populations().items())],
    )


def record_counts(records: Records) -> dict[str, int]:
    return {kind: len(getattr(records, kind)) for kind in KINDS}


# --------------------------------------------------------------------------- network files
def network(records: Records, gazetteer: Gazetteer) -> nx.MultiDiGraph:
    """The whole teaching network: IKM nodes (``name``, ``kelurahan``, ``kecamatan``,
    ``sector``, ``gender``, ``business_name``, ``outcomes``: the kinds it achieved, comma-
    separated; no phone), one edge per ``TAUGHT_BY`` from
    teacher to learner keyed by skill, with ``skill``, ``date`` (ISO text) and the phone
    submission it came from (``submission_id``, SPEC §13). Blank values are left out rather
    than written as empty attributes.

    >>> from tular.graph.model.records import IKM, Teaching
    >>> g = network(Records(ikm=[IKM(ikm_id="a", name="Ani", kelurahan_code="lowokwaru.dinoyo", phone="0811"),
    ...                          IKM(ikm_id="b", name="Budi", kelurahan_code="lowokwaru.dinoyo")],
    ...                     teachings=[Teaching(learner_id="b", teacher_id="a", skill="batik",
    ...                                         date=date(2021, 3, 5))]), Gazetteer.kota_malang())
    >>> g.nodes["a"]
    {'name': 'Ani', 'kelurahan': 'Dinoyo', 'kecamatan': 'Lowokwaru'}
    >>> list(g.edges(keys=True, data=True))
    [('a', 'b', 'batik', {'skill': 'batik', 'date': '2021-03-05'})]
    """
    graph = nx.MultiDiGraph(name="tular teaching network")
    achieved: dict[str, set[str]] = {}
    for outcome in records.outcomes:
        achieved.setdefault(outcome.ikm_id, set()).add(outcome.kind)
    for ikm in records.ikm:
        kinds = achieved.get(ikm.ikm_id)
        attributes = {
            "name": ikm.name,
            "kelurahan": gazetteer.by_code(ikm.kelurahan_code).name,
            "kecamatan": gazetteer.kecamatan_of(ikm.kelurahan_code).name,
            "sector": ikm.sector, "gender": ikm.gender, "business_name": ikm.business_name,
            "outcomes": ",".join(sorted(kinds)) if kinds else None,
        }
        graph.add_node(ikm.ikm_id, **{k: v for k, v in attributes.items() if v is not None})
    for teaching in records.teachings:
        submission = {"submission_id": teaching.submission_id} if teaching.submission_id else {}
        graph.add_edge(teaching.teacher_id, teaching.learner_id, key=teaching.skill,
                       skill=teaching.skill, date=teaching.date.isoformat(), **submission)
    return graph


def learning_dates(records: Records) -> dict[str, date]:
    """Per IKM, the day it first learned a skill: the end of its earliest completed training,
    or its earliest teaching received, whichever came first. An IKM with neither that taught
    someone knew a skill by its first teaching: that day."""
    ends = {t.training_id: t.end_date for t in records.trainings}
    learned: dict[str, date] = {}
    for ikm_id, day in [(a.ikm_id, ends[a.training_id]) for a in records.attendance
                        if a.completed and a.training_id in ends] + [(t.learner_id, t.date) for t in records.teachings]:
        if ikm_id not in learned or day < learned[ikm_id]:
            learned[ikm_id] = day
    for t in sorted(records.teachings, key=lambda t: t.date):
        learned.setdefault(t.teacher_id, t.date)
    return learned


def with_spells(graph: nx.MultiDiGraph, records: Records) -> nx.MultiDiGraph:
    """The network as a dynamic graph for Gephi's timeline (GEXF spells, dates as
    ``YYYY-MM-DD``): each IKM is there from the day it learned (``learned_on``, also an
    attribute) — or from its first teaching, if it taught before that day (a teaching dated
    before the teacher learned is kept, with an import warning), so that no edge is drawn
    without its ends — and each teaching from its date. An IKM that never learned nor taught
    has no spell: Gephi shows it all along."""
    learned = learning_dates(records)
    first_seen = dict(learned)
    for u, v, day in graph.edges(data="date"):
        for ikm_id in (u, v):
            if ikm_id in first_seen and day < first_seen[ikm_id].isoformat():
                first_seen[ikm_id] = date.fromisoformat(day)
    dynamic = nx.MultiDiGraph(**graph.graph, mode="dynamic")
    for node, data in graph.nodes(data=True):
        spell = {"learned_on": learned[node].isoformat(), "spells": [(first_seen[node].isoformat(), None)]} \
            if node in learned else {}
        dynamic.add_node(node, **data, **spell)
    dynamic.add_edges_from((u, v, k, {**d, "spells": [(d["date"], None)]}) for u, v, k, d in graph.edges(keys=True, data=True))
    return dynamic


def node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """networkx node-link data, edges under ``edges`` (read with ``nx.node_link_graph(data, edges="edges")``)."""
    return nx.node_link_data(graph, edges="edges")


def _xml_safe(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph with characters XML cannot hold replaced by U+FFFD: a name pasted with a
    control character must not make the whole file unreadable."""
    def clean(value: Any) -> Any:
        return _NOT_IN_XML.sub("\ufffd", value) if isinstance(value, str) else value

    if not any(_NOT_IN_XML.search(str(v)) for _, d in graph.nodes(data=True) for v in d.values()) and not any(
            _NOT_IN_XML.search(n) for n in graph):
        return graph
    safe = nx.MultiDiGraph(**graph.graph)
    safe.add_nodes_from((clean(n), {k: clean(v) for k, v in d.items()}) for n, d in graph.nodes(data=True))
    safe.add_edges_from((clean(u), clean(v), k, d) for u, v, k, d in graph.edges(keys=True, data=True))
    return safe


def write_network(graph: nx.MultiDiGraph, fmt: str, handle: IO[bytes]) -> None:
    if fmt == "graphml":
        nx.write_graphml(_xml_safe(graph), handle, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(_xml_safe(graph), handle, encoding="utf-8")
    elif fmt == "json":
        handle.write(json.dumps(node_link(graph), ensure_ascii=False, indent=1).encode("utf-8"))
    else:
        raise said(UsageError, N_("export.not_network"), {"format": repr(fmt), "choices": ", ".join(NETWORK_FORMATS)})


# --------------------------------------------------------------------------- import-format tables
def _cell(value: Any) -> Any:
    """A value as the importer reads it back: text neutralised against formulas, dates
    ISO, ``completed`` as ya/tidak, numbers as numbers, blanks as ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return COMPLETED_WORDS[value]
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_rows(kind: str, records: Records, gazetteer: Gazetteer) -> Iterator[list[Any]]:
    """The data rows of ``kind`` in the import format, columns as :data:`SHEET_COLUMNS`.
    Kelurahan by name with its kecamatan, skills by id, dates ISO; text neutralised."""
    def area(code: str) -> tuple[str, str]:
        return gazetteer.by_code(code).name, gazetteer.kecamatan_of(code).name

    for record in getattr(records, kind):
        if kind == "ikm":
            kelurahan, kecamatan = area(record.kelurahan_code)
            values = [record.ikm_id, record.name, kelurahan, kecamatan, record.business_name, record.sector,
                      record.gender, record.phone, record.joined_on]
        elif kind == "trainings":
            values = [record.training_id, record.title, ", ".join(record.skills), record.start_date, record.end_date,
                      record.organizer, record.location, record.budget_idr, record.target_group]
        elif kind == "attendance":
            values = [record.training_id, record.ikm_id, record.completed]
        elif kind == "teachings":
            values = [record.learner_id, record.teacher_id, record.skill, record.date, record.source, record.note,
                      record.submission_id]
        elif kind == "outcomes":
            values = [record.ikm_id, record.kind, record.skill, record.date, record.value, record.note]
        elif kind == "populations":
            kelurahan, kecamatan = area(record.kelurahan_code)
            values = [kelurahan, kecamatan, record.population]
        else:
            raise ValueError(kind)
        yield [_cell(v) for v in values]


def _record_label(kind: str, row: list[Any]) -> str:
    key_columns = {"ikm": 1, "trainings": 1, "attendance": 2, "teachings": 3, "outcomes": 4,
                   "populations": 2}[kind]
    return f"{kind} {'/'.join(unneutralise(str(v)) for v in row[:key_columns])}"


def _refuse_unwritable(kind: str, rows: list[list[Any]], fmt: str) -> None:
    """Refuse, naming the cells, values the format cannot hold exactly."""
    pattern = _NOT_IN_XLSX if fmt == "xlsx" else _NOT_IN_CSV
    bad = []
    for row in rows:
        for column, value in zip(SHEET_COLUMNS[kind], row):
            if not isinstance(value, str):
                continue
            if match := pattern.search(value):
                bad.append(Phrase(N_("export.bad_character"), {"record": _record_label(kind, row), "column": column,
                                                                 "character": f"U+{ord(match.group()):04X}"}))
            elif fmt == "xlsx" and len(value) > XLSX_MAX_CELL_CHARS:
                bad.append(Phrase(N_("export.too_long"), {"record": _record_label(kind, row), "column": column,
                                                            "length": f"{len(value):,}",
                                                            "most": f"{XLSX_MAX_CELL_CHARS:,}"}))
    if bad:
        listed = Phrases.first(bad, _LISTED_CELLS)
        key = N_("export.unwritable_xlsx") if fmt == "xlsx" else N_("export.unwritable")
        raise said(InvalidData, key, {"count": len(bad), "format": fmt.upper(), "listed": listed})
    if fmt == "xlsx" and len(rows) >= XLSX_MAX_ROWS:
        raise said(InvalidData, N_("export.too_many_rows"),
                   {"rows": f"{len(rows):,}", "kind": kind, "most": f"{XLSX_MAX_ROWS - 1:,}"})


def import_tables(records: Records, gazetteer: Gazetteer, fmt: str) -> dict[str, list[list[Any]]]:
    """Every kind's rows, checked to be writable in ``fmt`` (``csv`` or ``xlsx``)."""
    tables = {}
    for kind in KINDS:
        rows = list(table_rows(kind, records, gazetteer))
        _refuse_unwritable(kind, rows, fmt)
        tables[kind] = rows
    return tables


def write_csv(kind: str, rows: list[list[Any]], handle: IO[str]) -> None:
    """One kind as CSV: header row, ``,``-separated, quoted where needed."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(SHEET_COLUMNS[kind])
    writer.writerows(["" if v is None else v for v in row] for row in rows)


def write_xlsx(tables: dict[str, list[list[Any]]], handle: IO[bytes]) -> None:
    """One sheet per kind with a bold header row; text stays text (ids and phone numbers
    keep their leading zeros), numbers stay numbers."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for kind, rows in tables.items():
        sheet = workbook.create_sheet(kind)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(SHEET_COLUMNS[kind]):
            longest = max([len(column), *(len(str(r[index])) for r in rows[:200] if r[index] is not None)])
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(10, longest + 2), 50)
        header = []
        for column in SHEET_COLUMNS[kind]:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    workbook.save(handle)


# --------------------------------------------------------------------------- the phone form's register
#: ``name`` is the value the form stores (the ikm_id), ``label`` what the officer searches.
REGISTER_COLUMNS = ("name", "label", "kelurahan")


def register_rows(ikm: Iterable[IKM], gazetteer: Gazetteer, erased: Iterable[str] = (),
                  kelurahan_code: str | None = None) -> list[list[str]]:
    """The rows of ``ikm.csv``: ``[ikm_id, "Name (Kelurahan)", kelurahan]`` sorted by label,
    never a phone number; IKM whose personal data was erased left out (``erased``, or the
    placeholder name); only ``kelurahan_code``'s IKM if given. Two IKM of one name in one
    kelurahan get their id after the label, so that the officer can tell them apart. Text is
    neutralised against formulas, as in every CSV export.

    >>> g = Gazetteer.kota_malang()
    >>> rows = register_rows([IKM(ikm_id="a", name="Ani", kelurahan_code="lowokwaru.dinoyo", phone="0811"),
    ...                       IKM(ikm_id="b", name="=Budi", kelurahan_code="blimbing.bunulrejo"),
    ...                       IKM(ikm_id="c", name=placeholder("c"), kelurahan_code="lowokwaru.dinoyo")], g)
    >>> rows
    [['b', "'=Budi (Bunulrejo)", 'Bunulrejo'], ['a', 'Ani (Dinoyo)', 'Dinoyo']]
    >>> register_rows([IKM(ikm_id="a", name="Ani", kelurahan_code="lowokwaru.dinoyo")], g, erased=["a"])
    []
    """
    gone = set(erased)
    kept = [i for i in ikm if i.ikm_id not in gone and i.name != placeholder(i.ikm_id)
            and (kelurahan_code is None or i.kelurahan_code == kelurahan_code)]
    # a name pasted with a line break would break the phone's list: one line each
    labels = {i.ikm_id: f"{' '.join(i.name.split())} ({gazetteer.by_code(i.kelurahan_code).name})" for i in kept}
    shared = {label for label, n in Counter(labels.values()).items() if n > 1}
    rows = []
    for record in kept:
        label = labels[record.ikm_id]
        rows.append([record.ikm_id, f"{label} · {record.ikm_id}" if label in shared else label,
                     gazetteer.by_code(record.kelurahan_code).name])
    rows.sort(key=lambda row: (row[1].casefold(), row[0]))
    return [[neutralise(value) for value in row] for row in rows]


def odk_register(store: GraphStore, kelurahan: str | None = None) -> list[list[str]]:
    """The register of ``store``'s IKM (:func:`register_rows`); ``kelurahan`` a name as
    people write it (``UnknownArea`` suggests the closest)."""
    gazetteer = store.gazetteer()
    code = gazetteer.kelurahan(kelurahan).code if kelurahan else None
    rows = register_rows(store.all_ikm(), gazetteer, store.erasures(), code)
    bad = [row[0] for row in rows if any(_NOT_IN_CSV.search(value) for value in row)]
    if bad:
        raise said(InvalidData, N_("export.register_nul"),
                   {"count": len(bad), "listed": ", ".join(unneutralise(b) for b in bad[:_LISTED_CELLS])})
    return rows


def write_register(rows: list[list[str]], handle: IO[str]) -> None:
    """``ikm.csv`` as ODK Collect reads it: UTF-8 without a byte-order mark, ``,``-separated."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(REGISTER_COLUMNS)
    writer.writerows(rows)


def register_csv(rows: list[list[str]]) -> bytes:
    """``ikm.csv`` as bytes, for a download."""
    buffer = io.StringIO()
    write_register(rows, buffer)
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- the command
def format_for(path: Path, fmt: str | None) -> str:
    """The export format: as given, or told by the output's suffix (a folder: csv)."""
    if fmt is not None:
        chosen = fmt.strip().lower()
        if chosen not in FORMATS:
            raise said(UsageError, N_("export.unknown_format"), {"format": repr(fmt), "choices": ", ".join(FORMATS)})
        return chosen
    if path.is_dir() or not path.suffix:
        return "csv"
    found = _SUFFIX_FORMATS.get(path.suffix.lower())
    if found is None:
        raise said(UsageError, N_("export.format_from_name"), {"name": repr(path.name), "choices": ", ".join(FORMATS)})
    return found


@contextmanager
def _replacing(path: Path, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
    """Write beside ``path`` and move into place at the end: a failed export leaves no half file.
    Created 0600 (:func:`~tular.graph.io.files.open_private`): an export holds personal data."""
    if path.is_dir():
        raise said(UsageError, N_("export.is_folder"), {"path": str(path)})
    if not path.parent.exists():
        raise said(UsageError, N_("backup.no_folder"), {"folder": str(path.parent)})
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open_private(partial, mode, **kwargs) as handle:
            yield handle
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def export_store(store: GraphStore, output: str | os.PathLike[str], fmt: str | None = None,
                 kelurahan: str | None = None) -> ExportResult:
    """Export the whole store to ``output`` in ``fmt`` (see :data:`FORMATS`); ``odk-register``
    of one ``kelurahan`` if given.

    For ``csv``, ``output`` is a folder (made if missing) that receives ``ikm.csv``,
    ``trainings.csv``, ``attendance.csv``, ``teachings.csv``, ``outcomes.csv`` and ``populations.csv``
    (UTF-8 with a byte-order mark, so that Excel shows non-ASCII names right).

    Raises ``UsageError`` for an unknown format or an impossible path, ``InvalidData``
    (naming the records) for values the format cannot hold exactly; nothing is written then.
    """
    path = Path(output)
    fmt = format_for(path, fmt)
    if kelurahan and fmt != REGISTER_FORMAT:
        raise said(UsageError, N_("export.kelurahan_register_only"), {"register": REGISTER_FORMAT, "format": fmt})
    if fmt == REGISTER_FORMAT:
        rows = odk_register(store, kelurahan)
        with _replacing(path, "w", encoding="utf-8", newline="") as handle:
            write_register(rows, handle)
        return ExportResult(format=fmt, paths=[str(path)], counts={"ikm": len(rows)})
    records = read_records(store)
    gazetteer = store.gazetteer()
    counts = record_counts(records)
    if fmt in NETWORK_FORMATS:
        graph = network(records, gazetteer)
        if fmt == "gexf":  # Gephi plays the spread on its timeline (SPEC §12)
            graph = with_spells(graph, records)
        with _replacing(path) as handle:
            write_network(graph, fmt, handle)
        return ExportResult(format=fmt, paths=[str(path)],
                            counts={"ikm": graph.number_of_nodes(), "teachings": graph.number_of_edges()})
    tables = import_tables(records, gazetteer, fmt)
    if fmt == "xlsx":
        with _replacing(path) as handle:
            write_xlsx(tables, handle)
        return ExportResult(format=fmt, paths=[str(path)], counts=counts)
    if path.exists() and not path.is_dir():
        raise said(UsageError, N_("export.csv_to_folder"), {"path": str(path)})
    if not path.parent.exists():
        raise said(UsageError, N_("backup.no_folder"), {"folder": str(path.parent)})
    path.mkdir(mode=0o700, exist_ok=True)  # a new folder is the owner's only; an existing one is left as it is
    written = []
    for kind, rows in tables.items():
        target = path / f"{kind}.csv"
        with _replacing(target, "w", encoding="utf-8-sig", newline="") as handle:
            write_csv(kind, rows, handle)
        written.append(str(target))
    return ExportResult(format=fmt, paths=written, counts=counts)
