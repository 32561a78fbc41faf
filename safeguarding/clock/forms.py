"""Forms for pausing, resuming and extending a milestone. The rules (only a due milestone can be
paused, a new date must be after the current one) are in services.py."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm
from safeguarding.core.rule_sources import rule_source


class PauseForm(GovukForm):
    reason = forms.CharField(
        label="Why is the clock paused?",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, ‘Police asked us to wait until the criminal trial ends’",
        error_messages={
            "required": "Enter why the milestone is paused",
            "max_length": "Reason must be 2,000 characters or fewer",
        },
    )


class ResumeForm(GovukForm):
    """No fields: resuming is one button."""


class ExtendForm(GovukForm):
    new_due_on = GovukDateField(label="New due date", help_text="For example, 27 3 2027")
    reason = forms.CharField(
        label="Reason for the extension",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="It is recorded with the milestone and in the audit trail",
        error_messages={
            "required": "Enter the reason for the extension",
            "max_length": "Reason must be 2,000 characters or fewer",
        },
    )


class RuleSettingForm(GovukForm):
    offset_amount = forms.IntegerField(
        min_value=1,
        max_value=400,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter a number",
            "invalid": "Enter a whole number, like 6",
            "min_value": "Enter a number from 1 to 400",
            "max_value": "Enter a number from 1 to 400",
        },
    )
    enabled = forms.BooleanField(
        label="Track this deadline for our partnership",
        required=False,
    )

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offset_amount"].label = f"Number of {rule.get_offset_unit_display()}"
        self.fields[
            "offset_amount"
        ].help_text = f"The national default is {rule.offset_label} ({rule_source(rule.rule_id)})"
