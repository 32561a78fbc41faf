"""The rows of the report pages' tables, written in Python (issue 16, ADR 0034, with the
helpers of ``core/row_markup.py``): a tenth year's lists are full and its board pack has 60
rows of recurring themes more, so the template's loops were a growing part of both pages."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from safeguarding.core.row_markup import date, number, row_link, table_rows, text


def _row(*cells: str) -> str:
    """A table row of ``reports/annual.html``, its whitespace as the template's loop wrote it."""
    return '\n    <tr class="govuk-table__row">' + "".join(cells) + "\n    </tr>\n    "


def _cell(markup: str, numeric: bool = False) -> str:
    """A cell holding ``markup`` (a value through ``text`` or ``date``, or a link)."""
    kind = " govuk-table__cell--numeric" if numeric else ""
    return f'\n      <td class="govuk-table__cell{kind}">{markup}</td>'


def annual_rows_html(figures, slug: str) -> dict[str, SafeString]:
    """The rows of the annual page's four lists (``reports/annual.html``)."""
    action_link = row_link("actions:action", slug)
    signed_off = [
        _row(
            _cell(text(f"{r.reference} {r.title}")),
            _cell(text(r.get_kind_display())),
            _cell(date(r.signed_off_on, "j F Y")),
            _cell(number(r.finding_count), numeric=True),
            _cell(number(r.learning_point_count), numeric=True),
        )
        for r in figures.reviews_signed_off
    ]
    ongoing = [
        _row(
            _cell(text(f"{r.reference} {r.title}")),
            _cell(text(r.get_kind_display())),
            _cell(date(r.started_on, "j F Y")),
        )
        for r in figures.reviews_ongoing
    ]
    not_implemented = [
        _row(
            _cell(text(f"{a.recommendation.review.reference} {a.recommendation.review.title}")),
            _cell(f'<a class="govuk-link" href="{action_link(a.pk)}">{text(a.reference)}</a>'),
            _cell(text(a.agency.name)),
            _cell(date(a.decided_on, "j F Y")),
            _cell(text(a.not_implemented_reason)),
        )
        for a in figures.not_implemented
    ]
    impact = [
        _row(
            _cell(text(f"{r.review.reference} {r.review.title}")),
            _cell(number(r.number)),
            _cell(date(r.impact_recorded_on, "j F Y")),
            _cell(text(r.get_impact_judgement_display())),
        )
        for r in figures.impact_recorded
    ]
    return {
        name: mark_safe("".join(rows))  # every value through text or date
        for name, rows in (
            ("signed_off", signed_off),
            ("ongoing", ongoing),
            ("not_implemented", not_implemented),
            ("impact", impact),
        )
    }


def figure_rows_html(figures, link) -> SafeString:
    """The rows of a board-pack section's table (``reports/figures.html``): each figure's
    label, and its number linked to the records behind it (0 unlinked)."""
    rows = []
    for figure in figures:
        label = text(figure.label)
        cell = (
            f'<a class="govuk-link" href="{text(link(figure, absolute=False))}">{figure.value}'
            f'<span class="govuk-visually-hidden"> records: {label}</span></a>'
            if figure.value
            else "0"
        )
        rows.append(
            '\n      <tr class="govuk-table__row">'
            f'\n        <th scope="row" class="govuk-table__header">{label}</th>'
            f'\n        <td class="govuk-table__cell govuk-table__cell--numeric">{cell}</td>'
            "\n      </tr>\n      "
        )
    return mark_safe("".join(rows))  # every value through text


def yearly_rows_html(reports, slug: str) -> SafeString:
    """The rows of the yearly reports' list (``reports/yearly_list.html``): two a year, one of
    each kind, so the list grows with the years (issue 16)."""
    link = row_link("reports:yearly_detail", slug)
    return table_rows(
        (
            '<tr class="govuk-table__row">\n'
            '      <td class="govuk-table__cell" data-label="Report">'
            f'<a class="govuk-link" href="{link(report.pk)}">{text(report.get_kind_display())}'
            f'<span class="govuk-visually-hidden"> {text(report.year_label)}</span></a></td>\n'
            '      <td class="govuk-table__cell" data-label="Year">'
            f"{text(report.year_label)}</td>\n"
            '      <td class="govuk-table__cell" data-label="Published">'
            f"{date(report.published_on, 'j F Y') if report.published_on else 'Not yet'}</td>\n"
            '      <td class="govuk-table__cell" data-label="Sent">'
            f"{number(report.recipient_count)} "
            f"recipient{'' if report.recipient_count == 1 else 's'}</td>\n"
            "    </tr>"
            for report in reports
        ),
        indent="    ",
        tags_indent="  ",
    )
