"""The question pages of the online referral forms (docs/rules.md §referral-forms).

One Django form per question page. The pages "about you", "about the person", "what happened"
and "agencies" are shared by every review type; the "criteria" page differs by type. Field
names are the names of ``Referral`` and ``ReferralIdentity`` fields, so the answers map onto the
models without translation.

The same classes check the answers of an uploaded Word form (``word_forms``), so the rules are
identical whichever way a referral arrives.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from safeguarding.accounts.models import Partnership, ReviewType
from safeguarding.core.forms import GovukDateField, GovukForm

from .models import AbuseOrNeglect, Harm, HarmedBy, Place

CSPR = ReviewType.CSPR.value
SAR = ReviewType.SAFEGUARDING_ADULTS_REVIEW.value
DHR = ReviewType.DHR.value

# Fields of ReferralIdentity: the real identity, held apart from the referral.
IDENTITY_FIELDS = ("first_name", "last_name", "other_names", "date_of_birth", "address")

# Fields / answer kinds --------------------------------------------------------------------------

YES, NO, NOT_KNOWN = "yes", "no", "not_known"
_YES_NO_VALUES = {YES: True, NO: False, NOT_KNOWN: None}


def _yes_no(value: str) -> bool | None:
    return _YES_NO_VALUES.get(value)


class YesNoField(forms.TypedChoiceField):
    """A yes / no (/ not known) question as radios. Cleans to True, False or None (not known)."""

    def __init__(self, *, label: str, required_message: str, not_known: bool = True, **kwargs):
        choices = [(YES, "Yes"), (NO, "No")]
        if not_known:
            choices.append((NOT_KNOWN, "Not known"))
        super().__init__(
            label=label,
            choices=choices,
            coerce=_yes_no,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": required_message, "invalid_choice": required_message},
            **kwargs,
        )

    @staticmethod
    def as_data(value: bool | None) -> str:
        return {True: YES, False: NO}.get(value, NOT_KNOWN)


class ReferralDateField(GovukDateField):
    """A GOV.UK date input with the question's own "Enter ..." message when it is left empty."""

    def __init__(self, *, required_message: str = "", **kwargs):
        self.required_message = required_message
        super().__init__(**kwargs)

    def clean(self, value):
        if isinstance(value, (list, tuple)) and len(value) == 3:
            parts = [str(part if part is not None else "").strip() for part in value]
            if all(parts) and parts[2].isdigit() and len(parts[2]) != 4:
                # 27 3 25 would be the year 25, not 2025.
                raise ValidationError(
                    f"{self.label or 'Date'} must include a year with 4 numbers, like 2025",
                    code="invalid",
                )
        try:
            return super().clean(value)
        except ValidationError as error:
            if self.required_message and getattr(error, "code", None) == "required":
                raise ValidationError(self.required_message, code="required") from None
            raise


