"""Rows in, clean records and problems out (SPEC §4). Pure: the store is read once into
a :class:`Snapshot` by the caller; nothing here writes.

Every problem names file, sheet, row, column, value and reason. Errors reject the whole
batch; warnings are reported and the rows are written.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from tular.graph.io.columns import ColumnRows
from tular.graph.io.rules import (  # noqa: F401  (importable from here, as before)
    GENDERS,
    HONORIFICS,
    LOST_LEADING_ZERO,
    NEVER,
    NOT_DIGITS,
    WORD_BREAKS,
    SkillEdges,
    _cyclic,
    _where,
    person_key,
    phone_key,
    row_note,
)
from tular.graph.io.submissions import NEW_IKM_ID, NEW_LEARNER_FIELDS, SUBMISSION_ID
from tular.graph.io.tables import AND, COLUMNS, Advice, FileProblem, Joined, Month, Row, Said, Table
from tular.graph.io.validation_columns import (
    ColumnIkm,
    check_duplicate_persons_columns,
    check_ikm_columns,
    check_teaching_graph_columns,
    check_teachings_columns,
    ikm_records,
    teaching_records,
)
from tular.graph.model.catalogue import N_
from tular.graph.model.dates import NotADate, parse_date
from tular.graph.model.errors import AmbiguousKelurahan, UnknownArea, UnknownIKM, UnknownSkill
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import (
    IKM,
    KINDS,
    OUTCOME_KINDS,
    Attendance,
    Kelurahan,
    Outcome,
    Population,
    Records,
    Teaching,
    Training,
    placeholder,
)
from tular.graph.model.skills import SkillVocabulary

#: Words accepted for each outcome kind (SPEC §10), matched case-, space- and hyphen-insensitively.
OUTCOME_KIND_WORDS = {
    "pameran": "pameran", "exhibition": "pameran", "expo": "pameran", "bazar": "pameran",
    "marketplace": "marketplace", "online": "marketplace", "jualan_online": "marketplace",
    "first_sale": "first_sale", "penjualan_pertama": "first_sale",
    "certification": "certification", "sertifikasi": "certification", "sertifikat": "certification",
    "employees": "employees", "karyawan": "employees", "tenaga_kerja": "employees",
    "revenue_band": "revenue_band", "omzet": "revenue_band", "omset": "revenue_band",
}

TRUE_WORDS = {"true", "1", "yes", "ya", "y"}
FALSE_WORDS = {"false", "0", "no", "tidak", "n", "t"}
SKILL_SEPARATORS = re.compile(r"\s*[,;/|]\s*")


@dataclass
class Snapshot:
    """What validation needs to know of the store as it is."""

    gazetteer: Gazetteer
    skills: SkillVocabulary
    today: date
    ikm: dict[str, IKM] = field(default_factory=dict)
    trainings: dict[str, Training] = field(default_factory=dict)
    attendance: list[Attendance] = field(default_factory=list)
    teachings: list[Teaching] = field(default_factory=list)
    #: the erasure register (ikm_id → day erased): whose personal data may not come back
    erased: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, store: Any, today: date, tables: Sequence[Table] | None = None) -> Snapshot:
        """The store as validation needs it. Given the ``tables`` to validate, a batch
        without IKM rows that names few IKM (a teaching or an outcome sent to the API) reads
        only those IKM: no other one is looked at (duplicate persons are checked only among
        a batch's own IKM rows and the store's)."""
        named = _named_ikm(tables) if tables is not None else None
        if named is not None and len(named) <= FEW_IKM:
            ikm = {ikm_id: found for ikm_id in sorted(named) if (found := _stored_ikm(store, ikm_id)) is not None}
        else:
            ikm = {i.ikm_id: i for i in store.all_ikm()}
        return cls(
            gazetteer=store.gazetteer(), skills=SkillVocabulary(store.skills()), today=today, ikm=ikm,
            trainings={t.training_id: t for t in store.trainings()},
            attendance=store.all_attendance(), teachings=store.all_teachings(),
            erased=store.erasures() if any(t.kind == "ikm" for t in tables or ()) else {},
        )


#: A batch without IKM rows naming at most this many IKM reads only those from the store.
FEW_IKM = 20
IKM_REFERENCES = ("learner_id", "teacher_id", "ikm_id", NEW_IKM_ID)


def _named_ikm(tables: Sequence[Table]) -> set[str] | None:
    """The ikm_id values the tables refer to, or None when one of them is an ``ikm`` table."""
    if any(table.kind == "ikm" for table in tables):
        return None
    return {value for table in tables for row in table.rows for column in IKM_REFERENCES
            if (value := row.values.get(column)) is not None}


def _stored_ikm(store: Any, ikm_id: str) -> IKM | None:
    try:
        return store.get_ikm(ikm_id)
    except UnknownIKM:
        return None


@dataclass
class Validated:
    records: Records
    errors: list[FileProblem]
    warnings: list[FileProblem]
    rows_read: dict[str, int]  # per kind


class _Skip(Exception):
    """This row has an error already recorded; go on with the next."""


def date_reason(exc: NotADate) -> Said:
    """Why a value is no date, as a message of the catalogue (the month named in the reader's language)."""
    params = dict(exc.params)
    if "month" in params and "year" in params:
        params["month"] = Month(int(params.pop("year")), int(params["month"]))
    return Said(exc.code, params)


def parse_money(text: str) -> int:
    """``Rp 1.250.000``, ``1,250,000`` or ``1250000`` → 1250000."""
    cleaned = re.sub(r"^(rp|idr)\.?\s*", "", text.strip().casefold()).replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", cleaned):
        cleaned = re.sub(r"[.,]", "", cleaned)
    elif re.fullmatch(r"\d+,00|\d+\.00", cleaned):
        cleaned = cleaned[:-3]
    if not cleaned.isdigit():
        raise ValueError("not an amount in rupiah: write it as 1250000 or Rp 1.250.000")
    return int(cleaned)


def money_or_none(text: str) -> int | None:
    """:func:`parse_money`, or None where it finds no amount."""
    try:
        return parse_money(text)
    except ValueError:
        return None


def completed_or_none(text: str) -> bool | None:
    """A ``completed`` cell as a truth value, or None when it is no word for one.

    >>> completed_or_none("Ya"), completed_or_none("tidak"), completed_or_none("maybe")
    (True, False, None)
    """
    word = text.casefold()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def outcome_kind(text: str) -> str | None:
    """The outcome kind a word names (:data:`OUTCOME_KIND_WORDS`), or None.

    >>> outcome_kind(" Jualan online "), outcome_kind("Penjualan-Pertama"), outcome_kind("lomba")
    ('marketplace', 'first_sale', None)
    """
    return OUTCOME_KIND_WORDS.get(re.sub(r"[\s\-]+", "_", text.strip().casefold()))


def head_count(text: str) -> str | None:
    """The value of an ``employees`` outcome as a whole number's digits, or None when it is none.

    >>> head_count("04"), head_count("1.200"), head_count("3,5"), head_count("²")
    ('4', '1200', None, None)
    """
    count = text.replace(".", "").replace(",", "") if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text) else text
    return str(int(count)) if count.isdecimal() else None  # "²" is a digit, but no number


