"""The zero-setup store: SQLite for durability, the metrics' graph as integer arrays in memory."""

from __future__ import annotations

import itertools
import json
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tular.graph.io.files import create_private
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
from tular.graph.model.skills import BUILTIN_SKILLS
from tular.graph.store import batches, embedded_arrays, session_file
from tular.graph.store.base import LOCK_WAIT, IKMPage
from tular.graph.store.pinning import Pinning
from tular.graph.store.snapshot import PATCH_LIMIT as snapshot_patch_limit
from tular.graph.store.snapshot import GraphSnapshot, Touched, seed_nodes

if TYPE_CHECKING:
    from tular.graph.metrics.engine import SkillArrays

SCHEMA = """
CREATE TABLE IF NOT EXISTS kecamatan (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kelurahan (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kecamatan_code TEXT NOT NULL REFERENCES kecamatan(code),
    aliases TEXT NOT NULL DEFAULT '',
    population INTEGER
);
CREATE TABLE IF NOT EXISTS skill (
    skill_id TEXT PRIMARY KEY,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS ikm (
    ikm_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kelurahan_code TEXT NOT NULL REFERENCES kelurahan(code),
    business_name TEXT,
    sector TEXT,
    gender TEXT,
    phone TEXT,
    joined_on TEXT
);
CREATE INDEX IF NOT EXISTS ikm_kelurahan ON ikm(kelurahan_code);
CREATE TABLE IF NOT EXISTS training (
    training_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT NOT NULL,
    organizer TEXT,
    location TEXT,
    budget_idr INTEGER,
    target_group TEXT
);
CREATE TABLE IF NOT EXISTS training_skill (
    training_id TEXT NOT NULL REFERENCES training(training_id) ON DELETE CASCADE,
    skill_id TEXT NOT NULL REFERENCES skill(skill_id),
    PRIMARY KEY (training_id, skill_id)
);
CREATE TABLE IF NOT EXISTS attendance (
    training_id TEXT NOT NULL REFERENCES training(training_id),
    ikm_id TEXT NOT NULL REFERENCES ikm(ikm_id),
    completed INTEGER NOT NULL,
    PRIMARY KEY (training_id, ikm_id)
);
CREATE INDEX IF NOT EXISTS attendance_ikm ON attendance(ikm_id);
CREATE TABLE IF NOT EXISTS teaching (
    learner_id TEXT NOT NULL REFERENCES ikm(ikm_id),
    teacher_id TEXT NOT NULL REFERENCES ikm(ikm_id),
    skill_id TEXT NOT NULL REFERENCES skill(skill_id),
    date TEXT NOT NULL,
    source TEXT,
    note TEXT,
    submission_id TEXT,  -- SPEC §13: the phone submission it came from
    PRIMARY KEY (learner_id, teacher_id, skill_id)
);
CREATE INDEX IF NOT EXISTS teaching_skill_date ON teaching(skill_id, date);
CREATE INDEX IF NOT EXISTS teaching_teacher ON teaching(teacher_id);
CREATE TABLE IF NOT EXISTS outcome (
    ikm_id TEXT NOT NULL REFERENCES ikm(ikm_id),
    kind TEXT NOT NULL,
    skill TEXT NOT NULL DEFAULT '',  -- '' counts for every skill (SPEC §10)
    date TEXT NOT NULL,
    value TEXT,
    note TEXT,
    PRIMARY KEY (ikm_id, kind, skill, date)
);
CREATE INDEX IF NOT EXISTS outcome_skill ON outcome(skill, date);
CREATE TABLE IF NOT EXISTS api_key (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS batch (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    who TEXT NOT NULL,
    files TEXT NOT NULL,
    counts TEXT NOT NULL,
    changes TEXT NOT NULL
);
-- Every write transaction adds one to 'writes', and a wipe or a restore draws a new 'epoch': what
-- a process keeps in memory is brought up to date from the batch log between two states.
CREATE TABLE IF NOT EXISTS tular_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- The erasure register (UU 27/2022): ids only, kept through wipe and restore.
CREATE TABLE IF NOT EXISTS erasure (
    ikm_id TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL
);
"""

#: Columns added since the first store files were made: (table, column, type), each added to
#: an older file when it is opened (:meth:`EmbeddedStore.init_schema`).
ADDED_COLUMNS = (("teaching", "submission_id", "TEXT"),)

