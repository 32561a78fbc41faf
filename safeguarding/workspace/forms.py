"""The search form of the list of cases and reviews (a GET form: works without JavaScript)."""

import datetime

from django import forms

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.core.forms import GovukDateField, GovukForm
from safeguarding.referrals.models import Status
from safeguarding.reviews.case_selectors import CaseSearch
from safeguarding.reviews.models import Review

OVERDUE = "overdue"


class CaseSearchForm(GovukForm):
    text = forms.CharField(
        label="Reference or pseudonym",
        required=False,
        max_length=100,
        help_text="A case, review or referral reference, or the pseudonym a case is known by",
    )
    review_type = forms.ChoiceField(
        label="Review type",
        required=False,
        error_messages={"invalid_choice": "Select a review type from the list"},
    )
    case_status = forms.ChoiceField(
        label="Case status",
        required=False,
        choices=[("", "All case statuses")]
        + [(s.value, s.label) for s in Status if s != Status.NEW],
        error_messages={"invalid_choice": "Select a case status from the list"},
    )
    review_stage = forms.ChoiceField(
        label="Review stage",
        required=False,
        choices=[("", "All review stages"), *Review.Stage.choices],
        error_messages={"invalid_choice": "Select a review stage from the list"},
    )
    agency = forms.ChoiceField(
        label="Agency involved",
        required=False,
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    deadlines = forms.ChoiceField(
        label="Deadlines",
        required=False,
        choices=[("", "Any"), (OVERDUE, "A deadline is overdue")],
        error_messages={"invalid_choice": "Select from the list"},
    )
    aware_from = GovukDateField(
        label="Became aware on or after", required=False, help_text="For example, 1 4 2026"
    )
    aware_to = GovukDateField(
        label="Became aware on or before", required=False, help_text="For example, 31 3 2027"
    )

    def __init__(self, *args, partnership: Partnership, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_type"].choices = [("", "All review types")] + [
            (t.value, t.label) for t in partnership.review_types
        ]
        self._agencies = {str(a.pk): a for a in agencies}
        self.fields["agency"].choices = [("", "All agencies")] + [
            (pk, agency.name) for pk, agency in self._agencies.items()
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("aware_from"), data.get("aware_to")
        if start and end and start > end:
            self.add_error(
                "aware_to", "Became aware on or before must be the same as or after the first date"
            )
        return data

    def search(self, *, today: datetime.date) -> CaseSearch:
        """What to search for (nothing narrowed when the form is unbound or invalid)."""
        if not self.is_bound or not self.is_valid():
            return CaseSearch()
        data = self.cleaned_data
        return CaseSearch(
            text=data["text"],
            review_type=data["review_type"],
            case_status=data["case_status"],
            review_stage=data["review_stage"],
            agency=self._agencies.get(data["agency"]),
            aware_from=data["aware_from"],
            aware_to=data["aware_to"],
            overdue=data["deadlines"] == OVERDUE,
            today=today,
        )
