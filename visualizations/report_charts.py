"""The annual report's charts: matplotlib figures as inline SVG, labelled from the message
catalogue, numbers in the locale's format. Each function takes report data and returns
the ``<svg>`` element as text."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: documents only

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from tular.graph.metrics.results import AreaTotals, Programme, ReportData, SkillSection
from tular.visualizations.i18n import Locale  # noqa: E402

CM = 1 / 2.54
NOW = "#1d6f6a"       # the year's state
BEFORE = "#9bb8b5"    # the previous year's state (outline)
TRAINED = "#144f4b"
LEARNED = "#7fbfb6"
INK = "#26323a"
GRID = "#d9dfe2"

STYLE = {
    "svg.fonttype": "none",           # text stays text: sharp, searchable, small
    "svg.hashsalt": "tular-report",   # the same data gives the same SVG
    # Labels come from the data (training ids, skill and kelurahan names): drawn as typed, never
    # read as mathtext or LaTeX, so that "T-$\x$-1" is a label and not a parse error.
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 7.5,
    "axes.titlesize": 8,
    "axes.labelsize": 7.5,
    "axes.edgecolor": "#8a969c",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 7,
}


def _svg(fig) -> str:
    buffer = io.StringIO()
    # Laid out by the constrained layout while saving: bbox_inches="tight" would draw twice.
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _integers(ax, loc: Locale, axis: str = "y") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=1))
    target.set_major_formatter(FuncFormatter(lambda v, _: loc.integer(int(round(v)))))


def _gridlines(ax, axis: str = "y") -> None:
    ax.grid(axis=axis, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def generations_chart(section: SkillSection, loc: Locale, previous_year: int) -> str:
    """IKM per generation as of T, with the previous year's counts as hollow bars."""
    now = [g.count for g in section.now.generations]
    before = [g.count for g in section.previous.generations]
    depth = max(len(now), len(before), 1)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.2 * CM, 4.4 * CM), layout="constrained")
        xs = range(depth)
        ax.bar([x + 0.19 for x in range(len(now))], now, width=0.38, color=NOW,
               label=loc.t("skill.chart_now", date=loc.date(section.now.as_of)))
        ax.bar([x - 0.19 for x in range(len(before))], before, width=0.38, facecolor="white", edgecolor=BEFORE,
               linewidth=1.0, label=loc.t("skill.chart_previous", previous_year=previous_year))
        for x, count in enumerate(now):
            ax.annotate(loc.integer(count), (x + 0.19, count), xytext=(0, 1.5), textcoords="offset points",
                        ha="center", va="bottom", fontsize=6.5, color=INK)
        ax.set_xticks(list(xs))
        ax.set_xlabel(loc.t("label.generation"))
        ax.set_ylabel(loc.t("skill.chart_y"))
        _integers(ax, loc)
        _gridlines(ax)
        top = max(now + before + [1])
        ax.set_ylim(0, top * 1.15)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, handlelength=1.2, borderaxespad=0.2)
        return _svg(fig)


def year_on_year_chart(data: ReportData, loc: Locale) -> str:
    """Total per skill: the previous 31 December beside T, horizontal bars."""
    sections = data.skills
    labels = [loc.skill(s.skill) for s in sections]
    with plt.rc_context(STYLE):
        height = max(2.8, 0.62 * len(sections) + 1.3)
        fig, ax = plt.subplots(figsize=(16.5 * CM, height * CM), layout="constrained")
        ys = list(range(len(sections)))[::-1]
        ax.barh([y + 0.19 for y in ys], [s.previous.total for s in sections], height=0.36, facecolor="white",
                edgecolor=BEFORE, linewidth=1.0, label=loc.t("chart.previous", year=data.previous_as_of.year))
        ax.barh([y - 0.19 for y in ys], [s.now.total for s in sections], height=0.36, color=NOW,
                label=loc.date(data.as_of))
        for y, s in zip(ys, sections):
            ax.annotate(loc.integer(s.now.total), (s.now.total, y - 0.19), xytext=(2, 0), textcoords="offset points",
                        va="center", fontsize=6.5)
        ax.set_yticks(ys, labels)
        _integers(ax, loc, "x")
        _gridlines(ax, "x")
        ax.set_xlim(0, max([s.now.total for s in sections] + [s.previous.total for s in sections] + [1]) * 1.1)
        ax.legend(loc="lower right", ncols=2, bbox_to_anchor=(1.0, 1.0), handlelength=1.2)
        return _svg(fig)


