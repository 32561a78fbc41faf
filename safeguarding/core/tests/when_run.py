"""Test values worked out when a test runs, not when pytest collects it.

A parametrize list is built when pytest imports the module. A date such as "tomorrow" written
there is tomorrow at collection; a suite still running after midnight then posts today's date
and the "must be today or in the past" cases pass the form (stop 27's CI failed so). Write such
a case as a function (`lambda: _date("sent_on", today() + ONE_DAY)`) and call `when_run(value)`
at the top of the test.
"""

import datetime
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

ONE_DAY = datetime.timedelta(days=1)


def when_run(value: T | Callable[[], T]) -> T:
    """The value itself, or what the function gives when called now."""
    return value() if callable(value) else value
