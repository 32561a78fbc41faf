"""Forms of the yearly reports pages (the services check everything again)."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm

_ADDRESS = forms.URLField(
    label="Web address of the published report",
    required=False,
    max_length=500,
    assume_scheme="https",
    error_messages={"invalid": "Enter a web address like https://www.example.org/report"},
)


class YearlyReportForm(GovukForm):
    kind = forms.ChoiceField(
        label="Report",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the report"},
    )
    start_year = forms.TypedChoiceField(
        label="Year it covers",
        coerce=int,
        error_messages={
            "required": "Choose the year the report covers",
            "invalid_choice": "Choose a year from the list",
        },
    )
    published_on = GovukDateField(
        label="Date it was published", required=False, help_text="For example 30 9 2025"
    )
    web_address = _ADDRESS

    def __init__(self, *args, kinds, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["start_year"].choices = [("", "Choose a year")] + [
            (year, f"April {year} to March {year + 1}") for year in years
        ]


class PublishedForm(GovukForm):
    published_on = GovukDateField(label="Date it was published")
    web_address = _ADDRESS


class SentForm(GovukForm):
    sent_on = GovukDateField(label="Date it was sent")
    name = forms.CharField(
        label="Sent to (name or office)",
        max_length=200,
        required=False,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
