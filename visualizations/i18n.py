"""A language's messages and its number, money and date formats.

Every label and sentence of a document or a page comes by key from the catalogue
(:mod:`tular.graph.model.catalogue`, which holds each text in both languages); numbers follow
the locale: ``1.234,5`` and ``Rp 1.250.000`` in Indonesian, ``1,234.5`` and ``IDR 1,250,000``
in English; dates as ``31 Desember 2025`` / ``31 December 2025``.

>>> id_, en = Locale("id"), Locale("en")
>>> id_.decimal(1234.5), en.decimal(1234.5), id_.money(1_250_000), en.money(1_250_000)
('1.234,5', '1,234.5', 'Rp 1.250.000', 'IDR 1,250,000')
>>> id_.date(date(2025, 12, 31)), en.date(date(2025, 12, 31))
('31 Desember 2025', '31 December 2025')
>>> id_.percent(0.0612), en.percent(0.0612), id_.integer(None)
('6,1%', '6.1%', '—')
"""

from __future__ import annotations

from datetime import date

from tular.graph.model.catalogue import LANGUAGES, MESSAGES

MISSING = "—"
MINUS = "−"

SHORT_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
#: (thousands separator, decimal mark, money prefix)
NUMBER_STYLE = {"id": (".", ",", "Rp "), "en": (",", ".", "IDR ")}



class Locale:
    """Messages and formats of one language."""

    def __init__(self, lang: str = "id"):
        if lang not in MESSAGES:
            raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self.messages = MESSAGES[lang]
        self.thousands, self.decimal_mark, self.money_prefix = NUMBER_STYLE[lang]

    def t(self, key: str, **values) -> str:
        """The message ``key`` with its placeholders filled (values are inserted as given)."""
        return self.messages[key].format(**values)

    # ------------------------------------------------------------------ numbers
    def _grouped(self, text: str) -> str:
        """``1,234.5`` (Python's format) in this locale's marks."""
        return text.replace(",", "\0").replace(".", self.decimal_mark).replace("\0", self.thousands)

    def integer(self, value: int | None) -> str:
        if value is None:
            return MISSING
        return (MINUS if value < 0 else "") + self._grouped(f"{abs(value):,}")

    def decimal(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return MISSING
        text = f"{abs(value):,.{digits}f}"
        return (MINUS if value < 0 and float(text.replace(",", "")) else "") + self._grouped(text)

    def percent(self, share: float | None, digits: int = 1) -> str:
        return MISSING if share is None else self.decimal(share * 100, digits) + "%"

    def money(self, idr: int | None) -> str:
        return MISSING if idr is None else self.money_prefix + self._grouped(f"{idr:,}")

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

    def date(self, day: date | None) -> str:
        if day is None:
            return MISSING
        return f"{day.day} {MONTHS[self.lang][day.month - 1]} {day.year}"

    def short_date(self, day: date | None) -> str:
        """``31 Des 2025`` / ``31 Dec 2025``, for narrow table columns."""
        if day is None:
            return MISSING
        return f"{day.day} {SHORT_MONTHS[self.lang][day.month - 1]} {day.year}"

    def skill(self, skill) -> str:
        """A skill's name in this language (``skill`` has ``name_id`` and ``name_en``)."""
        return skill.name_id if self.lang == "id" else skill.name_en
