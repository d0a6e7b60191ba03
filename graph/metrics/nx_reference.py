"""SPEC §5 metrics as pure functions of a teaching graph — the reference that the Cypher
versions are tested against.

The teaching graph ``G`` points from teacher to learner (the direction knowledge flows)
and holds the edges of one skill dated on or before the as-of date T. Everything here is
a function of ``G``, the seeds and a few lookups gathered in :class:`Inputs`; nothing
reads a store.

Readings of the spec where it leaves room (the code follows them everywhere):

- *Counted* IKM are those the filters select (area by the IKM's own kelurahan; cohort or
  year restricts the seeds). The cascade is always computed from the filtered seeds over
  the whole graph.
- ``max_depth`` and the generation table describe the counted IKM.
- ``active_share_g`` is the share of counted generation-g IKM with at least one edge in G
  to an IKM of R (any area).
- ``cost_per_ikm_idr``: the budgets of the distinct trainings that produced at least one
  counted seed, divided by the counted total, rounded to whole rupiah.
- Onward reach counts descendants in G (all of them are in S ∪ R).
- The first-teacher tree of structural virality uses only teachers in S ∪ R: every
  reached IKM hangs under its earliest-dated such teacher (ties: smaller teacher id);
  seeds are roots. A tree of one node has no pairs: its virality is null.
- A finding's ``seeds`` are all the seeds whose lineage holds it (its seed ancestors).
- An orphan's last activity is its latest edge in G, in or out.

A store may hold a cycle within a skill anyway (SPEC §3: an older version, a hand edit in
Neo4j Browser; ``tular check`` reports it). Every metric still answers, and the readings
above stay as they are on a graph without one:

- The cascade is breadth-first: an IKM is reached once, at its fewest steps from a seed; an
  edge inside a cycle is not followed past an IKM already reached.
- Lineages, seed ancestors and onward reach are about who can be reached from whom, which
  a cycle does not make ambiguous: the IKM of a cycle share their descendants and their
  seed ancestors. A fragment of orphans that starts at a cycle has as its top the IKM of
  that cycle (no IKM outside it taught them).
- The first-teacher tree: where earliest teachers would go round in a loop, each IKM of
  the loop hangs under its earliest teacher one generation nearer a seed (as the chains
  of SPEC §12 do), until no loop is left; the trees still partition S ∪ R.
- Lineage paths follow the edges the cascade follows: within a cycle, only an edge into the
  next generation, so that the paths and their count are finite and agree.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx
from pydantic import BaseModel

from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import DEFAULT_DORMANT_DAYS  # one definition, with the records; read here by every surface

#: SPEC §5: without a populations input, the city has 13,000 IKM.
DEFAULT_CITY_POPULATION = 13_000
TOP_TEACHERS = 20
MAX_LINEAGE_PATHS = 100

Levels = dict[str, int]


# ----------------------------------------------------------------------------- inputs
@dataclass
class Person:
    name: str
    kelurahan: str  # code


@dataclass
class Inputs:
    """What the metrics of one skill need, gathered from a store."""

    skill: str
    as_of: date
    graph: nx.DiGraph
    #: every completed attendance at a training of the skill ended ≤ as_of: (ikm_id, training_id, end_date)
    attendance: list[tuple[str, str, date]]
    people: Mapping[str, Person]
    gazetteer: Gazetteer
    budgets: Mapping[str, int | None] = field(default_factory=dict)
    populations: Mapping[str, int] = field(default_factory=dict)
    ikm_per_kelurahan: Mapping[str, int] = field(default_factory=dict)


def select_seeds(inputs: Inputs, cohort: Iterable[str] | None = None, year: int | None = None) -> dict[str, date]:
    """Seeds S with the date each learned the skill (its earliest qualifying training end).

    >>> from tular.graph.model.gazetteer import Gazetteer
    >>> rows = [("a", "T1", date(2021, 5, 1)), ("a", "T0", date(2020, 1, 1)), ("b", "T1", date(2021, 5, 1))]
    >>> i = Inputs("batik", date(2022, 1, 1), nx.DiGraph(), rows, {}, Gazetteer.kota_malang())
    >>> sorted(select_seeds(i).items())
    [('a', datetime.date(2020, 1, 1)), ('b', datetime.date(2021, 5, 1))]
    >>> sorted(select_seeds(i, year=2021))
    ['a', 'b']
    """
    return earliest_completions(inputs.attendance, inputs.as_of, cohort, year)


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


def seed_trainings(inputs: Inputs, seeds: Iterable[str], cohort: Iterable[str] | None = None,
                   year: int | None = None) -> set[str]:
    """The distinct trainings that produced at least one of ``seeds``."""
    chosen, wanted = set(seeds), set(cohort) if cohort else None
    return {
        training for ikm, training, end in inputs.attendance
        if ikm in chosen and end <= inputs.as_of and (wanted is None or training in wanted)
        and (year is None or end.year == year)
    }


# ---------------------------------------------------------------------------- cascade
def generations(graph: nx.DiGraph, seeds: Iterable[str]) -> Levels:
    """Generation of every IKM reachable from ``seeds``: 0 for a seed, else the fewest
    teaching steps from any seed. One breadth-first pass with a visited set; never
    enumerates paths.

    >>> g = nx.DiGraph([("s", "a"), ("a", "b"), ("s", "b"), ("b", "c")])
    >>> sorted(generations(g, ["s"]).items())
    [('a', 1), ('b', 1), ('c', 2), ('s', 0)]
    """
    level = {s: 0 for s in seeds}
    frontier = [s for s in level if s in graph]
    depth = 0
    while frontier:
        depth += 1
        following = []
        for node in frontier:
            for learner in graph.successors(node):
                if learner not in level:
                    level[learner] = depth
                    following.append(learner)
        frontier = following
    return level


def nearest_seeds(graph: nx.DiGraph, level: Levels) -> dict[str, frozenset[str]]:
    """For every IKM of the cascade, the seeds at its own generation's distance."""
    nearest: dict[str, frozenset[str]] = {}
    for node in sorted(level, key=level.__getitem__):
        if level[node] == 0:
            nearest[node] = frozenset([node])
        else:
            nearest[node] = frozenset().union(*(
                nearest[u] for u in graph.predecessors(node) if level.get(u) == level[node] - 1
            ))
    return nearest


