"""Forms of the partnership setup pages (the services check everything again)."""

from django import forms

from safeguarding.accounts.models import Agency
from safeguarding.core.forms import GovukDateField, GovukForm


class AgencyAddForm(GovukForm):
    existing = forms.ModelChoiceField(
        label="Choose an agency already in the service",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose an agency",
        help_text="Agencies are shared between partnerships: pick one if it is listed",
    )
    name = forms.CharField(
        label="Or enter the name of a new agency",
        max_length=200,
        required=False,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
    kind = forms.ChoiceField(
        label="Kind of agency (for a new one)",
        choices=[("", "Choose a kind"), *Agency.Kind.choices],
        required=False,
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = choices

    def clean(self):
        data = super().clean()
        existing, name = data.get("existing"), (data.get("name") or "").strip()
        if existing and name:
            self.add_error("name", "Choose an agency from the list or enter a new name, not both")
        elif not existing and not name and not self.errors:
            self.add_error("existing", "Choose an agency or enter the name of a new one")
        elif name and not data.get("kind") and not Agency.objects.filter(name__iexact=name):
            self.add_error("kind", "Choose what kind of agency it is")
        return data


class AgencyRenameForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Enter the agency's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )


CAPACITY_HINT = (
    "The part of the partnership they sign for, for example Local authority, Integrated care "
    "board, Police, or Community Safety Partnership chair"
)


class DecisionMakerForm(GovukForm):
    capacity = forms.CharField(
        label="Capacity",
        max_length=100,
        help_text=CAPACITY_HINT,
        error_messages={
            "required": "Enter the capacity they sign in",
            "max_length": "The capacity must be 100 characters or fewer",
        },
    )
    user = forms.ModelChoiceField(
        label="Person",
        queryset=None,
        empty_label="Choose a person",
        help_text="A member of the partnership who may see its cases (not an administrator only)",
        error_messages={
            "required": "Choose a person",
            "invalid_choice": "Choose a member of the partnership who may see its cases",
        },
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"


class GuidanceAdoptForm(GovukForm):
    adopted_on = GovukDateField(
        label="Date the partnership adopted it",
        help_text="Cases the partnership becomes aware of on or after this date follow it. "
        "For example, 1 2 2024",
    )
    confirmed = forms.BooleanField(
        label="I confirm the partnership follows this version from this date",
        required=False,
        help_text="Needed for a draft, for law not yet in force, or for a date more than a year "
        "ahead",
    )


class AgencyContactForm(GovukForm):
    """Someone at an agency without an account in the service, emailed its requests."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Enter the contact's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Requests, reminders and cancellations are sent here while no one at the "
        "agency has an account in the service. Use a secure address, such as the agency's "
        "safeguarding mailbox",
        error_messages={
            "required": "Enter the contact's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )
    role = forms.CharField(
        label="Role at the agency",
        max_length=200,
        help_text="For example, 'Designated safeguarding lead'",
        error_messages={
            "required": "Enter the contact's role at the agency",
            "max_length": "The role must be 200 characters or fewer",
        },
    )
