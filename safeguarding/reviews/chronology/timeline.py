"""The merged chronology as a picture, drawn on the server as SVG (works without JavaScript).

One lane per agency; a mark per day an agency had contact, placed by date and sized by the
number of entries that day; long gaps shaded across every lane; days when several agencies
had contact marked with a line. The SVG has role="img" with a title and a description; the
table beside it is the full, accessible equivalent. With many entries the marks are grouped by
week, then by month, so the picture never has more than ``max_marks`` marks.
"""

import datetime
import functools
import itertools
import math
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 960
LABEL_WIDTH = 200
RIGHT = 16
TOP = 34
LANE = 30
BOTTOM = 26
MAX_MARKS = 2_000
# GOV.UK colour palette
BLUE = "#1d70b8"
ORANGE = "#f47738"
GREY = "#f3f2f1"
MID_GREY = "#b1b4b6"
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class Timeline:
    svg: SafeString
    binned_by: str  # "day", "week" or "month"
    marks: int


def _bin(day: datetime.date, unit: str) -> datetime.date:
    if unit == "week":
        return day - datetime.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _bin_ordinals(days, unit: str) -> dict[datetime.date, int]:
    """Each day's bin as a day number (``toordinal``): the day, the Monday of its week, or the
    first of its month."""
    if unit == "week":
        return {day: day.toordinal() - day.weekday() for day in days}
    if unit == "month":
        return {day: day.toordinal() - day.day + 1 for day in days}
    return {day: day.toordinal() for day in days}


def _binned(
    groups: list[tuple[datetime.date, int, int]], max_marks: int
) -> tuple[str, dict[tuple[int, int], int]]:
    """The marks: entries per (day, agency), or per (week, agency) or (month, agency) when
    there are more than ``max_marks``, keyed by (bin as a day number, agency id). Each day's
    agencies are kept as bits of one number, so a level's marks are counted over the days
    (thousands) rather than the groups (tens of thousands); only the level drawn is added up."""
    ids = sorted({agency_id for _, agency_id, _ in groups})
    rank = {agency_id: index for index, agency_id in enumerate(ids)}
    agencies_of: dict[datetime.date, int] = {}
    for day, agency_id, _count in groups:
        agencies_of[day] = agencies_of.get(day, 0) | 1 << rank[agency_id]
    unit, bin_of = "day", {}
    for unit in ("day", "week", "month"):
        bin_of = _bin_ordinals(agencies_of, unit)
        if unit == "month":
            break
        agencies_in: dict[int, int] = {}
        for day, agencies in agencies_of.items():
            key = bin_of[day]
            agencies_in[key] = agencies_in.get(key, 0) | agencies
        if sum(agencies.bit_count() for agencies in agencies_in.values()) <= max_marks:
            break
    counts: dict[tuple[int, int], int] = {}
    for day, agency_id, count in groups:
        key = (bin_of[day], agency_id)
        counts[key] = counts.get(key, 0) + count
    return unit, counts


def _ordinals(month: int, bits: int):
    """The days (day numbers) of a month (its first as a day number) whose bits are set."""
    while bits:
        low = bits & -bits
        yield month + low.bit_length() - 1
        bits ^= low


class MonthDays(AbstractSet):
    """A set of days kept as bits by month ({first of the month as a day number: bits}), as a
    read-only set of dates: membership, size and, in order, the days themselves, without
    making a date of every day until they are iterated."""

    def __init__(self, bits: dict[int, int]):
        self.bits = {month: days for month, days in bits.items() if days}

    def __contains__(self, day) -> bool:
        if not isinstance(day, datetime.date):
            return False
        month = day.toordinal() - day.day + 1
        return bool(self.bits.get(month, 0) >> (day.day - 1) & 1)

    def __len__(self) -> int:
        return sum(days.bit_count() for days in self.bits.values())

    def __bool__(self) -> bool:
        return bool(self.bits)

    def __iter__(self):
        for month in sorted(self.bits):
            for ordinal in _ordinals(month, self.bits[month]):
                yield datetime.date.fromordinal(ordinal)

    def months(self) -> list[int]:
        """The months with a day in the set (first of the month as a day number), in order."""
        return sorted(self.bits)


