"""What a store keeps in memory for the metrics (SPEC §3: "a cached in-memory graph,
invalidated on write"): every IKM once, in ``ikm_id`` order, and per skill its edges as
integer arrays sorted by date, so that the graph as of any date is a prefix.

A snapshot belongs to one *stamp* — a state of the store's data: the embedded store's
change counters, the Neo4j store's version, which every write moves on. The store fills
it from its own tables or queries (:meth:`GraphSnapshot.add_skills`) and drops it when the
stamp changes. Per skill and as-of date, a :meth:`~GraphSnapshot.view` shares the arrays
derived from the edges (adjacency, layers, walked cascades) between the calls that ask
about the same date.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from tular.graph.metrics.engine import SkillArrays, numbered

#: (skill, as-of) views whose derived arrays (adjacency, layers, cascades) are kept.
VIEWS_KEPT = 16


def _inverse(values: np.ndarray) -> np.ndarray:
    """Per integer from 0 to the largest of ``values`` (which are distinct and not negative),
    its position in ``values``, -1 for the others; one -1 more at the end."""
    at = np.full(int(values.max()) + 2 if len(values) else 1, -1, dtype=np.int64)
    at[values] = np.arange(len(values))
    return at


def _look_up(inverse: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The positions of ``wanted`` in an :func:`_inverse`: -1 for -1, for a value beyond its
    end (both land on its last -1) and for one it does not hold."""
    return inverse[np.clip(wanted, -1, len(inverse) - 1)]


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
    _index: dict[str, int] | None = field(default=None, repr=False)
    _position: np.ndarray | None = field(default=None, repr=False)  # per snapshot number: node number or -1

    def index(self) -> dict[str, int]:
        """The node number of each ikm_id (built on first use)."""
        if self._index is None:
            self._index = dict(zip(self.ids.tolist(), range(len(self.ids))))
        return self._index

    def local(self, numbers: np.ndarray) -> np.ndarray:
        """The node numbers of the IKM with the snapshot's ``numbers`` (-1 for those not
        among this skill's nodes, or -1 themselves)."""
        if self._position is None:  # built on first use: a gather, where a search would cost log n
            self._position = _inverse(self.keys)
        return _look_up(self._position, numbers)


