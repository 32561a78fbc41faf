"""Forms of the records pages. The rules (periods allowed, one hold per case, a received date
not in the future) are in services.py."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm, text_field


class RetentionSettingForm(GovukForm):
    months = forms.IntegerField(
        label="Number of months",
        min_value=1,
        max_value=1_200,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter a number of months",
            "invalid": "Enter a whole number of months, like 24",
            "min_value": "Enter a number of months from 1 to 1,200",
            "max_value": "Enter a number of months from 1 to 1,200",
        },
    )
    enabled = forms.BooleanField(
        label="Apply this rule to our partnership's records",
        required=False,
        help_text="If you switch it off, these records are kept until you switch it on again",
    )

    def __init__(self, *args, record_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].help_text = (
            f"Counted from {record_type.counts_from}. The default is "
            f"{record_type.period_label()}; at least {record_type.minimum_months}"
        )


class HoldForm(GovukForm):
    case_reference = forms.CharField(
        label="Case reference",
        max_length=30,
        help_text="As shown on the case page, for example CS2026-00012",
        error_messages={"required": "Enter the case reference"},
    )
    reason = text_field(
        "Why the case is kept",
        max_length=2_000,
        rows=3,
        help_text="For example, ‘Inquest not yet held’ or ‘Civil claim received 3 March 2027’",
    )


class LiftHoldForm(GovukForm):
    """No fields: lifting a hold is one button."""


class PersonSearchForm(GovukForm):
    name = forms.CharField(
        label="Their name",
        max_length=200,
        help_text="Every word you enter must be in a name that is found, in any order",
        error_messages={"required": "Enter their name"},
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        required=False,
        help_text="Optional. Leaves out identities with another date of birth. For example, "
        "27 3 2007",
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="Optional. Finds their user account, digest subscription and referrals they sent",
        error_messages={
            "invalid": "Enter an email address in the right form, like name@example.org"
        },
    )


class PersonExportForm(GovukForm):
    records = forms.MultipleChoiceField(
        label="Records about this person",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select the records that are about the person the request is for",
        error_messages={"required": "Select the records that are about the person"},
    )
    received_on = GovukDateField(
        label="Date the request was received", help_text="For example, 27 3 2027"
    )
    reason = text_field(
        "Reason for the download",
        max_length=2_000,
        rows=3,
        help_text="For example, ‘Request from the person, identity checked by the information "
        "governance team’. Do not write their name: the reason goes into the audit trail",
    )
    confirmed = forms.BooleanField(
        label="I have checked the identity of the person asking, or their authority to ask "
        "for this person's data",
        error_messages={"required": "Confirm that the identity or authority has been checked"},
    )

    def __init__(self, *args, matches, **kwargs):
        super().__init__(*args, **kwargs)
        self.matches = {m.value: m for m in matches}
        self.fields["records"].choices = [
            (m.value, f"{m.kind_label}: {m.label} — {m.detail}") for m in matches
        ]

    def chosen(self):
        return [self.matches[value] for value in self.cleaned_data["records"]]