@dataclass(frozen=True)
class Months:
    """A chronology kept by month (``ChronologyMonth``, ADR 0033): rows of (first of the month
    as a day number, agency id, entries, day bits: bit ``d - 1`` for day ``d``). Gives the
    level ``_binned`` would draw the day groups at, and at the month level the same marks,
    the days with entries and the multi-agency days, without the day groups."""

    rows: list[tuple[int, int, int, int]]

    @property
    def total(self) -> int:
        return sum(row[2] for row in self.rows)

    def unit(self, max_marks: int = MAX_MARKS) -> str:
        """ "day", "week" or "month", as ``_binned`` chooses: the first level with at most
        ``max_marks`` marks ((day, agency), (week, agency) pairs with entries)."""
        if sum(bits.bit_count() for _, _, _, bits in self.rows) <= max_marks:
            return "day"
        return "week" if self.week_marks() <= max_marks else "month"

    def week_marks(self) -> int:
        """The (week, agency) pairs with entries. Each agency's days are bits of one number
        from a Monday, so a week is a block of seven bits: a block's top bit, or-ed with the
        six below it, says whether the week has a day."""
        base = min(row[0] for row in self.rows)
        base -= (base - 1) % 7  # the Monday of its week (day number 1 was a Monday)
        of_agency: dict[int, int] = {}
        for month, agency_id, _count, bits in self.rows:
            of_agency[agency_id] = of_agency.get(agency_id, 0) | bits << (month - base)
        blocks = (max(row[0] for row in self.rows) + 31 - base) // 7 + 1
        tops = int("1000000" * blocks, 2)
        marks = 0
        for days in of_agency.values():
            folded = days | days << 1 | days << 2 | days << 3 | days << 4 | days << 5 | days << 6
            marks += (folded & tops).bit_count()
        return marks

    @functools.cached_property
    def _by_month(self) -> tuple[dict[int, int], dict[int, int]]:
        seen: dict[int, int] = {}
        multi: dict[int, int] = {}
        for month, _agency_id, _count, bits in self.rows:
            before = seen.get(month, 0)
            multi[month] = multi.get(month, 0) | before & bits
            seen[month] = before | bits
        return seen, multi

    def first_and_last(self) -> tuple[datetime.date, datetime.date]:
        seen, _multi = self._by_month
        first, last = min(seen), max(seen)
        return (
            datetime.date.fromordinal(first + (seen[first] & -seen[first]).bit_length() - 1),
            datetime.date.fromordinal(last + seen[last].bit_length() - 1),
        )

    def gaps(self, gap_days: int) -> list[tuple[datetime.date, datetime.date]]:
        """(last day with an entry, next day with one) more than ``gap_days`` days apart, in
        order. Two days of one month are at most 29 days apart, so from 29 days up only each
        month's first and last days are looked at."""
        seen, _multi = self._by_month
        points: list[int] = []
        for month in sorted(seen):
            bits = seen[month]
            if gap_days < 29:
                points.extend(_ordinals(month, bits))
            else:
                points.append(month + (bits & -bits).bit_length() - 1)
                points.append(month + bits.bit_length() - 1)
        return [
            (datetime.date.fromordinal(earlier), datetime.date.fromordinal(later))
            for earlier, later in itertools.pairwise(points)
            if later - earlier - 1 > gap_days
        ]

    def multi_agency_days(self) -> MonthDays:
        """The days when more than one agency had an entry."""
        return MonthDays(self._by_month[1])

    def marks(self) -> dict[tuple[int, int], int]:
        """Entries by (month as a day number, agency id): ``_binned``'s month level."""
        return {(month, agency_id): count for month, agency_id, count, _bits in self.rows}


