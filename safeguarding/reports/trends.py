"""Timeliness across the years for every milestone rule (issue 17): for each rule of the clock
(one per guidance version, ADR 0018) and each financial year, the milestones done in that year,
the share done on time and the median working days from start to done.

A milestone is counted in the financial year of the day it was done. The headline is on time
against the due date the rule first set (``original_due_on``); beside it, within the agreed
extension (done by the due date as extended, ``due_on``), never in place of it (ADR 0026).
Working days come from the clock's calendar (``core.calendar``: weekends and bank holidays in
England), kept on the milestone when it is done (``working_days_taken``).

Counted in the database, grouped by rule, financial year and working days taken; no row per
milestone comes back (the medians are read from a count of each number of working days).
Every financial year, the current one included, is counted once and kept (``TimelinessYear``,
issue 16): a database trigger marks a year stale when a milestone done in it is added, changed
or deleted, and the next page counts that year again. So the page counts only the stale years:
three queries when every year is kept (the rules, the earliest year, the kept years), three
more when a year is counted again (claiming it, counting, keeping it), and one more when a
milestone counted was done without its working days kept.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, JSONField, Min, Q, Value, When

from safeguarding.accounts.models import Partnership
from safeguarding.clock.models import Milestone, MilestoneRule
from safeguarding.core.calendar import working_days_between

from .models import TimelinessYear
from .selectors import FinancialYear


@dataclass(frozen=True)
class YearTimeliness:
    year: FinancialYear
    done: int
    on_time: int
    median_working_days: float | None
    within_extension: int = 0

    @property
    def percent_on_time(self) -> int | None:
        return round(100 * self.on_time / self.done) if self.done else None

    @property
    def percent_within_extension(self) -> int | None:
        return round(100 * self.within_extension / self.done) if self.done else None


@dataclass
class RuleTrend:
    rule: MilestoneRule
    years: list[YearTimeliness]

    @property
    def done(self) -> int:
        return sum(y.done for y in self.years)


def _financial_year(years: list[FinancialYear]):
    """The financial year (its first calendar year) of the day a milestone was done, as ranges
    of dates (an index range in any database, no date function per row)."""
    return Case(
        *[When(done_on__range=(y.start, y.end), then=Value(y.start_year)) for y in years],
        default=Value(0),
        output_field=IntegerField(),
    )


def _median(counts: dict[int, int]) -> float | None:
    """The median of a multiset given as {value: how many times}."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
        if not wanted:
            break
    return sum(found) / len(found)


#: A cell of the counts: (rule id, financial year, working days taken).
Cell = tuple[int, int, int]

#: Late against the first due date but within an agreed extension, with its reason recorded
#: (the board pack's "extensions with a reason", ``figures._extension_measure``).
EXTENDED_WITH_REASON = Q(done_on__gt=F("original_due_on"), done_on__lte=F("due_on")) & ~Q(
    extension_reason=""
)


def _count(done, years: list[FinancialYear]) -> dict[Cell, list[int]]:
    """Milestones done in the given financial years, counted in one query by rule, financial
    year and working days taken: {cell: [done, on time, within extension, extended with a
    reason]}."""
    if not years:
        return {}
    in_years = Q()
    for year in years:
        in_years |= Q(done_on__range=(year.start, year.end))
    done = done.filter(in_years).annotate(financial_year=_financial_year(years))
    counts: dict[Cell, list[int]] = {}
    unkept = False
    for row in (
        done.order_by()
        .values("rule_id", "financial_year", "working_days_taken")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(done_on__lte=F("original_due_on"))),
            within_extension=Count(
                "pk",
                filter=Q(done_on__lte=F("original_due_on")) | Q(done_on__lte=F("due_on")),
            ),
            with_reason=Count("pk", filter=EXTENDED_WITH_REASON),
        )
    ):
        if row["working_days_taken"] is None:
            unkept = True
            continue
        cell = (row["rule_id"], row["financial_year"], row["working_days_taken"])
        counts[cell] = [row["n"], row["on_time"], row["within_extension"], row["with_reason"]]
    if unkept:
        # Milestones done without the working days kept (written straight to the table, not by
        # the clock's service; usually none): read one by one, a query only when there are any.
        for rule_id, year, starts_on, done_on, original_due_on, due_on, reason in done.filter(
            working_days_taken__isnull=True
        ).values_list(
            "rule_id",
            "financial_year",
            "starts_on",
            "done_on",
            "original_due_on",
            "due_on",
            "extension_reason",
        ):
            tally = counts.setdefault(
                (rule_id, year, working_days_between(starts_on, done_on)), [0, 0, 0, 0]
            )
            tally[0] += 1
            tally[1] += done_on <= original_due_on
            tally[2] += done_on <= original_due_on or done_on <= due_on
            tally[3] += original_due_on < done_on <= due_on and reason != ""
    return counts


#: A rule's year: (done, on time, within extension, median working days, extended with a
#: reason).
Figures = tuple[int, int, int, float | None, int]


