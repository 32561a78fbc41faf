"""Forms for the action plan pages. They check the shape of the answers; the rules (dates after
the review started, evidence before completion, a reason for not implementing) live in
services.py, whose ServiceError the views show on the matching field."""

from django import forms

from safeguarding.accounts.models import Agency
from safeguarding.accounts.selectors import agency_list_for_partnership
from safeguarding.core.forms import GovukDateField, GovukForm, text_field
from safeguarding.reviews.models import Finding

from .models import Action, Recommendation, Theme


def _text(label: str, *, max_length: int = 5_000, rows: int = 4, **kw):
    return text_field(label, max_length=max_length, rows=rows, **kw)


# Evidence files (Django docs, "Uploading multiple files") ---------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one file input: cleans to a list (empty when none were chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, (list, tuple)):
            return [single_file_clean(item, initial) for item in data if item]
        return [single_file_clean(data, initial)] if data else []


def _evidence_field(label: str, help_text: str):
    return MultipleFileField(
        label=label,
        required=False,
        help_text=help_text,
        error_messages={"empty": "The selected file is empty"},
    )


EVIDENCE_HINT = (
    "PDF, Word (.docx), Excel (.xlsx) or OpenDocument text (.odt), up to 20 MB each. "
    "You can choose more than one file"
)


# Themes ----------------------------------------------------------------------------------------


class ThemeFieldsMixin:
    """One checkbox group per facet (``themes_<facet>``), from the themes available to the
    partnership; ``selected_themes()`` gives the chosen Theme rows."""

    def add_theme_fields(self, themes, chosen=()):
        self._themes = {str(theme.pk): theme for theme in themes}
        chosen_ids = {str(theme.pk) for theme in chosen}
        self.theme_field_names = []
        for facet, label in Theme.Facet.choices:
            choices = [(pk, t.name) for pk, t in self._themes.items() if t.facet == facet]
            if not choices:
                continue
            name = f"themes_{facet}"
            self.fields[name] = forms.MultipleChoiceField(
                label=label,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Select themes from the list"},
            )
            self.initial.setdefault(name, [pk for pk, _ in choices if pk in chosen_ids])
            self.theme_field_names.append(name)

    def selected_themes(self) -> list[Theme]:
        return [
            self._themes[pk]
            for name in self.theme_field_names
            for pk in self.cleaned_data.get(name, [])
        ]

    def show_themes_error(self, message: str) -> None:
        first = self.theme_field_names[0] if self.theme_field_names else None
        self.add_error(first, message)


