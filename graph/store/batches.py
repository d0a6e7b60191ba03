"""What a write changes, and what undoing a batch takes — shared by both stores.

A store reads the current version of every record a write touches (inside the write's
transaction), and :func:`plan` decides per record: created, updated (the old version is
kept in the batch log, so that undo can put it back) or unchanged.

The batch log keeps created records by key only, grouped by kind, compressed
(:func:`encode_changes`): a province-scale batch creates millions of records, and one
JSON object per change would be most of the write's time and size.
"""

from __future__ import annotations

import json
import secrets
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any

from pydantic import BaseModel

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import InvalidData, UsageError, said
from tular.graph.model.records import (
    IKM,
    KINDS,
    PERSONAL_TEACHING_FIELDS,
    Attendance,
    Batch,
    Change,
    KindCounts,
    Outcome,
    Population,
    RecordColumns,
    Records,
    Teaching,
    Training,
    placeholder,
)

#: How an erasure (``tular forget``) is marked in the batch log's ``who``, before the IKM id.
ERASURE = "erasure of personal data (tular forget "

Key = tuple[str, ...]
MODELS: dict[str, type[BaseModel]] = {
    "ikm": IKM, "trainings": Training, "attendance": Attendance, "teachings": Teaching, "outcomes": Outcome,
    "populations": Population,
}


#: The fields that make a record's key, per kind (as in :func:`record_key`).
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "ikm": ("ikm_id",), "trainings": ("training_id",), "attendance": ("training_id", "ikm_id"),
    "teachings": ("learner_id", "teacher_id", "skill"), "outcomes": ("ikm_id", "kind", "skill_key", "date_key"),
    "populations": ("kelurahan_code",),
}


def record_key(kind: str, record: Any) -> Key:
    if kind == "ikm":
        return (record.ikm_id,)
    if kind == "trainings":
        return (record.training_id,)
    if kind == "attendance":
        return (record.training_id, record.ikm_id)
    if kind == "teachings":
        return (record.learner_id, record.teacher_id, record.skill)
    if kind == "outcomes":
        return (record.ikm_id, record.kind, record.skill_key, record.date_key)
    if kind == "populations":
        return (record.kelurahan_code,)
    raise ValueError(kind)


def references(kind: str, key: Key) -> list[tuple[str, Key]]:
    """The records a record cannot exist without."""
    if kind == "attendance":
        return [("trainings", (key[0],)), ("ikm", (key[1],))]
    if kind == "teachings":
        return [("ikm", (key[0],)), ("ikm", (key[1],))]
    if kind == "outcomes":
        return [("ikm", (key[0],))]
    return []


class KeyedColumns(Mapping):
    """One record per key of records held as columns (:class:`RecordColumns`): each key's
    position, as :func:`effective` chooses it. Looking a key up makes its record; a store
    that can take the columns asks for :meth:`rows`."""

    def __init__(self, records: RecordColumns, index: dict[Key, int]):
        self.records = records
        self.index = index

    @classmethod
    def of(cls, kind: str, records: RecordColumns) -> KeyedColumns:
        columns = records.columns
        if kind == "ikm":
            return cls(records, dict(zip(zip(columns["ikm_id"]), range(len(records)))))  # the last wins
        keys = list(zip(columns["learner_id"], columns["teacher_id"], columns["skill"]))
        count = len(keys)
        index = dict(zip(keys, range(count)))  # in the order keys are first met
        if len(index) < count:  # repeated: the earliest date wins, the first of equal ones (ISO text sorts as dates)
            first = dict(zip(reversed(keys), range(count - 1, -1, -1)))
            repeated = {key for key, last in index.items() if first[key] != last}
            chosen: dict[Key, int] = {}
            days = columns["date"]
            for position in (p for p, key in enumerate(keys) if key in repeated):
                kept = chosen.get(keys[position])
                if kept is None or days[position] < days[kept]:
                    chosen[keys[position]] = position
            index.update(chosen)
        return cls(records, index)

    def __getitem__(self, key: Key) -> Any:
        return self.records[self.index[key]]

    def __iter__(self) -> Iterator[Key]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def rows(self) -> Iterator[tuple]:
        """The records' fields (:attr:`RecordColumns.FIELDS`) as tuples, dates as ISO text."""
        columns = list(self.records.columns.values())
        if len(self.index) == len(self.records) and all(
                position == expected for expected, position in enumerate(self.index.values())):
            return zip(*columns)
        positions = list(self.index.values())
        return zip(*([column[p] for p in positions] for column in columns))


