"""Bar charts drawn on the server as SVG (issue 17): no JavaScript, no images to fetch.

Each chart is an image with a title and a description (``role="img"``, ``aria-labelledby``),
and the page always follows it with a table of the same numbers, so nothing is only in the
picture. Text is escaped; colours are GOV.UK's (blue bars, black text) with the value written
beside each bar so colour carries no meaning on its own.
"""

import itertools

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
LABEL_WIDTH = 250
VALUE_WIDTH = 60
ROW = 28
BAR = 18
TOP = 8
BLUE = "#1d70b8"
TEXT = "#0b0c0c"

_ids = itertools.count(1)


def _clip(text: str, size: int = 38) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def bar_chart_svg(
    *,
    title: str,
    description: str,
    bars: list[tuple[str, float]],
    unit: str = "",
    number: int | str | None = None,
) -> SafeString:
    """A horizontal bar chart: one labelled bar per (label, value), scaled to the largest.
    ``number`` names its title and description (``chart-<number>-title``): unique on the page,
    and the same every time for a chart kept and reused (by default, a number of this process)."""
    number = next(_ids) if number is None else number
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    largest = max((value for _label, value in bars), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP * 2 + ROW * max(len(bars), 1)
    rows = []
    for index, (label, value) in enumerate(bars):
        y = TOP + index * ROW
        length = round(room * value / largest) if value else 0
        rows.append(
            (
                LABEL_WIDTH - 8,
                y + BAR - 4,
                _clip(label),
                LABEL_WIDTH,
                y,
                max(length, 1) if value else 0,
                BAR,
                LABEL_WIDTH + length + 6,
                y + BAR - 4,
                f"{value:g}{unit}",
            )
        )
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="14">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + BLUE + '"></rect>'
        '<text x="{}" y="{}" font-size="14" font-weight="bold">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="app-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-labelledby="{} {}" viewBox="0 0 {} {}" width="100%" '
        'style="max-width:{}px" fill="{}" font-family="inherit">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>{}</svg>',
        title_id,
        desc_id,
        WIDTH,
        height,
        WIDTH,
        TEXT,
        title_id,
        title,
        desc_id,
        description,
        body,
    )
