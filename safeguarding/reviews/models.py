"""Running a review (docs/rules.md §rapid-review, §local-reviews, §family-involvement,
§quality-markers, §agency-contributions, §chronology, §terms-of-reference, §panel-membership).

A Review belongs to a case and covers one or more of its tracks (a joint review runs several).
Its stage moves only through workflow.py. Agencies are asked for information (AgencyRequest) and
answer with versioned returns (AgencyReturn: never overwritten). Chronology entries from every
agency make one merged chronology. People in the case are known by pseudonym everywhere; their
real identities are held apart (PersonIdentity) and every view is audited.

People in the case, appointments, meetings and family contacts are changed in place and removed
by archiving (``RemovableRecord``): never deleted, kept with who removed them, when and why, and
restored by the business unit. Their history is their audit events (ADR 0015).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from safeguarding.accounts.models import Agency, Partnership, PartnershipRole
from safeguarding.core.encryption import EncryptedDateField, EncryptedTextField
from safeguarding.core.files import UploadPath
from safeguarding.core.models import ArchivableModel, ArchivableQuerySet, TimeStampedModel
from safeguarding.core.uploads import KINDS
from safeguarding.referrals.models import (
    Case,
    DecisionMaker,
    Objection,
    Outcome,
    Track,
    objection_constraints,
)


class Review(ArchivableModel):
    """A review of a case. Archived with its case by the retention schedule
    (records/retention.py): it leaves the list of reviews, and its pages stay."""

    class Kind(models.TextChoices):
        RAPID_REVIEW = "rapid_review", "Rapid review"
        LCSPR = "lcspr", "Local child safeguarding practice review"
        SAR = "sar", "Safeguarding Adults Review"
        DHR = "dhr", "Domestic Homicide Review"
        JOINT = "joint", "Joint review"

    class Stage(models.TextChoices):
        # Rapid review (§rapid-review)
        GATHERING_SUMMARIES = "gathering_summaries", "Gathering agency summaries"
        MEETING = "meeting", "Rapid review meeting"
        SUBMITTED_TO_PANEL = "submitted_to_panel", "Sent to the National Panel"
        # A review (§local-reviews)
        COMMISSIONING = "commissioning", "Commissioning"
        AGENCY_REPORTS = "agency_reports", "Agency reports and chronology"
        DRAFTING = "drafting", "Analysis and drafting"
        SIGN_OFF = "sign_off", "Sign-off"
        SIGNED_OFF = "signed_off", "Signed off"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="reviews")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    tracks = models.ManyToManyField(Track, related_name="reviews")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    stage = models.CharField(max_length=30, choices=Stage.choices)
    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200, help_text="How the review is named, e.g. 'Child B'")
    started_on = models.DateField()
    agencies = models.ManyToManyField(Agency, blank=True, related_name="reviews")

    # Rapid review meeting and outcome (§rapid-review), submission to the Panel (R10, R11)
    meeting_held_on = models.DateField(null=True, blank=True)
    meeting_attendees = models.TextField(max_length=2_000, blank=True)
    facts_summary = models.TextField(max_length=20_000, blank=True)
    learning_identified = models.TextField(max_length=20_000, blank=True)
    recommendation = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    recommendation_rationale = models.TextField(max_length=10_000, blank=True)
    national_importance_view = models.TextField(max_length=5_000, blank=True)
    panel_submitted_on = models.DateField(null=True, blank=True)
    panel_response_on = models.DateField(null=True, blank=True)
    panel_response = models.TextField(max_length=10_000, blank=True)

    # Terms of reference (§terms-of-reference)
    scope_start = models.DateField(null=True, blank=True)
    scope_end = models.DateField(null=True, blank=True)
    key_lines_of_enquiry = models.TextField(max_length=10_000, blank=True)
    methodology = models.TextField(max_length=5_000, blank=True)
    family_involvement_plan = models.TextField(max_length=5_000, blank=True)
    timescale = models.TextField(max_length=2_000, blank=True)
    parallel_processes = models.TextField(
        max_length=5_000, blank=True, help_text="Criminal proceedings, inquest, other reviews"
    )

    # When the last signature was given (R24: the annual figures count a review as concluded
    # from this date). Every signed-off review has one (constraint below); reopening clears it.
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["partnership", "stage"], name="review_partnership_stage"),
            # The retention page counts the reviews of each closed case from this index alone
            # (issue 16: the row of each of thousands of closed cases' reviews was read).
            models.Index(fields=["case", "archived_at"], name="review_case_archived"),
            # The staff home's reviews, newest first, read in order twenty at a time, and a
            # partnership's first review (the report pages' years), without reading every
            # review of the partnership (issue 16).
            models.Index(fields=["partnership", "-started_on", "-id"], name="review_newest"),
            # The list of reviews of the partnership and those shared with it, newest first,
            # 25 at a time: walked in order, it stops at the page's last row (issue 16: every
            # visible review was read and sorted with its long texts, 0.7 ms in a first year
            # against 3.6 at ten years).
            models.Index(fields=["-started_on", "-id"], name="review_list_order"),
            # The reviews a partnership signed off in a period (the board pack's durations and
            # their clocks, the annual figures): read from the period's rows, not from every
            # review of the partnership (issue 16: 0.5 ms a read at ten years, four reads).
            models.Index(fields=["partnership", "signed_off_at"], name="review_signed_off"),
        ]
        constraints = [
            # Signed off is the last stage (workflow.py); publication follows in its own app
            # and needs the review signed off, so this covers published reviews too.
            models.CheckConstraint(
                condition=~models.Q(stage="signed_off") | models.Q(signed_off_at__isnull=False),
                name="review_signed_off_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_rapid_review(self) -> bool:
        return self.kind == self.Kind.RAPID_REVIEW

    @property
    def is_read_only(self) -> bool:
        return self.stage == self.Stage.SIGNED_OFF


class RemovableRecord(ArchivableModel):
    """A record of a review that the business unit changes in place and removes by archiving
    (issue 13): ``archived_at``/``archived_by`` say when and by whom, ``archive_reason`` why.
    ``objects.active()`` is what lists, exports, invitations and access use."""

    archive_reason = models.TextField(max_length=2_000, blank=True)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True


class Appointment(RemovableRecord):
    """Reviewer(s), chair and panel members (§panel-membership). Reviewer and chair names are
    published. An appointment that ends is archived with its end date: the linked account no
    longer sees the review (``permissions.is_appointed``) nor is invited to its meetings."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer", "Reviewer"
        CHAIR = "chair", "Chair"
        PANEL_MEMBER = "panel_member", "Panel member"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appointments")
    role = models.CharField(max_length=20, choices=Role.choices)
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_appointments",
        help_text="Their account, so they can see the review",
    )
    independent = models.BooleanField(default=False)
    appointed_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Meeting(RemovableRecord):
    """A meeting of the review: recorded once held, or planned ahead (then the people appointed
    to the review with an account get a calendar invitation, running/invitations.py). A
    meeting cancelled or recorded by mistake is archived; a cancelled planned meeting sends a
    cancellation."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    # The calendar invitation's SEQUENCE: one more at each change sent to the invitees.
    sequence = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    attendees = models.TextField(max_length=2_000, blank=True)
    minutes = models.TextField(max_length=50_000, blank=True)
    follow_ups = models.TextField(max_length=10_000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d %b %Y})"


class ImmediateAction(models.Model):
    """Learning or safety action taken at once, during a rapid review (§rapid-review)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="immediate_actions")
    action = models.TextField(max_length=5_000)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    taken_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        ordering = ["taken_on", "id"]

    def __str__(self) -> str:
        return self.action[:60]


