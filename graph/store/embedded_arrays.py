"""The embedded store's :class:`~.snapshot.GraphSnapshot`, read from SQLite.

A snapshot is valid while its *stamp* is: the connection's ``total_changes`` (this
store's own writes) and ``PRAGMA data_version`` (commits by other connections). It is
filled inside one read transaction, so it never mixes two states of the file.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import numpy as np

from tular.graph.store.snapshot import GraphSnapshot

#: ``date.toordinal()`` of 1970-01-01, the epoch of numpy's datetime64[D].
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

Stamp = tuple[int, int]


def stamp(conn: sqlite3.Connection) -> Stamp:
    return conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0]


def ordinals(iso_dates: list[str]) -> np.ndarray:
    """``date.toordinal()`` of ISO dates, vectorised."""
    return np.array(iso_dates, dtype="datetime64[D]").astype(np.int64) + EPOCH_ORDINAL


def snapshot(conn: sqlite3.Connection, at: Stamp) -> GraphSnapshot:
    """Every IKM, no skill yet."""
    snapshot = GraphSnapshot.of_ikm(at, conn.execute("SELECT ikm_id, kelurahan_code FROM ikm ORDER BY ikm_id").fetchall())
    snapshot.unique_edges = True  # the teaching table's primary key
    return snapshot


def load(snapshot: GraphSnapshot, conn: sqlite3.Connection, skills: list[str]) -> None:
    """Read the skills not in memory yet: one by its index when only one is missing, else
    every skill in one sequential scan of the table (far cheaper than many index walks)."""
    missing = snapshot.missing(skills)
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
    skill_of, teachers, learners, days = zip(*edges) if edges else ((), (), (), ())
    snapshot.add_skills(missing, skill_of, teachers, learners, ordinals(list(days)),
                        [(s, ikm, training, date.fromisoformat(end)) for s, ikm, training, end in attended])
