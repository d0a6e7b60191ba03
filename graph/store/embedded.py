"""The zero-setup store: SQLite for durability, networkx for graph work."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import networkx as nx

from ..errors import InvalidData, StoreUnavailable, UnknownIKM
from ..gazetteer import Gazetteer
from ..model import IKM, Counts, Kecamatan, Kelurahan, Records, Skill, Training
from ..skills import BUILTIN_SKILLS
from .base import IKMPage, SeedAttendance

SCHEMA = """
CREATE TABLE IF NOT EXISTS kecamatan (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kelurahan (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kecamatan_code TEXT NOT NULL REFERENCES kecamatan(code),
    aliases TEXT NOT NULL DEFAULT ''
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
    PRIMARY KEY (learner_id, teacher_id, skill_id)
);
CREATE INDEX IF NOT EXISTS teaching_skill_date ON teaching(skill_id, date);
CREATE INDEX IF NOT EXISTS teaching_teacher ON teaching(teacher_id);
"""

IKM_COLUMNS = ("ikm_id", "name", "kelurahan_code", "business_name", "sector", "gender", "phone", "joined_on")


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(a for a in text.split("|") if a)


class EmbeddedStore:
    """``sqlite:///path`` — one SQLite file in WAL mode with foreign keys enforced."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.display_url = f"sqlite:///{self.path}"
        self._lock = threading.RLock()
        try:
            if self.path.parent and not self.path.parent.exists():
                raise StoreUnavailable(f"cannot open {self.display_url}: folder {self.path.parent} does not exist")
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {self.display_url}: {exc}") from exc

    # ------------------------------------------------------------ plumbing
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction; rolled back entirely on any error."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"{self.display_url} is not writable: {exc}") from exc
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

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

    def ping(self) -> None:
        self._read("SELECT 1")

    # ---------------------------------------------------------------- schema
    def init_schema(self) -> None:
        with self._lock:
            try:
                self._conn.executescript(SCHEMA)
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot create the schema in {self.display_url}: {exc}") from exc
        if not self._read("SELECT 1 FROM kelurahan LIMIT 1"):
            self.load_gazetteer(Gazetteer.kota_malang())
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO skill(skill_id, name_id, name_en, aliases) VALUES (?,?,?,?)",
                [(s.skill_id, s.name_id, s.name_en, "|".join(s.aliases)) for s in BUILTIN_SKILLS],
            )

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

    def wipe(self) -> None:
        with self._tx() as conn:
            for table in ("teaching", "attendance", "training_skill", "training", "ikm", "skill", "kelurahan", "kecamatan"):
                conn.execute(f"DELETE FROM {table}")  # table names are constants above

    # ---------------------------------------------------------------- writes
    def write(self, records: Records) -> None:
        try:
            with self._tx() as conn:
                conn.executemany(
                    f"INSERT INTO ikm({', '.join(IKM_COLUMNS)}) VALUES ({', '.join('?' * len(IKM_COLUMNS))}) "
                    "ON CONFLICT(ikm_id) DO UPDATE SET "
                    + ", ".join(f"{c}=excluded.{c}" for c in IKM_COLUMNS[1:]),
                    [
                        (i.ikm_id, i.name, i.kelurahan_code, i.business_name, i.sector, i.gender, i.phone,
                         _iso(i.joined_on))
                        for i in records.ikm
                    ],
                )
                conn.executemany(
                    "INSERT INTO training(training_id, title, start_date, end_date, organizer, location, budget_idr, "
                    "target_group) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(training_id) DO UPDATE SET "
                    "title=excluded.title, start_date=excluded.start_date, end_date=excluded.end_date, "
                    "organizer=excluded.organizer, location=excluded.location, budget_idr=excluded.budget_idr, "
                    "target_group=excluded.target_group",
                    [
                        (t.training_id, t.title, _iso(t.start_date), _iso(t.end_date), t.organizer, t.location,
                         t.budget_idr, t.target_group)
                        for t in records.trainings
                    ],
                )
                conn.executemany(
                    "DELETE FROM training_skill WHERE training_id = ?", [(t.training_id,) for t in records.trainings]
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO training_skill(training_id, skill_id) VALUES (?,?)",
                    [(t.training_id, s) for t in records.trainings for s in t.skills],
                )
                conn.executemany(
                    "INSERT INTO attendance(training_id, ikm_id, completed) VALUES (?,?,?) "
                    "ON CONFLICT(training_id, ikm_id) DO UPDATE SET completed=excluded.completed",
                    [(a.training_id, a.ikm_id, int(a.completed)) for a in records.attendance],
                )
                # A repeated (learner, teacher, skill) keeps its earliest date (and that row's source/note).
                conn.executemany(
                    "INSERT INTO teaching(learner_id, teacher_id, skill_id, date, source, note) VALUES (?,?,?,?,?,?) "
                    "ON CONFLICT(learner_id, teacher_id, skill_id) DO UPDATE SET "
                    "source=CASE WHEN excluded.date < date THEN excluded.source ELSE source END, "
                    "note=CASE WHEN excluded.date < date THEN excluded.note ELSE note END, "
                    "date=CASE WHEN excluded.date < date THEN excluded.date ELSE date END",
                    [(t.learner_id, t.teacher_id, t.skill, _iso(t.date), t.source, t.note) for t in records.teachings],
                )
        except sqlite3.IntegrityError as exc:
            raise InvalidData(
                f"records refer to an IKM, training, skill or kelurahan that is not in the store ({exc})"
            ) from exc

    # ----------------------------------------------------------------- reads
    def gazetteer(self) -> Gazetteer:
        kec = [Kecamatan(code=r[0], name=r[1]) for r in self._read("SELECT code, name FROM kecamatan")]
        kel = [
            Kelurahan(code=r[0], name=r[1], kecamatan_code=r[2], aliases=_split(r[3]))
            for r in self._read("SELECT code, name, kecamatan_code, aliases FROM kelurahan")
        ]
        return Gazetteer(kec, kel)

    def skills(self) -> list[Skill]:
        return [
            Skill(skill_id=r[0], name_id=r[1], name_en=r[2], aliases=_split(r[3]))
            for r in self._read("SELECT skill_id, name_id, name_en, aliases FROM skill ORDER BY skill_id")
        ]

    def counts(self) -> Counts:
        tables = {
            "ikm": "ikm", "kelurahan": "kelurahan", "kecamatan": "kecamatan", "skills": "skill",
            "trainings": "training", "attendance": "attendance", "teachings": "teaching",
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

    def search_ikm(self, q=None, kelurahan_code=None, skill=None, limit=50, offset=0) -> IKMPage:
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
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total = self._read(f"SELECT count(*) FROM ikm {clause}", tuple(params))[0][0]
        rows = self._read(
            f"SELECT {', '.join(IKM_COLUMNS)} FROM ikm {clause} ORDER BY ikm_id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return IKMPage(items=[self._ikm(r) for r in rows], total=total, limit=limit, offset=offset)

    def trainings(self) -> list[Training]:
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

    def seed_attendance(self, skill: str, as_of: date | None = None) -> list[SeedAttendance]:
        rows = self._read(
            "SELECT a.ikm_id, t.training_id, t.end_date, t.budget_idr FROM attendance a "
            "JOIN training t USING (training_id) JOIN training_skill ts USING (training_id) "
            "WHERE ts.skill_id = ? AND a.completed = 1 AND (? IS NULL OR t.end_date <= ?) "
            "ORDER BY a.ikm_id, t.end_date, t.training_id",
            (skill, _iso(as_of), _iso(as_of)),
        )
        return [
            SeedAttendance(ikm_id=r[0], training_id=r[1], end_date=date.fromisoformat(r[2]), budget_idr=r[3])
            for r in rows
        ]

    def teaching_graph(self, skill: str, as_of: date | None = None) -> nx.DiGraph:
        rows = self._read(
            "SELECT t.teacher_id, t.learner_id, t.date, t.source, t.note, tk.kelurahan_code, lk.kelurahan_code "
            "FROM teaching t JOIN ikm tk ON tk.ikm_id = t.teacher_id JOIN ikm lk ON lk.ikm_id = t.learner_id "
            "WHERE t.skill_id = ? AND (? IS NULL OR t.date <= ?)",
            (skill, _iso(as_of), _iso(as_of)),
        )
        graph = nx.DiGraph(skill=skill, as_of=as_of)
        for teacher, learner, day, source, note, teacher_kel, learner_kel in rows:
            graph.add_node(teacher, kelurahan=teacher_kel)
            graph.add_node(learner, kelurahan=learner_kel)
            graph.add_edge(teacher, learner, date=date.fromisoformat(day), source=source, note=note)
        return graph
