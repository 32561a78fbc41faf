"""Forms for asking agencies and for their returns. They check the shape of the answers; the
rules (due dates, one request per agency and kind, file contents) stay in services.py."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm

from ..models import AgencyRequest


class RequestSendForm(GovukForm):
    agencies = forms.MultipleChoiceField(
        label="Which agencies are you asking?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one agency",
            "invalid_choice": "Select agencies from the list",
        },
    )
    kind = forms.ChoiceField(
        label="What are you asking for?",
        choices=AgencyRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you are asking for",
            "invalid_choice": "Select what you are asking for from the list",
        },
    )
    due_on = GovukDateField(
        label="Due date",
        help_text="For an agency summary, on or before the rapid review deadline",
    )
    instructions = forms.CharField(
        label="Instructions",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the agency should cover. Do not write anyone's real name",
        error_messages={"max_length": "Instructions must be 5,000 characters or fewer"},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {str(a.pk): a for a in agencies}
        self.fields["agencies"].choices = [(pk, a.name) for pk, a in self._agencies.items()]

    def selected_agencies(self):
        return [self._agencies[pk] for pk in self.cleaned_data["agencies"]]


def _text(label: str, required: bool, max_length: int, rows: int = 6, hint: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


ATTACHMENT_HINT = "PDF, Word (.docx), Excel (.xlsx) or OpenDocument text (.odt), up to 20 MB"


class SummaryReturnForm(GovukForm):
    """The agency summary (Individual Agency Summary, §rapid-review)."""

    involvement = _text(
        "Your agency's involvement",
        True,
        20_000,
        8,
        "Who your agency saw, when and why. Use the pseudonyms, not real names",
    )
    went_well = _text("What went well", False, 10_000)
    concerns = _text("Concerns and what could have been done differently", False, 10_000)
    immediate_actions = _text("Immediate actions your agency has taken", False, 10_000, 4)
    attachment = forms.FileField(label="Attach a file", required=False, help_text=ATTACHMENT_HINT)


class ReportReturnForm(GovukForm):
    """An agency report or individual management review (§agency-contributions)."""

    report = _text("Report", False, 100_000, 12, "Write the report here, or attach it below")
    attachment = forms.FileField(
        label="Attach the report", required=False, help_text=ATTACHMENT_HINT
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("report", "").strip() or data.get("attachment")):
            self.add_error("report", "Write the report or attach it")
        return data


def return_form_class(kind: str):
    if kind == AgencyRequest.Kind.AGENCY_SUMMARY:
        return SummaryReturnForm
    if kind == AgencyRequest.Kind.AGENCY_REPORT:
        return ReportReturnForm
    return None
