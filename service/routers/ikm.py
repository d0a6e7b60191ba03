from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from tular.graph.admin import api_keys as keys
from tular.graph.io.ingest import import_tables
from tular.graph.io.readers import COLUMNS, Row, Table
from tular.graph.metrics import answers as metrics
from tular.graph.model.catalogue import N_
from tular.service.deps import Admin, Editor, Named, SettingsDep, StoreDep, can_see_phones
from tular.service.language import Term, api_language
from tular.service.problems import responses
from tular.service.routers.common import as_of_date, rejected
from tular.service.routers.spread import AsOf
from tular.service.schemas import IKMOut, IKMPageOut, IKMPatch, IKMWriteOut, WriteOut

router = APIRouter(prefix="/api/v1/ikm", tags=["ikm"])

IKMId = Annotated[str, Path(description="The IKM's ikm_id.", min_length=1, max_length=200)]


@router.get("", response_model=IKMPageOut, responses=responses(401, 403, 422, 503), summary="Search IKM")
def search(
    store: StoreDep, settings: SettingsDep, key: Named,
    q: Annotated[str | None, Query(description="Part of the id, name or business name.", max_length=200)] = None,
    kelurahan: Annotated[str | None, Query(description="Kelurahan name, matched as the importer matches it "
                                                       "(`Bunul Rejo` is Bunulrejo).", max_length=200)] = None,
    kecamatan: Annotated[str | None, Query(description="Kecamatan name: its IKM (with `kelurahan`: the kelurahan "
                                                       "of that name in it).", max_length=200)] = None,
    skill: Annotated[str | None, Query(description="With any record of this skill.", max_length=200)] = None,
    generation: Annotated[int | None, Query(description="Of this generation of `skill` as of `as_of` "
                                                        "(0: trainees).", ge=0, le=10_000)] = None,
    as_of: AsOf = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> IKMPageOut:
    found = metrics.search_ikm(store, metrics.IKMSearch(q=q, kelurahan=kelurahan, kecamatan=kecamatan, skill=skill,
                                                        generation=generation, as_of=as_of_date(as_of, settings)),
                               limit=page_size, offset=(page - 1) * page_size)
    gazetteer, show = store.gazetteer(), can_see_phones(key)
    return IKMPageOut(items=[IKMOut.of(i, gazetteer, show) for i in found.page.items], total=found.page.total,
                      page=page, page_size=page_size)


@router.get("/{ikm_id}", response_model=IKMOut, responses=responses(401, 403, 404, 503), summary="One IKM")
def detail(ikm_id: IKMId, store: StoreDep, key: Named) -> IKMOut:
    return IKMOut.of(store.get_ikm(ikm_id), store.gazetteer(), can_see_phones(key))


@router.get("/{ikm_id}/lineage", responses=responses(401, 403, 404, 422, 503),
            summary="Paths from the seeds to this IKM, and its downstream")
def lineage(ikm_id: IKMId, store: StoreDep, settings: SettingsDep, _: Named, as_of: AsOf = None,
            skill: Annotated[str | None, Query(max_length=200)] = None) -> dict:
    return metrics.lineage(store, ikm_id, as_of_date(as_of, settings), skill)


@router.patch("/{ikm_id}", response_model=IKMWriteOut, responses=responses(401, 403, 404, 422, 503),
              summary="Correct an IKM's record (editor; audited)")
def correct(ikm_id: IKMId, patch: IKMPatch, request: Request, store: StoreDep, settings: SettingsDep,
            key: Editor) -> IKMWriteOut:
    with store.writing():  # the record as it is when the lock is held, corrected in one transaction
        current = store.get_ikm(ikm_id)
        gazetteer = store.gazetteer()
        values = {
            "ikm_id": ikm_id, "name": current.name, "kelurahan": current.kelurahan_code,
            "kecamatan": None, "business_name": current.business_name, "sector": current.sector,
            "gender": current.gender, "phone": current.phone,
            "joined_on": current.joined_on.isoformat() if current.joined_on else None,
        }
        values.update(patch.model_dump(exclude_unset=True))
        table = Table("request", None, "ikm", list(COLUMNS["ikm"].known), [Row(1, values)])
        lang = api_language(request, settings)
        report = import_tables(store, [table], today=settings.today(), who=keys.who(key), lang=lang)
    if not report.ok:
        raise rejected(report, Term(N_("problem.what_correction")), lang)
    return IKMWriteOut(batch_id=report.batch_id, warnings=report.warnings,
                       ikm=IKMOut.of(store.get_ikm(ikm_id), gazetteer, True))


@router.delete("/{ikm_id}/personal-data", response_model=WriteOut, responses=responses(401, 403, 404, 503),
               summary="Erase a person's personal data on request (admin; UU 27/2022)")
def forget(ikm_id: IKMId, store: StoreDep, key: Admin) -> WriteOut:
    from tular.graph.admin.erasure import forget as forget_ikm

    return WriteOut(batch_id=forget_ikm(store, ikm_id, keys.who(key)).batch_id)
