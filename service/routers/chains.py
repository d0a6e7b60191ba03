"""Chains (SPEC §12): ``GET /api/v1/chains`` — the same parameters and body as
``tular chains --json`` — and the chains page (``/rantai``). Anonymous readers (public read)
get every row without its seed (the kelurahan kept, SPEC §7); asking for the chain of one IKM
(``includes``) names a person and needs a key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from tular.graph.metrics import answers as metrics
from tular.graph.metrics import public
from tular.graph.metrics.results import CHAIN_STATUSES, Chains
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import Unauthorized, UsageError
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.service.deps import SettingsDep, StoreDep, Viewer
from tular.service.language import Term, said
from tular.service.problems import responses
from tular.service.routers.common import as_of_date
from tular.service.routers.spread import AsOf, cached
from tular.service.web_plumbing import LoginNeeded, Reader, page
from tular.visualizations.chain_views import (
    CHART_HEIGHT,
    SORTS,
    STATUS_LABELS,
    STATUS_NOTES,
    histogram_bars,
    sorted_chains,
)
from tular.visualizations.i18n import Locale

router = APIRouter(prefix="/api/v1", tags=["analytics"])
pages = APIRouter(include_in_schema=False)

Statuses = Annotated[list[str] | None, Query(description="Only chains of these statuses (repeatable): "
                                                         + ", ".join(CHAIN_STATUSES) + ".")]
MinSize = Annotated[int | None, Query(description="Only chains of at least this many IKM (the seed included).",
                                      ge=1, le=10_000_000)]
Includes = Annotated[str | None, Query(description="Only the chain this IKM (its ikm_id) belongs to; needs a key.",
                                       max_length=200)]
Window = Annotated[int, Query(description="Dormant window W in days.", ge=1, le=36500)]


def _chains(store, key, skill: str, day, dormant_days: int, statuses: list[str] | None, min_size: int | None,
            includes: str | None) -> Chains:
    answer = metrics.chains(store, skill, day, dormant_days, statuses=statuses or (), min_size=min_size,
                            includes=includes)
    return answer if key is not None else public.chains(answer)


@router.get("/chains", response_model=Chains, responses=responses(401, 403, 404, 422, 503),
            summary="Every lineage as a row, and a histogram of chain sizes (SPEC §12)")
def chains(
    store: StoreDep, settings: SettingsDep, key: Viewer,
    skill: Annotated[str, Query(description="Skill id or alias.", min_length=1, max_length=200, examples=["batik"])],
    as_of: AsOf = None,
    dormant_days: Window = DEFAULT_DORMANT_DAYS,
    status: Statuses = None,
    min_size: MinSize = None,
    includes: Includes = None,
) -> Response:
    if key is None and includes:
        raise said(Unauthorized, N_("problem.chain_of_one_needs_key"))
    day = as_of_date(as_of, settings)
    question = ("chains", skill.strip().casefold(), day, dormant_days, tuple(status or ()), min_size, includes,
                key is None)
    return cached(store, question, lambda: _chains(store, key, skill, day, dormant_days, status, min_size, includes))


# ------------------------------------------------------------------------------ the page
def _number(value: str | None, what: str) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise said(UsageError, N_("problem.not_whole_number"), {"what": Term(what), "value": value}) from None
    if number < 1:
        raise said(UsageError, N_("problem.at_least_one"), {"what": Term(what), "value": number})
    return number


Text = Annotated[str | None, Query(max_length=200)]


@pages.get("/rantai", response_class=HTMLResponse)
def chains_page(request: Request, found: Reader, store: StoreDep, settings: SettingsDep, skill: Text = None,
                as_of: Text = None, status: Text = None, min_size: Text = None, ikm: Text = None,
                dormant_days: Text = None, urut: Text = None) -> Response:
    """The chains of GET /api/v1/chains for the same skill, date and filters: a histogram of
    sizes, a table sortable by size, depth and days since the last teaching, each row opening
    its seed's map. Guests see the rows without seeds; the chain of one IKM needs signing in."""
    if ikm and found.key is None:
        raise LoginNeeded()
    day = as_of_date(as_of or None, settings)
    window = _number(dormant_days, N_("chains.what_window")) or DEFAULT_DORMANT_DAYS
    skills = {s.skill_id: s for s in store.skills()}
    if not skills:
        raise said(UsageError, N_("problem.no_skills_yet"))
    chosen = metrics.resolve_skill(store, skill) if skill else next(iter(skills))
    order = urut if urut in SORTS else "-size"
    answer = _chains(store, found.key, chosen, day, window, [status] if status else None,
                     _number(min_size, N_("chains.what_min_size")), ikm or None)
    named = found.key is not None
    people = store.people([c.seed for c in answer.chains]) if named and answer.chains else {}
    loc = Locale(found.lang)
    return page(request, found, "chains.html", answer=answer, rows=sorted_chains(answer.chains, order),
                skills=skills, chosen=chosen, chosen_status=status or "", statuses=CHAIN_STATUSES,
                min_size=min_size or "", ikm=ikm or "", order=order, named=named, people=people,
                bars=histogram_bars(answer.histogram, loc), default_window=DEFAULT_DORMANT_DAYS,
                labels=STATUS_LABELS, notes=STATUS_NOTES, hist_height=CHART_HEIGHT,
                total=sum(h.size * h.chains for h in answer.histogram),
                chain_count=sum(h.chains for h in answer.histogram))
