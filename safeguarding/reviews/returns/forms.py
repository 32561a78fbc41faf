"""The national return form, built from a scheme's questions (categories.py), and the choice of
financial year for the list and export (a GET form: it works without JavaScript)."""

from django import forms

from safeguarding.core.forms import GovukForm

from .categories import MULTIPLE, NUMBER, Scheme
from .selectors import Year


class NationalReturnForm(GovukForm):
    def __init__(self, *args, scheme: Scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        for question in scheme.questions:
            missing = f"Answer: {question.label[0].lower()}{question.label[1:]}"
            if question.kind == MULTIPLE:
                field: forms.Field = forms.MultipleChoiceField(
                    label=question.label,
                    choices=question.options,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=question.hint,
                    required=question.required,
                    error_messages={
                        "required": missing,
                        "invalid_choice": "Select answers from the list",
                    },
                )
            elif question.kind == NUMBER:
                field = forms.IntegerField(
                    label=question.label,
                    help_text=question.hint,
                    required=question.required,
                    min_value=question.minimum,
                    max_value=question.maximum,
                    widget=forms.TextInput(
                        attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}
                    ),
                    error_messages={
                        "required": missing,
                        "invalid": "Enter a whole number",
                        "min_value": f"Enter a number from {question.minimum} to "
                        f"{question.maximum}",
                        "max_value": f"Enter a number from {question.minimum} to "
                        f"{question.maximum}",
                    },
                )
            else:
                field = forms.ChoiceField(
                    label=question.label,
                    choices=question.options,
                    widget=forms.RadioSelect,
                    help_text=question.hint,
                    required=question.required,
                    error_messages={
                        "required": missing,
                        "invalid_choice": "Select an answer from the list",
                    },
                )
            self.fields[question.code] = field
        self.fields["notes"] = forms.CharField(
            label="Notes for the national body",
            required=False,
            max_length=2_000,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"max_length": "Notes must be 2,000 characters or fewer"},
        )

    def answers(self) -> dict:
        return {
            q.code: self.cleaned_data.get(q.code)
            for q in self.scheme.questions
            if self.cleaned_data.get(q.code) not in (None, "")
        }


class ReturnYearForm(GovukForm):
    year = forms.ChoiceField(
        label="Financial year the reviews were signed off in",
        error_messages={
            "invalid_choice": "Select a financial year from the list",
            "required": "Select a financial year",
        },
    )

    def __init__(self, *args, years: list[Year], default: Year, **kwargs):
        super().__init__(*args, **kwargs)
        self._years = {str(year.start_year): year for year in years}
        self._default = default
        self.fields["year"].choices = [(key, year.label) for key, year in self._years.items()]
        self.fields["year"].initial = str(default.start_year)

    def year_chosen(self) -> Year:
        if not self.is_bound or not self.is_valid():
            return self._default
        return self._years[self.cleaned_data["year"]]
