"""The tracker's filters (a GET form: it works without JavaScript)."""

from django import forms

from safeguarding.core.forms import GovukForm
from safeguarding.reviews.models import Review

from .models import Theme
from .tracker_selectors import DEFAULT_VIEW, VIEWS, TrackerFilters


class TrackerFilterForm(GovukForm):
    view = forms.ChoiceField(
        label="Show",
        required=False,
        choices=VIEWS,
        error_messages={"invalid_choice": "Select which actions to show from the list"},
    )
    theme = forms.ChoiceField(
        label="Theme",
        required=False,
        help_text="Actions under recommendations that answer a finding with this theme",
        error_messages={"invalid_choice": "Select a theme from the list"},
    )
    agency = forms.ChoiceField(
        label="Owner agency",
        required=False,
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    review_type = forms.ChoiceField(
        label="Review type",
        required=False,
        choices=[("", "All review types"), *Review.Kind.choices],
        error_messages={"invalid_choice": "Select a review type from the list"},
    )
    year = forms.ChoiceField(
        label="Year recommendation agreed",
        required=False,
        error_messages={"invalid_choice": "Select a year from the list"},
    )

    def __init__(self, *args, agencies, themes, years, agency_filter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self._agencies = {str(agency.pk): agency for agency in agencies}
        self._themes = {str(theme.pk): theme for theme in themes}
        self.fields["agency"].choices = [("", "All agencies")] + [
            (pk, agency.name) for pk, agency in self._agencies.items()
        ]
        grouped: dict[str, list] = {}
        for pk, theme in self._themes.items():
            grouped.setdefault(Theme.Facet(theme.facet).label, []).append((pk, theme.name))
        self.fields["theme"].choices = [("", "All themes"), *grouped.items()]
        self.fields["year"].choices = [("", "All years")] + [(str(y), str(y)) for y in years]
        if not agency_filter:  # a contributor of one agency sees only that agency's actions
            del self.fields["agency"]

    def filters(self) -> TrackerFilters:
        """The filters chosen (every action of the default view when unbound or invalid)."""
        if not self.is_bound or not self.is_valid():
            return TrackerFilters()
        data = self.cleaned_data
        return TrackerFilters(
            theme=self._themes.get(data["theme"]),
            agency=self._agencies.get(data.get("agency") or ""),
            review_type=data["review_type"],
            year=int(data["year"]) if data["year"] else None,
            view=data["view"] or DEFAULT_VIEW,
        )
