"""The choropleth's numbers for the pages' script (SPEC §12): one date's values and words per
kelurahan, fetched by ``wilayah.js`` when the map page's slider moves. Aggregates only: open
to every reader the pages admit (SPEC §7)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from tular.service.deps import SettingsDep, StoreDep
from tular.service.place_documents import web_frame
from tular.service.routers.common import as_of_date
from tular.service.web_plumbing import Reader

router = APIRouter(include_in_schema=False)


@router.get("/peta/wilayah/angka")
def choropleth_frame(found: Reader, store: StoreDep, settings: SettingsDep,
                     skill: Annotated[str, Query(max_length=200)],
                     as_of: Annotated[str | None, Query(max_length=40)] = None,
                     lang: Annotated[Literal["id", "en"] | None, Query()] = None) -> JSONResponse:
    return JSONResponse(web_frame(store, skill, as_of_date(as_of or None, settings), lang or found.lang))
