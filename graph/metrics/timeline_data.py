"""What a timeline shows (SPEC §12): the IKM of one seed's chain, or of one kelurahan, with
the date each learned the skill, its generation and the teacher it is drawn from. The view
(:mod:`tular.visualizations.timeline`) takes these rows and draws them, whatever computed them.

A chain is read here from the propagation map's data of the whole skill (every IKM's SPEC §5
generation and dated teachers, :func:`tular.graph.metrics.map_data.map_data`) with SPEC §12's
generation-parent assignment: a reached IKM of generation g hangs from its teacher of
generation g − 1 whose teaching to it is earliest (ties to the smaller teacher id), which is
followed back to a seed. Each step lowers the generation, so it ends on any store.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date

from tular.graph.metrics import answers as metrics
from tular.graph.metrics.map_data import map_data
from tular.graph.metrics.results import MapData, TimelineData, TimelineRow
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError, said
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.graph.store.base import GraphStore


def generation_parents(data: MapData) -> dict[str, str]:
    """Each reached IKM's generation parent (SPEC §12).

    Teachers come sorted by date, then id (``map_data``), so the first one a generation
    above is the earliest, ties to the smaller id."""
    parents = {}
    for ikm_id, node in data.nodes.items():
        if not node.generation:
            continue
        for teacher in node.teachers:
            above = data.nodes.get(teacher.ikm_id)
            if above is not None and above.generation == node.generation - 1:
                parents[ikm_id] = teacher.ikm_id
                break
    return parents


def chain_seeds(data: MapData, parents: dict[str, str]) -> dict[str, str]:
    """The seed of the chain each IKM of the cascade belongs to."""
    seeds: dict[str, str] = {}
    for ikm_id, node in data.nodes.items():
        if node.generation is None:
            continue
        path = []
        current = ikm_id
        while current not in seeds and current in parents:
            path.append(current)
            current = parents[current]
        root = seeds.get(current, current)
        for member in (*path, current):
            seeds[member] = root
    return seeds


def _row(data: MapData, ikm_id: str, teacher: str | None) -> TimelineRow:
    node = data.nodes[ikm_id]
    return TimelineRow(ikm_id=ikm_id, name=node.name, kelurahan=node.kelurahan, learned_on=node.learned_on,
                       generation=node.generation, teacher=teacher)


def chain_rows(data: MapData, seed: str) -> list[TimelineRow]:
    """The rows of ``seed``'s chain: the seed and every reached IKM assigned to it."""
    parents = generation_parents(data)
    seeds = chain_seeds(data, parents)
    return sorted((_row(data, ikm_id, parents.get(ikm_id)) for ikm_id, root in seeds.items() if root == seed),
                  key=lambda r: (r.generation, r.learned_on, r.ikm_id))


def kelurahan_rows(data: MapData, kelurahan_code: str) -> list[TimelineRow]:
    """The IKM of the cascade located in one kelurahan; each drawn from its generation parent
    when that parent lives there too."""
    parents = generation_parents(data)
    here = {i for i, n in data.nodes.items() if n.kelurahan_code == kelurahan_code and n.generation is not None}
    return sorted((_row(data, i, parents[i] if parents.get(i) in here else None) for i in here),
                  key=lambda r: (r.generation, r.learned_on, r.ikm_id))


def largest_chain(data: MapData) -> str | None:
    """The seed of the largest chain (ties to the smaller seed id)."""
    sizes: dict[str, int] = {}
    for root in chain_seeds(data, generation_parents(data)).values():
        sizes[root] = sizes.get(root, 0) + 1
    return min(sizes, key=lambda seed: (-sizes[seed], seed)) if sizes else None


@metrics._answer
def timeline_data(store: GraphStore, skill_name: str, as_of: date, *, seed: str | None = None,
                  ikm: str | None = None, kelurahan: str | None = None) -> TimelineData:
    """The timeline of ``seed``'s chain, of the chain ``ikm`` belongs to, or of the IKM of
    ``kelurahan``; with none of them, of the skill's largest chain."""
    data = map_data(store, skill_name, as_of, dormant_days=DEFAULT_DORMANT_DAYS)
    if kelurahan is not None:
        area = store.gazetteer().kelurahan(kelurahan)
        return _timeline(data, "kelurahan", area.name, kelurahan_rows(data, area.code))
    if ikm is not None:
        store.get_ikm(ikm)  # UnknownIKM when there is none
        seeds = chain_seeds(data, generation_parents(data))
        if ikm not in seeds:
            raise said(UsageError, N_("error.in_no_chain"), {"ikm": ikm, "skill": data.skill_id, "as_of": as_of.isoformat()})
        seed = seeds[ikm]
    if seed is None:
        seed = largest_chain(data)
        if seed is None:
            return _timeline(data, "chain", "", [])
    if seed not in data.nodes or not data.nodes[seed].is_seed:
        raise said(UsageError, N_("error.not_a_trainee"), {"ikm": seed, "skill": data.skill_id, "as_of": as_of.isoformat()})
    return _timeline(data, "chain", data.nodes[seed].name, chain_rows(data, seed), seed)


def _timeline(data: MapData, kind: str, subject: str, rows: list[TimelineRow], seed: str | None = None
              ) -> TimelineData:
    return TimelineData(skill_id=data.skill_id, skill_name_id=data.skill_name_id, skill_name_en=data.skill_name_en,
                        as_of=data.as_of, kind=kind, subject=subject, rows=rows, seed=seed)


def public_timeline(data: TimelineData) -> TimelineData:
    """The timeline for anonymous readers (SPEC §7): no names or ids — every IKM under a
    number drawn for this edition, in an order that says nothing of its id; a chain is not
    named after its seed."""
    shuffled = sorted(data.rows, key=lambda r: secrets.token_bytes(8))
    ordered = sorted(shuffled, key=lambda r: (r.generation, r.learned_on))
    token = {r.ikm_id: f"ikm-{i}" for i, r in enumerate(ordered)}
    rows = [replace(r, ikm_id=token[r.ikm_id], name="", teacher=token.get(r.teacher) if r.teacher else None)
            for r in ordered]
    return replace(data, rows=rows, subject="" if data.kind == "chain" else data.subject, seed=None, public=True)