#: Per kind: the table, its key columns and its value columns (the order of the model's fields).
#: The tables and indexes SCHEMA creates.
SCHEMA_OBJECTS = set(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", SCHEMA))

TABLES = {
    "ikm": ("ikm", ("ikm_id",), ("name", "kelurahan_code", "business_name", "sector", "gender", "phone", "joined_on")),
    "trainings": ("training", ("training_id",),
                  ("title", "start_date", "end_date", "organizer", "location", "budget_idr", "target_group")),
    "attendance": ("attendance", ("training_id", "ikm_id"), ("completed",)),
    "teachings": ("teaching", ("learner_id", "teacher_id", "skill_id"), ("date", "source", "note", "submission_id")),
    "outcomes": ("outcome", ("ikm_id", "kind", "skill", "date"), ("value", "note")),
}
def lookup_sql(kind: str, count: int) -> str:
    """The stored rows of ``count`` keys of ``kind`` (their values as parameters, key after key).
    A join with the keys, not ``(a, b) IN (VALUES …)``: SQLite answers a row-value IN of more
    than one column by scanning the whole table, once per query."""
    table, key_columns, values = TABLES[kind]
    one_key = f"({', '.join('?' * len(key_columns))})"
    return (f"SELECT {', '.join(f'{table}.{c}' for c in (*key_columns, *values))} "
            f"FROM (VALUES {', '.join([one_key] * count)}) AS wanted JOIN {table} ON "
            + " AND ".join(f"{table}.{c} = wanted.column{i}" for i, c in enumerate(key_columns, 1)))


#: SQLite's limit on host parameters is 32766 in modern builds; stay well below it.
KEYS_PER_QUERY = 500
#: Page cache (KiB) of a write of many records: each insert updates the tables' indexes at
#: random places, and SQLite's default 2 MiB cache would read most pages again and again.
#: A limit, not an allocation; set back after the write.
LARGE_WRITE_CACHE_KIB = 2 * 1024 * 1024
LARGE_WRITE_ROWS = 50_000
#: A large write looks its keys up by scanning the whole table when the table has at most
#: this many rows per key looked up, instead of a query per 500 keys.
SCAN_FACTOR = 4

IKM_COLUMNS = ("ikm_id", "name", "kelurahan_code", "business_name", "sector", "gender", "phone", "joined_on")
#: The tables a restore replaces (all but the API keys), in an order that fills each after
#: those it refers to.
RESTORED_TABLES = ("kecamatan", "kelurahan", "skill", "ikm", "training", "training_skill", "attendance", "teaching",
                   "outcome", "batch")



def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


@contextmanager
def _page_cache(conn: sqlite3.Connection, rows: int) -> Iterator[None]:
    if rows < LARGE_WRITE_ROWS:
        yield
        return
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{LARGE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # table names are constants


def _doubles(conn: sqlite3.Connection, kind: str, created: int) -> bool:
    """Whether a write creating ``created`` rows of ``kind`` at least doubles a large table."""
    return created >= LARGE_WRITE_ROWS and created >= _count(conn, TABLES[kind][0])


@contextmanager
def _indexes_rebuilt(conn: sqlite3.Connection, tables: list[str]) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` while the block writes, then build them again.

    One sorted build costs far less than millions of inserts at random places of an index
    (a province-scale first import spends a third less). All inside the write's
    transaction: if the block fails, the rollback puts the indexes back as they were."""
    indexes = [row for table in tables for row in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


def _rows(kind: str, records: list) -> Iterator[tuple]:
    """The records as rows of ``TABLES[kind]``, columns in order."""
    if isinstance(records, batches.KeyedColumns):  # held as columns: in the table's order already
        return records.rows()
    if kind == "ikm":
        return ((r.ikm_id, r.name, r.kelurahan_code, r.business_name, r.sector, r.gender, r.phone, _iso(r.joined_on))
                for r in records)
    if kind == "trainings":
        return ((r.training_id, r.title, _iso(r.start_date), r.end_date.isoformat(), r.organizer, r.location,
                 r.budget_idr, r.target_group) for r in records)
    if kind == "attendance":
        return ((r.training_id, r.ikm_id, int(r.completed)) for r in records)
    if kind == "teachings":
        return ((r.learner_id, r.teacher_id, r.skill, r.date.isoformat(), r.source, r.note, r.submission_id)
                for r in records)
    if kind == "outcomes":
        return ((r.ikm_id, r.kind, r.skill_key, r.date.isoformat(), r.value, r.note) for r in records)
    raise ValueError(kind)


def _split(text: str) -> tuple[str, ...]:
    return tuple(a for a in text.split("|") if a)


class EmbeddedStore(Pinning):
    """``sqlite:///path`` — one SQLite file in WAL mode with foreign keys enforced."""

    def __init__(self, path: str | Path, lock_wait: float = LOCK_WAIT):
        self.path = Path(path)
        self.display_url = f"sqlite:///{self.path}"
        self._lock = threading.RLock()  # the reading connection
        self._commits = 0
        self._snapshot: GraphSnapshot | None = None  # the metrics' arrays, see skill_arrays
        self._lock_wait = lock_wait
        self._write_mutex = threading.Lock()  # one writer thread of this process at a time
        self._writer: sqlite3.Connection | None = None  # opened for the first write
        self._held = threading.local()  # .conn: the writing connection, in the thread holding the lock
        Pinning.__init__(self)
        try:
            if self.path.parent and not self.path.parent.exists():
                raise said(StoreUnavailable, N_("error.store_no_folder"), {"store": self.display_url, "folder": str(self.path.parent)})
            create_private(self.path)  # personal data: a new file is 0600, and SQLite gives -wal/-shm its mode
            self._conn = self._connect(timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
        except (sqlite3.Error, OSError) as exc:
            raise said(StoreUnavailable, N_("error.store_cannot_open"), {"store": self.display_url, "reason": str(exc)}) from exc

    def _connect(self, timeout: float) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=timeout)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    # ------------------------------------------------------------ plumbing
    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """The store-wide write lock: SQLite's own (``BEGIN IMMEDIATE`` on a connection kept
        for writing, so that reads on the other one go on beside it); see
        :meth:`GraphStore.writing`. Yields the writing connection."""
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        started = time.monotonic()
        if not self._write_mutex.acquire(timeout=self._lock_wait):
            raise StoreBusy(self.display_url, self._lock_wait)
        try:
            conn = self._begin(max(0.0, self._lock_wait - (time.monotonic() - started)))
            self._held.conn = conn
            self._held.described, self._held.touched = 0, Touched()
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                changes = conn.total_changes - self._held.changes
                kept, patch = self._snapshot, None
                if changes:
                    known = changes == self._held.described
                    at = self._count_write(conn, wiped=getattr(self._held, "wiped", False),
                                           lookups=not known or self._held.touched.lookups)
                    if kept is not None and known and kept.stamp == (at[0], at[1] - 1) \
                            and len(self._held.touched) <= snapshot_patch_limit:
                        # every change is one this process can describe: read what it touched, as
                        # committed, to patch the kept graph (other processes read the batch log)
                        patch = at, embedded_arrays.current(conn, self._held.touched), \
                            embedded_arrays.log_position(conn)
                conn.execute("COMMIT")
                self._commits += bool(changes)
                if patch is not None:
                    with self._lock:
                        if self._snapshot is kept:
                            self._snapshot = kept.patched(patch[0], patch[1])
                            self._snapshot.log_position = patch[2]
            finally:
                self._held.conn = None
                self._held.wiped = False
            if getattr(self._held, "compact", False):
                self._held.compact = False
                try:
                    self._erase_free_space()
                except StoreUnavailable:
                    pass  # another process is reading: the next erasure compacts the file
        finally:
            self._write_mutex.release()

    def _begin(self, wait: float) -> sqlite3.Connection:
        try:
            if self._writer is None:
                self._writer = self._connect(timeout=wait)
            self._writer.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            self._writer.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(self.display_url, self._lock_wait) from exc
            raise said(StoreUnavailable, N_("error.store_not_writable"), {"store": self.display_url, "reason": str(exc)}) from exc
        except sqlite3.Error as exc:
            raise said(StoreUnavailable, N_("error.store_not_writable"), {"store": self.display_url, "reason": str(exc)}) from exc
        self._held.changes = self._writer.total_changes
        return self._writer

    _tx = writing

    @staticmethod
    def _count_write(conn: sqlite3.Connection, wiped: bool, lookups: bool) -> tuple[str, int]:
        """Move the write counter on (a new epoch after a wipe; the lookups' stamp, see
        :meth:`version`, to it when the write may have changed one): the new stamp."""
        bump = ("INSERT INTO tular_meta(name, value) VALUES ('writes', 1) "
                "ON CONFLICT(name) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        try:
            conn.execute(bump)
        except sqlite3.OperationalError:  # a file older than the table
            conn.execute("CREATE TABLE IF NOT EXISTS tular_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute(bump)
            wiped = True
        if wiped or conn.execute("SELECT 1 FROM tular_meta WHERE name = 'epoch'").fetchone() is None:
            conn.execute("INSERT INTO tular_meta(name, value) VALUES ('epoch', ?) ON CONFLICT(name) DO UPDATE "
                         "SET value = excluded.value", (secrets.token_hex(8),))
        if lookups or wiped:
            conn.execute("INSERT INTO tular_meta(name, value) SELECT 'lookups', value FROM tular_meta "
                         "WHERE name = 'writes' ON CONFLICT(name) DO UPDATE SET value = excluded.value")
        return embedded_arrays.stamp(conn)

    def _described(self, conn: sqlite3.Connection, since: int, touched: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Record, inside a write, that the changes made since ``total_changes`` was ``since``
        touched these (kind, key) records and nothing else (see :meth:`writing`)."""
        self._held.described += conn.total_changes - since
        for kind, key in touched:
            self._held.touched.add(kind, key)

    @contextmanager
    def _looking(self) -> Iterator[sqlite3.Connection]:
        """One read transaction on the reading connection (a dry run: no lock, no version)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("ROLLBACK")

    def _read_version(self) -> str:
        """``epoch:writes/lookups`` (table ``tular_meta``): every write transaction of any
        process moves ``writes`` on; ``lookups`` is ``writes`` as of the last write that may
        have changed a store-wide lookup (see :mod:`.pinning`)."""
        try:
            found = dict(self._read("SELECT name, value FROM tular_meta"))
        except StoreUnavailable:  # a file older than the table: SQLite's own counters
            data_version = self._read("PRAGMA data_version")[0][0]
            return f"{data_version}.{self._commits}"
        return f"{found.get('epoch', '')}:{found.get('writes', 0)}/{found.get('lookups', 0)}"

    def _stamp_of(self, version: str) -> Any:
        """(epoch, writes) of ``epoch:writes/lookups``, as :func:`.embedded_arrays.stamp` reads it."""
        epoch, _, rest = version.partition(":")
        writes = rest.partition("/")[0]
        return (epoch, int(writes)) if writes.isdigit() else None

    def _lookups_of(self, version: str) -> str:
        epoch, _, rest = version.partition(":")
        return f"{epoch}/{rest.partition('/')[2]}" if "/" in rest else version

    def _read(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cur = self._conn.execute(sql, params)
                return cur.fetchall()
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"{self.display_url}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        with self._write_mutex:
            if self._writer is not None:
                self._writer.close()

    def ping(self) -> None:
        self._read("SELECT 1")

    # ---------------------------------------------------------------- schema
    def init_schema(self) -> None:
        """Create what is missing; a store that has it all is only read (a command run
        beside an import does not wait for the write lock)."""
        tables = {row[0] for row in self._read("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
        if not SCHEMA_OBJECTS <= tables:
            with self._tx() as conn:
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
        self._add_missing_columns()
        if not self._read("SELECT 1 FROM kelurahan LIMIT 1"):
            self.load_gazetteer(Gazetteer.kota_malang())
        known = {row[0] for row in self._read("SELECT skill_id FROM skill")}
        if missing := [s for s in BUILTIN_SKILLS if s.skill_id not in known]:
            with self._tx() as conn:
                conn.executemany(
                    "INSERT OR IGNORE INTO skill(skill_id, name_id, name_en, aliases) VALUES (?,?,?,?)",
                    [(s.skill_id, s.name_id, s.name_en, "|".join(s.aliases)) for s in missing],
                )

    def _add_missing_columns(self) -> None:
        """Columns added to a table after a store file was made (the file has no schema
        version: a column is looked for by name), added to the file as it opens."""
        missing = [(table, column, kind) for table, column, kind in ADDED_COLUMNS
                   if column not in {row[1] for row in self._read(f"PRAGMA table_info({table})")}]
        if missing:
            with self._tx() as conn:
                for table, column, kind in missing:  # names are constants (ADDED_COLUMNS)
                    if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def load_gazetteer(self, gazetteer: Gazetteer) -> None:
        with self._tx() as conn:
            conn.executemany(
                "INSERT INTO kecamatan(code, name) VALUES (?,?) ON CONFLICT(code) DO UPDATE SET name=excluded.name",
                [(k.code, k.name) for k in gazetteer.kecamatan_list],
            )
            conn.executemany(
                "INSERT INTO kelurahan(code, name, kecamatan_code, aliases) VALUES (?,?,?,?) "
                "ON CONFLICT(code) DO UPDATE SET name=excluded.name, kecamatan_code=excluded.kecamatan_code, "
                "aliases=excluded.aliases",
                [(k.code, k.name, k.kecamatan_code, "|".join(k.aliases)) for k in gazetteer.kelurahan_list],
            )

    def add_skill(self, skill: Skill) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO skill(skill_id, name_id, name_en, aliases) VALUES (?,?,?,?) ON CONFLICT(skill_id) "
                "DO UPDATE SET name_id=excluded.name_id, name_en=excluded.name_en, aliases=excluded.aliases",
                (skill.skill_id, skill.name_id, skill.name_en, "|".join(skill.aliases)),
            )

    def wipe(self, keep_keys: bool = False) -> None:
        tables = ("batch", "outcome", "teaching", "attendance", "training_skill", "training", "ikm", "skill",
                  "kelurahan",
                  "kecamatan") + (() if keep_keys else ("api_key",))
        with self._tx() as conn:
            self._held.wiped = True  # a new epoch: no process patches what it keeps across a wipe
            for table in tables:
                conn.execute(f"DELETE FROM {table}")  # table names are constants above

    # --------------------------------------------------------------- restore
    def restore_mark(self) -> None:
        """Never one: a restore of this store is one transaction (:meth:`replace_content`)."""
        return None

    def replace_content(self, source: Path) -> None:
        """Replace everything this store holds, its API keys excepted, by the content of the
        store file ``source`` (where ``restore`` has built and checked it), in the write
        transaction — this thread's, held by the caller, or one of its own. Other connections
        and processes see the old content until it commits and the new one, whole, after;
        killed before the commit, the store keeps the old one.

        The rows are copied, not the file renamed into place: a rename under open connections
        leaves them on the old file (and a stale ``-wal`` beside the new one), and SQLite's
        backup API cannot write into a database whose write lock this writer holds."""
        try:
            built = sqlite3.connect(source, isolation_level=None)
        except sqlite3.Error as exc:
            raise said(StoreUnavailable, N_("error.restored_unreadable"), {"path": str(source), "reason": str(exc)}) from exc
        try:
            built.execute("BEGIN")  # one snapshot of it
            rows = {table: _count(built, table) for table in RESTORED_TABLES}
            with self.writing() as conn:
                self.wipe(keep_keys=True)
                conn.execute("DELETE FROM sqlite_sequence WHERE name = 'batch'")  # seq as in the backup
                large = sum(rows.values()) >= LARGE_WRITE_ROWS
                with _page_cache(conn, sum(rows.values())), \
                        _indexes_rebuilt(conn, list(RESTORED_TABLES) if large else []):
                    for table in RESTORED_TABLES:
                        cursor = built.execute(f"SELECT * FROM {table}")  # table names are constants
                        columns = [d[0] for d in cursor.description]
                        conn.executemany(f"INSERT INTO {table}({', '.join(columns)}) "
                                         f"VALUES ({', '.join('?' * len(columns))})", cursor)
                copied = {table: _count(conn, table) for table in RESTORED_TABLES}
                if copied != rows:
                    raise said(StoreUnavailable, N_("error.restore_not_all_copied"),
                               {"store": self.display_url, "copied": str(copied), "rows": str(rows)})
        except sqlite3.Error as exc:
            raise said(StoreUnavailable, N_("error.restore_not_written"), {"store": self.display_url, "reason": str(exc)}) from exc
        finally:
            built.close()

    # ---------------------------------------------------------------- writes
    def write(self, records: Records, meta: BatchMeta | None = None, dry_run: bool = False) -> WriteResult:
        wanted = batches.effective(records)
        batch_id = None
        try:
            with self._looking() if dry_run else self.writing() as conn:
                existing = {kind: self._existing(conn, kind, list(keys)) for kind, keys in wanted.items()}
                planned = batches.plan(wanted, existing)
                if not dry_run:
                    since = conn.total_changes
                    growing = [TABLES[kind][0] for kind in TABLES if _doubles(conn, kind, len(planned.created[kind]))]
                    with _page_cache(conn, len(records)), _indexes_rebuilt(conn, growing):
                        self._upsert(conn, planned.rows)
                    if meta is not None:
                        batch_id = self._log_batch(conn, meta, planned)
                    self._described(conn, since, self._touched_keys(planned))
        except sqlite3.IntegrityError as exc:
            raise said(InvalidData, N_("error.missing_references"), {"reason": str(exc)}) from exc
        return WriteResult(batch_id=batch_id, counts=planned.counts)

    def _touched_keys(self, planned: batches.Plan) -> Iterable[tuple[str, Sequence[str]]]:
        """The keys a write touched, as :meth:`_described` needs them: past the number above
        which the kept graph is read again rather than patched, only whether a lookup changed."""
        keys = batches.planned_keys(planned)
        if sum(len(planned.created[kind]) + len(planned.updated[kind]) for kind in KINDS) <= snapshot_patch_limit:
            return keys
        self._held.touched.lookups |= any(planned.created[kind] or planned.updated[kind]
                                          for kind in ("ikm", "trainings", "populations"))
        return itertools.islice(keys, snapshot_patch_limit + 1)

    def _upsert(self, conn: sqlite3.Connection, rows: dict[str, list]) -> None:
        for kind, (table, keys, values) in TABLES.items():
            columns = (*keys, *values)
            conn.executemany(
                f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                f"ON CONFLICT({', '.join(keys)}) DO UPDATE SET " + ", ".join(f"{c}=excluded.{c}" for c in values),
                _rows(kind, rows[kind]),
            )
        trainings = rows["trainings"]
        conn.executemany("DELETE FROM training_skill WHERE training_id = ?", [(t.training_id,) for t in trainings])
        conn.executemany(
            "INSERT INTO training_skill(training_id, skill_id) VALUES (?,?)",
            [(t.training_id, skill) for t in trainings for skill in t.skills],
        )
        self._set_populations(conn, [(p.kelurahan_code, p.population) for p in rows["populations"]])

    @staticmethod
    def _set_populations(conn: sqlite3.Connection, pairs: list[tuple[str, int | None]]) -> None:
        for code, population in pairs:
            if conn.execute("UPDATE kelurahan SET population = ? WHERE code = ?", (population, code)).rowcount != 1:
                raise said(InvalidData, N_("error.population_unknown_kelurahan"), {"code": code})

    def _existing(self, conn: sqlite3.Connection, kind: str, keys: list[tuple[str, ...]]) -> dict:
        """The stored version of each of ``keys`` that exists."""
        found: dict = {}
        if kind == "populations":
            for start in range(0, len(keys), KEYS_PER_QUERY):
                chunk = [k[0] for k in keys[start:start + KEYS_PER_QUERY]]
                for code, population in conn.execute(
                    f"SELECT code, population FROM kelurahan WHERE population IS NOT NULL "
                    f"AND code IN ({', '.join('?' * len(chunk))})", chunk,
                ):
                    found[(code,)] = Population(kelurahan_code=code, population=population)
            return found
        table, key_columns, values = TABLES[kind]
        columns = (*key_columns, *values)
        stored = _count(conn, table) if len(keys) >= LARGE_WRITE_ROWS else None
        if stored == 0:
            return found
        if stored is not None and stored <= SCAN_FACTOR * len(keys):
            # a big batch against a table not much bigger: one scan and a set beat a query per key
            wanted, width = set(keys), len(key_columns)
            for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                if row[:width] in wanted:
                    record = self._record(conn, kind, dict(zip(columns, row)))
                    found[batches.record_key(kind, record)] = record
            return found
        step = KEYS_PER_QUERY // len(key_columns)
        for start in range(0, len(keys), step):
            chunk = keys[start:start + step]
            rows = conn.execute(lookup_sql(kind, len(chunk)), [part for key in chunk for part in key]).fetchall()
            for row in rows:
                record = self._record(conn, kind, dict(zip(columns, row)))
                found[batches.record_key(kind, record)] = record
        return found

    @staticmethod
    def _record(conn: sqlite3.Connection, kind: str, data: dict):
        if kind == "teachings":
            data["skill"] = data.pop("skill_id")
        if kind == "attendance":
            data["completed"] = bool(data["completed"])
        if kind == "outcomes":
            data["skill"] = data["skill"] or None
        if kind == "trainings":
            data["skills"] = tuple(r[0] for r in conn.execute(
                "SELECT skill_id FROM training_skill WHERE training_id = ? ORDER BY skill_id", (data["training_id"],)))
        return batches.to_model(kind, {k: v for k, v in data.items()})

    def _log_batch(self, conn: sqlite3.Connection, meta: BatchMeta, planned: batches.Plan) -> str:
        now = batches.utc_now()
        batch_id = batches.unused_batch_id(now, lambda candidate: conn.execute(
            "SELECT 1 FROM batch WHERE batch_id = ?", (candidate,)).fetchone() is not None)
        conn.execute(
            "INSERT INTO batch(batch_id, created_at, who, files, counts, changes) VALUES (?,?,?,?,?,?)",
            (batch_id, now.isoformat(), meta.who, json.dumps([f.model_dump() for f in meta.files]),
             json.dumps({k: v.model_dump() for k, v in planned.counts.items()}), planned.log()),
        )
        return batch_id

    def delete_teaching(self, key: tuple[str, str, str], meta: BatchMeta) -> str:
        with self._tx() as conn:
            found = self._existing(conn, "teachings", [key])
            if key not in found:
                raise said(NotFound, N_("error.no_teaching"), {"skill": key[2], "learner": key[0], "teacher": key[1]})
            since = conn.total_changes
            conn.execute("DELETE FROM teaching WHERE learner_id = ? AND teacher_id = ? AND skill_id = ?", key)
            batch_id = self._log_batch(conn, meta, batches.deletion_plan("teachings", found[key]))
            self._described(conn, since, [("teachings", key)])
            return batch_id

    def forget(self, ikm_id: str, meta: BatchMeta):

        with self._tx() as conn:
            since = conn.total_changes
            if conn.execute("UPDATE ikm SET name = ?, business_name = NULL, phone = NULL WHERE ikm_id = ?",
                            (placeholder(ikm_id), ikm_id)).rowcount != 1:
                raise UnknownIKM(ikm_id)
            conn.execute("INSERT OR IGNORE INTO erasure(ikm_id, erased_at) VALUES (?, ?)",
                         (ikm_id, batches.utc_now().date().isoformat()))
            teachings = conn.execute("UPDATE teaching SET note = NULL WHERE (learner_id = ? OR teacher_id = ?) AND note IS NOT NULL",
                                     (ikm_id, ikm_id)).rowcount
            outcomes = conn.execute("UPDATE outcome SET note = NULL WHERE ikm_id = ? AND note IS NOT NULL",
                                    (ikm_id,)).rowcount
            logged = 0
            for seq, changes in conn.execute("SELECT seq, changes FROM batch").fetchall():
                erased, count = batches.erase_log(changes, ikm_id)
                if erased is not None:
                    conn.execute("UPDATE batch SET changes = ? WHERE seq = ?", (erased, seq))
                    logged += count
            planned = batches.Plan(counts={"ikm": KindCounts(updated=1), "teachings": KindCounts(updated=teachings),
                                           "outcomes": KindCounts(updated=outcomes)},
                                   created={k: {} for k in KINDS}, updated={k: [] for k in KINDS}, replaced=[])
            batch_id = self._log_batch(conn, meta, planned)
            # names, notes and the log: nothing the metrics' graph holds, but names kept for answers
            self._described(conn, since, [("ikm", (ikm_id,))])
        if getattr(self._held, "conn", None) is None:
            self._erase_free_space()
        else:  # inside a larger write (a restore applying erasures again): once it has committed
            self._held.compact = True
        return ForgetResult(ikm_id=ikm_id, batch_id=batch_id, teachings=teachings, outcomes=outcomes,
                            logged_changes=logged)

    def _erase_free_space(self) -> None:
        """Rebuild the file and empty the write-ahead log: SQLite leaves the old bytes of an
        updated row in free space (and in the WAL) until they happen to be overwritten."""
        with self._lock:
            try:
                self._conn.execute("VACUUM")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError as exc:  # another process reading: it is done at its next write
                raise said(StoreUnavailable, N_("error.not_compacted"), {"store": self.display_url, "reason": str(exc)}) from exc

    def batches(self, with_changes: bool = False) -> list[Batch]:
        columns = "batch_id, seq, created_at, who, files, counts" + (", changes" if with_changes else "")
        return [self._batch(row) for row in self._read(f"SELECT {columns} FROM batch ORDER BY seq")]

    @staticmethod
    def _batch(row) -> Batch:
        return Batch(
            batch_id=row[0], seq=row[1], created_at=datetime.fromisoformat(row[2]), who=row[3],
            files=json.loads(row[4]), counts=json.loads(row[5]),
            changes=batches.decode_changes(row[6]) if len(row) > 6 else [],
        )

    # ------------------------------------------------------------------ keys
    def save_api_key(self, key: ApiKey) -> None:
        data = key.model_dump(mode="json")
        with self._tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO api_key(key_id, name, role, salt, hash, created_at, revoked_at) "
                "VALUES (:key_id, :name, :role, :salt, :hash, :created_at, :revoked_at)", data,
            )

    def api_keys(self, key_id: str | None = None) -> list[ApiKey]:
        rows = self._read(
            "SELECT key_id, name, role, salt, hash, created_at, revoked_at FROM api_key "
            "WHERE ? IS NULL OR key_id = ? ORDER BY created_at, key_id", (key_id, key_id),
        )
        fields = ("key_id", "name", "role", "salt", "hash", "created_at", "revoked_at")
        return [ApiKey(**dict(zip(fields, row))) for row in rows]

    def load_batches(self, logged: list[Batch]) -> None:
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO batch(seq, batch_id, created_at, who, files, counts, changes) "
                "VALUES (?,?,?,?,?,?,?)",
                [(b.seq, b.batch_id, b.created_at.isoformat(), b.who, json.dumps([f.model_dump() for f in b.files]),
                  json.dumps({k: v.model_dump() for k, v in b.counts.items()}),
                  batches.encode_change_list(b.changes)) for b in logged],
            )

    def undo(self, batch_id: str) -> Batch:
        with self._tx() as conn:
            rows = conn.execute("SELECT batch_id, seq, created_at, who, files, counts, changes FROM batch "
                                "WHERE seq >= (SELECT seq FROM batch WHERE batch_id = ?) ORDER BY seq", (batch_id,))
            found = [self._batch(r) for r in rows]
            target = batches.check_undo(found[0] if found else None, batch_id, found[1:])
            if batches.copies_to_put_back(target):
                raise said(InvalidData, N_("error.undo_removed_copies"), {"batch": batch_id})
            delete, restore = batches.undo_steps(target)
            if restore["teachings"]:  # the lock is held: what is committed is what is stored
                batches.check_undo_cycles(batch_id, self.all_teachings(), delete, restore)
            since = conn.total_changes
            for kind in reversed(KINDS):
                if kind == "populations":
                    self._set_populations(conn, [(key[0], None) for key in delete[kind]])
                    continue
                table, key_columns, _ = TABLES[kind]
                if kind == "trainings":
                    conn.executemany("DELETE FROM training_skill WHERE training_id = ?", delete[kind])
                conn.executemany(f"DELETE FROM {table} WHERE {' AND '.join(f'{c} = ?' for c in key_columns)}",
                                 delete[kind])
            self._upsert(conn, restore)
            conn.execute("DELETE FROM batch WHERE batch_id = ?", (batch_id,))
            self._described(conn, since, [*((kind, key) for kind, keys in delete.items() for key in keys),
                                          *((kind, batches.record_key(kind, r)) for kind, rs in restore.items()
                                            for r in rs)])
        return target

    # ----------------------------------------------------------------- reads
    def gazetteer(self) -> Gazetteer:
        return self._kept_for("gazetteer", self._gazetteer)

    def _gazetteer(self) -> Gazetteer:
        kec = [Kecamatan(code=r[0], name=r[1]) for r in self._read("SELECT code, name FROM kecamatan")]
        kel = [
            Kelurahan(code=r[0], name=r[1], kecamatan_code=r[2], aliases=_split(r[3]))
            for r in self._read("SELECT code, name, kecamatan_code, aliases FROM kelurahan")
        ]
        return Gazetteer(kec, kel)

    def populations(self) -> dict[str, int]:
        return dict(self._kept_for("populations", lambda: dict(
            self._read("SELECT code, population FROM kelurahan WHERE population IS NOT NULL"))))

    def skills(self) -> list[Skill]:
        return list(self._kept_for("skills", lambda: [
            Skill(skill_id=r[0], name_id=r[1], name_en=r[2], aliases=_split(r[3]))
            for r in self._read("SELECT skill_id, name_id, name_en, aliases FROM skill ORDER BY skill_id")
        ]))

    def counts(self) -> Counts:
        tables = {
            "ikm": "ikm", "kelurahan": "kelurahan", "kecamatan": "kecamatan", "skills": "skill",
            "trainings": "training", "attendance": "attendance", "teachings": "teaching", "outcomes": "outcome",
        }
        sql = " UNION ALL ".join(f"SELECT '{field}', count(*) FROM {table}" for field, table in tables.items())
        return Counts(**{name: n for name, n in self._read(sql)})

    @staticmethod
    def _ikm(row: sqlite3.Row | tuple) -> IKM:
        values = dict(zip(IKM_COLUMNS, row))
        values["joined_on"] = date.fromisoformat(values["joined_on"]) if values["joined_on"] else None
        return IKM(**values)

    def get_ikm(self, ikm_id: str) -> IKM:
        rows = self._read(f"SELECT {', '.join(IKM_COLUMNS)} FROM ikm WHERE ikm_id = ?", (ikm_id,))
        if not rows:
            raise UnknownIKM(ikm_id)
        return self._ikm(rows[0])

    def search_ikm(self, q=None, kelurahan_code=None, skill=None, limit=50, offset=0, kelurahan_codes=None,
                   ikm_ids=None) -> IKMPage:
        where, params = [], []
        if q:
            pattern = "%" + q.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(
                "(lower(ikm_id) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' "
                "OR lower(coalesce(business_name, '')) LIKE ? ESCAPE '\\')"
            )
            params += [pattern] * 3
        if kelurahan_code:
            where.append("kelurahan_code = ?")
            params.append(kelurahan_code)
        if skill:
            where.append(
                "ikm_id IN (SELECT learner_id FROM teaching WHERE skill_id = :s UNION "
                "SELECT teacher_id FROM teaching WHERE skill_id = :s UNION "
                "SELECT a.ikm_id FROM attendance a JOIN training_skill ts USING (training_id) WHERE ts.skill_id = :s)"
                .replace(":s", "?")
            )
            params += [skill] * 3
        if kelurahan_codes is not None:  # a kecamatan's kelurahan: one JSON array, however many
            where.append("kelurahan_code IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(kelurahan_codes)))
        if ikm_ids is not None:
            where.append("ikm_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(ikm_ids)))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total = self._read(f"SELECT count(*) FROM ikm {clause}", tuple(params))[0][0]
        rows = self._read(
            f"SELECT {', '.join(IKM_COLUMNS)} FROM ikm {clause} ORDER BY ikm_id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return IKMPage(items=[self._ikm(r) for r in rows], total=total, limit=limit, offset=offset)

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        return self._people_kept(ids, self._read_people)

    def _read_people(self, ids: list[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        if len(ids) > KEYS_PER_QUERY:  # many (a province's findings): one query, the ids as one JSON array
            rows = self._read("SELECT ikm_id, name, kelurahan_code FROM ikm "
                              "WHERE ikm_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
            return {ikm_id: Person(name, kelurahan) for ikm_id, name, kelurahan in rows}
        for start in range(0, len(ids), KEYS_PER_QUERY):
            chunk = ids[start:start + KEYS_PER_QUERY]
            for ikm_id, name, kelurahan in self._read(
                f"SELECT ikm_id, name, kelurahan_code FROM ikm WHERE ikm_id IN ({', '.join('?' * len(chunk))})",
                tuple(chunk),
            ):
                found[ikm_id] = Person(name, kelurahan)
        return found

    def ikm_per_kelurahan(self) -> dict[str, int]:
        return dict(self._kept_for("ikm_per_kelurahan", self._ikm_per_kelurahan))

    def _ikm_per_kelurahan(self) -> dict[str, int]:
        with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and snapshot.stamp == embedded_arrays.stamp(self._conn):
                return snapshot.ikm_per_kelurahan()  # a count over a million rows costs more
        return dict(self._read("SELECT kelurahan_code, count(*) FROM ikm GROUP BY kelurahan_code"))

    def skill_arrays(self, skills: Sequence[str], as_of: date,
                     seeds: Callable[[SkillArrays], Iterable[int]] | None = None) -> dict[str, SkillArrays]:
        """From the in-memory snapshot (see :mod:`.embedded_arrays`), filled or refreshed here
        when the file changed; the cascade is walked with numpy."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                try:
                    at = embedded_arrays.stamp(self._conn)
                    if self._snapshot is None or self._snapshot.stamp != at:
                        self._snapshot = embedded_arrays.caught_up(self._snapshot, self._conn, at)
                    embedded_arrays.load(self._snapshot, self._conn, list(skills))
                finally:
                    self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"{self.display_url}: {exc}") from exc
            snapshot = self._snapshot
            views = {skill: snapshot.view(skill, as_of) for skill in skills}
        if seeds is not None:
            from tular.graph.metrics import engine

            for skill, graph in views.items():  # kept with the view, per seeds, as the Neo4j store keeps its walks
                nodes = seed_nodes(seeds(graph))
                key = ("cascade", nodes.tobytes())
                if (level := graph.derived.get(key)) is None:
                    tables = snapshot.skills[skill]
                    n = len(tables.ids)
                    level = tables.cascade(graph, nodes, lambda: engine.reach_days(
                        n, engine.seed_days(n, tables.attendance),
                        engine.expand_edges(n, tables.teacher, tables.learner, tables.day)))
                    if level is None:
                        level = engine.generations(graph, nodes)
                    level.flags.writeable = False
                    graph.derived[key] = level
                graph.level = level
        return views

    def all_ikm(self) -> list[IKM]:
        return [self._ikm(r) for r in self._read(f"SELECT {', '.join(IKM_COLUMNS)} FROM ikm ORDER BY ikm_id")]

    def all_attendance(self) -> list[Attendance]:
        return [
            Attendance(training_id=r[0], ikm_id=r[1], completed=bool(r[2]))
            for r in self._read("SELECT training_id, ikm_id, completed FROM attendance ORDER BY training_id, ikm_id")
        ]

    def all_teachings(self) -> list[Teaching]:
        return [
            Teaching(learner_id=r[0], teacher_id=r[1], skill=r[2], date=date.fromisoformat(r[3]), source=r[4], note=r[5],
                     submission_id=r[6])
            for r in self._read("SELECT learner_id, teacher_id, skill_id, date, source, note, submission_id FROM teaching "
                                "ORDER BY learner_id, teacher_id, skill_id")
        ]

    def all_outcomes(self) -> list[Outcome]:
        return [
            Outcome(ikm_id=r[0], kind=r[1], skill=r[2] or None, date=date.fromisoformat(r[3]), value=r[4], note=r[5])
            for r in self._read("SELECT ikm_id, kind, skill, date, value, note FROM outcome "
                                "ORDER BY ikm_id, kind, skill, date")
        ]

    def skill_outcomes(self, skill: str, as_of: date, kind: str | None = None) -> list[tuple[str, str, date]]:
        rows = self._read(
            "SELECT ikm_id, kind, date FROM outcome WHERE skill IN (?, '') AND date <= ? "
            "AND (? IS NULL OR kind = ?) ORDER BY ikm_id, date, kind",
            (skill, as_of.isoformat(), kind, kind),
        )
        return [(r[0], r[1], date.fromisoformat(r[2])) for r in rows]

    def trainings(self) -> list[Training]:
        return list(self._kept_for("trainings", self._trainings))

    def _trainings(self) -> list[Training]:
        skills: dict[str, list[str]] = {}
        for tid, sid in self._read("SELECT training_id, skill_id FROM training_skill ORDER BY skill_id"):
            skills.setdefault(tid, []).append(sid)
        return [
            Training(
                training_id=r[0], title=r[1], start_date=date.fromisoformat(r[2]) if r[2] else None,
                end_date=date.fromisoformat(r[3]), organizer=r[4], location=r[5], budget_idr=r[6],
                target_group=r[7], skills=tuple(skills.get(r[0], ())),
            )
            for r in self._read(
                "SELECT training_id, title, start_date, end_date, organizer, location, budget_idr, target_group "
                "FROM training ORDER BY training_id"
            )
        ]

    # ------------------------------------------------------------ broken invariants
    def remove_duplicate_teachings(self, meta: BatchMeta) -> Repair:
        """Nothing to remove: the teaching table's primary key holds one row per (learner,
        teacher, skill). Nothing is written, no batch logged."""
        return Repair()

    # ------------------------------------------------------------ browser sessions
    # In a small SQLite file beside this one, never in ``writing()``: see session_file.py.
    def session_secret(self) -> bytes:
        return session_file.secret(self.path)

    def end_session(self, session_id: str, until: datetime) -> None:
        session_file.end(self.path, session_id, until)

    def session_key(self, session_id: str, key_id: str) -> ApiKey | None:
        if session_file.ended(self.path, session_id):
            return None
        found = self.api_keys(key_id)
        return found[0] if found and found[0].revoked_at is None else None

    # ------------------------------------------------------------ erasures
    def erasures(self) -> dict[str, str]:
        return dict(self._read("SELECT ikm_id, erased_at FROM erasure ORDER BY ikm_id"))

    def register_erasures(self, erased: dict[str, str]) -> None:
        with self._tx() as conn:
            conn.executemany("INSERT OR IGNORE INTO erasure(ikm_id, erased_at) VALUES (?, ?)", sorted(erased.items()))
