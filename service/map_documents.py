"""Propagation maps for the ways in: gather (``tular.graph.metrics.map_data``), lay out
(``tular.visualizations.layout``), draw (``tular.visualizations.propagation_map``), write or
serve."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console

from tular.graph.io.files import open_private
from tular.graph.metrics.map_data import map_data, public_edition, public_ids
from tular.graph.metrics.results import MapData
from tular.graph.model.catalogue import LANGUAGES, N_
from tular.graph.model.errors import Unauthorized, UsageError
from tular.graph.model.records import DEFAULT_DORMANT_DAYS
from tular.graph.model.skills import skill_key
from tular.graph.store import GraphStore
from tular.service.cache import AnswerCache
from tular.service.language import configured, said
from tular.visualizations.i18n import Locale
from tular.visualizations.layout import MapLayout, map_layout
from tular.visualizations.propagation_map import render_map

#: Layouts of the web page's maps at their latest date, per store version (a few per skill and area).
layouts = AnswerCache(size=16)


def map_html(store: GraphStore, skill: str, as_of: date, *, kelurahan: str | None = None,
             kecamatan: str | None = None, seed: str | None = None,
             dormant_days: int = DEFAULT_DORMANT_DAYS, public: bool = False, lang: str = "id") -> tuple[MapData, str]:
    """The map's data and HTML, one document that works offline; ``public``: the edition for
    anonymous readers (SPEC §7)."""
    if dormant_days < 1:
        raise said(UsageError, N_("problem.dormant_days"))
    if lang not in LANGUAGES:
        raise said(UsageError, N_("cli.bad_lang"), {"given": lang})
    if public and seed is not None:
        raise said(Unauthorized, N_("problem.seed_needs_key"))
    data = map_data(store, skill, as_of, kelurahan=kelurahan, kecamatan=kecamatan, seed=seed,
                    dormant_days=dormant_days)
    if public:
        data = public_edition(data, lang)
    return data, render_map(data, lang=lang)


def latest_layout(store: GraphStore, skill: str, latest: date, area: dict[str, str]) -> MapLayout:
    """The layout of the map of ``skill`` in ``area`` as of ``latest``, made once per store
    version: the map of every earlier date is drawn with it."""
    question = ("map layout", skill, latest, tuple(sorted(area.items())))
    return layouts.answer(store, question, lambda: map_layout(map_data(store, skill, latest, **area)))


def dated_map(store: GraphStore, skill: str, as_of: date, latest: date, area: dict[str, str], *,
              public: bool, lang: str, assets: str) -> tuple[MapData, str]:
    """The web page's map as of ``as_of``, every IKM where the map as of ``latest`` has it
    (SPEC §8: the date slider shows a lineage growing in place; what did not exist yet is not
    drawn). Its scripts are named under the URL prefix ``assets``, not written in."""
    data = map_data(store, skill, as_of, **area)
    laid_out = latest_layout(store, skill, max(as_of, latest), area)
    if public:
        tokens = public_ids(data.nodes)
        data, laid_out = public_edition(data, lang, tokens), laid_out.renamed(tokens)
    return data, render_map(data, lang=lang, laid_out=laid_out, assets=assets)


def write_map(console: Console, store: GraphStore, skill: str, as_of: date, output: Path | None, *,
              loc: Locale | None = None, **filters) -> Path:
    """Write the map to ``output`` (default ``peta-SKILL.html``) and say where it is (in ``loc``'s language)."""
    loc = loc or Locale(configured())
    data, html = map_html(store, skill, as_of, **filters)
    path = output or Path(f"peta-{skill_key(data.skill_id)}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(path, "w", encoding="utf-8") as handle:  # the map names people (UU 27/2022)
        handle.write(html)
    console.print(loc.t("cli.map_written", skill=data.skill_name_id if loc.lang == "id" else data.skill_name_en,
                        as_of=loc.date(data.as_of), ikm=loc.integer(len(data.nodes)),
                        teachings=loc.integer(data.graph.number_of_edges()), seeds=loc.integer(data.seeds),
                        reached=loc.integer(data.reached), path=str(path)), highlight=False)
    return path
