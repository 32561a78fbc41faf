"""The results of a library search (staff and public pages), written in Python as
``core/row_markup.py`` describes (issue 16, ADR 0034). ``library/_search.html`` keeps the
frame: the headings, counts, pagination and the empty states."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import number, row_link, table_rows, text

from .models import LibraryRecord


def result_rows_html(
    records: Iterable[LibraryRecord], *, record_url: str, partnership, show_visibility: bool
) -> SafeString:
    """The results' list items: title (linked to ``record_url``, the staff or public record
    page), review type, publisher and year, "Staff only" for a record that is not public (on
    the staff page, ``show_visibility``), the snippet (the search's, already escaped with its
    marks, or the summary's first words) and how many near-identical records it stands for."""
    link = row_link(record_url, partnership.slug)
    return table_rows(
        (_result_row(record, link, show_visibility) for record in records), indent="        "
    )


def _result_row(record: LibraryRecord, link: Callable[[int], str], show_visibility: bool) -> str:
    year = number(record.year) if record.year else "Year not known"
    staff_only = (
        ' · <strong class="govuk-tag govuk-tag--grey">Staff only</strong>'
        if show_visibility and not record.is_public
        else ""
    )
    snippet = getattr(record, "snippet", "")
    grouped = getattr(record, "grouped", 0)
    return (
        '<li class="govuk-!-margin-bottom-6">\n'
        '          <h3 class="govuk-heading-s govuk-!-margin-bottom-1">'
        f'<a class="govuk-link" href="{link(record.pk)}">{text(record.title)}</a></h3>\n'
        '          <p class="govuk-body-s govuk-!-margin-bottom-1">'
        f"{text(record.get_review_type_display())} · {text(record.publisher)} · {year}"
        f"{staff_only}</p>\n"
        "          "
        + (f'<p class="govuk-body app-library-snippet">{text(snippet)}</p>' if snippet else "")
        + "\n          "
        + (
            f'<p class="govuk-body-s">{number(grouped)} near-identical record'
            f"{'' if grouped == 1 else 's'} grouped with this one and not listed separately.</p>"
            if grouped
            else ""
        )
        + "\n        </li>"
    )