class AgencyRequest(models.Model):
    """What the review asked one agency for, and by when (§agency-contributions).

    A request is open until the agency returns it (``returned_at``: its first return, sent by
    the agency or recorded by the business unit on its behalf) or the business unit closes it
    (``closure``): cancelled (with a reason; a request re-addressed to another agency is
    cancelled and points to the new one, ``replaced_by``), or "nothing to return" (the agency
    had no involvement to report). Cancelled requests are kept, struck through, and no longer
    count; every other closed or returned request counts as done for the stage guard
    (workflow.py)."""

    class Kind(models.TextChoices):
        AGENCY_SUMMARY = "agency_summary", "Agency summary (rapid review)"
        AGENCY_REPORT = "agency_report", "Agency report or individual management review"
        CHRONOLOGY = "chronology", "Chronology"

    class Closure(models.TextChoices):
        CANCELLED = "cancelled", "Cancelled"
        NOTHING_TO_RETURN = "nothing_to_return", "Nothing to return"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="review_requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    instructions = models.TextField(max_length=5_000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    requested_at = models.DateTimeField(auto_now_add=True)
    last_chased_on = models.DateField(null=True, blank=True)
    times_chased = models.PositiveSmallIntegerField(default=0)
    returned_at = models.DateTimeField(null=True, blank=True)
    closure = models.CharField(max_length=20, choices=Closure.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_reason = models.TextField(max_length=2_000, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
        help_text="The request to another agency that this one was re-addressed to",
    )
    answered_in = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A partner partnership sharing the review (ADR 0022) whose agency was asked: "
        "its contributors answer. Empty: the review's own partnership",
    )

    class Meta:
        ordering = ["due_on", "agency__name"]
        constraints = [
            # A closed request (cancelled, or nothing to return) does not stop the agency being
            # asked again.
            models.UniqueConstraint(
                fields=["review", "agency", "kind"],
                condition=models.Q(closure=""),
                name="request_once_per_agency_and_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(closure="")
                | (
                    models.Q(closed_at__isnull=False, closed_by__isnull=False)
                    & ~models.Q(closure_reason="")
                ),
                name="request_closure_has_who_when_why",
            ),
        ]
        indexes = [models.Index(fields=["agency", "returned_at"], name="request_agency_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.agency}"

    @property
    def is_cancelled(self) -> bool:
        return self.closure == self.Closure.CANCELLED

    @property
    def answering_partnership_id(self) -> int:
        """The partnership whose contributors of the agency answer (ADR 0022)."""
        return self.answered_in_id or self.review.partnership_id

    @property
    def answering_partnership(self) -> Partnership:
        return self.answered_in or self.review.partnership

    @property
    def is_nothing_to_return(self) -> bool:
        return self.closure == self.Closure.NOTHING_TO_RETURN

    @property
    def is_open(self) -> bool:
        """Waiting for the agency: not returned, cancelled or marked "nothing to return"."""
        return self.returned_at is None and not self.closure

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on < today


class AgencyReturn(models.Model):
    """One version of an agency's answer. A new version never overwrites an earlier one."""

    class ReceivedVia(models.TextChoices):
        EMAIL = "email", "By email"
        POST = "post", "By post"
        BY_HAND = "by_hand", "By hand"
        MEETING = "meeting", "At a meeting"

    request = models.ForeignKey(AgencyRequest, on_delete=models.PROTECT, related_name="returns")
    version = models.PositiveSmallIntegerField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    submitted_at = models.DateTimeField(auto_now_add=True)
    # An agency summary (§rapid-review)
    involvement = models.TextField(max_length=20_000, blank=True)
    went_well = models.TextField(max_length=10_000, blank=True)
    concerns = models.TextField(max_length=10_000, blank=True)
    immediate_actions = models.TextField(max_length=10_000, blank=True)
    # An agency report (§agency-contributions)
    report = models.TextField(max_length=100_000, blank=True)
    attachment = models.FileField(
        upload_to=UploadPath("agency-returns", "request.review_id"), max_length=300, blank=True
    )
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_kind = models.CharField(
        max_length=10, choices=[(k, v.label) for k, v in KINDS.items()], blank=True
    )
    attachment_size = models.PositiveBigIntegerField(null=True, blank=True)
    # A return the agency sent outside the service (by email, by post, by hand, at a meeting),
    # recorded by the business unit on its behalf: ``submitted_by`` is who recorded it, and
    # these say who at the agency sent it, how and on which day it arrived.
    recorded_on_behalf = models.BooleanField(default=False)
    received_from_name = models.CharField(max_length=200, blank=True)
    received_from_role = models.CharField(max_length=200, blank=True)
    received_from_email = models.EmailField(blank=True)
    received_on = models.DateField(null=True, blank=True)
    received_via = models.CharField(max_length=10, choices=ReceivedVia.choices, blank=True)
    # A chronology request is returned by uploading the chronology file: the version is that
    # upload (its file, rows and what was done with rows already in the chronology).
    chronology_upload = models.OneToOneField(
        "ChronologyUpload",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agency_return",
    )

    class Meta:
        ordering = ["request", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["request", "version"], name="return_version_once"),
            models.CheckConstraint(
                condition=models.Q(recorded_on_behalf=False)
                | (
                    models.Q(received_on__isnull=False)
                    & ~models.Q(received_via="")
                    & ~models.Q(received_from_name="")
                ),
                name="return_on_behalf_says_from_whom_when_how",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} v{self.version}"


class Person(RemovableRecord):
    """Someone in a case, known by a pseudonym in every document (DESIGN §2, §6). Removed from
    the people in the case by archiving: the chronology rows that name them keep the pseudonym,
    and the pseudonym stays taken in the case."""

    class RoleInCase(models.TextChoices):
        SUBJECT = "subject", "Subject of the review"
        PARENT = "parent", "Parent or carer"
        SIBLING = "sibling", "Sibling"
        PARTNER = "partner", "Partner or former partner"
        PERPETRATOR = "perpetrator", "Person who caused harm"
        OTHER_FAMILY = "other_family", "Other family member"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="people")
    pseudonym = models.CharField(max_length=60)
    role_in_case = models.CharField(max_length=20, choices=RoleInCase.choices)
    relationship = models.CharField(
        max_length=200, blank=True, help_text="To the subject, e.g. 'mother's partner'"
    )

    class Meta:
        ordering = ["role_in_case", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["case", "pseudonym"], name="person_pseudonym_once")
        ]

    def __str__(self) -> str:
        return self.pseudonym


