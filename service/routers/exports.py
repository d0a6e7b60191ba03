"""Exports for editors. The IKM list of the phone form (SPEC §13): ``ikm.csv``, names and
kelurahan of every IKM — personal data, so editors only, even where anonymous reads are on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tular.graph.io.export import odk_register, register_csv
from tular.service.deps import Editor, StoreDep
from tular.service.problems import responses

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])
#: The name the phone form looks for (``select_one_from_file ikm.csv``).
REGISTER_DOWNLOAD = {"Content-Disposition": 'attachment; filename="ikm.csv"'}


@router.get("/odk-register", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "ikm.csv: name (the ikm_id the form "
                             "stores), label (\"Name (Kelurahan)\") and kelurahan; no phone numbers, no erased IKM"},
                       **responses(401, 403, 422, 503)},
            summary="The IKM list of the phone form, ikm.csv (editor)")
def odk_register_csv(
    store: StoreDep, _: Editor,
    kelurahan: Annotated[str | None, Query(description="Only the IKM of this kelurahan (one officer's area).",
                                           max_length=200, examples=["Bunulrejo"])] = None,
) -> Response:
    return Response(register_csv(odk_register(store, kelurahan or None)), media_type="text/csv; charset=utf-8",
                    headers=REGISTER_DOWNLOAD)
