"""Forms for the business unit's referral and case pages. They check the shape of the answers;
the rules (dates against the case, who may sign, which outcomes a type allows) stay in
services.py, whose ServiceError the views show on the matching field."""

from django import forms

from safeguarding.accounts.models import Agency, Partnership, ReviewType
from safeguarding.core.forms import GovukDateField, GovukForm

from . import screening
from .models import OUTCOMES_BY_TYPE, AgeGroup, Case, Disagreement, Notification, Status, Track

NOT_KNOWN = "not_known"


def _review_type_choices(partnership: Partnership) -> list[tuple[str, str]]:
    return [(t.value, t.label) for t in partnership.review_types]


# Triage ----------------------------------------------------------------------------------------


class TriageFilterForm(GovukForm):
    """The filters of the triage list (a GET form: works without JavaScript)."""

    review_type = forms.ChoiceField(
        label="Review type",
        required=False,
        error_messages={"invalid_choice": "Select a review type from the list"},
    )
    age_group = forms.ChoiceField(
        label="Age group",
        required=False,
        choices=[("", "All age groups"), *AgeGroup.choices],
        error_messages={"invalid_choice": "Select an age group from the list"},
    )
    agency = forms.ChoiceField(
        label="Agency involved",
        required=False,
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *Status.choices],
        error_messages={"invalid_choice": "Select a status from the list"},
    )

    def __init__(self, *args, partnership: Partnership, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_type"].choices = [
            ("", "All review types"),
            *_review_type_choices(partnership),
        ]
        self._agencies = {str(a.pk): a for a in agencies}
        self.fields["agency"].choices = [("", "All agencies")] + [
            (pk, agency.name) for pk, agency in self._agencies.items()
        ]

    def filters(self) -> dict:
        """The selector's keyword arguments (empty when the form is unbound or invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "review_type": data["review_type"],
            "age_group": data["age_group"],
            "agency": self._agencies.get(data["agency"]),
            "status": data["status"],
        }


# Cases -----------------------------------------------------------------------------------------


class OpenCaseForm(GovukForm):
    pseudonym = forms.CharField(
        label="Pseudonym for the case",
        max_length=60,
        help_text="How the case is named everywhere instead of the person's real name, for "
        "example ‘Child A’ or ‘Adult B’",
        error_messages={
            "required": "Enter a pseudonym for the case, for example ‘Child A’",
            "max_length": "Pseudonym must be 60 characters or fewer",
        },
    )


class LinkCaseForm(GovukForm):
    case = forms.ChoiceField(
        label="Which case is this referral about?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the case this referral is about",
            "invalid_choice": "Select one of the open cases listed",
        },
    )

    def __init__(self, *args, cases: list[Case], **kwargs):
        super().__init__(*args, **kwargs)
        self._cases = {str(case.pk): case for case in cases}
        self.fields["case"].choices = [
            (pk, f"{case.reference}: {case.pseudonym} (aware {case.became_aware_on:%-d %B %Y})")
            for pk, case in self._cases.items()
        ]

    @property
    def selected_case(self) -> Case:
        return self._cases[self.cleaned_data["case"]]


NOT_AN_AGENCY = "none"


class SourceAgencyForm(GovukForm):
    """Which of the partnership's agencies the referral came from (issue 17)."""

    agency = forms.ChoiceField(
        label="Which agency did the referral come from?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the agency the referral came from, or that it is not one of "
            "the partnership's agencies",
            "invalid_choice": "Select one of the agencies listed",
        },
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {str(agency.pk): agency for agency in agencies}
        self.fields["agency"].choices = [
            *((pk, agency.name) for pk, agency in self._agencies.items()),
            (NOT_AN_AGENCY, "Not one of the partnership's agencies"),
        ]

    @property
    def selected_agency(self) -> Agency | None:
        return self._agencies.get(self.cleaned_data["agency"])


# Screening -------------------------------------------------------------------------------------

_YES_NO = [("yes", "Yes"), ("no", "No"), (NOT_KNOWN, "Not known")]
_TO_BOOL = {"yes": True, "no": False}
_FROM_BOOL = {True: "yes", False: "no"}


