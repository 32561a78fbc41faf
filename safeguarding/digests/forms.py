"""Forms for learning digests. The rules (a free number, an open draft) are checked by the
services; the forms check what was typed."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm

from .models import DigestIssue, DigestItem

NUMBER_WIDTH = {"inputmode": "numeric", "class": "govuk-input--width-4"}


class _PeriodForm(GovukForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", "The end of the period must be after its start")
        return cleaned


def _title_field():
    return forms.CharField(
        label="Title",
        max_length=DigestIssue._meta.get_field("title").max_length,
        help_text="For example, ‘Spring 2027: neglect and the voice of the child’",
        error_messages={"required": "Enter a title"},
    )


def _period_fields():
    return (
        GovukDateField(label="Start of the period", help_text="For example, 1 1 2027"),
        GovukDateField(label="End of the period", help_text="For example, 31 3 2027"),
    )


class IssueStartForm(_PeriodForm):
    number = forms.IntegerField(
        label="Issue number",
        min_value=1,
        max_value=9_999,
        help_text="The next number is filled in for you",
        error_messages={
            "required": "Enter the issue number",
            "invalid": "Enter the issue number as digits, for example 4",
            "min_value": "The issue number must be 1 or more",
            "max_value": "The issue number must be 9999 or less",
        },
        widget=forms.TextInput(attrs=NUMBER_WIDTH),
    )
    title = _title_field()
    period_start, period_end = _period_fields()


class IssueDetailsForm(_PeriodForm):
    title = _title_field()
    period_start, period_end = _period_fields()
    introduction = forms.CharField(
        label="Introduction",
        required=False,
        max_length=DigestIssue._meta.get_field("introduction").max_length,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What this issue is about and why it matters to practitioners. Leave a blank "
        "line between paragraphs; start lines with ‘- ’ for a list. Needed before publishing",
    )


class ProposalsForm(GovukForm):
    items = forms.MultipleChoiceField(
        label="Proposed items to add",
        widget=forms.CheckboxSelectMultiple,
        help_text="They are added to the end of the issue. You can reorder and change them",
        error_messages={"required": "Tick at least one item to add"},
    )

    def __init__(self, *args, proposals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(p.key, p.label) for p in proposals]


class ItemForm(GovukForm):
    heading = forms.CharField(
        label="Heading",
        max_length=DigestItem._meta.get_field("heading").max_length,
        error_messages={"required": "Enter a heading"},
    )
    text = forms.CharField(
        label="Text",
        max_length=DigestItem._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Leave a blank line between paragraphs; start lines with ‘- ’ for a list",
        error_messages={"required": "Enter the text"},
    )


class FreeItemForm(ItemForm):
    link = forms.URLField(
        label="Link",
        required=False,
        max_length=DigestItem._meta.get_field("link").max_length,
        assume_scheme="https",
        help_text="A page with more about it, starting https://",
        error_messages={"invalid": "Enter a web address, for example https://www.example.org"},
    )

    def clean_link(self):
        link = self.cleaned_data.get("link", "")
        if link and not link.lower().startswith("https://"):
            raise forms.ValidationError("Enter a web address that starts with https://")
        return link


class MoveForm(GovukForm):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class PublishForm(GovukForm):
    """No fields: the button. Errors from the service are shown at the top."""


class SubscribeForm(GovukForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send you a link to confirm. We use your address only to send the "
        "learning digests",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false"},
        ),
    )
