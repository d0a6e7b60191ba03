from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from tular.graph.admin import api_keys as keys
from tular.graph.io.ingest import ImportReport, import_tables
from tular.graph.io.readers import COLUMNS, Row, Table
from tular.graph.io.tables import describe
from tular.graph.metrics import answers as metrics
from tular.graph.model.catalogue import N_
from tular.graph.model.dates import as_of
from tular.graph.model.errors import InvalidData
from tular.graph.model.records import ApiKey
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.service.language import Term, said
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


def record_one(store: GraphStore, settings: Settings, key: ApiKey, kind: str, values: dict, what: Term,
               lang: str = "id") -> WriteOut:
    """One record sent to the API, validated and written exactly as one imported row of ``kind``;
    its problems told in ``lang``."""
    table = Table("request", None, kind, list(COLUMNS[kind].known), [Row(1, values)])
    report = import_tables(store, [table], today=settings.today(), who=keys.who(key), lang=lang)
    if not report.ok:
        raise rejected(report, what, lang)
    return WriteOut(batch_id=report.batch_id, warnings=report.warnings)


def rejected(report: ImportReport, what: Term, lang: str = "id") -> InvalidData:
    """The import's errors as one domain error, carrying the whole report for the response;
    ``what`` is the catalogue's name of what was sent (``problem.what_import``, …), the problems
    told in ``lang``."""
    shown = "; ".join(describe(p, lang) for p in report.errors[:5])
    key = N_("problem.rejected_more") if report.error_count > 5 else N_("problem.rejected")
    error = said(InvalidData, key, {"what": what, "problems": shown, "more": report.error_count - 5})
    error.problem_extra = {"report": report.model_dump(mode="json")}  # type: ignore[attr-defined]
    return error
