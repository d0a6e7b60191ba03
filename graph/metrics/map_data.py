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
from dataclasses import replace
from datetime import date

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import breadth_first_order

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import engine
from tular.graph.metrics.results import MapData, MapNode, Mark, Teacher
from tular.graph.model.catalogue import N_, Messages
from tular.graph.model.errors import UsageError, said
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.graph.store.base import GraphStore


@metrics._answer
def map_data(store: GraphStore, skill_name: str, as_of: date, *, kelurahan: str | None = None,
             kecamatan: str | None = None, seed: str | None = None,
             dormant_days: int = DEFAULT_DORMANT_DAYS) -> MapData:
    """Everything the map of ``skill_name`` as of ``as_of`` shows, computed by the engine on
    the cascade the store walks (the graph drawn is built from its arrays)."""
    skill_id = metrics.resolve_skill(store, skill_name)
    gazetteer = store.gazetteer()
    area = metrics.resolve_area(store, kelurahan, kecamatan, gazetteer)
    if seed is not None:
        store.get_ikm(seed)  # UnknownIKM when there is none
    graph = metrics._walked(store, [skill_id], as_of)[skill_id]
    ids, teacher, learner, day = graph.ids, graph.teacher, graph.learner, graph.day
    seeds = engine.select_seeds(graph)
    level = graph.level
    findings = engine.broken_chains(graph, engine.Lookups(gazetteer=gazetteer), store.people, level,
                                    dormant_days).findings

    in_graph = (graph.out_degree > 0) | (graph.in_degree > 0)
    universe = in_graph.copy()
    universe[list(seeds)] = True
    if seed is not None:
        node = graph.index(seed)
        if node not in seeds:
            raise said(UsageError, N_("error.not_a_trainee"), {"ikm": seed, "skill": skill_id, "as_of": as_of.isoformat()})
        universe = np.zeros(graph.n, dtype=bool)
        universe[node] = True
        if graph.out_degree[node]:
            universe[breadth_first_order(graph.forward, node, directed=True, return_predecessors=False)] = True
        # the lineage's own cascade: its seeds' descendants never leave it
        level = engine.generations(graph, [s for s in seeds if universe[s]])

    counted = universe & engine.in_area(graph, area, gazetteer)
    context = np.zeros(graph.n, dtype=bool)
    context[teacher[counted[learner] & universe[teacher]]] = True
    context &= ~counted
    shown = counted | context
    n_seeds, total, depth = engine.headline(level[counted & (level >= 0)])

    titles = {t.training_id: t.title for t in store.trainings()}
    training_of: dict[int, str] = {}
    for node, training, _ in sorted(graph.attendance, key=lambda row: (row[2], row[1])):
        if node in seeds and node not in training_of:
            training_of[node] = titles.get(training, training)
    marks: dict[str, list[Mark]] = {}
    for finding in findings:
        marks.setdefault(finding.ikm_id, []).append(Mark(finding.kind, finding.days_dormant))

    nodes_shown = np.flatnonzero(shown)
    drawn_edges = np.flatnonzero(shown[teacher] & shown[learner])
    drawn_edges = drawn_edges[np.lexsort((learner[drawn_edges], day[drawn_edges], teacher[drawn_edges]))]
    drawn = nx.DiGraph()
    drawn.add_nodes_from(ids[nodes_shown].tolist())
    drawn.add_edges_from((u, v, {"date": date.fromordinal(d)}) for u, v, d in zip(
        ids[teacher[drawn_edges]].tolist(), ids[learner[drawn_edges]].tolist(), day[drawn_edges].tolist()))
    into = np.flatnonzero(shown[learner])  # every teaching of a shown IKM, by (learner, date, teacher)
    into = into[np.lexsort((teacher[into], day[into], learner[into]))]
    teachers_of: dict[int, list[tuple[int, date]]] = {}
    for v, u, d in zip(learner[into].tolist(), teacher[into].tolist(), day[into].tolist()):
        teachers_of.setdefault(v, []).append((u, date.fromordinal(d)))
    wanted = set(nodes_shown.tolist()) | {u for taught in teachers_of.values() for u, _ in taught}
    people = store.people([*ids[sorted(wanted)].tolist(), *([seed] if seed else [])])
    onward = engine.onward_reaches(graph)
    out_degree = graph.out_degree
    nodes: dict[str, MapNode] = {}
    for node in nodes_shown.tolist():
        ikm_id = ids[node]
        person = people[ikm_id]
        taught = teachers_of.get(node, [])
        nodes[ikm_id] = MapNode(
            ikm_id=ikm_id, name=person.name, kelurahan_code=person.kelurahan,
            kelurahan=gazetteer.by_code(person.kelurahan).name,
            kecamatan=gazetteer.kecamatan_of(person.kelurahan).name,
            generation=int(level[node]) if level[node] >= 0 else None, is_seed=node in seeds,
            learned_on=seeds[node] if node in seeds else (taught[0][1] if taught else None),
            training=training_of.get(node),
            teachers=[Teacher(ids[u], people[ids[u]].name, d) for u, d in taught],
            learners=int(out_degree[node]), onward_reach=int(onward[node]), marks=marks.get(ikm_id, []),
            outside_area=bool(context[node]),
        )
    skill = next(s for s in store.skills() if s.skill_id == skill_id)
    area_label = None
    if area.kelurahan:
        area_label = f"Kelurahan {gazetteer.by_code(area.kelurahan).name}"
    elif area.kecamatan:
        area_label = f"Kecamatan {next(k.name for k in gazetteer.kecamatan_list if k.code == area.kecamatan)}"
    return MapData(
        skill_id=skill_id, skill_name_id=skill.name_id, skill_name_en=skill.name_en, as_of=as_of,
        seeds=n_seeds, reached=total - n_seeds, total=total, multiplier=engine.multiplier(total, n_seeds),
        max_depth=depth, dormant_days=dormant_days, graph=drawn, nodes=nodes, area=area_label, seed=seed,
        seed_name=people[seed].name if seed else None,
    )


