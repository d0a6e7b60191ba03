"""The choropleth and the timeline for the ways in (SPEC §12): gather
(``tular.graph.metrics.choropleth_data``, ``timeline_data``), draw
(``tular.visualizations.choropleth``, ``timeline``), write or serve. The pages place the
fragments these return; ``wilayah.js`` makes them follow a date."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

from markupsafe import Markup
from rich.console import Console

from tular.graph.io.files import open_private
from tular.graph.metrics.choropleth_data import ALL_SKILLS, choropleth_data, offered, yearly_dates
from tular.graph.metrics.results import CHOROPLETH_MEASURES, ChoroplethData
from tular.graph.metrics.timeline_data import public_timeline, timeline_data
from tular.graph.model.catalogue import N_
from tular.graph.model.errors import UsageError
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.graph.model.skills import skill_key
from tular.graph.store import GraphStore
from tular.service.language import said
from tular.visualizations import choropleth, timeline
from tular.visualizations.i18n import Locale


def check_measure(measure: str) -> str:
    if measure not in CHOROPLETH_MEASURES:
        raise said(UsageError, N_("problem.bad_measure"), {"given": measure, "choices": ", ".join(CHOROPLETH_MEASURES)})
    return measure


def choropleth_document(store: GraphStore, skill: str, as_of: date, *, measure: str = "total", lang: str = "id",
                        dormant_days: int = DEFAULT_DORMANT_DAYS) -> tuple[ChoroplethData, str]:
    """The standalone choropleth: one HTML file with every year's end up to ``as_of`` to switch to."""
    check_measure(measure)
    data = choropleth_data(store, skill, as_of, dates=yearly_dates(store, skill, as_of), dormant_days=dormant_days)
    return data, choropleth.render_document(data, Locale(lang), measure)


def write_choropleth(console: Console, store: GraphStore, skill: str, as_of: date, output: Path | None, *,
                     measure: str = "total", lang: str = "id") -> Path:
    """Write the choropleth to ``output`` (default ``peta-wilayah-SKILL.html``) and say where it is."""
    data, html = choropleth_document(store, skill, as_of, measure=measure, lang=lang)
    path = output or Path(f"peta-wilayah-{skill_key(data.skill) if data.skill else ALL_SKILLS}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(path, "w", encoding="utf-8") as handle:
        handle.write(html)
    loc = Locale(lang)
    name = (data.skill_name_id if lang == "id" else data.skill_name_en) if data.skill else loc.t("label.all_skills")
    console.print(loc.t("geo.written", skill=name, date=loc.date(data.as_of), path=str(path)), highlight=False)
    return path


def _map_link(skill: str | None) -> str:
    """The propagation map of a kelurahan, ``{kelurahan}`` and ``{as_of}`` filled in by wilayah.js."""
    chosen = f"skill={quote(skill)}&" if skill else ""
    return f"/peta?{chosen}wilayah=kelurahan%3A{{kelurahan}}&as_of={{as_of}}"


def web_view(store: GraphStore, skill: str, as_of: date, lang: str, *, until: date | None = None,
             dom_id: str = "wilayah", date_switch: bool = True) -> Markup | None:
    """The choropleth a page places (dashboard, map page), or None when the gazetteer has no
    boundaries (SPEC §12). Holds every year's end up to ``until`` (default ``as_of``), so the
    classes stay the same as the date moves; another date is fetched from ``/peta/wilayah/angka``."""
    if not offered(store):
        return None
    until = max(until or as_of, as_of)
    data = choropleth_data(store, skill, as_of, dates=yearly_dates(store, skill, until))
    frame_url = "/peta/wilayah/angka?" + urlencode({"skill": skill, "lang": lang})
    return choropleth.render_svg(data, Locale(lang), link=_map_link(data.skill), frame_url=frame_url, dom_id=dom_id,
                                 date_switch=date_switch)


def web_frame(store: GraphStore, skill: str, as_of: date, lang: str) -> dict:
    """One date's numbers for ``wilayah.js`` (the same as the view's frames)."""
    data = choropleth_data(store, skill, as_of)
    return choropleth.frame_json(data.frames[0], Locale(lang))


def report_maps(store: GraphStore, skills: list[str], as_of: date, lang: str) -> list[Markup]:
    """The report's choropleths: one per skill, then one of all skills (none without boundaries)."""
    if not offered(store):
        return []
    loc = Locale(lang)
    return [choropleth.render_svg(choropleth_data(store, skill, as_of), loc, interactive=False)
            for skill in [*skills, ALL_SKILLS]]


def timeline_view(store: GraphStore, skill: str, as_of: date, lang: str, *, public: bool, seed: str | None = None,
                  ikm: str | None = None, kelurahan: str | None = None, dom_id: str = "linimasa") -> Markup:
    """A timeline a page places: one seed's chain, the chain an IKM belongs to, or a kelurahan."""
    data = timeline_data(store, skill, as_of, seed=seed, ikm=ikm, kelurahan=kelurahan)
    if public:
        data = public_timeline(data)
    return timeline.render_timeline(data, Locale(lang), link=None if public else "/ikm/{ikm_id}", dom_id=dom_id)


def map_page_views(store: GraphStore, skill: str, as_of: date, until: date, area: dict, lang: str,
                   public: bool) -> dict:
    """The map page's second views: the choropleth (its slider's whole range held, so the classes
    stay put) and the timeline of the chosen kelurahan, else of the skill's largest chain."""
    return {
        "peta_wilayah": web_view(store, skill, as_of, lang, until=until, date_switch=False),
        "linimasa": timeline_view(store, skill, as_of, lang, public=public, kelurahan=area.get("kelurahan")),
    }