def _text(
    label: str,
    *,
    max_length: int,
    name_in_errors: str,
    required_message: str = "",
    help_text: str = "",
    rows: int = 0,
) -> forms.CharField:
    """A text question. ``rows`` > 0 makes it a text area."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required_message),
        help_text=help_text,
        widget=widget,
        error_messages={
            "required": required_message,
            "max_length": f"{name_in_errors} must be {max_length:,} characters or fewer",
        },
    )


def _choice(label: str, *, choices, required_message: str, help_text: str = ""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


_phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-]{6,}$",
    "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
)

DATE_EXAMPLE = "For example, 27 3 2025"


# Question pages ---------------------------------------------------------------------------------


class ReferralPageForm(GovukForm):
    """One question page. ``previous`` holds the cleaned answers of the pages before it, for
    checks that span pages (a date of death cannot be before the date of birth)."""

    titles: dict[str, str] = {}

    def __init__(
        self,
        *args,
        partnership: Partnership,
        review_type: str,
        previous: dict | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.review_type = review_type
        self.previous = previous or {}

    @classmethod
    def title_for(cls, review_type: str) -> str:
        return cls.titles.get(review_type) or cls.titles["default"]


class ReferrerForm(ReferralPageForm):
    """About you: the professional making the referral (§referral-forms)."""

    titles = {"default": "About you"}

    referrer_name = _text(
        "Your full name",
        max_length=200,
        name_in_errors="Your name",
        required_message="Enter your full name",
    )
    referrer_job_title = _text(
        "Your job title",
        max_length=200,
        name_in_errors="Your job title",
        required_message="Enter your job title",
    )
    referrer_organisation = _text(
        "Your organisation",
        max_length=200,
        name_in_errors="The name of your organisation",
        required_message="Enter the name of your organisation",
        help_text="For example, Testshire Police or St Anne's Primary School",
    )
    referrer_email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        help_text="We will send you an acknowledgement and a private link to follow the "
        "referral's progress",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Your email address must be 254 characters or fewer",
        },
    )
    referrer_phone = forms.CharField(
        label="Your telephone number",
        max_length=40,
        required=False,
        help_text="So that the business unit can call you about the referral",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        validators=[_phone_validator],
        error_messages={"max_length": "Your telephone number must be 40 characters or fewer"},
    )
    discussed_with_safeguarding_lead = YesNoField(
        label="Have you discussed this referral with your organisation's safeguarding lead?",
        required_message="Select yes if you have discussed this referral with your "
        "safeguarding lead",
        not_known=False,
    )


class PersonForm(ReferralPageForm):
    """About the person: held apart from the referral as ReferralIdentity (DESIGN §2)."""

    titles = {
        "default": "About the person",
        CSPR: "About the child",
        SAR: "About the adult",
        DHR: "About the person who died",
    }

    first_name = _text(
        "First name",
        max_length=100,
        name_in_errors="First name",
        required_message="Enter their first name",
    )
    last_name = _text(
        "Last name",
        max_length=100,
        name_in_errors="Last name",
        required_message="Enter their last name",
    )
    other_names = _text(
        "Other names they are known by",
        max_length=200,
        name_in_errors="Other names",
        help_text="For example, a previous surname or a name they use",
    )
    date_of_birth = ReferralDateField(
        label="Date of birth",
        required=False,
        help_text="For example, 27 3 2007. If you do not know it, give their age instead",
    )
    age_years = forms.IntegerField(
        label="Age in years",
        required=False,
        min_value=0,
        max_value=130,
        help_text="Only if you do not know their date of birth: their age at the time of "
        "the incident",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": "Age must be a whole number, like 15",
            "min_value": "Age must be 0 or more",
            "max_value": "Age must be 130 or less",
        },
    )
    address = _text(
        "Home address",
        max_length=500,
        name_in_errors="Home address",
        rows=3,
        help_text="Where they lived at the time",
    )

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise ValidationError("Date of birth must be today or in the past")
        return born

    def clean(self):
        cleaned = super().clean()
        if "date_of_birth" in self.errors or "age_years" in self.errors:
            return cleaned
        if cleaned.get("date_of_birth") is None and cleaned.get("age_years") is None:
            self.add_error("date_of_birth", "Enter their date of birth or their age")
        return cleaned


class WhatHappenedForm(ReferralPageForm):
    """The incident: dates, harm, abuse or neglect, place (R1 child, R19 and R22 adult, R27 DHR)."""

    titles = {"default": "What happened"}

    incident_date = ReferralDateField(
        label="Date of the incident",
        required_message="Enter the date of the incident",
        help_text="If it happened over a period of time, the date it came to light. "
        + DATE_EXAMPLE,
    )
    harm = _choice(
        "What happened to them?",
        choices=Harm.choices,
        required_message="Select what happened to them",
    )
    date_of_death = ReferralDateField(
        label="Date of death",
        required=False,
        help_text="Only if they died. " + DATE_EXAMPLE,
    )
    abuse_or_neglect = _choice(
        "Is abuse or neglect of them by someone else known or suspected?",
        choices=AbuseOrNeglect.choices,
        required_message="Select whether abuse or neglect is known or suspected",
        help_text="Including domestic abuse, such as coercive control by a partner or relative",
    )
    # R19 condition 1, R27, R38: the tests ask whether the death resulted, or appears to have
    # resulted, from abuse or neglect (never whether anyone caused it).
    death_resulted_from_abuse = YesNoField(
        label="Did the death result, or does it appear to have resulted, from abuse or neglect?",
        required=False,
        required_message="Select whether the death resulted, or appears to have resulted, "
        "from abuse or neglect",
        help_text="Only if they died. Including domestic abuse and self-neglect",
    )
    place = _choice(
        "Where did it happen?",
        choices=Place.choices,
        required_message="Select where it happened",
    )
    normally_resident_in_area = YesNoField(
        label="Do they normally live in the partnership's area?",
        required_message="Select whether they normally live in the area",
    )
    what_happened = _text(
        "What happened",
        max_length=10_000,
        name_in_errors="What happened",
        required_message="Describe what happened",
        rows=10,
        help_text="When and where it happened, who was involved, and why you think abuse or "
        "neglect may have played a part. Up to 10,000 characters",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area = self.partnership.area_name
        if area:
            self.fields["place"].choices = [
                (value, f"In {area}" if value == Place.IN_AREA else label)
                for value, label in Place.choices
            ]
            self.fields["normally_resident_in_area"].label = f"Do they normally live in {area}?"

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        born = self.previous.get("date_of_birth")
        incident = cleaned.get("incident_date")
        if incident:
            if incident > today:
                self.add_error("incident_date", "Date of the incident must be today or in the past")
            elif born and incident < born:
                self.add_error(
                    "incident_date", "Date of the incident must be on or after the date of birth"
                )
        if cleaned.get("harm") != Harm.DIED:
            # The date of death and the death's cause belong to the "they died" answer only:
            # ignore them otherwise.
            cleaned["date_of_death"] = None
            cleaned["death_resulted_from_abuse"] = None
            if cleaned.get("harm"):
                self._errors.pop("date_of_death", None)
                self._errors.pop("death_resulted_from_abuse", None)
            return cleaned
        if not self.data.get(self.add_prefix("death_resulted_from_abuse")):
            self.add_error(
                "death_resulted_from_abuse",
                self.fields["death_resulted_from_abuse"].error_messages["required"],
            )
        died = cleaned.get("date_of_death")
        if "date_of_death" in self.errors:
            return cleaned
        if died is None:
            self.add_error("date_of_death", "Enter the date of death")
        elif died > today:
            self.add_error("date_of_death", "Date of death must be today or in the past")
        elif born and died < born:
            self.add_error("date_of_death", "Date of death must be on or after the date of birth")
        elif incident and died < incident:
            self.add_error(
                "date_of_death", "Date of death must be on or after the date of the incident"
            )
        return cleaned


def _concern_fields() -> dict:
    return {
        "agency_working_concern": YesNoField(
            label="Is there concern about how agencies worked together to safeguard them?",
            required_message="Select whether there is concern about how agencies worked together",
        ),
        "concerns_working_together": _text(
            "What are the concerns about how agencies worked together?",
            max_length=5_000,
            name_in_errors="The concerns",
            rows=5,
            help_text="Only if you answered yes. Up to 5,000 characters",
        ),
    }


def _clean_concerns(form: forms.Form, cleaned: dict) -> None:
    if cleaned.get("agency_working_concern") is True and not cleaned.get(
        "concerns_working_together"
    ):
        form.add_error(
            "concerns_working_together", "Describe the concerns about how agencies worked together"
        )
    if cleaned.get("agency_working_concern") is not True and "agency_working_concern" in cleaned:
        cleaned["concerns_working_together"] = ""


class CsprCriteriaForm(ReferralPageForm):
    """The child's legal status (§referral-forms; R4 looked after, R5 care leaver)."""

    titles = {"default": "The child's legal status"}

    looked_after = YesNoField(
        label="Is the child looked after by a local authority?",
        required_message="Select whether the child is looked after by a local authority",
        help_text="In care, or accommodated by a council",
    )
    child_protection_plan = YesNoField(
        label="Is the child on a child protection plan, now or in the past?",
        required_message="Select whether the child is or was on a child protection plan",
    )
    care_leaver = YesNoField(
        label="Is the young person a care leaver?",
        required_message="Select whether the young person is a care leaver",
        help_text="Someone aged 25 or under who used to be looked after by a local authority",
    )


