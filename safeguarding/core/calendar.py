"""Working-day calendar for England and Wales.

Rules implemented here:

* R39: "working_day = Monday to Friday, excluding England & Wales bank holidays,
  including one-off holidays".
* R40: "the trigger date is day 0; the first working day after it is day 1. If the
  trigger falls on a weekend or bank holiday, the next working day is day 1."

Bank holidays come from the ``holidays`` package (``holidays.UK(subdiv="ENG")``;
England and Wales share one list). The test suite checks them against the GOV.UK
list bundled with ``govuk-bank-holidays`` for every year that list covers.

Everything here is pure and database-free. The only state is a per-year cache of
bank holidays.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import functools
from datetime import date, datetime, timedelta

import holidays

__all__ = [
    "add_calendar_months",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday == 0 ... Friday == 4, Saturday == 5, Sunday == 6


def _require_date(value: object, name: str) -> date:
    """Reject non-dates, including ``datetime``.

    ``datetime`` is a subclass of ``date``, but ``datetime(2026, 12, 25) ==
    date(2026, 12, 25)`` is False. A datetime would therefore never match a bank
    holiday, and the bug would go unnoticed.
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (not {type(value).__name__})")
    return value


@functools.lru_cache(maxsize=128)  # one entry per year; far more years than any caller needs
def bank_holidays(year: int) -> frozenset[date]:
    """Return the weekday bank holidays in England and Wales for ``year``.

    This covers the regular holidays, their substitute days and one-off holidays
    such as the 2022 state funeral and the 2023 coronation (R39).

    ``holidays.UK`` lists both the actual date of a holiday that falls at a
    weekend and its substitute weekday. For example, Boxing Day 2026 appears as
    Saturday 26 December and as the substitute Monday 28 December. Weekend days
    are not working days anyway, so we keep only Monday to Friday. The result
    then matches the GOV.UK list, which shows only the substitute day.
    """
    return frozenset(
        day
        for day in holidays.UK(subdiv="ENG", years=year)
        if day.year == year and day.weekday() < _SATURDAY
    )


def is_working_day(day: date) -> bool:
    """Return True if ``day`` is a working day in England and Wales.

    R39: working_day = Monday to Friday, excluding England & Wales bank holidays,
    including one-off holidays.
    """
    _require_date(day, "day")
    return day.weekday() < _SATURDAY and day not in bank_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """Return the date that is ``n`` working days after ``start``.

    R40: ``start`` (the trigger) is day 0, and the first working day after it is
    day 1. This holds even when ``start`` is a weekend or a bank holiday: the next
    working day is still day 1.

    * ``n == 0`` returns ``start`` unchanged, even if it is not a working day.
    * ``n < 0`` counts backwards the same way. Day -1 is the last working day
      before ``start``.

    For ``n != 0`` the result is always a working day.

    >>> add_working_days(date(2026, 12, 24), 1)  # 25 Dec, weekend, 28 Dec skipped
    datetime.date(2026, 12, 29)
    """
    _require_date(start, "start")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int (not {type(n).__name__})")
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """Return the signed number of working days from ``a`` to ``b``.

    * ``b >= a``: the number of working days after ``a``, up to and including ``b``.
    * ``b < a``: minus the number of working days from ``b`` (inclusive) up to but
      not including ``a``. This mirrors :func:`add_working_days` counting
      backwards from ``a`` as day 0.

    This makes the function the inverse of :func:`add_working_days`: for any date
    ``a`` and any *working day* ``b``,
    ``add_working_days(a, working_days_between(a, b)) == b``.

    If both endpoints are working days (or both are not), the function is
    antisymmetric: ``working_days_between(a, b) == -working_days_between(b, a)``.
    When only one endpoint is a working day, the two directions can differ by one.
    For example, from Friday to the following Saturday is 0 working days, but
    from that Saturday back to Friday is -1, because Friday is day -1 counting
    back from Saturday.
    """
    _require_date(a, "a")
    _require_date(b, "b")
    if b >= a:
        # Working days in the half-open interval (a, b].
        return _count_working_days(a + _ONE_DAY, b)
    # Working days in the half-open interval [b, a), negated.
    return -_count_working_days(b, a - _ONE_DAY)


def _count_working_days(first: date, last: date) -> int:
    """Count working days in the closed interval [first, last] (0 if empty)."""
    count = 0
    day = first
    while day <= last:
        if is_working_day(day):
            count += 1
        day += _ONE_DAY
    return count


def add_calendar_months(start: date, months: int) -> date:
    """Return the same day of the month ``months`` calendar months after ``start``.

    If that month is too short, return its last day instead: 31 January plus one
    month is 28 February, or 29 February in a leap year. ``months`` may be zero
    or negative. Used for the calendar-month periods in R14, R26, R31 and R33.
    """
    _require_date(start, "start")
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError(f"months must be an int (not {type(months).__name__})")
    month_index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(month_index, 12)
    month = month0 + 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))
