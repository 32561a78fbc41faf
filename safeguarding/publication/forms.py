from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm


class NationalReviewForm(GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=300,
        error_messages={
            "required": "Enter the title of the national review",
            "max_length": "Title must be 300 characters or fewer",
        },
    )
    published_on = GovukDateField(label="Date published", help_text="For example, 27 3 2025")
    url = forms.URLField(
        label="Web address",
        max_length=500,
        assume_scheme="https",
        help_text="Where the Panel published it, starting https://",
        error_messages={
            "required": "Enter the web address",
            "invalid": "Enter a web address in the correct format, like https://www.gov.uk/…",
        },
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A sentence or two on what it is about",
        error_messages={"max_length": "Summary must be 2,000 characters or fewer"},
    )
