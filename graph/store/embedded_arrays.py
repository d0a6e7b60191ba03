"""What the embedded store keeps in memory for the metrics (SPEC §3: "a cached in-memory
graph, invalidated on write"): every IKM once, in ``ikm_id`` order, and per skill its
edges as integer arrays sorted by date, so that the graph as of any date is a prefix.

A snapshot is valid while its *stamp* is: the connection's ``total_changes`` (this
store's own writes) and ``PRAGMA data_version`` (commits by other connections). It is
filled inside one read transaction, so it never mixes two states of the file.
"""

from __future__ import annotations

import bisect
import sqlite3
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..arrays import SkillArrays, numbered

#: ``date.toordinal()`` of 1970-01-01, the epoch of numpy's datetime64[D].
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
#: (skill, as-of) views whose derived arrays (adjacency, layers) are kept.
VIEWS_KEPT = 16

Stamp = tuple[int, int]


def stamp(conn: sqlite3.Connection) -> Stamp:
    return conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0]


def ordinals(iso_dates: list[str]) -> np.ndarray:
    """``date.toordinal()`` of ISO dates, vectorised."""
    return np.array(iso_dates, dtype="datetime64[D]").astype(np.int64) + EPOCH_ORDINAL


@dataclass
class SkillTables:
    """One skill, all dates: nodes numbered locally in ``ikm_id`` order."""

    keys: np.ndarray  # the global number (position in the snapshot) of each node
    ids: np.ndarray
    kelurahan: np.ndarray
    teacher: np.ndarray  # sorted by day
    learner: np.ndarray
    day: np.ndarray
    attendance: list[tuple[int, str, date]]  # completed, sorted by end date
    attendance_ends: list[date]


class Snapshot:
    """Every IKM and the skills loaded so far, as of one stamp."""

    def __init__(self, conn: sqlite3.Connection, at: Stamp):
        self.stamp = at
        rows = conn.execute("SELECT ikm_id, kelurahan_code FROM ikm ORDER BY ikm_id").fetchall()
        ids, located = zip(*rows) if rows else ((), ())
        self.ids = np.array(ids, dtype=object)
        self.index = dict(zip(ids, range(len(ids))))
        self.kelurahan_codes = sorted(set(located))
        self.kelurahan = numbered({code: i for i, code in enumerate(self.kelurahan_codes)}, located)
        self.skills: dict[str, SkillTables] = {}
        self.views: dict[tuple[str, date], dict] = {}

    def ikm_per_kelurahan(self) -> dict[str, int]:
        counts = np.bincount(self.kelurahan, minlength=len(self.kelurahan_codes))
        return {code: int(n) for code, n in zip(self.kelurahan_codes, counts.tolist()) if n}

    def load(self, conn: sqlite3.Connection, skills: list[str]) -> None:
        """Read the skills not in memory yet: one by its index when only one is missing, else
        every skill in one sequential scan of the table (far cheaper than many index walks)."""
        missing = [skill for skill in dict.fromkeys(skills) if skill not in self.skills]
        if not missing:
            return
        one = missing[0] if len(missing) == 1 else None
        edges = conn.execute("SELECT skill_id, teacher_id, learner_id, date FROM teaching WHERE skill_id = ?", (one,)
                             ).fetchall() if one else conn.execute(
                             "SELECT skill_id, teacher_id, learner_id, date FROM teaching").fetchall()
        attended = conn.execute(
            "SELECT ts.skill_id, a.ikm_id, t.training_id, t.end_date FROM attendance a "
            "JOIN training t USING (training_id) JOIN training_skill ts USING (training_id) "
            "WHERE a.completed = 1 AND (? IS NULL OR ts.skill_id = ?) "
            "ORDER BY t.end_date, a.ikm_id, t.training_id", (one, one),
        ).fetchall()
        names = sorted(set(missing) | {r[0] for r in edges} | {r[0] for r in attended})
        number = {skill: i for i, skill in enumerate(names)}
        skill_of, teachers, learners, days = zip(*edges) if edges else ((), (), (), ())
        of_edge = numbered(number, skill_of)
        teacher, learner, day = numbered(self.index, teachers), numbered(self.index, learners), ordinals(list(days))
        order = np.lexsort((day, of_edge))  # by skill, then by date
        of_edge, teacher, learner, day = of_edge[order], teacher[order], learner[order], day[order]
        bounds = np.searchsorted(of_edge, np.arange(len(names) + 1))
        position = np.empty(len(self.ids), dtype=np.int64)
        for i, skill in enumerate(names):
            part = slice(bounds[i], bounds[i + 1])
            rows = [r for r in attended if r[0] == skill]
            attendees = numbered(self.index, [r[1] for r in rows])
            on_skill = np.zeros(len(self.ids), dtype=bool)  # linear, where np.unique would sort
            on_skill[teacher[part]], on_skill[learner[part]], on_skill[attendees] = True, True, True
            nodes = np.flatnonzero(on_skill)
            position[nodes] = np.arange(len(nodes))
            ends = [date.fromisoformat(r[3]) for r in rows]
            self.skills[skill] = SkillTables(
                keys=nodes, ids=self.ids[nodes], kelurahan=self.kelurahan[nodes], teacher=position[teacher[part]],
                learner=position[learner[part]], day=day[part],
                attendance=[(node, r[2], end) for node, r, end in zip(position[attendees].tolist(), rows, ends)],
                attendance_ends=ends,
            )

    def view(self, skill: str, as_of: date) -> SkillArrays:
        """The skill as of ``as_of``: prefixes of the date-sorted arrays (no copies)."""
        tables = self.skills[skill]
        edges = int(np.searchsorted(tables.day, as_of.toordinal(), side="right"))
        attended = bisect.bisect_right(tables.attendance_ends, as_of)
        if (skill, as_of) not in self.views and len(self.views) >= VIEWS_KEPT:
            self.views.clear()
        derived = self.views.setdefault((skill, as_of), {})
        return SkillArrays(
            skill=skill, as_of=as_of, ids=tables.ids, keys=tables.keys, kelurahan=tables.kelurahan,
            kelurahan_codes=self.kelurahan_codes, teacher=tables.teacher[:edges], learner=tables.learner[:edges],
            day=tables.day[:edges], attendance=tables.attendance[:attended], derived=derived,
        )