class PersonIdentity(models.Model):
    """Real identity, held apart; shown only to roles that need it, every view audited. Every
    field is encrypted at rest (core/encryption.py): the database cannot filter or sort by them."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="identity")
    full_name = EncryptedTextField(max_length=200)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    address = EncryptedTextField(max_length=500, blank=True)
    other_identifiers = EncryptedTextField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Identity of {self.person.pseudonym}"


class ChronologyUpload(models.Model):
    """One chronology file imported for one agency (§chronology): the file as uploaded, its
    SHA-256 (so the same file uploaded again is recognised), how many rows it had and what was
    done with the rows already in the chronology. Its rows are archived, never deleted, when a
    later file replaces them."""

    class Outcome(models.TextChoices):
        ADDED = "added", "Every row added"
        REPLACED_EARLIER = "replaced_earlier", "Replaced the earlier rows it repeated"
        NEW_ROWS_ONLY = "new_rows_only", "Only the rows not already in the chronology added"

    class Kind(models.TextChoices):
        CSV = "csv", "CSV file"
        XLSX = "xlsx", "Excel workbook"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="chronology_uploads")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="chronology_uploads")
    file = models.FileField(
        upload_to=UploadPath("chronology-uploads", "review_id"), max_length=300, blank=True
    )
    file_name = models.CharField(max_length=255, blank=True)
    file_kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file")
    rows_in_file = models.PositiveIntegerField()
    rows_added = models.PositiveIntegerField()
    rows_not_added = models.PositiveIntegerField(
        default=0, help_text="Rows already in the chronology, left out at the user's choice"
    )
    rows_archived = models.PositiveIntegerField(
        default=0, help_text="Earlier rows this file replaced (archived, not deleted)"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.ADDED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    by_command = models.BooleanField(default=False)
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [
            models.Index(
                fields=["review", "agency", "content_hash"], name="chrono_upload_same_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name or 'Chronology rows'} from {self.agency}"


class ProposedPerson(models.Model):
    """A name an agency's chronology gave in "People involved" that is not a person in the case
    (§chronology). The rows are imported with the name recorded here; the business unit adds
    the person to the case, says it is someone already in the case (the rows are linked to
    them), or rejects it."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the business unit"
        CONFIRMED = "confirmed", "Added to the people in the case"
        MERGED = "merged", "Someone already in the case"
        REJECTED = "rejected", "Not a person in the case"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="proposed_people")
    pseudonym = models.CharField(max_length=60)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(max_length=2_000, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("pseudonym"),
                "review",
                condition=models.Q(state="proposed"),
                name="proposed_person_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym} (proposed by {self.agency})"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PROPOSED


class ChronologyEntryQuerySet(models.QuerySet):
    def active(self):
        """The rows in the chronology: not archived (replaced by a later file)."""
        return self.filter(archived_at__isnull=True)


class ChronologyEntry(models.Model):
    """One row of one agency's chronology (§chronology). All agencies' rows make the merged
    chronology. A row replaced by a later file is archived (who, when, by which file), never
    deleted; ``fingerprint`` (agency, date and time, event and source, normalised) finds a row
    given again."""

    class Significance(models.TextChoices):
        KEY = "key", "Key event"
        SIGNIFICANT = "significant", "Significant"
        ROUTINE = "routine", "Routine contact"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="chronology")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="chronology_entries")
    occurred_on = models.DateField()
    occurred_at = models.TimeField(null=True, blank=True)
    date_is_approximate = models.BooleanField(default=False)
    people = models.ManyToManyField(Person, blank=True, related_name="chronology_entries")
    event = models.TextField(max_length=5_000)
    source_record = models.CharField(max_length=300, blank=True)
    practitioner_role = models.CharField(max_length=200, blank=True)
    significance = models.CharField(max_length=20, choices=Significance.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    import_batch = models.CharField(max_length=40, blank=True)
    upload = models.ForeignKey(
        ChronologyUpload, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    fingerprint = models.CharField(max_length=64, blank=True)
    proposed_people = models.ManyToManyField(ProposedPerson, blank=True, related_name="entries")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archived_for = models.ForeignKey(
        ChronologyUpload,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="archived_entries",
        help_text="The later file that replaced this row",
    )

    objects = ChronologyEntryQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "occurred_at", "id"]
        indexes = [
            models.Index(
                fields=["review", "occurred_on", "occurred_at", "id"], name="chrono_merged"
            ),
            models.Index(fields=["review", "agency"], name="chrono_agency"),
            # The timeline's grouped read and the agencies with entries, from the index alone:
            # only the rows still in the chronology (archived_at IS NULL) are read (issue 16).
            models.Index(
                fields=["review", "archived_at", "occurred_on", "agency"],
                name="chrono_timeline_live",
            ),
            models.Index(fields=["review", "agency", "fingerprint"], name="chrono_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.agency}: {self.event[:40]}"


class ChronologyMonth(models.Model):
    """What the timeline of a long chronology is drawn from (issue 16, ADR 0033): for each
    review, agency and month, the entries still in the chronology (not archived) and the days
    of the month they fall on (bit ``d - 1`` for day ``d``). Kept by database triggers on
    ``reviews_chronologyentry`` (migration reviews 0021), in the writer's transaction, whatever
    the writer (services, ``bulk_create``, ``update()``, data migrations, the bench generator):
    each change recounts the months it touches from the entries. Never written by the code."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first of the month
    entries = models.PositiveIntegerField()
    days = models.IntegerField()  # bit d - 1 set: an entry on day d (31 bits at most)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "month", "agency"], name="chronology_month_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.month:%Y-%m} agency {self.agency_id}: {self.entries}"


class FamilyContact(RemovableRecord):
    """Contacts with the family and their advocates (§family-involvement; R37)."""

    class Kind(models.TextChoices):
        LEAFLET_SENT = "leaflet_sent", "Leaflet sent"
        ADVOCACY_SIGNPOSTED = "advocacy_signposted", "Specialist advocacy signposted"
        MEETING_OFFERED = "meeting_offered", "Meeting offered"
        MEETING_HELD = "meeting_held", "Meeting held"
        VIEWS_RECEIVED = "views_received", "Views received"
        DRAFT_SHARED = "draft_shared", "Draft shared for feedback"
        DRAFT_FEEDBACK = "draft_feedback", "Feedback on the draft"
        DECLINED = "declined", "Family declined to take part"
        OTHER = "other", "Other contact"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="family_contacts")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    happened_on = models.DateField()
    advocate = models.CharField(
        max_length=200, blank=True, help_text="Advocate or organisation, e.g. AAFDA"
    )
    summary = models.TextField(max_length=10_000, blank=True)
    consent_to_quote = models.BooleanField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on:%d %b %Y}"


class ReviewDocument(models.Model):
    class Kind(models.TextChoices):
        DRAFT_REPORT = "draft_report", "Draft report"
        FINAL_REPORT = "final_report", "Final report"
        EXECUTIVE_SUMMARY = "executive_summary", "Executive summary"
        OTHER = "other", "Other document"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(ReviewDocument, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveSmallIntegerField()
    file = models.FileField(
        upload_to=UploadPath("review-documents", "document.review_id"), max_length=300
    )
    original_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=10, choices=[(k, v.label) for k, v in KINDS.items()])
    size_bytes = models.PositiveBigIntegerField()
    note = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.version}"


class LocalMarkerSet(ArchivableModel):
    """A partnership's own quality marker set, as data (issue 14 §4; ADR 0024): a regional SAR
    quality checklist, say. Offered when a review of one of ``review_kinds`` is first assessed;
    archived, never deleted (an assessment made against it keeps it)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="marker_sets"
    )
    name = models.CharField(max_length=200)
    review_kinds = models.JSONField(default=list)  # Review.Kind values, rapid review excluded
    source = models.URLField(max_length=500, blank=True)
    note = models.TextField(max_length=2_000, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "partnership",
                condition=models.Q(archived_at__isnull=True),
                name="marker_set_name_once_per_partnership",
            )
        ]

    def __str__(self) -> str:
        return self.name


class LocalMarker(ArchivableModel):
    """One marker of a partnership's set. ``number`` is its place in the set and how ratings
    name it (``QualityRating.marker``): never reused, so an archived marker's ratings keep it."""

    marker_set = models.ForeignKey(LocalMarkerSet, on_delete=models.PROTECT, related_name="markers")
    number = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300)
    guidance = models.TextField(max_length=2_000, blank=True)

    class Meta:
        ordering = ["marker_set", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["marker_set", "number"], name="local_marker_number_once_per_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class QualityAssessment(TimeStampedModel):
    class Framework(models.TextChoices):
        SAR_2022 = "sar_2022", "SAR quality markers (SCIE, 2022)"
        CSPR_2016 = "cspr_2016", "SCR and CSPR quality markers (NSPCC and SCIE)"
        DHR_HO_2016 = "dhr_ho_2016", "Home Office DHR quality assurance criteria"
        LOCAL = "local", "The partnership's own marker set"

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="quality")
    framework = models.CharField(max_length=20, choices=Framework.choices)
    # The partnership's own set, when ``framework`` is LOCAL (ADR 0024).
    local_set = models.ForeignKey(
        LocalMarkerSet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    summary = models.TextField(max_length=10_000, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(framework="local", local_set__isnull=False)
                | (~models.Q(framework="local") & models.Q(local_set__isnull=True)),
                name="quality_local_framework_has_set",
            )
        ]

    def __str__(self) -> str:
        return f"Quality assessment of {self.review}"


