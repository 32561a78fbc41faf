"""Bar charts drawn on the server as SVG (issue 17): no JavaScript, no images to fetch.

Each chart is an image with a title and a description (``role="img"``, ``aria-labelledby``),
and the page always follows it with a table of the same numbers, so nothing is only in the
picture. Text is escaped; colours are GOV.UK's (blue bars, black text) with the value written
beside each bar so colour carries no meaning on its own.
"""

import html
import itertools

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 250
VALUE_WIDTH = 60
ROW = 28
BAR = 18
TOP = 8
BLUE = "#1d70b8"
TEXT = "#0b0c0c"
_LABEL_END = LABEL_WIDTH - 8

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
    # Each row written out with only its label escaped (the rest are numbers, and the unit is
    # escaped once): the markup format_html_join made, at a fraction of the cost per bar (issue
    # 16: the board pack of a tenth year draws 60 bars more). A label is often a lazy
    # translation: made a string once, not at each use through the lazy proxy.
    # A plain string label is escaped as ``conditional_escape`` would, without its lazy wrapper
    # (most of a bar's cost: a tenth year's recurring themes draw 60, issue 16); a safe string
    # is left as it is, as there.
    unit = conditional_escape(unit)
    rows = []
    for index, (label, value) in enumerate(bars):
        y = TOP + index * ROW
        length = round(room * value / largest) if value else 0
        width = max(length, 1) if value else 0
        clipped = _clip(str(label))
        shown = html.escape(clipped) if type(clipped) is str else conditional_escape(clipped)
        rows.append(
            f'<text x="{_LABEL_END}" y="{y + BAR - 4}" text-anchor="end" font-size="14">'
            f"{shown}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR}" fill="{BLUE}"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + BAR - 4}" font-size="14" '
            f'font-weight="bold">{value:g}{unit}</text>'
        )
    body = mark_safe("".join(rows))  # the labels and the unit escaped above
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
