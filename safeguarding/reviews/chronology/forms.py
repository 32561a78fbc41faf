"""Forms of the chronology pages: the filters (a GET form), one entry, and a file upload."""

from django import forms
from django.conf import settings

from safeguarding.core.forms import GovukDateField, GovukForm

from ..models import ChronologyEntry
from . import parser
from .selectors import DEFAULT_GAP_DAYS, Filters


def _agency_choices(agencies):
    return [(str(agency.pk), agency.name) for agency in agencies]


class FilterForm(GovukForm):
    agency = forms.ChoiceField(
        label="Agency",
        required=False,
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    person = forms.ChoiceField(
        label="Person",
        required=False,
        error_messages={"invalid_choice": "Select a person from the list"},
    )
    date_from = GovukDateField(label="From", required=False, help_text="For example, 27 3 2024")
    date_to = GovukDateField(label="To", required=False)
    significance = forms.ChoiceField(
        label="Significance",
        required=False,
        choices=[("", "Any significance"), *ChronologyEntry.Significance.choices],
        error_messages={"invalid_choice": "Select a significance from the list"},
    )
    gap = forms.IntegerField(
        label="Show gaps longer than (days)",
        required=False,
        min_value=1,
        max_value=3650,
        error_messages={
            "invalid": "Gaps must be a whole number of days",
            "min_value": "Gaps must be at least 1 day",
            "max_value": "Gaps must be 3,650 days or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )

    FIELDS = ("agency", "person", "date_from", "date_to", "significance", "gap")

    def __init__(self, *args, agencies, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "All agencies"), *_agency_choices(agencies)]
        if len(agencies) <= 1:
            self.fields["agency"].widget = forms.HiddenInput()
        self.fields["person"].choices = [("", "Everyone")] + [
            (str(person.pk), person.pseudonym) for person in people
        ]

    @classmethod
    def is_submitted(cls, query) -> bool:
        return any(
            key == name or key.startswith(f"{name}_") for key in query for name in cls.FIELDS
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The “to” date must be the same as or after the “from” date")
        return data

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            agency_id=int(data["agency"]) if data.get("agency") else None,
            person_id=int(data["person"]) if data.get("person") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            significance=data.get("significance") or "",
            gap_days=data.get("gap") or DEFAULT_GAP_DAYS,
        )


class EntryForm(GovukForm):
    agency = forms.ChoiceField(
        label="Agency",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the agency the entry is from",
            "invalid_choice": "Select the agency the entry is from",
        },
    )
    occurred_on = GovukDateField(label="Date", help_text="For example, 27 3 2024")
    date_is_approximate = forms.BooleanField(
        label="The date is approximate",
        required=False,
        help_text="Tick if the records give only the month or a rough date",
    )
    occurred_at = forms.CharField(
        label="Time (optional)",
        required=False,
        max_length=5,
        help_text="24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    people = forms.MultipleChoiceField(
        label="People involved",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select people from the list"},
    )
    event = forms.CharField(
        label="Event or contact",
        max_length=parser.MAX_EVENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter what happened",
            "max_length": "The event must be 5,000 characters or fewer",
        },
    )
    source_record = forms.CharField(
        label="Source record (optional)",
        required=False,
        max_length=parser.MAX_SOURCE_CHARS,
        help_text="Where it is recorded, for example a case note reference",
    )
    practitioner_role = forms.CharField(
        label="Practitioner role (optional)",
        required=False,
        max_length=parser.MAX_ROLE_CHARS,
        help_text="For example, health visitor",
    )
    significance = forms.ChoiceField(
        label="Significance",
        widget=forms.RadioSelect,
        choices=ChronologyEntry.Significance.choices,
        error_messages={"required": "Select the significance of the entry"},
    )

    def __init__(self, *args, agencies, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {str(agency.pk): agency for agency in agencies}
        self.fields["agency"].choices = _agency_choices(agencies)
        if len(agencies) == 1:
            self.fields["agency"].initial = str(agencies[0].pk)
        # ``people``: the pseudonyms allowed (selectors.allowed_pseudonyms), the case's own
        # included before anyone is recorded in the case.
        self.fields["people"].choices = [
            (p.pseudonym, f"{p.pseudonym} ({p.description})" if p.description else p.pseudonym)
            for p in people
        ]
        if not people:
            self.fields["people"].help_text = "No people are recorded in this case yet"

    def warn_duplicate(self, message: str) -> None:
        """The entry repeats one already in the chronology: say so, and offer to add it again."""
        self.fields["add_duplicate"] = forms.BooleanField(
            label="Add it again: it is a different contact",
            required=False,
        )
        self.add_error(None, message)

    @property
    def duplicate_confirmed(self) -> bool:
        return bool(self.is_bound and self.data.get("add_duplicate"))

    def clean_occurred_on(self):
        value = self.cleaned_data.get("occurred_on")
        if value is None:
            return value
        try:
            return parser.parse_date(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_occurred_at(self):
        try:
            return parser.parse_time(self.cleaned_data.get("occurred_at"))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def row(self) -> parser.ChronologyRow:
        data = self.cleaned_data
        return parser.ChronologyRow(
            occurred_on=data["occurred_on"],
            occurred_at=data["occurred_at"],
            date_is_approximate=data["date_is_approximate"],
            pseudonyms=tuple(data["people"]),
            event=data["event"].strip(),
            source_record=data["source_record"].strip(),
            practitioner_role=data["practitioner_role"].strip(),
            significance=data["significance"],
        )

    @property
    def chosen_agency(self):
        return self.agencies[self.cleaned_data["agency"]]


class UploadForm(GovukForm):
    agency = forms.ChoiceField(
        label="Which agency's chronology is this?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the agency the chronology is from",
            "invalid_choice": "Select the agency the chronology is from",
        },
    )
    file = forms.FileField(
        label="Chronology file",
        help_text="A CSV (saved as CSV UTF-8) or Excel workbook (.xlsx) made from the template, "
        f"up to {parser.MAX_ROWS:,} rows",
        error_messages={
            "required": "Select a chronology file",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {str(agency.pk): agency for agency in agencies}
        self.fields["agency"].choices = _agency_choices(agencies)
        if len(agencies) == 1:
            self.fields["agency"].initial = str(agencies[0].pk)

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is not None and uploaded.size > settings.UPLOAD_MAX_BYTES:
            from django.template.defaultfilters import filesizeformat

            raise forms.ValidationError(
                f"The selected file must be smaller than "
                f"{filesizeformat(settings.UPLOAD_MAX_BYTES)}"
            )
        return uploaded

    @property
    def chosen_agency(self):
        return self.agencies[self.cleaned_data["agency"]]


class DuplicateChoiceForm(GovukForm):
    """What to do with a file that repeats rows of the agency's chronology, or was uploaded
    before (issue 12 item 10). Nothing is saved until one is chosen."""

    REPLACE, NEW_ONLY, CANCEL = "replace", "new_only", "cancel"

    choice = forms.ChoiceField(
        label="What do you want to do with this file?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what to do with the file",
            "invalid_choice": "Select what to do with the file",
        },
    )

    def __init__(self, *args, duplicates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["choice"]
        field.govuk_label_classes = "govuk-fieldset__legend--m"
        choices, hints = [], {}
        total, repeated = duplicates.rows_in_file, len(duplicates.repeated_rows)
        if duplicates.rows_to_archive:
            archived = duplicates.rows_to_archive
            choices.append((self.REPLACE, "Replace the earlier rows with this file"))
            hints[self.REPLACE] = (
                f"The {archived:,} earlier row{'s' if archived != 1 else ''} "
                f"{'is' if archived == 1 else 'are'} archived (kept, with who replaced "
                f"{'it' if archived == 1 else 'them'} and when, but no longer in the "
                f"chronology) and all {total:,} row{'s' if total != 1 else ''} of this file "
                f"{'is' if total == 1 else 'are'} added"
            )
        if duplicates.new_rows:
            new = duplicates.new_rows
            if repeated:
                choices.append(
                    (self.NEW_ONLY, f"Add only the {new:,} new row{'s' if new != 1 else ''}")
                )
                hints[self.NEW_ONLY] = (
                    "Rows already in the chronology stay as they are and are not added again"
                )
            else:
                choices.append(
                    (self.NEW_ONLY, f"Add the {new:,} row{'s' if new != 1 else ''} of this file")
                )
        choices.append((self.CANCEL, "Cancel: import nothing from this file"))
        field.choices = choices
        field.widget.choice_hints = hints
