"""Forms of the people pages. What a form offers is what the signed-in person may do: the role
choices are the roles they may give (the services check again)."""

from django import forms
from django.contrib.auth import forms as auth_forms

from safeguarding.accounts.email_addresses import email_normalise
from safeguarding.accounts.forms import GovukPasswordHints
from safeguarding.accounts.models import Agency, Role
from safeguarding.core.forms import GovukForm

# What each role opens, shown beside its checkbox (DESIGN §2).
ROLE_HINTS = {
    Role.BUSINESS_UNIT: "everything in the partnership, and managing its people",
    Role.PARTNER_LEAD: "records and signs decisions; sees the partnership's cases",
    Role.PANEL_MEMBER: "the reviews they sit on",
    Role.REVIEWER: "the reviews they are appointed to",
    Role.AGENCY_CONTRIBUTOR: "only the requests and actions of their agency",
    Role.ADMINISTRATOR: "manages people; sees no case content",
}


def role_choices(roles: list[str]) -> list[tuple[str, str]]:
    return [(role, f"{Role(role).label}: {ROLE_HINTS[Role(role)]}") for role in roles]


class RolesForm(GovukForm):
    """Roles in this partnership, and the agency for an agency contributor."""

    roles = forms.MultipleChoiceField(
        label="Roles",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Choose at least one role"},
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose an agency",
        help_text="Needed for an agency contributor: the agency they answer requests for",
    )

    def __init__(self, *args, grantable: list[str], agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices(grantable)
        self.fields["agency"].queryset = agencies

    def clean(self):
        cleaned = super().clean()
        roles = cleaned.get("roles") or []
        if Role.AGENCY_CONTRIBUTOR in roles and not cleaned.get("agency"):
            self.add_error("agency", "Choose the agency this person works for")
        return cleaned


class InviteForm(RolesForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email address. The invitation is sent there",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their full name",
            "max_length": "Full name must be 200 characters or fewer",
        },
    )

    field_order = ["email", "full_name", "roles", "agency"]

    def clean_email(self) -> str:
        return email_normalise(self.cleaned_data["email"])


class PeopleFilterForm(GovukForm):
    q = forms.CharField(
        label="Name or email address", required=False, max_length=200, help_text="Or part of one"
    )
    role = forms.ChoiceField(
        label="Role",
        required=False,
        choices=[("", "All people"), *Role.choices, ("deactivated", "Deactivated people")],
    )


class AcceptForm(GovukPasswordHints, auth_forms.SetPasswordForm):
    """Set a password (the service's password rules) for the account the invitation makes."""

    error_messages = {"password_mismatch": "The passwords do not match"}

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "Password"
        self.fields["new_password2"].label = "Confirm password"
        self.fields["new_password1"].error_messages["required"] = "Enter a password"
        self.fields["new_password2"].error_messages["required"] = "Enter the password again"
