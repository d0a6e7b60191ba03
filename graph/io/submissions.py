"""The phone form's submissions as ODK Central and KoboToolbox hand them over (SPEC §13), read
as teachings. Pure: tables of text in, tables of text out; the readers decide that a file is
such an export (:func:`is_export`), validation checks the rows as any teaching.

What the servers write, for the form of :mod:`tular.graph.io.xlsform` (fields in the group
``pengajaran``, the new learner in ``pengajaran/ikm_baru``):

- **ODK Central**, CSV (and its zip of CSVs): ``SubmissionDate``, the fields with their groups
  joined by ``-`` (``pengajaran-teacher_id``, ``pengajaran-ikm_baru-name``; plain names when
  exported without group paths), ``meta-instanceID``, then ``KEY`` (the submission's
  instance id), ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``,
  ``AttachmentsExpected``, ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``,
  ``FormVersion``. The zip holds one more CSV per repeat group, its rows tied to their
  submission by ``PARENT_KEY`` and named by ``KEY`` (``uuid:…/group[2]``).
- **KoboToolbox**, XLSX or CSV: the fields with their groups joined by ``/`` (the export's
  group separator), then ``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``,
  ``_notes``, ``_status``, ``_submitted_by``, ``__version__``, ``_tags``, ``_index``; one
  more sheet per repeat group, its rows tied by ``_parent_table_name`` and ``_parent_index``.
- **ODK Central's OData** (``tular import --from-odk``): the same as JSON, flattened here to
  ``/`` paths (:func:`odata_sheets`).

The servers' own columns (submitter, device, start and end, review, version, ``_id``, …)
and the form's ``learner_known`` are dropped, not kept as notes; the submission's id (``KEY``,
``_uuid``, ``meta/instanceID``) becomes the teaching's ``submission_id``. Each submission is
one teaching — or, when a repeat group holds the teaching's fields, each row of it, with the
fields of the rows it sits in. A learner recorded in the new-learner group gets the id
``ODK-`` + the first 8 hex digits of the submission's uuid (``-2``, ``-3``, … after it for
the second and later teachings of one submission's repeat group).

>>> field_of("pengajaran-ikm_baru-name"), field_of("pengajaran/teacher_id"), field_of("_submitted_by")
('new_name', 'teacher_id', None)
>>> new_ikm_id("uuid:85cb9aff-005e-4edd-9739-dc9c1a829c44")
'ODK-85cb9aff'
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tular.graph.io.tables import FileProblem, Joined, Row, Table
from tular.graph.model.catalogue import N_

#: The form's fields that make a teaching (the ``teachings`` columns of SPEC §4).
TEACHING_FIELDS = ("learner_id", "teacher_id", "skill", "date", "source", "note")
#: The new learner's fields (the form's group ``ikm_baru``) and the column each becomes.
NEW_LEARNER_FIELDS = {"name": "new_name", "kelurahan": "new_kelurahan", "business_name": "new_business_name"}
NEW_IKM_ID = "new_ikm_id"
SUBMISSION_ID = "submission_id"
#: Columns of a submissions table that are not the teaching's own: what validation needs to
#: record a new learner (:meth:`~tular.graph.io.validation.Validator.check_new_learners`).
INTERNAL = (NEW_IKM_ID, *NEW_LEARNER_FIELDS.values())
#: The form's questions that only steer it: whether the learner is in the register.
STEERING = frozenset({"learner_known"})
#: Where a submission's id is, best first (paths as :func:`path_of` gives them): the id of the
#: submission that stays through edits (ODK Central's ``__id``/``KEY``, KoboToolbox's
#: ``meta/rootUuid``), then the instance's own.
ID_PATHS = ("__id", "key", "meta/rootuuid", "_uuid", "meta/instanceid", "instanceid")
#: The servers' columns, as paths: ODK Central's, the form's ``start`` and ``end``, and the
#: OData and KoboToolbox ones that no group holds. Every column in a ``meta``, ``__system`` or
#: ``formhub`` group, and every column whose name starts with ``_`` (KoboToolbox's), is one too.
SERVER_COLUMNS = frozenset({
    "submissiondate", "key", "parent_key", "submitterid", "submittername", "attachmentspresent",
    "attachmentsexpected", "status", "reviewstate", "deviceid", "edits", "formversion", "start", "end", "today",
    "instanceid", "instancename", "username", "phonenumber", "simserial", "subscriberid", "audit",
})
SERVER_GROUPS = frozenset({"meta", "__system", "formhub"})
#: What joins groups and names in headers: ``-`` (ODK Central), ``/`` (KoboToolbox, OData),
#: ``.`` or ``:`` (KoboToolbox's other group separators).
SEPARATORS = re.compile(r"[/\-.:]")
_HEX = re.compile(r"[0-9a-f]{8}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


# --------------------------------------------------------------------------- columns
def path_of(header: str) -> str:
    """A header as a ``/`` path, whatever joined its groups.

    >>> path_of("meta-instanceid"), path_of("pengajaran/ikm_baru/name"), path_of("_uuid")
    ('meta/instanceid', 'pengajaran/ikm_baru/name', '_uuid')
    """
    return "/".join(part for part in SEPARATORS.split(header) if part)


def is_server_column(header: str) -> bool:
    """A column the server (or the form's own bookkeeping) adds: dropped, never a note.

    >>> [is_server_column(h) for h in ("SubmissionDate".lower(), "meta-instanceid", "_validation_status",
    ...                                 "__version__", "start", "pengajaran-note")]
    [True, True, True, True, True, False]
    """
    path = path_of(header)
    return header.startswith("_") or path in SERVER_COLUMNS or path.split("/", 1)[0] in SERVER_GROUPS


def field_of(header: str) -> str | None:
    """The table column a header of the form gives (by its last name, whatever its groups), or
    None when it is no field of a teaching (a server's column, ``learner_known``, a question
    the form does not have)."""
    if is_server_column(header):
        return None
    name = path_of(header).rsplit("/", 1)[-1]
    if name in TEACHING_FIELDS:
        return name
    return NEW_LEARNER_FIELDS.get(name)


def is_export(columns: Iterable[str]) -> bool:
    """Whether a table with these (lower-case) headers is a table of a submissions export of the
    form: it names its submissions (or their rows, in a repeat group's table) and holds a field
    of the teaching or of the new learner.

    >>> is_export(["submissiondate", "pengajaran-teacher_id", "key"]), is_export(["learner_id", "teacher_id"])
    (True, False)
    """
    columns = list(columns)
    paths = {path_of(c) for c in columns}
    named = bool(paths & {*ID_PATHS, "parent_key", "_parent_index", "_submission__uuid"})
    return named and any(field_of(c) is not None for c in columns)


def new_ikm_id(submission_id: str | None) -> str | None:
    """The id of a learner recorded in the form's new-learner group: ``ODK-`` + the first 8
    hex digits of the submission's instance uuid; None when the id holds no uuid."""
    if not submission_id:
        return None
    digits = submission_id.removeprefix("uuid:").replace("-", "").casefold()[:8]
    return f"ODK-{digits}" if _HEX.fullmatch(digits) else None


def instance_id(text: str | None) -> str | None:
    """A submission's id as ODK writes it, ``uuid:…`` (KoboToolbox's ``_uuid`` leaves the prefix out).

    >>> instance_id("85cb9aff-005e-4edd-9739-dc9c1a829c44"), instance_id("uuid:1")
    ('uuid:85cb9aff-005e-4edd-9739-dc9c1a829c44', 'uuid:1')
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    return f"uuid:{text}" if _UUID.fullmatch(text) else text


# --------------------------------------------------------------------------- sheets
@dataclass
class Sheet:
    """One table of a submissions export as read: the submissions', or a repeat group's.
    ``name`` names it among the others (a sheet's name, a zip member's file name)."""

    source: str
    sheet: str | None
    name: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class _Layout:
    """Which column of a sheet holds what."""

    fields: dict[str, str]  # table column → header
    notes: list[str]  # the form's other questions: kept as notes
    submission: str | None  # the submission's id
    key: str | None  # a repeat row's own id (ODK Central: KEY)
    parent_key: str | None  # ODK Central: PARENT_KEY
    index: str | None  # KoboToolbox: _index
    parent_table: str | None  # KoboToolbox: _parent_table_name
    parent_index: str | None  # KoboToolbox: _parent_index

    @classmethod
    def of(cls, sheet: Sheet) -> _Layout:
        by_path = {path_of(c): c for c in sheet.columns}
        fields: dict[str, str] = {}
        for column in sheet.columns:
            name = field_of(column)
            if name is None:
                continue
            if name in fields:
                raise FileProblem(sheet.source, N_("problem.form_field_twice"), sheet=sheet.sheet, row=1,
                                  params={"first": fields[name], "second": column,
                                          "field": name.removeprefix("new_")})
            fields[name] = column
        notes = [c for c in sheet.columns if field_of(c) is None and not is_server_column(c)
                 and path_of(c).rsplit("/", 1)[-1] not in STEERING]
        repeat = "parent_key" in by_path or "_parent_index" in by_path
        return cls(
            fields=fields, notes=notes,
            submission=None if repeat else next((by_path[p] for p in ID_PATHS if p in by_path), None),
            key=by_path.get("key"), parent_key=by_path.get("parent_key"), index=by_path.get("_index"),
            parent_table=by_path.get("_parent_table_name"), parent_index=by_path.get("_parent_index"),
        )

    @property
    def is_repeat(self) -> bool:
        return self.parent_key is not None or self.parent_index is not None

    @property
    def holds_teachings(self) -> bool:
        return any(name in self.fields for name in ("learner_id", "teacher_id", *NEW_LEARNER_FIELDS.values()))


def teaching_tables(sheets: list[Sheet]) -> list[Table]:
    """The teachings of an export's tables (:class:`Sheet`, the submissions' first): one
    table of kind ``teachings`` per table whose rows are teachings, its columns named as
    tular's (:data:`TEACHING_FIELDS`, ``submission_id``, :data:`INTERNAL`, then the form's
    other questions, as notes), each column's header kept for messages.

    Raises ``FileProblem`` when the tables do not fit together (no table of submissions, a
    repeat row whose submission is not there, a submission without an id)."""
    layouts = [(sheet, _Layout.of(sheet)) for sheet in sheets]
    main = [(s, layout) for s, layout in layouts if not layout.is_repeat]
    if len(main) != 1:
        first = sheets[0]
        found = Joined(tuple(s.name for s, _ in main)) if main else "—"
        raise FileProblem(first.source, N_("problem.submissions_table_unclear"), params={"found": found})
    root, root_layout = main[0]
    if root_layout.submission is None:
        raise FileProblem(root.source, N_("problem.submissions_without_id"), sheet=root.sheet, row=1)
    repeats = [(s, layout) for s, layout in layouts if layout.is_repeat and layout.holds_teachings]
    if not repeats:
        return [_table(root, root_layout, [(row, [], _submission(root, root_layout, row), None)
                                           for row in root.rows])]
    return _repeat_tables(root, root_layout, layouts, repeats)


def _submission(sheet: Sheet, layout: _Layout, row: Row) -> str:
    found = instance_id(row.values.get(layout.submission)) if layout.submission else None
    if found is None:
        raise FileProblem(sheet.source, N_("problem.submission_without_id"), sheet=sheet.sheet,
                          row=row.line, column=layout.submission)
    return found


def _table(sheet: Sheet, layout: _Layout,
           units: list[tuple[Row, list[tuple[Row, _Layout]], str, int | None]]) -> Table:
    """``units``: each a row, the rows it sits in (nearest first), its submission id and its
    number among its submission's teachings (None: the submission is one teaching)."""
    columns = [*TEACHING_FIELDS, SUBMISSION_ID, *INTERNAL]
    headers = {name: header for name, header in layout.fields.items()}
    notes = list(layout.notes)
    for _, outer, _, _ in units[:1]:
        for _, around in outer:
            headers = {**around.fields, **headers}
            notes += [c for c in around.notes if c not in notes]
    if layout.submission:
        headers[SUBMISSION_ID] = layout.submission
    # the new learner's record speaks of its name, kelurahan, business name: the same columns
    headers.update({name: headers[column] for name, column in NEW_LEARNER_FIELDS.items() if column in headers})
    rows = []
    for row, outer, submission, number in units:
        values: dict[str, str | None] = dict.fromkeys(columns)
        for around_row, around in reversed(outer):  # the outermost first, the row itself last
            values.update(_values(around_row, around))
        values.update(_values(row, layout))
        values[SUBMISSION_ID] = submission
        ikm_id = new_ikm_id(submission.split("/", 1)[0])
        values[NEW_IKM_ID] = f"{ikm_id}-{number}" if ikm_id and number and number > 1 else ikm_id
        rows.append(Row(row.line, values))
    return Table(sheet.source, sheet.sheet, "teachings", [*columns, *notes], rows, submissions=True,
                 headers=headers, internal=INTERNAL)


