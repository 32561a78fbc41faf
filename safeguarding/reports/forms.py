"""The annual figures' choice of year (a GET form: it works without JavaScript)."""

from django import forms

from safeguarding.core.forms import GovukForm

from .selectors import FinancialYear


class AnnualYearForm(GovukForm):
    year = forms.ChoiceField(
        label="Financial year",
        error_messages={
            "invalid_choice": "Select a financial year from the list",
            "required": "Select a financial year",
        },
    )

    def __init__(self, *args, years: list[FinancialYear], default: FinancialYear, **kwargs):
        super().__init__(*args, **kwargs)
        self._years = {str(year.start_year): year for year in years}
        self._default = default
        self.fields["year"].choices = [(key, year.label) for key, year in self._years.items()]
        self.fields["year"].initial = str(default.start_year)

    def year_chosen(self) -> FinancialYear:
        if not self.is_bound or not self.is_valid():
            return self._default
        return self._years[self.cleaned_data["year"]]
