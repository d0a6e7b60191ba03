from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from tular.graph import keys
from tular.graph.errors import TooLarge
from tular.graph.ingest import ImportReport, import_files

from ..deps import Editor, SettingsDep, StoreDep
from ..errors import responses
from .common import rejected

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
CHUNK = 1024 * 1024


@router.post("", response_model=ImportReport, responses=responses(401, 403, 413, 422, 503),
             summary="Import files as one batch (editor): all of it, or nothing")
def upload(
    store: StoreDep, settings: SettingsDep, key: Editor,
    files: Annotated[list[UploadFile], File(description="CSV files or one XLSX workbook.")],
    kind: Annotated[str | None, Form(description="Kind of every file, when the names do not say.",
                                     max_length=40)] = None,
    dry_run: Annotated[bool, Form(description="Validate without writing.")] = False,
) -> ImportReport:
    limit = settings.max_upload_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="tular-upload-") as folder:
        paths, names, total = [], [], 0
        for index, upload in enumerate(files):
            name = Path(upload.filename or f"upload-{index}.csv").name
            path = Path(folder) / f"{index}-{name}"
            with path.open("wb") as out:
                while chunk := upload.file.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise TooLarge(f"the upload is larger than {settings.max_upload_mb} MB; "
                                       "split it into several imports")
                    out.write(chunk)
            paths.append(path)
            names.append(name)
        report = import_files(store, paths, names=names, today=settings.today(), who=keys.who(key), kind=kind,
                              dry_run=dry_run)
    if not report.ok:
        raise rejected(report, "the import")
    return report