class GraphSnapshot:
    """Every IKM and the skills loaded so far, as of one stamp."""

    def __init__(self, stamp: Hashable, ids: Sequence[str], kelurahan_codes: Sequence[str]):
        """``ids`` in ascending order, with the kelurahan code of each."""
        self.stamp = stamp
        self.ids = np.array(ids, dtype=object)
        self.index = dict(zip(ids, range(len(ids))))
        self.kelurahan_codes = sorted(set(kelurahan_codes))
        self.kelurahan = numbered({code: i for i, code in enumerate(self.kelurahan_codes)}, kelurahan_codes)
        self.skills: dict[str, SkillTables] = {}
        #: the store's own number of each IKM (Neo4j: the node id), when it has one
        self.handles: np.ndarray | None = None
        self._at_handle: np.ndarray | None = None
        self.views: dict[tuple[str, date], dict] = {}
        self.lock = threading.Lock()  # held while views are taken or skills added
        #: Whether the store holds one edge per (skill, teacher, learner) whatever happens (the
        #: embedded store's primary key). Otherwise :meth:`add_skills` keeps the earliest of
        #: each: a Neo4j store may hold copies of one anyway (SPEC §3, a broken invariant).
        self.unique_edges = False

    @classmethod
    def of_ikm(cls, stamp: Hashable, located: Iterable[tuple[str, str]],
               handles: Iterable[int] | None = None) -> GraphSnapshot:
        """From (ikm_id, kelurahan code) pairs in any order; ``handles``: the store's own
        number of each (in the same order), kept in :attr:`handles`."""
        rows = sorted(zip(located, handles) if handles is not None else ((pair, -1) for pair in located))
        pairs, numbers = zip(*rows) if rows else ((), ())
        ids, codes = zip(*pairs) if pairs else ((), ())
        snapshot = cls(stamp, ids, codes)
        if handles is not None:
            snapshot.handles = np.array(numbers, dtype=np.int64)
        return snapshot

    def numbers_of(self, handles: Sequence[int]) -> np.ndarray:
        """The snapshot's number of the IKM with each of ``handles``; -1 for a handle it does
        not know (an IKM written after it was read)."""
        if self._at_handle is None:
            self._at_handle = _inverse(self.handles)
        return _look_up(self._at_handle, np.asarray(handles, dtype=np.int64))

    def ikm_per_kelurahan(self) -> dict[str, int]:
        counts = np.bincount(self.kelurahan, minlength=len(self.kelurahan_codes))
        return {code: int(n) for code, n in zip(self.kelurahan_codes, counts.tolist()) if n}

    def missing(self, skills: Iterable[str]) -> list[str]:
        return [skill for skill in dict.fromkeys(skills) if skill not in self.skills]

    def add_skills(self, skills: Sequence[str], skill_of: Sequence[str], teachers: Sequence[str],
                   learners: Sequence[str], days: np.ndarray,
                   attended: Sequence[tuple[str, str, str, date]]) -> None:
        """Take in the edges (skill, teacher, learner, ``date.toordinal()``) and the completed
        attendances (skill, ikm_id, training_id, end date; sorted by end date) of ``skills``
        — and of any other skill they mention that is not loaded yet."""
        names = sorted(set(skills) | set(skill_of) | {r[0] for r in attended})
        number = {skill: i for i, skill in enumerate(names)}
        of_edge = numbered(number, skill_of)
        teacher, learner, day = numbered(self.index, teachers), numbered(self.index, learners), np.asarray(days)
        order = np.lexsort((day, of_edge))  # by skill, then by date
        if not self.unique_edges and len(order):
            order = order[_first_of_each(of_edge[order], teacher[order], learner[order], len(self.ids))]
        of_edge, teacher, learner, day = of_edge[order], teacher[order], learner[order], day[order]
        bounds = np.searchsorted(of_edge, np.arange(len(names) + 1))
        position = np.empty(len(self.ids), dtype=np.int64)
        for i, skill in enumerate(names):
            if skill in self.skills:
                continue
            part = slice(bounds[i], bounds[i + 1])
            rows = [r for r in attended if r[0] == skill]
            attendees = numbered(self.index, [r[1] for r in rows])
            on_skill = np.zeros(len(self.ids), dtype=bool)  # linear, where np.unique would sort
            on_skill[teacher[part]], on_skill[learner[part]], on_skill[attendees] = True, True, True
            nodes = np.flatnonzero(on_skill)
            position[nodes] = np.arange(len(nodes))
            ends = [r[3] for r in rows]
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
        with self.lock:
            if (skill, as_of) not in self.views and len(self.views) >= VIEWS_KEPT:
                self.views.clear()
            derived = self.views.setdefault((skill, as_of), {})
        return SkillArrays(
            skill=skill, as_of=as_of, ids=tables.ids, keys=tables.keys, kelurahan=tables.kelurahan,
            kelurahan_codes=self.kelurahan_codes, teacher=tables.teacher[:edges], learner=tables.learner[:edges],
            day=tables.day[:edges], attendance=tables.attendance[:attended], derived=derived,
        )


def _first_of_each(skill: np.ndarray, teacher: np.ndarray, learner: np.ndarray, n: int) -> np.ndarray:
    """The positions of the first of the edges with the same (skill, teacher, learner), in
    order: of edges sorted by date, each teaching's earliest copy.

    >>> _first_of_each(np.array([0, 0, 0, 1]), np.array([1, 2, 1, 1]), np.array([2, 3, 2, 2]), 4).tolist()
    [0, 1, 3]
    """
    if (int(skill.max()) + 1) * n * n < 2 ** 62:  # one integer per edge (a million IKM: thousands of skills)
        key = (skill * n + teacher) * n + learner
        ordered = np.sort(key)  # 0.1 s for two million edges; np.unique with return_index takes five times that
        if not np.any(ordered[1:] == ordered[:-1]):
            return np.arange(len(key))
        _, first = np.unique(key, return_index=True)
    else:
        _, first = np.unique(np.stack([skill, teacher, learner], axis=1), axis=0, return_index=True)
    first.sort()
    return first

