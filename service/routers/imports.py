from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from tular.graph.admin import api_keys as keys
from tular.graph.io.ingest import ImportReport
from tular.graph.model.catalogue import N_
from tular.service.deps import Editor, SettingsDep, StoreDep, caller, editor, get_store
from tular.service.importing import import_uploads
from tular.service.language import Term, api_language
from tular.service.limits import caller_first
from tular.service.problems import responses
from tular.service.routers.common import rejected


def _editor_first(request: Request) -> None:
    """The caller of an upload, checked before its body is read or spooled (401/403 unread)."""
    editor(caller(request, get_store(request), request.app.state.settings, request.headers.get("X-API-Key")))


router = APIRouter(prefix="/api/v1/imports", tags=["imports"], route_class=caller_first(_editor_first))


@router.post("", response_model=ImportReport, responses=responses(401, 403, 413, 422, 503),
             summary="Import files as one batch (editor): all of it, or nothing")
def upload(
    request: Request, store: StoreDep, settings: SettingsDep, key: Editor,
    files: Annotated[list[UploadFile], File(description="CSV files or one XLSX workbook.")],
    kind: Annotated[str | None, Form(description="Kind of every file, when the names do not say.",
                                     max_length=40)] = None,
    dry_run: Annotated[bool, Form(description="Validate without writing.")] = False,
) -> ImportReport:
    lang = api_language(request, settings)
    report = import_uploads(store, settings, files, who=keys.who(key), kind=kind, dry_run=dry_run, lang=lang,
                            surface="api")
    if not report.ok:
        raise rejected(report, Term(N_("problem.what_import")), lang)
    return report

