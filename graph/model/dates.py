"""Dates as field officers write them: ISO, Indonesian day-first, or Excel serials.

>>> parse_date("2021-03-05")
datetime.date(2021, 3, 5)
>>> parse_date("5/3/2021")
datetime.date(2021, 3, 5)
>>> parse_date(44260)
datetime.date(2021, 3, 5)
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tular.graph.model.catalogue import N_
from tular.graph.model.errors import Month, Phrase, UsageError, said

DEFAULT_TZ = "Asia/Jakarta"

#: Excel serials accepted as dates (1954-10-03 … 2119-01-11). Outside this range a
#: number is more likely a year, a count or a phone number than a date.
EXCEL_SERIAL_RANGE = (20_000, 80_000)

EXPECTED = "expected YYYY-MM-DD, DD/MM/YYYY or an Excel date"

# A time of day after the date (Excel and pandas write one for datetime cells) is ignored.
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME, re.ASCII)
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})" + _TIME, re.ASCII)
_DAY_FIRST_SHORT_YEAR = re.compile(r"\d{1,2}([/.\-])\d{1,2}\1\d{2}", re.ASCII)
_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)

_EXCEL_EPOCH = date(1899, 12, 30)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


class NotADate(ValueError):
    """A value that is no date: the reason as a message id of the catalogue (``code``) and its
    values (``params``), for the importer to tell in the reader's language; ``str()`` is English."""

    def __init__(self, code: str, text: str, **params: object):
        super().__init__(f"not a date: {text}")
        self.code = code
        self.params = params

    def reason(self) -> Phrase:
        """Why, as a catalogue message said in the language of the sentence it is put in (the
        month named in that language)."""
        params = dict(self.params)
        if "month" in params and "year" in params:
            params["month"] = Month(int(params.pop("year")), int(params["month"]))
        return Phrase(self.code, params)


def parse_date(value: object) -> date:
    """Read a date from a spreadsheet cell or a CSV field.

    Parameters
    ----------
    value : str, int, float, date or datetime
        ``2021-03-05`` (ISO, a time part is ignored), ``05/03/2021`` or ``5/3/2021``
        (day first; ``-`` and ``.`` also separate), an Excel serial number (number or
        numeric string, 1900 date system) or a ``date``/``datetime`` as openpyxl gives.

    Returns
    -------
    date

    Raises
    ------
    NotADate
        A ``ValueError`` with a reason a person can act on (its message id and values, for
        the catalogue); it does not repeat the value.

    Examples
    --------
    >>> parse_date("05.03.2021")
    datetime.date(2021, 3, 5)
    >>> parse_date("44260")
    datetime.date(2021, 3, 5)
    >>> parse_date("31/02/2021")
    Traceback (most recent call last):
    ...
    tular.graph.model.dates.NotADate: not a date: February 2021 has no day 31
    >>> parse_date("2021")
    Traceback (most recent call last):
    ...
    tular.graph.model.dates.NotADate: not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel date (a number like 2021 is not one)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise NotADate(N_("date.expected"), EXPECTED)
    if isinstance(value, (int, float)):
        return excel_serial_to_date(value)
    if isinstance(value, str):
        return _parse_text(value.strip())
    raise NotADate(N_("date.expected"), EXPECTED)


def excel_serial_to_date(serial: float) -> date:
    """The date of an Excel serial number, within :data:`EXCEL_SERIAL_RANGE`.

    Excel counts 1900 as a leap year (a bug kept from Lotus 1-2-3), so serial 60 is the
    non-existent 29 February 1900 and every later serial is one day ahead of a plain
    count from 1899-12-31. A fractional part is a time of day and is dropped.

    Examples
    --------
    >>> excel_serial_to_date(44260.75)
    datetime.date(2021, 3, 5)
    >>> excel_serial_to_date(123)
    Traceback (most recent call last):
    ...
    tular.graph.model.dates.NotADate: not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel date (a number like 123 is not one)
    """
    low, high = EXCEL_SERIAL_RANGE
    if not (isinstance(serial, (int, float)) and math.isfinite(serial) and low <= serial < high + 1):
        shown = _format_number(serial)
        raise NotADate(N_("date.number_not_date"), f"{EXPECTED} (a number like {shown} is not one)", number=shown)
    return _lotus_serial_to_date(int(serial))


def today(tz: str = DEFAULT_TZ) -> date:
    """Today's date in the IANA time zone ``tz`` (WIB, Asia/Jakarta, by default).

    Examples
    --------
    >>> today("Asia/Jakarta") - today("Pacific/Kiritimati") in (timedelta(0), timedelta(days=-1))
    True
    """
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}: use a name like Asia/Jakarta") from exc
    return datetime.now(zone).date()


def _parse_text(text: str) -> date:
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _checked_date(year, month, day)
    if match := _DAY_FIRST.fullmatch(text):
        day, _, month, year = match.groups()
        return _checked_date(int(year), int(month), int(day))
    if _DAY_FIRST_SHORT_YEAR.fullmatch(text):
        raise NotADate(N_("date.four_digit_year"), f"write the year with four digits ({EXPECTED})")
    if _NUMBER.fullmatch(text):
        return excel_serial_to_date(float(text))
    raise NotADate(N_("date.expected"), EXPECTED)


def _checked_date(year: int, month: int, day: int) -> date:
    if year < 1:
        raise NotADate(N_("date.no_year"), f"there is no year {year}", year=year)
    if not 1 <= month <= 12:
        raise NotADate(N_("date.no_month"), f"there is no month {month} (dates are read day first: DD/MM/YYYY)",
                       month=month)
    try:
        return date(year, month, day)
    except ValueError:
        raise NotADate(N_("date.no_such_day"), f"{_MONTHS[month - 1]} {year} has no day {day}",
                       year=year, month=month, day=day) from None


def _lotus_serial_to_date(serial: int) -> date:
    if serial == 60:
        raise NotADate(N_("date.serial_60"), "Excel serial 60 is 29 February 1900, which never existed")
    if serial < 60:
        return _EXCEL_EPOCH + timedelta(days=serial + 1)
    return _EXCEL_EPOCH + timedelta(days=serial)


def _format_number(number: object) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def as_of(value: str | None, today: date, what: str = "as_of") -> date:
    """The as-of date a caller asked for (any form :func:`parse_date` reads), or ``today``;
    ``UsageError`` naming ``what`` (the option or parameter) otherwise. The one parser of the
    CLI's ``--as-of`` and the API's ``as_of``."""
    if value is None:
        return today
    try:
        return parse_date(value)
    except NotADate as exc:
        raise said(UsageError, N_("error.bad_date"), {"what": what, "value": value, "why": exc.reason()}) from None
