"""SPEC §5 metrics of a store: the store hands over each skill's teaching graph as integer
arrays and walks its cascade (in Cypher in Neo4j, with numpy in memory embedded); the rest
is computed by :mod:`tular.graph.metrics.engine`, the one engine (SPEC §3), which the
property tests hold equal to the networkx oracle of the tests."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

import numpy as np

from tular.graph.metrics import engine
from tular.graph.metrics.engine import Lookups, SkillArrays
from tular.graph.metrics.results import (
    CHAIN_STATUSES,
    AreaFilter,
    Broken,
    Chains,
    LineageOfSkill,
    OutcomeRates,
    Reach,
    ReachAll,
)
from tular.graph.model.collector import collector_paused
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError, said
from tular.graph.model.gazetteer import Gazetteer
from tular.graph.model.records import OUTCOME_KINDS
from tular.graph.model.skills import SkillVocabulary
from tular.graph.store.base import GraphStore, IKMPage
from tular.graph.store.pinning import OnFirstUse


@dataclass
class Query:
    """What a user asked: names as written, resolved against the store."""

    skill: str
    as_of: date
    kelurahan: str | None = None
    kecamatan: str | None = None
    cohort: Sequence[str] = ()
    year: int | None = None


def resolve_skill(store: GraphStore, name: str) -> str:
    return SkillVocabulary(store.skills()).resolve(name)


def resolve_area(store: GraphStore, kelurahan: str | None, kecamatan: str | None,
                 gazetteer: Gazetteer | None = None) -> AreaFilter:
    if kelurahan and kecamatan:
        raise said(UsageError, N_("error.area_twice"))
    gazetteer = gazetteer or store.gazetteer()
    if kelurahan:
        return AreaFilter(kelurahan=gazetteer.kelurahan(kelurahan).code)
    if kecamatan:
        return AreaFilter(kecamatan=gazetteer.kecamatan(kecamatan).code)
    return AreaFilter()


def _check_cohort(budgets: dict[str, int | None], cohort: Sequence[str]) -> None:
    unknown = [c for c in cohort if c not in budgets]
    if unknown:
        raise said(UsageError, N_("error.unknown_cohort"), {"training_ids": ", ".join(unknown)})


def _answer(metric):
    """A metric computed with the collector paused (see :mod:`.collector`), on the
    store's state at the start (:meth:`GraphStore.pinned`)."""
    @functools.wraps(metric)
    def paused(store: GraphStore, *args, **kwargs):
        with collector_paused(), store.pinned():
            return metric(store, *args, **kwargs)
    return paused


def _lookups(store: GraphStore) -> Lookups:
    """The store-wide inputs, read once per call (not once per skill). IKM per kelurahan only
    when a coverage needs them (a count over every IKM: a second at province scale)."""
    return Lookups(gazetteer=store.gazetteer(), budgets={t.training_id: t.budget_idr for t in store.trainings()},
                   populations=store.populations(), ikm_per_kelurahan=OnFirstUse(store.ikm_per_kelurahan))


def _walked(store: GraphStore, skills: Sequence[str], as_of: date, cohort: Sequence[str] = (),
            year: int | None = None) -> dict[str, SkillArrays]:
    """The skills' graphs with their cascades walked from the seeds ``cohort`` and ``year`` select."""
    return store.skill_arrays(skills, as_of, seeds=lambda graph: list(engine.select_seeds(graph, cohort or None, year)))


@_answer
def reach(store: GraphStore, query: Query) -> Reach:
    skill = resolve_skill(store, query.skill)
    lookups = _lookups(store)
    area = resolve_area(store, query.kelurahan, query.kecamatan, lookups.gazetteer)
    _check_cohort(lookups.budgets, query.cohort)
    graph = _walked(store, [skill], query.as_of, query.cohort, query.year)[skill]
    return engine.reach(graph, lookups, store.people, graph.level, cohort=query.cohort or None, year=query.year,
                        area=area)


#: reach_all assembles the skills' answers on two threads from this many edges in all
PARALLEL_EDGES = 200_000


class _InThread:
    map = staticmethod(map)


