"""What a choropleth of the kelurahan shows (SPEC §12), gathered from a store: per kelurahan
the seeds, total, coverage, multiplier and broken chains of one skill (or all), as of one
date and, for a document that switches dates, of earlier ones. The view
(:mod:`tular.visualizations.choropleth`) draws it and never reads the store.

Readings of the spec:

- Counts are SPEC §5's per-area numbers, by the IKM's own kelurahan (the reach's ``areas``:
  :func:`tular.graph.metrics.engine.kelurahan_counts`); coverage divides by the kelurahan's
  population as the reach does (the populations input, else the IKM on record there).
- ``broken``: the ``dead_seed`` and ``stalled_lineage`` findings of SPEC §5 (window W),
  counted in each seed's own kelurahan; dormant learners and orphans are not counted (a map
  that is all red points nowhere, SPEC §8).
- All skills: an IKM counted in several skills counts once in its kelurahan's total (as
  ``distinct_total`` does for the city); broken chains are added up over the skills.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import engine
from tular.graph.metrics.results import AreaFilter, ChoroplethData, ChoroplethFrame, KelurahanValues
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError, said
from tular.graph.model.geography import boundaries_for
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.graph.store.base import GraphStore

#: the broken-chain findings a choropleth counts (in the seed's own kelurahan)
COUNTED_FINDINGS = ("dead_seed", "stalled_lineage")
ALL_SKILLS = "all"
#: a date switch steps through the ends of at most this many years before its date
MAX_YEARS = 15


def offered(store: GraphStore) -> bool:
    """Whether the store's gazetteer has boundaries for every kelurahan (SPEC §12)."""
    return boundaries_for(store.gazetteer()) is not None


def yearly_dates(store: GraphStore, skill_name: str, as_of: date) -> list[date]:
    """31 December of every year from the one before the first training of the skill (all:
    of any skill) up to the year before ``as_of``, then ``as_of``: the steps of a document's
    date switch, starting from an empty city."""
    skills = _skills(store, skill_name)
    ends = [t.end_date for t in store.trainings() if set(t.skills) & set(skills) and t.end_date <= as_of]
    first = max(min(ends, default=as_of).year - 1, as_of.year - MAX_YEARS)
    return [date(year, 12, 31) for year in range(first, as_of.year) if date(year, 12, 31) < as_of] + [as_of]


def _skills(store: GraphStore, skill_name: str) -> list[str]:
    if skill_name.strip().casefold() == ALL_SKILLS:
        return [s.skill_id for s in store.skills()]
    return [metrics.resolve_skill(store, skill_name)]


@metrics._answer
def choropleth_data(store: GraphStore, skill_name: str, as_of: date, *, dates: Sequence[date] = (),
                    dormant_days: int = DEFAULT_DORMANT_DAYS) -> ChoroplethData:
    """The kelurahan's numbers of ``skill_name`` (or ``all``) as of ``as_of`` (the date shown)
    and of each of ``dates`` (the dates a document can switch to), computed by the engine on the cascades the store walks."""
    if dormant_days < 1:
        raise said(UsageError, N_("problem.dormant_days"))
    gazetteer = store.gazetteer()
    boundaries = boundaries_for(gazetteer)
    if boundaries is None:
        raise said(UsageError, N_("error.no_boundaries"))
    skills = _skills(store, skill_name)
    lookups = metrics._lookups(store)
    population = np.array([engine.coverage_population(lookups, AreaFilter(kelurahan=k.code))
                           for k in gazetteer.kelurahan_list], dtype=np.int64)
    position = {k.code: i for i, k in enumerate(gazetteer.kelurahan_list)}
    frames = []
    for day in sorted({*dates, as_of}):
        graphs = metrics._walked(store, skills, day)
        seeds, total = engine.kelurahan_counts(graphs.values(), gazetteer)
        broken = np.zeros(len(position), dtype=np.int64)
        for graph in graphs.values():
            findings = engine.broken_chains(graph, engine.Lookups(gazetteer=gazetteer), store.people, graph.level,
                                            dormant_days).findings
            for finding in findings:
                if finding.kind in COUNTED_FINDINGS:
                    node = graph.index(finding.ikm_id)
                    broken[position[graph.kelurahan_codes[graph.kelurahan[node]]]] += 1
        frames.append(ChoroplethFrame(as_of=day, areas=[
            KelurahanValues(
                code=k.code, kecamatan=gazetteer.kecamatan_of(k.code).name, kelurahan=k.name,
                seeds=int(seeds[i]), reached=int(total[i] - seeds[i]), total=int(total[i]),
                population=int(population[i]),
                coverage=int(total[i]) / int(population[i]) if population[i] else None,
                multiplier=engine.multiplier(int(total[i]), int(seeds[i])), broken=int(broken[i]))
            for i, k in enumerate(gazetteer.kelurahan_list)]))
    one = None if len(skills) != 1 else next(s for s in store.skills() if s.skill_id == skills[0])
    return ChoroplethData(skill=one.skill_id if one else None, skill_name_id=one.name_id if one else None,
                          skill_name_en=one.name_en if one else None, as_of=as_of, dormant_days=dormant_days,
                          frames=frames, boundaries=boundaries)
