"""A language's messages and its number, money and date formats.

Every label and sentence of a document or a page comes by key from the gettext catalogue
(:mod:`tular.graph.model.catalogue`, which holds each text in both languages); numbers, money
and dates are formatted by Babel from the CLDR data of the language: ``1.234,5``,
``Rp 1.250.000``, ``37,3%`` and ``31 Desember 2025`` in Indonesian, ``1,234.5``,
``IDR 1,250,000``, ``37.3%`` and ``31 December 2025`` in English. Kept by hand: ``—`` for a
missing value, the true minus sign ``−``, a fixed number of decimals, the day-month-year
order in English too and a space after the currency symbol (CLDR writes ``Rp1.250.000``).

>>> id_, en = Locale("id"), Locale("en")
>>> id_.decimal(1234.5), en.decimal(1234.5), id_.money(1_250_000), en.money(1_250_000)
('1.234,5', '1,234.5', 'Rp 1.250.000', 'IDR 1,250,000')
>>> id_.date(date(2025, 12, 31)), en.date(date(2025, 12, 31)), id_.short_date(date(2026, 8, 17))
('31 Desember 2025', '31 December 2025', '17 Agu 2026')
>>> id_.percent(0.0612), en.percent(0.0612), id_.integer(None), id_.signed(-1234)
('6,1%', '6.1%', '—', '−1.234')
"""

from __future__ import annotations

import copy
import functools
from datetime import date
from typing import TYPE_CHECKING

from tular.graph.model.catalogue import LANGUAGES, MINUS, MISSING, N_, Messages

if TYPE_CHECKING:
    from babel.numbers import NumberPattern

# Babel (its CLDR data) is loaded at the first number, amount or date formatted, as in
# ``Messages.integer``: a command that prints JSON, or only help, does not load it.

__all__ = ["LANGUAGES", "MINUS", "MISSING", "N_", "NAMED_BY_VALUE", "Locale"]

#: Dates as day, month, year in both languages (Indonesian's CLDR "long" and "medium" forms;
#: CLDR's English puts the month first), month names from CLDR.
DATE_PATTERN = "d MMMM y"
SHORT_DATE_PATTERN = "d MMM y"
#: Rupiah without decimals, the symbol of the language (Rp, IDR) and a space.
MONEY_PATTERN = "¤ #,##0"

#: Texts that a template looks up by a value (``t('kind.' ~ kind)``, ``t('web.outcome.' ~ kind)``),
#: listed so that extraction finds their ids (tests/test_report.py holds each family complete).
NAMED_BY_VALUE = (
    # a finding of the follow-up list (SPEC §5) or of ``tular check``: its name and its
    # explanation; a visit's short kind
    N_("kind.dead_seed"), N_("kind.dead_seed_long"), N_("kind.dead_seed_short"),
    N_("kind.stalled_lineage"), N_("kind.stalled_lineage_long"),
    N_("kind.dormant_leaf"), N_("kind.dormant_leaf_long"), N_("kind.dormant_leaf_short"),
    N_("kind.orphan"), N_("kind.orphan_long"), N_("kind.cycle"), N_("kind.cycle_long"),
    N_("kind.duplicate_teaching"), N_("kind.duplicate_teaching_long"),
    N_("kind.probable_duplicate"), N_("kind.probable_duplicate_long"),
    N_("kind.out_of_order"), N_("kind.out_of_order_long"),
    N_("kind.learner_is_trainee"), N_("kind.learner_is_trainee_long"),
    # an outcome kind (SPEC §10)
    N_("web.outcome.pameran"), N_("web.outcome.marketplace"), N_("web.outcome.first_sale"),
    N_("web.outcome.certification"), N_("web.outcome.employees"), N_("web.outcome.revenue_band"),
)


@functools.cache
def _number_pattern(lang: str, kind: str, digits: int) -> NumberPattern:
    """The CLDR decimal or percent pattern of ``lang`` with exactly ``digits`` decimals."""
    import babel

    locale = babel.Locale.parse(lang)
    pattern = copy.copy((locale.decimal_formats if kind == "decimal" else locale.percent_formats)[None])
    pattern.frac_prec = (digits, digits)
    return pattern


def _signed(value: float, text: str) -> str:
    """``text`` (the formatted absolute value) with a true minus sign for a negative ``value``
    that does not round to zero."""
    return (MINUS if value < 0 and any(digit in text for digit in "123456789") else "") + text


def _format_date(day: date, pattern: str, lang: str) -> str:
    from babel.dates import format_date

    return format_date(day, pattern, locale=lang)


class Locale(Messages):
    """Messages and formats of one language."""

    # ------------------------------------------------------------------ numbers (integer: Messages')
    def decimal(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return MISSING
        from babel.numbers import format_decimal

        return _signed(value, format_decimal(abs(value), _number_pattern(self.lang, "decimal", digits),
                                             locale=self.lang))

    def percent(self, share: float | None, digits: int = 1) -> str:
        if share is None:
            return MISSING
        from babel.numbers import format_percent

        return _signed(share, format_percent(abs(share), _number_pattern(self.lang, "percent", digits),
                                             locale=self.lang))

    def money(self, idr: int | None) -> str:
        if idr is None:
            return MISSING
        from babel.numbers import format_currency

        return _signed(idr, format_currency(abs(idr), "IDR", MONEY_PATTERN, locale=self.lang, currency_digits=False))

    def signed(self, value: int | None) -> str:
        """A change: ``+1.234``, ``−12``, ``0``."""
        if value is None:
            return MISSING
        return ("+" if value > 0 else "") + self.integer(value)

    def change_percent(self, now: int, before: int) -> str:
        if not before:
            return MISSING
        change = (now - before) / before
        return ("+" if change > 0 else "") + self.percent(change)

    # ------------------------------------------------------------------ dates
    def date(self, day: date | None) -> str:
        return MISSING if day is None else _format_date(day, DATE_PATTERN, self.lang)

    def short_date(self, day: date | None) -> str:
        """``31 Des 2025`` / ``31 Dec 2025``, for narrow table columns."""
        return MISSING if day is None else _format_date(day, SHORT_DATE_PATTERN, self.lang)

    def skill(self, skill) -> str:
        """A skill's name in this language (``skill`` has ``name_id`` and ``name_en``)."""
        return skill.name_id if self.lang == "id" else skill.name_en