@_answer
def reach_all(store: GraphStore, query: Query) -> ReachAll:
    """``--skill all``: one reach per skill and the IKM counted in at least one."""
    lookups = _lookups(store)
    area = resolve_area(store, query.kelurahan, query.kecamatan, lookups.gazetteer)
    _check_cohort(lookups.budgets, query.cohort)
    skills = [s.skill_id for s in store.skills()]
    graphs = _walked(store, skills, query.as_of, query.cohort, query.year)
    counted = {skill: engine.counted(g, g.level, area, lookups.gazetteer) for skill, g in graphs.items()}
    # numpy lets go of the GIL for most of the work on large graphs; on small ones a thread costs more
    large = sum(len(g.teacher) for g in graphs.values()) >= PARALLEL_EDGES
    if large:
        from concurrent.futures import ThreadPoolExecutor  # with logging: not loaded by one skill's reach
    with ThreadPoolExecutor(max_workers=2) if large else nullcontext(_InThread()) as pool:
        tops = dict(zip(skills, pool.map(
            lambda skill: engine.top_by_onward_reach(graphs[skill], np.flatnonzero(counted[skill]), graphs[skill].level),
            skills)))
        people = store.people([graphs[skill].ids[node] for skill, top in tops.items() for node, _ in top])  # one read
        results = list(pool.map(
            lambda skill: engine.reach(graphs[skill], lookups, lambda ids: people, graphs[skill].level,
                                       cohort=query.cohort or None, year=query.year, area=area, top=tops[skill]),
            skills))
    keys = np.concatenate([g.keys[counted[skill]] for skill, g in graphs.items()] or [np.zeros(0, dtype=np.int64)])
    seen = np.zeros(int(keys.max()) + 1 if keys.size else 0, dtype=bool)  # linear, where np.unique sorts
    seen[keys] = True
    distinct = int(np.count_nonzero(seen))
    return ReachAll(as_of=query.as_of, skills=results, distinct_total=distinct)


@_answer
def broken(store: GraphStore, skill_name: str, as_of: date, dormant_days: int) -> Broken:
    if dormant_days < 1:
        raise said(UsageError, N_("problem.dormant_days"))
    skill = resolve_skill(store, skill_name)
    graph = _walked(store, [skill], as_of)[skill]
    return engine.broken_chains(graph, Lookups(gazetteer=store.gazetteer()), store.people, graph.level, dormant_days)


@_answer
def chains(store: GraphStore, skill_name: str, as_of: date, dormant_days: int, *, statuses: Sequence[str] = (),
           min_size: int | None = None, includes: str | None = None) -> Chains:
    """SPEC §12 chains of a skill: every lineage as a row, the histogram of their sizes, and
    the rows the filters choose (``statuses``, ``min_size``, the chain holding ``includes``)."""
    if dormant_days < 1:
        raise said(UsageError, N_("problem.dormant_days"))
    unknown = [s for s in statuses if s not in CHAIN_STATUSES]
    if unknown:
        raise said(UsageError, N_("error.unknown_chain_status"), {"status": unknown[0], "valid": ", ".join(CHAIN_STATUSES)})
    if min_size is not None and min_size < 1:
        raise said(UsageError, N_("error.min_size"))
    skill = resolve_skill(store, skill_name)
    if includes is not None:
        store.get_ikm(includes)  # UnknownIKM when there is none
    graph = _walked(store, [skill], as_of)[skill]
    node = graph.index(includes) if includes is not None else None
    return engine.chains(graph, store.gazetteer(), graph.level, dormant_days, statuses=statuses, min_size=min_size,
                         includes=-1 if includes is not None and node is None else node)


@_answer
def lineage(store: GraphStore, ikm_id: str, as_of: date, skill_name: str | None = None) -> dict:
    """Paths from the seeds to one IKM and its downstream, per skill it has a record of."""
    ikm = store.get_ikm(ikm_id)  # UnknownIKM when there is none
    skills = [resolve_skill(store, skill_name)] if skill_name else [s.skill_id for s in store.skills()]
    gazetteer = store.gazetteer()
    per_skill: list[LineageOfSkill] = []
    for skill, graph in _walked(store, skills, as_of).items():
        node = graph.index(ikm_id)
        recorded = node is not None and (graph.out_degree[node] > 0 or graph.in_degree[node] > 0
                                         or any(n == node for n, _, _ in graph.attendance))
        if not recorded and skill_name is None:
            continue
        per_skill.append(engine.lineage(graph, graph.level, ikm_id, store.people, gazetteer))
    return {
        "ikm_id": ikm.ikm_id, "name": ikm.name, "kelurahan": gazetteer.by_code(ikm.kelurahan_code).name,
        "kecamatan": gazetteer.kecamatan_of(ikm.kelurahan_code).name, "as_of": as_of.isoformat(),
        "skills": [s.model_dump(mode="json") for s in per_skill],
    }


