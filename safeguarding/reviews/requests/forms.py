"""Forms for asking agencies and for their returns. They check the shape of the answers; the
rules (due dates, one request per agency and kind, file contents) stay in services.py."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm

from ..models import AgencyRequest, AgencyReturn


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

    def __init__(self, *args, agencies, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {str(a.pk): a for a in agencies}
        self.fields["agencies"].choices = [(pk, a.name) for pk, a in self._agencies.items()]
        if kinds is not None:  # a partner's agency is asked for what it can return (ADR 0022)
            self.fields["kind"].choices = [
                c for c in AgencyRequest.Kind.choices if c[0] in set(kinds)
            ]

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


# The business unit: returns sent outside the service, closing and re-addressing, bulk chasing


class RecordReturnForm(GovukForm):
    """A return the agency sent by email, by post, by hand or at a meeting, recorded by the
    business unit on its behalf. The fields of the return itself are added for the request's
    kind (``record_return_form``)."""

    received_from_name = forms.CharField(
        label="Who at the agency sent it",
        max_length=200,
        help_text="Their name as it appears on the email or letter",
        error_messages={
            "required": "Enter who at the agency sent it",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    received_from_role = forms.CharField(
        label="Their role",
        required=False,
        max_length=200,
        error_messages={"max_length": "The role must be 200 characters or fewer"},
    )
    received_from_email = forms.EmailField(
        label="Their email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    received_via = forms.ChoiceField(
        label="How did it arrive?",
        choices=AgencyReturn.ReceivedVia.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the return arrived",
            "invalid_choice": "Select how the return arrived from the list",
        },
    )
    received_on = GovukDateField(label="Date it arrived", help_text="For example, 27 3 2026")


def record_return_form(kind: str):
    """The form for recording a return of ``kind`` on an agency's behalf."""
    attachment_label = "Attach what the agency sent"
    if kind == AgencyRequest.Kind.AGENCY_SUMMARY:
        extra = {
            "involvement": _text(
                "The agency's involvement",
                False,
                20_000,
                6,
                "Type it from what the agency sent, or leave it empty and attach the summary "
                "below. Use the pseudonyms, not real names",
            ),
            "went_well": _text("What went well", False, 10_000, 4),
            "concerns": _text(
                "Concerns and what could have been done differently", False, 10_000, 4
            ),
            "immediate_actions": _text("Immediate actions the agency has taken", False, 10_000, 4),
        }
        required = False
    elif kind == AgencyRequest.Kind.AGENCY_REPORT:
        extra = {"report": _text("Report", False, 100_000, 8, "Type it here, or attach it below")}
        required = False
    else:
        extra = {}
        required = True
        attachment_label = "Attach the chronology the agency sent"
    extra["attachment"] = forms.FileField(
        label=attachment_label,
        required=required,
        help_text=f"A scan of a paper return is fine. {ATTACHMENT_HINT}",
        error_messages={"required": "Attach the chronology"},
    )
    return type("RecordReturnForm", (RecordReturnForm,), extra)


REASON_HINT = "The agency's contributors are told this reason. Do not write anyone's real name"


def _reason_field():
    field = _text("Reason", True, 2_000, 3, REASON_HINT)
    field.error_messages["required"] = "Enter the reason"
    return field


class CloseRequestForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What has happened?",
        choices=[
            (
                AgencyRequest.Closure.NOTHING_TO_RETURN,
                "The agency has nothing to return (for example, it had no involvement)",
            ),
            (AgencyRequest.Closure.CANCELLED, "The request is no longer needed: cancel it"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what has happened",
            "invalid_choice": "Select what has happened from the list",
        },
    )
    reason = _reason_field()


class ReaddressRequestForm(GovukForm):
    agency = forms.ChoiceField(
        label="Which agency should be asked instead?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the agency to ask instead",
            "invalid_choice": "Select an agency from the list",
        },
    )
    due_on = GovukDateField(label="Due date")
    reason = _reason_field()

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {str(a.pk): a for a in agencies}
        self.fields["agency"].choices = [(pk, a.name) for pk, a in self._agencies.items()]

    def selected_agency(self):
        return self._agencies[self.cleaned_data["agency"]]


class ChaseOverdueForm(GovukForm):
    requests = forms.MultipleChoiceField(
        label="Which overdue requests do you want to chase?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Each agency's contributors get one reminder by email",
        error_messages={
            "required": "Select at least one overdue request to chase",
            "invalid_choice": "Select overdue requests from the list",
        },
    )

    def __init__(self, *args, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self._requests = {str(r.pk): r for r in requests}
        self.fields["requests"].choices = [
            (
                pk,
                f"{r.agency.name}: {r.get_kind_display().lower()}, due {r.due_on:%-d %B %Y}",
            )
            for pk, r in self._requests.items()
        ]

    def selected_requests(self):
        return [self._requests[pk] for pk in self.cleaned_data["requests"]]
