"""The rows of a listed page's table, written in Python (issue 16, ADR 0034).

A staff list page shows 25 or 50 rows of a dozen values each. Through the template engine each
value is a variable lookup, a filter, localisation and escaping, and each link a ``{% url %}``:
the action tracker spent 5–9 ms of its 40 on its 50 rows' template. A page's rows are now
written by a function of the app's ``rows.py`` (one function per table, named after it), with
the helpers here, and the template keeps the table's frame (caption, head, empty state,
pagination) and puts the rows in with ``{{ rows }}``:

    def tracker_rows_html(actions, *, partnership) -> SafeString:
        link = row_link("actions:action", partnership.slug)
        return table_rows(
            f'<tr class="govuk-table__row">\\n'
            f'  <td class="govuk-table__cell">'
            f'<a class="govuk-link" href="{link(action.pk)}">{text(action.title)}</a></td>\\n'
            "</tr>"
            for action in actions
        )

Every value goes through ``text`` (what ``{{ value }}`` writes in an autoescaped template:
escaped, numbers and dates localised), ``number``, ``date`` (``{{ value|date:"j F Y" }}``),
``truncatewords`` (``{{ value|truncatewords:n }}``) or ``linebreaksbr``; a link comes from
``row_link`` (the URL reversed once per page); markup fixed in the code needs nothing. Nothing
else is put in an f-string: a value written without ``text`` is not escaped. The rows are
exactly what the template's ``{% for %}`` wrote (``table_rows`` keeps its line ends and
indents); ``core/tests/test_row_markup.py`` keeps each loop replaced and compares the function
with it, on values with ``<script>``, quotes and ampersands.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaultfilters import filesizeformat as _filesizeformat
from django.template.defaultfilters import linebreaksbr as _linebreaksbr
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from .links import row_link
from .templatetags.cached_date import date as _date_filter
from .widget_markup import text

__all__ = [
    "date",
    "file_size",
    "linebreaksbr",
    "number",
    "row_link",
    "table_rows",
    "text",
    "truncatewords",
]


def number(value: int) -> str:
    """``{{ value }}`` for an ``int`` (a row's number): ``text`` without the localisation
    machinery while no thousand separator is set (``str`` is then what Django writes)."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return text(value)


def file_size(value: int) -> str:
    """``{{ value|filesizeformat }}`` of a file's size in bytes (an ``int``). Django's filter
    works through the translation and number formatting of the language on each call (20-60
    µs: the public lists' documents, issue 16); its text for a size is the same for the same
    language and settings, so it is kept per size and language (a change of settings forgets
    them all)."""
    if type(value) is not int:
        return text(_filesizeformat(value))
    return _file_size(value, get_language())


@lru_cache(maxsize=4096)
def _file_size(value: int, language: str | None) -> str:
    # language: only the key (the filter reads the active language itself).
    return text(_filesizeformat(value))


def _forget_file_sizes(**kwargs) -> None:
    _file_size.cache_clear()


setting_changed.connect(_forget_file_sizes, dispatch_uid="core.row_markup.file_sizes")


def date(value, arg: str) -> str:
    """``{{ value|date:arg }}``: an aware datetime in the current time zone first (the filter
    ``expects_localtime``), then the project's ``date`` filter, then escaped."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_aware(value):
        value = timezone.localtime(value)
    return text(_date_filter(value, arg))


def truncatewords(value, words: int) -> str:
    """``{{ value|truncatewords:words }}`` of a plain (not safe) value: what Django's
    ``Truncator.words`` does (split on whitespace, the first ``words`` joined by spaces, " …"
    added unless the text already ends with it), without its lazy object (about half of a
    tracker row's cost, issue 16)."""
    if words <= 0:
        return text(Truncator(str(value)).words(words, truncate=_TRUNCATED))
    parts = str(value).split()
    if len(parts) <= words:
        return text(" ".join(parts))
    kept = " ".join(parts[:words])
    return text(kept if kept.endswith(_TRUNCATED) else kept + _TRUNCATED)


_TRUNCATED = " …"


def table_rows(
    rows: Iterable[str], indent: str = "        ", tags_indent: str | None = None
) -> SafeString:
    """The rows as ``{% for %}…{% endfor %}`` wrote them between ``<tbody>`` and
    ``</tbody>``, when the loop's tags stood alone on their lines (indented by
    ``tags_indent``, by default as the rows) and each row began on the next line indented by
    ``indent``: each row (its own line ends and indents included) after a line end and
    ``indent``, then a line end and ``tags_indent``. The template writes ``{{ rows }}`` where
    the loop was, indented as its ``{% for %}`` was."""
    after = indent if tags_indent is None else tags_indent
    return mark_safe("".join(f"\n{indent}{row}\n{after}" for row in rows))


def linebreaksbr(value) -> str:
    """``{{ value|linebreaksbr }}``: escaped, each line end a ``<br>``."""
    return _linebreaksbr(value, autoescape=True)