def resolve_outcome_kind(kind: str | None) -> str | None:
    """An outcome kind as written (``Pameran``, ``first sale``) as its id; None stays None."""
    if kind is None:
        return None
    from tular.graph.io.validation import OUTCOME_KIND_WORDS  # the words the importer accepts
    found = OUTCOME_KIND_WORDS.get("_".join(kind.strip().casefold().replace("-", " ").split()))
    if found is None:
        raise said(UsageError, N_("error.unknown_outcome_kind"), {"kind": kind, "valid": ", ".join(OUTCOME_KINDS)})
    return found


@_answer
def outcome_rates(store: GraphStore, query: Query, kind: str | None = None,
                  after_learning: bool = False) -> OutcomeRates:
    """SPEC §10 outcome rate by generation: the cascade walked by the store (in Cypher on
    Neo4j), the outcomes read with ``skill_outcomes``, the counting in numpy
    (:func:`tular.graph.metrics.engine.outcome_rates`, held equal to the networkx reference)."""
    skill = resolve_skill(store, query.skill)
    kind = resolve_outcome_kind(kind)
    gazetteer = store.gazetteer()
    area = resolve_area(store, query.kelurahan, query.kecamatan, gazetteer)
    if query.cohort:
        _check_cohort({t.training_id: t.budget_idr for t in store.trainings()}, query.cohort)
    graph = _walked(store, [skill], query.as_of, query.cohort, query.year)[skill]
    outcomes = store.skill_outcomes(skill, query.as_of, kind)
    return engine.outcome_rates(graph, gazetteer, graph.level, outcomes, kind, after_learning=after_learning,
                                cohort=query.cohort or None, year=query.year, area=area)


@dataclass
class IKMSearch:
    """A search of the IKM as a person writes it: part of an id or a name, a kelurahan or a
    kecamatan as the importer reads them (``Bunul Rejo`` is Bunulrejo), a skill, and a
    generation of that skill as of ``as_of`` (0: trainees)."""

    q: str | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None
    skill: str | None = None
    generation: int | None = None
    as_of: date | None = None


@dataclass
class IKMFound:
    page: IKMPage
    #: each listed IKM's generation of the chosen skill as of the date (absent: not reached)
    generations: dict[str, int]


@_answer
def search_ikm(store: GraphStore, search: IKMSearch, limit: int, offset: int = 0,
               with_generations: bool = False) -> IKMFound:
    """The IKM matching every filter given, ``limit`` of them from ``offset`` (ordered by
    id), with the number of all that match; ``with_generations``: the listed IKM's
    generations of the skill too. The generation is the engine's, as on the dashboard and
    the IKM page."""
    if search.generation is not None and not search.skill:
        raise said(UsageError, N_("error.generation_without_skill"))
    if search.generation is not None and search.generation < 0:
        raise said(UsageError, N_("error.negative_generation"), {"generation": search.generation})
    gazetteer = store.gazetteer()
    code, codes = None, None
    if search.kelurahan:  # with a kecamatan too: the kelurahan of that name in that kecamatan
        code = gazetteer.kelurahan(search.kelurahan, search.kecamatan or None).code
    elif search.kecamatan:
        kecamatan = gazetteer.kecamatan(search.kecamatan).code
        codes = [k.code for k in gazetteer.kelurahan_list if k.kecamatan_code == kecamatan]
    skill = resolve_skill(store, search.skill) if search.skill else None
    levels: dict[str, int] = {}
    if skill is not None and search.as_of is not None and (with_generations or search.generation is not None):
        graph = _walked(store, [skill], search.as_of)[skill]
        levels = engine.levels_as_dict(graph, graph.level)
    elif search.generation is not None:
        raise said(UsageError, N_("error.generation_without_date"))
    ids = None if search.generation is None else [i for i, g in levels.items() if g == search.generation]
    page = store.search_ikm(q=(search.q or "").strip() or None, kelurahan_code=code, skill=skill, limit=limit,
                            offset=offset, kelurahan_codes=codes, ikm_ids=ids)
    return IKMFound(page=page, generations={i.ikm_id: levels[i.ikm_id] for i in page.items if i.ikm_id in levels})