def _values(row: Row, layout: _Layout) -> dict[str, str | None]:
    values = {name: row.values.get(header) for name, header in layout.fields.items()}
    values.update({header: row.values.get(header) for header in layout.notes})
    return {k: v for k, v in values.items() if v is not None}


def _repeat_tables(root: Sheet, root_layout: _Layout, layouts: list[tuple[Sheet, _Layout]],
                   repeats: list[tuple[Sheet, _Layout]]) -> list[Table]:
    """One table per repeat group that holds the teachings; each row with the rows it sits in."""
    by_key: dict[str, tuple[Row, Sheet, _Layout]] = {}  # ODK Central: KEY (a submission's is its id)
    by_index: dict[tuple[str, str], tuple[Row, Sheet, _Layout]] = {}  # KoboToolbox: (sheet, _index)
    for sheet, layout in layouts:
        for row in sheet.rows:
            key = row.values.get(layout.key) if layout.key else None
            if sheet is root and layout.submission:
                key = instance_id(row.values.get(layout.submission))
            if key:
                by_key[key] = (row, sheet, layout)
            if layout.index and (index := row.values.get(layout.index)):
                by_index[(sheet.name, index)] = (row, sheet, layout)
    numbers: dict[str, int] = defaultdict(int)  # teachings met so far, per submission
    tables = []
    for sheet, layout in repeats:
        units = []
        counted: dict[tuple[str, str], int] = defaultdict(int)  # KoboToolbox: rows per parent row
        for row in sheet.rows:
            outer = list(_outer(row, sheet, layout, root, by_key, by_index))
            top_row = outer[-1][0] if outer else row
            submission = _submission(root, root_layout, top_row)
            own = row.values.get(layout.key) if layout.key else None
            if not own:  # KoboToolbox numbers repeat rows across the sheet: count them per parent
                parent = (row.values.get(layout.parent_table) or "", row.values.get(layout.parent_index) or "")
                counted[parent] += 1
                within = outer[0][0].values.get(outer[0][1].key) if outer and outer[0][1].key else None
                own = f"{within or submission}/{sheet.name}[{counted[parent]}]"
            numbers[submission] += 1
            units.append((row, outer, own, numbers[submission]))
        tables.append(_table(sheet, layout, units))
    return tables