def effective(records: Records) -> dict[str, dict[Key, Any]]:
    """One record per key, as sequential upserts would leave it: the last row wins, but a
    repeated teaching keeps its earliest date."""
    result: dict[str, dict[Key, Any]] = {}
    for kind in KINDS:
        listed = getattr(records, kind)
        if isinstance(listed, RecordColumns):
            result[kind] = KeyedColumns.of(kind, listed)
            continue
        fields = KEY_FIELDS[kind]
        keys = map(attrgetter(*fields), listed)
        by_key = dict(zip(keys if len(fields) > 1 else zip(keys), listed))  # (zip: 1-tuples) the last wins
        if kind == "teachings" and len(by_key) < len(listed):  # repeated: the earliest date wins
            by_key = {}
            for record in listed:
                key = record_key(kind, record)
                if key not in by_key or record.date < by_key[key].date:
                    by_key[key] = record
        result[kind] = by_key
    return result


def after_write(kind: str, current: Any | None, new: Any) -> Any:
    """The record a store holds after upserting ``new`` over ``current``."""
    if kind == "teachings" and current is not None and current.date <= new.date:
        return current
    return new


@dataclass
class Plan:
    counts: dict[str, KindCounts]
    created: dict[str, dict[Key, Any]]  # the records the write creates, by key, per kind
    updated: dict[str, list[Any]]  # the records it writes over a stored version, per kind
    replaced: list[Change]  # the stored versions these replace, for undo

    @property
    def rows(self) -> dict[str, list[Any]]:
        """Every record to write, per kind (records held as columns stay so: :class:`KeyedColumns`)."""
        return {kind: created if isinstance(created, KeyedColumns) and not self.updated[kind]
                else [*created.values(), *self.updated[kind]] for kind, created in self.created.items()}

    def log(self) -> bytes:
        """The batch log's text of these changes."""
        return encode_changes({kind: list(created) for kind, created in self.created.items()}, self.replaced)


def planned_keys(planned: Plan) -> Iterator[tuple[str, Key]]:
    """(kind, key) of every record a write creates or changes."""
    for kind in KINDS:
        yield from ((kind, key) for key in planned.created[kind])
        yield from ((kind, record_key(kind, r)) for r in planned.updated[kind])


def plan(wanted: Mapping[str, Mapping[Key, Any]], existing: Mapping[str, Mapping[Key, Any]]) -> Plan:
    counts: dict[str, KindCounts] = {}
    created: dict[str, dict[Key, Any]] = {}
    updated: dict[str, list[Any]] = {}
    replaced: list[Change] = []
    for kind in KINDS:
        new_records: dict[Key, Any] = {}
        written: list[Any] = []
        stored = existing.get(kind, {})
        unchanged = 0
        if not stored:  # all new (a first import): no need to look at each record
            if isinstance(columns := wanted.get(kind), KeyedColumns):
                new_records = columns  # type: ignore[assignment]  (kept as columns)
            else:
                new_records.update(wanted.get(kind, {}))
        created[kind], updated[kind] = new_records, written
        for key, new in (wanted.get(kind, {}) if stored else {}).items():
            current = stored.get(key)
            if current is None:
                new_records[key] = new
                continue
            target = after_write(kind, current, new)
            if target != current:
                replaced.append(Change(kind=kind, key=key, before=current.model_dump(mode="json")))
                written.append(target)
            else:
                unchanged += 1
        counts[kind] = KindCounts(created=len(new_records), updated=len(written), unchanged=unchanged)
    return Plan(counts=counts, created=created, updated=updated, replaced=replaced)


def deletion_plan(kind: str, record: Any) -> Plan:
    """The log of deleting one stored record: undo puts ``record`` back."""
    key = record_key(kind, record)
    return Plan(counts={kind: KindCounts(deleted=1)}, created={k: {} for k in KINDS}, updated={k: [] for k in KINDS},
                replaced=[Change(kind=kind, key=key, before=record.model_dump(mode="json"))])


