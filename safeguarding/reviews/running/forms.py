"""Forms for the review pages. They check the shape of the answers; the rules (dates, who may
be linked, one pseudonym per case) live in services.py, whose ServiceError the views
show on the matching field."""

from django import forms

from safeguarding.accounts.models import Membership, Role
from safeguarding.core.forms import GovukDateField, GovukForm, text_field
from safeguarding.core.uploads import DOCX, ODT, PDF, validate_upload
from safeguarding.referrals.staff_forms import DisagreementForm, DisagreementResolveForm

from ..models import (
    Appointment,
    FamilyContact,
    Person,
    QualityRating,
    ReviewDisagreement,
    ReviewDocument,
)
from .quality_markers import MarkerSet

DOCUMENT_KINDS = (PDF, DOCX, ODT)


_text = text_field


class CommissionForm(GovukForm):
    tracks = forms.MultipleChoiceField(
        label="Which review types does the review cover?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select more than one to run a single joint review, for example a joint "
        "Safeguarding Adults Review and Domestic Homicide Review",
        error_messages={
            "required": "Select the review types the review covers",
            "invalid_choice": "Select review types from the list",
        },
    )

    def __init__(self, *args, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        self._tracks = {str(t.pk): t for t in tracks}
        self.fields["tracks"].choices = [
            (pk, f"{t.get_review_type_display()}: {t.decision.get_outcome_display()}")
            for pk, t in self._tracks.items()
        ]

    def selected(self):
        return [self._tracks[pk] for pk in self.cleaned_data["tracks"]]


class TermsForm(GovukForm):
    scope_start = GovukDateField(
        label="Start of the period under review",
        required=False,
        help_text="For example, 27 3 2024",
    )
    scope_end = GovukDateField(label="End of the period under review", required=False)
    key_lines_of_enquiry = _text(
        "Key lines of enquiry", required=False, help_text="The questions the review will answer"
    )
    methodology = _text(
        "Methodology",
        required=False,
        max_length=5_000,
        rows=3,
        help_text="For example SILP, Learning Together, appreciative inquiry, or a traditional "
        "review with agency reports, and why it is proportionate",
    )
    family_involvement_plan = _text("Family involvement", required=False, max_length=5_000, rows=3)
    timescale = _text("Timescale", required=False, max_length=2_000, rows=2)
    parallel_processes = _text(
        "Parallel processes",
        required=False,
        max_length=5_000,
        rows=3,
        help_text="Criminal proceedings, an inquest or other reviews, and how the review "
        "will work alongside them",
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies in scope",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select agencies from the list"},
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = partnership.agencies.order_by("name")


class AppointmentForm(GovukForm):
    role = forms.ChoiceField(
        label="Role",
        choices=Appointment.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role they are appointed to"},
    )
    name = forms.CharField(
        label="Full name",
        max_length=200,
        help_text="Reviewers' and chairs' names are published with the report",
        error_messages={
            "required": "Enter the name of the person appointed",
            "max_length": "Name must be 200 characters or fewer",
        },
    )
    organisation = forms.CharField(label="Organisation", max_length=200, required=False)
    agency = forms.ModelChoiceField(
        label="Agency they represent",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    independent = forms.BooleanField(
        label="They are independent of the agencies involved in the case", required=False
    )
    user = forms.ModelChoiceField(
        label="Their account in this service",
        queryset=None,
        required=False,
        empty_label="No account",
        help_text="Link a reviewer or panel member's account so they can see this review",
        error_messages={"invalid_choice": "Select an account from the list"},
    )
    appointed_on = GovukDateField(label="Date appointed")

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        from safeguarding.accounts.models import User

        self.fields["agency"].queryset = partnership.agencies.order_by("name")
        self.fields["user"].queryset = User.objects.filter(
            pk__in=Membership.objects.filter(
                partnership=partnership, role__in=[Role.REVIEWER, Role.PANEL_MEMBER]
            ).values("user_id")
        ).order_by("full_name")
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"


def _time_field(label: str, help_text: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H.%M"],
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
        error_messages={
            "invalid": f"{label} must be a time in hours and minutes, for example 14:30"
        },
    )


class MeetingForm(GovukForm):
    held_on = GovukDateField(
        label="Date of the meeting",
        help_text="A meeting that has not happened yet sends a calendar invitation to the "
        "people appointed to the review who have an account",
    )
    title = forms.CharField(
        label="What was the meeting?",
        max_length=200,
        help_text="For example, 'Panel meeting 2' or 'Practitioner learning event'. No real "
        "names: the title goes in people's calendars",
        error_messages={
            "required": "Enter what the meeting was",
            "max_length": "This must be 200 characters or fewer",
        },
    )
    starts_at = _time_field("Start time", "For example, 10:00 or 14:30")
    ends_at = _time_field("End time", "For example, 11:30")
    location = forms.CharField(
        label="Where",
        required=False,
        max_length=200,
        help_text="A room and building, or 'Online'. No case details",
        error_messages={"max_length": "This must be 200 characters or fewer"},
    )
    attendees = _text("Attendees", required=False, max_length=2_000, rows=3)
    minutes = _text("Minutes", required=False, max_length=50_000, rows=8)
    follow_ups = _text("Follow-ups", required=False, help_text="Who will do what, by when")


class PersonDetailsForm(GovukForm):
    pseudonym = forms.CharField(
        label="Pseudonym",
        max_length=60,
        help_text="Used for them in every document, for example 'Child B' or 'Mother'",
        error_messages={
            "required": "Enter the pseudonym used in documents",
            "max_length": "Pseudonym must be 60 characters or fewer",
        },
    )
    role_in_case = forms.ChoiceField(
        label="Their role in the case",
        choices=Person.RoleInCase.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role in the case"},
    )
    relationship = forms.CharField(
        label="Relationship to the subject",
        max_length=200,
        required=False,
        help_text="For example, 'mother's partner'",
        error_messages={"max_length": "Relationship must be 200 characters or fewer"},
    )


class PersonForm(PersonDetailsForm):
    full_name = forms.CharField(
        label="Real full name",
        max_length=200,
        required=False,
        help_text="Held apart from the case and shown only to the business unit and partner "
        "leads; every view is recorded",
    )
    date_of_birth = GovukDateField(label="Date of birth", required=False)
    address = _text("Address", required=False, max_length=500, rows=3)


class IdentityForm(GovukForm):
    """A real identity, changed by the business unit after showing it (the showing is
    recorded)."""

    full_name = forms.CharField(
        label="Real full name",
        max_length=200,
        error_messages={
            "required": "Enter their full name",
            "max_length": "Full name must be 200 characters or fewer",
        },
    )
    date_of_birth = GovukDateField(label="Date of birth", required=False)
    address = _text("Address", required=False, max_length=500, rows=3)


class RemoveForm(GovukForm):
    """Why a record is taken out (archived, never deleted)."""

    reason = _text(
        "Why is it being removed?",
        max_length=2_000,
        rows=3,
        required_message="Enter why it is being removed",
        help_text="For example, 'recorded twice' or 'the meeting was cancelled'. Use "
        "pseudonyms, not real names",
    )

    def __init__(self, *args, label: str = "", required_message: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if required_message:
            self.fields["reason"].error_messages["required"] = required_message


class AppointmentEndForm(RemoveForm):
    ended_on = GovukDateField(label="Date the appointment ended")


class ProposalDecisionForm(GovukForm):
    """What the business unit makes of a name an agency's chronology proposed (issue 13). The
    rules (what each choice needs) are the service's, ``person_proposal_decide``."""

    decision = forms.ChoiceField(
        label="Who is this?",
        widget=forms.RadioSelect,
        choices=[
            ("add", "A new person in the case"),
            ("merge", "Someone already in the case"),
            ("reject", "Not a person in the case"),
        ],
        error_messages={
            "required": "Select what to do with the name",
            "invalid_choice": "Select what to do with the name",
        },
    )
    role_in_case = forms.ChoiceField(
        label="If a new person: their role in the case",
        required=False,
        choices=[("", "Select their role"), *Person.RoleInCase.choices],
        error_messages={"invalid_choice": "Select their role in the case"},
    )
    relationship = forms.CharField(
        label="If a new person: relationship to the subject",
        max_length=200,
        required=False,
        help_text="For example, 'mother's partner'",
    )
    person = forms.ChoiceField(
        label="If someone already in the case: who",
        required=False,
        error_messages={"invalid_choice": "Select who they are in the case"},
    )
    reason = _text(
        "If not a person in the case: why",
        required=False,
        max_length=2_000,
        rows=3,
    )

    def __init__(self, *args, proposal, people, **kwargs):
        super().__init__(*args, **kwargs)
        name = proposal.pseudonym
        self.fields["decision"].widget.choice_hints = {
            "add": f"Add ‘{name}’ to the people in the case under that pseudonym",
            "merge": f"‘{name}’ is another name for someone already recorded: their rows are "
            "linked to that person",
            "reject": "The rows stay in the chronology without this name",
        }
        self.fields["decision"].govuk_label_classes = "govuk-fieldset__legend--m"
        self.people = {str(person.pk): person for person in people}
        self.fields["person"].choices = [("", "Select a person")] + [
            (str(person.pk), f"{person.pseudonym} ({person.get_role_in_case_display()})")
            for person in people
        ]

    @property
    def chosen_person(self):
        return self.people.get(self.cleaned_data.get("person") or "")


CONSENT_CHOICES = [("yes", "Yes"), ("no", "No"), ("", "Not asked yet")]


class FamilyContactForm(GovukForm):
    kind = forms.ChoiceField(
        label="What happened?",
        choices=FamilyContact.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of contact it was"},
    )
    happened_on = GovukDateField(label="Date")
    person = forms.ModelChoiceField(
        label="Family member",
        queryset=None,
        required=False,
        empty_label="Not one person (the family)",
        error_messages={"invalid_choice": "Select someone from the list"},
    )
    advocate = forms.CharField(
        label="Advocate or organisation",
        max_length=200,
        required=False,
        help_text="For example, AAFDA",
    )
    summary = _text(
        "Summary", required=False, help_text="What was said, including the family's views"
    )
    consent_to_quote = forms.ChoiceField(
        label="Did they agree to be quoted in the report?",
        choices=CONSENT_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: p.pseudonym

    def consent(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("consent_to_quote"))


NEW_DOCUMENT = "new"


class DocumentUploadForm(GovukForm):
    document = forms.ChoiceField(
        label="Is this a new document or a new version?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a new document or the document this is a new version of",
            "invalid_choice": "Select a document from the list",
        },
    )
    title = forms.CharField(
        label="Title of a new document",
        max_length=200,
        required=False,
        error_messages={"max_length": "Title must be 200 characters or fewer"},
    )
    document_kind = forms.ChoiceField(
        label="What kind of document is it?",
        choices=ReviewDocument.Kind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word (.docx) or OpenDocument text (.odt), up to 20 MB",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    note = forms.CharField(
        label="What changed",
        max_length=500,
        required=False,
        error_messages={"max_length": "Note must be 500 characters or fewer"},
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self._documents = {str(d.pk): d for d in documents}
        self.fields["document"].choices = [(NEW_DOCUMENT, "A new document")] + [
            (pk, f"A new version of ‘{d.title}’") for pk, d in self._documents.items()
        ]
        self.kind = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.kind = validate_upload(uploaded, allowed=DOCUMENT_KINDS)
        return uploaded

    def clean(self):
        data = super().clean()
        if data.get("document") == NEW_DOCUMENT:
            if not (data.get("title") or "").strip():
                self.add_error("title", "Enter a title for the document")
            if not data.get("document_kind"):
                self.add_error("document_kind", "Select what kind of document it is")
        return data

    def existing(self):
        return self._documents.get(self.cleaned_data["document"])


class QualityForm(GovukForm):
    """One rating, evidence and comments per marker of the set, then a summary."""

    summary = _text("Summary", required=False, help_text="The overall view of the review")

    def __init__(self, *args, marker_set: MarkerSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.marker_set = marker_set
        summary = self.fields.pop("summary")
        for marker in marker_set.markers:
            n = marker.number
            self.fields[f"rating_{n}"] = forms.ChoiceField(
                label=f"{n}. {marker.title}",
                help_text=marker.meaning,
                choices=QualityRating.Rating.choices,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                error_messages={"required": f"Select a rating for marker {n}"},
            )
            self.fields[f"evidence_{n}"] = forms.CharField(
                label=f"Evidence for marker {n}",
                required=False,
                max_length=5_000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": "Evidence must be 5,000 characters or fewer"},
            )
            self.fields[f"comments_{n}"] = forms.CharField(
                label=f"Comments on marker {n}",
                required=False,
                max_length=5_000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": "Comments must be 5,000 characters or fewer"},
            )
        self.fields["summary"] = summary

    def ratings(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            m.number: {
                "rating": data[f"rating_{m.number}"],
                "evidence": data.get(f"evidence_{m.number}", ""),
                "comments": data.get(f"comments_{m.number}", ""),
            }
            for m in self.marker_set.markers
        }


class FindingForm(GovukForm):
    title = forms.CharField(
        label="Short title",
        max_length=300,
        error_messages={
            "required": "Enter a short title for the finding",
            "max_length": "Title must be 300 characters or fewer",
        },
    )
    text = _text("Finding", max_length=20_000, rows=8, required_message="Enter the finding")


class ReopenForm(GovukForm):
    reason = _text(
        "Why is the review being reopened?",
        max_length=5_000,
        rows=4,
        required_message="Enter why the review is being reopened",
    )


class SignOffDisagreementForm(DisagreementForm):
    """A decision maker declines to sign a review off or disagrees with it (the decision's
    form, ADR 0012, with the review's words)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (
                ReviewDisagreement.Kind.DISAGREED,
                "I disagree with the findings or the final report",
            ),
            (
                ReviewDisagreement.Kind.DECLINED,
                "I decline to sign it off (for example, I need more information or I have a "
                "conflict of interest)",
            ),
        ]


class SignOffDisagreementResolveForm(DisagreementResolveForm):
    """How a disagreement with a review's sign-off was resolved (the decision's form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].choices = ReviewDisagreement.Resolution.choices


class ProgressCheckForm(GovukForm):
    checked_on = GovukDateField(label="Date of the check", help_text="For example, 27 3 2026")
    notes = forms.CharField(
        label="What did the partners find about the time taken and the quality?",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what the check found about time and quality",
            "max_length": "Notes must be 5,000 characters or fewer",
        },
    )
