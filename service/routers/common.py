from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query, Request

from tular.graph.admin import api_keys as keys
from tular.graph.io.ingest import ImportReport, import_tables
from tular.graph.io.readers import COLUMNS, Row, Table
from tular.graph.io.tables import describe
from tular.graph.model.catalogue import LANGUAGES, N_, Messages
from tular.graph.metrics import answers as metrics
from tular.graph.model.dates import as_of
from tular.graph.model.errors import InvalidData
from tular.graph.model.records import ApiKey
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.service.schemas import WriteOut

# The filters of SPEC §5, shared by the metrics routes.
KelurahanFilter = Annotated[str | None, Query(description="Count the IKM of one kelurahan.", max_length=200)]
KecamatanFilter = Annotated[str | None, Query(description="Count the IKM of one kecamatan.", max_length=200)]
CohortFilter = Annotated[list[str] | None, Query(description="Seeds from these training ids only.")]
YearFilter = Annotated[int | None, Query(description="Seeds from trainings ending in this year.", ge=1900, le=2200)]


def as_of_date(value: str | None, settings: Settings) -> date:
    return as_of(value, settings.today())


def filtered_query(settings: Settings, skill: str, as_of_value: str | None, kelurahan: str | None,
                   kecamatan: str | None, cohort: list[str] | None, year: int | None) -> metrics.Query:
    """The question of the reach and outcome routes: a skill as of a date, under SPEC §5's filters."""
    return metrics.Query(skill=skill, as_of=as_of_date(as_of_value, settings), kelurahan=kelurahan,
                         kecamatan=kecamatan, cohort=tuple(cohort or ()), year=year)


def request_language(request: Request, settings: Settings) -> str:
    """The language of an API answer (SPEC §11): ``?lang=``, else the first of ``id`` and ``en``
    that ``Accept-Language`` names, else ``TULAR_LANG``, else Indonesian."""
    chosen = (request.query_params.get("lang") or "").strip().casefold()
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().casefold().split("-")[0]
        if tag in LANGUAGES:
            return tag
    return settings.lang


def record_one(store: GraphStore, settings: Settings, key: ApiKey, kind: str, values: dict, what: str,
               lang: str = "id") -> WriteOut:
    """One record sent to the API, validated and written exactly as one imported row of ``kind``;
    its problems told in ``lang``."""
    table = Table("request", None, kind, list(COLUMNS[kind].known), [Row(1, values)])
    report = import_tables(store, [table], today=settings.today(), who=keys.who(key), lang=lang)
    if not report.ok:
        raise rejected(report, what, lang)
    return WriteOut(batch_id=report.batch_id, warnings=report.warnings)


#: What an API request rejected for its errors was (the ``what`` of :func:`rejected`).
REJECTED = {"import": N_("problem.rejected_import"), "teaching": N_("problem.rejected_teaching"),
            "outcome": N_("problem.rejected_outcome"), "correction": N_("problem.rejected_correction")}


def rejected(report: ImportReport, what: str, lang: str = "id") -> InvalidData:
    """The import's errors as one domain error, carrying the whole report for the response;
    ``what`` names the request (a key of :data:`REJECTED`), in ``lang`` like its problems."""
    messages = Messages(lang)
    shown = "; ".join(describe(p, lang) for p in report.errors[:5])
    more = messages.t("problem.rejected_more", count=report.error_count - 5) if report.error_count > 5 else ""
    error = InvalidData(messages.t("problem.rejected", what=messages.t(REJECTED[what]), problems=shown, more=more))
    error.problem_extra = {"report": report.model_dump(mode="json")}  # type: ignore[attr-defined]
    return error