class ScreeningFactsForm(GovukForm):
    """One question per screening fact (screening.FACT_LABELS), each optional with a 'Not
    known' answer: a missing fact leaves the test undecided rather than failed."""

    def __init__(self, *args, facts: dict | None = None, **kwargs):
        facts = facts or {}
        super().__init__(*args, **kwargs)
        initial = self.initial
        for name in screening.FACT_NAMES:
            label = screening.FACT_LABELS[name]
            value = facts.get(name)
            if name in screening.NUMBER_FACTS:
                self.fields[name] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=screening.MAX_AGE,
                    help_text="In whole years. Enter 0 for a baby under 1. Leave empty if not "
                    "known",
                    widget=forms.TextInput(
                        attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}
                    ),
                    error_messages={
                        "invalid": "Age must be a whole number of years, for example 15",
                        "min_value": "Age must be 0 or more",
                        "max_value": f"Age must be {screening.MAX_AGE} or less",
                    },
                )
                initial[name] = int(value) if isinstance(value, int | float) else None
            elif name in screening.BOOLEAN_FACTS:
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=_YES_NO,
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": "Select yes, no or not known"},
                )
                initial[name] = _FROM_BOOL.get(value, NOT_KNOWN)
            else:
                labels = screening.CHOICE_LABELS[name]
                # "unknown" (harmed_by) and "not known" mean the same to the tests.
                choices = [(v, labels[v]) for v in screening.CHOICE_FACTS[name] if v != "unknown"]
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[*choices, (NOT_KNOWN, "Not known")],
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": "Select one of the answers, or not known"},
                )
                initial[name] = value if value in labels and value != "unknown" else NOT_KNOWN

    def facts(self) -> dict:
        """The answers as screening facts (None for not known), for services.case_save_facts."""
        facts = {}
        for name in screening.FACT_NAMES:
            value = self.cleaned_data.get(name)
            if name in screening.NUMBER_FACTS:
                facts[name] = value
            elif name in screening.BOOLEAN_FACTS:
                facts[name] = _TO_BOOL.get(value)
            else:
                facts[name] = value if value and value != NOT_KNOWN else None
        return facts

    def add_screening_problems(self, problems) -> None:
        """Put each of ScreeningFactsError.problems on the field it names."""
        for problem in problems:
            name = problem.split(" ", 1)[0]
            self.add_error(name if name in self.fields else None, problem)


class SendForDecisionForm(GovukForm):
    review_types = forms.MultipleChoiceField(
        label="Which review types must the decision makers decide?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Ticked where the screening says the test is met, or cannot be decided yet. "
        "One case can lead to more than one review",
        error_messages={
            "required": "Select at least one review type to decide",
            "invalid_choice": "Select review types from the list",
        },
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_types"].choices = choices


# Decisions -------------------------------------------------------------------------------------


class DecisionForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the outcome of the decision",
            "invalid_choice": "Select one of the outcomes listed",
        },
    )
    rationale = forms.CharField(
        label="Reasons for the decision",
        max_length=10_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The reasons the decision makers agreed, in plain English. They are shown to "
        "every signatory",
        error_messages={
            "required": "Enter the reasons for the decision",
            "max_length": "Reasons must be 10,000 characters or fewer",
        },
    )
    decided_on = GovukDateField(label="Date of the decision", help_text="For example, 27 3 2026")

    def __init__(self, *args, track: Track, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (outcome.value, outcome.label) for outcome in OUTCOMES_BY_TYPE[track.review_type]
        ]


class DisagreementForm(GovukForm):
    """A decision maker declines to sign or disagrees, with a reason for the business unit."""

    kind = forms.ChoiceField(
        label="What do you want to tell the business unit?",
        widget=forms.RadioSelect,
        choices=[
            (Disagreement.Kind.DISAGREED, "I disagree with the decision or its reasons"),
            (
                Disagreement.Kind.DECLINED,
                "I decline to sign it (for example, I need more information or I have a "
                "conflict of interest)",
            ),
        ],
        error_messages={
            "required": "Select whether you disagree or decline to sign",
            "invalid_choice": "Select whether you disagree or decline to sign",
        },
    )
    reason = forms.CharField(
        label="Your reason",
        max_length=5_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The business unit reads it and takes it to the partnership's escalation "
        "arrangements. Use the case's pseudonym, not real names",
        error_messages={
            "required": "Enter your reason",
            "max_length": "Your reason must be 5,000 characters or fewer",
        },
    )


class DisagreementResolveForm(GovukForm):
    """How a disagreement was resolved through the partnership's escalation arrangements."""

    resolved_by = forms.CharField(
        label="Who resolved it?",
        max_length=300,
        strip=True,
        help_text="For example, 'The three lead safeguarding partners at their meeting' or "
        "'The independent chair'",
        error_messages={
            "required": "Enter who resolved the disagreement",
            "max_length": "Who resolved it must be 300 characters or fewer",
        },
    )
    resolution = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        choices=Disagreement.Resolution.choices,
        error_messages={
            "required": "Select the outcome of the escalation",
            "invalid_choice": "Select the outcome of the escalation",
        },
    )
    reason = forms.CharField(
        label="Reasons for the outcome",
        max_length=5_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter the reasons for the outcome",
            "max_length": "Reasons must be 5,000 characters or fewer",
        },
    )
    resolved_on = GovukDateField(label="Date it was resolved", help_text="For example, 27 3 2026")