def copies_removal_plan(kind: str, copies: list[Any]) -> Plan:
    """The log of removing ``copies``, each a second copy of a record that stays stored (a
    broken invariant, SPEC §3): undo puts every copy back beside the record kept."""
    return Plan(counts={kind: KindCounts(deleted=len(copies))}, created={k: {} for k in KINDS},
                updated={k: [] for k in KINDS},
                replaced=[Change(kind=kind, key=record_key(kind, r), before=r.model_dump(mode="json"), extra_copy=True)
                          for r in copies])


def encode_changes(created: Mapping[str, list[Key]], updated: Iterable[Change]) -> bytes:
    """``{"created": {kind: [key, ...]}, "updated": [change, ...]}`` as compact JSON, zlib-
    compressed (a province-scale batch: 97 MB of JSON, 26 MB so, in 0.6 s)."""
    text = json.dumps({"created": {kind: keys for kind, keys in created.items() if keys},
                       "updated": [change.model_dump(mode="json", exclude_defaults=True) for change in updated]},
                      separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 1)


def encode_change_list(changes: Iterable[Change]) -> bytes:
    """The batch log's text of ``changes`` (a :class:`Batch`'s, e.g. taken from another store)."""
    created: dict[str, list[Key]] = {}
    updated = []
    for change in changes:
        if change.before is None:
            created.setdefault(change.kind, []).append(change.key)
        else:
            updated.append(change)
    return encode_changes(created, updated)


def decode_changes(logged: bytes | str) -> list[dict[str, Any]]:
    """The changes of a batch log, as :class:`Change` data: created records first, by kind,
    then updated ones. Reads the first format (JSON text, a list of changes) too."""
    data = json.loads(zlib.decompress(logged) if isinstance(logged, (bytes, bytearray)) else logged)
    if isinstance(data, list):
        return data
    return [*({"kind": kind, "key": key} for kind, keys in data["created"].items() for key in keys),
            *data["updated"]]


def to_model(kind: str, data: Mapping[str, Any]) -> Any:
    return MODELS[kind].model_validate(dict(data))


def new_batch_id(now: datetime) -> str:
    """Sortable, short enough to type: ``B261123-183200-3f9``."""
    return f"B{now:%y%m%d-%H%M%S}-{secrets.token_hex(2)[:3]}"


def unused_batch_id(now: datetime, taken: Callable[[str], bool]) -> str:
    """A new batch id that ``taken`` (asked inside the write's transaction) does not know: the
    three random characters repeat within one second once in a few thousand ids, and the API
    records several events a second."""
    while taken(batch_id := new_batch_id(now)):
        pass
    return batch_id


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def blocking_batches(target: Batch, later: Iterable[Batch]) -> list[str]:
    """Later batches that touched a record ``target`` changed, or that added a record
    referring to one ``target`` created: undoing ``target`` first would break them."""
    touched = {(c.kind, c.key) for c in target.changes}
    created = {(c.kind, c.key) for c in target.changes if c.before is None}
    blocking = []
    for batch in later:
        for change in batch.changes:
            if (change.kind, change.key) in touched or any(ref in created for ref in references(change.kind, change.key)):
                blocking.append(batch.batch_id)
                break
    return blocking


def check_undo(target: Batch | None, batch_id: str, later: Iterable[Batch]) -> Batch:
    if target is None:
        raise said(UsageError, N_("undo.no_batch"), {"batch": repr(batch_id)})
    if ERASURE in target.who:
        raise said(InvalidData, N_("undo.erasure"), {"batch": batch_id})
    blocking = blocking_batches(target, later)
    if blocking:
        raise said(InvalidData, N_("undo.later_batches"), {"batch": batch_id, "later": ", ".join(reversed(blocking))})
    return target


def undo_steps(batch: Batch) -> tuple[dict[str, list[Key]], dict[str, list[Any]]]:
    """What undoing ``batch`` does: keys to delete (records it created) and records to put
    back (the versions it replaced), per kind. Extra copies it removed are not among them:
    see :func:`copies_to_put_back`."""
    delete: dict[str, list[Key]] = {kind: [] for kind in KINDS}
    restore: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for change in batch.changes:
        if change.before is None:
            delete[change.kind].append(change.key)
        elif not change.extra_copy:
            restore[change.kind].append(to_model(change.kind, change.before))
    return delete, restore


