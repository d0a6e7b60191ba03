"""``tular chains`` in a terminal (SPEC §12): the chains as a rich table and the histogram of
their sizes, every word from the catalogue in the chosen language, numbers and dates by Babel."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tular.graph.metrics.results import Chains
from tular.visualizations.chain_views import STATUS_LABELS
from tular.visualizations.i18n import Locale

#: Rows printed at most; --json gives them all.
SHOWN_CHAINS = 60


def print_chains(console: Console, answer: Chains, lang: str) -> None:
    loc = Locale(lang)
    t = loc.t
    table = Table(title=t("chains.title", skill=answer.skill, date=loc.date(answer.as_of),
                          days=loc.integer(answer.dormant_days)), title_justify="left")
    # long headers wrap first; ids, dates and numbers stay on one line
    widest_seed = max((len(c.seed or "") for c in answer.chains), default=1)
    table.add_column(t("chains.col.seed"), min_width=min(widest_seed, 20))
    table.add_column(t("label.kelurahan"), min_width=12)
    for key in ("chains.col.size", "chains.col.depth"):
        table.add_column(t(key), justify="right")
    table.add_column(t("chains.col.first"), min_width=11)
    table.add_column(t("chains.col.last"), min_width=11)
    table.add_column(t("chains.col.days"), justify="right")
    table.add_column(t("chains.col.status"), min_width=11)
    for chain in answer.chains[:SHOWN_CHAINS]:
        table.add_row(chain.seed or "—", chain.kelurahan, loc.integer(chain.size), loc.integer(chain.depth),
                      loc.short_date(chain.first_teaching), loc.short_date(chain.last_teaching),
                      loc.integer(chain.days_since_last), t(STATUS_LABELS[chain.status]))
    total = sum(h.chains for h in answer.histogram)
    table.caption = t("chains.shown", shown=loc.integer(min(SHOWN_CHAINS, len(answer.chains))),
                      matching=loc.integer(len(answer.chains)), all=loc.integer(total))
    console.print(table if answer.chains else t("chains.none"))
    sizes = Table(title=t("chains.histogram"), title_justify="left")
    sizes.add_column(t("chains.col.size"), justify="right")
    sizes.add_column(t("chains.col.chains"), justify="right")
    sizes.add_column("")
    widest = max((h.chains for h in answer.histogram), default=0)
    for h in answer.histogram:
        sizes.add_row(loc.integer(h.size), loc.integer(h.chains), "█" * max(1, round(30 * h.chains / widest)))
    console.print(sizes)