class QualityRating(models.Model):
    class Rating(models.TextChoices):
        MET = "met", "Met"
        PARTLY_MET = "partly_met", "Partly met"
        NOT_MET = "not_met", "Not met"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    assessment = models.ForeignKey(
        QualityAssessment, on_delete=models.CASCADE, related_name="ratings"
    )
    marker = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=20, choices=Rating.choices)
    evidence = models.TextField(max_length=5_000, blank=True)
    comments = models.TextField(max_length=5_000, blank=True)

    class Meta:
        ordering = ["marker"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "marker"], name="rating_once_per_marker")
        ]

    def __str__(self) -> str:
        return f"Marker {self.marker}: {self.get_rating_display()}"


class Finding(models.Model):
    """What the review found, or a learning point (a rapid review's immediate learning, say).
    Recommendations and themes hang from these (app ``actions``)."""

    class Kind(models.TextChoices):
        FINDING = "finding", "Finding"
        LEARNING_POINT = "learning_point", "Learning point"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FINDING)
    title = models.CharField(max_length=300)
    text = models.TextField(max_length=20_000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="finding_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}: {self.title}"


class ReviewSignature(models.Model):
    """Sign-off of the findings and final report by the partnership's decision makers."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="signatures")
    decision_maker = models.ForeignKey(DecisionMaker, on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    capacity = models.CharField(max_length=100)
    round = models.PositiveSmallIntegerField(default=1, help_text="Goes up when reopened")
    signed_at = models.DateTimeField(auto_now_add=True)
    # In what capacity it was given (Working Together 2023, docs/rules.md §partnership-roles):
    # the signer's recorded role that day, lead, delegate or chair, and the statement in words
    # as it was then (``accounts.partnership_roles.selectors.signature_capacity``). Blank for
    # a signer with no recorded role, and for signatures given before roles were recorded.
    partnership_role = models.ForeignKey(
        "accounts.PartnershipRole",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role_kind = models.CharField(max_length=20, choices=PartnershipRole.Kind.choices, blank=True)
    signed_as = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "decision_maker", "round"], name="review_signature_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.capacity} signed {self.review}"


class ReviewDisagreement(Objection):
    """A decision maker asked to sign a review off declined to sign, or disagreed with its
    findings or final report, with their reason. It goes back to the business unit, which
    records how the partnership's escalation arrangements resolved it, as for a decision
    (ADR 0012; the fields, checks and writes are shared: ``referrals.Objection``,
    ``referrals/objections.py``). ``round`` is the round of signatures it belongs to
    (``running.services.signature_round``)."""

    class Kind(models.TextChoices):
        DECLINED = "declined", "Declined to sign"
        DISAGREED = "disagreed", "Disagrees with the findings or report"

    class Resolution(models.TextChoices):
        SIGN = "sign", "The report stands: the decision maker is asked to sign it"
        WITHOUT_SIGNATURE = (
            "without_signature",
            "The report stands without their signature: their disagreement is kept with it",
        )
        CHANGE = (
            "change",
            "The report is to be changed: the review goes back to drafting and every decision "
            "maker signs again",
        )

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="disagreements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)

    class Meta(Objection.Meta):
        constraints = objection_constraints("review_disagreement", "review")


class Reopening(models.Model):
    """A signed-off review reopened, with the reason (its content is read-only otherwise)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="reopenings")
    reason = models.TextField(max_length=5_000)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reopened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reopened_at"]

    def __str__(self) -> str:
        return f"{self.review} reopened {self.reopened_at:%d %b %Y}"


class NationalReturn(TimeStampedModel):
    """What the partnership returns to a national body about a review (issue 17): the answers
    to one scheme of ``reviews/returns/categories.py`` (the national SAR analysis, the Child
    Safeguarding Practice Review Panel, the Home Office), one return per review and scheme (a
    joint review may make one for each of its review types). ``answers`` holds {question code:
    option code, list of option codes, or number}, checked against the scheme by the service."""

    class Scheme(models.TextChoices):
        SAR = "sar", "National analysis of Safeguarding Adults Reviews"
        CSPR = "cspr", "Child Safeguarding Practice Review Panel"
        DHR = "dhr", "Home Office analysis of Domestic Homicide Reviews"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="national_returns")
    scheme = models.CharField(max_length=10, choices=Scheme.choices)
    answers = models.JSONField(default=dict)
    notes = models.TextField(max_length=2_000, blank=True)

    class Meta:
        ordering = ["review", "scheme"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "scheme"], name="national_return_once_per_scheme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} return for {self.review}"
