"""Tests for the England & Wales working-day calendar (R39, R40)."""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguarding.core.calendar import (
    add_calendar_months,
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)
from safeguarding.core.tests.hypothesis_examples import examples

# --------------------------------------------------------------------------------------
# GOV.UK reference data (bundled with govuk-bank-holidays, read offline)
# --------------------------------------------------------------------------------------


@functools.cache
def _govuk_england_and_wales_by_year() -> dict[int, frozenset[date]]:
    # use_cached_holidays=True reads the JSON file shipped with the package and never
    # calls gov.uk (without it, the constructor tries a live download first).
    from govuk_bank_holidays.bank_holidays import BankHolidays

    events = BankHolidays(use_cached_holidays=True).get_holidays(
        division=BankHolidays.ENGLAND_AND_WALES
    )
    by_year: defaultdict[int, set[date]] = defaultdict(set)
    for event in events:
        by_year[event["date"].year].add(event["date"])
    return {year: frozenset(days) for year, days in sorted(by_year.items())}


GOVUK_YEARS = list(_govuk_england_and_wales_by_year())


def test_govuk_bundled_data_is_read_without_network(monkeypatch):
    import govuk_bank_holidays.bank_holidays as module

    def no_network(*args, **kwargs):
        raise AssertionError("govuk-bank-holidays tried to download from gov.uk")

    monkeypatch.setattr(module.requests, "get", no_network)
    holidays = module.BankHolidays(use_cached_holidays=True).get_holidays(
        division=module.BankHolidays.ENGLAND_AND_WALES
    )
    assert holidays


def test_govuk_bundled_data_covers_a_useful_range_of_complete_years():
    # The bundled file currently covers 2012 to 2028. Each year has at least the 8
    # regular bank holidays.
    by_year = _govuk_england_and_wales_by_year()
    assert min(by_year) <= 2020
    assert max(by_year) >= 2026
    assert list(by_year) == list(range(min(by_year), max(by_year) + 1))
    assert all(len(days) >= 8 for days in by_year.values())


def test_govuk_bundled_bank_holidays_all_fall_on_weekdays():
    weekend = [
        day
        for days in _govuk_england_and_wales_by_year().values()
        for day in days
        if day.weekday() >= 5
    ]
    assert weekend == []


@pytest.mark.parametrize("year", GOVUK_YEARS, ids=str)
def test_bank_holidays_match_govuk_england_and_wales_list(year):
    assert bank_holidays(year) == _govuk_england_and_wales_by_year()[year]


# --------------------------------------------------------------------------------------
# bank_holidays / is_working_day (R39)
# --------------------------------------------------------------------------------------


def test_bank_holidays_returns_a_frozenset_of_dates():
    result = bank_holidays(2026)
    assert isinstance(result, frozenset)
    assert all(type(day) is date for day in result)


def test_weekend_boxing_day_is_replaced_by_its_substitute_monday():
    # Boxing Day 2026 is Saturday 26 December. holidays.UK lists that date and the
    # substitute Monday 28 December. Only the weekday belongs in the set.
    assert date(2026, 12, 26) not in bank_holidays(2026)
    assert date(2026, 12, 28) in bank_holidays(2026)


def test_bank_holidays_never_include_weekend_days():
    for year in range(2000, 2036):
        assert all(day.weekday() < 5 for day in bank_holidays(year))


def test_ordinary_weekday_is_a_working_day():
    assert is_working_day(date(2026, 12, 24))  # Thursday


def test_saturday_and_sunday_are_not_working_days():
    assert not is_working_day(date(2026, 1, 10))
    assert not is_working_day(date(2026, 1, 11))


def test_christmas_day_and_substitute_boxing_day_2026_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))


@pytest.mark.parametrize(
    "one_off",
    [
        date(2012, 6, 5),  # Queen's Diamond Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # State funeral of Queen Elizabeth II
        date(2023, 5, 8),  # Coronation of King Charles III
        date(2020, 5, 8),  # Early May bank holiday moved to a Friday for VE day
    ],
    ids=str,
)
def test_one_off_bank_holidays_are_not_working_days(one_off):
    assert not is_working_day(one_off)


def test_monday_that_lost_its_bank_holiday_to_ve_day_2020_is_a_working_day():
    assert is_working_day(date(2020, 5, 4))


