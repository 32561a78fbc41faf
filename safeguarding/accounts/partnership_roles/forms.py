"""Forms of the partnership roles pages (the services check everything again)."""

from django import forms

from safeguarding.accounts.models import PartnershipRole, StatutoryPartner
from safeguarding.core.forms import GovukDateField, GovukForm, text_field


def _text(label: str, *, required: bool = True, hint: str = "") -> forms.CharField:
    messages = {"max_length": f"{label} must be 200 characters or fewer"}
    if required:
        messages["required"] = f"Enter {label.lower()}"
    return forms.CharField(
        label=label, max_length=200, required=required, help_text=hint, error_messages=messages
    )


class _AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} ({obj.email})"


class _LeadChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.person_name}, {obj.title}"


def _account_field() -> forms.ModelChoiceField:
    return _AccountChoice(
        label="Their account in the service",
        queryset=None,
        required=False,
        empty_label="No account: they do not sign in the service",
        help_text=(
            "Link their account if they sign decisions or sign-offs here: each signature "
            "then says it was given in this role"
        ),
        error_messages={"invalid_choice": "Choose a member of the partnership who sees its cases"},
    )


class RoleAddForm(GovukForm):
    kind = forms.ChoiceField(
        label="Role",
        choices=PartnershipRole.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the role"},
    )
    statutory_partner = forms.ChoiceField(
        label="Statutory partner they stand for",
        help_text="Not for the chair",
        choices=StatutoryPartner.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    delegated_by = _LeadChoice(
        label="Delegated by",
        help_text="For a Delegated Safeguarding Partner: the lead who delegated to them",
        queryset=None,
        required=False,
        empty_label="Choose the lead who delegated to them",
        error_messages={"invalid_choice": "Choose a lead whose role has not ended"},
    )
    person_name = _text("Name")
    job_title = _text("Job title", hint="For example Chief Constable, Chief Executive")
    organisation = _text(
        "Organisation",
        required=False,
        hint="For example Northshire Police, Northshire County Council",
    )
    user = _account_field()
    starts_on = GovukDateField(label="Date the role starts", help_text="For example 1 4 2025")

    def __init__(self, *args, leads, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegated_by"].queryset = leads
        self.fields["user"].queryset = members

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        leads_or_delegates = (PartnershipRole.Kind.LEAD, PartnershipRole.Kind.DELEGATE)
        if kind in leads_or_delegates and not data.get("statutory_partner"):
            self.add_error("statutory_partner", "Choose the statutory partner they stand for")
        if (
            kind == PartnershipRole.Kind.DELEGATE
            and not data.get("delegated_by")
            and "delegated_by" not in self.errors
        ):
            self.add_error("delegated_by", "Choose the lead who delegated to them")
        return data


class RoleChangeForm(GovukForm):
    job_title = _text("Job title")
    organisation = _text("Organisation", required=False)
    user = _account_field()
    starts_on = GovukDateField(label="Date the role starts")

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members


class RoleEndForm(GovukForm):
    ends_on = GovukDateField(label="Last day in the role")
    reason = text_field("Why the role ends", max_length=500, rows=3)
