"""What a store hands over of one skill, asked the way the metrics ask it
(``store.skill_arrays``, the one read path of the engine): for tests that look at the
teaching graph or the seeds' attendance themselves."""

from __future__ import annotations

from datetime import date

import numpy as np

from tular.graph.metrics.engine import SkillArrays
from tular.graph.store import GraphStore


def arrays(store: GraphStore, skill: str, as_of: date | None = None) -> SkillArrays:
    """The skill's graph as of ``as_of`` (every date when None)."""
    return store.skill_arrays([skill], as_of or date.max)[skill]


def edges(store: GraphStore, skill: str, as_of: date | None = None) -> dict[tuple[str, str], date]:
    """(teacher, learner) → date of every teaching of ``skill`` dated ≤ ``as_of`` (every date
    when None), teacher to learner, one per pair: the earliest copy."""
    graph = arrays(store, skill, as_of)
    ids = graph.ids
    return {(ids[t], ids[v]): date.fromordinal(d)
            for t, v, d in zip(graph.teacher.tolist(), graph.learner.tolist(), graph.day.tolist())}


def kelurahan(store: GraphStore, skill: str, ikm_id: str) -> str:
    """The kelurahan code the metrics place ``ikm_id`` in, in the graph of ``skill``."""
    graph = arrays(store, skill)
    return graph.kelurahan_codes[graph.kelurahan[graph.index(ikm_id)]]


def attendance(store: GraphStore, skill: str, as_of: date | None = None) -> list[tuple[str, str, date, int | None]]:
    """(ikm_id, training_id, end_date, budget_idr) of every completed attendance at a training
    of ``skill`` ended by ``as_of`` (every date when None): the candidate seeds, by
    (ikm_id, end_date, training_id)."""
    graph = arrays(store, skill, as_of)
    budgets = {t.training_id: t.budget_idr for t in store.trainings()}
    rows = [(graph.ids[node], training, end, budgets[training]) for node, training, end in graph.attendance]
    return sorted(rows, key=lambda r: (r[0], r[2], r[1]))


def cascade(store: GraphStore, skill: str, as_of: date, start) -> dict[str, int]:
    """The generation of every IKM of ``start`` (0) and of every IKM reached from them by the
    skill's teachings dated ≤ ``as_of``, walked by the store (in Cypher on Neo4j)."""
    start = list(start)
    graph = store.skill_arrays([skill], as_of,
                               seeds=lambda g: [i for i in map(g.index, start) if i is not None])[skill]
    reached = np.flatnonzero(graph.level >= 0)
    return {**dict.fromkeys(start, 0), **dict(zip(graph.ids[reached].tolist(), graph.level[reached].tolist()))}
