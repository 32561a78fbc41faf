"""Timeliness across the years for every milestone rule (issue 17): for each rule of the clock
(one per guidance version, ADR 0018) and each financial year, the milestones done in that year,
the share done on time and the median working days from start to done.

A milestone is counted in the financial year of the day it was done. It is on time when done on
or before the due date the rule first set (``original_due_on``: an extension does not make it
on time). Working days come from the clock's calendar (``core.calendar``: weekends and bank
holidays in England). Two queries, whatever the number of milestones.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

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

    @property
    def percent_on_time(self) -> int | None:
        return round(100 * self.on_time / self.done) if self.done else None


@dataclass
class RuleTrend:
    rule: MilestoneRule
    years: list[YearTimeliness]

    @property
    def done(self) -> int:
        return sum(y.done for y in self.years)


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
    ).values_list("rule_id", "starts_on", "done_on", "original_due_on")
    cells: defaultdict[tuple[int, int], list[tuple[bool, int]]] = defaultdict(list)
    for rule_id, starts_on, done_on, due_on in done:
        year = FinancialYear.containing(done_on).start_year
        cells[(rule_id, year)].append((done_on <= due_on, working_days_between(starts_on, done_on)))
    current = FinancialYear.containing(today).start_year
    first = min((year for _rule, year in cells), default=current)
    years = [FinancialYear(y) for y in range(first, current + 1)]
    trends = []
    for rule in rules:
        lines = []
        for year in years:
            cell = cells.get((rule.pk, year.start_year), [])
            lines.append(
                YearTimeliness(
                    year=year,
                    done=len(cell),
                    on_time=sum(1 for on_time, _ in cell if on_time),
                    median_working_days=statistics.median(d for _, d in cell) if cell else None,
                )
            )
        trends.append(RuleTrend(rule, lines))
    return trends
