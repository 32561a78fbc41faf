"""The ``date`` filter, remembering how it wrote each calendar date (a builtin after Django's,
see TEMPLATES in settings, so every template's ``|date`` is this one; issue 16).

Django's ``date`` filter costs 40–80 µs a call (the format looked up for the language, then
parsed and written piece by piece), and a staff page writes dozens of dates (the staff home 75,
a review or a case 20–30). A plain ``datetime.date`` written with a format is the same text
whenever the language and the settings are the same: the language is in the key, and any
settings change forgets everything (tests' ``override_settings``). Only ``datetime.date``
itself is remembered, never a ``datetime`` (its text depends on its time zone, and two equal
datetimes may be in different zones), nor anything else: those go to Django's filter every
time. At most ``CACHED_DATES`` texts (LRU); they are dates and formats only.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.template.defaultfilters import date as django_date
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()

CACHED_DATES = 8192


@lru_cache(maxsize=CACHED_DATES)
def _date_format(value: datetime.date, arg: str | None, language: str | None) -> str:
    # language is only the key: date_format reads the active one itself.
    return formats.date_format(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's ``date`` filter; a plain date's text is remembered (see the module)."""
    if type(value) is datetime.date and (arg is None or isinstance(arg, str)):
        return _date_format(value, None if arg is None else str(arg), get_language())
    return django_date(value, arg)


def forget_all(**kwargs) -> None:
    _date_format.cache_clear()


setting_changed.connect(forget_all, dispatch_uid="core.templatetags.cached_date.forget_all")
