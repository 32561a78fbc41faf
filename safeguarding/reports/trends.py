"""Timeliness across the years for every milestone rule (issue 17): for each rule of the clock
(one per guidance version, ADR 0018) and each financial year, the milestones done in that year,
the share done on time and the median working days from start to done.

A milestone is counted in the financial year of the day it was done. The headline is on time
against the due date the rule first set (``original_due_on``); beside it, within the agreed
extension (done by the due date as extended, ``due_on``), never in place of it (ADR 0026).
Working days come from the clock's calendar (``core.calendar``: weekends and bank holidays in
England), kept on the milestone when it is done (``working_days_taken``).

Counted in the database, grouped by rule, financial year and working days taken: four queries
(the rules, the earliest year, the counts, and any milestone done without its working days
kept), whatever the number of milestones; no row per milestone comes back (the medians are read
from a count of each number of working days).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When

from safeguarding.accounts.models import Partnership
from safeguarding.clock.models import Milestone, MilestoneRule
from safeguarding.core.calendar import working_days_between

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


def timeliness_trends(*, partnership: Partnership, today: datetime.date) -> list[RuleTrend]:
    """Every rule of the review types the partnership runs, each with a line per financial
    year from the first milestone done to the current year (oldest first)."""
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
    done = done.filter(done_on__lte=years[-1].end).annotate(financial_year=_financial_year(years))
    # One pass over the milestones: counted by rule, financial year and working days taken;
    # the totals are the sums of a rule's year, the medians read from the counts.
    totals: defaultdict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    days: defaultdict[tuple[int, int], dict[int, int]] = defaultdict(dict)
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
        )
    ):
        cell = (row["rule_id"], row["financial_year"])
        totals[cell].update({key: row[key] for key in ("n", "on_time", "within_extension")})
        if row["working_days_taken"] is not None:
            days[cell][row["working_days_taken"]] = row["n"]
    # Milestones done without the working days kept (written straight to the table, not by the
    # clock's service): counted here, usually none.
    for rule_id, year, starts_on, done_on in done.filter(
        working_days_taken__isnull=True
    ).values_list("rule_id", "financial_year", "starts_on", "done_on"):
        cell = days[(rule_id, year)]
        taken = working_days_between(starts_on, done_on)
        cell[taken] = cell.get(taken, 0) + 1
    trends = []
    for rule in rules:
        lines = []
        for year in years:
            row = totals.get((rule.pk, year.start_year))
            lines.append(
                YearTimeliness(
                    year=year,
                    done=row["n"] if row else 0,
                    on_time=row["on_time"] if row else 0,
                    within_extension=row["within_extension"] if row else 0,
                    median_working_days=_median(days.get((rule.pk, year.start_year), {})),
                )
            )
        trends.append(RuleTrend(rule, lines))
    return trends
