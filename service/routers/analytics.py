"""Reach and broken chains: the same parameters and bodies as `tular reach --json` and
`tular broken --json`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tular.graph import metrics
from tular.graph.analytics import Broken, Reach, ReachAll

from ..deps import SettingsDep, StoreDep, Viewer
from ..errors import responses
from .common import as_of_date

router = APIRouter(prefix="/api/v1", tags=["analytics"])

AsOf = Annotated[str | None, Query(description="Count events up to this date (default: today, WIB). "
                                               "2021-03-05 or 05/03/2021.", max_length=40)]


@router.get("/reach", response_model=Reach | ReachAll, responses=responses(401, 403, 422, 503),
            summary="How far a skill travelled (SPEC §5)")
def reach(
    store: StoreDep, settings: SettingsDep, _: Viewer,
    skill: Annotated[str, Query(description="Skill id or alias, or `all`.", min_length=1, max_length=200,
                                examples=["batik"])],
    as_of: AsOf = None,
    kelurahan: Annotated[str | None, Query(description="Count the IKM of one kelurahan.", max_length=200)] = None,
    kecamatan: Annotated[str | None, Query(description="Count the IKM of one kecamatan.", max_length=200)] = None,
    cohort: Annotated[list[str] | None, Query(description="Seeds from these training ids only.")] = None,
    year: Annotated[int | None, Query(description="Seeds from trainings ending in this year.", ge=1900, le=2200)] = None,
) -> Reach | ReachAll:
    query = metrics.Query(skill=skill, as_of=as_of_date(as_of, settings), kelurahan=kelurahan, kecamatan=kecamatan,
                          cohort=cohort or (), year=year)
    if skill.strip().casefold() == "all":
        return metrics.reach_all(store, query)
    return metrics.reach(store, query)


@router.get("/broken-chains", response_model=Broken, responses=responses(401, 403, 422, 503),
            summary="Where the chain broke (SPEC §5)")
def broken_chains(
    store: StoreDep, settings: SettingsDep, _: Viewer,
    skill: Annotated[str, Query(description="Skill id or alias.", min_length=1, max_length=200, examples=["batik"])],
    as_of: AsOf = None,
    dormant_days: Annotated[int, Query(description="Dormant window W in days.", ge=1, le=36500)] = 180,
) -> Broken:
    return metrics.broken(store, skill, as_of_date(as_of, settings), dormant_days)
