"""Partnerships, agencies, people and the roles they hold (DESIGN.md §2, §6)."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .email_addresses import email_normalise

# Paths at the top of the site (and /manage/notifications/); a partnership's slug may not take
# one of them.
RESERVED_SLUGS = frozenset(
    {
        "manage",
        "notifications",
        "sign-in",
        "sign-out",
        "account",
        "admin",
        "static",
        "media",
        "healthz",
        "accessibility",
        "privacy",
        "password-reset",
        "documents",
        "invitation",
    }
)


class ReviewType(models.TextChoices):
    """The three statutory review types. "SAR" here is always a Safeguarding Adults Review,
    never a Subject Access Request (R44)."""

    CSPR = "cspr", "Child Safeguarding Practice Review"
    SAFEGUARDING_ADULTS_REVIEW = "sar", "Safeguarding Adults Review"
    DHR = "dhr", "Domestic Homicide Review"


class Partnership(models.Model):
    class Kind(models.TextChoices):
        CHILDREN = "children", "Children's safeguarding partnership"
        ADULTS = "adults", "Safeguarding adults board"
        COMMUNITY_SAFETY = "community_safety", "Community safety partnership"
        COMBINED = "combined", "Combined safeguarding partnership"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Use lower-case words and -")],
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    runs_cspr = models.BooleanField("Runs Child Safeguarding Practice Reviews", default=False)
    runs_safeguarding_adults_reviews = models.BooleanField(
        "Runs Safeguarding Adults Reviews", default=False
    )
    runs_dhr = models.BooleanField("Runs Domestic Homicide Reviews", default=False)
    area_name = models.CharField(max_length=200, help_text="The place the partnership covers")
    contact_email = models.EmailField(blank=True)
    agencies = models.ManyToManyField("Agency", related_name="partnerships", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": "This address is used by the service itself"})
        if not (self.runs_cspr or self.runs_safeguarding_adults_reviews or self.runs_dhr):
            raise ValidationError("A partnership runs at least one review type")

    @property
    def review_types(self) -> list[ReviewType]:
        flags = (
            (self.runs_cspr, ReviewType.CSPR),
            (self.runs_safeguarding_adults_reviews, ReviewType.SAFEGUARDING_ADULTS_REVIEW),
            (self.runs_dhr, ReviewType.DHR),
        )
        return [review_type for runs, review_type in flags if runs]


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        ICB = "icb", "Integrated care board"
        CHILDRENS_SERVICES = "childrens_services", "Council children's services"
        ADULT_SOCIAL_CARE = "adult_social_care", "Council adult social care"
        HEALTH_PROVIDER = "health_provider", "Health provider (hospital or community trust)"
        GP = "gp", "General practice"
        SCHOOL = "school", "School or education"
        PROBATION = "probation", "Probation"
        HOUSING = "housing", "Housing"
        AMBULANCE = "ambulance", "Ambulance service"
        VOLUNTARY = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class LowerCaseEmailField(models.EmailField):
    """An email address kept in lower case, and looked up in lower case: saving Sam@X.example
    stores sam@x.example, and filter(email="SAM@x.example") finds it."""

    def to_python(self, value):
        value = super().to_python(value)
        return email_normalise(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return email_normalise(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str) and value != email_normalise(value):
            value = email_normalise(value)
            setattr(model_instance, self.attname, value)
        return value


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=email_normalise(self.normalize_email(email)), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. What they may do comes from their memberships."""

    email = LowerCaseEmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    # Only superusers may use the system administration site (/admin/), whatever this says;
    # both flags are set with manage.py commands only (ADR 0011).
    is_staff = models.BooleanField(
        default=False, help_text="Set with is_superuser by manage.py grant_system_admin"
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name


class Role(models.TextChoices):
    BUSINESS_UNIT = "business_unit", "Business unit"
    PARTNER_LEAD = "partner_lead", "Statutory partner lead"
    PANEL_MEMBER = "panel_member", "Panel member"
    REVIEWER = "reviewer", "Reviewer"
    AGENCY_CONTRIBUTOR = "agency_contributor", "Agency contributor"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(models.Model):
    """One role a user holds in one partnership. Agency contributors act for one agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role="agency_contributor", agency__isnull=False)
                    | ~models.Q(role="agency_contributor")
                ),
                name="membership_agency_contributor_has_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.full_name}: {self.get_role_display()} in {self.partnership.name}"


# Roles that open case content (referrals, cases, reviews, requests, identities): only the
# partnership's business unit may give them (ADR 0011).
CASE_DATA_ROLES = frozenset(
    {
        Role.BUSINESS_UNIT,
        Role.PARTNER_LEAD,
        Role.PANEL_MEMBER,
        Role.REVIEWER,
        Role.AGENCY_CONTRIBUTOR,
    }
)


class Invitation(models.Model):
    """An invitation to join a partnership with some roles, sent by email as a one-time link.

    Only a hash of the link's token is kept: the token itself is in the email alone. Sending it
    again makes a new token (the old link stops working) and a new expiry date.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the person"
        EXPIRED = "expired", "Expired"
        ACCEPTED = "accepted", "Accepted"
        CANCELLED = "cancelled", "Cancelled"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="invitations"
    )
    email = LowerCaseEmailField()
    full_name = models.CharField(max_length=200)
    roles = models.JSONField(default=list, help_text="Role values, for example ['reviewer']")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    # Who invited, as text: the inviter's email, or the manage.py command that did.
    invited_by_label = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "email"],
                condition=models.Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.full_name} <{self.email}>"

    @property
    def status(self) -> "Invitation.Status":
        if self.cancelled_at is not None:
            return self.Status.CANCELLED
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_open(self) -> bool:
        """Not accepted or cancelled: it can be sent again (even if expired) or cancelled."""
        return self.accepted_at is None and self.cancelled_at is None

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles if role in Role.values]