class SarCriteriaForm(ReferralPageForm):
    """The Care Act 2014 s44 tests (§referral-forms; R19–R22)."""

    titles = {"default": "Care and support, and how agencies worked together"}

    care_and_support_needs = YesNoField(
        label="Does the adult have needs for care and support?",
        required_message="Select whether the adult has needs for care and support",
        help_text="Whether or not the local authority was meeting those needs",
    )
    care_needs_description = _text(
        "Describe their care and support needs",
        max_length=2_000,
        name_in_errors="The description of their needs",
        rows=4,
        help_text="For example physical, sensory, memory or cognition, learning disability, "
        "autism, mental health, substance use. Up to 2,000 characters",
    )
    self_neglect = YesNoField(
        label="Is self-neglect known or suspected?",
        required_message="Select whether self-neglect is known or suspected",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_concern_fields())
        self.fields["person_aware_of_referral"] = YesNoField(
            label="Does the adult know about this referral?",
            required_message="Select whether the adult knows about this referral",
            help_text="Answer not known if they have died",
        )

    def clean(self):
        cleaned = super().clean()
        _clean_concerns(self, cleaned)
        return cleaned


class DhrCriteriaForm(ReferralPageForm):
    """The death and the household (§referral-forms; R27 and R28 the person responsible and the
    household, R29 suicide after domestic abuse, R38 domestic abuse and personal connection,
    children in the household)."""

    titles = {"default": "About the death and the household"}

    harmed_by = _choice(
        "Who is known or suspected to have abused or neglected them?",
        choices=HarmedBy.choices,
        required_message="Select who is known or suspected to have abused or neglected them",
        help_text="If more than one person, choose the one with the closest connection to them. "
        "For a suicide after domestic abuse, choose the abuser",
    )
    responsible_in_household = YesNoField(
        label="Did that person live in their household, or stay there so often that they were "
        "in effect part of it?",
        required_message="Select whether that person lived in or often stayed in their household",
        help_text="A partner or relative counts whether or not they lived there",
    )
    responsible_aged_16_or_over = YesNoField(
        label="Was that person aged 16 or over?",
        required_message="Select whether that person was aged 16 or over",
    )
    suspected_suicide = YesNoField(
        label="Is suicide suspected?",
        required_message="Select whether suicide is suspected",
    )
    domestic_abuse_history = YesNoField(
        label="Is domestic abuse of them known or suspected?",
        required_message="Select whether domestic abuse of them is known or suspected",
        help_text="For example coercive control, violence, threats, or economic or emotional "
        "abuse by a partner, former partner or relative",
    )
    criminal_justice_status = _text(
        "Criminal justice status",
        max_length=500,
        name_in_errors="Criminal justice status",
        help_text="For example, arrested, charged, awaiting trial; the police operation name",
    )
    children_in_household = YesNoField(
        label="Were there children in the household?",
        required_message="Select whether there were children in the household",
    )