def check_undo_cycles(batch_id: str, stored: Iterable[Teaching], delete: dict[str, list[Key]],
                      restore: dict[str, list[Any]]) -> None:
    """``InvalidData`` when undoing ``batch_id`` would put back a teaching that closes a cycle
    with what is stored now (SPEC §2: one skill's teachings never form a cycle). It happens
    when the batch deleted A → B and a later one recorded B → A: undo refuses, as an import
    of A → B would.

    >>> from datetime import date
    >>> t = lambda learner, teacher: Teaching(learner_id=learner, teacher_id=teacher, skill="batik",
    ...                                        date=date(2021, 1, 1))
    >>> from tular.graph.model.errors import text_of
    >>> try:
    ...     check_undo_cycles("B1", [t("a", "b")], {}, {"teachings": [t("b", "a")]})
    ... except InvalidData as refused:
    ...     print(text_of(refused, "en"))
    undoing batch B1 would put back the batik teaching of a to b, which would close a cycle (a → b → a): delete the later teaching first, or leave the batch
    """
    import networkx as nx

    back = restore.get("teachings", [])
    if not back:
        return
    gone = set(delete.get("teachings", []))
    graphs: dict[str, nx.DiGraph] = {t.skill: nx.DiGraph() for t in back}
    for t in stored:
        if t.skill in graphs and (t.learner_id, t.teacher_id, t.skill) not in gone:
            graphs[t.skill].add_edge(t.teacher_id, t.learner_id)
    for t in back:
        graphs[t.skill].add_edge(t.teacher_id, t.learner_id)
    for t in back:
        graph = graphs[t.skill]
        graph.remove_edge(t.teacher_id, t.learner_id)
        if graph.has_node(t.learner_id) and graph.has_node(t.teacher_id) and \
                nx.has_path(graph, t.learner_id, t.teacher_id):
            path = nx.shortest_path(graph, t.learner_id, t.teacher_id)
            raise said(InvalidData, N_("undo.cycle"),
                       {"batch": batch_id, "skill": t.skill, "teacher": t.teacher_id, "learner": t.learner_id,
                        "cycle": " → ".join([t.teacher_id, *path])})
        graph.add_edge(t.teacher_id, t.learner_id)


def copies_to_put_back(batch: Batch) -> dict[str, list[Any]]:
    """The extra copies ``batch`` removed (``tular check --repair``), per kind: undoing it
    creates each again beside the record that stayed."""
    copies: dict[str, list[Any]] = {}
    for change in batch.changes:
        if change.extra_copy:
            copies.setdefault(change.kind, []).append(to_model(change.kind, change.before))
    return copies


# ------------------------------------------------------------------ erasure (tular forget)
def erase_record(kind: str, data: dict[str, Any], ikm_id: str) -> dict[str, Any]:
    """``data`` (a record of ``kind`` as stored in the batch log) without the personal data of
    ``ikm_id``; unchanged when it does not concern that IKM."""
    if kind == "ikm" and data.get("ikm_id") == ikm_id:
        return {**data, "name": placeholder(ikm_id), "business_name": None, "phone": None}
    if kind == "teachings" and ikm_id in (data.get("learner_id"), data.get("teacher_id")):
        return {**data, **dict.fromkeys(PERSONAL_TEACHING_FIELDS)}
    if kind == "outcomes" and data.get("ikm_id") == ikm_id:
        return {**data, "note": None}
    return data


def erase_log(logged: bytes | str, ikm_id: str) -> tuple[bytes | None, int]:
    """A batch log's changes without the personal data of ``ikm_id``: the new log text
    (None when nothing in it concerned the IKM) and how many earlier versions changed."""
    changes = [Change.model_validate(c) for c in decode_changes(logged)]
    erased, count = [], 0
    for change in changes:
        if change.before is not None:
            before = erase_record(change.kind, change.before, ikm_id)
            if before != change.before:
                change = change.model_copy(update={"before": before})
                count += 1
        erased.append(change)
    return (encode_change_list(erased) if count else None), count