def whole_number(text: str | None) -> int | None:
    """A population cell (``12.500``, ``12,500`` or ``12500``) as a number, or None.

    >>> whole_number("12.500"), whole_number("about 40"), whole_number(None)
    (12500, None, None)
    """
    digits = text.replace(".", "").replace(",", "") if text is not None else ""
    return int(digits) if re.fullmatch(r"\d+", digits) else None


class CheckProgress(Protocol):
    """What validation reports while it runs (a terminal shows it as progress bars)."""

    def checking(self, rows: int) -> Callable[[int], None]:
        """Rows are being checked: the callback receives how many so far, of ``rows``."""

    def step(self, description: str, **values) -> None:
        """A step without a count starts (e.g. the whole-batch rules): ``description`` is the
        catalogue's key of its name, filled with ``values``."""


#: Validation reports the rows checked after each this many.
REPORT_EVERY_ROWS = 50_000


class Validator:
    def __init__(self, snapshot: Snapshot, progress: CheckProgress | None = None):
        self.snap = snapshot
        self.progress = progress
        self._checked: Callable[[int], None] | None = None
        self._rows_checked = 0
        self.errors: list[FileProblem] = []
        self.warnings: list[FileProblem] = []
        self.failed = False  # the row being explained has an error
        # the ids whose own row in this batch has an error: the rows referring to them say so
        self.failed_ikm: dict[str, tuple[Table, Row]] = {}
        self.failed_trainings: dict[str, tuple[Table, Row]] = {}
        # records of this batch, with the row each came from
        self.ikm: dict[str, tuple[IKM, Table, Row]] = {}
        self.trainings: dict[str, tuple[Training, Table, Row]] = {}
        self.attendance: dict[tuple[str, str], tuple[Attendance, Table, Row]] = {}
        self.teachings: list[tuple[Teaching, Table, Row]] = []
        self.outcomes: dict[tuple[str, ...], tuple[Outcome, Table, Row]] = {}
        self.populations: dict[str, tuple[Population, Table, Row]] = {}
        # the IKM and teachings of tables read as columns (a big CSV file), kept as columns
        # (:mod:`tular.graph.io.validation_columns`), and each kind's tables in order: ("rows",
        # start, end) of ``ikm`` / ``teachings`` above, or ("columns", kept)
        self.ikm_columns = ColumnIkm()
        self.ikm_parts: list[tuple] = []
        self.teaching_parts: list[tuple] = []
        # big files repeat the same few hundred dates, skill and kelurahan names: read each once
        self._dates: dict[str, date] = {}
        self._skills: dict[str, str] = {}
        self._areas: dict[tuple[str, str | None], Kelurahan] = {}
        # and the same few wrong ones: why each is wrong is worked out once (a suggestion is a search)
        self._not_dates: dict[str, Said] = {}
        self._not_skills: dict[str, UnknownSkill] = {}
        self._not_areas: dict[tuple[str, str | None], UnknownArea | AmbiguousKelurahan] = {}

    # ------------------------------------------------------------ reporting
    # A problem is a message id and its values (``params``, the text made in the reader's
    # language when shown); it names the column as the file wrote it (a submissions export:
    # ``pengajaran-skill``). A row is read to its end: every problem of it is reported at once,
    # and ``failed`` says whether it had an error.
    def error(self, table: Table, row: Row | None, code: str, column: str | None = None,
              value: str | None = None, **params: Any) -> None:
        self.failed = True
        self.errors.append(FileProblem(table.source, code, sheet=table.sheet, row=row.line if row else None,
                                       column=table.header(column), value=value, params=params))

    def warn(self, table: Table, row: Row | None, code: str, column: str | None = None,
             value: str | None = None, **params: Any) -> None:
        self.warnings.append(FileProblem(table.source, code, sheet=table.sheet, row=row.line if row else None,
                                         column=table.header(column), value=value, severity="warning",
                                         params=params))

    # --------------------------------------------------------------- values
    # Each returns None where it reported an error, so that the row's other values are still read.
    def required(self, table: Table, row: Row, column: str) -> str | None:
        value = row.values.get(column)
        if value is None:
            self.error(table, row, N_("problem.value_missing"), column)
        return value

    def date_value(self, table: Table, row: Row, column: str, required: bool = True) -> date | None:
        text = self.required(table, row, column) if required else row.values.get(column)
        if text is None:
            return None
        day = self._dates.get(text)
        if day is None:
            why = self._not_dates.get(text)
            if why is None:
                try:
                    day = self._dates[text] = parse_date(text)
                except NotADate as exc:
                    why = self._not_dates[text] = date_reason(exc)
            if why is not None:
                self.error(table, row, N_("problem.not_a_date"), column, text, why=why)
                return None
        if day > self.snap.today:
            self.error(table, row, N_("problem.future_date"), column, text, today=self.snap.today)
            return None
        return day

    def skill(self, table: Table, row: Row, column: str, text: str | None) -> str | None:
        if text is None:
            return None
        if (known := self._skills.get(text)) is not None:
            return known
        exc = self._not_skills.get(text)
        if exc is None:
            try:
                known = self._skills[text] = self.snap.skills.resolve(text)
                return known
            except UnknownSkill as unknown:
                exc = self._not_skills[text] = unknown
        valid = Joined(tuple(exc.valid))
        if exc.suggestion:
            self.error(table, row, N_("problem.unknown_skill_suggest"), column, text, suggestion=exc.suggestion,
                       valid=valid)
        else:
            self.error(table, row, N_("problem.unknown_skill"), column, text, valid=valid)
        return None

    def area(self, kelurahan: str, kecamatan: str | None) -> Kelurahan:
        """The gazetteer's kelurahan (``TularError`` as the gazetteer raises it)."""
        found = self._areas.get((kelurahan, kecamatan))
        if found is None:
            found = self._areas[(kelurahan, kecamatan)] = self.snap.gazetteer.kelurahan(kelurahan, kecamatan)
        return found

    def known_area(self, table: Table, row: Row, column: str, kelurahan: str | None,
                   kecamatan: str | None) -> Kelurahan | None:
        """The kelurahan of a row, or None where an error (the nearest name, when one is near) is reported."""
        if kelurahan is None:
            return None
        exc = self._not_areas.get((kelurahan, kecamatan))
        if exc is None:
            try:
                return self.area(kelurahan, kecamatan)
            except (UnknownArea, AmbiguousKelurahan) as unknown:
                exc = self._not_areas[(kelurahan, kecamatan)] = unknown
        if isinstance(exc, AmbiguousKelurahan):
            self.error(table, row, N_("problem.ambiguous_kelurahan"), column, kelurahan,
                       kecamatan=Joined(tuple(exc.kecamatan)))
        elif exc.suggestion:
            self.error(table, row, N_("problem.unknown_area_suggest"), column, kelurahan, area=exc.kind, name=exc.name,
                       suggestion=exc.suggestion)
        else:
            self.error(table, row, N_("problem.unknown_area"), column, kelurahan, area=exc.kind, name=exc.name)
        return None

    def known_ikm(self, table: Table, row: Row, column: str) -> str | None:
        ikm_id = self.required(table, row, column)
        if ikm_id is None or ikm_id in self.ikm or ikm_id in self.snap.ikm or ikm_id in self.ikm_columns:
            return ikm_id
        if (bad := self.failed_ikm.get(ikm_id)) is not None:
            self.error(table, row, N_("problem.ikm_row_has_error"), column, ikm_id, ikm_id=ikm_id,
                       file=bad[0].source, line=bad[1].line)
        else:
            self.error(table, row, N_("problem.unknown_ikm"), column, ikm_id)
        return None

    def keep_record(self, seen: dict, key: Any, record: Any, table: Table, row: Row, what: str,
                    elsewhere: Callable[[Any], tuple | None] | None = None) -> None:
        """Exact repeats are a warning; the same key with other values is an error.
        ``elsewhere`` finds a key kept outside ``seen`` (IKM kept as columns)."""
        earlier = seen.get(key) or (elsewhere(key) if elsewhere is not None else None)
        if earlier is not None:
            first, first_table, first_row = earlier
            shown = "/".join(key) if isinstance(key, tuple) else key
            if first == record:
                self.warn(table, row, N_("problem.exact_duplicate"), what, shown, where=_where(first_table, first_row,
                                                                                          table))
            else:
                self.error(table, row, N_("problem.conflicting_duplicate"), what, shown,
                           where=_where(first_table, first_row, table), what=what)
            return
        seen[key] = (record, table, row)

    def note_unknown_columns(self, table: Table) -> None:
        unknown = table.unknown_columns
        if unknown and "note" not in COLUMNS[table.kind].known:
            self.warn(table, None, N_("problem.columns_not_stored"), kind=table.kind, columns=Joined(tuple(unknown)))

    # ---------------------------------------------------------------- kinds
    def run(self, tables: Iterable[Table], checked: Callable[[str, list], None] | None = None) -> Validated:
        """``checked``, when given, hears each kind's records as soon as its last table is
        checked, while no error has been found (a store may start writing them)."""
        check = {"ikm": self.check_ikm, "trainings": self.check_trainings, "attendance": self.check_attendance,
                 "teachings": self.check_teachings, "outcomes": self.check_outcomes,
                 "populations": self.check_populations}
        tables = sorted(tables, key=lambda t: KINDS.index(t.kind) if t.kind in KINDS else 99)
        rows_read: dict[str, int] = defaultdict(int)
        if self.progress is not None:
            self._checked = self.progress.checking(sum(len(t.rows) for t in tables if t.kind in KINDS))
        for index, table in enumerate(tables):
            if table.kind not in check:
                self.error(table, None, N_("problem.kind_not_importable"), kind=table.kind)
                continue
            rows_read[table.kind] += len(table.rows)
            self.note_unknown_columns(table)
            if isinstance(table.rows, ColumnRows) and table.kind in ("ikm", "teachings"):
                kept = (check_ikm_columns if table.kind == "ikm" else check_teachings_columns)(self, table)
                (self.ikm_parts if table.kind == "ikm" else self.teaching_parts).append(("columns", kept))
            else:
                batch = self.ikm if table.kind == "ikm" else self.teachings
                start = len(batch)
                check[table.kind](table)
                if table.kind in ("ikm", "teachings"):
                    (self.ikm_parts if table.kind == "ikm" else self.teaching_parts).append(("rows", start, len(batch)))
            if checked is not None and not self.errors and (index + 1 == len(tables)
                                                           or tables[index + 1].kind != table.kind):
                checked(table.kind, self.records_of(table.kind))
        if self.progress is not None:
            self.progress.step(N_("progress.whole_batch"))
        if self.ikm_columns:
            check_duplicate_persons_columns(self)
        else:
            self.check_duplicate_persons()
        if self._teachings_as_columns():
            check_teaching_graph_columns(self)
        else:
            self.check_teaching_graph()
        records = Records.model_construct(**{kind: self.records_of(kind) for kind in KINDS})
        return Validated(records, sorted(self.errors, key=_position), sorted(self.warnings, key=_position),
                         dict(rows_read))

    def _teachings_as_columns(self) -> bool:
        return any(part[0] == "columns" for part in self.teaching_parts)

    def records_of(self, kind: str) -> Sequence:
        """The records of ``kind`` kept so far (as columns when some of its tables were read as columns)."""
        if kind == "ikm" and self.ikm_columns:
            return ikm_records(self)
        if kind == "teachings" and self._teachings_as_columns():
            return teaching_records(self)
        kept = {"ikm": self.ikm, "trainings": self.trainings, "attendance": self.attendance,
                "teachings": self.teachings, "outcomes": self.outcomes, "populations": self.populations}[kind]
        return [r for r, _, _ in (kept.values() if isinstance(kept, dict) else kept)]

    # Each kind is checked one way: ``check_<kind>`` takes a whole table and keeps, in-line,
    # every row with nothing to report (most rows of big files), reading dates, skills and
    # kelurahan from what the batch has read already; any other row (a problem, or a value
    # met for the first time) goes to ``explain_<kind>``, which reads it in full, names each
    # problem, and keeps the record when there are only warnings.

    def reported(self, rows: list[Row]) -> Iterator[Row]:
        """``rows``, telling the progress hook how many rows are checked as it goes."""
        if self._checked is None:
            yield from rows
            return
        for start in range(0, len(rows), REPORT_EVERY_ROWS):
            part = rows[start:start + REPORT_EVERY_ROWS]
            yield from part
            self._rows_checked += len(part)
            self._checked(self._rows_checked)

    def explain(self, explain_row: Callable[[Table, Row], None], table: Table, row: Row) -> bool:
        """``row``, which the in-line check did not keep, read in full by ``explain_row``; whether
        it had an error."""
        self.failed = False
        try:
            explain_row(table, row)
        except _Skip:
            self.failed = True
        return self.failed

    def check_ikm(self, table: Table) -> None:
        batch, areas, dates, today = self.ikm, self._areas, self._dates, self.snap.today
        erased, columns = self.snap.erased, self.ikm_columns
        for row in self.reported(table.rows):
            values = row.values
            ikm_id, name, kelurahan = values.get("ikm_id"), values.get("name"), values.get("kelurahan")
            gender, phone, joined = values.get("gender"), values.get("phone"), values.get("joined_on")
            area = areas.get((kelurahan, values.get("kecamatan")))
            if gender is not None:
                gender = GENDERS.get(gender.casefold().strip("."))
            day = dates.get(joined) if joined is not None else None
            if (ikm_id is None or name is None or area is None or ikm_id in batch or ikm_id in erased
                    or ikm_id in columns
                    or (gender is None and values.get("gender") is not None)
                    or (phone and LOST_LEADING_ZERO.fullmatch(phone))
                    or (joined is not None and (day is None or day > today))):
                self.explain(self.explain_ikm, table, row)
                continue
            batch[ikm_id] = (IKM(ikm_id=ikm_id, name=name, kelurahan_code=area.code,
                                 business_name=values.get("business_name"), sector=values.get("sector"),
                                 gender=gender, phone=phone, joined_on=day), table, row)

    def explain_ikm(self, table: Table, row: Row) -> None:
        ikm_id = self.required(table, row, "ikm_id")
        name = self.required(table, row, "name")
        kelurahan = self.required(table, row, "kelurahan")
        area = self.known_area(table, row, "kelurahan", kelurahan, row.values.get("kecamatan"))
        gender = row.values.get("gender")
        if gender is not None:
            normalised = GENDERS.get(gender.casefold().strip("."))
            if normalised is None:
                self.warn(table, row, N_("problem.gender_unknown"), "gender", gender)
            gender = normalised or gender
        phone = row.values.get("phone")
        if phone and LOST_LEADING_ZERO.fullmatch(phone):
            self.warn(table, row, N_("problem.phone_lost_zero"), "phone", phone)
        joined = self.date_value(table, row, "joined_on", required=False)
        if not self.failed:
            record = IKM(
                ikm_id=ikm_id, name=name, kelurahan_code=area.code, business_name=row.values.get("business_name"),
                sector=row.values.get("sector"), gender=gender, phone=phone, joined_on=joined,
            )
            if ikm_id in self.snap.erased:
                self.check_erased(table, row, record)
        if self.failed:
            if ikm_id is not None:  # the rows that refer to it say where its error is
                self.failed_ikm.setdefault(ikm_id, (table, row))
            return
        self.keep_record(self.ikm, ikm_id, record, table, row, "ikm_id", self.ikm_columns.kept)

    def check_erased(self, table: Table, row: Row, record: IKM) -> None:
        """An IKM whose personal data was erased on request (UU 27/2022): a row may keep the
        IKM and its other fields, never bring its name, business name or phone back."""

        back = [(column, value) for column, value in (("name", record.name), ("business_name", record.business_name),
                                                      ("phone", record.phone))
                if value and not (column == "name" and value == placeholder(record.ikm_id))]
        for column, value in back:
            self.error(table, row, N_("problem.erased_data_back"), column, value, ikm_id=record.ikm_id,
                       erased=self.snap.erased[record.ikm_id], placeholder=placeholder(record.ikm_id))

    def check_trainings(self, table: Table) -> None:
        batch, skills, dates, today = self.trainings, self._skills, self._dates, self.snap.today
        for row in self.reported(table.rows):
            values = row.values
            training_id, title, skill_text = values.get("training_id"), values.get("title"), values.get("skill")
            start_text, budget_text = values.get("start_date"), values.get("budget_idr")
            known = ([skills.get(s) for s in SKILL_SEPARATORS.split(skill_text) if s] if skill_text is not None
                     else [None])
            end = dates.get(values.get("end_date"))
            start = dates.get(start_text) if start_text is not None else None
            budget = money_or_none(budget_text) if budget_text is not None else None
            if (training_id is None or title is None or None in known or end is None or end > today
                    or (start_text is not None and (start is None or start > end))
                    or (budget_text is not None and budget is None) or training_id in batch):
                self.explain(self.explain_trainings, table, row)
                continue
            batch[training_id] = (Training(training_id=training_id, title=title, skills=tuple(known), end_date=end,
                                           start_date=start, organizer=values.get("organizer"),
                                           location=values.get("location"), budget_idr=budget,
                                           target_group=values.get("target_group")), table, row)

    def explain_trainings(self, table: Table, row: Row) -> None:
        training_id = self.required(table, row, "training_id")
        title = self.required(table, row, "title")
        skill_text = self.required(table, row, "skill")
        skills = tuple(self.skill(table, row, "skill", s) for s in SKILL_SEPARATORS.split(skill_text or "") if s)
        end = self.date_value(table, row, "end_date")
        start = self.date_value(table, row, "start_date", required=False)
        if start is not None and end is not None and start > end:
            self.error(table, row, N_("problem.start_after_end"), "start_date", row.values.get("start_date"),
                       end=end)
        budget_text = row.values.get("budget_idr")
        budget = money_or_none(budget_text) if budget_text is not None else None
        if budget_text is not None and budget is None:
            self.error(table, row, N_("problem.not_money"), "budget_idr", budget_text)
        if self.failed:
            if training_id is not None:
                self.failed_trainings.setdefault(training_id, (table, row))
            return
        record = Training(
            training_id=training_id, title=title, skills=skills, end_date=end, start_date=start,
            organizer=row.values.get("organizer"), location=row.values.get("location"), budget_idr=budget,
            target_group=row.values.get("target_group"),
        )
        self.keep_record(self.trainings, training_id, record, table, row, "training_id")

    def check_attendance(self, table: Table) -> None:
        batch, trainings, stored_trainings = self.attendance, self.trainings, self.snap.trainings
        ikm, stored_ikm, columns = self.ikm, self.snap.ikm, self.ikm_columns
        for row in self.reported(table.rows):
            values = row.values
            training_id, ikm_id, completed_text = (values.get("training_id"), values.get("ikm_id"),
                                                   values.get("completed"))
            completed = True if completed_text is None else completed_or_none(completed_text)
            if ((training_id not in trainings and training_id not in stored_trainings)
                    or (ikm_id not in ikm and ikm_id not in stored_ikm and ikm_id not in columns)
                    or completed is None or (training_id, ikm_id) in batch):
                self.explain(self.explain_attendance, table, row)
                continue
            batch[(training_id, ikm_id)] = (Attendance(training_id=training_id, ikm_id=ikm_id, completed=completed),
                                            table, row)

    def explain_attendance(self, table: Table, row: Row) -> None:
        training_id = self.required(table, row, "training_id")
        if training_id is not None and training_id not in self.trainings and training_id not in self.snap.trainings:
            if (bad := self.failed_trainings.get(training_id)) is not None:
                self.error(table, row, N_("problem.training_row_has_error"), "training_id", training_id,
                           training_id=training_id, file=bad[0].source, line=bad[1].line)
            else:
                self.error(table, row, N_("problem.unknown_training"), "training_id", training_id)
        ikm_id = self.known_ikm(table, row, "ikm_id")
        completed_text = row.values.get("completed")
        completed = True if completed_text is None else completed_or_none(completed_text)
        if completed is None:
            self.error(table, row, N_("problem.completed_word"), "completed", completed_text)
        if self.failed:
            return
        record = Attendance(training_id=training_id, ikm_id=ikm_id, completed=completed)
        self.keep_record(self.attendance, (training_id, ikm_id), record, table, row, "training_id/ikm_id")

    def check_teachings(self, table: Table) -> None:
        batch, stored, skills, dates, today = self.ikm, self.snap.ikm, self._skills, self._dates, self.snap.today
        columns = self.ikm_columns
        keep = self.teachings.append
        extra_columns = table.unknown_columns  # their values go into each row's note
        rows = self.check_new_learners(table) if table.submissions else table.rows
        for row in self.reported(rows):
            values = row.values
            learner, teacher, day_text = values.get("learner_id"), values.get("teacher_id"), values.get("date")
            skill = skills.get(values.get("skill"))
            day = dates.get(day_text)
            if (skill is None or day is None or day > today or learner == teacher
                    or (learner not in batch and learner not in stored and learner not in columns)
                    or (teacher not in batch and teacher not in stored and teacher not in columns)):
                self.explain(self.explain_teachings, table, row)
                continue
            keep((Teaching(learner_id=learner, teacher_id=teacher, skill=skill, date=day, source=values.get("source"),
                           note=row_note(values, extra_columns) if extra_columns else values.get("note"),
                           submission_id=values.get(SUBMISSION_ID)),
                  table, row))

    def explain_teachings(self, table: Table, row: Row) -> None:
        learner = self.known_ikm(table, row, "learner_id")
        teacher = self.known_ikm(table, row, "teacher_id")
        skill = self.skill(table, row, "skill", self.required(table, row, "skill"))
        day = self.date_value(table, row, "date")
        same = row.values.get("teacher_id")
        if same is not None and same == row.values.get("learner_id"):
            self.error(table, row, N_("problem.teaches_self"), "teacher_id", same)
        if self.failed:
            return
        record = Teaching(learner_id=learner, teacher_id=teacher, skill=skill, date=day,
                          source=row.values.get("source"), note=row_note(row.values, table.unknown_columns),
                          submission_id=row.values.get(SUBMISSION_ID))
        self.teachings.append((record, table, row))

    def check_new_learners(self, table: Table) -> list[Row]:
        """The rows of a submissions export (SPEC §13) whose learner is in the new-learner group
        (no ``learner_id``): each such learner becomes an IKM with the id ``ODK-`` + the first 8
        hex digits of the submission's uuid (the reader put it in ``new_ikm_id``), which goes
        into the row's ``learner_id``. An id already stored is that learner when a stored
        teaching of the same submission has it as learner, or when it has the same name and
        kelurahan (the same export imported again, or one that overlaps it): nothing is written
        to it then. Otherwise it belongs to someone else: an error. Returns the rows to check as
        teachings (those with an error here are left out)."""
        name_column, kelurahan_column = NEW_LEARNER_FIELDS["name"], NEW_LEARNER_FIELDS["kelurahan"]
        given: dict[str, Row] = {}  # new id → the row that gave it
        learners_of: dict[str, set[str]] | None = None  # submission → learners of its stored teachings
        rows = []
        for row in table.rows:
            values = row.values
            if values.get("learner_id") is not None or not any(values.get(c) for c in NEW_LEARNER_FIELDS.values()):
                rows.append(row)  # a learner from the register, or none: checked as any teaching
                continue
            try:
                ikm_id = values.get(NEW_IKM_ID)
                submission = values.get(SUBMISSION_ID) or ""
                if ikm_id is None:
                    self.error(table, row, N_("problem.new_learner_without_id"), SUBMISSION_ID,
                               values.get(SUBMISSION_ID))
                    raise _Skip
                name = self.required(table, row, name_column)
                kelurahan = self.required(table, row, kelurahan_column)
                area = self.known_area(table, row, kelurahan_column, kelurahan, None)
                if name is None or area is None:
                    raise _Skip
                if ikm_id in given:
                    self.error(table, row, N_("problem.new_learner_id_twice"), SUBMISSION_ID, submission,
                               ikm_id=ikm_id, line=given[ikm_id].line)
                    raise _Skip
                given[ikm_id] = row
                kept = self.ikm.get(ikm_id) or self.ikm_columns.kept(ikm_id)
                other = self.snap.ikm.get(ikm_id) or (kept[0] if kept is not None else None)
                if other is not None:
                    if learners_of is None:
                        learners_of = defaultdict(set)
                        for t in self.snap.teachings:
                            if t.submission_id:
                                learners_of[t.submission_id].add(t.learner_id)
                    same = ikm_id in learners_of.get(submission, ()) or (
                        person_key(other.name) == person_key(name) and other.kelurahan_code == area.code)
                    if not same:
                        where = self.snap.gazetteer.by_code(other.kelurahan_code).name
                        self.error(table, row, N_("problem.new_learner_id_taken"), name_column, name,
                                   ikm_id=ikm_id, other=other.name, where=where)
                        raise _Skip
                else:
                    self.ikm[ikm_id] = (IKM(ikm_id=ikm_id, name=name, kelurahan_code=area.code,
                                            business_name=values.get(NEW_LEARNER_FIELDS["business_name"])),
                                        table, row)
            except _Skip:
                continue
            values["learner_id"] = ikm_id
            rows.append(row)
        return rows

    def check_outcomes(self, table: Table) -> None:
        batch, ikm, stored_ikm, columns = self.outcomes, self.ikm, self.snap.ikm, self.ikm_columns
        skills, dates, today = self._skills, self._dates, self.snap.today
        extra_columns = table.unknown_columns
        for row in self.reported(table.rows):
            values = row.values
            ikm_id, kind_text, skill_text, value = (values.get("ikm_id"), values.get("kind"), values.get("skill"),
                                                    values.get("value"))
            kind = outcome_kind(kind_text) if kind_text is not None else None
            day = dates.get(values.get("date"))
            skill = skills.get(skill_text) if skill_text is not None else None
            if kind == "employees" and value is not None:
                value = head_count(value)
            if ((ikm_id not in ikm and ikm_id not in stored_ikm and ikm_id not in columns) or kind is None or day is None or day > today
                    or (skill_text is not None and skill is None)
                    or (value is None and kind in ("employees", "revenue_band"))):
                self.explain(self.explain_outcomes, table, row)
                continue
            record = Outcome(ikm_id=ikm_id, kind=kind, date=day, skill=skill, value=value,
                             note=row_note(values, extra_columns))
            key = (ikm_id, kind, record.skill_key, record.date_key)
            if key in batch:
                self.explain(self.explain_outcomes, table, row)
                continue
            batch[key] = (record, table, row)

    def explain_outcomes(self, table: Table, row: Row) -> None:
        ikm_id = self.known_ikm(table, row, "ikm_id")
        kind_text = self.required(table, row, "kind")
        kind = outcome_kind(kind_text) if kind_text is not None else None
        if kind_text is not None and kind is None:
            close = difflib.get_close_matches(kind_text.casefold(), list(OUTCOME_KIND_WORDS), n=1, cutoff=0.6)
            valid = Joined(OUTCOME_KINDS)
            if close:
                self.error(table, row, N_("problem.unknown_outcome_kind_suggest"), "kind", kind_text,
                           suggestion=OUTCOME_KIND_WORDS[close[0]], valid=valid)
            else:
                self.error(table, row, N_("problem.unknown_outcome_kind"), "kind", kind_text, valid=valid)
        day = self.date_value(table, row, "date")
        skill_text = row.values.get("skill")
        skill = self.skill(table, row, "skill", skill_text)
        value = row.values.get("value")
        if kind in ("employees", "revenue_band") and value is None:
            self.error(table, row, N_("problem.head_count_missing") if kind == "employees"
                       else N_("problem.revenue_band_missing"), "value")
        elif kind == "employees":
            value = head_count(value)
            if value is None:
                self.error(table, row, N_("problem.not_a_head_count"), "value", row.values.get("value"))
        if self.failed:
            return
        record = Outcome(ikm_id=ikm_id, kind=kind, date=day, skill=skill, value=value,
                         note=row_note(row.values, table.unknown_columns))
        key = (ikm_id, kind, record.skill_key, record.date_key)
        self.keep_record(self.outcomes, key, record, table, row, "ikm_id/kind/skill/date")

    def check_populations(self, table: Table) -> None:
        batch, areas = self.populations, self._areas
        for row in self.reported(table.rows):
            values = row.values
            area = areas.get((values.get("kelurahan"), values.get("kecamatan")))
            count = whole_number(values.get("population"))
            if area is None or count is None or area.code in batch:
                self.explain(self.explain_populations, table, row)
                continue
            batch[area.code] = (Population(kelurahan_code=area.code, population=count), table, row)

    def explain_populations(self, table: Table, row: Row) -> None:
        kelurahan = self.required(table, row, "kelurahan")
        area = self.known_area(table, row, "kelurahan", kelurahan, row.values.get("kecamatan"))
        text = self.required(table, row, "population")
        count = whole_number(text)
        if text is not None and count is None:
            self.error(table, row, N_("problem.population_not_number"), "population", text)
        if self.failed:
            return
        record = Population(kelurahan_code=area.code, population=count)
        self.keep_record(self.populations, area.code, record, table, row, "kelurahan")

    # ----------------------------------------------------- whole-batch rules
    def check_duplicate_persons(self) -> None:
        """Same normalised name and kelurahan, or same phone, under two ids: a warning."""
        if not self.ikm:  # only a batch's own IKM rows are checked (``tular check`` looks at the store)
            return
        everyone = {**self.snap.ikm, **{k: r for k, (r, _, _) in self.ikm.items()}}
        by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
        by_phone: dict[str, list[str]] = defaultdict(list)
        keys: dict[str, tuple[tuple[str, str], str | None]] = {}  # each name and phone normalised once
        for ikm in everyone.values():
            name_key = (person_key(ikm.name), ikm.kelurahan_code)
            by_name[name_key].append(ikm.ikm_id)
            if (key := phone_key(ikm.phone)) is not None:
                by_phone[key].append(ikm.ikm_id)
            keys[ikm.ikm_id] = (name_key, key)
        for ikm_id, (record, table, row) in self.ikm.items():
            name_key, key = keys[ikm_id]
            same_name = [i for i in by_name[name_key] if i != ikm_id]
            same_phone = [i for i in by_phone.get(key or "", []) if i != ikm_id]
            if same_name:
                self.warn(table, row, N_("problem.same_name"), "name", record.name, others=Joined(tuple(same_name)))
            if same_phone:
                self.warn(table, row, N_("problem.same_phone"), "phone", record.phone,
                          others=Joined(tuple(same_phone)))

    def stored_teachings(self) -> tuple[dict[tuple[str, str, str], Teaching], dict[tuple[str, str, str], list[date]]]:
        """The store's teachings by key: the earliest of each (a teaching stored more than
        once), and every date stored under each key."""
        existing: dict[tuple[str, str, str], Teaching] = {}
        copies: dict[tuple[str, str, str], list[date]] = defaultdict(list)
        for t in self.snap.teachings:
            key = (t.learner_id, t.teacher_id, t.skill)
            copies[key].append(t.date)
            if key not in existing or t.date < existing[key].date:
                existing[key] = t
        return existing, copies

    def check_teaching_graph(self) -> None:
        """Duplicates, cycles within a skill, and the order of learning."""
        existing, copies = self.stored_teachings()
        first: dict[tuple[str, str, str], tuple[Teaching, Table, Row]] = {}
        for record, table, row in self.teachings:
            key = (record.learner_id, record.teacher_id, record.skill)
            if key in first:
                earlier, first_table, first_row = first[key]
                where = _where(first_table, first_row, table)
                if earlier == record:
                    self.warn(table, row, N_("problem.exact_duplicate"), "learner_id", record.learner_id, where=where)
                elif earlier.date == record.date:  # e.g. one teaching sent twice from a phone
                    self.warn(table, row, N_("problem.teaching_again"), "learner_id", record.learner_id, where=where)
                else:
                    self.warn(table, row, N_("problem.teaching_other_date"), "date", record.date.isoformat(),
                              where=where, kept=min(earlier.date, record.date))
                if record.date < earlier.date:
                    first[key] = (record, table, row)
                continue
            first[key] = (record, table, row)
            if len(copies.get(key, ())) > 1 and record.date < max(copies[key]):
                # a broken invariant (SPEC §3: Neo4j cannot make a relationship unique): which
                # copy a write would change is not defined
                self.error(table, row, N_("problem.stored_several_times"), "date", record.date.isoformat(),
                           times=len(copies[key]), dates=Joined(tuple(sorted(copies[key])), AND), advice=Advice("repair"))
                continue
            if key in existing and existing[key].date != record.date:
                self.warn(table, row, N_("problem.stored_other_date"), "date", record.date.isoformat(),
                          stored=existing[key].date, kept=min(existing[key].date, record.date))
        by_skill: dict[str, list[tuple[Teaching, Table, Row]]] = defaultdict(list)
        for item in first.values():
            by_skill[item[0].skill].append(item)
        stored: dict[str, list[Teaching]] = defaultdict(list)
        for t in self.snap.teachings:
            stored[t.skill].append(t)
        numbers: dict[str, int] = {}  # every IKM met, numbered once for all skills
        for skill, items in by_skill.items():
            edges = SkillEdges.of(numbers, stored[skill], [record for record, _, _ in items])
            self.check_cycles(skill, items, edges)
            self.check_learning_order(skill, items, edges, numbers)

    def check_cycles(self, skill: str, items: list[tuple[Teaching, Table, Row]], edges: SkillEdges) -> None:
        if not edges.cyclic():
            return
        if _cyclic(edges.teachers[:edges.stored], edges.learners[:edges.stored], edges.size):
            self.check_cycles_of_a_cyclic_store(skill, items, edges)
            return
        graph = nx.DiGraph()
        graph.add_edges_from((t.teacher_id, t.learner_id) for t in self.snap.teachings if t.skill == skill)
        rows = {}
        for record, table, row in items:
            graph.add_edge(record.teacher_id, record.learner_id)
            rows[(record.teacher_id, record.learner_id)] = (table, row)
        for component in nx.strongly_connected_components(graph):
            if len(component) < 2:
                continue
            cycle = nx.find_cycle(graph.subgraph(component))
            new_edges = [(u, v) for u, v in cycle if (u, v) in rows]
            closing = max(new_edges, key=lambda edge: (rows[edge][0].source, rows[edge][1].line))
            table, row = rows[closing]
            start = cycle.index(closing)  # tell the cycle from the row being reported
            path = [closing[0], *(v for _, v in cycle[start:] + cycle[:start])]
            self.error(table, row, N_("problem.cycle"), "teacher_id", row.values.get("teacher_id"), skill=skill,
                       path=Joined(tuple(path), N_("problem.teaches")))

    def check_cycles_of_a_cyclic_store(self, skill: str, items: list[tuple[Teaching, Table, Row]],
                                       edges: SkillEdges) -> None:
        """:meth:`check_cycles` where the stored teachings of the skill already go round a
        cycle (a broken invariant: an older version, a hand edit; ``tular check`` lists it).
        A row is blamed only for a cycle that its own teaching closes: an error, as on any
        store. A new teaching between two IKM of a stored cycle (each already reaches the
        other) closes none of its own: a warning that points to the stored cycle. A row
        stored already adds nothing; neither does a batch that touches no cycle."""
        stored = strong_components(edges.teachers[:edges.stored], edges.learners[:edges.stored], edges.size)
        combined = strong_components(edges.teachers, edges.learners, edges.size)
        stored_size = np.bincount(stored, minlength=edges.size)
        graph = nx.DiGraph()
        graph.add_edges_from((t.teacher_id, t.learner_id) for t in self.snap.teachings if t.skill == skill)
        stored_graph = graph.copy()
        blamed: dict[int, list[tuple[str, str]]] = defaultdict(list)  # per knot of the combined graph
        rows = {}
        for index, (record, table, row) in enumerate(items):
            graph.add_edge(record.teacher_id, record.learner_id)
            if stored_graph.has_edge(record.teacher_id, record.learner_id):
                continue  # stored already: nothing new
            u, v = edges.teachers[edges.stored + index], edges.learners[edges.stored + index]
            if combined[u] != combined[v]:
                continue  # on no cycle
            edge = (record.teacher_id, record.learner_id)
            rows[edge] = (table, row)
            if stored[u] == stored[v] and stored_size[stored[u]] > 1:
                path = cycle_through(stored_graph, record.teacher_id)
                self.warn(table, row, N_("problem.joins_stored_cycle"), "teacher_id", row.values.get("teacher_id"),
                          skill=skill, path=Joined((*path, path[0]), N_("problem.teaches")), advice=Advice("check"))
            else:
                blamed[int(combined[u])].append(edge)
        for knot in blamed.values():
            closing = max(knot, key=lambda edge: (rows[edge][0].source, rows[edge][1].line))
            table, row = rows[closing]
            path = [closing[0], *nx.shortest_path(graph, closing[1], closing[0])]
            self.error(table, row, N_("problem.cycle"), "teacher_id", row.values.get("teacher_id"), skill=skill,
                       path=Joined(tuple(path), N_("problem.teaches")))

    def check_learning_order(self, skill: str, items: list[tuple[Teaching, Table, Row]], edges: SkillEdges,
                             numbers: dict[str, int]) -> None:
        trainings = {**self.snap.trainings, **{k: r for k, (r, _, _) in self.trainings.items()}}
        attended = [*self.snap.attendance, *(r for r, _, _ in self.attendance.values())]
        trained: dict[str, tuple[date, str]] = {}
        for a in attended:
            training = trainings.get(a.training_id)
            if a.completed and training is not None and skill in training.skills:
                if a.ikm_id not in trained or training.end_date < trained[a.ikm_id][0]:
                    trained[a.ikm_id] = (training.end_date, training.training_id)
        # the day each IKM learned the skill: its training's end or its earliest teaching
        learned = np.full(edges.size, NEVER, dtype=np.int64)
        np.minimum.at(learned, edges.learners, edges.days)
        is_trainee = np.zeros(edges.size, dtype=bool)
        for ikm_id, (day, _) in trained.items():
            if (number := numbers.get(ikm_id)) is not None and number < edges.size:
                learned[number] = min(learned[number], day.toordinal())
                is_trainee[number] = True
        new = slice(edges.stored, None)
        self.warn_learning_order(skill, edges.days[new], learned[edges.teachers[new]],
                                 is_trainee[edges.learners[new]], trained, items.__getitem__)

    def warn_learning_order(self, skill: str, days: np.ndarray, when: np.ndarray, trainee: np.ndarray,
                            trained: dict[str, tuple[date, str]],
                            located: Callable[[int], tuple[Teaching, Table, Row]]) -> None:
        """The order-of-learning warnings of a skill's new teachings, row by row or over columns
        alike: ``days`` their days (``toordinal``), ``when`` the day each one's teacher learned
        the skill (NEVER: unknown), ``trainee`` whether each one's learner completed a training
        of it (``trained``: that training's end and id, per IKM); ``located(i)``: the i-th
        teaching's record, table and row."""
        early = (days < when) & (when != NEVER)
        for index in np.flatnonzero(early | trainee).tolist():
            record, table, row = located(index)
            if early[index]:
                self.warn(table, row, N_("problem.before_teacher_learned"), "date", record.date.isoformat(),
                          teacher=record.teacher_id, skill=skill, learned=date.fromordinal(int(when[index])))
            if trainee[index]:
                day, training_id = trained[record.learner_id]
                self.warn(table, row, N_("problem.learner_is_trainee"), "learner_id", record.learner_id,
                          learner=record.learner_id, skill=skill, training_id=training_id, day=day)


