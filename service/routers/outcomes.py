"""Outcomes (SPEC §10): record one, the outcome rate by generation, and the next-cohort plan.
The GET bodies are those of `tular outcomes --json` and `tular plan --json`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import planner, public
from tular.graph.metrics.results import OutcomeRates, Plan, PublicPlan
from tular.graph.model.catalogue import N_
from tular.service.deps import AnswerLanguage, Editor, SettingsDep, StoreDep, Viewer
from tular.service.language import Term, api_language
from tular.service.problems import responses
from tular.service.routers.common import (
    CohortFilter,
    KecamatanFilter,
    KelurahanFilter,
    YearFilter,
    as_of_date,
    filtered_query,
    record_one,
)
from tular.service.routers.spread import AsOf, cached
from tular.service.schemas import OutcomeIn, WriteOut

router = APIRouter(prefix="/api/v1", tags=["outcomes"])

Skill = Annotated[str, Query(description="Skill id or alias.", min_length=1, max_length=200, examples=["batik"])]

OUTCOMES_EXAMPLE = {
    "skill": "batik", "kind": "pameran", "as_of": "2024-12-31",
    "generations": [{"generation": 0, "count": 2, "with_outcome": 2, "rate": 1.0},
                    {"generation": 1, "count": 20, "with_outcome": 12, "rate": 0.6}],
    "areas": [{"kecamatan": "Blimbing", "kelurahan": "Bunulrejo", "count": 22, "with_outcome": 14,
               "rate": 0.6363636363636364}],
}
PLAN_EXAMPLE = {
    "skill": "batik", "seats": 2, "as_of": "2023-12-31",
    "kelurahan": [{"kecamatan": "Sukun", "kelurahan": "Bandulan", "population": 240, "total": 3, "unmet_need": 237,
                   "broken": 1, "reason": "237 of 240 IKM not reached yet (3 trained or reached); 1 broken chains"}],
    "narasumber": [{"ikm_id": "IKM-00059", "name": "Ibu Sri Rahayu", "kelurahan": "Bunulrejo", "per_seed_reach": 20,
                    "outcomes": 3, "reason": "passed the skill on to 20 IKM (generation 0); 3 outcome(s) recorded"}],
    "visits": [{"ikm_id": "IKM-00412", "name": "Ibu Wahyuni", "kelurahan": "Bunulrejo", "days_dormant": 400,
                "reason": "has taught nobody for 400 days; IKM of its kelurahan taught 20 IKM"}],
}


@router.post("/outcomes", response_model=WriteOut, status_code=201, responses=responses(401, 403, 422, 503),
             summary="Record one outcome (editor), validated like an imported row")
def record(outcome: OutcomeIn, request: Request, store: StoreDep, settings: SettingsDep, key: Editor) -> WriteOut:
    return record_one(store, settings, key, "outcomes", outcome.model_dump(), Term(N_("problem.what_outcome")),
                      api_language(request, settings))


@router.get("/outcomes", response_model=OutcomeRates, responses={
    **responses(401, 403, 422, 503), 200: {"content": {"application/json": {"example": OUTCOMES_EXAMPLE}}}},
    summary="Outcome rate by generation (SPEC §10)")
def outcome_rates(
    store: StoreDep, settings: SettingsDep, _: Viewer, skill: Skill,
    kind: Annotated[str | None, Query(description="Outcome kind (default: any).", max_length=100,
                                      examples=["pameran"])] = None,
    as_of: AsOf = None,
    after_learning: Annotated[bool, Query(description="Only outcomes dated on or after the day the IKM learned "
                                                      "the skill.")] = False,
    kelurahan: KelurahanFilter = None,
    kecamatan: KecamatanFilter = None,
    cohort: CohortFilter = None,
    year: YearFilter = None,
) -> Response:
    query = filtered_query(settings, skill, as_of, kelurahan, kecamatan, cohort, year)
    question = ("outcomes", skill.strip().casefold(), kind, query.as_of, after_learning, kelurahan, kecamatan,
                query.cohort, year)
    return cached(store, question, lambda: metrics.outcome_rates(store, query, kind, after_learning))


@router.get("/plan", response_model=Plan | PublicPlan, responses={
    **responses(401, 403, 422, 503), 200: {"content": {"application/json": {"example": PLAN_EXAMPLE}}}},
    summary="The next cohort: kelurahan, narasumber and visits (SPEC §10); anonymous readers get narasumber "
            "and visits as counts per kelurahan")
def plan(
    store: StoreDep, settings: SettingsDep, key: Viewer, skill: Skill, chosen: AnswerLanguage,
    seats: Annotated[int, Query(description="Seats in the next cohort.", ge=1, le=10_000)],
    year: Annotated[int | None, Query(description="Program year planned: data up to 31 December of the year "
                                                  "before.", ge=1900, le=2200)] = None,
    as_of: AsOf = None,
    lang: Annotated[str | None, Query(description="Language of the reasons: id or en (default: the "
                                                  "Accept-Language header, else the server's TULAR_LANG, else id).",
                                      pattern="^(id|en)$")] = None,
) -> Response:
    lang = chosen  # ?lang= first, then Accept-Language (SPEC §11)
    day = as_of_date(as_of, settings)
    question = ("plan", skill.strip().casefold(), seats, year, day, lang, key is None)
    if key is None:  # anonymous (public read): nobody named
        return cached(store, question, lambda: public.plan(planner.plan(store, skill, seats, day, year=year, lang=lang)))
    return cached(store, question, lambda: planner.plan(store, skill, seats, day, year=year, lang=lang))
