"""SPEC §5 metrics of a store: gather the inputs through the GraphStore interface, let the
store walk the cascade (Cypher in Neo4j, networkx embedded), compute the rest with the
reference functions of :mod:`tular.graph.analytics`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from . import analytics
from .analytics import AreaFilter, Broken, Inputs, LineageOfSkill, Reach, ReachAll
from .errors import UsageError
from .skills import SkillVocabulary
from .store.base import GraphStore


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


def resolve_area(store: GraphStore, kelurahan: str | None, kecamatan: str | None) -> AreaFilter:
    if kelurahan and kecamatan:
        raise UsageError("give --kelurahan or --kecamatan, not both")
    gazetteer = store.gazetteer()
    if kelurahan:
        return AreaFilter(kelurahan=gazetteer.kelurahan(kelurahan).code)
    if kecamatan:
        return AreaFilter(kecamatan=gazetteer.kecamatan(kecamatan).code)
    return AreaFilter()


def gather(store: GraphStore, skill: str, as_of: date) -> Inputs:
    graph = store.teaching_graph(skill, as_of)
    attendance = [(row.ikm_id, row.training_id, row.end_date) for row in store.seed_attendance(skill, as_of)]
    people = store.people(set(graph) | {ikm for ikm, _, _ in attendance})
    return Inputs(
        skill=skill, as_of=as_of, graph=graph, attendance=attendance, people=people,
        gazetteer=store.gazetteer(), budgets={t.training_id: t.budget_idr for t in store.trainings()},
        populations=store.populations(), ikm_per_kelurahan=store.ikm_per_kelurahan(),
    )


def _cascade(store: GraphStore, skill: str, as_of: date):
    return lambda graph, seeds: store.generations(skill, as_of, seeds)


def _check_cohort(store: GraphStore, cohort: Sequence[str]) -> None:
    known = {t.training_id for t in store.trainings()}
    unknown = [c for c in cohort if c not in known]
    if unknown:
        raise UsageError(f"unknown training id(s) in --cohort: {', '.join(unknown)}")


def reach(store: GraphStore, query: Query) -> Reach:
    skill = resolve_skill(store, query.skill)
    area = resolve_area(store, query.kelurahan, query.kecamatan)
    _check_cohort(store, query.cohort)
    inputs = gather(store, skill, query.as_of)
    return analytics.reach(inputs, cohort=query.cohort or None, year=query.year, area=area,
                           cascade=_cascade(store, skill, query.as_of))


def reach_all(store: GraphStore, query: Query) -> ReachAll:
    """``--skill all``: one reach per skill and the IKM counted in at least one."""
    area = resolve_area(store, query.kelurahan, query.kecamatan)
    _check_cohort(store, query.cohort)
    results, cascades = [], []
    for skill in (s.skill_id for s in store.skills()):
        inputs = gather(store, skill, query.as_of)
        cascade = _cascade(store, skill, query.as_of)
        results.append(analytics.reach(inputs, cohort=query.cohort or None, year=query.year, area=area,
                                       cascade=cascade))
        level = cascade(inputs.graph, analytics.select_seeds(inputs, query.cohort or None, query.year))
        cascades.append([n for n in level if area.admits(inputs.people[n].kelurahan, inputs.gazetteer)])
    return ReachAll(as_of=query.as_of, skills=results, distinct_total=analytics.distinct_total(cascades))


def broken(store: GraphStore, skill_name: str, as_of: date, dormant_days: int) -> Broken:
    if dormant_days < 1:
        raise UsageError("--dormant-days must be at least 1")
    skill = resolve_skill(store, skill_name)
    return analytics.broken_chains(gather(store, skill, as_of), dormant_days, cascade=_cascade(store, skill, as_of))


def lineage(store: GraphStore, ikm_id: str, as_of: date, skill_name: str | None = None) -> dict:
    """Paths from the seeds to one IKM and its downstream, per skill it has a record of."""
    ikm = store.get_ikm(ikm_id)  # UnknownIKM when there is none
    skills = [resolve_skill(store, skill_name)] if skill_name else [s.skill_id for s in store.skills()]
    per_skill: list[LineageOfSkill] = []
    for skill in skills:
        inputs = gather(store, skill, as_of)
        if ikm_id not in inputs.graph and ikm_id not in {a[0] for a in inputs.attendance} and skill_name is None:
            continue
        per_skill.append(analytics.lineage(inputs, ikm_id, cascade=_cascade(store, skill, as_of)))
    gazetteer = store.gazetteer()
    return {
        "ikm_id": ikm.ikm_id, "name": ikm.name, "kelurahan": gazetteer.by_code(ikm.kelurahan_code).name,
        "kecamatan": gazetteer.kecamatan_of(ikm.kelurahan_code).name, "as_of": as_of.isoformat(),
        "skills": [s.model_dump(mode="json") for s in per_skill],
    }

