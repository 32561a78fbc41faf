"""Forms for the rapid review pages (docs/rules.md §rapid-review). Rules live in services.py."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm

from .services import RECOMMENDATIONS


def _text(label: str, max_length: int, *, required: bool = True, rows: int = 5, hint: str = ""):
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


class OutcomeForm(GovukForm):
    meeting_held_on = GovukDateField(label="Date of the rapid review meeting")
    meeting_attendees = _text(
        "Who attended",
        2_000,
        rows=3,
        hint="Roles and agencies, for example 'Police DI, ICB designated nurse'",
    )
    facts_summary = _text(
        "Summary of the facts",
        20_000,
        rows=8,
        hint="What can be readily established. Use pseudonyms, never real names",
    )
    learning_identified = _text(
        "Learning and good practice identified", 20_000, required=False, rows=6
    )
    recommendation = forms.ChoiceField(
        label="Recommendation",
        choices=[(o.value, o.label) for o in RECOMMENDATIONS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the recommendation",
            "invalid_choice": "Select the recommendation from the list",
        },
    )
    recommendation_rationale = _text("Reasons for the recommendation", 10_000, rows=6)
    national_importance_view = _text(
        "View on national importance",
        5_000,
        required=False,
        rows=3,
        hint="Whether the case may raise issues of national importance for the Panel",
    )


class ImmediateActionForm(GovukForm):
    action = _text("Action taken", 5_000, rows=4)
    agency = forms.ChoiceField(label="Agency", required=False)
    taken_on = GovukDateField(label="Date the action was taken")

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {str(a.pk): a for a in agencies}
        self.fields["agency"].choices = [("", "Not one agency")] + [
            (pk, a.name) for pk, a in self._agencies.items()
        ]

    def selected_agency(self):
        return self._agencies.get(self.cleaned_data.get("agency") or "")


class PanelSubmissionForm(GovukForm):
    submitted_on = GovukDateField(label="Date sent to the National Panel")


class PanelResponseForm(GovukForm):
    responded_on = GovukDateField(label="Date of the Panel's response")
    response = _text("What the Panel said", 10_000, rows=6)