class Deactivation(models.Model):
    """A person taken out of a partnership: every role they held there ended at once.

    The ended memberships are kept here (role and agency) for history and so that reactivation
    can offer them again. Their account is switched off (``is_active``) only if they hold no
    role in any other partnership. Open until the person is reactivated.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="deactivations")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="deactivations"
    )
    memberships = models.JSONField(
        default=list, help_text="The ended memberships: [{'role': ..., 'agency': id or null}]"
    )
    account_switched_off = models.BooleanField(default=False)
    deactivated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deactivated_at = models.DateTimeField(auto_now_add=True)
    reactivated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-deactivated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"],
                condition=models.Q(reactivated_at__isnull=True),
                name="deactivation_one_open_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.full_name} deactivated in {self.partnership.name}"


class AgencyContact(models.Model):
    """Someone at an agency that works outside the service (no account here), recorded by one
    partnership's business unit: the partnership's requests to the agency, their chases and
    closures are emailed to its contacts when no one there has an account (ADR 0020). The
    email has no link to sign in: it says what was asked and by when, and the business unit
    records what comes back on the agency's behalf (ADR 0013).

    Removed contacts are archived (``archived_at``), never deleted: the notices sent to them
    keep their address."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="agency_contacts"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    email = LowerCaseEmailField(max_length=254)
    role = models.CharField(max_length=200, help_text="For example, 'Designated safeguarding lead'")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "agency", "email"],
                condition=models.Q(archived_at__isnull=True),
                name="agency_contact_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role}, {self.agency.name})"


class StatutoryPartner(models.TextChoices):
    """The three statutory safeguarding partners of a local authority area (Children Act 2004
    s16E; Working Together 2023 chapter 2: docs/rules.md §partnership-roles). An adults board
    and a community safety partnership have the same three at their core."""

    LOCAL_AUTHORITY = "local_authority", "Local authority"
    ICB = "icb", "Integrated care board"
    POLICE = "police", "Chief officer of police"


class PartnershipRole(models.Model):
    """A Working Together 2023 role held in a partnership for a period (docs/rules.md
    §partnership-roles): a Lead Safeguarding Partner (the head of the local authority, the
    integrated care board or the police force), a Delegated Safeguarding Partner (named by a
    lead to act and sign for it) or the partnership chair.

    Recorded by the business unit (``accounts/partnership_roles``), never deleted: a role is
    ended with a date (``ends_on``) and a new one recorded for the next person, so signatures
    given in a role keep pointing at it. ``user`` links the person's account when they have
    one: their signatures then say in what capacity they signed."""

    class Kind(models.TextChoices):
        LEAD = "lead", "Lead Safeguarding Partner"
        DELEGATE = "delegate", "Delegated Safeguarding Partner"
        CHAIR = "chair", "Partnership chair"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="partnership_roles"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    statutory_partner = models.CharField(
        max_length=20, choices=StatutoryPartner.choices, blank=True
    )
    person_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partnership_roles",
    )
    delegated_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="delegates"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "statutory_partner", "-starts_on", "id"]
        constraints = [
            # A lead or a delegate stands for one statutory partner; the chair for none.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="chair", statutory_partner="")
                    | (~models.Q(kind="chair") & ~models.Q(statutory_partner=""))
                ),
                name="partnership_role_partner_for_leads_and_delegates",
            ),
            # Only a delegate is delegated by someone.
            models.CheckConstraint(
                condition=models.Q(kind="delegate") | models.Q(delegated_by__isnull=True),
                name="partnership_role_only_delegates_are_delegated",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="partnership_role_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name}: {self.title}"

    @property
    def title(self) -> str:
        """The role in words: "Lead Safeguarding Partner for the chief officer of police"."""
        if self.kind == self.Kind.CHAIR:
            return str(self.Kind.CHAIR.label)
        return f"{self.get_kind_display()} for the {self.get_statutory_partner_display().lower()}"

    def held_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)
