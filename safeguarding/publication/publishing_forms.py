"""Forms for publishing a signed-off review (staff side). Rules are checked by the services."""

from django import forms

from safeguarding.core.forms import GovukDateField, GovukForm
from safeguarding.core.rule_sources import rule_source
from safeguarding.reviews.running.quality_markers import DHR_RESUBMISSION_REASONS

from .models import HomeOfficeSubmission, PrePublicationStep, Publication


class DecisionForm(GovukForm):
    title = forms.CharField(label="Title to publish", max_length=300)
    form = forms.ChoiceField(
        label="What will be published",
        choices=Publication.Form.choices,
        widget=forms.RadioSelect,
        help_text="Publish the full report unless the decision makers consider it inappropriate "
        "(Working Together to Safeguard Children 2023, chapter 5)",
    )
    not_full_reason = forms.CharField(
        label="Why the full report is not being published",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if you publish information about the improvements",
    )
    improvements = forms.CharField(
        label="Information about the improvements to be made",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    summary = forms.CharField(
        label="Summary for the public page",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reviewer_names = forms.CharField(
        label="Name of the reviewer or reviewers",
        max_length=500,
        help_text="Always published. Separate names with commas",
    )
    planned_publish_on = GovukDateField(
        label="Planned publication date",
        required=False,
        help_text="Optional. The business unit is emailed before each step that must be done "
        "by then, such as the advance copies. For example, 27 3 2027",
    )


class FileUploadForm(GovukForm):
    title = forms.CharField(label="Title of the file", max_length=200)
    file = forms.FileField(
        label="Upload a file", help_text="PDF or Word (.docx). It is checked for real names"
    )


class FileReplaceForm(GovukForm):
    file = forms.FileField(
        label="Upload the corrected file",
        help_text="PDF or Word (.docx). The old file is kept but never published",
    )


class FalseMatchForm(GovukForm):
    reason = forms.CharField(
        label="Why this is not a real identifier",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FalseMatchesForm(GovukForm):
    """Several findings marked as false matches with one reason."""

    findings = forms.MultipleChoiceField(
        label="Which findings are not real identifiers?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one finding",
            "invalid_choice": "Select findings from the list",
        },
    )
    reason = forms.CharField(
        label="Why these are not real identifiers",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, ‘Common words the check reads as names’. The reason is recorded "
        "with each finding",
        error_messages={"required": "Enter why these are not real identifiers"},
    )

    def __init__(self, *args, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self._findings = {str(f.pk): f for f in findings}
        self.fields["findings"].choices = [
            (
                pk,
                f"{f.file.original_name}, "
                f"{'page ' + str(f.page) if f.page else 'document properties'}: "
                f"{f.kind} ‘{f.text}’",
            )
            for pk, f in self._findings.items()
        ]

    def selected(self) -> list:
        return [self._findings[pk] for pk in self.cleaned_data["findings"]]


class StepForm(GovukForm):
    kind = forms.ChoiceField(label="Step", widget=forms.RadioSelect)
    done_on = GovukDateField(label="Date it was done", help_text="For example, 27 3 2027")
    evidence = forms.CharField(
        label="Evidence",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who it was sent to and how, or the letter received, and where it is kept",
    )

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind, f"{PrePublicationStep.Kind(kind).label} ({rule_source(rule)})")
            for kind, rule in steps
        ]


class PartnerSignOffForm(GovukForm):
    """A partner partnership signs off the publication of a review it shares (R46)."""

    signed_off_on = GovukDateField(
        label="Date your partnership signed it off", help_text="For example, 27 3 2027"
    )
    signed_off_by = forms.CharField(
        label="Who signed it off for your partnership",
        max_length=200,
        help_text="Their name and role, for example 'Chair of the Community Safety Partnership'",
        error_messages={
            "required": "Enter who signed the publication off for your partnership, and their role",
            "max_length": "Who signed it off must be 200 characters or fewer",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the meeting where it was agreed",
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class PublishForm(GovukForm):
    publish_on = GovukDateField(
        label="Publication date",
        help_text="Today to publish now, or a later date to schedule it",
    )


class CorrectForm(GovukForm):
    note = forms.CharField(
        label="What was corrected",
        max_length=500,
        help_text="Shown with the new revision; the earlier revisions are kept",
    )


class WithdrawForm(GovukForm):
    reason = forms.CharField(
        label="Why it is being withdrawn",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a court order",
    )
    available_on_request = forms.TypedChoiceField(
        label="Can it still be provided on request?",
        choices=[("yes", "Yes, list it as ‘available on request’"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class HomeOfficeSubmitForm(GovukForm):
    submitted_on = GovukDateField(label="Date it was sent", help_text="For example, 27 3 2027")
    note = forms.CharField(
        label="What was sent",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example the report version, and how it was sent",
        error_messages={"required": "Enter what was sent, for example the report version"},
    )


class HomeOfficeLetterForm(GovukForm):
    letter = forms.FileField(
        label="The panel's letter",
        help_text="PDF or Word (.docx)",
        error_messages={"required": "Select the panel's letter"},
    )
    letter_on = GovukDateField(label="Date of the letter", help_text="For example, 27 3 2027")
    outcome = forms.ChoiceField(
        label="What the panel decided",
        choices=HomeOfficeSubmission.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the panel decided"},
    )
    reasons = forms.MultipleChoiceField(
        label="The panel's reasons for asking for changes",
        required=False,
        choices=DHR_RESUBMISSION_REASONS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only if the panel asked for changes. Select all that apply",
    )
    reasons_text = forms.CharField(
        label="Other reasons, or more detail",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
