"""The annual impact report for the ways in: gather (``tular.graph.metrics.report_data``), lay out
(``tular.visualizations.report``), write or serve."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from rich.console import Console

from tular.graph.io.files import open_private
from tular.graph.metrics.report_data import gather_report
from tular.graph.metrics.results import ReportData
from tular.graph.model.catalogue import N_
from tular.graph.store import GraphStore
from tular.service.place_documents import report_maps
from tular.visualizations.i18n import Locale
from tular.visualizations.report import check_language, output_format, render


def report_document(store: GraphStore, year: int, today: date, *, lang: str = "id", fmt: str = "html",
                    skills: Sequence[str] = (), public: bool = False) -> tuple[ReportData, bytes]:
    check_language(lang)  # before the work, not after it
    data = gather_report(store, year, today, skills=skills, public=public)
    maps = report_maps(store, [s.skill_id for s in data.skills_chosen], data.as_of, lang)  # SPEC §12
    return data, render(data, lang, fmt, maps)


def write_report(console: Console, store: GraphStore, year: int, today: date, output: Path, *, lang: str = "id",
                 skills: Sequence[str] = (), public: bool = False, loc: Locale | None = None) -> Path:
    """Write the report to ``output`` (.html or .pdf) and say where it is and what it counts (in
    ``loc``'s language, by default the report's)."""
    fmt = output_format(output)
    data, content = report_document(store, year, today, lang=lang, fmt=fmt, skills=skills, public=public)
    output.parent.mkdir(parents=True, exist_ok=True)
    with open_private(output, "wb") as handle:  # the internal edition names people (UU 27/2022)
        handle.write(content)
    loc = loc or Locale(lang)
    key = {(False, False): N_("cli.report_written"), (False, True): N_("cli.report_written_to_date"),
           (True, False): N_("cli.report_written_public"), (True, True): N_("cli.report_written_public_to_date")}[
        (public, data.year_to_date)]
    console.print(loc.t(key, year=year, lang=lang, as_of=loc.date(data.as_of), total=loc.integer(data.headline.total),
                        trained=loc.integer(data.headline.trained), path=str(output)), highlight=False)
    return output
