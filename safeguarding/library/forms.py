"""Forms of the learning library. Rules are checked by the services; these check the shape of
the input (required, length, dates) and give GOV.UK error messages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from safeguarding.actions.models import Theme
from safeguarding.actions.plan_forms import ThemeFieldsMixin
from safeguarding.core.forms import GovukDateField, GovukForm, text_field

from .models import AgeGroup, ReviewType

# The facets of a search, in the order they are shown (``search.search_records`` facets and
# filters use the same names). Lists of values are filtered with checkboxes, the rest with a
# select.
FACETS = (
    ("review_type", "Review type", "checkboxes"),
    ("year", "Year published", "select"),
    ("age_group", "Age group", "checkboxes"),
    ("theme", "Theme", "checkboxes"),
    ("publisher", "Publisher", "select"),
)
MAX_FACET_CHOICES = 20


class _Numeric(forms.TextInput):
    def __init__(self, width: int = 4):
        super().__init__(attrs={"inputmode": "numeric", "class": f"govuk-input--width-{width}"})


def _text(label, *, max_length, rows=4, required=False, **kw):
    return text_field(label, max_length=max_length, rows=rows, required=required, **kw)


# Search ----------------------------------------------------------------------------------------


class SearchForm(GovukForm):
    """The query and the facet filters (a GET form). Facet choices come from the search's own
    facet counts, so only values that occur are offered; a chosen value always stays."""

    q = forms.CharField(
        label="Search the library",
        required=False,
        max_length=200,
        help_text="Describe what happened or what you want to learn about, in your own words",
        error_messages={"max_length": "The search must be 200 characters or fewer"},
    )

    year_from = forms.IntegerField(
        label="Published from (year)",
        required=False,
        min_value=1900,
        max_value=2100,
        widget=_Numeric(4),
        help_text="For example, 2016",
        error_messages={
            "invalid": "Enter the 'from' year as 4 digits, for example 2016",
            "min_value": "Enter the 'from' year as 4 digits, for example 2016",
            "max_value": "Enter the 'from' year as 4 digits, for example 2016",
        },
    )
    year_to = forms.IntegerField(
        label="Published up to (year)",
        required=False,
        min_value=1900,
        max_value=2100,
        widget=_Numeric(4),
        help_text="For example, 2019",
        error_messages={
            "invalid": "Enter the 'up to' year as 4 digits, for example 2019",
            "min_value": "Enter the 'up to' year as 4 digits, for example 2019",
            "max_value": "Enter the 'up to' year as 4 digits, for example 2019",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, kind in FACETS:
            if kind == "checkboxes":
                self.fields[name] = forms.MultipleChoiceField(
                    label=label, required=False, widget=forms.CheckboxSelectMultiple
                )
            else:
                self.fields[name] = forms.ChoiceField(label=label, required=False)

    @property
    def facet_fields(self) -> list:
        return [self[name] for name, _label, _kind in FACETS if name in self.fields]

    @property
    def year_fields(self) -> list:
        return [self["year_from"], self["year_to"]]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error(
                "year_to", "The 'up to' year must be the same as or after the 'from' year"
            )
        return cleaned

    def year_range(self) -> dict[str, str]:
        """The chosen year range, ``{"year_from": "2016", "year_to": "2019"}``, only the valid
        parts of it (an invalid year is reported on the page and not applied)."""
        data = self.data if self.is_bound else {}
        out: dict[str, str] = {}
        for name in ("year_from", "year_to"):
            value = str(data.get(name, "") or "").strip()
            if value.isascii() and value.isdecimal() and 1900 <= int(value) <= 2100:
                out[name] = value
        if len(out) == 2 and int(out["year_from"]) > int(out["year_to"]):
            return {}
        return out

    def filters(self) -> dict[str, list[str]]:
        """The chosen filters, ``{facet: [values]}`` (only facets with a value)."""
        data = self.data if self.is_bound else {}
        chosen: dict[str, list[str]] = {}
        for name, _label, kind in FACETS:
            if hasattr(data, "getlist"):
                values = data.getlist(name) if kind == "checkboxes" else [data.get(name, "")]
            else:
                value = data.get(name, [])
                values = value if isinstance(value, list) else [value]
            values = [str(v)[:200] for v in values if str(v).strip()]
            if values:
                chosen[name] = list(dict.fromkeys(values))[:50]
        return chosen

    def set_facets(self, facets: dict, chosen: dict[str, list[str]]) -> None:
        """Offer the values the search found (as the engine orders them), keeping the chosen
        ones; a facet with nothing to offer is left out."""
        self._found = {
            name: [_facet_item(item) for item in facets.get(name) or []] for name in facets
        }
        for name, _label, kind in FACETS:
            field = self.fields[name]
            found = self._found.get(name, [])
            choices = [
                (value, f"{label} ({count:,})") for value, label, count in found[:MAX_FACET_CHOICES]
            ]
            offered = {value for value, _ in choices}
            for value in chosen.get(name, []):
                if value not in offered:
                    choices.append((value, self.label_for(name, value)))
            if not choices:
                del self.fields[name]  # nothing to filter by
                continue
            if kind == "select":
                choices = [("", "Any"), *choices]
            field.choices = choices

    def label_for(self, name: str, value: str) -> str:
        for found_value, label, _count in getattr(self, "_found", {}).get(name, []):
            if found_value == value:
                return label
        if name == "review_type":
            return dict(ReviewType.choices).get(value, value)
        if name == "age_group":
            return dict(AgeGroup.choices).get(value, value)
        return value


def _facet_item(item) -> tuple[str, str, int]:
    """A facet value from the search (an object with value, label and count, or a tuple)."""
    if isinstance(item, tuple):
        value, label, count = item
    else:
        value, label, count = item.value, item.label, item.count
    return str(value), str(label), int(count)


# Records ---------------------------------------------------------------------------------------


class RecordForm(ThemeFieldsMixin, GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=300,
        error_messages={
            "required": "Enter the title",
            "max_length": "The title must be 300 characters or fewer",
        },
    )
    review_type = forms.ChoiceField(
        label="Type of review",
        choices=ReviewType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of review"},
    )
    publisher = forms.CharField(
        label="Publisher",
        max_length=200,
        help_text="The partnership, board or body that published it",
        error_messages={
            "required": "Enter who published the review",
            "max_length": "The publisher must be 200 characters or fewer",
        },
    )
    year = forms.IntegerField(
        label="Year published",
        required=False,
        min_value=1900,
        help_text="Leave blank if the report does not say",
        widget=_Numeric(4),
        error_messages={
            "invalid": "Enter the year as 4 digits, for example 2024",
            "min_value": "The year must be 1900 or later",
        },
    )
    published_on = GovukDateField(
        label="Date published",
        required=False,
        help_text="If you know it. For example, 27 3 2024",
    )
    age_group = forms.ChoiceField(
        label="Age of the person the review is about",
        choices=AgeGroup.choices,
        initial=AgeGroup.NOT_KNOWN,
        error_messages={"required": "Select the age group"},
    )
    summary = _text("Summary", max_length=20_000, rows=5)
    learning = _text(
        "Learning",
        max_length=50_000,
        rows=6,
        help_text="The learning points. Leave a blank line between points",
    )
    recommendations = _text(
        "Recommendations",
        max_length=50_000,
        rows=6,
        help_text="Leave a blank line between recommendations",
    )
    full_text = _text(
        "Full text",
        max_length=2_000_000,
        rows=8,
        help_text="The text of the report, if you have it: it helps search find the review",
    )
    url = forms.URLField(
        label="Web address of the report",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a web address in the correct format, like https://example.org/report",
            "max_length": "The web address must be 500 characters or fewer",
        },
    )
    is_public = forms.TypedChoiceField(
        label="Can the public see this record?",
        choices=[("yes", "Yes, show it on the public library"), ("no", "No, staff only")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the public can see this record"},
    )

    def __init__(self, *args, themes, chosen=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_theme_fields(themes, chosen)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        this_year = timezone.localdate().year
        if year is not None and year > this_year:
            raise forms.ValidationError(f"The year must be {this_year} or earlier")
        return year

    def clean(self):
        cleaned = super().clean()
        published_on, year = cleaned.get("published_on"), cleaned.get("year")
        if published_on and year and published_on.year != year:
            self.add_error("year", "The year must be the year of the date published")
        return cleaned

    def record_values(self) -> dict:
        """The cleaned values for ``services.record_add`` / ``record_update``."""
        values = {name: self.cleaned_data[name] for name in self.base_fields}
        values["themes"] = self.selected_themes()
        return values

    @staticmethod
    def initial_for(record) -> dict:
        initial = {name: getattr(record, name) for name in RecordForm.base_fields}
        initial["is_public"] = "yes" if record.is_public else "no"
        return initial


class ArchiveForm(GovukForm):
    """Nothing to fill in: the button confirms."""


# Imports ---------------------------------------------------------------------------------------


class ImportForm(GovukForm):
    file = forms.FileField(
        label="Upload a CSV or JSON file",
        help_text="In the library schema. Every row is checked first: if any row is wrong, "
        "nothing is imported",
        error_messages={"required": "Select a CSV or JSON file"},
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        name = (uploaded.name or "").lower()
        if not name.endswith((".csv", ".json")):
            raise forms.ValidationError("The selected file must be a CSV or JSON file")
        if uploaded.size == 0:
            raise forms.ValidationError("The selected file is empty")
        if uploaded.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                "The selected file must be smaller than "
                f"{filesizeformat(settings.UPLOAD_MAX_BYTES)}. Import a larger library with "
                "the import_library command"
            )
        return uploaded


# National reviews ------------------------------------------------------------------------------


class NationalReviewForm(ThemeFieldsMixin, GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=300,
        error_messages={
            "required": "Enter the title of the national review",
            "max_length": "The title must be 300 characters or fewer",
        },
    )
    published_on = GovukDateField(label="Date published", help_text="For example, 16 9 2021")
    url = forms.URLField(
        label="Web address",
        max_length=500,
        assume_scheme="https",
        help_text="Where the Panel published it, starting https://",
        error_messages={
            "required": "Enter the web address of the national review",
            "invalid": "Enter a web address in the correct format",
        },
    )
    summary = _text("Summary", max_length=2_000, rows=4)

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_theme_fields(themes)


# Search terms ----------------------------------------------------------------------------------


class SearchTermForm(GovukForm):
    term = forms.CharField(
        label="Word, phrase or abbreviation",
        max_length=100,
        help_text="What practitioners type, for example ‘sudi’ or ‘co-sleeping’",
        error_messages={
            "required": "Enter the word, phrase or abbreviation",
            "max_length": "The word, phrase or abbreviation must be 100 characters or fewer",
        },
    )
    expansion = forms.CharField(
        label="What it also means",
        max_length=500,
        help_text="Words a search should also look for, for example ‘sudden unexpected death "
        "in infancy’",
        error_messages={
            "required": "Enter what it also means",
            "max_length": "What it also means must be 500 characters or fewer",
        },
    )


# Themes by year --------------------------------------------------------------------------------


class ThemesFilterForm(GovukForm):
    facet = forms.ChoiceField(
        label="Group of themes",
        required=False,
        choices=[("", "All groups"), *Theme.Facet.choices],
    )


# National library submissions ------------------------------------------------------------------


class SentForm(GovukForm):
    sent_on = GovukDateField(label="Date it was sent", help_text="For example, 27 3 2027")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        help_text="For example, who it was sent to and how",
        error_messages={"max_length": "The note must be 500 characters or fewer"},
    )
