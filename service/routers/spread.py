"""Reach and broken chains: the same parameters and bodies as `tular reach --json` and
`tular broken --json`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import public
from tular.graph.metrics.results import Broken, PublicBroken, Reach, ReachAll
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.graph.store import GraphStore
from tular.service.cache import AnswerCache, JSONAnswer, JSONAnswerResponse
from tular.service.deps import SettingsDep, StoreDep, Viewer
from tular.service.problems import responses
from tular.service.routers.common import (
    CohortFilter,
    KecamatanFilter,
    KelurahanFilter,
    YearFilter,
    as_of_date,
    filtered_query,
)

router = APIRouter(prefix="/api/v1", tags=["analytics"])
answers = AnswerCache()


def cached(store: GraphStore, question: tuple, compute: Callable[[], BaseModel]) -> Response:
    """The answer as JSON, computed (and compressed) once per store version (the body is what
    the model gives)."""
    answer = answers.answer(store, question, lambda: JSONAnswer.of(compute().model_dump_json().encode()))
    return JSONAnswerResponse(answer)


AsOf = Annotated[str | None, Query(description="Count events up to this date (default: today, WIB). "
                                               "2021-03-05 or 05/03/2021.", max_length=40)]


@router.get("/reach", response_model=Reach | ReachAll, responses=responses(401, 403, 422, 503),
            summary="How far a skill travelled (SPEC §5)")
def reach(
    store: StoreDep, settings: SettingsDep, key: Viewer,
    skill: Annotated[str, Query(description="Skill id or alias, or `all`.", min_length=1, max_length=200,
                                examples=["batik"])],
    as_of: AsOf = None,
    kelurahan: KelurahanFilter = None,
    kecamatan: KecamatanFilter = None,
    cohort: CohortFilter = None,
    year: YearFilter = None,
) -> Response:
    query = filtered_query(settings, skill, as_of, kelurahan, kecamatan, cohort, year)
    everything = skill.strip().casefold() == "all"
    question = ("reach", query.skill.strip().casefold(), query.as_of, kelurahan, kecamatan, query.cohort, year,
                key is None)
    compute = metrics.reach_all if everything else metrics.reach
    if key is None:  # anonymous (public read): no person named
        return cached(store, question, lambda: (public.reach_all if everything else public.reach)(compute(store, query)))
    return cached(store, question, lambda: compute(store, query))


@router.get("/broken-chains", response_model=Broken | PublicBroken, responses=responses(401, 403, 422, 503),
            summary="Where the chain broke (SPEC §5); anonymous readers get counts per kind and kelurahan")
def broken_chains(
    store: StoreDep, settings: SettingsDep, key: Viewer,
    skill: Annotated[str, Query(description="Skill id or alias.", min_length=1, max_length=200, examples=["batik"])],
    as_of: AsOf = None,
    dormant_days: Annotated[int, Query(description="Dormant window W in days.", ge=1, le=36500)] = DEFAULT_DORMANT_DAYS,
) -> Response:
    day = as_of_date(as_of, settings)
    if key is None:  # anonymous (public read): counts, no person
        return cached(store, ("broken", skill.strip().casefold(), day, dormant_days, "public"),
                      lambda: public.broken(metrics.broken(store, skill, day, dormant_days)))
    return cached(store, ("broken", skill.strip().casefold(), day, dormant_days),
                  lambda: metrics.broken(store, skill, day, dormant_days))