def draw(
    *,
    agencies: list[tuple[int, str]],
    groups: list[tuple[datetime.date, int, int]] = (),  # type: ignore[assignment]
    months: Months | None = None,
    gaps=(),
    multi_agency_days=(),
    gap_days: int = 90,
    max_marks: int = MAX_MARKS,
) -> Timeline | None:
    """``agencies``: (id, name) in lane order; ``groups``: (day, agency id, entries), or
    ``months``: the kept months, when the caller has found the timeline is drawn by month
    (``Months.unit``)."""
    lanes = {agency_id: index for index, (agency_id, _name) in enumerate(agencies)}
    if months is not None:
        if not all(row[1] in lanes for row in months.rows):
            months = Months([row for row in months.rows if row[1] in lanes])
        if not months.rows:
            return None
        unit, binned = "month", months.marks()
        first, last = months.first_and_last()
        total = months.total
    else:
        if not groups:
            return None
        if not all(agency_id in lanes for agency_id in {agency_id for _, agency_id, _ in groups}):
            groups = [g for g in groups if g[1] in lanes]
        if not groups:
            return None
        unit, binned = _binned(groups, max_marks)
        first = min(day for day, _, _ in groups)
        last = max(day for day, _, _ in groups)
        total = sum(count for _, _, count in groups)
    if isinstance(multi_agency_days, MonthDays) and unit == "month":
        bins = multi_agency_days.months()  # without making a date of each day
    else:
        bins = sorted(set(_bin_ordinals(multi_agency_days, unit).values()))
    multi = [datetime.date.fromordinal(ordinal) for ordinal in bins]

    first_ordinal = first.toordinal()
    span = max((last - first).days, 1)
    plot = WIDTH - LABEL_WIDTH - RIGHT
    height = TOP + LANE * len(agencies) + BOTTOM
    lanes_bottom = TOP + LANE * len(agencies)

    def x(day: datetime.date) -> float:
        return round(LABEL_WIDTH + (day - first).days / span * plot, 1)

    biggest = max(binned.values())
    title = "Timeline of the merged chronology"
    desc = (
        f"{total:,} entries from {len(agencies)} "
        f"{'agency' if len(agencies) == 1 else 'agencies'}, {first:%-d %B %Y} to "
        f"{last:%-d %B %Y}, one lane per agency"
        + (f", entries grouped by {unit}" if unit != "day" else "")
        + f". {len(gaps)} "
        + ("period" if len(gaps) == 1 else "periods")
        + f" of more than {gap_days} days with no recorded contact (shaded). "
        + f"{len(multi_agency_days)} "
        + ("day" if len(multi_agency_days) == 1 else "days")
        + " when more than one agency had contact (orange lines). "
        "The table lists every entry."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="timeline-title timeline-desc" '
        f'focusable="false" class="app-timeline" font-family="Arial, sans-serif" '
        f'font-size="13">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{escape(desc)}</desc>',
    ]
    # Lanes
    for index, (_agency_id, name) in enumerate(agencies):
        y = TOP + LANE * index
        if index % 2 == 0:
            out.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{plot}" height="{LANE}" fill="#fafafa"/>'
            )
        label = name if len(name) <= 28 else name[:27] + "…"
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + LANE / 2 + 4}" text-anchor="end" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    # Gaps
    for gap in gaps:
        x1, x2 = x(gap.after), x(gap.before)
        out.append(
            f'<rect class="app-timeline__gap" x="{x1}" y="{TOP}" width="{max(x2 - x1, 1)}" '
            f'height="{lanes_bottom - TOP}" fill="{GREY}" stroke="{MID_GREY}" '
            f'stroke-dasharray="4 3"><title>No recorded contact for {gap.days} days</title></rect>'
        )
    # Multi-agency days
    for day in multi:
        out.append(
            f'<line class="app-timeline__multi" x1="{x(day)}" y1="{TOP}" x2="{x(day)}" '
            f'y2="{lanes_bottom}" stroke="{ORANGE}" stroke-width="1" stroke-opacity="0.7"/>'
        )
    # Axis and ticks
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="{lanes_bottom}" x2="{WIDTH - RIGHT}" y2="{lanes_bottom}" '
        f'stroke="{TEXT}"/>'
    )
    for tick, text in _ticks(first, last):
        tx = x(tick)
        out.append(
            f'<line x1="{tx}" y1="{lanes_bottom}" x2="{tx}" y2="{lanes_bottom + 5}" '
            f'stroke="{TEXT}"/><text x="{tx}" y="{lanes_bottom + 18}" text-anchor="middle" '
            f'fill="{TEXT}">{escape(text)}</text>'
        )
        out.append(
            f'<text x="{tx}" y="{TOP - 10}" text-anchor="middle" fill="{TEXT}" '
            f'font-size="11">{escape(text)}</text>'
        )
    # Marks
    # Each bin's x, each lane's y and each count's radius worked out once (marks share them).
    ys = {agency_id: TOP + LANE * lane + LANE / 2 for agency_id, lane in lanes.items()}
    xs: dict[int, float] = {}
    radii: dict[int, float | int] = {}
    for (ordinal, agency_id), count in sorted(binned.items()):
        cx = xs.get(ordinal)
        if cx is None:
            cx = xs[ordinal] = round(LABEL_WIDTH + (ordinal - first_ordinal) / span * plot, 1)
        radius = radii.get(count)
        if radius is None:
            radius = radii[count] = (
                round(3 + 6 * math.sqrt(count / biggest), 1) if biggest > 1 else 4
            )
        out.append(
            f'<circle cx="{cx}" cy="{ys[agency_id]}" r="{radius}" fill="{BLUE}" '
            'fill-opacity="0.75"/>'
        )
    out.append("</svg>")
    return Timeline(svg=mark_safe("".join(out)), binned_by=unit, marks=len(binned))


def _ticks(first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, str]]:
    years = last.year - first.year
    if years >= 2:
        step = max(1, math.ceil(years / 10))
        return [
            (datetime.date(year, 1, 1), str(year))
            for year in range(first.year + 1, last.year + 1, step)
        ] or [(first, str(first.year))]
    ticks, month = [], datetime.date(first.year, first.month, 1)
    months = (last.year - first.year) * 12 + last.month - first.month
    step = max(1, math.ceil(months / 12))
    count = 0
    while month <= last:
        if month >= first and count % step == 0:
            ticks.append((month, f"{month:%b %Y}"))
        count += 1
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return ticks or [(first, f"{first:%-d %b %Y}")]