class AgenciesForm(ReferralPageForm):
    """Agencies involved (§referral-forms). For CSPR and DHR this page also asks about agencies
    working together; for SAR that question is one of the s44 tests on the criteria page."""

    titles = {"default": "Agencies involved"}

    agencies = forms.ModelMultipleChoiceField(
        label="Which agencies were involved with them?",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "invalid_choice": "Select agencies from the list",
            "invalid_pk_value": "Select agencies from the list",
        },
    )
    other_agencies = _text(
        "Other agencies involved",
        max_length=500,
        name_in_errors="Other agencies",
        help_text="Any agency not in the list",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = self.partnership.agencies.order_by("name")
        self.fields["agencies"].queryset = queryset
        if self.review_type != SAR:
            self.fields.update(_concern_fields())

    def clean(self):
        cleaned = super().clean()
        _clean_concerns(self, cleaned)
        return cleaned


# The pages of each form ---------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    slug: str
    form_class: type[ReferralPageForm]

    def title(self, review_type: str) -> str:
        return self.form_class.title_for(review_type)


_CRITERIA = {CSPR: CsprCriteriaForm, SAR: SarCriteriaForm, DHR: DhrCriteriaForm}

PAGES: dict[str, list[Page]] = {
    review_type: [
        Page("about-you", ReferrerForm),
        Page("about-the-person", PersonForm),
        Page("what-happened", WhatHappenedForm),
        Page("criteria", criteria_form),
        Page("agencies", AgenciesForm),
    ]
    for review_type, criteria_form in _CRITERIA.items()
}

# What each form is for, in the referrer's words (start page, Word form).
FORM_TITLES = {
    CSPR: "Refer a serious child safeguarding incident",
    SAR: "Refer a case for a Safeguarding Adults Review",
    DHR: "Notify a domestic abuse related death",
}
FORM_DESCRIPTIONS = {
    CSPR: "A child has died or been seriously harmed and abuse or neglect (including domestic "
    "abuse) is known or suspected (Child Safeguarding Practice Review)",
    SAR: "An adult with care and support needs has died and the death resulted, or appears to "
    "have resulted, from abuse or neglect, or is alive and has experienced serious abuse or "
    "neglect, and agencies could have worked together better (Safeguarding Adults Review)",
    DHR: "Someone aged 16 or over has died, and the death resulted or appears to have resulted "
    "from violence, abuse or neglect by a relative, partner or member of their household, or "
    "from domestic abuse (Domestic Homicide Review)",
}


def pages_for(review_type: str) -> list[Page]:
    return PAGES[review_type]


def page_get(review_type: str, slug: str) -> Page | None:
    return next((page for page in PAGES.get(review_type, []) if page.slug == slug), None)


def page_form(
    page: Page, *, partnership: Partnership, review_type: str, data=None, previous=None
) -> ReferralPageForm:
    return page.form_class(
        data, partnership=partnership, review_type=review_type, previous=previous
    )


# Answers kept between pages (JSON-safe) -----------------------------------------------------


def answers_from_cleaned(form: forms.Form) -> dict:
    """A page's cleaned answers as JSON-safe values (dates as ISO strings, agencies as ids)."""
    stored = {}
    for name, value in form.cleaned_data.items():
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif name == "agencies":
            value = [agency.pk for agency in value]
        stored[name] = value
    return stored


def data_from_answers(form: forms.Form, answers: dict) -> dict:
    """Form data (as a browser would post it) from stored answers: binding a page to this data
    shows the answers again and re-checks them."""
    data: dict = {}
    for name, field in form.fields.items():
        value = answers.get(name)
        if isinstance(field, GovukDateField):
            day = month = year = ""
            if value:
                date = datetime.date.fromisoformat(value)
                day, month, year = str(date.day), str(date.month), str(date.year)
            data.update({f"{name}_0": day, f"{name}_1": month, f"{name}_2": year})
        elif isinstance(field, YesNoField):
            data[name] = YesNoField.as_data(value) if name in answers else ""
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [str(pk) for pk in value or []]
        else:
            data[name] = "" if value is None else str(value)
    return data


# Checking every page together ---------------------------------------------------------------


@dataclass
class CheckedPage:
    page: Page
    form: ReferralPageForm
    answered: bool

    @property
    def complete(self) -> bool:
        return self.answered and self.form.is_valid()


def pages_check(*, partnership: Partnership, review_type: str, data_for_page) -> list[CheckedPage]:
    """Bind every page of a form in order; ``data_for_page(page, form)`` gives the page's data
    (None: not answered yet). Later pages see the answers of earlier ones."""
    previous: dict = {}
    checked = []
    for page in pages_for(review_type):
        blank = page_form(page, partnership=partnership, review_type=review_type)
        data = data_for_page(page, blank)
        if data is None:
            checked.append(CheckedPage(page, blank, answered=False))
            continue
        form = page_form(
            page, partnership=partnership, review_type=review_type, data=data, previous=previous
        )
        if form.is_valid():
            previous.update(form.cleaned_data)
        checked.append(CheckedPage(page, form, answered=True))
    return checked


def age_in_years(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def referral_arguments(*, checked: list[CheckedPage]) -> dict:
    """The keyword arguments of ``services.referral_submit`` from complete pages:
    ``answers`` (Referral fields), ``identity`` (ReferralIdentity fields) and ``agencies``."""
    cleaned: dict = {}
    for item in checked:
        cleaned.update(item.form.cleaned_data)
    agencies = list(cleaned.pop("agencies", []))
    identity = {name: cleaned.pop(name) for name in IDENTITY_FIELDS}
    identity = {
        name: ("" if value is None and name != "date_of_birth" else value)
        for name, value in identity.items()
    }
    born = identity["date_of_birth"]
    if born is not None:
        # Screening needs the age at the time (R1 child, R27 aged 16 or over): the date of
        # birth, when given, wins over an age typed in.
        on = cleaned.get("date_of_death") or cleaned.get("incident_date") or timezone.localdate()
        cleaned["age_years"] = max(age_in_years(born, on), 0)
    return {"answers": cleaned, "identity": identity, "agencies": agencies}
