"""What a store keeps in memory for the metrics (SPEC §3: "a cached in-memory graph,
invalidated on write"): every IKM once, in ``ikm_id`` order, and per skill its edges as
integer arrays sorted by date, so that the graph as of any date is a prefix.

A snapshot belongs to one *stamp* — a state of the store's data: the store's write counter
(under an epoch that a wipe or a restore draws anew), which every write transaction moves
on by one. The store fills it from its own tables or queries
(:meth:`GraphSnapshot.add_skills`). When the stamp moves, it is brought up to date
(:meth:`GraphSnapshot.patched`) from what the writes touched — known to the process that
wrote, read from the batch log by the others (:func:`touched_by`) — or, when the log cannot
tell (a write without a batch, an undo, an erasure, a restore), read again. Per skill and as-of date, a :meth:`~GraphSnapshot.view` shares the arrays
derived from the edges (adjacency, layers, walked cascades) between the calls that ask
about the same date.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np

from tular.graph.metrics.engine import UNREACHED, ReachDays, SkillArrays, numbered

#: (skill, as-of) views whose derived arrays (adjacency, layers, cascades) are kept.
VIEWS_KEPT = 16
#: Records touched since a snapshot above which reading everything again is cheaper than
#: reading them one by one (a large import).
PATCH_LIMIT = 50_000
#: How the batch log marks an erasure (``tular forget``; see ``batches.ERASURE``).
ERASURE_MARK = "tular forget "


@dataclass
class Touched:
    """What writes touched, by key: what a snapshot must read again to be up to date."""

    ikm: set[str] = field(default_factory=set)
    teachings: set[tuple[str, str, str]] = field(default_factory=set)  # (learner, teacher, skill)
    trainings: set[str] = field(default_factory=set)  # a training's end, skills or attendance
    #: whether a store-wide lookup kept per version may have changed (trainings and their
    #: budgets, populations, IKM per kelurahan: see :mod:`.pinning`)
    lookups: bool = False

    def add(self, kind: str, key: Sequence[str]) -> None:
        self.lookups |= kind in ("ikm", "trainings", "populations")
        if kind == "ikm":
            self.ikm.add(key[0])
        elif kind == "teachings":
            self.teachings.add((key[0], key[1], key[2]))
        elif kind in ("trainings", "attendance"):
            self.trainings.add(key[0])
        # outcomes and populations are not in a snapshot

    def __len__(self) -> int:
        return len(self.ikm) + len(self.teachings) + len(self.trainings)


def touched_by(logged: Sequence[tuple[str, Sequence[Mapping[str, Any]]]]) -> Touched | None:
    """The records that the batches ``logged`` — (who, changes) each, changes as
    ``batches.decode_changes`` gives them — created, changed or deleted; None when one of them
    is an erasure (which the log records without its changes)."""
    touched = Touched()
    for who, changes in logged:
        if ERASURE_MARK in who:
            return None
        for change in changes:
            touched.add(change["kind"], change["key"])
    return touched


@dataclass
class Current:
    """The stored state of touched records, read by the store in one transaction."""

    #: per touched IKM: its kelurahan code, None when it no longer exists
    ikm: dict[str, str | None]
    #: per touched (learner, teacher, skill): its earliest date (``toordinal``), None when gone
    teachings: dict[tuple[str, str, str], int | None]
    #: the touched trainings
    trainings: set[str]
    #: the completed attendances at the touched trainings: (skill, ikm_id, training_id, end)
    attended: list[tuple[str, str, str, date]]
    #: the store's own number of each touched IKM that exists (Neo4j: the node id)
    handles: dict[str, int] | None = None


def seed_nodes(seeds: Iterable[int]) -> np.ndarray:
    """Node numbers sorted and distinct, as the stores key walked cascades by them: through a
    set, where np.unique would sort first and check its input through numpy.ma (several times
    the cost for the few hundred seeds of a skill, on every answer).

    >>> seed_nodes([5, 2, 5, 0]).tolist()
    [0, 2, 5]
    """
    return np.fromiter(sorted(set(seeds)), dtype=np.int64)


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
    #: the cascade for every date from every seed, once a store has walked it (:meth:`cascade`)
    all_dates: ReachDays | None = field(default=None, repr=False)
    #: the walk over every date made before the last writes that touched the skill, in these
    #: tables' node numbers, and the first day (``toordinal``) those writes changed: the
    #: cascade of every date before that day is the same (:meth:`walked`)
    earlier: tuple[int, ReachDays] | None = field(default=None, repr=False)
    #: cascades walked for one date so far, before the walk for every date was made
    walks: int = field(default=0, repr=False)
    #: held while the walk for every date is made: the calls that need it meanwhile wait for it
    _walking: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def index(self) -> dict[str, int]:
        """The node number of each ikm_id (built on first use)."""
        if self._index is None:
            self._index = dict(zip(self.ids.tolist(), range(len(self.ids))))
        return self._index

    def cascade(self, graph: SkillArrays, seeds: np.ndarray, walk_all: Callable[[], ReachDays]) -> np.ndarray | None:
        """The cascade of ``graph`` (a view of these tables) from the nodes ``seeds`` when
        they are every seed of its date — the question of every date unless a cohort or a
        year chooses: from :attr:`all_dates`, the walk over every date (``walk_all``), made
        when a second date is asked about — or at once after a write when the skill had its walk
        over every date before it (many dates are being asked). None when the store is to walk
        this date alone: for other seeds, and for the first date asked (one date's walk costs
        less)."""
        ended = seed_nodes(node for node, _, _ in graph.attendance)
        if not np.array_equal(seeds, ended):
            return None
        kept = self.walked(graph.as_of)
        if kept is None and (self.walks >= 1 or self.earlier is not None):
            with self._walking:
                if self.all_dates is None:
                    self.all_dates = walk_all()
            kept = self.all_dates
        if kept is None:
            self.walks += 1
            return None
        return kept.level(graph.as_of)

    def walked(self, as_of: date) -> ReachDays | None:
        """A walk over every date kept that answers ``as_of``: this skill's, or the one made
        before the writes that touched it when ``as_of`` is before the first day they changed."""
        if self.all_dates is not None:
            return self.all_dates
        if self.earlier is not None and as_of.toordinal() < self.earlier[0]:
            return self.earlier[1]
        return None

    def still_walked(self, since: int, numbers: np.ndarray, into: SkillTables) -> tuple[int, ReachDays] | None:
        """What of this skill's kept walk over every date holds for ``into``, its tables after
        writes whose first changed day is ``since``: every date before it, renumbered to
        ``into``'s nodes (``numbers``: the snapshot number of each of this table's nodes in
        ``into``'s snapshot, -1 for one gone). None when no walk is kept."""
        if self.all_dates is not None:
            walked = self.all_dates
        elif self.earlier is not None:
            since, walked = min(since, self.earlier[0]), self.earlier[1]
        else:
            return None
        position = into.local(numbers)
        nodes, days = [], []
        for row_nodes, row_days in zip(walked.nodes, walked.days):
            cut = int(np.searchsorted(row_days, since, side="left"))  # each row is sorted by day
            moved = position[row_nodes[:cut]]
            known = moved >= 0  # a node before ``since`` is in ``into`` too; kept safe all the same
            nodes.append(moved[known])
            days.append(row_days[:cut][known])
        return since, ReachDays(n=len(into.ids), nodes=tuple(nodes), days=tuple(days))

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
        #: the batch log as the snapshot saw it: the last batch's seq, and how many batches
        self.log_position: tuple[int, int] = (0, 0)
        self._at_handle: np.ndarray | None = None
        self.views: dict[tuple[str, int, int], dict] = {}  # (skill, edges, attendances) -> derived
        self.lock = threading.Lock()  # held while views are taken or skills added
        #: Whether the store holds one edge per (skill, teacher, learner) whatever happens (the
        #: embedded store's primary key). Otherwise :meth:`add_skills` keeps the earliest of
        #: each: a Neo4j store may hold copies of one anyway (SPEC §3, a broken invariant).
        self.unique_edges = False
        #: (the stamp of the snapshot this one was patched from, the IKM the writes between
        #: touched): whoever keeps something per IKM for that stamp may keep it for this one but
        #: for those IKM (:meth:`Pinning._people_kept`); None when read afresh
        self.came_from: tuple[Hashable, frozenset[str]] | None = None

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
        for i, skill in enumerate(names):
            if skill in self.skills:
                continue
            part = slice(bounds[i], bounds[i + 1])
            self.skills[skill] = self._tables(teacher[part], learner[part], day[part],
                                              [(r[1], r[2], r[3]) for r in attended if r[0] == skill])

    def _tables(self, teacher: np.ndarray, learner: np.ndarray, day: np.ndarray,
                rows: Sequence[tuple[str, str, date]]) -> SkillTables:
        """One skill's tables from its edges (snapshot numbers, sorted by day) and its completed
        attendances (ikm_id, training_id, end; sorted by end)."""
        attendees = numbered(self.index, [r[0] for r in rows])
        on_skill = np.zeros(len(self.ids), dtype=bool)  # linear, where np.unique would sort
        on_skill[teacher], on_skill[learner], on_skill[attendees] = True, True, True
        nodes = np.flatnonzero(on_skill)
        position = np.empty(len(self.ids), dtype=np.int64)
        position[nodes] = np.arange(len(nodes))
        ends = [r[2] for r in rows]
        return SkillTables(
            keys=nodes, ids=self.ids[nodes], kelurahan=self.kelurahan[nodes], teacher=position[teacher],
            learner=position[learner], day=day,
            attendance=[(node, r[1], end) for node, r, end in zip(position[attendees].tolist(), rows, ends)],
            attendance_ends=ends,
        )

    def _sharing(self, stamp: Hashable) -> GraphSnapshot:
        """A snapshot of ``stamp`` with the same IKM (sharing their arrays), no skill yet."""
        other = object.__new__(GraphSnapshot)
        other.__dict__.update(self.__dict__)
        other.stamp, other.skills, other.views, other.lock = stamp, {}, {}, threading.Lock()
        other.came_from = None
        return other

    def patched(self, stamp: Hashable, current: Current) -> GraphSnapshot:
        """A new snapshot, of ``stamp``: this one with the touched records as ``current`` says
        they are now. The skills they do not concern keep their arrays and their kept views
        (walked cascades included); the others are rebuilt from this snapshot's arrays —
        nothing is read but ``current``. Calls still using this snapshot are not disturbed."""
        gone = {i for i, code in current.ikm.items() if code is None and i in self.index}
        new = {i: code for i, code in current.ikm.items() if code is not None and i not in self.index}
        moved = {i: code for i, code in current.ikm.items()
                 if code is not None and i in self.index and self.kelurahan_codes[self.kelurahan[self.index[i]]] != code}
        # the IKM: shared when none came, went or moved; renumbered when some came or went
        # (numbers follow ikm_id order)
        renumber = None
        if not (new or gone):
            patched = self._sharing(stamp)
            if moved:
                codes = sorted(set(self.kelurahan_codes) | set(moved.values()))
                kelurahan = self.kelurahan.copy() if codes == self.kelurahan_codes else \
                    numbered({c: i for i, c in enumerate(codes)}, self.kelurahan_codes)[self.kelurahan]
                kelurahan[[self.index[i] for i in moved]] = [codes.index(c) for c in moved.values()]
                patched.kelurahan_codes, patched.kelurahan = codes, kelurahan
        else:
            located = np.array(self.kelurahan_codes, dtype=object)[self.kelurahan]
            for i, code in moved.items():
                located[self.index[i]] = code
            keep = np.ones(len(self.ids), dtype=bool)
            keep[[self.index[i] for i in gone]] = False
            came = np.array(sorted(new), dtype=object)
            at = np.searchsorted(self.ids[keep], came) if len(came) else np.zeros(0, dtype=np.int64)
            ids = np.insert(self.ids[keep], at, came)
            patched = GraphSnapshot(stamp, ids.tolist(), np.insert(located[keep], at, [new[i] for i in came]).tolist())
            patched.unique_edges, patched.log_position = self.unique_edges, self.log_position
            before = np.insert(np.flatnonzero(keep), at, -1)  # per new number, the old one (-1: new)
            renumber = np.full(len(self.ids) + 1, -1, dtype=np.int64)  # old number -> new (-1: gone); -1 -> -1
            renumber[before[before >= 0]] = np.flatnonzero(before >= 0)
            if self.handles is not None:
                handles = np.full(len(ids), -1, dtype=np.int64)
                handles[before >= 0] = self.handles[before[before >= 0]]
                for i, handle in (current.handles or {}).items():
                    if i in patched.index:
                        handles[patched.index[i]] = handle
                patched.handles = handles
        same_numbers = renumber is None
        same_kelurahan = patched.kelurahan_codes == self.kelurahan_codes
        # the skills the touched records concern
        edges_of: dict[str, list[tuple[str, str, int | None]]] = {}
        for (learner, teacher, skill), day in current.teachings.items():
            edges_of.setdefault(skill, []).append((teacher, learner, day))
        attended_of: dict[str, list[tuple[str, str, date]]] = {}
        for skill, ikm, training, end in current.attended:
            attended_of.setdefault(skill, []).append((ikm, training, end))
        changed_nodes = np.zeros(len(self.ids) + 1, dtype=bool)
        changed_nodes[[self.index[i] for i in (*gone, *moved)]] = True
        for skill, tables in self.skills.items():
            keys = tables.keys if renumber is None else renumber[tables.keys]
            touched = (skill in edges_of or skill in attended_of or bool(changed_nodes[tables.keys].any())
                       or bool(current.trainings) and any(training in current.trainings
                                                          for _, training, _ in tables.attendance))
            if not touched:
                patched.skills[skill] = tables if same_numbers and same_kelurahan else replace(
                    tables, keys=keys, kelurahan=patched.kelurahan[keys], _position=None)
                continue
            teacher, learner, day = keys[tables.teacher], keys[tables.learner], tables.day
            # the first day the writes changed for this skill: of an edge gone, come or moved,
            # of a completed attendance gone or come (the cascade of every date before it stays)
            changed_days = [day[(teacher < 0) | (learner < 0)]]
            if skill in edges_of:  # the touched edges out, then those that exist back in, by date
                n = len(patched.ids) + 1
                wanted = [(patched.index.get(t, -1), patched.index.get(lr, -1), d) for t, lr, d in edges_of[skill]]
                out = np.array([t * n + lr for t, lr, _ in wanted if t >= 0 and lr >= 0], dtype=np.int64)
                stay = ~np.isin(teacher * n + learner, out) & (teacher >= 0) & (learner >= 0)
                back = [(t, lr, d) for t, lr, d in wanted if d is not None and t >= 0 and lr >= 0]
                changed_days += [day[~stay], np.array([b[2] for b in back], dtype=np.int64)]
                teacher = np.concatenate([teacher[stay], np.array([b[0] for b in back], dtype=np.int64)])
                learner = np.concatenate([learner[stay], np.array([b[1] for b in back], dtype=np.int64)])
                day = np.concatenate([day[stay], np.array([b[2] for b in back], dtype=np.int64)])
                order = np.argsort(day, kind="stable")
                teacher, learner, day = teacher[order], learner[order], day[order]
            rows = [(tables.ids[node], training, end) for node, training, end in tables.attendance
                    if training not in current.trainings and tables.ids[node] not in gone]
            ends = [end for node, training, end in tables.attendance
                    if training in current.trainings or tables.ids[node] in gone]
            ends += [end for _, _, end in attended_of.get(skill, [])]
            rows = sorted(rows + attended_of.get(skill, []), key=lambda r: (r[2], r[0], r[1]))
            patched.skills[skill] = patched._tables(teacher, learner, day, [r for r in rows if r[0] in patched.index])
            since = min([int(d.min()) for d in changed_days if d.size] + [end.toordinal() for end in ends],
                        default=UNREACHED)
            patched.skills[skill].earlier = tables.still_walked(since, keys, patched.skills[skill])
        patched.came_from = (self.stamp, frozenset(current.ikm))
        # the views of the skills left as they were keep their derived arrays (walked cascades)
        for (skill, *prefix), derived in self.views.items():
            if patched.skills.get(skill) is self.skills.get(skill) or (
                    skill in patched.skills and patched.skills[skill].teacher is self.skills[skill].teacher):
                patched.views[(skill, *prefix)] = derived if same_numbers and same_kelurahan else \
                    {k: v for k, v in derived.items() if k != "condensed"}  # it holds numbers and areas
        return patched

    def view(self, skill: str, as_of: date) -> SkillArrays:
        """The skill as of ``as_of``: prefixes of the date-sorted arrays (no copies), with the
        derived arrays kept per prefix (every date between two events shares them)."""
        tables = self.skills[skill]
        edges = int(np.searchsorted(tables.day, as_of.toordinal(), side="right"))
        attended = bisect.bisect_right(tables.attendance_ends, as_of)
        key = (skill, edges, attended)  # dates with the same events share what is derived (cascades too)
        with self.lock:
            if key not in self.views and len(self.views) >= VIEWS_KEPT:
                self.views.clear()
            derived = self.views.setdefault(key, {})
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