def strong_components(source: np.ndarray, target: np.ndarray, nodes: int) -> np.ndarray:
    """The strongly connected component of each of ``nodes`` numbered nodes under the edges
    ``source[i] → target[i]``."""
    matrix = csr_matrix((np.ones(len(source), dtype=np.int32), (source, target)), shape=(nodes, nodes))
    return connected_components(matrix, directed=True, connection="strong")[1]


def cycle_through(graph: nx.DiGraph, start: str) -> list[str]:
    """A shortest cycle through ``start`` (which is on one) as the IKM from ``start`` in
    teaching order, the last teaching the first; the same whatever order the edges were
    read in (successors are tried in id order).

    >>> cycle_through(nx.DiGraph([("a", "c"), ("c", "a"), ("a", "b"), ("b", "a")]), "a")
    ['a', 'b']
    """
    if graph.has_edge(start, start):
        return [start]
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for learner in sorted(graph.successors(node)):
                if learner == start:
                    path = [node]
                    while (teacher := previous[path[-1]]) is not None:
                        path.append(teacher)
                    return path[::-1]
                if learner not in previous:
                    previous[learner] = node
                    following.append(learner)
        frontier = following
    raise ValueError(f"{start} is on no cycle")


def _position(problem: FileProblem) -> tuple:
    return (problem.file or "", problem.sheet or "", problem.row or 0)


def validate(tables: Iterable[Table], snapshot: Snapshot, progress: CheckProgress | None = None,
             checked: Callable[[str, list], None] | None = None) -> Validated:
    """Check ``tables`` (any order) against the store ``snapshot``, reporting to ``progress``;
    ``checked`` hears each kind's records once they are checked (see :meth:`Validator.run`)."""
    return Validator(snapshot, progress).run(tables, checked)
