"""The production store: Neo4j 5 through the official driver.

Cypher lives in ``queries/*.cypher`` (one query a file), always run with parameters and
an explicit database. Writes of one call run in one managed transaction, so a failure
anywhere — bad reference, lost connection, dead server — leaves nothing behind.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from importlib import resources
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import numpy as np
from neo4j import READ_ACCESS, GraphDatabase, ManagedTransaction, Query, Transaction
from neo4j import exceptions as neo4j_errors

from tular.graph.metrics.results import Person
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import InvalidData, NotFound, StoreBusy, StoreUnavailable, UnknownIKM, said
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import (
    IKM,
    KINDS,
    ApiKey,
    Attendance,
    Batch,
    BatchMeta,
    Counts,
    ForgetResult,
    Kecamatan,
    Kelurahan,
    KindCounts,
    Outcome,
    Population,
    Records,
    Repair,
    Skill,
    Teaching,
    Training,
    WriteResult,
    placeholder,
)
from tular.graph.model.settings import this_process
from tular.graph.model.skills import BUILTIN_SKILLS
from tular.graph.store import batches
from tular.graph.store.base import LOCK_WAIT, WRITE_CHUNK, IKMPage, RestoreMark
from tular.graph.store.pinning import Pinning
from tular.graph.store.shared_read import SharedRead
from tular.graph.store.snapshot import (
    PATCH_LIMIT,
    Current,
    GraphSnapshot,
    SkillTables,
    Touched,
    seed_nodes,
    touched_by,
)

#: Frontier IKM per cascade step query: a round trip costs about a millisecond; small
#: enough that two transactions share a generation evenly.
STEP_CHUNK = 12_500
#: IKM per query of a large read by key (one round trip each)
READ_CHUNK = 50_000
#: A frontier this small goes DEEP_STEPS generations in one step (``cascade_steps.cypher``).
SMALL_FRONTIER = 16
DEEP_STEPS = 32  # the {1,32} of cascade_steps.cypher
#: Step queries waiting for this many IKM bring in a second transaction (``Neo4jStore._walk``).
PARALLEL_FRONTIER = 20_000

if TYPE_CHECKING:
    from tular.graph.metrics.engine import ReachDays, SkillArrays

T = TypeVar("T")

#: The node labels and relationship types tular writes (a restore deletes any other).
TULAR_LABELS = ("IKM", "Kelurahan", "Kecamatan", "Skill", "Training", "Outcome", "Batch", "ApiKey", "TularMeta",
                "Erasure")
TULAR_RELATIONSHIPS = ("LOCATED_IN", "PART_OF", "TEACHES", "ATTENDED", "TAUGHT_BY", "ACHIEVED")

#: How long the write lease lasts unless its holder renews it (every third of it, while
#: alive): after a writer dies, the next one waits at most this long — less than a writer
#: waits before it gives up (``LOCK_WAIT``), so a dead writer never makes another one fail.
LEASE_MS = 6_000


class _LeaseKeeper:
    """Renews the write lease every third of its length until stopped."""

    def __init__(self, store: Neo4jStore, token: str):
        self.store, self.token = store, token
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="tular-write-lease", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.wait(LEASE_MS / 3000):
            try:
                self.store._lease("renew_write_lease", self.token)
            except StoreUnavailable:
                pass  # the write itself will fail and say so

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
        try:
            self.store._lease("release_write_lease", self.token)
        except StoreUnavailable:
            pass  # the lease runs out by itself

# The driver logs each retry as a warning; tular reports the outcome itself.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

_UNAVAILABLE = (
    neo4j_errors.ServiceUnavailable,
    neo4j_errors.SessionExpired,
    neo4j_errors.AuthError,
    neo4j_errors.DatabaseUnavailable,
    neo4j_errors.SessionError,
)


@cache
def query(name: str) -> str:
    """The text of ``queries/<name>.cypher``."""
    return resources.files("tular.graph.store").joinpath(f"queries/{name}.cypher").read_text("utf-8")


def statements(name: str) -> list[str]:
    """The statements of a multi-statement file (``;``-separated, ``//`` comments dropped)."""
    lines = [ln for ln in query(name).splitlines() if not ln.lstrip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


# The query of each operation for each kind of record, each named in full (grepping a .cypher
# file's name finds where it is used).
MERGE_QUERIES = {"ikm": "merge_ikm", "trainings": "merge_trainings", "attendance": "merge_attendance",
                 "teachings": "merge_teachings", "outcomes": "merge_outcomes", "populations": "merge_populations"}
#: The kinds whose records, known not to exist yet, are created without a look-up first.
CREATE_QUERIES = {"ikm": "create_ikm", "attendance": "create_attendance", "teachings": "create_teachings",
                  "outcomes": "create_outcomes"}
DELETE_QUERIES = {"ikm": "delete_ikm", "trainings": "delete_trainings", "attendance": "delete_attendance",
                  "teachings": "delete_teachings", "outcomes": "delete_outcomes",
                  "populations": "delete_populations"}
#: Every stored record of a kind (populations are read with ``populations``).
STORED_QUERIES = {"ikm": "stored_ikm", "trainings": "stored_trainings", "attendance": "stored_attendance",
                  "teachings": "stored_teachings", "outcomes": "stored_outcomes"}
#: The stored records of a kind with the given keys.
EXISTING_QUERIES = {"ikm": "existing_ikm", "trainings": "existing_trainings", "attendance": "existing_attendance",
                    "teachings": "existing_teachings", "outcomes": "existing_outcomes",
                    "populations": "existing_populations"}


def _native(value: Any) -> Any:
    """neo4j.time values to Python ones."""
    return value.to_native() if hasattr(value, "to_native") else value


def _params(record: Any) -> dict[str, Any]:
    """A record as query parameters (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in record.model_dump().items()}


def _chunks(rows: list[T], size: int = WRITE_CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


#: Rows per UNWIND of a batch write: a province-scale import in a few hundred round trips.
IMPORT_CHUNK = 20_000
#: A write looks its keys up by reading every stored record of the kind when there are at
#: most this many per key looked up (one stream against a query per 20,000 keys).
SCAN_FACTOR = 4


def _new_rows(kind: str, records: list) -> list[list]:
    """Records as the positional rows of the :data:`CREATE_QUERIES`; dates as ISO text, which
    the driver packs many times faster than ``date`` values."""
    if kind == "ikm":
        return [[r.ikm_id, r.name, r.kelurahan_code, r.business_name, r.sector, r.gender, r.phone,
                 r.joined_on.isoformat() if r.joined_on else None] for r in records]
    if kind == "attendance":
        return [[r.training_id, r.ikm_id, r.completed] for r in records]
    if kind == "teachings":
        return [[r.learner_id, r.teacher_id, r.skill, r.date.isoformat(), r.source, r.note, r.submission_id]
                for r in records]
    if kind == "outcomes":
        return [[r.ikm_id, r.kind, r.skill, r.date.isoformat(), r.value, r.note] for r in records]
    raise ValueError(kind)


def _new_chunks(kind: str, created: Mapping[Any, Any]) -> Iterator[list[list]]:
    """The rows of :func:`_new_rows`, IMPORT_CHUNK at a time; records held as columns (a big
    import's) go from their columns, already in that order, without a record made for each."""
    if not isinstance(created, batches.KeyedColumns):
        yield from _chunks(_new_rows(kind, list(created.values())), IMPORT_CHUNK)
        return
    rows = created.rows()
    while chunk := list(map(list, islice(rows, IMPORT_CHUNK))):
        yield chunk


class Neo4jStore(Pinning):
    """``neo4j://`` or ``bolt://`` — credentials and database from the URL or settings.

    ``bolt://user:password@host:7687/database``: the user info and the path are taken off
    the URL before it reaches the driver.
    """

    def __init__(self, url: str, user: str | None = None, password: str | None = None, database: str | None = None,
                 lock_wait: float = LOCK_WAIT):
        parts = urlsplit(url)
        user = unquote(parts.username) if parts.username else user
        password = unquote(parts.password) if parts.password else password
        self.database = parts.path.strip("/") or database or "neo4j"
        host = parts.hostname or "localhost"
        netloc = f"{host}:{parts.port}" if parts.port else host
        self.display_url = urlunsplit((parts.scheme, netloc, f"/{self.database}", "", ""))
        auth = (user, password or "") if user else None
        try:
            self._driver = GraphDatabase.driver(
                urlunsplit((parts.scheme, netloc, "", parts.query, "")),
                auth=auth,
                connection_acquisition_timeout=10,
                connection_timeout=5,
                max_transaction_retry_time=5,
                notifications_min_severity="OFF",
            )
        except (ValueError, neo4j_errors.ConfigurationError) as exc:
            raise said(StoreUnavailable, N_("error.store_cannot_use"), {"store": self.display_url, "reason": str(exc)}) from exc
        self._version = SharedRead(self._version_now)
        self._snapshot: GraphSnapshot | None = None  # the metrics' arrays, see skill_arrays
        self._snapshot_lock = threading.Lock()
        self._lock_wait = lock_wait
        self._held = threading.local()  # .tx, .dirty: the write transaction of the thread holding the lock
        Pinning.__init__(self)

    # ------------------------------------------------------------ plumbing
    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except neo4j_errors.AuthError as exc:
            raise said(StoreUnavailable, N_("error.neo4j_credentials"), {"store": self.display_url}) from exc
        except _UNAVAILABLE as exc:
            raise said(StoreUnavailable, N_("error.neo4j_unreachable"), {"store": self.display_url, "reason": str(exc)}) from exc

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        """The store-wide write lock (see :meth:`GraphStore.writing`): a lease on a meta node,
        taken by short transactions so that a waiting writer can give up after ``lock_wait``
        seconds (Neo4j itself would wait for a lock for ever), kept alive while it is held
        and running out when its holder dies; then one transaction whose first statement
        locks the version node until it ends. Yields that transaction."""
        held = getattr(self._held, "tx", None)
        if held is not None:
            yield held
            return
        token = secrets.token_hex(16)
        self._take_lease(token)
        keeper = _LeaseKeeper(self, token)
        try:
            with self._translated(), self._driver.session(database=self.database) as session:
                tx = session.begin_transaction()
                try:
                    tx.run(query("lock_writes"), token=token).consume()
                    self._held.tx, self._held.dirty = tx, False
                    self._held.touched, self._held.unknown = Touched(), False
                    try:
                        yield tx
                    finally:
                        self._held.tx = None
                    if self._held.dirty:
                        tx.run(query("bump_version"),
                               lookups=self._held.unknown or self._held.touched.lookups).consume()
                        patch = self._own_patch(tx)
                        tx.commit()
                        if patch is not None:
                            kept, version, current, position = patch
                            with self._snapshot_lock:
                                if self._snapshot is kept:
                                    self._snapshot = kept.patched(version, current)
                                    self._snapshot.log_position = position
                finally:
                    if not tx.closed():
                        tx.close()  # rolls back what was not committed
        finally:
            keeper.stop()

    def _take_lease(self, token: str) -> None:
        deadline = time.monotonic() + self._lock_wait
        pause = 0.02
        while True:
            with self._translated():
                records, _, _ = self._driver.execute_query(
                    Query(query("take_write_lease")), token=token, lease_ms=LEASE_MS, who=this_process(),
                    database_=self.database)
            found = records[0]
            if found["taken"]:
                return
            if time.monotonic() >= deadline:
                held = f"{found['who']}, for {found['held_ms'] // 1000} s" if found["who"] else None
                raise StoreBusy(self.display_url, self._lock_wait, held)
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())) * (0.5 + random.random()))
            pause = min(pause * 2, 0.25)

    def _lease(self, name: str, token: str) -> int:
        with self._translated():
            records, _, _ = self._driver.execute_query(
                Query(query(name)), token=token, lease_ms=LEASE_MS, database_=self.database)
        return records[0]["renewed"] if records else 0

    def _write(self, work: Callable[[ManagedTransaction], T]) -> T:
        """``work`` in the write transaction (the one held by this thread, or a new one). A
        ``work`` that says what it touched (:meth:`_describe`) lets the kept graph be patched;
        any other makes it be read again."""
        with self.writing() as tx:
            self._held.described = False
            result = work(tx)
            self._held.dirty = True
            self._held.unknown |= not self._held.described
            return result

    def _describe(self, touched: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Inside a ``work`` of :meth:`_write`: it wrote these (kind, key) records and nothing
        else the metrics' graph holds."""
        self._held.described = True
        for kind, key in touched:
            self._held.touched.add(kind, key)

    def _own_patch(self, tx: Transaction) -> tuple | None:
        """Before a write commits (the version moved on by it): what patching the kept graph
        takes, when this write says what it touched and the kept graph is of the version just
        before it — the kept snapshot, the new version, the touched records as written, the
        batch log's position."""
        kept = self._snapshot
        if kept is None or self._held.unknown or len(self._held.touched) > PATCH_LIMIT:
            return None
        version = tx.run(query("version")).single(strict=True)["version"]
        epoch, counter = _counter(version)
        if counter is None or _counter(kept.stamp) != (epoch, counter - 1):
            return None
        return kept, version, self._current(tx, self._held.touched), self._log_position(tx)

    def _read_version(self) -> str:
        """Read after the call began; concurrent callers share one read (see :class:`SharedRead`)."""
        return self._version()

    def _lookups_of(self, version: str) -> str:
        """``epoch/lookups`` of ``epoch:counter/lookups``: the store-wide lookups are kept across
        writes that cannot change them (a teaching, an attendance); during a restore, per version."""
        epoch, _, rest = version.partition(":")
        return version if ":" in rest or "/" not in rest else f"{epoch}/{rest.partition('/')[2]}"

    def _version_now(self) -> str:
        """The version, read in an auto-commit query: one round trip, where a managed
        transaction (:meth:`_read`) takes two — it is read for every answer."""
        with self._translated(), self._driver.session(database=self.database,
                                                      default_access_mode=READ_ACCESS) as session:
            return str(session.run(Query(query("version"))).single(strict=True)["version"])

    def _read(self, name: str, **params: Any) -> list[dict[str, Any]]:
        with self._translated():
            records, _, _ = self._driver.execute_query(
                Query(query(name)), parameters_=params, database_=self.database, routing_="r"
            )
        return [record.data() for record in records]

    def close(self) -> None:
        self._driver.close()

    def ping(self) -> None:
        with self._translated():
            self._driver.verify_connectivity()
            self._driver.execute_query("RETURN 1", database_=self.database)

    # ---------------------------------------------------------------- schema
    def init_schema(self) -> None:
        with self._translated():
            for statement in statements("initialize"):
                self._driver.execute_query(Query(statement), database_=self.database)
        if not self._read("gazetteer"):
            self.load_gazetteer(Gazetteer.kota_malang())
        known = {row["skill_id"] for row in self._read("skills")}
        if rows := [_params(s) for s in BUILTIN_SKILLS if s.skill_id not in known]:
            self._write(lambda tx: tx.run(query("merge_skills"), rows=rows, only_new=True).consume())

    def load_gazetteer(self, gazetteer: Gazetteer) -> None:
        kecamatan = [_params(k) for k in gazetteer.kecamatan_list]
        kelurahan = [_params(k) for k in gazetteer.kelurahan_list]

        def work(tx: ManagedTransaction) -> None:
            tx.run(query("merge_kecamatan"), rows=kecamatan).consume()
            tx.run(query("merge_kelurahan"), rows=kelurahan).consume()

        self._write(work)

    def add_skill(self, skill: Skill) -> None:
        rows = [_params(skill)]
        self._write(lambda tx: tx.run(query("merge_skills"), rows=rows, only_new=False).consume())

    def wipe(self, keep_keys: bool = False) -> None:
        """In batches of its own (too big for one transaction at province scale), while this
        writer holds the write lock; the version moves on when the lock is let go."""
        with self.writing():
            with self._translated(), self._driver.session(database=self.database) as session:
                session.run(query("wipe"), keep_keys=keep_keys).consume()
            self._write(lambda tx: tx.run(query("new_epoch")).consume())

    # --------------------------------------------------------------- restore
    def restore_mark(self) -> RestoreMark | None:
        rows = self._read("restore_mark")
        return RestoreMark(**{k: _native(v) for k, v in rows[0]["mark"].items()}) if rows else None

    def mark_restore(self, mark: RestoreMark) -> None:
        """Mark the store "restore in progress" (SPEC §3), committed at once — not in the write
        transaction, which commits only at the end of the restore — so that every process sees
        it before the wipe begins; the version moves with it (``version.cypher``). Called by
        the restoring writer, which holds the write lock."""
        with self._translated():
            self._driver.execute_query(Query(query("mark_restore")), mark=mark.model_dump(mode="json"),
                                       database_=self.database)

    def clear_restore_mark(self) -> None:
        """Remove the mark, in the write transaction (a restore's last)."""
        self._write(lambda tx: tx.run(query("clear_restore_mark")).consume())

    def replace_content(self, gazetteer: Gazetteer, skills: list[Skill], records: Records, logged: list[Batch]) -> None:
        """Make the store hold exactly ``gazetteer``, ``skills``, ``records`` and the batch log
        ``logged`` (a restore small enough for one transaction), its API keys and tular's
        bookkeeping kept, in the write transaction: other readers see the old content until
        it commits.

        In place, not "delete everything, then write": a record the store holds already is
        updated where it differs, a new one created, and only then what the new content does
        not hold is deleted. Neo4j checks a unique key, and looks a node up by it, in time that
        grows with the entries of its index deleted earlier in the same transaction: delete
        13,000 IKM and create 13,000 in one transaction, and each lookup pays for all the
        deleted ones (a city's restore took over a minute that way)."""
        wanted = {kind: {batches.record_key(kind, r): r for r in getattr(records, kind)} for kind in KINDS}

        def work(tx: ManagedTransaction) -> None:
            tx.run(query("new_epoch")).consume()
            tx.run(query("merge_kecamatan"), rows=[_params(k) for k in gazetteer.kecamatan_list]).consume()
            tx.run(query("merge_kelurahan"), rows=[_params(k) for k in gazetteer.kelurahan_list]).consume()
            tx.run(query("merge_skills"), rows=[_params(s) for s in skills], only_new=False).consume()
            stored: dict[str, dict] = {}
            updated: dict[str, list] = {}
            new: dict[str, dict] = {}
            for kind in KINDS:
                stored[kind], copies = self._stored(tx, kind)
                if copies:  # a relationship stored more than once (a broken invariant): written again, once
                    tx.run(query(DELETE_QUERIES[kind]), keys=[list(k) for k in copies]).consume()
                    for key in copies:
                        del stored[kind][key]
                updated[kind] = [r for key, r in wanted[kind].items() if key in stored[kind] and stored[kind][key] != r]
                new[kind] = {key: r for key, r in wanted[kind].items() if key not in stored[kind]}
            self._upsert(tx, updated, new)
            tx.run(query("load_batches"), rows=self._batch_rows(logged)).consume()
            # then, all written, what the new content does not hold (deletions last: see above)
            for kind in reversed(KINDS):
                gone = [list(key) for key in stored[kind] if key not in wanted[kind]]
                if kind == "ikm" and gone:
                    tx.run(query("delete_ikm_except"), keep=[key[0] for key in wanted[kind]]).consume()
                    continue
                for chunk in _chunks(gone):
                    tx.run(query(DELETE_QUERIES[kind]), keys=chunk).consume()
            kept = {b.batch_id for b in logged}
            logged_before = [row["batch"]["batch_id"] for row in tx.run(query("batches"), batch_id=None,
                                                                          with_changes=False)]
            tx.run(query("delete_batches"), batch_ids=[b for b in logged_before if b not in kept]).consume()
            tx.run(query("delete_unlisted"), skills=[s.skill_id for s in skills],
                   kelurahan=[k.code for k in gazetteer.kelurahan_list],
                   kecamatan=[k.code for k in gazetteer.kecamatan_list],
                   labels=list(TULAR_LABELS), relationship_types=list(TULAR_RELATIONSHIPS)).consume()

        self._write(work)

    @staticmethod
    def _stored(tx: ManagedTransaction, kind: str) -> tuple[dict, set]:
        """Every stored record of ``kind`` by its key, and the keys stored more than once."""
        found: dict = {}
        twice: set = set()
        if kind == "populations":
            for row in tx.run(query("populations")):
                found[(row["code"],)] = Population(kelurahan_code=row["code"], population=row["population"])
            return found, twice
        for record in tx.run(query(STORED_QUERIES[kind])):
            model = batches.to_model(kind, {k: _native(v) for k, v in record["record"].items()})
            key = batches.record_key(kind, model)
            if key in found:
                twice.add(key)
            found[key] = model
        return found, twice

    # ---------------------------------------------------------------- writes
    def write(self, records: Records, meta: BatchMeta | None = None, dry_run: bool = False) -> WriteResult:
        wanted = batches.effective(records)

        def work(tx: ManagedTransaction) -> tuple[batches.Plan, str | None]:
            stored = tx.run(query("stored_counts")).single(strict=True).data()
            existing = {kind: self._existing(tx, kind, list(keys), stored.get(kind)) for kind, keys in wanted.items()}
            planned = batches.plan(wanted, existing)
            if dry_run:
                return planned, None
            self._upsert(tx, planned.updated, planned.created)
            self._describe(batches.planned_keys(planned))
            return planned, self._log_batch(tx, meta, planned) if meta is not None else None

        if dry_run:  # no lock, no version: a read transaction
            with self._translated(), self._driver.session(database=self.database) as session:
                planned, batch_id = session.execute_read(work)
        else:
            planned, batch_id = self._write(work)
        return WriteResult(batch_id=batch_id, counts=planned.counts)

    def write_in_parts(self, meta: BatchMeta) -> ImportParts:
        """A write of one batch whose records come kind by kind (see :class:`ImportParts`),
        inside :meth:`writing`, in its transaction."""
        tx = getattr(self._held, "tx", None)
        if tx is None:
            raise RuntimeError("write_in_parts is for a writer holding the write lock (inside writing())")
        return ImportParts(self, tx, meta)

    def _plan_kind(self, tx: Transaction, kind: str, records: list, stored: dict[str, int]) -> batches.Plan:
        """What :meth:`write` plans for one kind: its records looked up (:meth:`_upsert` writes the plan)."""
        wanted = batches.effective(Records.model_construct(**{kind: records}))[kind]
        existing = {kind: self._existing(tx, kind, list(wanted), stored.get(kind))}
        return batches.plan({kind: wanted}, existing)

    @staticmethod
    def _existing(tx: ManagedTransaction, kind: str, keys: list[tuple[str, ...]], stored: int | None) -> dict:
        """The stored version of each of ``keys`` that exists; ``stored``: how many records of
        the kind there are (None: unknown)."""
        found: dict = {}
        if not keys or stored == 0:
            return found
        if stored is not None and stored <= SCAN_FACTOR * len(keys):
            wanted, fields = set(keys), batches.KEY_FIELDS[kind]
            for record in tx.run(query(STORED_QUERIES[kind])):
                data = record["record"]
                if kind == "outcomes":  # its key is made of derived fields
                    model = batches.to_model(kind, {k: _native(v) for k, v in data.items()})
                    if (key := batches.record_key(kind, model)) in wanted:
                        found[key] = model
                elif (key := tuple(data[f] for f in fields)) in wanted:
                    found[key] = batches.to_model(kind, {k: _native(v) for k, v in data.items()})
            return found
        for chunk in _chunks(keys, IMPORT_CHUNK):
            for record in tx.run(query(EXISTING_QUERIES[kind]), keys=[list(k) for k in chunk]):
                model = batches.to_model(kind, {k: _native(v) for k, v in record["record"].items()})
                found[batches.record_key(kind, model)] = model
        return found

    @staticmethod
    def _upsert(tx: ManagedTransaction, rows: dict[str, list], new: dict[str, dict] | None = None) -> None:
        """Write in dependency order; a row whose references are missing rolls everything back.

        ``rows`` are upserted (:data:`MERGE_QUERIES`; a teaching there must exist already); ``new``
        records, which this transaction has found not to exist, are created
        (:data:`CREATE_QUERIES`) where the kind has such a query, else upserted too."""
        for kind in KINDS:
            wanted = (new or {}).get(kind, {})
            written = expected = 0
            if wanted and kind in CREATE_QUERIES:
                expected += len(wanted)
                for chunk in _new_chunks(kind, wanted):
                    written += tx.run(query(CREATE_QUERIES[kind]), rows=chunk).single(strict=True)["written"]
                created = []
            else:
                created = list(wanted.values())
            params = [_params(r) for r in [*created, *rows[kind]]]
            expected += sum(len(p["skills"]) for p in params) if kind == "trainings" else len(params)
            for chunk in _chunks(params, IMPORT_CHUNK):
                written += tx.run(query(MERGE_QUERIES[kind]), rows=chunk).single(strict=True)["written"]
            if written != expected:
                raise said(InvalidData, N_("error.rows_missing_references"), {"count": expected - written, "kind": kind})

    @staticmethod
    def _log_batch(tx: ManagedTransaction, meta: BatchMeta, planned: batches.Plan, changes: bytes | None = None) -> str:
        """Log ``planned`` as a batch (``changes``: its ``log()``, when worked out already)."""
        now = batches.utc_now()
        batch_id = batches.unused_batch_id(
            now, lambda candidate: tx.run(query("batch_exists"), batch_id=candidate).single(strict=True)["taken"])
        tx.run(
            query("create_batch"), batch_id=batch_id, created_at=now.isoformat(), who=meta.who,
            files=json.dumps([f.model_dump() for f in meta.files]),
            counts=json.dumps({k: v.model_dump() for k, v in planned.counts.items()}),
            changes=planned.log() if changes is None else changes,
        ).consume()
        return batch_id

    def delete_teaching(self, key: tuple[str, str, str], meta: BatchMeta) -> str:
        def work(tx: ManagedTransaction) -> str:
            found = self._existing(tx, "teachings", [key], None)
            if key not in found:
                raise said(NotFound, N_("error.no_teaching"), {"skill": key[2], "learner": key[0], "teacher": key[1]})
            tx.run(query("delete_teachings"), keys=[list(key)]).consume()
            self._describe([("teachings", key)])
            return self._log_batch(tx, meta, batches.deletion_plan("teachings", found[key]))

        return self._write(work)

    def forget(self, ikm_id: str, meta: BatchMeta):

        def work(tx: ManagedTransaction) -> ForgetResult:
            found = tx.run(query("forget_ikm"), ikm_id=ikm_id, placeholder=placeholder(ikm_id)).single()
            if found is None:
                raise UnknownIKM(ikm_id)
            tx.run(query("register_erasures"),
                   rows=[{"ikm_id": ikm_id, "erased_at": batches.utc_now().date().isoformat()}]).consume()
            rows, logged = [], 0
            for record in tx.run(query("batches"), batch_id=None, with_changes=True):
                batch = record["batch"]
                erased, count = batches.erase_log(batch["changes"], ikm_id)
                if erased is not None:
                    rows.append({"batch_id": batch["batch_id"], "changes": erased})
                    logged += count
            if rows:
                tx.run(query("set_batch_changes"), rows=rows).consume()
            # names, notes and the log: nothing the metrics' graph holds, but names kept for answers
            self._describe([("ikm", (ikm_id,))])
            teachings, outcomes = found["teachings"], found["outcomes"]
            planned = batches.Plan(counts={"ikm": KindCounts(updated=1), "teachings": KindCounts(updated=teachings),
                                           "outcomes": KindCounts(updated=outcomes)},
                                   created={k: {} for k in KINDS}, updated={k: [] for k in KINDS}, replaced=[])
            return ForgetResult(ikm_id=ikm_id, batch_id=self._log_batch(tx, meta, planned), teachings=teachings,
                                outcomes=outcomes, logged_changes=logged)

        return self._write(work)

    @staticmethod
    def _batches(tx: ManagedTransaction, batch_id: str | None, with_changes: bool) -> list[Batch]:
        result = tx.run(query("batches"), batch_id=batch_id, with_changes=with_changes)
        return [
            Batch(**{**b, "files": json.loads(b["files"]), "counts": json.loads(b["counts"]),
                     "changes": batches.decode_changes(b["changes"])})
            for b in (record["batch"] for record in result)
        ]

    def batches(self, with_changes: bool = False) -> list[Batch]:
        with self._translated(), self._driver.session(database=self.database) as session:
            return session.execute_read(self._batches, None, with_changes)

    # ------------------------------------------------------------------ keys
    def save_api_key(self, key: ApiKey) -> None:
        data = key.model_dump(mode="json")
        self._write(lambda tx: tx.run(query("save_api_key"), key=data).consume())

    def api_keys(self, key_id: str | None = None) -> list[ApiKey]:
        return [ApiKey(**r["key"]) for r in self._read("api_keys", key_id=key_id)]

    def load_batches(self, logged: list[Batch]) -> None:
        rows = self._batch_rows(logged)
        self._write(lambda tx: tx.run(query("load_batches"), rows=rows).consume())

    @staticmethod
    def _batch_rows(logged: list[Batch]) -> list[dict[str, Any]]:
        return [
            {"batch_id": b.batch_id, "seq": b.seq, "created_at": b.created_at.isoformat(), "who": b.who,
             "files": json.dumps([f.model_dump() for f in b.files]),
             "counts": json.dumps({k: v.model_dump() for k, v in b.counts.items()}),
             "changes": batches.encode_change_list(b.changes)}
            for b in logged
        ]

    def undo(self, batch_id: str) -> Batch:
        def work(tx: ManagedTransaction) -> Batch:
            found = self._batches(tx, batch_id, True)
            target = batches.check_undo(found[0] if found else None, batch_id, found[1:])
            delete, restore = batches.undo_steps(target)
            if restore["teachings"]:  # the lock is held: what is committed is what is stored
                batches.check_undo_cycles(batch_id, self.all_teachings(), delete, restore)
            for kind in reversed(KINDS):
                for chunk in _chunks(delete[kind]):
                    tx.run(query(DELETE_QUERIES[kind]), keys=[list(k) for k in chunk]).consume()
            # a record the batch deleted is created again; one it changed is written over
            missing: dict[str, dict] = {}
            for kind, records in restore.items():
                by_key = {batches.record_key(kind, r): r for r in records}
                present = self._existing(tx, kind, list(by_key), None)
                missing[kind] = {k: r for k, r in by_key.items() if k not in present}
                restore[kind] = [r for k, r in by_key.items() if k in present]
            self._upsert(tx, restore, missing)
            for kind, copies in batches.copies_to_put_back(target).items():  # undoing tular check --repair
                self._put_back_copies(tx, kind, copies)
            tx.run(query("delete_batch"), batch_id=batch_id).consume()
            self._describe((change.kind, change.key) for change in target.changes)
            return target

        return self._write(work)

    # ----------------------------------------------------------------- reads
    def gazetteer(self) -> Gazetteer:
        return self._kept_for("gazetteer", self._gazetteer)

    def _gazetteer(self) -> Gazetteer:
        rows = self._read("gazetteer")
        kecamatan = {r["kecamatan_code"]: Kecamatan(code=r["kecamatan_code"], name=r["kecamatan_name"]) for r in rows}
        kelurahan = [
            Kelurahan(code=r["code"], name=r["name"], kecamatan_code=r["kecamatan_code"], aliases=tuple(r["aliases"]))
            for r in rows
        ]
        return Gazetteer(kecamatan.values(), kelurahan)

    def populations(self) -> dict[str, int]:
        return dict(self._kept_for("populations", lambda: {r["code"]: r["population"]
                                                           for r in self._read("populations")}))

    def skills(self) -> list[Skill]:
        return list(self._kept_for("skills", lambda: [Skill(**{**r, "aliases": tuple(r["aliases"])})
                                                      for r in self._read("skills")]))

    def counts(self) -> Counts:
        return Counts(**self._read("counts")[0])

    @staticmethod
    def _ikm(props: dict[str, Any]) -> IKM:
        return IKM(**{k: _native(v) for k, v in props.items()})

    def get_ikm(self, ikm_id: str) -> IKM:
        rows = self._read("get_ikm", ikm_id=ikm_id)
        if not rows:
            raise UnknownIKM(ikm_id)
        return self._ikm(rows[0]["ikm"])

    def search_ikm(self, q=None, kelurahan_code=None, skill=None, limit=50, offset=0, kelurahan_codes=None,
                   ikm_ids=None) -> IKMPage:
        row = self._read(
            "search_ikm", q=q.casefold() if q else None, kelurahan_code=kelurahan_code, skill=skill,
            limit=limit, offset=offset, kelurahan_codes=None if kelurahan_codes is None else sorted(kelurahan_codes),
            ikm_ids=None if ikm_ids is None else sorted(ikm_ids),
        )[0]
        return IKMPage(items=[self._ikm(p) for p in row["items"]], total=row["total"], limit=limit, offset=offset)

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        return self._people_kept(ids, self._read_people)

    def _read_people(self, wanted: list[str]) -> dict[str, Person]:

        def work(tx: ManagedTransaction) -> dict[str, Person]:
            found: dict[str, Person] = {}
            for chunk in _chunks(wanted, READ_CHUNK):
                row = tx.run(query("people"), ids=chunk).single(strict=True)
                found.update(zip(row["ids"], map(Person, row["names"], row["kelurahan"])))
            return found

        with self._translated(), self._driver.session(database=self.database) as session:
            return session.execute_read(work)

    def ikm_per_kelurahan(self) -> dict[str, int]:
        return dict(self._kept_for("ikm_per_kelurahan", self._ikm_per_kelurahan))

    def _ikm_per_kelurahan(self) -> dict[str, int]:
        snapshot = self._snapshot
        if snapshot is not None and snapshot.stamp == (self._pinned_version() or self.version()):
            return snapshot.ikm_per_kelurahan()  # a count over a million IKM costs more
        return {r["code"]: r["ikm"] for r in self._read("ikm_per_kelurahan")}

    #: frontiers up to this size take DEEP_STEPS generations a round trip (0: one at a time)
    small_frontier = SMALL_FRONTIER
    #: frontier IKM per cascade step query
    step_chunk = STEP_CHUNK
    #: when the step queries waiting hold this many IKM, a second read transaction joins
    #: the walk (Neo4j runs one query on one core)
    parallel_frontier = PARALLEL_FRONTIER

    def _walk(self, tx: ManagedTransaction, snapshot: GraphSnapshot, cascades: dict[str, _Cascade],
              as_of: date) -> None:
        """Walk ``cascades`` in the database, breadth-first, one Cypher step a generation
        (``cascade_step``), DEEP_STEPS generations a step while a frontier is small
        (``cascade_steps``). The database is asked by node id, which the snapshot keeps for
        every IKM of its version, and answers with node ids; the visited sets stay here, so
        every edge is expanded once. The step queries of all skills wait in one queue, taken
        by ``tx`` and, once there is enough to share, by a second read transaction."""
        walk = _Walk(self, snapshot, cascades, as_of)
        with ThreadPoolExecutor(max_workers=1) as pool:
            def helper() -> None:
                try:
                    with self._driver.session(database=self.database, default_access_mode=READ_ACCESS) as session, \
                            session.begin_transaction() as other:
                        walk.ready.set()
                        walk.work(other)
                finally:
                    walk.ready.set()

            walk.join = lambda: pool.submit(helper)
            try:
                walk.work(tx)
            finally:
                walk.stop()  # after a failure here the helper stops at its next query
                if walk.helper is not None:
                    walk.helper.result()  # raises what stopped it

    def _walk_all_dates(self, tx: ManagedTransaction, snapshot: GraphSnapshot, skill: str,
                        tables: SkillTables) -> ReachDays:
        """The skill's cascade for every date (:func:`~tular.graph.metrics.engine.reach_days`),
        walked in the database one step a generation (``cascade_all_dates``), by node id."""
        def expand(nodes: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            record = tx.run(query("cascade_all_dates"), frontier=snapshot.handles[tables.keys[nodes]].tolist(),
                            days=_yyyymmdd(days).tolist(), skill=skill).single(strict=True)
            local = tables.local(snapshot.numbers_of(record["learners"]))  # -1: written since the snapshot
            known = local >= 0
            return local[known], _ordinals(record["days"])[known]

        from tular.graph.metrics import engine

        n = len(tables.ids)
        return engine.reach_days(n, engine.seed_days(n, tables.attendance), expand)

    def skill_arrays(self, skills: Sequence[str], as_of: date,
                     seeds: Callable[[SkillArrays], Iterable[int]] | None = None) -> dict[str, SkillArrays]:
        """From the in-memory snapshot of the graph (see :mod:`.snapshot`), read from the
        database when the store's version has moved; the cascades are walked in Cypher, in
        the same read transaction, and kept with the snapshot for the next call that asks
        about the same skill, date and seeds — or, once a second date is asked, walked for
        every date at once. A call that memory can answer opens no transaction."""
        kept = self._in_memory(skills, as_of, seeds)
        if kept is not None:
            return kept

        def work(tx: ManagedTransaction) -> dict[str, SkillArrays]:
            snapshot = self._snapshot_in(tx, skills)
            views = {skill: snapshot.view(skill, as_of) for skill in dict.fromkeys(skills)}
            if seeds is None:
                return views
            keys, cascades = {}, {}
            for skill, graph in views.items():
                nodes = seed_nodes(seeds(graph))
                keys[skill] = ("cascade", nodes.tobytes())
                graph.level = graph.derived.get(keys[skill])
                if graph.level is None:  # from the walk over every date, or else a walk of this date
                    tables = snapshot.skills[skill]
                    level = tables.cascade(graph, nodes, lambda: self._walk_all_dates(tx, snapshot, skill, tables))
                    if level is None:
                        cascades[skill] = _Cascade(tables, graph.out_degree > 0, nodes, graph.n)
                    else:
                        level.flags.writeable = False
                        graph.level = graph.derived[keys[skill]] = level
            self._walk(tx, snapshot, cascades, as_of)
            for skill, cascade in cascades.items():
                cascade.level.flags.writeable = False  # shared by the calls that ask the same
                views[skill].level = views[skill].derived[keys[skill]] = cascade.level
            return views

        with self._translated(), self._driver.session(database=self.database) as session:
            return session.execute_read(work)

    def _in_memory(self, skills: Sequence[str], as_of: date,
                   seeds: Callable[[SkillArrays], Iterable[int]] | None) -> dict[str, SkillArrays] | None:
        """The views of :meth:`skill_arrays` without a transaction, when memory holds all they
        need: inside :meth:`pinned` (the version read already) with the snapshot of that
        version, every skill loaded and every cascade kept or following from the walk over
        every date. None otherwise."""
        version, snapshot = self._pinned_version(), self._snapshot
        if version is None or snapshot is None or snapshot.stamp != version or snapshot.missing(skills):
            return None
        views = {skill: snapshot.view(skill, as_of) for skill in dict.fromkeys(skills)}
        if seeds is None:
            return views
        for skill, graph in views.items():
            nodes = seed_nodes(seeds(graph))
            key = ("cascade", nodes.tobytes())
            level = graph.derived.get(key)
            if level is None:
                tables = snapshot.skills[skill]
                if tables.walked(as_of) is None:
                    return None
                level = tables.cascade(graph, nodes, lambda: tables.all_dates)
                if level is None:  # other seeds than every seed of the date: walked in Cypher
                    return None
                level.flags.writeable = False
                graph.derived[key] = level
            graph.level = level
        return views

    def _snapshot_in(self, tx: ManagedTransaction, skills: Sequence[str]) -> GraphSnapshot:
        """The snapshot of the version read in ``tx``, with ``skills`` loaded: kept from an
        earlier call while no write has moved the version on, else read now."""
        version = self._pinned_version() or tx.run(query("version")).single(strict=True)["version"]
        with self._snapshot_lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.stamp != version:
                snapshot = self._caught_up(tx, snapshot)
            for skill in snapshot.missing(skills):
                # dict(record), not record.data(): that one walks every element of every list
                row = dict(tx.run(query("snapshot_skill"), skill=skill).single(strict=True))
                ended = [date.fromordinal(d) for d in _ordinals(row["ended"]).tolist()]
                attended = sorted(zip(ended, row["attendees"], row["trainings"]))  # by end date, ikm, training
                edges = row["teachers"], row["learners"], row["days"]
                known = snapshot.index
                if not known.keys() >= {*edges[0], *edges[1]}:  # IKM written since snapshot_ikm read: later
                    edges = tuple(map(list, zip(*(e for e in zip(*edges) if e[0] in known and e[1] in known)))) \
                        or ([], [], [])
                snapshot.add_skills([skill], [skill] * len(edges[2]), edges[0], edges[1], _ordinals(edges[2]),
                                    [(skill, ikm, t, end) for end, ikm, t in attended if ikm in known])
            self._snapshot = snapshot
            return snapshot

    def _caught_up(self, tx: ManagedTransaction, kept: GraphSnapshot | None) -> GraphSnapshot:
        """The snapshot of the version ``tx`` reads: ``kept`` when it is of that version or a
        later one, else brought up to date from the batches logged since it when every write
        transaction since logged one (see :func:`.snapshot.touched_by`), else read anew."""
        version = tx.run(query("version")).single(strict=True)["version"]
        epoch, counter = _counter(version)
        if kept is not None and counter is not None:
            kept_epoch, kept_counter = _counter(kept.stamp)
            if kept_epoch == epoch and kept_counter is not None:
                if kept_counter >= counter:
                    return kept  # another call caught up further already
                seq, count = kept.log_position
                log = tx.run(query("batches_since"), seq=seq).single(strict=True)
                later = log["later"]
                if log["before"] == count and len(later) == counter - kept_counter:
                    touched = touched_by([(b["who"], batches.decode_changes(b["changes"])) for b in later])
                    if touched is not None and len(touched) <= PATCH_LIMIT:
                        patched = kept.patched(version, self._current(tx, touched))
                        patched.log_position = (later[-1]["seq"] if later else seq, count + len(later))
                        return patched
        everyone = tx.run(query("snapshot_ikm")).single(strict=True)
        snapshot = GraphSnapshot.of_ikm(version, zip(everyone["ids"], everyone["kelurahan"]), everyone["nodes"])
        snapshot.log_position = self._log_position(tx)
        return snapshot

    @staticmethod
    def _log_position(tx: Any) -> tuple[int, int]:
        row = tx.run(query("log_position")).single(strict=True)
        return int(row["last"]), int(row["batches"])

    @staticmethod
    def _current(tx: Any, touched: Touched) -> Current:
        """The stored state of the ``touched`` records, read in ``tx``."""
        ikm: dict[str, str | None] = dict.fromkeys(touched.ikm)
        handles: dict[str, int] = {}
        if touched.ikm:
            row = tx.run(query("kept_ikm"), ids=sorted(touched.ikm)).single(strict=True)
            ikm.update(zip(row["ids"], row["kelurahan"]))
            handles.update(zip(row["ids"], row["nodes"]))
        teachings: dict[tuple[str, str, str], int | None] = dict.fromkeys(touched.teachings)
        if touched.teachings:
            row = dict(tx.run(query("kept_teachings"), keys=[list(k) for k in sorted(touched.teachings)]
                              ).single(strict=True))
            days = _ordinals(row["days"]).tolist()
            teachings.update(zip(zip(row["learners"], row["teachers"], row["skills"]), days))
        attended: list[tuple[str, str, str, date]] = []
        if touched.trainings:
            row = dict(tx.run(query("kept_attendance"), trainings=sorted(touched.trainings)).single(strict=True))
            ended = [date.fromordinal(d) for d in _ordinals(row["ended"]).tolist()]
            attended = sorted(zip(row["skills"], row["attendees"], row["trainings"], ended),
                              key=lambda r: (r[3], r[1], r[2]))
        return Current(ikm=ikm, teachings=teachings, trainings=set(touched.trainings), attended=attended,
                       handles=handles)

    def all_ikm(self) -> list[IKM]:
        return [self._ikm(r["ikm"]) for r in self._read("all_ikm")]

    def all_attendance(self) -> list[Attendance]:
        return [Attendance(**r) for r in self._read("all_attendance")]

    def all_teachings(self) -> list[Teaching]:
        return [Teaching(**{k: _native(v) for k, v in r.items()}) for r in self._read("all_teachings")]

    def all_outcomes(self) -> list[Outcome]:
        return [Outcome(**{k: _native(v) for k, v in r.items()}) for r in self._read("all_outcomes")]

    def skill_outcomes(self, skill: str, as_of: date, kind: str | None = None) -> list[tuple[str, str, date]]:
        return [(r["ikm_id"], r["kind"], _native(r["date"]))
                for r in self._read("skill_outcomes", skill=skill, as_of=as_of, kind=kind)]

    def trainings(self) -> list[Training]:
        return list(self._kept_for("trainings", lambda: [
            Training(**{k: _native(v) for k, v in r["training"].items()}, skills=tuple(r["skills"]))
            for r in self._read("trainings")
        ]))

    # ------------------------------------------------------------ broken invariants
    def remove_duplicate_teachings(self, meta: BatchMeta) -> Repair:
        """Looked for first in a read, so that a store without copies is not written to (and
        its version, with every cached answer, stays); then found again and removed in the
        write's own transaction."""
        if not self._read("duplicate_teachings"):
            return Repair()

        def work(tx: ManagedTransaction) -> Repair:
            kept, removed, ids = [], [], []
            for record in tx.run(query("duplicate_teachings")):
                def teaching(copy: dict[str, Any]) -> Teaching:
                    return Teaching(learner_id=record["learner_id"], teacher_id=record["teacher_id"],
                                    skill=record["skill"], date=_native(copy["date"]), source=copy["source"],
                                    note=copy["note"], submission_id=copy["submission_id"])

                copies = sorted(record["copies"], key=lambda c: (_native(c["date"]), c["source"] or "",
                                                                 c["note"] or "", c["id"]))
                kept.append(teaching(copies[0]))
                removed += map(teaching, copies[1:])
                ids += [c["id"] for c in copies[1:]]
            if not ids:  # removed by another writer since the read
                return Repair()
            deleted = tx.run(query("delete_teaching_copies"), ids=ids).single(strict=True)["deleted"]
            if deleted != len(ids):
                raise said(StoreUnavailable, N_("error.repair_raced"), {"store": self.display_url})
            batch_id = self._log_batch(tx, meta, batches.copies_removal_plan("teachings", removed))
            self._describe(("teachings", (t.learner_id, t.teacher_id, t.skill)) for t in removed)
            return Repair(batch_id=batch_id, removed=removed, kept=kept)

        return self._write(work)

    @staticmethod
    def _put_back_copies(tx: ManagedTransaction, kind: str, copies: list) -> None:
        """Create ``copies`` again beside the records that stayed (undo of a repair)."""
        if kind != "teachings":
            raise said(InvalidData, N_("error.put_back_kind"), {"kind": kind})
        written = sum(tx.run(query("create_teachings"), rows=chunk).single(strict=True)["written"]
                      for chunk in _chunks(_new_rows(kind, copies), IMPORT_CHUNK))
        if written != len(copies):
            raise said(InvalidData, N_("error.copies_missing_references"), {"count": len(copies) - written})


    # ------------------------------------------------------------ browser sessions
    # Each a short transaction of its own through the driver: never the write lease, never the
    # version (SPEC §3), so that a sign-in or sign-out beside a long import neither waits for
    # it nor makes cached answers stale. :TularMeta nodes, which wipe and restore leave.
    def session_secret(self) -> bytes:
        with self._translated():
            records, _, _ = self._driver.execute_query(Query(query("session_secret")), value=secrets.token_hex(32),
                                                       database_=self.database)
        return bytes.fromhex(records[0]["value"])

    def end_session(self, session_id: str, until: datetime) -> None:
        with self._translated():
            self._driver.execute_query(Query(query("end_session")), session_id=session_id, until=until.timestamp(),
                                       now=time.time(), database_=self.database)

    def session_key(self, session_id: str, key_id: str) -> ApiKey | None:
        rows = self._read("session_key", session_id=session_id, key_id=key_id)
        return ApiKey(**rows[0]["key"]) if rows and rows[0]["key"] else None

    # ------------------------------------------------------------ erasures
    def erasures(self) -> dict[str, str]:
        return {row["ikm_id"]: row["erased_at"] for row in self._read("erasures")}

    def register_erasures(self, erased: dict[str, str]) -> None:
        rows = [{"ikm_id": ikm_id, "erased_at": when} for ikm_id, when in sorted(erased.items())]
        self._write(lambda tx: tx.run(query("register_erasures"), rows=rows).consume())


class ImportParts:
    """One batch written kind by kind, in the write transaction, while the import still checks
    the later kinds: a thread of its own sends each kind's records as :meth:`send` hands them
    over (the server creates them while Python goes on checking; the driver lets go of
    Python's lock while it waits), in the order of ``KINDS``. :meth:`finish` sends what is
    left, logs the batch and returns what :meth:`Neo4jStore.write` would; nothing is committed
    before the write lock's block ends, so an error found after some kinds were sent — or
    :meth:`abandon` — still leaves the store as it was (the transaction rolls back)."""

    def __init__(self, store: Neo4jStore, tx: Transaction, meta: BatchMeta):
        self.store, self.tx, self.meta = store, tx, meta
        self.sent: dict[str, int] = {}  # kind → records handed over (0: a kind passed over)
        self.plans: dict[str, batches.Plan] = {}  # each kind's, as soon as it is planned (before it is written)
        self.planned = threading.Condition()
        self.seconds: dict[str, float] = {}  # per kind, the writing thread's time
        self.failure: BaseException | None = None
        self.stopped = False
        self.waiting: queue.SimpleQueue[tuple[str, list] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="tular-import-parts", daemon=True)
        self.thread.start()

    def __enter__(self) -> ImportParts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abandon()

    def send(self, kind: str, records: list) -> None:
        """``kind``'s records, all of them: the kinds before it not sent yet have none."""
        if kind in self.sent:
            raise ValueError(f"{kind} sent twice")
        for earlier in KINDS[:KINDS.index(kind)]:
            self.sent.setdefault(earlier, 0)
        self.sent[kind] = len(records)
        self.waiting.put((kind, records))

    def _run(self) -> None:
        stored: dict[str, int] | None = None
        while (item := self.waiting.get()) is not None:
            if self.failure is not None or self.stopped:
                continue
            kind, records = item
            if not records:
                continue
            start = time.perf_counter()
            try:
                if stored is None:
                    stored = self.tx.run(query("stored_counts")).single(strict=True).data()
                planned = self.store._plan_kind(self.tx, kind, records, stored)
                with self.planned:
                    self.plans[kind] = planned
                    self.planned.notify_all()
                self.store._upsert(self.tx, planned.updated, planned.created)
            except BaseException as exc:  # told by finish, in the importing thread
                with self.planned:
                    self.failure = exc
                    self.planned.notify_all()
            self.seconds[kind] = time.perf_counter() - start

    def _join(self) -> None:
        if self.thread.is_alive():
            self.waiting.put(None)
            self.thread.join()

    def abandon(self) -> None:
        """Stop sending (the transaction rolls back when the write lock's block ends)."""
        self.stopped = True
        self._join()

    def finish(self, records: Records) -> WriteResult:
        """Send the kinds of ``records`` not sent yet, wait for all, log the batch."""
        for kind in KINDS:
            listed = getattr(records, kind)
            if kind not in self.sent:
                self.send(kind, listed)
            elif self.sent[kind] != len(listed):
                raise RuntimeError(f"{kind}: {self.sent[kind]} records sent, {len(listed)} to write")
        self.waiting.put(None)  # then the thread ends
        with self.planned:  # every kind planned: the batch log is worked out while the last ones are written
            self.planned.wait_for(lambda: self.failure is not None or all(
                kind in self.plans for kind, count in self.sent.items() if count))
        start = time.perf_counter()
        planned = batches.Plan(counts={}, created={}, updated={}, replaced=[])
        for kind in KINDS:
            part = self.plans.get(kind) or batches.plan({}, {})
            planned.counts[kind], planned.created[kind] = part.counts[kind], part.created[kind]
            planned.updated[kind] = part.updated[kind]
            planned.replaced += part.replaced
        changes = planned.log() if self.failure is None else b""
        self.store._describe(batches.planned_keys(planned))  # this thread's write, in the write lock
        self.seconds["log"] = time.perf_counter() - start
        self._join()
        if self.failure is not None:
            with self.store._translated():
                raise self.failure

        def work(tx: ManagedTransaction) -> str:
            self.store._describe(())  # described above
            return self.store._log_batch(tx, self.meta, planned, changes)

        start = time.perf_counter()
        batch_id = self.store._write(work)
        self.seconds["log"] += time.perf_counter() - start
        return WriteResult(batch_id=batch_id, counts=planned.counts)


class _Walk:
    """The shared state of a walk by one or two read transactions (:meth:`Neo4jStore._walk`):
    the step queries waiting, the answers of each skill's step under way. The transaction
    that brings in the last answer of a step works out the skill's next generation and
    queues its queries."""

    def __init__(self, store: Neo4jStore, snapshot: GraphSnapshot, cascades: dict[str, _Cascade], as_of: date):
        self.store, self.snapshot, self.cascades, self.as_of = store, snapshot, cascades, as_of
        self.changed = threading.Condition()
        self.queue: deque[tuple[str, str, list[int]]] = deque()  # (skill, query, frontier node ids)
        self.queued = 0  # frontier IKM in the queue
        self.answers: dict[str, list[list[int]]] = {skill: [] for skill in cascades}
        self.steps: dict[str, np.ndarray] = {}  # the hops of a deep step's answer
        self.unanswered: dict[str, int] = {}  # per skill: queries of its step not answered yet
        self.busy = 0  # queries being run or answers being worked out
        self.failed: BaseException | None = None
        self.join: Callable[[], Any] | None = None  # starts the second transaction
        self.helper: Any = None
        self.ready = threading.Event()  # set when the second transaction has begun (or failed to)
        for skill in cascades:
            self._plan(skill)

    def _plan(self, skill: str) -> None:
        """Queue the queries of the skill's next step (under ``changed``)."""
        cascade, store = self.cascades[skill], self.store
        handles = self.snapshot.handles[cascade.tables.keys[cascade.frontier]].tolist()
        if not handles:
            return
        if len(handles) <= store.small_frontier:  # a thin stretch: many generations in one round trip
            parts = [("cascade_steps", handles)]
        else:  # in parts of equal size, an even number of them when two transactions share them
            count = -(-len(handles) // store.step_chunk)
            count += count % 2 if len(handles) >= store.parallel_frontier else 0
            parts = [("cascade_step", part) for part in _chunks(handles, -(-len(handles) // count))]
        self.unanswered[skill] = len(parts)
        self.queue.extend((skill, name, part) for name, part in parts)
        self.queued += len(handles)

    def work(self, tx: Any) -> None:
        """Run queued queries in ``tx`` until the walk is done."""
        while True:
            with self.changed:
                while not self.queue and self.busy and self.failed is None:
                    self.changed.wait()
                if not self.queue or self.failed is not None:
                    return
                skill, name, frontier = self.queue.popleft()
                self.queued -= len(frontier)
                self.busy += 1
                joining = self.helper is None and self.join is not None and self.queued >= self.store.parallel_frontier
                if joining:
                    self.helper = self.join()
            if joining:  # let it begin before taking more: then it shares even a short walk
                self.ready.wait(timeout=5)
            try:
                record = tx.run(query(name), frontier=frontier, skill=skill, as_of=self.as_of).single(strict=True)
                with self.changed:
                    self.answers[skill].append(record["learners"])
                    if name == "cascade_steps":
                        self.steps[skill] = np.asarray(record["steps"], dtype=np.int64)
                    self.unanswered[skill] -= 1
                    last = self.unanswered[skill] == 0
                if last:  # only this thread touches the skill until its next step is queued
                    self._advance(skill)
                    with self.changed:
                        self._plan(skill)
            except BaseException as exc:
                self.stop(exc)
                raise
            finally:
                with self.changed:
                    self.busy -= 1
                    self.changed.notify_all()

    def _advance(self, skill: str) -> None:
        cascade, answers = self.cascades[skill], self.answers[skill]
        learners = [learner for answer in answers for learner in answer]
        answers.clear()
        local = cascade.tables.local(self.snapshot.numbers_of(learners))  # -1: written since the snapshot
        if skill in self.steps:
            cascade.reached_deep(local, self.steps.pop(skill))
        else:
            cascade.reached(local)

    def stop(self, failure: BaseException | None = None) -> None:
        with self.changed:
            if failure is not None and self.failed is None:
                self.failed = failure
            self.queue.clear()
            self.changed.notify_all()


class _Cascade:
    """One skill's cascade while it is walked: the generation of each node of its tables
    (-1: not reached yet) and the frontier, all at generation ``depth``."""

    def __init__(self, tables: SkillTables, teaches: np.ndarray, seeds: np.ndarray, n: int):
        self.tables, self.teaches = tables, teaches  # teaches: has learners as of the date
        self.level = np.full(n, -1, dtype=np.int64)
        self.level[seeds] = 0
        self.depth = 0
        self.frontier = seeds[teaches[seeds]]  # the others are not asked about

    def reached(self, learners: np.ndarray) -> None:
        """The learners of the frontier: the next generation, less those reached before."""
        self.depth += 1
        learners = learners[learners >= 0]
        new = learners[self.level[learners] < 0]  # with repeats: one per teacher
        self.level[new] = self.depth
        fresh = np.zeros(len(self.level), dtype=bool)  # linear, where np.unique would sort
        fresh[new[self.teaches[new]]] = True
        self.frontier = np.flatnonzero(fresh)

    def reached_deep(self, learners: np.ndarray, steps: np.ndarray) -> None:
        """The IKM within DEEP_STEPS of the frontier, each with its fewest steps from it: a
        node not reached before is at that many generations past the frontier; the next
        frontier is those DEEP_STEPS past it that teach."""
        known = learners >= 0
        learners, steps = learners[known], steps[known]
        new = self.level[learners] < 0
        learners, steps = learners[new], steps[new]
        self.level[learners] = self.depth + steps
        self.depth += DEEP_STEPS
        last = learners[steps == DEEP_STEPS]
        self.frontier = last[self.teaches[last]]


def _counter(version: str) -> tuple[str, int | None]:
    """The epoch and the write counter of a version (``epoch:counter/lookups``); None for the
    counter of a store being restored.

    >>> _counter("e1:42/40"), _counter("e1:42/40:restoring:2026-01-01")
    (('e1', 42), ('e1', None))
    """
    epoch, _, rest = version.partition(":")
    counter = rest.partition("/")[0]
    return epoch, int(counter) if counter.isdigit() and ":" not in rest else None


def _yyyymmdd(ordinals: np.ndarray) -> np.ndarray:
    """Dates given as ``date.toordinal()`` as yyyymmdd integers, vectorised (see :func:`_ordinals`)."""
    days = (np.asarray(ordinals, dtype=np.int64) - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    return ((years.astype(np.int64) + 1970) * 10000 + (months.astype(np.int64) % 12 + 1) * 100
            + (days - months).astype(np.int64) + 1)


def _ordinals(yyyymmdd: list[int]) -> np.ndarray:
    """``date.toordinal()`` of dates given as yyyymmdd integers, vectorised."""
    v = np.asarray(yyyymmdd, dtype=np.int64)
    months = (v // 10000 - 1970) * 12 + (v // 100 % 100 - 1)
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (v % 100 - 1)
    return days.astype(np.int64) + date(1970, 1, 1).toordinal()
