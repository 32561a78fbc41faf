from django import forms

from safeguarding.accounts.models import Partnership
from safeguarding.core.forms import GovukForm
from safeguarding.core.uploads import DOCX, ODT, PDF, XLSX, validate_upload

from .models import PublicDocument

ACCEPTED_DOCUMENT_KINDS = (PDF, DOCX, XLSX, ODT)


def _review_type_choices(partnership: Partnership, blank_label: str):
    return [("", blank_label)] + [(t.value, t.label) for t in partnership.review_types]


class ContentBlockForm(GovukForm):
    heading = forms.CharField(
        label="Heading",
        max_length=120,
        error_messages={
            "required": "Enter a heading",
            "max_length": "Heading must be 120 characters or fewer",
        },
    )
    body = forms.CharField(
        label="Text",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Plain text. Leave a blank line between paragraphs. Start a line with "
        "a dash and a space (- ) to make a bulleted list",
        error_messages={
            "required": "Enter the text of the section",
            "max_length": "Text must be 10,000 characters or fewer",
        },
    )
    review_type = forms.ChoiceField(label="Review type", required=False)
    position = forms.IntegerField(
        label="Position on the page",
        min_value=0,
        max_value=999,
        help_text="Sections are shown in this order, lowest first",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter a position, for example 10",
            "invalid": "Position must be a whole number",
            "min_value": "Position must be 0 or more",
            "max_value": "Position must be 999 or less",
        },
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_type"].choices = _review_type_choices(partnership, "All review types")


class DocumentUploadForm(GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="As it will appear on the public page, for example "
        "'Safeguarding Adults Review procedure'",
        error_messages={
            "required": "Enter a title",
            "max_length": "Title must be 200 characters or fewer",
        },
    )
    category = forms.ChoiceField(
        label="What kind of document is it?",
        choices=PublicDocument.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of document it is"},
    )
    review_type = forms.ChoiceField(label="Review type", required=False)
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word (.docx), Excel (.xlsx) or OpenDocument text (.odt), up to 20 MB",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_type"].choices = _review_type_choices(partnership, "All review types")
        self.kind = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.kind = validate_upload(uploaded, allowed=ACCEPTED_DOCUMENT_KINDS)
        return uploaded


class DocumentFilterForm(GovukForm):
    """The public documents page's filter (GET): one category or every document."""

    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "All documents"), *PublicDocument.Category.choices],
        error_messages={"invalid_choice": "Select a category from the list"},
    )
