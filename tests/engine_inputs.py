"""The engine's arrays made from the networkx reference's inputs, for tests that hold the
two against each other on the same graph (test-only: production reads arrays from a store)."""

from __future__ import annotations

import numpy as np

from tular.graph.metrics.engine import Lookups, SkillArrays


def from_inputs(inputs) -> SkillArrays:
    """The arrays of the reference's :class:`~tular.graph.metrics.nx_reference.Inputs` (its networkx graph)."""
    graph = inputs.graph
    ids = sorted(set(graph) | {ikm for ikm, _, _ in inputs.attendance})
    index = {ikm: i for i, ikm in enumerate(ids)}
    codes = sorted({inputs.people[i].kelurahan for i in ids})
    code_index = {c: i for i, c in enumerate(codes)}
    edges = [(index[u], index[v], d.toordinal()) for u, v, d in graph.edges(data="date")]
    columns = np.array(edges, dtype=np.int64).reshape(-1, 3)
    return SkillArrays(
        skill=inputs.skill, as_of=inputs.as_of, ids=np.array(ids, dtype=object), keys=np.arange(len(ids)),
        kelurahan=np.array([code_index[inputs.people[i].kelurahan] for i in ids], dtype=np.int64),
        kelurahan_codes=codes, teacher=columns[:, 0].copy(), learner=columns[:, 1].copy(), day=columns[:, 2].copy(),
        attendance=[(index[ikm], training, end) for ikm, training, end in inputs.attendance if end <= inputs.as_of],
    )


def lookups_of(inputs) -> Lookups:
    return Lookups(gazetteer=inputs.gazetteer, budgets=inputs.budgets, populations=inputs.populations,
                   ikm_per_kelurahan=inputs.ikm_per_kelurahan)
