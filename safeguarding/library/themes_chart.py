"""How often each theme appeared by year, as a picture drawn on the server (SVG, no JavaScript).

A heat map: one row per theme, one column per year, each cell shaded by the number of reviews
in which the theme appeared that year and labelled with that number. The figures are exactly
those of the table beside it (``selectors.themes_by_year``): every cell carries ``data-theme``,
``data-year`` and ``data-count``, as the table's cells do. The SVG has role="img" with a title
and a description; the table is the full, accessible equivalent.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors import ThemesByYear

WIDTH = 960
LABEL_WIDTH = 300
RIGHT = 8
TOP = 30
ROW = 26
BOTTOM = 8
# GOV.UK colours: text, light grey for empty cells, blue for the most frequent.
TEXT = "#0b0c0c"
EMPTY = "#f3f2f1"
WHITE = "#ffffff"
BLUE = (29, 112, 184)  # #1d70b8


def _strength(count: int, biggest: int) -> float:
    return 0.15 + 0.85 * count / biggest


def _shade(count: int, biggest: int) -> str:
    if count == 0:
        return EMPTY
    strength = _strength(count, biggest)
    red, green, blue = (round(255 - (255 - c) * strength) for c in BLUE)
    return f"#{red:02x}{green:02x}{blue:02x}"


def draw(figures: ThemesByYear) -> SafeString | None:
    if not figures.rows or not figures.years:
        return None
    years, rows = figures.years, figures.rows
    biggest = max(figures.biggest, 1)
    cell = (WIDTH - LABEL_WIDTH - RIGHT) / len(years)
    height = TOP + ROW * len(rows) + BOTTOM
    recurring = sum(1 for row in rows if row.recurring)
    desc = (
        f"{len(rows)} themes over {len(years)} year{'' if len(years) == 1 else 's'}, "
        f"{years[0]} to {years[-1]}. Each cell is the number of reviews in which the theme "
        f"appeared that year; darker cells are more reviews (the most in one year is "
        f"{figures.biggest}). {recurring} theme{'' if recurring == 1 else 's'} appeared in more "
        "than one year. The table gives every figure."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        'role="img" aria-labelledby="themes-chart-title themes-chart-desc" focusable="false" '
        'class="app-themes-chart" font-family="Arial, sans-serif" font-size="13">',
        '<title id="themes-chart-title">How often each theme appeared, by year</title>',
        f'<desc id="themes-chart-desc">{escape(desc)}</desc>',
    ]
    show_every = max(1, round(len(years) / 20))
    for index, year in enumerate(years):
        if index % show_every == 0:
            x = LABEL_WIDTH + cell * index + cell / 2
            out.append(
                f'<text x="{x:.1f}" y="{TOP - 10}" text-anchor="middle" fill="{TEXT}">{year}</text>'
            )
    # What every row shares is worked out once: each column's positions, and each count's
    # shade, text colour and plural (the page draws a cell for every theme and year; issue 16).
    width = f"{max(cell - 2, 1):.1f}"
    columns = [
        (
            year,
            f"{LABEL_WIDTH + cell * index + 1:.1f}",
            f"{LABEL_WIDTH + cell * index + cell / 2:.1f}",
        )
        for index, year in enumerate(years)
    ]
    labelled = cell >= 14
    by_count: dict[int, tuple[str, str, str]] = {}
    for row_index, row in enumerate(rows):
        y = TOP + ROW * row_index
        label = row.name if len(row.name) <= 42 else row.name[:41] + "…"
        name = escape(row.name)
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + ROW / 2 + 4:.1f}" text-anchor="end" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
        rect_y, text_y = f"{y + 1}", f"{y + ROW / 2 + 4:.1f}"
        for (year, rect_x, text_x), count in zip(columns, row.counts, strict=True):
            shared = by_count.get(count)
            if shared is None:
                # Black text keeps 4.5:1 up to the darkest shades; white on the darkest only.
                colour = WHITE if count and _strength(count, biggest) > 0.95 else TEXT
                shared = by_count[count] = (
                    _shade(count, biggest),
                    "" if count == 1 else "s",
                    colour,
                )
            fill, plural, colour = shared
            out.append(
                f'<g class="app-themes-chart__cell" data-theme="{row.theme_id}" '
                f'data-year="{year}" data-count="{count}">'
                f"<title>{name}, {year}: {count} review{plural}</title>"
                f'<rect x="{rect_x}" y="{rect_y}" width="{width}" '
                f'height="{ROW - 2}" fill="{fill}"/>'
            )
            if count and labelled:
                out.append(
                    f'<text x="{text_x}" y="{text_y}" '
                    f'text-anchor="middle" fill="{colour}">{count}</text>'
                )
            out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # every text in it is escaped above


_RECURRING = ' <strong class="govuk-tag govuk-tag--orange">Recurring</strong>'


def table_rows(figures: ThemesByYear) -> SafeString:
    """The table's rows (the chart's figures, every one, for everyone). Built here, as the
    chart is, and not in the template: a cell for each theme and year is 600 cells at ten
    years, and the template's loop, with a localised number for each value, cost more than the
    rest of the page together (issue 16). The same markup the template made."""
    out = []
    for row in figures.rows:
        cells = "".join(
            f'<td class="govuk-table__cell govuk-table__cell--numeric" data-theme="{row.theme_id}"'
            f' data-year="{year}" data-count="{count}">{count}</td>'
            for year, count in row.cells
        )
        out.append(
            '<tr class="govuk-table__row">\n'
            f'      <th scope="row" class="govuk-table__header">{escape(row.name)}'
            f"{_RECURRING if row.recurring else ''}</th>\n"
            f"      {cells}\n"
            f'      <td class="govuk-table__cell govuk-table__cell--numeric">{row.total}</td>\n'
            "    </tr>"
        )
    return mark_safe("\n".join(out))  # the theme names are escaped; the rest are numbers
