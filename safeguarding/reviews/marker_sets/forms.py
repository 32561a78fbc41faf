"""Forms for a partnership's own marker sets (checked again by the services)."""

from django import forms

from safeguarding.core.forms import GovukForm

from .services import KINDS


class MarkerSetForm(GovukForm):
    name = forms.CharField(
        label="Name of the marker set",
        help_text="For example, the regional SAR quality markers",
        max_length=200,
        error_messages={
            "required": "Enter the name of the marker set",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    review_kinds = forms.MultipleChoiceField(
        label="Which reviews may be assessed against it?",
        choices=KINDS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "required": "Select the review types the set applies to",
            "invalid_choice": "Select review types from the list",
        },
    )
    source = forms.URLField(
        label="Where the set is published",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a web address starting with https://",
            "max_length": "The web address must be 500 characters or fewer",
        },
    )
    note = forms.CharField(
        label="Note shown to those assessing",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class MarkerForm(GovukForm):
    stage = forms.CharField(
        label="Stage",
        help_text="Markers of the same stage are shown together, for example 'Running'",
        required=False,
        max_length=100,
        error_messages={"max_length": "The stage must be 100 characters or fewer"},
    )
    title = forms.CharField(
        label="Marker",
        max_length=300,
        error_messages={
            "required": "Enter the marker",
            "max_length": "The marker must be 300 characters or fewer",
        },
    )
    guidance = forms.CharField(
        label="Guidance",
        help_text="What meeting the marker looks like",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The guidance must be 2,000 characters or fewer"},
    )