class LearningForm(ThemeFieldsMixin, GovukForm):
    kind = forms.ChoiceField(
        label="Is it a finding or a learning point?",
        choices=Finding.Kind.choices,
        widget=forms.RadioSelect,
        help_text="A rapid review's immediate learning is a learning point",
        error_messages={"required": "Select finding or learning point"},
    )
    title = forms.CharField(
        label="Short title",
        max_length=300,
        error_messages={
            "required": "Enter a short title",
            "max_length": "The title must be 300 characters or fewer",
        },
    )
    text = _text(
        "Finding or learning point",
        max_length=20_000,
        rows=6,
        required_message="Describe the finding or learning point",
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_theme_fields(themes)


class FindingThemesForm(ThemeFieldsMixin, GovukForm):
    def __init__(self, *args, themes, chosen, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_theme_fields(themes, chosen)


class ThemeAddForm(GovukForm):
    facet = forms.ChoiceField(
        label="Which group does the theme belong to?",
        choices=Theme.Facet.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the group the theme belongs to"},
    )
    name = forms.CharField(
        label="Name of the theme",
        max_length=120,
        error_messages={
            "required": "Enter the name of the theme",
            "max_length": "The name must be 120 characters or fewer",
        },
    )


# Recommendations and impact --------------------------------------------------------------------


TO_PARTNERSHIP = "partnership"


class RecommendationForm(GovukForm):
    text = _text("Recommendation", required_message="Enter the recommendation")
    findings = forms.ModelMultipleChoiceField(
        label="Which findings does it answer?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one finding the recommendation answers",
            "invalid_choice": "Select findings of this review",
        },
    )
    agencies = forms.MultipleChoiceField(
        label="Who is it addressed to?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select the partnership as a whole, one or more agencies, or both",
        error_messages={
            "required": "Select the partnership or at least one agency the recommendation is "
            "addressed to",
            "invalid_choice": "Select agencies from the list",
        },
    )
    scope = forms.ChoiceField(
        label="Scope",
        choices=Recommendation.Scope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the scope of the recommendation"},
    )
    expected_change = _text(
        "Expected change",
        help_text="What should be different for children, adults or families, in plain words",
        required_message="Say in plain words what should change as a result",
    )
    agreed_on = GovukDateField(label="Date agreed", help_text="For example, 27 3 2026")

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = review.findings.order_by("number")
        self.fields["findings"].label_from_instance = str
        self._agencies = {
            str(agency.pk): agency
            for agency in agency_list_for_partnership(partnership=review.partnership)
        }
        self.fields["agencies"].choices = [(TO_PARTNERSHIP, "The partnership as a whole")] + [
            (pk, agency.name) for pk, agency in self._agencies.items()
        ]

    @staticmethod
    def addressed_initial(recommendation: Recommendation) -> list[str]:
        chosen = [str(agency.pk) for agency in recommendation.agencies.all()]
        return [TO_PARTNERSHIP, *chosen] if recommendation.to_partnership else chosen

    def addressed(self) -> tuple[bool, list[Agency]]:
        """(addressed to the partnership as a whole, the agencies it is addressed to)."""
        chosen = self.cleaned_data["agencies"]
        return TO_PARTNERSHIP in chosen, [
            self._agencies[pk] for pk in chosen if pk in self._agencies
        ]


class ImpactPlanForm(GovukForm):
    part = forms.CharField(widget=forms.HiddenInput(attrs={"id": "part-plan"}), initial="plan")
    method = forms.ChoiceField(
        label="How will the partnership know it made a difference?",
        choices=Recommendation.ImpactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the partnership will know"},
    )
    plan = _text(
        "What will be measured, audited or asked",
        help_text="For example, an audit of 20 case files in a year's time, looking for "
        "evidence that concerns were shared at the first sign",
        required_message="Describe the measure, audit or survey and what it looks for",
    )
    review_on = GovukDateField(label="Date to check", required=False)


class ImpactResultForm(GovukForm):
    part = forms.CharField(widget=forms.HiddenInput(attrs={"id": "part-result"}), initial="result")
    result = _text(
        "What the measure, audit or survey found",
        max_length=10_000,
        required_message="Describe what the measure, audit or survey found",
    )
    judgement = forms.ChoiceField(
        label="Judgement",
        choices=Recommendation.Judgement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the judgement"},
    )
    recorded_on = GovukDateField(label="Date recorded", required=False)


# Actions ---------------------------------------------------------------------------------------


class ActionForm(GovukForm):
    text = _text("Action", required_message="Enter the action to take")
    agency = forms.ModelChoiceField(
        label="Owner agency",
        queryset=None,
        empty_label="Select an agency",
        error_messages={
            "required": "Select the agency that owns the action",
            "invalid_choice": "Select an agency from the list",
        },
    )
    lead_name = forms.CharField(
        label="Lead officer",
        max_length=200,
        help_text="The name of the person in the agency who leads the action",
        error_messages={
            "required": "Enter the lead officer's name",
            "max_length": "The lead's name must be 200 characters or fewer",
        },
    )
    target_date = GovukDateField(label="Target date", help_text="For example, 27 3 2027")

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agency_list_for_partnership(partnership=partnership)


class ProgressForm(GovukForm):
    note = _text(
        "What progress has been made?",
        help_text="What has been done since the last update, and what is next",
        required_message="Describe the progress made",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[(s.value, s.label) for s in Action.AGENCY_SETTABLE],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status"},
    )
    evidence = _evidence_field("Evidence", EVIDENCE_HINT)
    description = forms.CharField(
        label="What the evidence shows",
        max_length=300,
        required=False,
        error_messages={"max_length": "This must be 300 characters or fewer"},
    )


class CompletionRequestForm(GovukForm):
    note = _text(
        "What was done",
        help_text="Describe what was done and what the evidence shows",
        required_message="Describe what was done and what the evidence shows",
    )
    evidence = _evidence_field(
        "Evidence",
        EVIDENCE_HINT + ". You need evidence: files given now or with earlier updates",
    )
    description = forms.CharField(
        label="What the evidence shows",
        max_length=300,
        required=False,
        error_messages={"max_length": "This must be 300 characters or fewer"},
    )


ACCEPT, RETURN = "accept", "return"


class CompletionDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Is the action complete?",
        choices=[
            (ACCEPT, "Accept: the action is complete"),
            (RETURN, "Return it to the agency: more is needed"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select accept or return"},
    )
    note = _text(
        "Note",
        required=False,
        help_text="Required if you return it: say why and what is still needed",
    )


class NotImplementedForm(GovukForm):
    reason = _text(
        "Why is the action not being implemented?",
        help_text="The Safeguarding Adults Board must report reasons for any decision not to "
        "implement a finding (Care Act 2014, schedule 2, paragraph 4). The reason is shown in "
        "the annual figures",
        required_message="Give the reason for the decision not to implement the action",
    )
