"""What a propagation map shows (SPEC §8), gathered from a store: the teaching graph of one
skill with every IKM's generation, onward reach, teachers and broken-chain findings. The
view (:mod:`tular.visualizations.propagation_map`) draws it and never reads the store.

Readings of the spec (the map and ``tular reach`` agree on every number):

- The whole map shows every IKM of the skill's teaching graph up to the as-of date and
  every seed, orphans included; the headline is ``tular reach`` of the same question.
- ``kelurahan``/``kecamatan`` show the IKM located there, plus — drawn faded, as
  context — the teachers outside the area who taught one of them (where the skill came
  from). Generations are still those of the whole cascade (SPEC §5 filters count, they do
  not recompute).
- ``seed`` shows one seed's lineage: the seed and all its descendants. Other seeds inside
  it stay generation 0 and the generations are counted within the lineage, so that every
  IKM has a teacher one generation above it on the map.
- No phone numbers: the map is for reading, it may be passed around (UU 27/2022).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import date

import networkx as nx

from tular.graph.metrics import nx_reference as analytics

from tular.graph.metrics import answers as metrics
from tular.graph.metrics.nx_reference import DEFAULT_DORMANT_DAYS
from tular.graph.model.errors import UsageError
from tular.graph.store.base import GraphStore


@dataclass
class Teacher:
    ikm_id: str
    name: str
    date: date


@dataclass
class Mark:
    """A broken-chain finding on an IKM (SPEC §5)."""

    kind: str
    days_dormant: int | None


@dataclass
class MapNode:
    ikm_id: str
    name: str
    kelurahan_code: str
    kelurahan: str
    kecamatan: str
    #: None for an orphan (no seed reaches it)
    generation: int | None
    is_seed: bool
    #: the seed's training end, or the date of its earliest teaching edge
    learned_on: date | None
    #: the seed's (earliest) training of the skill
    training: str | None = None
    teachers: list[Teacher] = field(default_factory=list)
    learners: int = 0
    onward_reach: int = 0
    marks: list[Mark] = field(default_factory=list)
    #: a teacher shown as context, located outside the chosen area
    outside_area: bool = False


@dataclass
class MapData:
    skill_id: str
    skill_name_id: str
    skill_name_en: str
    as_of: date
    seeds: int
    reached: int
    total: int
    multiplier: float | None
    max_depth: int | None
    dormant_days: int
    #: teacher → learner, the IKM and edges the map draws; edges carry ``date``
    graph: nx.DiGraph
    nodes: dict[str, MapNode]
    #: "Kelurahan Bunulrejo", "Kecamatan Blimbing" or None for the whole city
    area: str | None = None
    #: the seed whose lineage alone is shown, if one was chosen
    seed: str | None = None
    seed_name: str | None = None
    #: the public edition (SPEC §7): no names, ids or business names
    public: bool = False


def map_data(store: GraphStore, skill_name: str, as_of: date, *, kelurahan: str | None = None,
             kecamatan: str | None = None, seed: str | None = None,
             dormant_days: int = DEFAULT_DORMANT_DAYS) -> MapData:
    """Everything the map of ``skill_name`` as of ``as_of`` shows."""
    skill_id = metrics.resolve_skill(store, skill_name)
    area = metrics.resolve_area(store, kelurahan, kecamatan)
    if seed is not None:
        store.get_ikm(seed)  # UnknownIKM when there is none
    inputs = metrics.gather(store, skill_id, as_of)
    graph, gazetteer = inputs.graph, inputs.gazetteer
    seeds = analytics.select_seeds(inputs)

    def cascade(g: nx.DiGraph, from_seeds) -> dict[str, int]:
        return store.generations(skill_id, as_of, from_seeds)

    level = cascade(graph, seeds)
    findings = analytics.broken_chains(inputs, dormant_days, cascade=cascade).findings

    universe = set(graph) | set(seeds)
    if seed is not None:
        if seed not in seeds:
            raise UsageError(f"{seed} is not a seed of {skill_id} as of {as_of.isoformat()}: it completed no "
                             "training of the skill by then")
        universe = {seed} | nx.descendants(graph, seed) if seed in graph else {seed}
        lineage = graph.subgraph(universe)
        level = analytics.generations(lineage, [s for s in seeds if s in universe])

    counted = {n for n in universe if area.admits(inputs.people[n].kelurahan, gazetteer)}
    context = {u for v in counted if v in graph for u in graph.predecessors(v) if u in universe} - counted
    shown = counted | context

    if seed is None:
        headline = analytics.reach(inputs, area=area, cascade=cascade)
        n_seeds, n_reached, depth = headline.seeds, headline.reached, headline.max_depth
    else:
        cascade_counted = [n for n in counted if n in level]
        n_seeds = sum(1 for n in cascade_counted if level[n] == 0)
        n_reached = len(cascade_counted) - n_seeds
        depth = max((level[n] for n in cascade_counted), default=None) if n_seeds else None
    total = n_seeds + n_reached

    trainings = {t.training_id: t.title for t in store.trainings()}
    training_of = {}
    for ikm, training, end in sorted(inputs.attendance, key=lambda row: (row[2], row[1])):
        if ikm in seeds and ikm not in training_of:
            training_of[ikm] = trainings.get(training, training)
    marks: dict[str, list[Mark]] = {}
    for finding in findings:
        marks.setdefault(finding.ikm_id, []).append(Mark(finding.kind, finding.days_dormant))

    drawn = nx.DiGraph()
    drawn.add_nodes_from(sorted(shown))
    drawn.add_edges_from((u, v, {"date": d}) for u, v, d in graph.edges(data="date") if u in shown and v in shown)
    onward = _onward_reach(graph, shown)
    nodes: dict[str, MapNode] = {}
    for node in sorted(shown):
        person = inputs.people[node]
        in_edges = sorted(graph.in_edges(node, data="date"), key=lambda e: (e[2], e[0])) if node in graph else []
        nodes[node] = MapNode(
            ikm_id=node, name=person.name, kelurahan_code=person.kelurahan,
            kelurahan=gazetteer.by_code(person.kelurahan).name,
            kecamatan=gazetteer.kecamatan_of(person.kelurahan).name,
            generation=level.get(node), is_seed=node in seeds,
            learned_on=seeds[node] if node in seeds else (in_edges[0][2] if in_edges else None),
            training=training_of.get(node),
            teachers=[Teacher(u, inputs.people[u].name, d) for u, _, d in in_edges],
            learners=graph.out_degree(node) if node in graph else 0,
            onward_reach=onward.get(node, 0), marks=marks.get(node, []), outside_area=node in context,
        )
    skill = next(s for s in store.skills() if s.skill_id == skill_id)
    area_label = None
    if area.kelurahan:
        area_label = f"Kelurahan {gazetteer.by_code(area.kelurahan).name}"
    elif area.kecamatan:
        area_label = f"Kecamatan {next(k.name for k in gazetteer.kecamatan_list if k.code == area.kecamatan)}"
    return MapData(
        skill_id=skill_id, skill_name_id=skill.name_id, skill_name_en=skill.name_en, as_of=as_of,
        seeds=n_seeds, reached=n_reached, total=total, multiplier=total / n_seeds if n_seeds else None,
        max_depth=depth, dormant_days=dormant_days, graph=drawn, nodes=nodes, area=area_label, seed=seed,
        seed_name=inputs.people[seed].name if seed else None,
    )


def _onward_reach(graph: nx.DiGraph, wanted: set[str]) -> dict[str, int]:
    """Onward reach (number of descendants) of every wanted IKM in the graph, from one pass
    over the DAG: each IKM's descendants as a bit set (an int), so that a long chain costs
    little more than a bushy tree. A graph with a cycle (a broken invariant) is walked as the
    DAG of its strongly connected components: the IKM of a cycle reach one another."""
    if not nx.is_directed_acyclic_graph(graph):
        condensed = nx.condensation(graph)
        mapping = condensed.graph["mapping"]
        members: dict[int, int] = {}  # per component, its IKM as a bit set
        for index, node in enumerate(mapping):
            members[mapping[node]] = members.get(mapping[node], 0) | 1 << index
        under: dict[int, int] = {}
        for c in reversed(list(nx.topological_sort(condensed))):
            under[c] = 0
            for d in condensed.successors(c):
                under[c] |= members[d] | under[d]
        return {node: members[mapping[node]].bit_count() - 1 + under[mapping[node]].bit_count()
                for node in wanted if node in mapping}
    below: dict[str, int] = {}
    bit: dict[str, int] = {}
    for index, node in enumerate(reversed(list(nx.topological_sort(graph)))):
        bit[node] = 1 << index
        descendants = 0
        for child in graph.successors(node):
            descendants |= bit[child] | below[child]
        below[node] = descendants
    return {node: below[node].bit_count() for node in wanted if node in below}


#: How a dot of the public map is described, per language (SPEC §7).
PUBLIC_DOT = {
    "id": ("IKM, generasi {generation}, {kelurahan}", "IKM, rantai tanpa peserta pelatihan, {kelurahan}"),
    "en": ("IKM, generation {generation}, {kelurahan}", "IKM, chain without a trainee, {kelurahan}"),
}


def public_edition(data: MapData, lang: str = "id") -> MapData:
    """The map for anonymous readers: every IKM a dot described by its generation and
    kelurahan ("IKM, generation 2, Bunulrejo"), under an id drawn at random for this
    edition (in an order that says nothing of the ids) — no name, ``ikm_id`` or business
    name. One seed's lineage is not offered (it is asked by id)."""
    if data.seed is not None:
        raise UsageError("one seed's lineage names its seed: an API key is needed")
    known, orphan = PUBLIC_DOT.get(lang, PUBLIC_DOT["id"])
    tokens = {node: secrets.token_hex(6) for node in data.nodes}
    while len(set(tokens.values())) < len(tokens):  # 48 random bits: a repeat is all but impossible
        tokens = {node: secrets.token_hex(6) for node in data.nodes}

    def described(node: MapNode) -> str:
        if node.generation is None:
            return orphan.format(kelurahan=node.kelurahan)
        return known.format(generation=node.generation, kelurahan=node.kelurahan)

    nodes = {}
    for ikm_id, node in sorted(data.nodes.items(), key=lambda item: tokens[item[0]]):
        nodes[tokens[ikm_id]] = replace(
            node, ikm_id=tokens[ikm_id], name=described(node),
            teachers=[Teacher(tokens[t.ikm_id], described(data.nodes[t.ikm_id]) if t.ikm_id in data.nodes
                              else "IKM", t.date) for t in node.teachers])
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from(sorted(((tokens[u], tokens[v], attributes) for u, v, attributes in data.graph.edges(data=True)),
                                key=lambda edge: edge[:2]))
    return replace(data, graph=graph, nodes=nodes, seed=None, seed_name=None, public=True)
