"""The one metrics engine (SPEC §3): reach, broken chains, lineage, onward reach and
outcome rates of SPEC §5 and §10 on integer arrays (numpy and scipy.sparse.csgraph), over
the cascade a store hands over. Every answer — CLI, API, web, map, report, planner — is
computed here; the networkx oracle of the tests (SPEC §5 written plainly) is what the
property tests hold these equal to on every field.

A skill's teaching graph is a :class:`SkillArrays`: nodes numbered 0..n-1 in ``ikm_id``
order (so every tie broken "by the smaller id" is broken by the smaller number), edges
as parallel arrays, dates as ordinals. Nothing here builds a Python object per node
except for the rows of the answer; the work is a few passes over the edges, one per
generation (or per level of the graph read from its sinks) where a pass must wait for
the one before it.
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from tular.graph.metrics.results import (
    CHAIN_STATUSES,
    DEFAULT_CITY_POPULATION,
    FINDING_ORDER,
    MAX_LINEAGE_PATHS,
    TOP_TEACHERS,
    AreaFilter,
    AreaRow,
    Broken,
    ChainRow,
    Chains,
    ChainSizeCount,
    Concentration,
    GenerationRow,
    KecamatanRow,
    LineageOfSkill,
    OutcomeArea,
    OutcomeGeneration,
    OutcomeRates,
    Person,
    Reach,
    TopTeacher,
)
from tular.graph.model.gazetteer import Gazetteer

if TYPE_CHECKING:
    from scipy.sparse import csr_array

# scipy (0.3 s to import) is imported by the functions that need it: a question about a city's
# acyclic graph is answered with numpy alone, and a command that asks one does not pay for it.

#: Larger trees could overflow int64 in the Wiener index (n³/4); they are summed as Python ints.
WIENER_INT64_LIMIT = 3_000_000
#: Above this many keys, :func:`grouped` sorts by counting with scipy (numpy's stable sort of
#: int64 compares); below, numpy's is quicker than building a sparse matrix.
COUNTING_SORT_FROM = 100_000
#: A graph of more nodes than this has onward reaches walked by scipy's breadth-first search
#: in C; a smaller one (a city's skill) in Python, over lists, cheaper than building a matrix.
SMALL_GRAPH = 20_000
NEVER = np.iinfo(np.int64).min


@dataclass
class SkillArrays:
    """One skill's ``TAUGHT_BY`` edges dated on or before ``as_of``, as integer arrays.

    The nodes are at least every end of an edge and every attendee; more are harmless
    (an IKM without an edge is not in G).
    """

    skill: str
    as_of: date
    ids: np.ndarray  # ikm_id of each node (object array), ascending
    keys: np.ndarray  # int64 per node, the same for the same IKM in every skill of one call
    kelurahan: np.ndarray  # per node, an index into ``kelurahan_codes``
    kelurahan_codes: Sequence[str]
    teacher: np.ndarray  # int64 node numbers, one per edge (knowledge flows teacher -> learner)
    learner: np.ndarray
    day: np.ndarray  # int64 ``date.toordinal()`` of each edge
    #: completed attendance at a training of the skill that ended ≤ as_of: (node, training_id, end_date)
    attendance: list[tuple[int, str, date]] = field(default_factory=list)
    #: the cascade: generation of every node, -1 when not reached (set by the store)
    level: np.ndarray | None = None
    #: arrays derived from the edges (adjacency, degrees, layers), computed once; a store
    #: may share one dict between the views of the same skill and date
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    def index(self, ikm_id: str) -> int | None:
        """The node number of ``ikm_id``, or None."""
        i = int(np.searchsorted(self.ids, ikm_id)) if self.n else 0
        return i if i < self.n and self.ids[i] == ikm_id else None

    # ---------------------------------------------------------------- derived arrays, computed once
    def _once(self, name: str, make: Callable[[], object]):
        if name not in self.derived:
            self.derived[name] = make()
        return self.derived[name]

    @property
    def out_degree(self) -> np.ndarray:
        return self._once("out", lambda: np.bincount(self.teacher, minlength=self.n))

    @property
    def in_degree(self) -> np.ndarray:
        return self._once("in", lambda: np.bincount(self.learner, minlength=self.n))

    @property
    def forward(self) -> csr_array:
        """Teacher -> learner adjacency as a scipy matrix, for csgraph."""
        return self._once("forward", lambda: _csr(self.teacher, self.learner, self.n))

    @property
    def learners_of(self) -> tuple[np.ndarray, np.ndarray]:
        """Per teacher, its learners: (indptr, learner), the rows of :attr:`forward` without
        scipy (each teacher's learners in the order of the edges)."""
        def make():
            order = grouped(self.teacher, self.n)
            indptr = np.zeros(self.n + 1, dtype=np.int64)
            np.cumsum(self.out_degree, out=indptr[1:])
            return indptr, self.learner[order]
        return self._once("learners_of", make)

    @property
    def reverse(self) -> csr_array:
        """Learner -> teacher adjacency."""
        return self._once("reverse", lambda: _csr(self.learner, self.teacher, self.n))

    @property
    def backward(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per learner, its teachers: (indptr, teacher, edge number)."""
        def make():
            order = grouped(self.learner, self.n)
            indptr = np.zeros(self.n + 1, dtype=np.int64)
            np.cumsum(self.in_degree, out=indptr[1:])
            return indptr, self.teacher[order], order
        return self._once("backward", make)

    @property
    def from_sinks(self) -> list[np.ndarray]:
        """The nodes in layers: first those that taught nobody, then those all of whose
        learners are in earlier layers, and so on (a topological order, read backwards)."""
        def make():
            indptr, teachers, _ = self.backward
            remaining = self.out_degree.copy()
            layer = np.flatnonzero(remaining == 0)
            layers = []
            scratch = np.empty(self.n, dtype=np.int64)
            while layer.size:
                layers.append(layer)
                above = _gather(indptr, teachers, layer)
                if not above.size:
                    break
                np.subtract.at(remaining, above, 1)
                above = _distinct(above, scratch)
                layer = above[remaining[above] == 0]
            return layers
        return self._once("from_sinks", make)

    @property
    def acyclic(self) -> bool:
        """Whether the graph holds no cycle. SPEC §2 forbids one within a skill, but a store
        may hold one anyway (an older version, a hand edit in Neo4j Browser): every node is
        in :attr:`from_sinks` exactly when there is none."""
        return self._once("acyclic", lambda: sum(len(layer) for layer in self.from_sinks) == self.n)

    @property
    def condensed(self) -> tuple[SkillArrays, np.ndarray]:
        """The graph of the strongly connected components (a DAG: each cycle, with every node
        that is on one with it, becomes one node, numbered in the order of its smallest
        member) and the component of every node. It keeps the edges between components with
        their dates; an edge within one is dropped."""
        def make():
            from scipy.sparse.csgraph import connected_components

            count, component = connected_components(self.forward, directed=True, connection="strong")
            first = np.full(count, self.n, dtype=np.int64)
            np.minimum.at(first, component, np.arange(self.n))
            renumber = np.empty(count, dtype=np.int64)
            renumber[np.argsort(first, kind="stable")] = np.arange(count)
            component = renumber[component]
            first = np.sort(first)
            between = component[self.teacher] != component[self.learner]
            graph = SkillArrays(
                skill=self.skill, as_of=self.as_of, ids=self.ids[first], keys=self.keys[first],
                kelurahan=self.kelurahan[first], kelurahan_codes=self.kelurahan_codes,
                teacher=component[self.teacher[between]], learner=component[self.learner[between]],
                day=self.day[between])
            return graph, component
        return self._once("condensed", make)


def numbered(number: Mapping[str, int], keys: Sequence[str]) -> np.ndarray:
    """``number[k]`` for every k of ``keys``, as an array (itemgetter does the lookups in C:
    a second for the two ends of two million edges, where a comprehension takes three)."""
    if len(keys) < 2:
        return np.array([number[k] for k in keys], dtype=np.int64)
    return np.array(operator.itemgetter(*keys)(number), dtype=np.int64)


def grouped(keys: np.ndarray, n: int) -> np.ndarray:
    """The positions of ``keys`` (integers in [0, n)) ordered by key, in their own order
    within a key: a stable argsort by counting (scipy's conversion to CSR), several times
    faster than numpy's comparison sort of int64."""
    m = len(keys)
    if m < COUNTING_SORT_FROM:
        return np.argsort(keys, kind="stable").astype(np.int64, copy=False)
    from scipy.sparse import csr_array

    rows = csr_array((np.ones(m, dtype=np.int8), (keys, np.arange(m))), shape=(max(n, 1), max(m, 1)))
    return rows.indices.astype(np.int64)


def _csr(rows: np.ndarray, cols: np.ndarray, n: int) -> csr_array:
    from scipy.sparse import csr_array

    # float64: the dtype csgraph works in, so that it takes the matrix without a copy
    return csr_array((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, n))


def _distinct(values: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """``values`` without repeats, in no particular order: linear, with a scratch array as
    long as the graph (faster than sorting, and than ``np.unique``)."""
    positions = np.arange(len(values))
    scratch[values] = positions
    return values[scratch[values] == positions]


def _gather(indptr: np.ndarray, values: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """``values[indptr[v]:indptr[v+1]]`` for every v of ``nodes``, concatenated."""
    starts = indptr[nodes]
    counts = indptr[nodes + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return values[:0]
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return values[shift + np.arange(total)]


def _edges_of(indptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The positions ``indptr[v]..indptr[v+1]-1`` of every v of ``nodes``, concatenated."""
    starts = indptr[nodes]
    counts = indptr[nodes + 1] - starts
    total = int(counts.sum())
    return np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)


# ----------------------------------------------------------------------------- cascade
def earliest_completions(attendance: Iterable[tuple], as_of: date, cohort: Iterable[str] | None = None,
                         year: int | None = None) -> dict:
    """Per attendee of ``(attendee, training, end)`` completions, its earliest end by ``as_of``
    among the trainings ``cohort`` and ``year`` choose: the seeds and when they learned."""
    wanted = set(cohort) if cohort else None
    seeds: dict = {}
    for attendee, training, end in attendance:
        if end > as_of or (wanted is not None and training not in wanted):
            continue
        if year is not None and end.year != year:
            continue
        if attendee not in seeds or end < seeds[attendee]:
            seeds[attendee] = end
    return seeds


def select_seeds(a: SkillArrays, cohort: Iterable[str] | None = None, year: int | None = None) -> dict[int, date]:
    """Seeds S (SPEC §5) by node number, with the day each learned the skill: its earliest
    completed training of the skill ended by the as-of date (in ``cohort`` / ending in
    ``year``, when given)."""
    return earliest_completions(a.attendance, a.as_of, cohort, year)


def seed_trainings(a: SkillArrays, nodes: Iterable[int], cohort: Iterable[str] | None = None,
                   year: int | None = None) -> set[str]:
    """The distinct trainings (ended by the as-of date, in ``cohort`` / ending in ``year``)
    that made seeds of ``nodes``: the trainings whose budgets a cost counts."""
    chosen, wanted = set(nodes), set(cohort) if cohort else None
    return {
        training for node, training, end in a.attendance
        if node in chosen and end <= a.as_of and (wanted is None or training in wanted)
        and (year is None or end.year == year)
    }


def generations(a: SkillArrays, seeds: Iterable[int]) -> np.ndarray:
    """Generation of every node (-1: not reached): a breadth-first pass per generation."""
    indptr, learners = a.learners_of
    level = np.full(a.n, -1, dtype=np.int64)
    scratch = np.empty(a.n, dtype=np.int64)
    frontier = _distinct(np.fromiter(seeds, dtype=np.int64), scratch)
    level[frontier] = 0
    depth = 0
    while frontier.size:
        depth += 1
        found = _gather(indptr, learners, frontier)
        found = _distinct(found[level[found] < 0], scratch)
        level[found] = depth
        frontier = found
    return level


#: A day later than every date (a node a cascade never reaches).
UNREACHED = np.iinfo(np.int64).max


@dataclass(frozen=True)
class ReachDays:
    """A skill's cascade for every as-of date at once, from one walk over all its edges
    (:func:`reach_days`): per generation g, the nodes that come within g teaching steps of a
    seed earlier than within g − 1, and from which day (``toordinal``). Every date's
    :func:`generations` from its seeds follow (:meth:`level`), without another walk."""

    n: int
    nodes: tuple[np.ndarray, ...]  # per generation
    days: tuple[np.ndarray, ...]

    def level(self, as_of: date) -> np.ndarray:
        """The cascade as of ``as_of`` from the seeds of every completed training ended by
        then: a node's generation is the first g from which it is within g steps of a seed
        by that date (the rows hold, per node, days that only fall as g grows)."""
        day = as_of.toordinal()
        level = np.full(self.n, -1, dtype=np.int64)
        for g, (nodes, days) in enumerate(zip(self.nodes, self.days)):
            if not nodes.size or days[0] > day:  # each row is sorted by day
                continue
            due = nodes[:np.searchsorted(days, day, side="right")]
            level[due[level[due] < 0]] = g
        return level


def reach_days(n: int, seed_day: np.ndarray,
               expand: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]) -> ReachDays:
    """The earliest day E_g(v) from which each node v is within g steps of a seed (a seed from
    ``seed_day``, its earliest completed training; each step a teaching dated by then), for
    every g: E_0 = ``seed_day`` and E_g(v) = min(E_{g−1}(v), min over the teachings u → v of
    max(E_{g−1}(u), its day)) — a breadth-first walk in which a node is expanded again only
    when it came nearer (so, mostly, once). The graph as of a date d holds the teachings
    dated ≤ d and the seeds of ``seed_day`` ≤ d; a node's generation then is the fewest steps
    from those seeds over those teachings: the first g with E_g(v) ≤ d.

    ``expand(nodes, days)``, the step: for teachers ``nodes`` and their days, the learners of
    each and the later of the teacher's day and the teaching's (a learner may come more than
    once) — :func:`expand_edges` in memory, a Cypher query on Neo4j."""
    current = np.asarray(seed_day, dtype=np.int64).copy()
    changed = np.flatnonzero(current < UNREACHED)
    rows_nodes, rows_days = [], []
    while changed.size:
        on_day = np.argsort(current[changed], kind="stable")
        rows_nodes.append(changed[on_day])
        rows_days.append(current[changed][on_day])
        learners, days = expand(changed, current[changed])
        following = current.copy()
        np.minimum.at(following, learners, days)
        changed = np.flatnonzero(following < current)
        current = following
    return ReachDays(n=n, nodes=tuple(rows_nodes), days=tuple(rows_days))


def expand_edges(n: int, teacher: np.ndarray, learner: np.ndarray, day: np.ndarray,
                 ) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The step of :func:`reach_days` over edges in memory."""
    def expand(nodes: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        since = np.full(n, UNREACHED, dtype=np.int64)
        since[nodes] = days
        use = since[teacher] < UNREACHED
        return learner[use], np.maximum(since[teacher[use]], day[use])
    return expand


def seed_days(n: int, attendance: Iterable[tuple[int, str, date]]) -> np.ndarray:
    """Per node, the day (``toordinal``) of its earliest completed training: when it becomes a
    seed (:data:`UNREACHED` for a node without one)."""
    first = np.full(n, UNREACHED, dtype=np.int64)
    for node, _, end in attendance:
        if end.toordinal() < first[node]:
            first[node] = end.toordinal()
    return first


def levels_as_dict(a: SkillArrays, level: np.ndarray) -> dict[str, int]:
    covered = np.flatnonzero(level >= 0)
    return dict(zip(a.ids[covered].tolist(), level[covered].tolist()))


# ------------------------------------------------------------------------------ reach
@dataclass
class Lookups:
    """The store-wide inputs of the metrics, gathered once per call."""

    gazetteer: Gazetteer
    budgets: Mapping[str, int | None] = field(default_factory=dict)
    populations: Mapping[str, int] = field(default_factory=dict)
    ikm_per_kelurahan: Mapping[str, int] = field(default_factory=dict)


Names = Callable[[Iterable[str]], Mapping[str, Person]]


def multiplier(total: int, seeds: int) -> float | None:
    """total / |S|, null without a seed (SPEC §5).

    >>> multiplier(22, 2), multiplier(3, 0)  # Bunulrejo: 2 seeds, 20 reached
    (11.0, None)
    """
    return total / seeds if seeds else None


def headline(counted_level: np.ndarray) -> tuple[int, int, int | None]:
    """Seeds, total and max depth of the counted IKM of a cascade, given their generations
    (SPEC §5: with no seed, no depth)."""
    n_seeds = int(np.count_nonzero(counted_level == 0))
    return n_seeds, int(counted_level.size), int(counted_level.max()) if n_seeds else None


def coverage_population(lookups: Lookups, area: AreaFilter) -> int | None:
    """IKM population of the counted area (SPEC §5): a kelurahan's figure from the populations
    input, else the IKM on record there; a kecamatan the sum of its kelurahan; the city the sum
    of all kelurahan only when the input gives every one of them, else 13,000 (one kelurahan's
    figure never replaces the city's)."""
    def kelurahan_population(code: str) -> int:
        return lookups.populations.get(code, lookups.ikm_per_kelurahan.get(code, 0))

    if area.kelurahan:
        return kelurahan_population(area.kelurahan)
    if area.kecamatan:
        return sum(kelurahan_population(k.code) for k in lookups.gazetteer.kelurahan_list
                   if k.kecamatan_code == area.kecamatan)
    every = lookups.gazetteer.kelurahan_list
    if not all(k.code in lookups.populations for k in every):
        return DEFAULT_CITY_POPULATION
    return sum(lookups.populations[k.code] for k in every)


def generation_rows(sizes: Sequence[int], active: Sequence[int]) -> list[GenerationRow]:
    """The generation rows of a reach from the IKM counted per generation and, of them, those
    who taught someone reached."""
    return [
        GenerationRow(
            generation=g, count=sizes[g],
            ratio=sizes[g + 1] / sizes[g] if g + 1 < len(sizes) and sizes[g] else None,
            active_share=active[g] / sizes[g] if sizes[g] else None,
        )
        for g in range(len(sizes))
    ]


def area_tables(kel_rows: Mapping[str, Sequence[int]], kec_rows: Mapping[str, Sequence[int]], gazetteer: Gazetteer,
                ) -> tuple[list[AreaRow], list[KecamatanRow]]:
    """The per-kelurahan and per-kecamatan rows of a reach from ``[seeds, reached, imported]``
    by kelurahan and by kecamatan code, in name order."""
    area_rows = [
        AreaRow(kecamatan=gazetteer.kecamatan_of(code).name, kelurahan=gazetteer.by_code(code).name, seeds=s,
                reached=r, total=s + r, multiplier=multiplier(s + r, s), imported=imp)
        for code, (s, r, imp) in kel_rows.items()
    ]
    area_rows.sort(key=lambda row: (row.kecamatan, row.kelurahan))
    kec_name = {k.code: k.name for k in gazetteer.kecamatan_list}
    kecamatan_rows = sorted(
        (KecamatanRow(kecamatan=kec_name[code], seeds=s, reached=r, total=s + r, multiplier=multiplier(s + r, s),
                      imported=imp) for code, (s, r, imp) in kec_rows.items()),
        key=lambda row: row.kecamatan,
    )
    return area_rows, kecamatan_rows


def cost_per_ikm(budgets: Mapping[str, int | None], trainings: Iterable[str], total: int,
                 warnings: list[str]) -> int | None:
    """The seeds' trainings' budgets over the IKM counted (SPEC §5), rounded to the rupiah;
    a warning names the trainings left out for want of a budget."""
    trainings = sorted(trainings)
    known = [budgets[t] for t in trainings if budgets.get(t) is not None]
    unbudgeted = [t for t in trainings if budgets.get(t) is None]
    if unbudgeted and known:
        warnings.append(f"trainings without a budget are left out of the cost: {', '.join(unbudgeted)}")
    return round(sum(known) / total) if known and total else None


def _gazetteer_positions(a: SkillArrays, gazetteer: Gazetteer) -> np.ndarray:
    """Each node's kelurahan as a position in ``gazetteer.kelurahan_list``."""
    position = {k.code: i for i, k in enumerate(gazetteer.kelurahan_list)}
    per_code = np.array([position.get(code, -1) for code in a.kelurahan_codes], dtype=np.int64)
    return per_code[a.kelurahan] if len(per_code) else np.zeros(a.n, dtype=np.int64)


def nearest_seed_areas(a: SkillArrays, level: np.ndarray, kelurahan: np.ndarray, width: int) -> np.ndarray:
    """Per node, a bit set (``width`` 64-bit words) of the kelurahan of its nearest seeds:
    a seed holds its own; a reached IKM the union over its teachers one generation nearer."""
    words = max(1, -(-width // 64))
    masks = np.zeros((a.n, words), dtype=np.uint64)
    seeds = np.flatnonzero(level == 0)
    masks[seeds, kelurahan[seeds] // 64] = np.left_shift(np.uint64(1), (kelurahan[seeds] % 64).astype(np.uint64))
    t, lv = a.teacher, level[a.learner]
    step = (lv > 0) & (level[t] == lv - 1)
    t, learner, lv = t[step], a.learner[step], lv[step]
    order = grouped(lv, int(lv.max()) + 1 if lv.size else 0)
    t, learner, lv = t[order], learner[order], lv[order]
    bounds = np.searchsorted(lv, np.arange(1, (int(lv[-1]) if lv.size else 0) + 2))
    for g in range(len(bounds) - 1):
        part = slice(bounds[g], bounds[g + 1])
        np.bitwise_or.at(masks, learner[part], masks[t[part]])
    return masks


def onward_reach_bound(a: SkillArrays) -> np.ndarray:
    """An upper bound of every node's onward reach: the number of paths leaving it
    (Σ over its learners of 1 + theirs), as a float so that it never overflows."""
    indptr, teachers, _ = a.backward
    bound = np.zeros(a.n, dtype=np.float64)
    for layer in a.from_sinks:
        edges = _edges_of(indptr, layer)
        if edges.size:
            np.add.at(bound, teachers[edges], 1.0 + bound[np.repeat(layer, a.in_degree[layer])])
    if not a.acyclic:  # on a cycle or above one (a broken invariant): bounded by every node only
        layered = np.zeros(a.n, dtype=bool)
        for layer in a.from_sinks:
            layered[layer] = True
        bound[~layered] = float(a.n)
    return bound


def onward_reach(a: SkillArrays, node: int) -> int:
    """Number of descendants of ``node`` in G."""
    if a.out_degree[node] == 0:
        return 0
    if a.n > SMALL_GRAPH or not a.acyclic:
        from scipy.sparse.csgraph import breadth_first_order

        return len(breadth_first_order(a.forward, node, directed=True, return_predecessors=False)) - 1
    indptr, learners = a._once("learner_lists", lambda: tuple(part.tolist() for part in a.learners_of))
    seen, stack = {node}, [node]
    while stack:
        v = stack.pop()
        for w in learners[indptr[v]:indptr[v + 1]]:
            if w not in seen:
                seen.add(w)
                stack.append(w)
    return len(seen) - 1


def onward_reaches(a: SkillArrays) -> np.ndarray:
    """Onward reach of every node (the number of its descendants in G: an IKM reachable two
    ways counts once), from one pass over the graph read from its sinks: each node's
    descendants as a bit set (a Python int, the nodes read first on the low bits), so that a
    long chain costs little more than a bushy tree. On a graph with a cycle (a broken
    invariant), on the graph of its strongly connected components, each one a run of bits:
    the IKM of a cycle reach one another."""
    graph, component = (a, None) if a.acyclic else a.condensed
    size = np.ones(graph.n, dtype=np.int64) if component is None else np.bincount(component, minlength=graph.n)
    order = np.concatenate(graph.from_sinks) if graph.n else np.zeros(0, dtype=np.int64)
    offset = np.empty(graph.n, dtype=np.int64)
    offset[order] = np.cumsum(size[order]) - size[order]
    offset, size = offset.tolist(), size.tolist()
    indptr, learners = (part.tolist() for part in graph.learners_of)
    below = [0] * graph.n
    for node in order.tolist():
        start, end = indptr[node], indptr[node + 1]
        descendants = 0
        for learner in learners[start:end]:
            descendants |= (((1 << size[learner]) - 1) << offset[learner]) | below[learner]
        below[node] = descendants
    reach = np.array([n - 1 + b.bit_count() for n, b in zip(size, below)], dtype=np.int64)
    return reach if component is None else reach[component]


def top_by_onward_reach(a: SkillArrays, candidates: np.ndarray, level: np.ndarray, k: int = TOP_TEACHERS,
                        ) -> list[tuple[int, int]]:
    """The ``k`` candidates with the largest onward reach (ties: lower generation, then id),
    exact reach computed only where the bound could still beat the k-th best."""
    candidates = candidates[a.out_degree[candidates] > 0]
    if not candidates.size:
        return []
    bound = np.minimum(onward_reach_bound(a)[candidates], float(a.n))
    lv = np.maximum(level[candidates], 0)
    order = np.lexsort((candidates, lv, -bound))
    best: list[tuple[tuple, int, int]] = []
    for i in order.tolist():
        node, b, g = int(candidates[i]), bound[i], int(lv[i])
        if len(best) == k and (-b, g, node) > best[-1][0]:
            break
        reach = onward_reach(a, node)
        best.append(((-reach, g, node), node, reach))
        best.sort()
        del best[k:]
    return [(node, reach) for _, node, reach in best]


def first_teachers(a: SkillArrays, level: np.ndarray) -> np.ndarray:
    """Parent of every reached node in its seed's tree (-1 for the others): its earliest-dated
    teacher in S ∪ R, ties to the smaller teacher id. Where the graph holds a cycle (a broken
    invariant) these may go round in a loop: every node of a loop then hangs under its
    earliest teacher one generation nearer a seed (ties to the smaller id), until no loop is
    left — each such step lowers the generation, so every tree ends at a seed."""
    parent, _ = _earliest_teachers(a, (level[a.learner] > 0) & (level[a.teacher] >= 0))
    if a.acyclic:
        return parent
    nearer, _ = generation_parents(a, level)
    while True:
        child = np.flatnonzero(parent >= 0)
        from scipy.sparse.csgraph import connected_components

        _, loop = connected_components(_csr(child, parent[child], a.n), directed=True, connection="strong")
        looped = (np.bincount(loop)[loop] > 1) | (parent == np.arange(a.n))
        if not looped.any():
            return parent
        parent = np.where(looped, nearer, parent)


def _earliest_teachers(a: SkillArrays, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per learner, the earliest-dated teacher of the edges ``keep`` selects (ties to the smaller
    teacher id; -1 for a node without such an edge) and the day of that teaching (``NEVER``)."""
    parent = np.full(a.n, -1, dtype=np.int64)
    taught_on = np.full(a.n, NEVER, dtype=np.int64)
    t, learner, day = a.teacher[keep], a.learner[keep], a.day[keep]
    teachers = np.bincount(learner, minlength=a.n)
    alone = teachers[learner] == 1
    parent[learner[alone]] = t[alone]  # most learners: a single teacher, nothing to choose
    taught_on[learner[alone]] = day[alone]
    t, learner, day = t[~alone], learner[~alone], day[~alone]
    order = np.lexsort((t, day, learner))
    learner, t, day = learner[order], t[order], day[order]
    first = np.ones(len(learner), dtype=bool)
    first[1:] = learner[1:] != learner[:-1]
    parent[learner[first]] = t[first]
    taught_on[learner[first]] = day[first]
    return parent, taught_on


def generation_parents(a: SkillArrays, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per reached node of generation g, its teacher of generation g − 1 whose teaching to it is
    earliest-dated (ties to the smaller teacher id), and the day of that teaching; -1 and
    ``NEVER`` for the others (SPEC §12). Every step lowers the generation, so following the
    parents ends at a seed on any graph, one holding a cycle too."""
    return _earliest_teachers(a, (level[a.learner] > 0) & (level[a.teacher] == level[a.learner] - 1))


def _roots_and_depths(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Root and depth of every node of the forest given by ``parent`` (-1 at a root), by
    pointer jumping: log₂(depth) passes."""
    jump = np.where(parent >= 0, parent, np.arange(len(parent)))
    dist = (parent >= 0).astype(np.int64)
    while True:
        following = jump[jump]
        if np.array_equal(following, jump):
            return jump, dist
        dist = dist + dist[jump]
        jump = following


def tree_sizes(parent: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Size of the subtree under every node of the forest ``nodes``, and every node's root."""
    root, depth = _roots_and_depths(parent)
    size = np.zeros(len(parent), dtype=np.int64)
    size[nodes] = 1
    deepest = int(depth.max()) if len(depth) else 0
    order = grouped(deepest - depth[nodes], deepest + 1)
    by_depth, depth_sorted = nodes[order], depth[nodes][order]
    bounds = np.flatnonzero(np.diff(depth_sorted)) + 1
    for part in np.split(by_depth, bounds):
        if part.size and parent[part[0]] >= 0:
            np.add.at(size, parent[part], size[part])
    return size, root


def virality(a: SkillArrays, level: np.ndarray, seeds: np.ndarray) -> list[dict]:
    """Structural virality of the first-teacher tree of each of ``seeds``, largest first (as
    the fields of :class:`Virality`: validating dicts in bulk beats building models one by one)."""
    if not seeds.size:
        return []
    parent = first_teachers(a, level)
    covered = np.flatnonzero(level >= 0)
    size, root = tree_sizes(parent, covered)
    below = covered[parent[covered] >= 0]
    below_root = root[below]
    n_root = size[below_root]
    if n_root.size and n_root.max() >= WIENER_INT64_LIMIT:
        terms = size[below].astype(object) * (n_root.astype(object) - size[below].astype(object))
    else:
        terms = size[below] * (n_root - size[below])
    wiener: dict[int, int] = {}
    if below.size:
        order = grouped(below_root, len(parent))
        roots_sorted = below_root[order]
        starts = np.flatnonzero(np.r_[True, roots_sorted[1:] != roots_sorted[:-1]])
        sums = np.add.reduceat(terms[order], starts)
        wiener = dict(zip(roots_sorted[starts].tolist(), (int(s) for s in sums)))
    sizes = size[seeds]
    order = np.lexsort((seeds, -sizes))
    result = []
    for seed, n in zip(seeds[order].tolist(), sizes[order].tolist()):
        value = wiener.get(seed, 0) / (n * (n - 1) / 2) if n >= 2 else None
        result.append({"seed": a.ids[seed], "size": n, "structural_virality": value})
    return result


#: SPEC §12: the shares of the teachings given by the top 5 % and the top 20 % of teachers.
CONCENTRATION_PERCENTS = (5, 20)


def top_share(teachings_per_teacher: Sequence[int] | np.ndarray, percent: int) -> float | None:
    """The share of all teachings given by the top k = ⌈percent/100 × teachers⌉ teachers
    (by their number of teachings), counted in integers so that ⌈5 % × 60⌉ is 3, not 4.

    >>> top_share([10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 5)  # 1 of 20 teachers
    0.3448275862068966
    >>> top_share([2, 2, 1], 20), top_share([], 20)  # k = ⌈0.6⌉ = 1
    (0.4, None)
    """
    counts = np.sort(np.asarray(teachings_per_teacher, dtype=np.int64))[::-1]
    total = int(counts.sum())
    if not total:
        return None
    k = -(-percent * len(counts) // 100)
    return int(counts[:k].sum()) / total


def concentration(a: SkillArrays, level: np.ndarray, counted_teachers: np.ndarray | None = None) -> Concentration:
    """SPEC §12 concentration of the cascade ``level``: a teaching is an edge of G with both ends
    in S ∪ R, a teacher an IKM with at least one. With an area filter, ``counted_teachers``
    (per node) says which teachers are counted — those located in the area, as the generation
    rows count them."""
    inside = (level[a.teacher] >= 0) & (level[a.learner] >= 0)
    if counted_teachers is not None:
        inside &= counted_teachers[a.teacher]
    per_teacher = np.bincount(a.teacher[inside], minlength=a.n)
    per_teacher = per_teacher[per_teacher > 0]
    five, twenty = (top_share(per_teacher, p) for p in CONCENTRATION_PERCENTS)
    return Concentration(teachers=int(per_teacher.size), teachings=int(per_teacher.sum()),
                         top_5_percent_share=five, top_20_percent_share=twenty)


def reach(a: SkillArrays, lookups: Lookups, names: Names, level: np.ndarray, *, cohort: Iterable[str] | None = None,
          year: int | None = None, area: AreaFilter | None = None, top: list[tuple[int, int]] | None = None) -> Reach:
    """SPEC §5 reach of one skill, from arrays and the cascade ``level`` walked from the
    seeds that ``cohort`` and ``year`` select. ``top``: the top teachers, when the caller
    has them already (to look up the names of several skills' at once)."""
    area = area or AreaFilter()
    gazetteer = lookups.gazetteer
    seeds = select_seeds(a, cohort, year)
    kelurahan_list = gazetteer.kelurahan_list
    kelurahan = _gazetteer_positions(a, gazetteer)
    kecamatan_codes = sorted({k.kecamatan_code for k in kelurahan_list})
    kecamatan_position = {code: i for i, code in enumerate(kecamatan_codes)}
    kecamatan_of = np.array([kecamatan_position[k.kecamatan_code] for k in kelurahan_list], dtype=np.int64)
    admitted = _admitted(area, gazetteer)
    covered = level >= 0
    counted = covered & admitted[kelurahan]
    reached_all = level > 0
    warnings: list[str] = []

    # headline
    counted_level = level[counted]
    n_seeds, n_total, depth = headline(counted_level)
    rows = []
    if depth is not None:
        sizes = np.bincount(counted_level, minlength=depth + 1).tolist()
        taught_reached = np.zeros(a.n, dtype=bool)
        taught_reached[a.teacher[reached_all[a.learner]]] = True
        active = np.bincount(level[counted & taught_reached], minlength=depth + 1).tolist()
        rows = generation_rows(sizes, active)

    # areas: seeds, reached and imported per kelurahan and per kecamatan
    n_kelurahan = len(kelurahan_list)
    masks = nearest_seed_areas(a, level, kelurahan, n_kelurahan)
    counted_seeds = np.flatnonzero(counted & (level == 0))
    counted_reached = np.flatnonzero(counted & reached_all)
    kel = kelurahan[counted_reached]
    own_bit = (masks[counted_reached, kel // 64] >> (kel % 64).astype(np.uint64)) & np.uint64(1)
    kecamatan_masks = np.zeros((len(kecamatan_codes), masks.shape[1]), dtype=np.uint64)
    for i, k in enumerate(kecamatan_of.tolist()):
        kecamatan_masks[k, i // 64] |= np.uint64(1) << np.uint64(i % 64)
    kec = kecamatan_of[kel]
    kec_imported = ~np.any(masks[counted_reached] & kecamatan_masks[kec], axis=1)
    kel_seeds = np.bincount(kelurahan[counted_seeds], minlength=n_kelurahan)
    kel_reached = np.bincount(kel, minlength=n_kelurahan)
    kel_imported = np.bincount(kel[own_bit == 0], minlength=n_kelurahan)
    kec_imported_n = np.bincount(kec[kec_imported], minlength=len(kecamatan_codes))
    kel_rows: dict[str, list[int]] = {}
    kec_rows: dict[str, list[int]] = {}
    for i, k in enumerate(kelurahan_list):
        if not admitted[i]:
            continue
        kel_rows[k.code] = [int(kel_seeds[i]), int(kel_reached[i]), int(kel_imported[i])]
        row = kec_rows.setdefault(k.kecamatan_code, [0, 0, 0])
        row[0] += int(kel_seeds[i])
        row[1] += int(kel_reached[i])
    for code, row in kec_rows.items():
        row[2] = int(kec_imported_n[kecamatan_position[code]])
    area_rows, kecamatan_rows = area_tables(kel_rows, kec_rows, gazetteer)

    # coverage and cost
    population = coverage_population(lookups, area)
    coverage = n_total / population if population else None
    trainings = seed_trainings(a, counted_seeds.tolist(), cohort, year)
    cost = cost_per_ikm(lookups.budgets, trainings, n_total, warnings)
    if not n_seeds:
        warnings.append(f"no completed training of {a.skill} ended by {a.as_of.isoformat()} in the selection: no seeds")
    seed_nodes = np.fromiter(seeds, dtype=np.int64, count=len(seeds))
    taught_seeds = int(np.count_nonzero(a.in_degree[seed_nodes] > 0)) if seed_nodes.size else 0
    if taught_seeds:
        warnings.append(f"{taught_seeds} seed(s) were also taught by another IKM; they count as generation 0")

    # top teachers and virality
    if top is None:
        top = top_by_onward_reach(a, np.flatnonzero(counted), level)
    people = names(a.ids[[node for node, _ in top]].tolist()) if top else {}
    code_names = {k.code: k.name for k in kelurahan_list}
    top_teachers = [
        TopTeacher(ikm_id=a.ids[node], name=people[a.ids[node]].name,
                   kelurahan=code_names[a.kelurahan_codes[a.kelurahan[node]]], generation=int(level[node]),
                   onward_reach=onward)
        for node, onward in top
    ]
    return Reach(
        skill=a.skill, as_of=a.as_of, seeds=n_seeds, reached=n_total - n_seeds, total=n_total,
        multiplier=multiplier(n_total, n_seeds), max_depth=depth, coverage=coverage, cost_per_ikm_idr=cost,
        generations=rows, areas=area_rows, kecamatan=kecamatan_rows, top_teachers=top_teachers,
        virality=virality(a, level, counted_seeds), warnings=warnings,
        concentration=concentration(a, level, counted),
    )


def _admitted(area: AreaFilter, gazetteer: Gazetteer) -> np.ndarray:
    """Per position in ``gazetteer.kelurahan_list``, whether ``area`` admits the kelurahan."""
    return np.array([area.admits(k.code, gazetteer) for k in gazetteer.kelurahan_list], dtype=bool)


def in_area(a: SkillArrays, area: AreaFilter, gazetteer: Gazetteer) -> np.ndarray:
    """Which nodes are located in ``area`` (by the IKM's own kelurahan)."""
    return _admitted(area, gazetteer)[_gazetteer_positions(a, gazetteer)]


def counted(a: SkillArrays, level: np.ndarray, area: AreaFilter, gazetteer: Gazetteer) -> np.ndarray:
    """Which nodes a reach counts: in the cascade and in the area."""
    return (level >= 0) & in_area(a, area, gazetteer)


def kelurahan_counts(graphs: Iterable[SkillArrays], gazetteer: Gazetteer) -> tuple[np.ndarray, np.ndarray]:
    """Per position in ``gazetteer.kelurahan_list``, the IKM located there that are seeds and
    those counted (seeds and reached) in at least one of the skills ``graphs`` (their cascades
    walked): for one skill, the ``seeds`` and ``total`` of the reach's area rows; for several,
    each IKM once, as ``distinct_total`` counts the city (SPEC §5)."""
    n_kelurahan = len(gazetteer.kelurahan_list)
    seed_keys, total_keys = [], []
    for a in graphs:
        position = _gazetteer_positions(a, gazetteer)
        covered = a.level >= 0
        total_keys.append(np.stack([a.keys[covered], position[covered]]))
        seed_keys.append(np.stack([a.keys[a.level == 0], position[a.level == 0]]))

    def distinct(pairs: list[np.ndarray]) -> np.ndarray:
        rows = np.concatenate(pairs, axis=1) if pairs else np.zeros((2, 0), dtype=np.int64)
        rows = np.unique(rows[:, rows[1] >= 0], axis=1)
        return np.bincount(rows[1], minlength=n_kelurahan)

    return distinct(seed_keys), distinct(total_keys)


# ----------------------------------------------------------------------- broken chains
def latest_activity_below(a: SkillArrays) -> np.ndarray:
    """Per node, the latest date (ordinal) of an edge taught by it or by any of its
    descendants; ``NEVER`` when there is none. On a graph with a cycle (a broken invariant),
    worked out per strongly connected component: the IKM of a cycle share their descendants."""
    graph, component = (a, None) if a.acyclic else a.condensed
    indptr, teachers, edge = graph.backward
    latest = np.full(graph.n, NEVER, dtype=np.int64)
    np.maximum.at(latest, a.teacher if component is None else component[a.teacher], a.day)
    for layer in graph.from_sinks:
        edges = _edges_of(indptr, layer)
        if edges.size:
            np.maximum.at(latest, teachers[edges], latest[np.repeat(layer, graph.in_degree[layer])])
    return latest if component is None else latest[component]


def seed_ancestors(a: SkillArrays, level: np.ndarray) -> tuple[np.ndarray, dict[int, frozenset[int]]]:
    """Every seed whose lineage holds each node of the cascade, as ``sets[anchor[node]]``.

    A non-seed with a single teacher in the cascade has its teacher's seeds: only seeds and
    IKM with several such teachers (the anchors) get a set of their own, and every node
    points to its anchor (pointer jumping), so the Python work is per anchor, not per IKM.
    On a graph with a cycle (a broken invariant) the same on its strongly connected
    components: the IKM of a cycle are in the same lineages.
    """
    covered = level >= 0
    if a.acyclic:
        seeds = np.flatnonzero(level == 0).tolist()
        return _seed_ancestors(a, covered, level == 0, {s: frozenset((s,)) for s in seeds})
    graph, component = a.condensed
    in_cascade = np.zeros(graph.n, dtype=bool)
    in_cascade[component[covered]] = True  # the IKM of a component are all in the cascade, or none
    has_seeds = np.zeros(graph.n, dtype=bool)
    own: dict[int, set[int]] = {}
    for seed in np.flatnonzero(level == 0).tolist():
        has_seeds[component[seed]] = True
        own.setdefault(int(component[seed]), set()).add(seed)
    anchor, sets = _seed_ancestors(graph, in_cascade, has_seeds, {c: frozenset(s) for c, s in own.items()})
    return anchor[component], sets


def _seed_ancestors(a: SkillArrays, covered: np.ndarray, has_seeds: np.ndarray, own: dict[int, frozenset[int]],
                    ) -> tuple[np.ndarray, dict[int, frozenset[int]]]:
    """:func:`seed_ancestors` of a DAG whose nodes ``covered`` are in the cascade, those of
    them ``has_seeds`` holding the seeds ``own[node]``."""
    indptr, teachers, _ = a.backward
    in_cascade = np.bincount(a.learner[covered[a.teacher]], minlength=a.n)  # teachers in the cascade
    single = covered & ~has_seeds & (in_cascade == 1)
    keep = covered[a.teacher] & single[a.learner]
    parent = np.full(a.n, -1, dtype=np.int64)
    parent[a.learner[keep]] = a.teacher[keep]  # the one cascade teacher of a single-teacher node
    anchor, _ = _roots_and_depths(parent)
    anchors = np.flatnonzero(covered & ~single)
    height = np.zeros(a.n, dtype=np.int64)
    for h, layer in enumerate(a.from_sinks):
        height[layer] = h
    sets: dict[int, frozenset[int]] = {}
    nobody: frozenset[int] = frozenset()
    for node in anchors[np.argsort(-height[anchors], kind="stable")].tolist():  # teachers first
        above = teachers[indptr[node]:indptr[node + 1]]
        above = above[covered[above]]
        sets[node] = own.get(node, nobody).union(*(sets[u] for u in set(anchor[above].tolist())))
    return anchor, sets


def orphan_fragments(a: SkillArrays, level: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    """SPEC §5 orphans of the cascade ``level``: the IKM with an edge in G that no seed
    reaches (ascending), the fragment of each (a weakly connected component of the orphans,
    by a number), and per fragment its top (ascending): its IKM that have no teacher — a
    teacher of an orphan is an orphan too. Where a fragment starts at a cycle (a broken
    invariant), its top is the IKM of a cycle that nobody outside it taught. What
    ``broken`` and ``tular check`` report alike."""
    orphan = ((a.out_degree > 0) | (a.in_degree > 0)) & (level < 0)
    orphans = np.flatnonzero(orphan)
    if not orphans.size:
        return orphans, orphans, {}
    keep = orphan[a.teacher] & orphan[a.learner]
    from scipy.sparse.csgraph import connected_components

    _, label = connected_components(_csr(a.teacher[keep], a.learner[keep], a.n), directed=True, connection="weak")
    if a.acyclic:
        top = orphans[a.in_degree[orphans] == 0]
    else:
        _, component = a.condensed
        entered = np.zeros(a.n, dtype=bool)
        between = component[a.teacher] != component[a.learner]
        entered[component[a.learner[between]]] = True
        top = orphans[~entered[component[orphans]]]
    order = np.argsort(label[top], kind="stable")  # by fragment, ascending within one
    top, fragment = top[order], label[top][order]
    starts = np.flatnonzero(np.r_[True, fragment[1:] != fragment[:-1]]) if top.size else top
    tops = dict(zip(fragment[starts].tolist(), np.split(top, starts[1:])))
    return orphans, label[orphans], tops


@dataclass
class SeedStates:
    """Every seed's §5 state for a dormant window: what ``dead_seed`` and ``stalled_lineage``
    report, and what a chain's status (SPEC §12) is read from."""

    nodes: np.ndarray  # the seeds' node numbers
    learned: np.ndarray  # the day each learned (ordinal)
    taught: np.ndarray  # whether it taught anyone (its lineage has a teaching)
    latest: np.ndarray  # its lineage's last activity (ordinal; NEVER when it taught nobody)
    dead: np.ndarray  # a dead seed: taught nobody, learned on or before T − W
    stalled: np.ndarray  # a stalled lineage: taught, no teaching in its lineage after T − W


def seed_states(a: SkillArrays, seeds: Mapping[int, date], cutoff: int) -> SeedStates:
    """The :class:`SeedStates` of ``seeds`` (node → day learned) with T − W = ``cutoff`` (ordinal)."""
    nodes = np.fromiter(seeds, dtype=np.int64, count=len(seeds))
    learned = np.array([d.toordinal() for d in seeds.values()], dtype=np.int64)
    taught = a.out_degree[nodes] > 0
    latest = np.full(len(nodes), NEVER, dtype=np.int64)
    if taught.any():
        latest[taught] = latest_activity_below(a)[nodes[taught]]
    return SeedStates(nodes=nodes, learned=learned, taught=taught, latest=latest,
                      dead=~taught & (learned <= cutoff), stalled=taught & (latest <= cutoff))


def broken_chains(a: SkillArrays, lookups: Lookups, names: Names, level: np.ndarray, dormant_days: int) -> Broken:
    """SPEC §5 broken chains of one skill with window W = ``dormant_days``, from arrays and
    the cascade ``level`` walked from every seed. "≥ W before T" means on or before T − W;
    the stalled window is (T − W, T]."""
    as_of, gazetteer, ids = a.as_of, lookups.gazetteer, a.ids
    cutoff_date = as_of - timedelta(days=dormant_days)
    cutoff = cutoff_date.toordinal()
    seeds = select_seeds(a)
    out_degree = a.out_degree
    # per finding: kind (its rank in FINDING_ORDER), node, last activity (ordinal)
    kinds: list[np.ndarray] = []
    nodes: list[np.ndarray] = []
    lasts: list[np.ndarray] = []

    def found(kind: str, at: np.ndarray, last: np.ndarray) -> None:
        kinds.append(np.full(len(at), FINDING_ORDER.index(kind), dtype=np.int64))
        nodes.append(np.asarray(at, dtype=np.int64))
        lasts.append(np.asarray(last, dtype=np.int64))

    states = seed_states(a, seeds, cutoff)
    found("dead_seed", states.nodes[states.dead], states.learned[states.dead])
    found("stalled_lineage", states.nodes[states.stalled], states.latest[states.stalled])

    learned_on = np.full(a.n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(learned_on, a.learner, a.day)
    leaves = np.flatnonzero((level > 0) & (out_degree == 0) & (learned_on <= cutoff))
    found("dormant_leaf", leaves, learned_on[leaves])

    fragment_of = np.full(a.n, -1, dtype=np.int64)
    orphans, fragments, top_nodes = orphan_fragments(a, level)
    tops = {fragment: ids[top].tolist() for fragment, top in top_nodes.items()}
    if orphans.size:
        last = np.full(a.n, NEVER, dtype=np.int64)
        np.maximum.at(last, a.teacher, a.day)
        np.maximum.at(last, a.learner, a.day)
        fragment_of[orphans] = fragments
        found("orphan", orphans, last[orphans])

    kind, node, last = np.concatenate(kinds), np.concatenate(nodes), np.concatenate(lasts)
    order = np.lexsort((node, last, kind))  # -(days dormant) ascends with the last activity; ids as numbers
    kind, node, last = kind[order].tolist(), node[order], last[order].tolist()
    anchor, sets = seed_ancestors(a, level) if leaves.size else (None, {})
    seed_lists = {}  # per anchor, shared by the leaves under it
    people = names(ids[node].tolist()) if len(node) else {}
    code_names = {k.code: k.name for k in gazetteer.kelurahan_list}
    generation = level[node].tolist()
    fragment = fragment_of[node].tolist()
    findings = []  # the fields of each Finding: validated in bulk by Broken, faster than one by one
    for k, n, ikm_id, d, g, f in zip(kind, node.tolist(), ids[node].tolist(), last, generation, fragment):
        what = FINDING_ORDER[k]
        if what == "dormant_leaf":
            above = int(anchor[n])
            if above not in seed_lists:
                seed_lists[above] = [ids[s] for s in sorted(sets[above])]
            seed_list = seed_lists[above]
        else:
            seed_list = [] if what == "orphan" else [ikm_id]
        person = people[ikm_id]
        day = date.fromordinal(d)
        findings.append({
            "kind": what, "ikm_id": ikm_id, "name": person.name, "kelurahan": code_names[person.kelurahan],
            "generation": g if g >= 0 else None, "last_activity": day, "days_dormant": (as_of - day).days,
            "seeds": seed_list, "fragment_top": tops[f] if what == "orphan" else None,
        })
    return Broken(skill=a.skill, as_of=as_of, dormant_days=dormant_days, findings=findings)


# ------------------------------------------------------------------------------ chains
def chains(a: SkillArrays, gazetteer: Gazetteer, level: np.ndarray, dormant_days: int, *,
           statuses: Iterable[str] = (), min_size: int | None = None, includes: int | None = None) -> Chains:
    """SPEC §12 chains of one skill, from arrays and the cascade ``level`` walked from every
    seed: a chain is a seed and the reached IKM assigned to it, each reached IKM of generation
    g to the chain of its generation parent (:func:`generation_parents`), followed back to a
    seed. Rows largest first, then by seed id; the histogram of sizes over every chain. The
    filters (``statuses``, ``min_size``, ``includes``: the chain holding that node, none for
    -1 or a node outside the cascade) choose rows only.

    Status: ``dead_seed`` or ``stalled`` exactly when :func:`broken_chains` reports the seed
    as a dead seed or a stalled lineage with the same window, else ``growing`` when its
    lineage has a teaching, else ``new``."""
    as_of = a.as_of
    seeds = select_seeds(a)
    states = seed_states(a, seeds, (as_of - timedelta(days=dormant_days)).toordinal())
    parent, taught_on = generation_parents(a, level)
    chain_of, _ = _roots_and_depths(parent)  # a seed is its own root; a reached node's root is a seed
    covered = np.flatnonzero(level >= 0)
    root = chain_of[covered]
    size = np.bincount(root, minlength=a.n)
    depth = np.zeros(a.n, dtype=np.int64)
    np.maximum.at(depth, root, level[covered])
    assigned = covered[level[covered] > 0]  # the members a teaching assigns
    first = np.full(a.n, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(a.n, NEVER, dtype=np.int64)
    np.minimum.at(first, chain_of[assigned], taught_on[assigned])
    np.maximum.at(last, chain_of[assigned], taught_on[assigned])

    status = np.select([states.dead, states.stalled, states.taught],  # positions in CHAIN_STATUSES
                       [CHAIN_STATUSES.index(s) for s in ("dead_seed", "stalled", "growing")],
                       CHAIN_STATUSES.index("new"))
    nodes = states.nodes
    order = np.lexsort((nodes, -size[nodes]))  # node numbers ascend with the ids
    nodes, status = nodes[order], status[order]
    sizes = size[nodes]
    histogram = [ChainSizeCount(size=int(n), chains=int(c))
                 for n, c in zip(*np.unique(sizes, return_counts=True))]

    keep = np.ones(len(nodes), dtype=bool)
    wanted = set(statuses)
    if wanted:
        keep &= np.isin(status, [i for i, name in enumerate(CHAIN_STATUSES) if name in wanted])
    if min_size is not None:
        keep &= sizes >= min_size
    if includes is not None:
        keep &= nodes == (chain_of[includes] if 0 <= includes < a.n and level[includes] >= 0 else -1)
    code_names = {k.code: k.name for k in gazetteer.kelurahan_list}
    rows = []
    for node, n, s in zip(nodes[keep].tolist(), sizes[keep].tolist(), status[keep].tolist()):
        begun = date.fromordinal(int(first[node])) if n > 1 else None
        ended = date.fromordinal(int(last[node])) if n > 1 else None
        rows.append({
            "seed": a.ids[node], "kelurahan": code_names[a.kelurahan_codes[a.kelurahan[node]]], "size": n,
            "depth": int(depth[node]), "first_teaching": begun, "last_teaching": ended,
            "days_since_last": (as_of - ended).days if ended else None, "status": CHAIN_STATUSES[s],
        })
    return Chains(skill=a.skill, as_of=as_of, dormant_days=dormant_days,
                  chains=[ChainRow(**row) for row in rows], histogram=histogram)


# ----------------------------------------------------------------------------- lineage
def lineage(a: SkillArrays, level: np.ndarray, ikm_id: str, names: Names, gazetteer: Gazetteer,
            max_paths: int = MAX_LINEAGE_PATHS) -> LineageOfSkill:
    """SPEC §5 lineage of ``ikm_id`` in one skill, on the cascade ``level`` walked from every
    seed: every path from a seed to it (through other seeds too; a seed's own lineage holds
    the one-IKM path), at most ``max_paths`` of them, shortest first (ties by the paths'
    ids), with the count of all; and its downstream tree. The paths follow the edges the
    cascade follows: within a cycle (a broken invariant) only an edge into the next
    generation, so that the paths and their count are finite and agree."""
    node = a.index(ikm_id)
    if node is None:  # no record of the skill at all
        return LineageOfSkill(skill=a.skill, generation=None, learned_on=None, seeds=[], path_count=0, paths=[],
                              downstream=[])
    seeds = select_seeds(a)
    indptr, _, edge = a.backward
    if node in seeds:
        learned = seeds[node]
    elif a.in_degree[node]:
        learned = date.fromordinal(int(a.day[edge[indptr[node]:indptr[node + 1]]].min()))
    else:
        learned = None
    up = _ancestry(a, node)
    teacher, learner = _followed_edges(a, level, up)
    is_seed = [int(u) in seeds for u in up.tolist()]
    count, paths = seed_paths(len(up), teacher.tolist(), learner.tolist(), is_seed,
                              int(np.searchsorted(up, node)), max_paths)
    ids = a.ids
    return LineageOfSkill(
        skill=a.skill, generation=int(level[node]) if level[node] >= 0 else None, learned_on=learned,
        seeds=[ids[u] for u, seed in zip(up.tolist(), is_seed) if seed], path_count=count,
        paths=[ids[up[list(path)]].tolist() for path in paths], downstream=downstream(a, level, node, names, gazetteer),
    )


def _ancestry(a: SkillArrays, node: int) -> np.ndarray:
    """``node`` and its ancestors in G, ascending."""
    if not a.in_degree[node]:
        return np.array([node], dtype=np.int64)
    from scipy.sparse.csgraph import breadth_first_order

    return np.sort(breadth_first_order(a.reverse, node, directed=True, return_predecessors=False)).astype(np.int64)


def _followed_edges(a: SkillArrays, level: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The edges among ``nodes`` (ascending, closed under teachers: a node's ancestors) that
    the cascade follows — inside a strongly connected component, only from generation g to
    g + 1 — as (teacher, learner) positions in ``nodes``: a DAG."""
    indptr, teachers, edge = a.backward
    at = _edges_of(indptr, nodes)  # every teacher of an ancestor is one
    teacher, learner = teachers[at], a.learner[edge[at]]
    if not a.acyclic:
        _, component = a.condensed
        keep = (component[teacher] != component[learner]) | (
            (level[teacher] >= 0) & (level[learner] == level[teacher] + 1))
        teacher, learner = teacher[keep], learner[keep]
    return np.searchsorted(nodes, teacher), np.searchsorted(nodes, learner)


def seed_paths(n: int, teacher: Sequence[int], learner: Sequence[int], is_seed: Sequence[bool], target: int,
               max_paths: int) -> tuple[int, list[tuple[int, ...]]]:
    """The number of paths from a seed to ``target`` in the DAG of ``n`` nodes and edges
    ``teacher[i] -> learner[i]`` (by dynamic programming, in topological order), and the
    first ``max_paths`` of them by (length, nodes): all of them when they are that few,
    else by a best-first search from the seeds whose bound is the prefix's length plus its
    last node's shortest way to ``target`` (a bound that never overestimates and never
    decreases along a path, so the paths come out in order).

    >>> diamond = dict(teacher=[0, 0, 1, 2], learner=[1, 2, 3, 3], is_seed=[True, True, False, False], target=3)
    >>> seed_paths(4, **diamond, max_paths=100)  # 0-1-3, 0-2-3 and, from the seed 1, 1-3
    (3, [(1, 3), (0, 1, 3), (0, 2, 3)])
    >>> seed_paths(4, **diamond, max_paths=2)
    (3, [(1, 3), (0, 1, 3)])
    """
    successors: list[list[int]] = [[] for _ in range(n)]
    teachers_of: list[list[int]] = [[] for _ in range(n)]
    waiting = [0] * n
    for t, v in sorted(zip(teacher, learner)):
        successors[t].append(v)
        teachers_of[v].append(t)
        waiting[v] += 1
    count = [int(s) for s in is_seed]
    ready = [v for v in range(n) if not waiting[v]]
    while ready:  # Kahn's topological order
        u = ready.pop()
        for v in successors[u]:
            count[v] += count[u]
            waiting[v] -= 1
            if not waiting[v]:
                ready.append(v)
    total = count[target]
    if total <= max_paths:  # all of them, walked up from the target through nodes some seed reaches
        paths = []
        stack: list[tuple[int, tuple | None]] = [(target, None)]
        while stack:
            v, rest = stack.pop()
            link = (v, rest)
            if is_seed[v]:
                path, at = [], link
                while at is not None:
                    path.append(at[0])
                    at = at[1]
                paths.append(tuple(path))
            stack.extend((u, link) for u in teachers_of[v] if count[u])
        return total, sorted(paths, key=lambda p: (len(p), p))
    remaining = [0] * n  # nodes on the shortest way from each node to the target, itself included (0: none)
    remaining[target] = 1
    frontier = [target]
    while frontier:
        following = []
        for v in frontier:
            for u in teachers_of[v]:
                if not remaining[u]:
                    remaining[u] = remaining[v] + 1
                    following.append(u)
        frontier = following
    heap = [(remaining[s], (s,)) for s in range(n) if is_seed[s] and remaining[s]]
    heapq.heapify(heap)
    paths = []
    while heap and len(paths) < max_paths:
        _, prefix = heapq.heappop(heap)
        last = prefix[-1]
        if last == target:
            paths.append(prefix)
            continue
        for v in successors[last]:
            if remaining[v]:
                heapq.heappush(heap, (len(prefix) + remaining[v], (*prefix, v)))
    return total, paths


def downstream(a: SkillArrays, level: np.ndarray, node: int, names: Names, gazetteer: Gazetteer) -> list[dict]:
    """The descendants of ``node`` by (depth, id): each with its depth (fewest steps from
    ``node``), its generation (None outside the cascade), its teachers among ``node`` and
    its descendants (``taught_by``) and the earliest date one of them taught it."""
    if not a.out_degree[node]:
        return []
    depth = generations(a, [node])
    below = np.flatnonzero(depth > 0)
    below = below[np.lexsort((below, depth[below]))]
    indptr, teachers, edge = a.backward
    at = _edges_of(indptr, below)
    at = at[depth[teachers[at]] >= 0]
    at = at[np.lexsort((teachers[at], a.learner[edge[at]]))]
    taught_by: dict[int, list[str]] = {}
    first: dict[int, int] = {}
    ids = a.ids
    for v, u, day in zip(a.learner[edge[at]].tolist(), ids[teachers[at]].tolist(), a.day[edge[at]].tolist()):
        taught_by.setdefault(v, []).append(u)
        first[v] = min(first.get(v, day), day)
    people = names(ids[below].tolist())
    found = []
    for v, ikm_id, d, g in zip(below.tolist(), ids[below].tolist(), depth[below].tolist(), level[below].tolist()):
        person = people[ikm_id]
        found.append({
            "ikm_id": ikm_id, "name": person.name, "kelurahan": gazetteer.by_code(person.kelurahan).name,
            "depth": d, "generation": g if g >= 0 else None, "taught_by": taught_by[v],
            "date": date.fromordinal(first[v]),
        })
    return found


# ----------------------------------------------------------------------------- outcomes
def learned_on(a: SkillArrays, seeds: Mapping[int, date]) -> np.ndarray:
    """Per node, the ordinal of the day it learned the skill: a seed's earliest qualifying
    training end, else its earliest incoming edge (int64 max when it has none)."""
    learned = np.full(a.n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(learned, a.learner, a.day)
    if seeds:
        learned[np.fromiter(seeds, dtype=np.int64, count=len(seeds))] = [d.toordinal() for d in seeds.values()]
    return learned


def outcome_rates(a: SkillArrays, gazetteer: Gazetteer, level: np.ndarray, outcomes: Sequence[tuple[str, str, date]],
                  kind: str | None = None, *, after_learning: bool = False, cohort: Iterable[str] | None = None,
                  year: int | None = None, area: AreaFilter | None = None) -> OutcomeRates:
    """SPEC §10 outcome rate by generation, from arrays and the cascade ``level`` walked from
    the seeds that ``cohort`` and ``year`` select: the share of the counted generation-g IKM
    with an outcome of ``kind`` (any kind when None) dated ≤ T — and, ``after_learning``,
    on or after the day it learned the skill."""
    area = area or AreaFilter()
    counted_mask = counted(a, level, area, gazetteer)
    kelurahan = _gazetteer_positions(a, gazetteer)
    achieved = np.zeros(a.n, dtype=bool)
    if outcomes and a.n:
        ids = np.array([o[0] for o in outcomes], dtype=object)
        node = np.minimum(np.searchsorted(a.ids, ids), a.n - 1)
        day = np.array([o[2].toordinal() for o in outcomes], dtype=np.int64)
        ok = (a.ids[node] == ids) & (day <= a.as_of.toordinal())
        if kind is not None:
            ok &= np.array([o[1] == kind for o in outcomes], dtype=bool)
        ok &= counted_mask[node]
        if after_learning:
            ok &= day >= learned_on(a, select_seeds(a, cohort, year))[node]
        achieved[node[ok]] = True
    counted_level = level[counted_mask]
    rows = []
    if np.count_nonzero(counted_level == 0):
        depth = int(counted_level.max())
        sizes = np.bincount(counted_level, minlength=depth + 1).tolist()
        hits = np.bincount(level[counted_mask & achieved], minlength=depth + 1).tolist()
        rows = [OutcomeGeneration(generation=g, count=sizes[g], with_outcome=hits[g],
                                  rate=hits[g] / sizes[g] if sizes[g] else None) for g in range(depth + 1)]
    kelurahan_list = gazetteer.kelurahan_list
    sizes = np.bincount(kelurahan[counted_mask], minlength=len(kelurahan_list))
    hits = np.bincount(kelurahan[counted_mask & achieved], minlength=len(kelurahan_list))
    areas = sorted(
        (OutcomeArea(kecamatan=gazetteer.kecamatan_of(k.code).name, kelurahan=k.name, count=int(sizes[i]),
                     with_outcome=int(hits[i]), rate=int(hits[i]) / int(sizes[i]))
         for i, k in enumerate(kelurahan_list) if sizes[i]),
        key=lambda row: (row.kecamatan, row.kelurahan),
    )
    return OutcomeRates(skill=a.skill, kind=kind, as_of=a.as_of, generations=rows, areas=areas)