def _outer(row: Row, sheet: Sheet, layout: _Layout, root: Sheet, by_key: dict, by_index: dict,
           ) -> Iterator[tuple[Row, _Layout]]:
    """The rows ``row`` sits in, nearest first, up to its submission's."""
    seen = 0
    while layout.is_repeat:
        if layout.parent_key:
            wanted = row.values.get(layout.parent_key) or ""
            found = by_key.get(wanted) or by_key.get(instance_id(wanted) or "")
            column, value = layout.parent_key, wanted
        else:
            # _parent_table_name names the form (not its sheet, cut to 31 characters) for a group's rows
            table = (row.values.get(layout.parent_table) or "") if layout.parent_table else ""
            index = row.values.get(layout.parent_index) or ""
            found = by_index.get((table, index)) or by_index.get((root.name, index))
            column, value = layout.parent_index, index
        if found is None:
            raise FileProblem(sheet.source, N_("problem.repeat_without_submission"), sheet=sheet.sheet,
                              row=row.line, column=column, value=value)
        row, sheet, layout = found
        seen += 1
        if seen > 64:  # a loop of parents: no export writes one
            raise FileProblem(sheet.source, N_("problem.repeat_circle"), sheet=sheet.sheet, row=row.line)
        yield row, layout


# --------------------------------------------------------------------------- OData
def odata_sheets(source: str, submissions: list[dict[str, Any]]) -> list[Sheet]:
    """Submissions of ODK Central's OData feed (``Submissions``, repeats expanded with
    ``$expand=*``) as the sheets of an export: the submissions' (``/`` paths, ``__id``), then
    one per repeat group (``key``, ``parent_key``, as in ODK Central's zip). Row numbers
    count the submissions (or a group's rows) from 1.

    >>> [s.rows[0].values for s in odata_sheets("x", [{"__id": "uuid:1", "g": {"a": "v", "n": 2}}])]
    [{'__id': 'uuid:1', 'g/a': 'v', 'g/n': '2'}]
    """
    tables: dict[str, list[dict[str, str | None]]] = {"": []}
    for submission in submissions:
        key = str(submission.get("__id") or "")
        tables[""].append(_flat(submission, "", key, tables))
    sheets = []
    for name, rows in tables.items():
        columns: list[str] = []
        for values in rows:
            columns += [c for c in values if c not in columns]
        sheets.append(Sheet(source, name or None, name or "Submissions", columns,
                            [Row(line, {c: values.get(c) for c in columns}) for line, values in enumerate(rows, 1)]))
    return sheets


def _flat(data: dict[str, Any], prefix: str, key: str, tables: dict[str, list]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for name, value in data.items():
        if "@odata" in name:
            continue
        path = f"{prefix}{name}".casefold()
        if isinstance(value, dict) and "type" in value and "coordinates" in value:  # GeoJSON: as text
            values[path] = json.dumps(value)
        elif isinstance(value, dict):
            values.update(_flat(value, f"{path}/", key, tables))
        elif isinstance(value, list):  # an expanded repeat group: a table of its own
            group = name.casefold()
            for number, item in enumerate(value, 1):
                own = f"{key}/{group}[{number}]"
                flat = _flat(item if isinstance(item, dict) else {name: item}, "", own, tables)
                tables.setdefault(group, []).append({**flat, "parent_key": key, "key": own})
        else:
            values[path] = _text(value)
    return values


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None
