from __future__ import annotations

import doctest
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tular.graph.model import dates
from tular.graph.model.dates import excel_serial_to_date, parse_date, today

MARCH_5 = date(2021, 3, 5)


def test_doctests_pass():
    assert doctest.testmod(dates).failed == 0


@pytest.mark.parametrize("written", [
    "2021-03-05", "2021-3-5", " 2021-03-05 ", "2021-03-05 00:00:00", "2021-03-05T10:30",
    "05/03/2021", "5/3/2021", "05-03-2021", "05.03.2021", "5.3.2021", "05/03/2021 0:00",
])
def test_iso_and_indonesian_day_first_texts(written):
    assert parse_date(written) == MARCH_5


@pytest.mark.parametrize("serial", [44260, 44260.0, 44260.75, "44260", "44260.5"])
def test_excel_serials_as_numbers_or_text(serial):
    assert parse_date(serial) == MARCH_5


def test_date_and_datetime_objects_from_openpyxl():
    assert parse_date(MARCH_5) == MARCH_5
    assert parse_date(datetime(2021, 3, 5, 23, 59)) == MARCH_5


def test_serial_range_ends():
    assert parse_date(20000) == date(1954, 10, 3)
    assert parse_date(80000) == date(2119, 1, 11)


def test_lotus_leap_year_bug_is_reproduced():
    # Excel: 59 = 1900-02-28, 60 = the fictitious 1900-02-29, 61 = 1900-03-01, 1 = 1900-01-01.
    to_date = dates._lotus_serial_to_date
    assert to_date(1) == date(1900, 1, 1)
    assert to_date(59) == date(1900, 2, 28)
    assert to_date(61) == date(1900, 3, 1)
    with pytest.raises(ValueError, match="never existed"):
        to_date(60)


@pytest.mark.parametrize("written, reason", [
    ("31/02/2021", "February 2021 has no day 31"),
    ("29/02/2021", "February 2021 has no day 29"),
    ("2021-02-30", "February 2021 has no day 30"),
    ("03/25/2021", "no month 25 (dates are read day first"),
    ("2021-13-01", "no month 13"),
    ("0000-01-01", "no year 0"),
    ("5/3/21", "four digits"),
])
def test_impossible_dates_say_why(written, reason):
    with pytest.raises(ValueError, match="^not a date") as info:
        parse_date(written)
    assert reason in str(info.value)


@pytest.mark.parametrize("value", [
    "2021", 2021, "081234567890", 81234567890, 19999, 80001, "19999", -44260, 0,
    float("nan"), float("inf"),
])
def test_numbers_outside_the_excel_range_are_not_dates(value):
    with pytest.raises(ValueError, match="expected YYYY-MM-DD, DD/MM/YYYY or an Excel date"):
        parse_date(value)


@pytest.mark.parametrize("value", [
    "", "   ", "kemarin", "5 Maret 2021", "2021/03/05", "05/03-2021", "٢٠٢١-٠٣-٠٥",
    True, None, [2021, 3, 5],
])
def test_anything_else_is_not_a_date(value):
    with pytest.raises(ValueError, match="^not a date: expected YYYY-MM-DD, DD/MM/YYYY or an Excel date"):
        parse_date(value)


def test_leap_day_of_a_leap_year_is_fine():
    assert parse_date("29/02/2024") == date(2024, 2, 29)


def test_today_is_the_date_in_jakarta_by_default():
    before = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    assert today() in (before, before + timedelta(days=1))


def test_today_in_another_zone_differs_by_at_most_a_day():
    assert abs((today("America/Los_Angeles") - today("Asia/Jakarta")).days) <= 1


def test_unknown_time_zone_is_a_value_error():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        today("Mars/Olympus")


in_range = st.dates(min_value=date(1954, 10, 3), max_value=date(2119, 1, 11))


@given(in_range)
def test_every_written_form_of_a_date_reads_back(day):
    serial = (day - date(1899, 12, 30)).days
    forms = [day.isoformat(), day.strftime("%d/%m/%Y"), f"{day.day}/{day.month}/{day.year}",
             day.strftime("%d-%m-%Y"), day.strftime("%d.%m.%Y"), serial, float(serial), str(serial)]
    assert {parse_date(form) for form in forms} == {day}


@given(st.dates(min_value=date(1954, 10, 3), max_value=date(2119, 1, 11)))
def test_excel_serials_are_one_day_per_step(day):
    serial = (day - date(1899, 12, 30)).days
    assert excel_serial_to_date(serial + 1) == day + timedelta(days=1)


@settings(max_examples=300)
@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans()))
def test_anything_is_a_date_or_a_value_error(value):
    try:
        result = parse_date(value)
    except ValueError as exc:
        assert str(exc).startswith("not a date")
    else:
        assert isinstance(result, date)
