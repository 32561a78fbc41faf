"""The period a board's figures cover: a financial year (1 April to 31 March, the default) or any
two dates (ADR: how figures are defined). A record is in the period when the date that defines
its figure falls on or between the first and last day, both included, in local time."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from safeguarding.core.forms import GovukDateField, GovukForm

from .selectors import FinancialYear


@dataclass(frozen=True)
class Period:
    """Any run of days, first and last included. Has the attributes of a ``FinancialYear`` that
    the selectors read (``start``, ``end``, ``starts_at``, ``ends_before``, ``label``), so the
    annual implementation figures (R24) work over either."""

    start: datetime.date
    end: datetime.date
    financial_year: int | None = None  # the financial year it is, if it is one

    @classmethod
    def of_year(cls, year: FinancialYear) -> "Period":
        return cls(year.start, year.end, year.start_year)

    @property
    def label(self) -> str:
        if self.financial_year is not None:
            return FinancialYear(self.financial_year).label
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def short_label(self) -> str:
        if self.financial_year is not None:
            return FinancialYear(self.financial_year).short_label
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"

    @property
    def slug(self) -> str:
        """For file names."""
        if self.financial_year is not None:
            return f"{self.financial_year}-{(self.financial_year + 1) % 100:02d}"
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def _midnight(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    @property
    def starts_at(self) -> datetime.datetime:
        return self._midnight(self.start)

    @property
    def ends_before(self) -> datetime.datetime:
        """The first moment after the period (midnight after its last day, local time)."""
        return self._midnight(self.end + datetime.timedelta(days=1))

    def query(self) -> str:
        """The query string that chooses this period again (for links and downloads)."""
        if self.financial_year is not None:
            return f"year={self.financial_year}"
        return (
            f"year=custom&date_from_0={self.start.day}&date_from_1={self.start.month}"
            f"&date_from_2={self.start.year}&date_to_0={self.end.day}"
            f"&date_to_1={self.end.month}&date_to_2={self.end.year}"
        )


CUSTOM = "custom"
LONGEST_DAYS = 366 * 10  # ten years: longer is a mistake, and the lists behind would be long


class PeriodForm(GovukForm):
    """A GET form (it works without JavaScript): a financial year from the list, or "other
    dates" with the first and last day as GOV.UK date inputs."""

    year = forms.ChoiceField(
        label="Period",
        error_messages={
            "invalid_choice": "Select a financial year from the list, or other dates",
            "required": "Select a financial year, or other dates",
        },
    )
    date_from = GovukDateField(label="From", required=False, help_text="For example, 1 4 2025")
    date_to = GovukDateField(label="To", required=False, help_text="For example, 31 3 2026")

    def __init__(self, *args, years: list[FinancialYear], default: FinancialYear, **kwargs):
        super().__init__(*args, **kwargs)
        self._years = {str(year.start_year): year for year in years}
        self._default = default
        self.fields["year"].choices = [
            *((key, year.label) for key, year in self._years.items()),
            (CUSTOM, "Other dates"),
        ]
        self.fields["year"].initial = str(default.start_year)

    def clean(self):
        data = super().clean()
        if data.get("year") != CUSTOM:
            return data
        first, last = data.get("date_from"), data.get("date_to")
        if "date_from" not in self.errors and first is None:
            self.add_error("date_from", "Enter the first day of the period")
        if "date_to" not in self.errors and last is None:
            self.add_error("date_to", "Enter the last day of the period")
        if first and last:
            if last < first:
                self.add_error("date_to", "The last day must be the same as or after the first")
            elif (last - first).days > LONGEST_DAYS:
                self.add_error("date_to", "The period must be 10 years or shorter")
        return data

    def period(self) -> Period:
        """The period chosen; the default financial year if nothing valid was chosen."""
        if not self.is_bound or not self.is_valid():
            return Period.of_year(self._default)
        if self.cleaned_data["year"] == CUSTOM:
            return Period(self.cleaned_data["date_from"], self.cleaned_data["date_to"])
        return Period.of_year(self._years[self.cleaned_data["year"]])
