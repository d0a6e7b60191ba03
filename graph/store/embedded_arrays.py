"""The embedded store's :class:`~.snapshot.GraphSnapshot`, read from SQLite.

A snapshot is valid while its *stamp* is: the store's write counter and epoch (table
``tular_meta``), which every write transaction of every process moves on (see
:meth:`EmbeddedStore.writing`). It is filled inside one read transaction, so it never mixes
two states of the file; when the stamp has moved, :func:`caught_up` brings it up to date
from the batch log, or reads it again.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import numpy as np

from tular.graph.store.batches import decode_changes
from tular.graph.store.snapshot import PATCH_LIMIT, Current, GraphSnapshot, Touched, touched_by

#: ``date.toordinal()`` of 1970-01-01, the epoch of numpy's datetime64[D].
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

Stamp = tuple[str, int]


def stamp(conn: sqlite3.Connection) -> Stamp:
    """(epoch, writes): moved on by every write transaction of any process."""
    try:
        found = dict(conn.execute("SELECT name, value FROM tular_meta WHERE name IN ('epoch', 'writes')").fetchall())
    except sqlite3.OperationalError:  # a file older than the table: it is made at the first write
        return "", 0
    return str(found.get("epoch", "")), int(found.get("writes", 0))


def log_position(conn: sqlite3.Connection, seq: int | None = None) -> tuple[int, int]:
    """The last batch's seq and how many batches there are (up to ``seq``, when given)."""
    if seq is None:
        last, count = conn.execute("SELECT coalesce(max(seq), 0), count(*) FROM batch").fetchone()
        return int(last), int(count)
    return seq, int(conn.execute("SELECT count(*) FROM batch WHERE seq <= ?", (seq,)).fetchone()[0])


def ordinals(iso_dates: list[str]) -> np.ndarray:
    """``date.toordinal()`` of ISO dates, vectorised."""
    return np.array(iso_dates, dtype="datetime64[D]").astype(np.int64) + EPOCH_ORDINAL


def snapshot(conn: sqlite3.Connection, at: Stamp) -> GraphSnapshot:
    """Every IKM, no skill yet."""
    snapshot = GraphSnapshot.of_ikm(at, conn.execute("SELECT ikm_id, kelurahan_code FROM ikm ORDER BY ikm_id").fetchall())
    snapshot.unique_edges = True  # the teaching table's primary key
    snapshot.log_position = log_position(conn)
    return snapshot


def caught_up(kept: GraphSnapshot | None, conn: sqlite3.Connection, at: Stamp) -> GraphSnapshot:
    """The snapshot of ``at`` (read inside a read transaction): ``kept`` brought up to date
    from the batches logged since it, when every write transaction since logged one batch
    (an undo, a write without a batch, a wipe or restore, an erasure: read again), else read
    anew."""
    if kept is not None and kept.stamp[0] == at[0] and at[1] > kept.stamp[1]:
        seq, count = kept.log_position
        rows = conn.execute("SELECT seq, who, changes FROM batch WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
        if len(rows) == at[1] - kept.stamp[1] and log_position(conn, seq)[1] == count:
            touched = touched_by([(who, decode_changes(changes)) for _, who, changes in rows])
            if touched is not None and len(touched) <= PATCH_LIMIT:
                patched = kept.patched(at, current(conn, touched))
                patched.log_position = (rows[-1][0] if rows else seq, count + len(rows))
                return patched
    return snapshot(conn, at)


def current(conn: sqlite3.Connection, touched: Touched) -> Current:
    """The stored state of the ``touched`` records."""
    ikm: dict[str, str | None] = dict.fromkeys(touched.ikm)
    if touched.ikm:
        ikm.update(conn.execute("SELECT ikm_id, kelurahan_code FROM ikm WHERE ikm_id IN "
                                "(SELECT value FROM json_each(?))", (json.dumps(sorted(touched.ikm)),)))
    teachings: dict[tuple[str, str, str], int | None] = dict.fromkeys(touched.teachings)
    if touched.teachings:
        rows = conn.execute(
            "SELECT t.learner_id, t.teacher_id, t.skill_id, t.date FROM json_each(?) AS k JOIN teaching AS t "
            "ON t.learner_id = json_extract(k.value, '$[0]') AND t.teacher_id = json_extract(k.value, '$[1]') "
            "AND t.skill_id = json_extract(k.value, '$[2]')", (json.dumps(sorted(touched.teachings)),)).fetchall()
        days = ordinals([r[3] for r in rows]).tolist()
        teachings.update(((r[0], r[1], r[2]), day) for r, day in zip(rows, days))
    attended = []
    if touched.trainings:
        attended = [(s, i, t, date.fromisoformat(end)) for s, i, t, end in conn.execute(
            "SELECT ts.skill_id, a.ikm_id, t.training_id, t.end_date FROM attendance a "
            "JOIN training t USING (training_id) JOIN training_skill ts USING (training_id) "
            "WHERE a.completed = 1 AND t.training_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY t.end_date, a.ikm_id, t.training_id", (json.dumps(sorted(touched.trainings)),))]
    return Current(ikm=ikm, teachings=teachings, trainings=set(touched.trainings), attended=attended)


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