def test_datetime_is_rejected_rather_than_silently_missing_holidays():
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 12, 25, 9, 0))


# --------------------------------------------------------------------------------------
# add_working_days (R40)
# --------------------------------------------------------------------------------------


def test_christmas_eve_plus_one_working_day_is_29_december_2026():
    # 25 Dec (Fri) is a holiday, 26-27 Dec is the weekend and 28 Dec is the
    # substitute Boxing Day.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_trigger_date_is_day_zero():
    assert add_working_days(date(2026, 3, 4), 0) == date(2026, 3, 4)


def test_zero_working_days_from_a_weekend_trigger_returns_it_unchanged():
    assert add_working_days(date(2026, 1, 10), 0) == date(2026, 1, 10)


def test_first_working_day_after_a_weekday_trigger_is_day_one():
    assert add_working_days(date(2026, 3, 4), 1) == date(2026, 3, 5)  # Wed -> Thu


def test_friday_trigger_plus_one_is_the_following_monday():
    assert add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)


def test_saturday_trigger_plus_one_is_monday():
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 12)


def test_sunday_trigger_plus_one_is_monday():
    assert add_working_days(date(2026, 1, 11), 1) == date(2026, 1, 12)


def test_saturday_trigger_plus_one_is_tuesday_when_monday_is_a_bank_holiday():
    # Monday 31 August 2026 is the summer bank holiday.
    assert add_working_days(date(2026, 8, 29), 1) == date(2026, 9, 1)


def test_bank_holiday_trigger_counts_from_the_next_working_day():
    # Good Friday 2026-04-03 -> weekend -> Easter Monday 2026-04-06 -> Tue 7 Apr.
    assert add_working_days(date(2026, 4, 3), 1) == date(2026, 4, 7)


def test_ten_working_days_across_christmas_2026():
    # 24 Dec 2026 + 10: 29, 30, 31 Dec (1-3); Fri 1 Jan 2027 is a holiday;
    # 4-8 Jan (4-8); 11 Jan (9); 12 Jan (10).
    assert add_working_days(date(2026, 12, 24), 10) == date(2027, 1, 12)


def test_minus_one_working_day_from_29_december_2026_is_christmas_eve():
    assert add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)


def test_minus_one_working_day_from_a_saturday_is_the_previous_friday():
    assert add_working_days(date(2026, 1, 10), -1) == date(2026, 1, 9)


def test_non_integer_working_day_count_is_rejected():
    with pytest.raises(TypeError):
        add_working_days(date(2026, 1, 1), 1.0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# working_days_between
# --------------------------------------------------------------------------------------


def test_working_days_between_christmas_eve_and_29_december_2026_is_one():
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1


def test_working_days_between_a_date_and_itself_is_zero():
    assert working_days_between(date(2026, 1, 10), date(2026, 1, 10)) == 0


def test_working_days_between_is_negative_when_b_is_before_a():
    assert working_days_between(date(2026, 12, 29), date(2026, 12, 24)) == -1


def test_working_days_between_weekend_start_and_previous_friday_is_minus_one():
    # Friday is day -1 counting back from a Saturday trigger, so
    # add_working_days(Sat, -1) == Fri. This asymmetry with Friday -> Saturday
    # (0 working days) keeps the round trip exact.
    saturday, friday = date(2026, 1, 10), date(2026, 1, 9)
    assert working_days_between(saturday, friday) == -1
    assert working_days_between(friday, saturday) == 0


# --------------------------------------------------------------------------------------
# add_calendar_months
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 12, 24), 1, date(2027, 1, 24)),
        (date(2026, 5, 10), 12, date(2027, 5, 10)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 10), -1, date(2025, 12, 10)),
        (date(2026, 6, 30), 0, date(2026, 6, 30)),
    ],
    ids=str,
)
def test_add_calendar_months_falls_back_to_the_last_day_of_short_months(start, months, expected):
    assert add_calendar_months(start, months) == expected


# --------------------------------------------------------------------------------------
# Property-based tests
# --------------------------------------------------------------------------------------

_fast = settings(max_examples=examples(100), deadline=None)

any_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
working_dates = any_dates.filter(is_working_day)
steps = st.integers(min_value=-400, max_value=400)
nonzero_steps = steps.filter(lambda n: n != 0)
positive_steps = st.integers(min_value=1, max_value=200)
near_offsets = st.integers(min_value=-600, max_value=600)