def seed_ancestors(graph: nx.DiGraph, level: Levels) -> dict[str, frozenset[str]]:
    """For every IKM of the cascade, every seed whose lineage holds it (a seed holds itself).
    On a graph with a cycle, per strongly connected component: the IKM of a cycle reach one
    another, so they have the same seed ancestors."""
    covered = set(level)
    sub = graph.subgraph(covered)
    alone = {n: frozenset([n]) if level[n] == 0 else frozenset() for n in covered if n not in graph}
    if not nx.is_directed_acyclic_graph(sub):
        condensed = nx.condensation(sub)
        per_component: dict[int, frozenset[str]] = {}
        for c in nx.topological_sort(condensed):
            own = frozenset(n for n in condensed.nodes[c]["members"] if level[n] == 0)
            per_component[c] = own.union(*(per_component[u] for u in condensed.predecessors(c)))
        return {**{n: per_component[c] for n, c in condensed.graph["mapping"].items()}, **alone}
    ancestors: dict[str, frozenset[str]] = {}
    for node in nx.topological_sort(sub):
        from_teachers = frozenset().union(*(ancestors[u] for u in graph.predecessors(node) if u in covered))
        ancestors[node] = from_teachers | ({node} if level[node] == 0 else frozenset())
    return {**ancestors, **alone}


def onward_reach(graph: nx.DiGraph, node: str) -> int:
    """Number of descendants of ``node`` in G (an IKM reachable two ways counts once)."""
    return len(nx.descendants(graph, node)) if node in graph else 0


