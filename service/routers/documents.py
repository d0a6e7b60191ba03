"""Maps and reports: documents for people, as HTML (or PDF)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.service.cache import AnswerCache
from tular.service.deps import SettingsDep, StoreDep, Viewer
from tular.service.language import said
from tular.service.map_documents import map_html
from tular.service.place_documents import choropleth_document
from tular.service.problems import responses
from tular.service.reports import report_document
from tular.service.routers.common import as_of_date
from tular.service.web_plumbing import MAP_FRAME_POLICY
from tular.visualizations.report import MEDIA_TYPES

router = APIRouter(prefix="/api/v1", tags=["documents"])
#: The map and the report are self-contained documents (inline scripts and styles, data: images):
#: they may run their own scripts but load, send and submit nothing (X-Content-Type-Options:
#: nosniff comes with every response, service/web.py).
DOCUMENT_HEADERS = {"Content-Security-Policy": MAP_FRAME_POLICY}
#: Reports take seconds to make: the same one on the same data is made once.
reports = AnswerCache(size=16)


@router.get("/maps/{skill}", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}}, "description": "One self-contained HTML document "
                             "(works offline)"}, **responses(401, 403, 404, 422, 503)},
            summary="Interactive propagation map of a skill, or with geo=true its choropleth of the kelurahan (HTML)")
def skill_map(
    store: StoreDep, settings: SettingsDep, caller: Viewer,
    skill: Annotated[str, Path(description="Skill id or alias.", max_length=200, examples=["batik"])],
    as_of: Annotated[str | None, Query(description="Count events up to this date (default: today, WIB).",
                                       max_length=40)] = None,
    kelurahan: Annotated[str | None, Query(description="Show the IKM of one kelurahan (and the teachers they "
                                                       "learned from).", max_length=200)] = None,
    kecamatan: Annotated[str | None, Query(description="Show the IKM of one kecamatan.", max_length=200)] = None,
    seed: Annotated[str | None, Query(description="Show one seed's lineage only (its ikm_id; needs a key).",
                                      max_length=200)] = None,
    dormant_days: Annotated[int, Query(description="Dormant window W in days.", ge=1, le=36500)] = DEFAULT_DORMANT_DAYS,
    geo: Annotated[bool, Query(description="A map of the kelurahan coloured by a measure (choropleth; aggregates "
                                           "only) instead of the propagation map; skill `all` for every skill.")
                   ] = False,
    measure: Annotated[Literal["total", "coverage", "multiplier", "broken"],
                       Query(description="With geo=true: the measure the kelurahan are coloured by.")] = "total",
    lang: Annotated[Literal["id", "en"], Query(description="Indonesian (default) or English.")] = "id",
) -> HTMLResponse:
    if geo:  # SPEC §12
        if kelurahan or kecamatan or seed:
            raise said(UsageError, N_("problem.geo_whole_city"))
        _, html = choropleth_document(store, skill, as_of_date(as_of, settings), measure=measure, lang=lang,
                                      dormant_days=dormant_days)
        return HTMLResponse(html, headers=DOCUMENT_HEADERS)
    # anonymous readers (public read) get the public edition: dots without names or ids
    _, html = map_html(store, skill, as_of_date(as_of, settings), kelurahan=kelurahan, kecamatan=kecamatan,
                       seed=seed, dormant_days=dormant_days, public=caller is None, lang=lang)
    return HTMLResponse(html, headers=DOCUMENT_HEADERS)


@router.get("/reports/{year}", response_class=Response,
            responses={200: {"content": {"text/html": {}, "application/pdf": {}},
                             "description": "The annual impact report: one self-contained HTML document, or its PDF"},
                       **responses(401, 403, 422, 503)},
            summary="Annual impact report (HTML or PDF)")
def report(
    store: StoreDep, settings: SettingsDep, caller: Viewer,
    year: Annotated[int, Path(description="The report's year: counted as of 31 December, or up to today in the "
                                          "current year.", ge=1900, le=2200, examples=[2025])],
    lang: Annotated[Literal["id", "en"], Query(description="Indonesian (default) or English.")] = "id",
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf.")] = "html",
    public: Annotated[bool, Query(description="The edition for publication: no personal names outside the "
                                              "top-teachers list, follow-up as counts per kelurahan. Anonymous "
                                              "readers always get this edition.")] = False,
    skill: Annotated[list[str] | None, Query(description="Only these skills (default: every skill).")] = None,
) -> Response:
    today = settings.today()
    skills = tuple(skill or ())
    public = public or caller is None  # without a key, nobody sees whom to visit by name
    question = ("report", year, lang, format, public, skills, today)
    content = reports.answer(store, question, lambda: report_document(
        store, year, today, lang=lang, fmt=format, skills=skills, public=public)[1])
    edition = "publik" if public else "internal"
    filename = f"laporan-{year}-{lang}-{edition}.{format}"
    return Response(content, media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'inline; filename="{filename}"',
                             # not on a PDF: such a policy can keep the browser's own viewer from showing it
                             **(DOCUMENT_HEADERS if format == "html" else {})})