def public_ids(ids) -> dict[str, str]:
    """A random dot id for each of ``ids``: 48 random bits each, drawn again on the all but
    impossible repeat."""
    ids = list(ids)
    tokens = {node: secrets.token_hex(6) for node in ids}
    while len(set(tokens.values())) < len(tokens):
        tokens = {node: secrets.token_hex(6) for node in ids}
    return tokens


def public_edition(data: MapData, lang: str = "id", tokens: dict[str, str] | None = None) -> MapData:
    """The map for anonymous readers: every IKM a dot described by its generation and
    kelurahan ("IKM, generation 2, Bunulrejo"), under an id drawn at random for this
    edition (in an order that says nothing of the ids) — no name, ``ikm_id`` or business
    name. One seed's lineage is not offered (it is asked by id). ``tokens``: the dot ids
    (:func:`public_ids`), when the caller needs them too (to place the dots)."""
    if data.seed is not None:
        raise said(UsageError, N_("problem.seed_needs_key"))
    texts = Messages(lang)
    if tokens is None:
        tokens = public_ids(data.nodes)

    def described(node: MapNode) -> str:
        if node.generation is None:
            return texts.t("map.public_dot_orphan", kelurahan=node.kelurahan)
        return texts.t("map.public_dot", generation=node.generation, kelurahan=node.kelurahan)

    nodes = {}
    for ikm_id, node in sorted(data.nodes.items(), key=lambda item: tokens[item[0]]):
        nodes[tokens[ikm_id]] = replace(
            node, ikm_id=tokens[ikm_id], name=described(node),
            teachers=[Teacher(tokens[t.ikm_id], described(data.nodes[t.ikm_id]), t.date) if t.ikm_id in data.nodes
                      else Teacher(secrets.token_hex(6), texts.t("map.someone"), t.date) for t in node.teachers])
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from(sorted(((tokens[u], tokens[v], attributes) for u, v, attributes in data.graph.edges(data=True)),
                                key=lambda edge: edge[:2]))
    return replace(data, graph=graph, nodes=nodes, seed=None, seed_name=None, public=True)