def top_by_onward_reach(graph: nx.DiGraph, candidates: Iterable[str], level: Levels, k: int = TOP_TEACHERS,
                        ) -> list[tuple[str, int]]:
    """The ``k`` candidates with the largest onward reach (ties: lower generation, then id),
    computing exact reach only where an upper bound could still beat the k-th best."""
    candidates = [c for c in candidates if c in graph and graph.out_degree(c) > 0]
    bound: dict[str, int] = {}
    try:
        order = list(nx.topological_sort(graph))
    except nx.NetworkXUnfeasible:  # a cycle (a broken invariant): no bound better than every IKM
        bound = dict.fromkeys(graph, graph.number_of_nodes())
    else:
        for node in reversed(order):
            bound[node] = sum(1 + bound[child] for child in graph.successors(node))
    def rank(node: str, reach: int) -> tuple:  # smaller is better
        return (-reach, level.get(node, 0), node)

    best: list[tuple[tuple, str, int]] = []  # sorted, at most k long
    for node in sorted(candidates, key=lambda n: (-bound[n], level.get(n, 0), n)):
        if len(best) == k and rank(node, bound[node]) > best[-1][0]:
            break
        reach = onward_reach(graph, node)
        best.append((rank(node, reach), node, reach))
        best.sort()
        del best[k:]
    return [(node, reach) for _, node, reach in best]


def first_teacher_forest(graph: nx.DiGraph, level: Levels) -> dict[str, str]:
    """Parent of every reached IKM in its seed's tree: its earliest-dated teacher in S ∪ R
    (ties to the smaller teacher id).

    On a graph with a cycle (a broken invariant) these parents may go round in a loop; every
    IKM of a loop then takes its earliest teacher one generation nearer a seed instead (ties
    to the smaller id), until no loop is left: each such step lowers the generation, so every
    tree ends at a seed.

    >>> g = nx.DiGraph()
    >>> g.add_edge("s", "a", date=2); g.add_edge("a", "b", date=3); g.add_edge("b", "a", date=1)
    >>> sorted(first_teacher_forest(g, {"s": 0, "a": 1, "b": 2}).items())
    [('a', 's'), ('b', 'a')]
    """
    parent = {}
    for node, gen in level.items():
        if gen == 0:
            continue
        teachers = [(graph.edges[u, node]["date"], u) for u in graph.predecessors(node) if u in level]
        parent[node] = min(teachers)[1]
    if nx.is_directed_acyclic_graph(graph):
        return parent
    while True:
        pointers = nx.DiGraph(parent.items())
        looped = {n for loop in nx.strongly_connected_components(pointers) if len(loop) > 1 for n in loop}
        looped |= {n for n, p in parent.items() if n == p}
        if not looped:
            return parent
        for node in looped:
            parent[node] = min((graph.edges[u, node]["date"], u) for u in graph.predecessors(node)
                               if level.get(u) == level[node] - 1)[1]


def structural_virality(children: Mapping[str, list[str]], root: str) -> tuple[int, float | None]:
    """Size and mean pairwise distance of the tree under ``root`` (Goel et al., 2016).

    The Wiener index of a tree is the sum over its edges of size(below) × size(above).

    >>> structural_virality({"s": ["a", "b"], "a": ["c"]}, "s")  # path c-a-s-b: 10 / 6
    (4, 1.6666666666666667)
    >>> structural_virality({}, "s")
    (1, None)
    """
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(children.get(node, ()))
    size = {}
    for node in reversed(order):
        size[node] = 1 + sum(size[c] for c in children.get(node, ()))
    n = size[root]
    if n < 2:
        return n, None
    wiener = sum(size[node] * (n - size[node]) for node in order if node != root)
    return n, wiener / (n * (n - 1) / 2)


# ------------------------------------------------------------------------------ reach
class GenerationRow(BaseModel):
    generation: int
    count: int
    ratio: float | None
    active_share: float | None


class AreaRow(BaseModel):
    kecamatan: str
    kelurahan: str
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    imported: int


class KecamatanRow(BaseModel):
    kecamatan: str
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    imported: int


class TopTeacher(BaseModel):
    ikm_id: str
    name: str
    kelurahan: str
    generation: int
    onward_reach: int


class Virality(BaseModel):
    seed: str | None  # None in the public answer (SPEC §7)
    size: int
    structural_virality: float | None


