"""The checks of :mod:`tular.graph.io.validation` on tables read as columns (a big CSV file,
:class:`~tular.graph.io.columns.ColumnRows`): the same rules, the same problems, worked out
as array operations over each column — each distinct date, skill, kelurahan and gender read
once — so that only the rows with something to report go through the validator's
row-by-row code (``explain_<kind>``), which names their problems. The records kept are held
as columns and handed to the store so (:class:`~tular.graph.model.records.RecordColumns`).

The whole-batch rules (duplicate persons; duplicate teachings, cycles and the order of
learning per skill) run here on arrays when any table was read as columns, and name the
same problems as the validator's own versions (``tests/test_validate_columns.py`` compares
them on the messy, hostile and generated files).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np

from tular.graph.io.columns import ColumnRows
from tular.graph.io.submissions import SUBMISSION_ID
from tular.graph.io.tables import AND, Advice, Joined, Row, Table
from tular.graph.io.rules import (
    GENDERS,
    LOST_LEADING_ZERO,
    NEVER,
    SkillEdges,
    _cyclic,
    _where,
    person_key,
    phone_key,
    row_note,
)
from tular.graph.model.catalogue import N_
from tular.graph.model.dates import NotADate, parse_date
from tular.graph.model.errors import AmbiguousKelurahan, UnknownArea, UnknownSkill
from tular.graph.model.records import IKM, RecordColumns, Teaching

if TYPE_CHECKING:
    from tular.graph.io.validation import Validator

IKM_FIELDS = RecordColumns.FIELDS["ikm"]
TEACHING_FIELDS = RecordColumns.FIELDS["teachings"]


@dataclass
class Kept:
    """The rows of one column table whose records are kept: their ``positions`` in
    ``table.rows`` (in order) and the records' fields as columns (:data:`RecordColumns.FIELDS`);
    for teachings also the learners and teachers (pyarrow), skills and day ordinals."""

    table: Table
    positions: np.ndarray
    columns: dict[str, list]
    arrays: dict[str, Any]

    def __len__(self) -> int:
        return len(self.positions)

    def record(self, index: int) -> Any:
        kind = "ikm" if "ikm_id" in self.columns else "teachings"
        return RecordColumns(kind, self.columns)[index]

    def row(self, index: int) -> Row:
        rows: ColumnRows = self.table.rows  # type: ignore[assignment]
        return rows.row(int(self.positions[index]))

    def line(self, index: int) -> int:
        rows: ColumnRows = self.table.rows  # type: ignore[assignment]
        return int(rows.lines[self.positions[index]])


class ColumnIkm:
    """The IKM kept from column tables, found by id."""

    def __init__(self) -> None:
        self.parts: list[tuple[Kept, dict[str, int]]] = []

    def add(self, kept: Kept) -> None:
        ids = kept.columns["ikm_id"]
        self.parts.append((kept, dict(zip(ids, range(len(ids))))))

    def __contains__(self, ikm_id: object) -> bool:
        return any(ikm_id in index for _, index in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def kept(self, ikm_id: str) -> tuple[IKM, Table, Row] | None:
        """The record, table and row of ``ikm_id``, when a column table kept it."""
        for kept, index in self.parts:
            if (position := index.get(ikm_id)) is not None:
                return kept.record(position), kept.table, kept.row(position)
        return None


# ------------------------------------------------------------------ helpers
def _distinct(array: Any) -> tuple[np.ndarray, list]:
    """Each cell's number among the column's distinct values (-1 where null), and the values."""
    encoded = array.dictionary_encode()
    return encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64), \
        encoded.dictionary.to_pylist()


def _lookup(values: list, numbers: np.ndarray) -> np.ndarray:
    """``values[number]`` for each number, None for -1 (an object array)."""
    table = np.empty(len(values) + 1, dtype=object)
    table[:len(values)] = values
    table[len(values)] = None
    return table[numbers]


def _is_null(array: Any) -> np.ndarray:
    return array.is_null().to_numpy(zero_copy_only=False)


def _day(validator: Validator, text: str) -> date | None:
    """The date ``text`` names when it is one not after today (read once per text, in the
    validator's caches), else None."""
    day = validator._dates.get(text)
    if day is None:
        if text in validator._not_dates:
            return None
        try:
            day = validator._dates[text] = parse_date(text)
        except NotADate:
            return None  # explain_<kind> says why, and keeps the reason
    return day if day <= validator.snap.today else None


def _days(validator: Validator, array: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: whether it is a good date, its ISO text (object), its ordinal (0 when none)."""
    numbers, values = _distinct(array)
    days = [_day(validator, text) for text in values]
    good = np.array([d is not None for d in days] + [False], dtype=bool)[numbers]
    iso = _lookup([d.isoformat() if d is not None else None for d in days], numbers)
    ordinals = np.array([d.toordinal() if d is not None else 0 for d in days] + [0], dtype=np.int64)[numbers]
    return good, iso, ordinals


def _advance(validator: Validator, rows: int) -> None:
    if validator._checked is not None:
        validator._rows_checked += rows
        validator._checked(validator._rows_checked)


def _explained(validator: Validator, explain: Any, table: Table, rows: ColumnRows, slow: np.ndarray,
               kept_by: Any) -> list[int]:
    """The rows flagged ``slow`` read in full, in order, by ``explain``; the positions of
    those it kept (``kept_by(row)`` says whether it did, and takes the record back)."""
    kept = []
    for position in np.flatnonzero(slow).tolist():
        row = rows.row(position)
        if not validator.explain(explain, table, row) and kept_by(row):
            kept.append(position)
    return kept


# ------------------------------------------------------------------ IKM
def check_ikm_columns(validator: Validator, table: Table) -> Kept:
    """:meth:`Validator.check_ikm` on a column table."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows: ColumnRows = table.rows  # type: ignore[assignment]
    ids = rows.array("ikm_id")
    slow = _is_null(ids) | _is_null(rows.array("name"))
    codes = _area_codes(validator, rows)
    slow |= np.equal(codes, None)
    genders, names = _distinct(rows.array("gender"))
    normalised = [GENDERS.get(text.casefold().strip(".")) for text in names]
    slow |= (genders >= 0) & np.array([n is None for n in normalised] + [False], dtype=bool)[genders]
    gender = _lookup([n or text for n, text in zip(normalised, names)], genders)
    phones = rows.array("phone")
    maybe = pc.or_(pc.invert(pc.string_is_ascii(phones)), pc.match_substring_regex(phones, r"^8[0-9]{8,11}$"))
    for position in np.flatnonzero(maybe.fill_null(False).to_numpy(zero_copy_only=False)).tolist():
        phone = phones[position].as_py()
        slow[position] |= bool(phone and LOST_LEADING_ZERO.fullmatch(phone))
    joined = rows.array("joined_on")
    good, joined_iso, _ = _days(validator, joined)
    slow |= ~_is_null(joined) & ~good
    if validator.snap.erased:
        slow |= pc.is_in(ids, value_set=pa.array(list(validator.snap.erased), pa.string())).fill_null(False) \
            .to_numpy(zero_copy_only=False)
    if len(pc.unique(ids)) < len(ids) - ids.null_count + (ids.null_count > 0):
        numbers, distinct = _distinct(ids)
        counts = np.bincount(numbers[numbers >= 0], minlength=len(distinct))
        slow |= (numbers >= 0) & (np.append(counts, 0)[numbers] > 1)  # given twice: the row reader's order decides
    if validator.ikm or validator.ikm_columns:
        earlier = pa.array([*validator.ikm, *(i for kept, _ in validator.ikm_columns.parts
                                              for i in kept.columns["ikm_id"])], pa.string())
        slow |= pc.is_in(ids, value_set=earlier).fill_null(False).to_numpy(zero_copy_only=False)

    def kept_by(row: Row) -> bool:
        entry = validator.ikm.get(row.values["ikm_id"])
        return entry is not None and entry[2] is row

    kept_slow = _explained(validator, validator.explain_ikm, table, rows, slow, kept_by)
    for position in kept_slow:  # kept as columns with the others
        del validator.ikm[rows.column("ikm_id")[position]]
    positions = np.sort(np.concatenate([np.flatnonzero(~slow), np.array(kept_slow, dtype=np.int64)]))
    taken = pa.array(positions)
    columns = {
        "ikm_id": ids.take(taken).to_pylist(), "name": rows.array("name").take(taken).to_pylist(),
        "kelurahan_code": codes[positions].tolist(),
        "business_name": rows.array("business_name").take(taken).to_pylist(),
        "sector": rows.array("sector").take(taken).to_pylist(), "gender": gender[positions].tolist(),
        "phone": phones.take(taken).to_pylist(), "joined_on": joined_iso[positions].tolist(),
    }
    kept = Kept(table, positions, columns, {})
    validator.ikm_columns.add(kept)
    _advance(validator, len(rows))
    return kept


def _area_codes(validator: Validator, rows: ColumnRows) -> np.ndarray:
    """Each row's kelurahan code (object), None where there is none or it names none."""
    kelurahan, kelurahan_names = _distinct(rows.array("kelurahan"))
    kecamatan, kecamatan_names = _distinct(rows.array("kecamatan"))
    width = len(kecamatan_names) + 1
    pairs = np.where(kelurahan >= 0, kelurahan * width + kecamatan + 1, -1)
    distinct, inverse = np.unique(pairs, return_inverse=True)
    codes: list[str | None] = []
    for pair in distinct.tolist():
        if pair < 0:
            codes.append(None)
            continue
        name, where = kelurahan_names[pair // width], (kecamatan_names[pair % width - 1] if pair % width else None)
        try:
            codes.append(validator.area(name, where).code)
        except (UnknownArea, AmbiguousKelurahan):
            codes.append(None)
    return np.array(codes + [None], dtype=object)[inverse.reshape(-1)]


# ------------------------------------------------------------------ teachings
def _skill(validator: Validator, text: str) -> str | None:
    if (known := validator._skills.get(text)) is not None:
        return known
    if text in validator._not_skills:
        return None
    try:
        known = validator._skills[text] = validator.snap.skills.resolve(text)
        return known
    except UnknownSkill as unknown:
        validator._not_skills[text] = unknown
        return None


def _known_ids(validator: Validator) -> Any:
    """Every IKM id the batch or the store holds, once each (pyarrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [pa.array(kept.columns["ikm_id"], pa.string()) for kept, _ in validator.ikm_columns.parts]
    parts.append(pa.array([*validator.ikm, *validator.snap.ikm], pa.string()))
    return pc.unique(pa.concat_arrays(parts))


def check_teachings_columns(validator: Validator, table: Table) -> Kept:
    """:meth:`Validator.check_teachings` on a column table (never a submissions export)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows: ColumnRows = table.rows  # type: ignore[assignment]
    learners, teachers = rows.array("learner_id"), rows.array("teacher_id")
    skill_numbers, skill_texts = _distinct(rows.array("skill"))
    resolved = [_skill(validator, text) for text in skill_texts]
    skills = _lookup(resolved, skill_numbers)
    good, iso, ordinals = _days(validator, rows.array("date"))
    known = _known_ids(validator)
    slow = np.equal(skills, None) | ~good
    slow |= pc.equal(learners, teachers).fill_null(False).to_numpy(zero_copy_only=False)
    numbers = pc.index_in(pa.concat_arrays([learners, teachers]), value_set=known)  # one hash table of the ids
    learner_numbers, teacher_numbers = numbers.slice(0, len(learners)), numbers.slice(len(learners))
    slow |= _is_null(learner_numbers) | _is_null(teacher_numbers)

    def kept_by(row: Row) -> bool:
        if validator.teachings and validator.teachings[-1][2] is row:
            validator.teachings.pop()  # kept as columns with the others
            return True
        return False

    kept_slow = _explained(validator, validator.explain_teachings, table, rows, slow, kept_by)
    positions = np.sort(np.concatenate([np.flatnonzero(~slow), np.array(kept_slow, dtype=np.int64)]))
    taken = pa.array(positions)
    extra = table.unknown_columns
    if extra:
        needed = ["note", *extra]
        values = [rows.column(c) if c in rows.columns else [None] * len(rows) for c in needed]
        notes = [row_note({c: column[p] for c, column in zip(needed, values)}, extra) for p in positions.tolist()]
    else:
        notes = rows.array("note").take(taken).to_pylist()
    kept_learners, kept_teachers = learners.take(taken), teachers.take(taken)
    columns = {
        "learner_id": kept_learners.to_pylist(), "teacher_id": kept_teachers.to_pylist(),
        "skill": skills[positions].tolist(), "date": iso[positions].tolist(),
        "source": rows.array("source").take(taken).to_pylist(), "note": notes,
        "submission_id": rows.array(SUBMISSION_ID).take(taken).to_pylist(),
    }
    kept = Kept(table, positions, columns, {"learners": kept_learners, "teachers": kept_teachers,
                                            "skill_numbers": skill_numbers[positions], "skill_names": resolved,
                                            "days": ordinals[positions], "known": known,
                                            "learner_numbers": learner_numbers.take(taken),
                                            "teacher_numbers": teacher_numbers.take(taken)})
    _advance(validator, len(rows))
    return kept


# ------------------------------------------------------------------ records
def _ikm_batch(validator: Validator) -> Iterator[tuple[str, Any, Any]]:
    """The batch's IKM in the validator's order, as (``rows``, (record, table, row)) or
    (``columns``, (kept, start, end)) pieces."""
    covered = 0
    values = validator.ikm.values()
    for part in validator.ikm_parts:
        if part[0] == "rows":
            yield "rows", list(islice(values, part[1], part[2])), None
            covered = part[2]
        else:
            yield "columns", part[1], None
    yield "rows", list(islice(values, covered, None)), None  # new learners of a submissions export


def ikm_records(validator: Validator) -> RecordColumns:
    columns: dict[str, list] = {name: [] for name in IKM_FIELDS}
    for how, part, _ in _ikm_batch(validator):
        if how == "columns":
            for name in IKM_FIELDS:
                columns[name].extend(part.columns[name])
        else:
            for record, _, _ in part:
                for name in IKM_FIELDS:
                    value = getattr(record, name)
                    columns[name].append(value.isoformat() if isinstance(value, date) else value)
    return RecordColumns("ikm", columns)


def teaching_records(validator: Validator) -> RecordColumns:
    columns: dict[str, list] = {name: [] for name in TEACHING_FIELDS}
    for part in validator.teaching_parts:
        if part[0] == "columns":
            for name in TEACHING_FIELDS:
                columns[name].extend(part[1].columns[name])
        else:
            for record, _, _ in validator.teachings[part[1]:part[2]]:
                for name in TEACHING_FIELDS:
                    value = getattr(record, name)
                    columns[name].append(value.isoformat() if isinstance(value, date) else value)
    return RecordColumns("teachings", columns)


# ------------------------------------------------------------------ duplicate persons
def check_duplicate_persons_columns(validator: Validator) -> None:
    """:meth:`Validator.check_duplicate_persons` when IKM were kept as columns."""
    import pyarrow as pa
    import pyarrow.compute as pc

    stored = validator.snap.ikm
    ids = list(stored)
    names = [r.name for r in stored.values()]
    codes = [r.kelurahan_code for r in stored.values()]
    phones = [r.phone for r in stored.values()]
    place = dict(zip(ids, range(len(ids)))) if ids else {}
    batch: list[tuple[Any, int, int]] = []  # (piece, first index in everyone / -1, count)
    at: list[int] = []  # each batch IKM's index in everyone
    for how, part, _ in _ikm_batch(validator):
        if how == "columns":
            piece_ids, piece_names = part.columns["ikm_id"], part.columns["name"]
            piece_codes, piece_phones = part.columns["kelurahan_code"], part.columns["phone"]
        else:
            piece_ids = [r.ikm_id for r, _, _ in part]
            piece_names, piece_codes = [r.name for r, _, _ in part], [r.kelurahan_code for r, _, _ in part]
            piece_phones = [r.phone for r, _, _ in part]
        batch.append((how, part, len(piece_ids)))
        if not place:
            at.extend(range(len(ids), len(ids) + len(piece_ids)))
            ids.extend(piece_ids)
            names.extend(piece_names)
            codes.extend(piece_codes)
            phones.extend(piece_phones)
            continue
        for ikm_id, name, code, phone in zip(piece_ids, piece_names, piece_codes, piece_phones):
            index = place.get(ikm_id)
            if index is None:
                index = len(ids)
                ids.append(ikm_id)
                names.append(name)
                codes.append(code)
                phones.append(phone)
            else:
                names[index], codes[index], phones[index] = name, code, phone
            at.append(index)
    if not at:
        return
    name_keys = pc.binary_join_element_wise(_person_keys(names), pa.array(codes, pa.string()), "\x00")
    by_name, _ = _distinct(name_keys)
    by_phone, _ = _distinct(_phone_keys(phones))
    same_name = _groups(by_name)
    same_phone = _groups(by_phone)
    places = np.array(at, dtype=np.int64)
    shared = np.zeros(len(ids), dtype=bool)
    for groups in (same_name, same_phone):
        for members in groups.values():
            shared[members] = True
    starts = np.cumsum([0] + [count for _, _, count in batch])
    for ordinal in np.flatnonzero(shared[places]).tolist():
        piece = int(np.searchsorted(starts, ordinal, side="right")) - 1
        how, part, _ = batch[piece]
        offset, index = ordinal - int(starts[piece]), int(places[ordinal])
        name_group = same_name.get(int(by_name[index])) if by_name[index] >= 0 else None
        phone_group = same_phone.get(int(by_phone[index])) if by_phone[index] >= 0 else None
        if how == "columns":
            table, row = part.table, Row(part.line(offset), {})
        else:
            _, table, row = part[offset]
        if name_group is not None:
            validator.warn(table, row, N_("problem.same_name"), "name", names[index],
                           others=Joined(tuple(ids[i] for i in name_group if i != index)))
        if phone_group is not None:
            validator.warn(table, row, N_("problem.same_phone"), "phone", phones[index],
                           others=Joined(tuple(ids[i] for i in phone_group if i != index)))


def _groups(numbers: np.ndarray) -> dict[int, list[int]]:
    """The indices of each number met more than once (in order)."""
    valid = numbers >= 0
    counts = np.bincount(numbers[valid], minlength=1) if valid.any() else np.zeros(1, dtype=np.int64)
    shared = np.flatnonzero(valid & (np.append(counts, 0)[numbers] > 1))
    groups: dict[int, list[int]] = defaultdict(list)
    for index, number in zip(shared.tolist(), numbers[shared].tolist()):
        groups[number].append(index)
    return groups


def _person_keys(names: list[str]) -> Any:
    """:func:`person_key` of each name: in pyarrow for a name of ASCII letters, digits and
    spaces that starts with no honorific (its words joined, in lower case), in Python for
    any other."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from tular.graph.io.rules import HONORIFICS

    array = pa.array(names, pa.string())
    lower = pc.ascii_lower(array)
    keys = pc.replace_substring(lower, " ", "")
    other = pc.invert(pc.ascii_is_alnum(keys))
    leading = pc.ascii_ltrim(lower, " ")
    for honorific in HONORIFICS:
        other = pc.or_(other, pc.starts_with(leading, honorific + " "))
    other = other.fill_null(True)
    flagged = np.flatnonzero(other.to_numpy(zero_copy_only=False))
    if len(flagged):
        keys = pc.replace_with_mask(keys, other, pa.array([person_key(names[i]) for i in flagged.tolist()],
                                                          pa.string()))
    return keys


def _phone_keys(phones: list[str | None]) -> Any:
    """:func:`phone_key` of each phone (pyarrow; Python for those with other than ASCII)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(phones, pa.string())
    digits = pc.replace_substring_regex(array, "[^0-9]", "")
    digits = pc.if_else(pc.starts_with(digits, "62"), pc.binary_join_element_wise("0", pc.utf8_slice_codeunits(
        digits, 2), ""), digits)
    keys = pc.if_else(pc.greater_equal(pc.utf8_length(digits), 8), digits, pa.nulls(len(array), pa.string()))
    other = pc.invert(pc.string_is_ascii(array)).fill_null(False)
    flagged = np.flatnonzero(other.to_numpy(zero_copy_only=False))
    if len(flagged):
        keys = pc.replace_with_mask(keys, other, pa.array([phone_key(phones[i]) for i in flagged.tolist()],
                                                          pa.string()))
    return keys


# ------------------------------------------------------------------ the teaching graph
class _Teachings:
    """Every teaching of the batch in order, over its pieces (row-wise lists, column tables)."""

    def __init__(self, validator: Validator):
        self.validator = validator
        self.pieces: list[tuple] = []
        self.starts: list[int] = []
        total = 0
        for part in validator.teaching_parts:
            count = (part[2] - part[1]) if part[0] == "rows" else len(part[1])
            self.starts.append(total)
            self.pieces.append(part)
            total += count
        self.total = total

    def at(self, index: int) -> tuple[Teaching, Table, Row]:
        piece = bisect.bisect_right(self.starts, index) - 1
        part, offset = self.pieces[piece], index - self.starts[piece]
        if part[0] == "rows":
            return self.validator.teachings[part[1] + offset]
        kept: Kept = part[1]
        return kept.record(offset), kept.table, kept.row(offset)


def check_teaching_graph_columns(validator: Validator) -> None:
    """:meth:`Validator.check_teaching_graph` when teachings were kept as columns."""
    import pyarrow as pa
    import pyarrow.compute as pc

    teachings = _Teachings(validator)
    if not teachings.total:
        return
    stored = validator.snap.teachings
    learner_parts, teacher_parts, skill_parts, day_parts = [], [], [], []
    skill_names: dict[str, int] = {}  # each skill's number
    for part in teachings.pieces:
        if part[0] == "rows":
            records = [r for r, _, _ in validator.teachings[part[1]:part[2]]]
            learner_parts.append(pa.array([r.learner_id for r in records], pa.string()))
            teacher_parts.append(pa.array([r.teacher_id for r in records], pa.string()))
            skill_parts.append(np.array([skill_names.setdefault(r.skill, len(skill_names)) for r in records],
                                        dtype=np.int64))
            day_parts.append(np.array([r.date.toordinal() for r in records], dtype=np.int64))
        else:
            kept: Kept = part[1]
            learner_parts.append(kept.arrays["learners"].cast(pa.string()))
            teacher_parts.append(kept.arrays["teachers"].cast(pa.string()))
            numbers = np.array([skill_names.setdefault(name, len(skill_names)) if name is not None else -1
                                for name in kept.arrays["skill_names"]] + [-1], dtype=np.int64)
            skill_parts.append(numbers[kept.arrays["skill_numbers"]])
            day_parts.append(kept.arrays["days"])
    stored_learners = pa.array([t.learner_id for t in stored], pa.string())
    stored_teachers = pa.array([t.teacher_id for t in stored], pa.string())
    # every IKM numbered: those of the first column table as its check numbered them (the
    # batch's and the store's IKM), any other id after them
    base = next(part[1].arrays["known"] for part in teachings.pieces if part[0] == "columns")
    reused = [part[0] == "columns" and part[1].arrays["known"] is base for part in teachings.pieces]
    others = [a for a, keep in zip([*learner_parts, *teacher_parts], reused * 2) if not keep]
    others += [a for a in (stored_learners, stored_teachers) if len(a)]
    ids = base
    if others:
        joined = pa.concat_arrays(others)
        missing = joined.filter(pc.is_null(pc.index_in(joined, value_set=base)))
        if len(missing):
            ids = pa.concat_arrays([base, pc.unique(missing)])
    size = len(ids)

    def numbered(arrays: list, kept: list[np.ndarray | None] | None = None) -> np.ndarray:
        parts = [known if known is not None
                 else pc.index_in(array, value_set=ids).to_numpy(zero_copy_only=False) if len(array)
                 else np.zeros(0, dtype=np.int64)
                 for array, known in zip(arrays, kept or [None] * len(arrays))]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    def kept_numbers(name: str) -> list[np.ndarray | None]:
        return [part[1].arrays[name].to_numpy(zero_copy_only=False) if keep else None
                for part, keep in zip(teachings.pieces, reused)]

    learners = numbered(learner_parts, kept_numbers("learner_numbers"))
    teachers = numbered(teacher_parts, kept_numbers("teacher_numbers"))
    stored_l, stored_t = numbered([stored_learners]), numbered([stored_teachers])
    skills = np.concatenate(skill_parts)
    for t in stored:
        skill_names.setdefault(t.skill, len(skill_names))
    stored_s = np.array([skill_names[t.skill] for t in stored], dtype=np.int64)
    days = np.concatenate(day_parts)
    stored_d = np.array([t.date.toordinal() for t in stored], dtype=np.int64)
    width = len(skill_names)
    keys = (learners * size + teachers) * width + skills
    _, first_index, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    special = counts[inverse] > 1
    if len(stored):
        special |= np.isin(keys, (stored_l * size + stored_t) * width + stored_s)
    representative = first_index.copy()
    _duplicates_and_stored(validator, teachings, np.flatnonzero(special).tolist(), inverse, representative)
    items = representative[np.argsort(first_index, kind="stable")]
    trained = _trained_by_skill(validator)
    trainees = sorted({ikm_id for found in trained.values() for ikm_id in found})
    found = pc.index_in(pa.array(trainees, pa.string()), value_set=ids).to_pylist() if trainees else []
    trainee_numbers = {ikm_id: number for ikm_id, number in zip(trainees, found) if number is not None}
    names = {number: name for name, number in skill_names.items()}
    item_skills = skills[items]
    order = np.argsort(item_skills, kind="stable")
    bounds = np.flatnonzero(np.diff(item_skills[order])) + 1
    for group in np.split(order, bounds):
        if not len(group):
            continue
        skill_number = int(item_skills[group[0]])
        chosen = items[group]
        in_store = stored_s == skill_number
        _check_skill(validator, teachings, names[skill_number], chosen, teachers[chosen], learners[chosen],
                     days[chosen], stored_t[in_store], stored_l[in_store], stored_d[in_store],
                     trained.get(names[skill_number], {}), trainee_numbers)


def _duplicates_and_stored(validator: Validator, teachings: _Teachings, special: list[int], inverse: np.ndarray,
                           representative: np.ndarray) -> None:
    """The first half of :meth:`Validator.check_teaching_graph` for the teachings given more
    than once or stored already (the others have nothing to report there); sets the row kept
    of each key given more than once."""
    if not special:
        return
    existing, copies = validator.stored_teachings()
    first: dict[tuple[str, str, str], tuple[Teaching, Table, Row]] = {}
    for index in special:
        record, table, row = teachings.at(index)
        key = (record.learner_id, record.teacher_id, record.skill)
        if key in first:
            earlier, first_table, first_row = first[key]
            where = _where(first_table, first_row, table)
            if earlier == record:
                validator.warn(table, row, N_("problem.exact_duplicate"), "learner_id", record.learner_id, where=where)
            elif earlier.date == record.date:
                validator.warn(table, row, N_("problem.teaching_again"), "learner_id", record.learner_id, where=where)
            else:
                validator.warn(table, row, N_("problem.teaching_other_date"), "date", record.date.isoformat(),
                               where=where, kept=min(earlier.date, record.date))
            if record.date < earlier.date:
                first[key] = (record, table, row)
                representative[inverse[index]] = index
            continue
        first[key] = (record, table, row)
        if len(copies.get(key, ())) > 1 and record.date < max(copies[key]):
            validator.error(table, row, N_("problem.stored_several_times"), "date", record.date.isoformat(),
                            times=len(copies[key]), dates=Joined(tuple(sorted(copies[key])), AND),
                            advice=Advice("repair"))
            continue
        if key in existing and existing[key].date != record.date:
            validator.warn(table, row, N_("problem.stored_other_date"), "date", record.date.isoformat(),
                           stored=existing[key].date, kept=min(existing[key].date, record.date))


def _trained_by_skill(validator: Validator) -> dict[str, dict[str, tuple[date, str]]]:
    """Per skill, each IKM's earliest completed training of it (end date, training id), as
    :meth:`Validator.check_learning_order` finds it."""
    trainings = {**validator.snap.trainings, **{k: r for k, (r, _, _) in validator.trainings.items()}}
    attended = [*validator.snap.attendance, *(r for r, _, _ in validator.attendance.values())]
    trained: dict[str, dict[str, tuple[date, str]]] = defaultdict(dict)
    for a in attended:
        training = trainings.get(a.training_id)
        if not a.completed or training is None:
            continue
        for skill in training.skills:
            found = trained[skill]
            if a.ikm_id not in found or training.end_date < found[a.ikm_id][0]:
                found[a.ikm_id] = (training.end_date, training.training_id)
    return trained


def _check_skill(validator: Validator, teachings: _Teachings, skill: str, chosen: np.ndarray, teachers: np.ndarray,
                 learners: np.ndarray, days: np.ndarray, stored_t: np.ndarray, stored_l: np.ndarray,
                 stored_d: np.ndarray, trained: dict[str, tuple[date, str]], numbers: dict[str, int]) -> None:
    """Cycles and the order of learning of one skill: ``chosen`` are its teachings of the
    batch (one per key, in the order the keys were first met), the others its stored ones;
    ``numbers``: the number of each IKM that completed a training."""
    all_t, all_l = np.concatenate([stored_t, teachers]), np.concatenate([stored_l, learners])
    nodes, local = np.unique(np.concatenate([all_t, all_l]), return_inverse=True)
    local = local.reshape(-1)
    local_t, local_l = local[:len(all_t)], local[len(all_t):]
    if _cyclic(local_t, local_l, len(nodes)):  # rare: named by the validator's own code
        items = [teachings.at(int(i)) for i in chosen]
        stored = [t for t in validator.snap.teachings if t.skill == skill]
        edges = SkillEdges.of({}, stored, [record for record, _, _ in items])
        validator.check_cycles(skill, items, edges)
    all_d = np.concatenate([stored_d, days])
    learned = np.full(len(nodes), NEVER, dtype=np.int64)
    np.minimum.at(learned, local_l, all_d)
    is_trainee = np.zeros(len(nodes), dtype=bool)
    for ikm_id in trained:
        number = numbers.get(ikm_id)
        if number is not None:  # met in a teaching
            at = int(np.searchsorted(nodes, number))
            if at < len(nodes) and nodes[at] == number:
                learned[at] = min(learned[at], trained[ikm_id][0].toordinal())
                is_trainee[at] = True
    new_t, new_l = local_t[len(stored_t):], local_l[len(stored_l):]
    validator.warn_learning_order(skill, days, learned[new_t], is_trainee[new_l], trained,
                                  lambda index: teachings.at(int(chosen[index])))