class SignatoryReplaceForm(GovukForm):
    """The business unit replaces a decision's signatory who has left (ADR 0019)."""

    decision_maker = forms.ModelChoiceField(
        label="Who signs instead?",
        queryset=None,
        widget=forms.RadioSelect,
        help_text="One of the decision makers named now for this review type",
        error_messages={
            "required": "Select who signs instead",
            "invalid_choice": "Select who signs instead",
        },
    )
    reason = forms.CharField(
        label="Why are they being replaced?",
        max_length=5_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, 'Left the police force on 30 November; the new lead signs'",
        error_messages={
            "required": "Enter why the signatory is being replaced",
            "max_length": "The reason must be 5,000 characters or fewer",
        },
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["decision_maker"]
        field.queryset = choices
        field.label_from_instance = lambda maker: (
            f"{maker.user.full_name or maker.user.email} ({maker.capacity})"
        )


# Notifications ---------------------------------------------------------------------------------


class NotificationForm(GovukForm):
    recipient = forms.ChoiceField(
        label="Who was notified?",
        widget=forms.RadioSelect,
        choices=Notification.Recipient.choices,
        error_messages={
            "required": "Select who was notified",
            "invalid_choice": "Select who was notified",
        },
    )
    sent_on = GovukDateField(label="Date sent", help_text="For example, 27 3 2026")
    reference = forms.CharField(
        label="Their reference",
        required=False,
        max_length=100,
        help_text="For example, the notification number the Panel's system gave",
        error_messages={"max_length": "Reference must be 100 characters or fewer"},
    )

    def __init__(self, *args, recipients: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if recipients is not None:  # a partner records those of the track it decides only
            field = self.fields["recipient"]
            field.choices = [c for c in Notification.Recipient.choices if c[0] in recipients]


class BecameAwareForm(GovukForm):
    became_aware_on = GovukDateField(
        label="Date the partnership became aware",
        help_text="Day 0 of the statutory clock. For example, 27 3 2026",
    )
    reason = forms.CharField(
        label="How do you know this date?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, 'Children's services were told by the hospital on this date'",
        error_messages={
            "required": "Enter how you know the date",
            "max_length": "Reason must be 500 characters or fewer",
        },
    )


# Sharing a case with another partnership (ADR 0022) ------------------------------------------


class CaseShareForm(GovukForm):
    """The owner's business unit offers the case to another partnership, saying what it
    grants. Which combinations are allowed is checked by share_services.case_share_invite."""

    partner = forms.ModelChoiceField(
        label="Partnership to share the case with",
        queryset=Partnership.objects.none(),
        empty_label="Choose a partnership",
        error_messages={
            "required": "Choose the partnership to share the case with",
            "invalid_choice": "Choose a partnership from the list",
        },
    )
    role = forms.ChoiceField(
        label="Its role in the case",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the partnership's role in the case",
            "invalid_choice": "Select the partnership's role in the case",
        },
    )
    decides_review_type = forms.ChoiceField(
        label="Does it decide one of the review types?",
        widget=forms.RadioSelect,
        required=False,
        help_text="Its business unit records that decision and its own decision makers sign "
        "it, for example the community safety partnership for a Domestic Homicide Review. It "
        "then takes part in the review, and its decision makers sign it off too",
        error_messages={"invalid_choice": "Select a review type from the list"},
    )
    grants_review = forms.BooleanField(
        label="It takes part in the review: its business unit and partner leads read the review "
        "and its chronology",
        required=False,
    )
    grants_publication = forms.BooleanField(
        label="The published review is listed on its public page too",
        required=False,
    )
    note = forms.CharField(
        label="Message to its business unit",
        required=False,
        max_length=2_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Use the case's pseudonym, not real names",
        error_messages={"max_length": "The message must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, partners, **kwargs):
        from .models import CaseShare

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["role"].choices = CaseShare.Role.choices
        self.fields["decides_review_type"].choices = [
            ("", "No, it does not decide a review type"),
            *[(t.value, t.label) for t in ReviewType],
        ]


class CaseShareAnswerForm(GovukForm):
    """The partner's business unit accepts or declines a case offered to it."""

    answer = forms.ChoiceField(
        label="Does your partnership accept the case?",
        widget=forms.RadioSelect,
        choices=[("accept", "Yes, accept it"), ("decline", "No, decline it")],
        error_messages={
            "required": "Select whether your partnership accepts the case",
            "invalid_choice": "Select whether your partnership accepts the case",
        },
    )
    reason = forms.CharField(
        label="If you decline, why?",
        required=False,
        max_length=2_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The other partnership's business unit is told",
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == "decline" and not cleaned.get("reason"):
            self.add_error("reason", "Enter why your partnership declines")
        return cleaned


class CaseShareEndForm(GovukForm):
    reason = forms.CharField(
        label="Why does the share end?",
        max_length=2_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The other partnership's business unit is told",
        error_messages={
            "required": "Enter why the share ends",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