@_fast
@given(a=any_dates, offset=near_offsets, data=st.data())
def test_adding_working_days_between_a_and_a_working_day_b_lands_on_b(a, offset, data):
    b = a + timedelta(days=offset)
    # Pick a working day b near a (the next one on or after a + offset).
    while not is_working_day(b):
        b += timedelta(days=1)
    assert add_working_days(a, working_days_between(a, b)) == b


@_fast
@given(a=any_dates, n=steps)
def test_working_days_between_a_and_a_plus_n_is_n(a, n):
    assert working_days_between(a, add_working_days(a, n)) == n


@_fast
@given(a=any_dates, n=nonzero_steps)
def test_adding_a_nonzero_number_of_working_days_lands_on_a_working_day(a, n):
    assert is_working_day(add_working_days(a, n))


@_fast
@given(a=any_dates, n=steps, m=steps)
def test_add_working_days_is_strictly_increasing_in_n(a, n, m):
    if n < m:
        assert add_working_days(a, n) < add_working_days(a, m)
    elif n > m:
        assert add_working_days(a, n) > add_working_days(a, m)
    else:
        assert add_working_days(a, n) == add_working_days(a, m)


@_fast
@given(a=any_dates, n=positive_steps, m=positive_steps, sign=st.sampled_from([1, -1]))
def test_adding_working_days_in_two_same_sign_steps_equals_one_step(a, n, m, sign):
    n, m = sign * n, sign * m
    assert add_working_days(add_working_days(a, n), m) == add_working_days(a, n + m)


@_fast
@given(a=working_dates, n=steps)
def test_subtracting_n_working_days_undoes_adding_them_from_a_working_day(a, n):
    assert add_working_days(add_working_days(a, n), -n) == a


@_fast
@given(a=working_dates, b=working_dates)
def test_working_days_between_is_antisymmetric_for_working_days(a, b):
    assert working_days_between(a, b) == -working_days_between(b, a)


@_fast
@given(a=any_dates, b=any_dates)
def test_working_days_between_directions_differ_by_at_most_one_for_any_dates(a, b):
    if is_working_day(a) == is_working_day(b):
        assert working_days_between(a, b) == -working_days_between(b, a)
    else:
        # Mixed endpoints: the two directions differ by exactly one.
        assert abs(working_days_between(a, b) + working_days_between(b, a)) == 1


@_fast
@given(a=any_dates, n=steps)
def test_add_working_days_moves_in_the_direction_of_n(a, n):
    result = add_working_days(a, n)
    assert (result > a) == (n > 0)
    assert (result < a) == (n < 0)


@_fast
@given(start=any_dates, months=st.integers(min_value=-240, max_value=240))
def test_add_calendar_months_lands_in_the_right_month_without_overshooting(start, months):
    result = add_calendar_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    if result.day < start.day:
        assert (result + timedelta(days=1)).day == 1  # clamped to the month's last day


# --------------------------------------------------------------------------------------
# Management command: python manage.py working_days DATE N
# (needs Django settings; the command is found through INSTALLED_APPS)
# --------------------------------------------------------------------------------------


def _run_working_days_command(*args: str) -> str:
    from django.core.management import call_command

    out = StringIO()
    call_command("working_days", *args, stdout=out)
    return out.getvalue().strip()


def test_working_days_command_prints_29_december_for_christmas_eve_plus_one():
    assert _run_working_days_command("2026-12-24", "1") == "2026-12-29"


def test_working_days_command_accepts_a_negative_n():
    # 29 Dec 2026 - 3: 24 Dec (1), 23 Dec (2), 22 Dec (3).
    assert _run_working_days_command("2026-12-29", "-3") == "2026-12-22"


def test_working_days_command_with_zero_prints_the_date_itself():
    assert _run_working_days_command("2026-12-26", "0") == "2026-12-26"


@pytest.mark.parametrize("bad_date", ["24/12/2026", "2026-02-30", "tomorrow", "20261224"])
def test_working_days_command_rejects_a_bad_date_with_a_clear_message(bad_date):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="DATE must be an ISO date like 2026-12-24"):
        _run_working_days_command(bad_date, "1")


def test_working_days_command_rejects_a_non_integer_n():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="invalid int value"):
        _run_working_days_command("2026-12-24", "one")