def programmes_chart(programmes: Sequence[Programme], loc: Locale) -> str:
    """Small multiples: each programme's IKM per generation."""
    n = len(programmes)
    columns = min(n, 4)
    rows = math.ceil(n / columns)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, columns, figsize=((4.1 * columns + 0.4) * CM, (3.6 * rows + 0.4) * CM),
                                 squeeze=False, layout="constrained")
        top = max((g.count for p in programmes for g in p.reach.generations), default=1)
        for index, ax in enumerate(axes.flat):
            if index >= n:
                ax.set_visible(False)
                continue
            p = programmes[index]
            counts = [g.count for g in p.reach.generations] or [0]
            ax.bar(range(len(counts)), counts, color=NOW, width=0.7)
            ax.set_title(f"{p.training_id}", fontsize=7, loc="left")
            ax.set_xticks(range(len(counts)))
            ax.set_ylim(0, top * 1.1 or 1)
            _integers(ax, loc)
            _gridlines(ax)
            if index % columns == 0:
                ax.set_ylabel(loc.t("skill.chart_y"))
            if index >= n - columns:
                ax.set_xlabel(loc.t("label.generation"))
        return _svg(fig)


def kelurahan_chart(data: ReportData, loc: Locale) -> str:
    """The report's static map: one panel per kecamatan, a bar per kelurahan (trained and
    learned from peers), its coverage at the end of the bar. The same scale in every panel."""
    by_kecamatan: dict[str, list[AreaTotals]] = {}
    for row in data.kelurahan:
        by_kecamatan.setdefault(row.kecamatan, []).append(row)
    names = list(by_kecamatan)
    columns = 2 if len(names) > 1 else 1
    rows = math.ceil(len(names) / columns)
    longest = max((len(r) for r in by_kecamatan.values()), default=1)
    scale = max((r.total for r in data.kelurahan), default=0) or 1
    with plt.rc_context(STYLE):
        panel_height = 0.42 * longest + 1.1
        fig, axes = plt.subplots(rows, columns, figsize=(17 * CM, (panel_height * rows + 0.8) * CM), squeeze=False,
                                 layout="constrained")
        spare = None
        for index, ax in enumerate(axes.flat):
            if index >= len(names):
                ax.set_axis_off()
                spare = spare or ax
                continue
            kecamatan = names[index]
            areas = by_kecamatan[kecamatan]
            ys = list(range(longest - 1, longest - 1 - len(areas), -1))
            trained = [a.trained for a in areas]
            learned = [a.total - a.trained for a in areas]
            ax.barh(ys, trained, color=TRAINED, height=0.68, label=loc.t("area.picture_trained"))
            ax.barh(ys, learned, left=trained, color=LEARNED, height=0.68, label=loc.t("area.picture_learned"))
            for y, area in zip(ys, areas):
                ax.annotate(loc.percent(area.coverage, 0) if area.coverage is not None else "", (area.total, y),
                            xytext=(2, 0), textcoords="offset points", va="center", fontsize=6.3, color=INK)
            ax.set_yticks(ys, [a.kelurahan for a in areas], fontsize=7)
            ax.set_ylim(-0.6, longest - 0.4)
            ax.set_xlim(0, scale * 1.18)
            ax.set_title(kecamatan, loc="left", fontsize=8.5, fontweight="bold")
            ax.set_xlabel(loc.t("area.picture_x"), fontsize=6.8)
            _integers(ax, loc, "x")
            _gridlines(ax, "x")
            ax.tick_params(axis="y", length=0)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        if spare is not None:  # the free panel holds the key
            spare.legend(handles, labels, loc="center left", handlelength=1.4, fontsize=7.5)
        else:
            fig.legend(handles, labels, loc="outside upper center", ncols=2)
        return _svg(fig)
