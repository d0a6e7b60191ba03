from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from tular.graph import keys
from tular.graph.ingest import ImportReport

from ..deps import Editor, SettingsDep, StoreDep
from ..errors import responses
from ..importing import import_uploads
from .common import rejected

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.post("", response_model=ImportReport, responses=responses(401, 403, 413, 422, 503),
             summary="Import files as one batch (editor): all of it, or nothing")
def upload(
    store: StoreDep, settings: SettingsDep, key: Editor,
    files: Annotated[list[UploadFile], File(description="CSV files or one XLSX workbook.")],
    kind: Annotated[str | None, Form(description="Kind of every file, when the names do not say.",
                                     max_length=40)] = None,
    dry_run: Annotated[bool, Form(description="Validate without writing.")] = False,
) -> ImportReport:
    report = import_uploads(store, settings, files, who=keys.who(key), kind=kind, dry_run=dry_run)
    if not report.ok:
        raise rejected(report, "the import")
    return report