def _figures(counts: dict[Cell, list[int]]) -> dict[tuple[int, int], Figures]:
    """Each (rule id, financial year)'s totals, and the median read from its counts."""
    totals: defaultdict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    days: defaultdict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for (rule_id, start_year, taken), cell in counts.items():
        key = (rule_id, start_year)
        total = totals[key]
        for i, n in enumerate(cell):
            total[i] += n
        days[key][taken] = days[key].get(taken, 0) + cell[0]
    return {
        key: (done, on_time, within, _median(days[key]), with_reason)
        for key, (done, on_time, within, with_reason) in totals.items()
    }


def _figures_kept_and_current(
    partnership: Partnership, done, years: list[FinancialYear], current: int
) -> dict[tuple[int, int], Figures]:
    """The figures of every year shown: from ``TimelinessYear`` where kept and not stale (a line
    per rule: its totals and median, so a kept year costs the same whatever the number of
    milestones), any year not kept (the current one included) counted now (one query), and
    stored (two writes: claimed, then kept if no milestone of
    theirs changed while they were counted; a database trigger marks a year stale, see
    ``TimelinessYear``)."""
    # The current year is kept too (issue 16): the triggers mark it stale like any other year,
    # so it is counted again on the first request after a milestone done in it changes.
    shown = [y.start_year for y in years if y.start_year <= current]
    kept = {
        row.start_year: row
        for row in TimelinessYear.objects.filter(partnership=partnership, start_year__in=shown)
    }
    figures: dict[tuple[int, int], Figures] = {}
    missing = []
    for start_year in shown:
        row = kept.get(start_year)
        # A line per rule: [rule id, done, on time, within extension, median, extended with a
        # reason]; a year kept in an older shape (without the last) is counted again.
        if (
            row is not None
            and row.stored
            and not row.stale
            and all(len(line) == 6 for line in row.counts)
        ):
            for rule_id, n, on_time, within, median, with_reason in row.counts:
                figures[(rule_id, start_year)] = (n, on_time, within, median, with_reason)
        else:
            missing.append(start_year)
    token = uuid.uuid4().hex
    if missing:
        # Claimed before counting: a milestone changed from here on marks the year stale again
        # (a trigger waits for this row if it is being written), so counts that may miss a
        # change are never kept.
        TimelinessYear.objects.bulk_create(
            [
                TimelinessYear(
                    partnership=partnership, start_year=y, stale=False, stored=False, token=token
                )
                for y in missing
            ],
            update_conflicts=True,
            unique_fields=["partnership", "start_year"],
            update_fields=["stale", "stored", "token"],
        )
    counted = _figures(_count(done, [FinancialYear(y) for y in missing]))
    figures.update(counted)
    if missing:
        per_year: dict[int, list[list]] = {y: [] for y in missing}
        for (rule_id, start_year), line in sorted(counted.items()):
            if start_year in per_year:
                per_year[start_year].append([rule_id, *line])
        TimelinessYear.objects.filter(
            partnership=partnership, start_year__in=missing, token=token, stale=False
        ).update(
            stored=True,
            counts=Case(
                *[
                    When(start_year=y, then=Value(rows, output_field=JSONField()))
                    for y, rows in per_year.items()
                ],
                default=Value([], output_field=JSONField()),
                output_field=JSONField(),
            ),
        )
    return figures


def timeliness_trends(*, partnership: Partnership, today: datetime.date) -> list[RuleTrend]:
    """Every rule of the review types the partnership runs, each with a line per financial
    year from the first milestone done to the current year (oldest first). Three queries when
    every year is kept (the rules, the earliest year, the kept years), three more when a year
    is counted again, whatever the number of milestones."""
    rules = list(
        MilestoneRule.objects.filter(review_type__in=partnership.review_types)
        .select_related("version")
        .order_by("review_type", "rule_id", "version__effective_from", "code")
    )
    done = Milestone.objects.filter(
        partnership=partnership, status=Milestone.Status.DONE, done_on__isnull=False
    )
    current = FinancialYear.containing(today).start_year
    earliest = done.aggregate(first=Min("done_on"))["first"]
    first = FinancialYear.containing(earliest).start_year if earliest else current
    years = [FinancialYear(y) for y in range(first, current + 1)]
    figures = _figures_kept_and_current(partnership, done, years, current)
    trends = []
    for rule in rules:
        lines = []
        for year in years:
            n, on_time, within, median, _reason = figures.get(
                (rule.pk, year.start_year), (0, 0, 0, None, 0)
            )
            lines.append(
                YearTimeliness(
                    year=year,
                    done=n,
                    on_time=on_time,
                    within_extension=within,
                    median_working_days=median,
                )
            )
        trends.append(RuleTrend(rule, lines))
    return trends


def year_by_rule(*, partnership: Partnership, year: FinancialYear) -> dict[int, Figures]:
    """One financial year's timeliness figures, by rule id: kept in ``TimelinessYear`` like the
    trends' years (one query when kept, three more when counted again), so the board pack's
    notification and rapid-review timeliness for a financial year costs the same whatever the
    number of milestones (issue 16)."""
    done = Milestone.objects.filter(
        partnership=partnership, status=Milestone.Status.DONE, done_on__isnull=False
    )
    figures = _figures_kept_and_current(partnership, done, [year], year.start_year)
    return {rule_id: line for (rule_id, _start_year), line in figures.items()}
