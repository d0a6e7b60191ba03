"""The annual impact report (SPEC §8) as HTML, and as PDF made from the same HTML with
WeasyPrint. Takes :class:`~tular.graph.metrics.results.ReportData`, never reads the store.

>>> from tular.visualizations.report import output_format
>>> output_format("laporan-2025.PDF"), output_format("laporan.html")
('pdf', 'html')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jinja2
from markupsafe import Markup

from tular.graph.metrics.results import (
    FOLLOW_UP_KINDS,
    PLAN_SEATS,
    TOP_TEACHERS_PER_SKILL,
    VISITS_PER_SEAT,
    VISITS_PER_SKILL,
    ReportData,
)
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError, said
from tular.visualizations.i18n import LANGUAGES, Locale

FORMATS = ("html", "pdf")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("tular.visualizations", "templates/report"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


_environment.filters["css"] = _css_string
# An amount never breaks between "Rp" and its digits.
_environment.filters["keep"] = lambda text: str(text).replace(" ", "\u00a0")


def balanced_halves(definitions: list[tuple[str, str]]) -> tuple[list, list]:
    """``definitions`` (term, text) cut in two runs of about the same length, for two columns
    (a term counts as a line of text).

    >>> [len(half) for half in balanced_halves([("a", "x" * 300), ("b", "y" * 100), ("c", "z" * 100)])]
    [1, 2]
    """
    sizes = [len(text) + 90 for _, text in definitions]
    total, running = sum(sizes), 0
    for cut, size in enumerate(sizes):
        if running + size / 2 > total / 2:
            return definitions[:cut], definitions[cut:]
        running += size
    return definitions, []


_environment.globals["balanced_halves"] = balanced_halves


def output_format(path: str | Path) -> str:
    """``html`` or ``pdf``, from a file name's suffix."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise said(UsageError, N_("error.report_suffix"), {"name": Path(path).name})
    return suffix


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise said(UsageError, N_("cli.bad_lang"), {"given": lang})
    return lang


def render_html(data: ReportData, lang: str = "id", maps: Sequence[str] = ()) -> str:
    """The report as one self-contained HTML document (charts as inline SVG). ``maps``: the
    choropleths of the kelurahan (SVG fragments of :mod:`.choropleth`), placed in the areas chapter."""
    from tular.visualizations import report_charts  # matplotlib: loaded when a report is drawn, not to check arguments

    loc = Locale(check_language(lang))
    charts = {
        "year_on_year": Markup(report_charts.year_on_year_chart(data, loc)) if data.skills else None,
        "programmes": Markup(report_charts.programmes_chart(data.programmes, loc)) if data.programmes else None,
        "kelurahan": Markup(report_charts.kelurahan_chart(data, loc)) if data.headline.total else None,
        "generations": {s.skill.skill_id: Markup(report_charts.generations_chart(s, loc, data.previous_as_of.year))
                        for s in data.skills},
    }
    edition = loc.t("doc.edition_public") if data.public else loc.t("doc.edition_internal")
    return _environment.get_template("report.html").render(
        d=data, loc=loc, t=loc.t, charts=charts, edition=edition, follow_up_kinds=FOLLOW_UP_KINDS,
        chapters=_chapters(data, loc), skill_names=lambda skills: ", ".join(loc.skill(s) for s in skills),
        visits_per_skill=VISITS_PER_SKILL, plan_visits=VISITS_PER_SEAT * PLAN_SEATS,
        top_per_skill=TOP_TEACHERS_PER_SKILL, plan_seats=PLAN_SEATS,
        maps=[Markup(m) for m in maps],
    )


def _chapters(data: ReportData, loc: Locale) -> list[tuple[str, str]]:
    """The table of contents: (anchor, title)."""
    return [
        ("summary", loc.t("summary.title")),
        ("change", loc.t("yoy.title")),
        ("programmes", loc.t("prog.title", year=data.year)),
        ("skills", loc.t("skill.title")),
        ("areas", loc.t("area.title")),
        ("teachers", loc.t("top.title")),
        ("chains", loc.t("chains.report_title")),
        ("outcomes", loc.t("outcome.title")),
        ("next-cohort", loc.t("plan.title")),
        ("follow-up", loc.t("follow.title")),
        ("quality", loc.t("quality.title")),
        *([("visits", loc.t("visits.title"))] if data.follow_up.dead_seeds or data.follow_up.visits else []),
        ("methodology", loc.t("method.title")),
    ]


def render_pdf(html: str) -> bytes:
    """The PDF of a report's HTML (WeasyPrint: needs Pango; see scripts/test)."""
    import weasyprint  # loaded only for PDFs: it loads Pango at import

    return weasyprint.HTML(string=html).write_pdf()


def render(data: ReportData, lang: str = "id", fmt: str = "html", maps: Sequence[str] = ()) -> bytes:
    """The report as bytes in ``fmt`` (``html`` or ``pdf``)."""
    if fmt not in FORMATS:
        raise said(UsageError, N_("error.report_format"), {"given": fmt})
    html = render_html(data, lang, maps)
    return render_pdf(html) if fmt == "pdf" else html.encode("utf-8")


def write_report(data: ReportData, path: str | Path, lang: str = "id") -> Path:
    """Write the report to ``path``; its suffix (.html or .pdf) chooses the format."""
    path = Path(path)
    content = render(data, lang, output_format(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