class Reach(BaseModel):
    skill: str
    as_of: date
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    max_depth: int | None
    coverage: float | None
    cost_per_ikm_idr: int | None
    generations: list[GenerationRow]
    areas: list[AreaRow]
    kecamatan: list[KecamatanRow]
    top_teachers: list[TopTeacher]
    virality: list[Virality]
    warnings: list[str]


class ReachAll(BaseModel):
    as_of: date
    skills: list[Reach]
    distinct_total: int


@dataclass
class AreaFilter:
    """Which IKM are counted: all, those of one kelurahan, or those of one kecamatan (codes)."""

    kelurahan: str | None = None
    kecamatan: str | None = None

    def admits(self, kelurahan_code: str, gazetteer: Gazetteer) -> bool:
        if self.kelurahan:
            return kelurahan_code == self.kelurahan
        if self.kecamatan:
            return gazetteer.by_code(kelurahan_code).kecamatan_code == self.kecamatan
        return True


def _multiplier(total: int, seeds: int) -> float | None:
    return total / seeds if seeds else None


def coverage_population(inputs: Inputs, area: AreaFilter) -> int | None:
    """IKM population of the counted area (SPEC §5)."""
    def kelurahan_population(code: str) -> int:
        return inputs.populations.get(code, inputs.ikm_per_kelurahan.get(code, 0))

    if area.kelurahan:
        return kelurahan_population(area.kelurahan)
    if area.kecamatan:
        return sum(kelurahan_population(k.code) for k in inputs.gazetteer.kelurahan_list
                   if k.kecamatan_code == area.kecamatan)
    if not inputs.populations:
        return DEFAULT_CITY_POPULATION
    return sum(kelurahan_population(k.code) for k in inputs.gazetteer.kelurahan_list)


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
                reached=r, total=s + r, multiplier=_multiplier(s + r, s), imported=imp)
        for code, (s, r, imp) in kel_rows.items()
    ]
    area_rows.sort(key=lambda row: (row.kecamatan, row.kelurahan))
    kec_name = {k.code: k.name for k in gazetteer.kecamatan_list}
    kecamatan_rows = sorted(
        (KecamatanRow(kecamatan=kec_name[code], seeds=s, reached=r, total=s + r, multiplier=_multiplier(s + r, s),
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


def reach(inputs: Inputs, *, cohort: Iterable[str] | None = None, year: int | None = None,
          area: AreaFilter | None = None, cascade: Callable[[nx.DiGraph, Iterable[str]], Levels] = generations,
          ) -> Reach:
    """SPEC §5 reach of one skill as of ``inputs.as_of``.

    ``cascade`` computes the generations (a store may pass its own, e.g. in Cypher).

    >>> from tular.graph.model.gazetteer import Gazetteer
    >>> g = nx.DiGraph()
    >>> g.add_edge("s1", "a", date=date(2021, 1, 1)); g.add_edge("a", "b", date=date(2021, 2, 1))
    >>> people = {n: Person(n, "blimbing.bunulrejo") for n in ("s1", "s2", "a", "b")}
    >>> i = Inputs("batik", date(2022, 1, 1), g, [("s1", "T", date(2020, 1, 1)), ("s2", "T", date(2020, 1, 1))],
    ...            people, Gazetteer.kota_malang(), budgets={"T": 40_000_000})
    >>> r = reach(i)
    >>> (r.seeds, r.reached, r.total, r.multiplier, r.max_depth, r.cost_per_ikm_idr)
    (2, 2, 4, 2.0, 2, 10000000)
    """
    area = area or AreaFilter()
    gazetteer = inputs.gazetteer
    graph = inputs.graph
    seeds = select_seeds(inputs, cohort, year)
    level = cascade(graph, seeds)
    kelurahan_of = {node: inputs.people[node].kelurahan for node in level}
    counted = {node for node in level if area.admits(kelurahan_of[node], gazetteer)}
    reached_all = {node for node, g in level.items() if g > 0}
    warnings: list[str] = []

    # headline
    n_seeds = sum(1 for node in counted if level[node] == 0)
    n_total = len(counted)
    depth = max((level[n] for n in counted), default=None) if n_seeds else None
    sizes = [0] * ((depth or 0) + 1) if depth is not None else []
    active = [0] * len(sizes)
    for node in counted:
        if depth is None:
            break
        sizes[level[node]] += 1
        if any(learner in reached_all for learner in graph.successors(node)) if node in graph else False:
            active[level[node]] += 1
    rows = generation_rows(sizes, active)

    # areas: [seeds, reached, imported] per kelurahan and per kecamatan
    nearest = nearest_seeds(graph, level)
    kecamatan_of = {k.code: k.kecamatan_code for k in gazetteer.kelurahan_list}
    kel_rows = {k.code: [0, 0, 0] for k in gazetteer.kelurahan_list if area.admits(k.code, gazetteer)}
    kec_rows = {kecamatan_of[code]: [0, 0, 0] for code in kel_rows}
    for node in counted:
        code = kelurahan_of[node]
        kec = kecamatan_of[code]
        if level[node] == 0:
            kel_rows[code][0] += 1
            kec_rows[kec][0] += 1
            continue
        kel_rows[code][1] += 1
        kec_rows[kec][1] += 1
        seed_kelurahan = {kelurahan_of[s] for s in nearest[node]}
        kel_rows[code][2] += code not in seed_kelurahan
        kec_rows[kec][2] += kec not in {kecamatan_of[c] for c in seed_kelurahan}
    area_rows, kecamatan_rows = area_tables(kel_rows, kec_rows, gazetteer)

    # coverage and cost
    population = coverage_population(inputs, area)
    coverage = n_total / population if population else None
    counted_seeds = [n for n in counted if level[n] == 0]
    trainings = seed_trainings(inputs, counted_seeds, cohort, year)
    cost = cost_per_ikm(inputs.budgets, trainings, n_total, warnings)
    if not n_seeds:
        warnings.append(f"no completed training of {inputs.skill} ended by {inputs.as_of.isoformat()} "
                        "in the selection: no seeds")
    taught_seeds = [s for s in seeds if s in graph and graph.in_degree(s) > 0]
    if taught_seeds:
        warnings.append(f"{len(taught_seeds)} seed(s) were also taught by another IKM; they count as generation 0")

    # top teachers and virality
    top = top_by_onward_reach(graph, counted, level)
    top_teachers = [
        TopTeacher(ikm_id=node, name=inputs.people[node].name, kelurahan=gazetteer.by_code(kelurahan_of[node]).name,
                   generation=level[node], onward_reach=onward)
        for node, onward in top
    ]
    parent = first_teacher_forest(graph, level)
    children: dict[str, list[str]] = defaultdict(list)
    for node, teacher in sorted(parent.items()):
        children[teacher].append(node)
    virality = []
    for seed in counted_seeds:
        size, value = structural_virality(children, seed)
        virality.append(Virality(seed=seed, size=size, structural_virality=value))
    virality.sort(key=lambda v: (-v.size, v.seed))

    return Reach(
        skill=inputs.skill, as_of=inputs.as_of, seeds=n_seeds, reached=n_total - n_seeds, total=n_total,
        multiplier=_multiplier(n_total, n_seeds), max_depth=depth, coverage=coverage, cost_per_ikm_idr=cost,
        generations=rows, areas=area_rows, kecamatan=kecamatan_rows, top_teachers=top_teachers,
        virality=virality, warnings=warnings,
    )


# ----------------------------------------------------------------------- broken chains
class Finding(BaseModel):
    kind: str
    ikm_id: str
    name: str
    kelurahan: str
    generation: int | None
    last_activity: date | None
    days_dormant: int | None
    seeds: list[str]
    fragment_top: list[str] | None


class Broken(BaseModel):
    skill: str
    as_of: date
    dormant_days: int
    findings: list[Finding]


FINDING_ORDER = ("dead_seed", "stalled_lineage", "dormant_leaf", "orphan")


def broken_chains(inputs: Inputs, dormant_days: int = DEFAULT_DORMANT_DAYS,
                  cascade: Callable[[nx.DiGraph, Iterable[str]], Levels] = generations) -> Broken:
    """SPEC §5 broken chains of one skill as of ``inputs.as_of`` with window W = ``dormant_days``.

    "≥ W before T" means on or before T − W; the stalled window is (T − W, T].
    """
    as_of, graph, gazetteer = inputs.as_of, inputs.graph, inputs.gazetteer
    cutoff = as_of - timedelta(days=dormant_days)
    seeds = select_seeds(inputs)
    level = cascade(graph, seeds)
    ancestors = seed_ancestors(graph, level)
    findings: list[Finding] = []

    def finding(kind: str, node: str, last: date | None, seed_list: list[str], top: list[str] | None = None):
        person = inputs.people[node]
        findings.append(Finding(
            kind=kind, ikm_id=node, name=person.name, kelurahan=gazetteer.by_code(person.kelurahan).name,
            generation=level.get(node), last_activity=last,
            days_dormant=(as_of - last).days if last is not None else None, seeds=seed_list, fragment_top=top,
        ))

    def taught_nobody(node: str) -> bool:
        return node not in graph or graph.out_degree(node) == 0

    for seed, learned in seeds.items():
        if taught_nobody(seed):
            if learned <= cutoff:
                finding("dead_seed", seed, learned, [seed])
            continue
        lineage = {seed, *nx.descendants(graph, seed)}
        last = max(d for u, _, d in graph.out_edges(lineage, data="date"))
        if last <= cutoff:
            finding("stalled_lineage", seed, last, [seed])
    for node, gen in level.items():
        if gen == 0 or not taught_nobody(node):
            continue
        learned = min(d for _, _, d in graph.in_edges(node, data="date"))
        if learned <= cutoff:
            finding("dormant_leaf", node, learned, sorted(ancestors[node]))
    orphans = [n for n in graph if n not in level]
    if orphans:
        fragments = nx.weakly_connected_components(graph.subgraph(orphans))
        for fragment in fragments:
            top = fragment_top(graph, fragment)
            for node in fragment:
                last = max(d for *_, d in itertools.chain(graph.in_edges(node, data="date"),
                                                          graph.out_edges(node, data="date")))
                finding("orphan", node, last, [], top)
    findings.sort(key=lambda f: (FINDING_ORDER.index(f.kind), -(f.days_dormant or 0), f.ikm_id))
    return Broken(skill=inputs.skill, as_of=as_of, dormant_days=dormant_days, findings=findings)


def fragment_top(graph: nx.DiGraph, fragment: Iterable[str]) -> list[str]:
    """Where a fragment of orphans starts, sorted: its IKM that have no teacher (a teacher of
    an orphan is an orphan too, so in G as in the fragment). Where the fragment's teachings go
    round a cycle (a broken invariant), the IKM of a cycle that nobody outside it taught.

    >>> sorted(fragment_top(nx.DiGraph([("x", "y"), ("y", "x"), ("y", "z"), ("w", "z")]), "wxyz"))
    ['w', 'x', 'y']
    """
    sub = graph.subgraph(fragment)
    if nx.is_directed_acyclic_graph(sub):
        return sorted(n for n in sub if sub.in_degree(n) == 0)
    condensed = nx.condensation(sub)
    return sorted(n for c in condensed if condensed.in_degree(c) == 0 for n in condensed.nodes[c]["members"])


def followed(graph: nx.DiGraph, level: Levels) -> nx.DiGraph:
    """``graph`` (or a copy of it) without the edges the cascade does not follow: an edge
    inside a cycle (both ends in one strongly connected component) is followed only into the
    next generation, never back to an IKM already reached. On a graph without a cycle, the
    graph itself; on any graph, a DAG.

    >>> g = nx.DiGraph([("s", "a"), ("a", "b"), ("b", "a")])
    >>> sorted(followed(g, {"s": 0, "a": 1, "b": 2}).edges)
    [('a', 'b'), ('s', 'a')]
    """
    if nx.is_directed_acyclic_graph(graph):
        return graph
    component = {n: i for i, members in enumerate(nx.strongly_connected_components(graph)) for n in members}
    kept = graph.copy()
    kept.remove_edges_from([(u, v) for u, v in graph.edges if component[u] == component[v]
                            and not (u in level and v in level and level[v] == level[u] + 1)])
    return kept


# ---------------------------------------------------------------------------- lineage
class LineageOfSkill(BaseModel):
    skill: str
    generation: int | None
    learned_on: date | None
    seeds: list[str]
    path_count: int
    paths: list[list[str]]
    downstream: list[dict]


def lineage(inputs: Inputs, ikm_id: str, max_paths: int = MAX_LINEAGE_PATHS,
            cascade: Callable[[nx.DiGraph, Iterable[str]], Levels] = generations) -> LineageOfSkill:
    """Every path from a seed to ``ikm_id`` (at most ``max_paths``, shortest first, with the
    count of all), and its downstream tree with depths and generations. On a graph with a
    cycle (a broken invariant), the paths follow the edges the cascade follows
    (:func:`followed`)."""
    graph = inputs.graph
    seeds = select_seeds(inputs)
    level = cascade(graph, seeds)
    if ikm_id in seeds:
        learned = seeds[ikm_id]
    else:
        learned = min((d for _, _, d in graph.in_edges(ikm_id, data="date")), default=None) if ikm_id in graph else None
    up = (nx.ancestors(graph, ikm_id) if ikm_id in graph else set()) | {ikm_id}
    sources = sorted(n for n in up if n in seeds)
    sub = followed(graph.subgraph(up), level).copy()
    sub.add_node(ikm_id)
    # the number of seed-to-IKM paths, by dynamic programming over the ancestors (a DAG)
    count: dict[str, int] = {}
    for node in nx.topological_sort(sub):
        count[node] = (1 if node in seeds else 0) + sum(count[u] for u in sub.predecessors(node))
    paths: list[list[str]] = []
    if sources:
        sub.add_edges_from(("", s) for s in sources)  # one source ahead of every seed
        paths = [path[1:] for path in itertools.islice(nx.shortest_simple_paths(sub, "", ikm_id), max_paths)]
        paths.sort(key=lambda p: (len(p), p))
    downstream = []
    if ikm_id in graph:
        depth = nx.single_source_shortest_path_length(graph, ikm_id)
        for node in sorted(depth, key=lambda n: (depth[n], n)):
            if node == ikm_id:
                continue
            person = inputs.people[node]
            downstream.append({
                "ikm_id": node, "name": person.name,
                "kelurahan": inputs.gazetteer.by_code(person.kelurahan).name, "depth": depth[node],
                "generation": level.get(node),
                "taught_by": sorted(u for u in graph.predecessors(node) if u in depth),
                "date": min(graph.edges[u, node]["date"] for u in graph.predecessors(node) if u in depth),
            })
    return LineageOfSkill(skill=inputs.skill, generation=level.get(ikm_id), learned_on=learned, seeds=sources,
                          path_count=count[ikm_id], paths=paths, downstream=downstream)


def distinct_total(cascades: Iterable[Iterable[str]]) -> int:
    """IKM that are seeds or reached in at least one skill."""
    return len(set().union(*map(set, cascades)))


# --------------------------------------------------------------------------- outcomes
class OutcomeGeneration(BaseModel):
    generation: int
    count: int
    with_outcome: int
    rate: float | None


class OutcomeArea(BaseModel):
    kecamatan: str
    kelurahan: str
    count: int
    with_outcome: int
    rate: float | None


class OutcomeRates(BaseModel):
    """SPEC §10 outcome rate by generation (and per kelurahan) of one skill."""

    skill: str
    kind: str | None
    as_of: date
    generations: list[OutcomeGeneration]
    areas: list[OutcomeArea]


def learned_dates(graph: nx.DiGraph, seeds: Mapping[str, date], level: Levels) -> dict[str, date]:
    """When each IKM of the cascade learned the skill: a seed at its earliest qualifying
    training end, any other IKM at its earliest incoming edge (SPEC §5 conventions).

    >>> g = nx.DiGraph()
    >>> g.add_edge("s", "a", date=date(2021, 3, 1)); g.add_edge("x", "a", date=date(2021, 2, 1))
    >>> sorted(learned_dates(g, {"s": date(2020, 1, 1)}, {"s": 0, "a": 1}).items())
    [('a', datetime.date(2021, 2, 1)), ('s', datetime.date(2020, 1, 1))]
    """
    learned = {}
    for node, gen in level.items():
        if gen == 0:
            learned[node] = seeds[node]
        else:
            learned[node] = min(d for _, _, d in graph.in_edges(node, data="date"))
    return learned


def _rate(with_outcome: int, count: int) -> float | None:
    return with_outcome / count if count else None


def outcome_rates(inputs: Inputs, outcomes: Iterable[tuple[str, str, date]], kind: str | None = None, *,
                  after_learning: bool = False, cohort: Iterable[str] | None = None, year: int | None = None,
                  area: AreaFilter | None = None,
                  cascade: Callable[[nx.DiGraph, Iterable[str]], Levels] = generations) -> OutcomeRates:
    """SPEC §10 outcome rate by generation of ``inputs.skill`` as of ``inputs.as_of``.

    ``outcomes`` are the (ikm_id, kind, date) that count for the skill (their skill is it or
    blank). The rate of generation g is the share of the counted generation-g IKM with an
    outcome of ``kind`` (any kind when None) dated ≤ T — and, ``after_learning``, on or
    after the day it learned the skill (:func:`learned_dates`). An IKM counts once however
    many outcomes it has. Areas: the kelurahan with at least one counted IKM, by kecamatan
    and kelurahan name. Filters as in :func:`reach`.

    >>> from tular.graph.model.gazetteer import Gazetteer
    >>> g = nx.DiGraph()
    >>> g.add_edge("s", "a", date=date(2021, 1, 1)); g.add_edge("s", "b", date=date(2021, 1, 1))
    >>> people = {n: Person(n, "blimbing.bunulrejo") for n in "sab"}
    >>> i = Inputs("batik", date(2022, 1, 1), g, [("s", "T", date(2020, 1, 1))], people, Gazetteer.kota_malang())
    >>> r = outcome_rates(i, [("a", "pameran", date(2021, 6, 1)), ("s", "pameran", date(2019, 1, 1))], "pameran")
    >>> [(row.generation, row.count, row.with_outcome, row.rate) for row in r.generations]
    [(0, 1, 1, 1.0), (1, 2, 1, 0.5)]
    >>> outcome_rates(i, [("s", "pameran", date(2019, 1, 1))], after_learning=True).generations[0].with_outcome
    0
    """
    area = area or AreaFilter()
    gazetteer, graph = inputs.gazetteer, inputs.graph
    seeds = select_seeds(inputs, cohort, year)
    level = cascade(graph, seeds)
    kelurahan_of = {node: inputs.people[node].kelurahan for node in level}
    counted = {node for node in level if area.admits(kelurahan_of[node], gazetteer)}
    learned = learned_dates(graph, seeds, level)
    achieved = {
        ikm for ikm, what, day in outcomes
        if ikm in counted and (kind is None or what == kind) and day <= inputs.as_of
        and (not after_learning or day >= learned[ikm])
    }
    n_seeds = sum(1 for node in counted if level[node] == 0)
    depth = max((level[n] for n in counted), default=0) if n_seeds else None
    sizes = [0] * (depth + 1) if depth is not None else []
    hits = [0] * len(sizes)
    for node in counted if depth is not None else ():
        sizes[level[node]] += 1
        hits[level[node]] += node in achieved
    rows = [OutcomeGeneration(generation=g, count=sizes[g], with_outcome=hits[g], rate=_rate(hits[g], sizes[g]))
            for g in range(len(sizes))]
    per_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for node in counted:
        per_area[kelurahan_of[node]][0] += 1
        per_area[kelurahan_of[node]][1] += node in achieved
    areas = sorted(
        (OutcomeArea(kecamatan=gazetteer.kecamatan_of(code).name, kelurahan=gazetteer.by_code(code).name,
                     count=n, with_outcome=w, rate=_rate(w, n)) for code, (n, w) in per_area.items()),
        key=lambda row: (row.kecamatan, row.kelurahan),
    )
    return OutcomeRates(skill=inputs.skill, kind=kind, as_of=inputs.as_of, generations=rows, areas=areas)
