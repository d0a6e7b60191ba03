"""Maps and reports: routes exist; their documents come with the map and report features."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from tular.graph.errors import NotFound

from ..deps import Viewer
from ..errors import responses

router = APIRouter(prefix="/api/v1", tags=["documents"])


@router.get("/maps/{skill}", responses={200: {"content": {"text/html": {}}}, **responses(401, 403, 404, 503)},
            summary="Interactive propagation map of a skill (HTML)")
def skill_map(_: Viewer, skill: Annotated[str, Path(max_length=200)]) -> None:
    raise NotFound("maps are not available yet in this version of tular")


@router.get("/reports/{year}", responses={200: {"content": {"text/html": {}, "application/pdf": {}}},
                                          **responses(401, 403, 404, 503)},
            summary="Annual impact report (HTML or PDF)")
def report(_: Viewer, year: Annotated[int, Path(ge=1900, le=2200)],
           lang: Annotated[Literal["id", "en"], Query()] = "id",
           format: Annotated[Literal["html", "pdf"], Query()] = "html") -> None:
    raise NotFound("annual reports are not available yet in this version of tular")
