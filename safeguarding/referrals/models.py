"""Referrals, cases, screening facts, decisions and notifications (docs/rules.md §rules,
§multi-track, §referral-forms).

A referral is what a professional sends. A case gathers one or more referrals about the same
incident, holds the screening facts, and leads to one track per review type with its own
decision, signatures and notifications (§multi-track: one incident, many tracks).
"""

import uuid

from django.conf import settings
from django.db import models

from safeguarding.accounts.models import Agency, Partnership, PartnershipRole, ReviewType
from safeguarding.core.encryption import EncryptedDateField, EncryptedTextField
from safeguarding.core.models import ArchivableModel, TimeStampedModel
from safeguarding.guidance.models import GuidanceVersion, Strand


class Status(models.TextChoices):
    NEW = "new", "New"
    IN_SCREENING = "in_screening", "In screening"
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
    DECIDED = "decided", "Decided"


class AgeGroup(models.TextChoices):
    CHILD = "child", "Child (under 16)"
    YOUNG_PERSON = "young_person", "Young person (16 or 17)"
    ADULT = "adult", "Adult (18 or over)"
    NOT_KNOWN = "not_known", "Not known"


def age_group_for(age: int | None) -> str:
    if age is None:
        return AgeGroup.NOT_KNOWN
    if age < 16:
        return AgeGroup.CHILD
    if age < 18:
        return AgeGroup.YOUNG_PERSON
    return AgeGroup.ADULT


class Harm(models.TextChoices):
    DIED = "died", "They died"
    SERIOUS_HARM = "serious_harm", "They were seriously harmed"
    HARM = "harm", "They were harmed, but not seriously"
    NONE = "none", "They were not harmed"


class AbuseOrNeglect(models.TextChoices):
    KNOWN = "known", "Known"
    SUSPECTED = "suspected", "Suspected"
    NOT_SUSPECTED = "not_suspected", "Not suspected"


class Place(models.TextChoices):
    IN_AREA = "in_area", "In the partnership's area"
    OUTSIDE_AREA_IN_ENGLAND = "outside_area_in_england", "Elsewhere in England"
    OUTSIDE_ENGLAND = "outside_england", "Outside England"


class HarmedBy(models.TextChoices):
    """Who is known or suspected to have abused or neglected the person (the person
    responsible): the screening fact ``harmed_by``. The closest connection is chosen."""

    RELATIVE = "relative", "A relative"
    PARTNER = (
        "partner",
        "A partner (including a husband, wife or civil partner, or someone they had agreed "
        "to marry)",
    )
    FORMER_PARTNER = "former_partner", "A former partner"
    CO_PARENT = (
        "co_parent",
        "A parent of a child of theirs, or someone with parental responsibility for that child",
    )
    HOUSEHOLD_MEMBER = (
        "household_member",
        "Someone else in the same household (not a relative or partner)",
    )
    OTHER_KNOWN = "other_known", "Someone else they knew"
    STRANGER = "stranger", "A stranger"
    UNKNOWN = "unknown", "Not known"


class Case(ArchivableModel):
    """One incident: its referrals, screening facts and review tracks. Archived by the
    retention schedule some time after it closed (records/retention.py), never deleted."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=30, unique=True)
    pseudonym = models.CharField(
        max_length=60, help_text="How the case is named everywhere, for example 'Child A'"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_SCREENING)
    became_aware_on = models.DateField(
        help_text="When the partnership became aware: day 0 of the statutory clock (R40)"
    )
    facts = models.JSONField(default=dict, blank=True)
    facts_updated_at = models.DateTimeField(null=True, blank=True)
    # The day the case closes if nothing changes (records/closing.py): kept by the records
    # app whenever the case, its tracks, decisions, reviews, publications or holds change.
    # Empty while it is kept open. Read by the retention page only (issue 16); the daily run
    # works from the history itself.
    closes_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The retention page: the cases closed by a day, without reading their history
            # (with whether each is archived: the closed-cases rule counts those that are not).
            models.Index(fields=["partnership", "closes_on", "archived_at"], name="case_closes_on"),
            # The retention page's case rules take the decided cases created before a day as a
            # range of this index (issue 16: it was (partnership, status), and each rule read
            # every decided case of the partnership for its creation date).
            models.Index(
                fields=["partnership", "status", "created_at"], name="case_partnership_status"
            ),
            # The retention page's archived cases, newest first, 50 at a time (issue 16).
            models.Index(fields=["partnership", "-archived_at", "-id"], name="case_archived"),
            # The list of cases and reviews, newest first, 25 at a time: the cases of the
            # partnership or shared with it are found walking this index, which stops at the
            # page's last row (issue 16: it read and sorted every case, 7.5 ms at ten years).
            models.Index(fields=["-became_aware_on", "-id"], name="case_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.pseudonym})"


class CaseDue(models.Model):
    """The earliest due date of a case's own milestones still due, with the case's partnership
    (issue 16): the staff home counts its overdue cases as a range of ``case_due_overdue``
    (partnership, earliest due date), from the index alone, not through every late milestone
    and each case's row (1,004 overdue cases of ten years' data read row by row took 5-9 ms).
    One row per case with at least one milestone due; none for the others. Kept by database
    triggers on milestones and on a case's partnership (migration referrals 0028), whatever
    writes them; never written by the code."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    due_from = models.DateField()

    class Meta:
        # After referrals_case and clock_milestone by name: a backup is restored table by
        # table in name order, the kept rows after those their triggers read (records/backup.py).
        db_table = "referrals_casedue"
        indexes = [
            models.Index(fields=["partnership", "due_from", "case"], name="case_due_overdue"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: due from {self.due_from}"


class CaseGuidance(models.Model):
    """A guidance version the case follows, one per strand, recorded from the day the
    partnership became aware (ADR 0018). A later change to the partnership's adoption dates
    never rewrites it; correcting the day the partnership became aware records it again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="guidance")
    strand = models.CharField(max_length=20, choices=Strand.choices)
    version = models.ForeignKey(GuidanceVersion, on_delete=models.PROTECT, related_name="+")
    aware_on = models.DateField(help_text="The day the partnership became aware, when recorded")
    since = models.DateField(help_text="The day the version applied from for the partnership")
    adopted = models.BooleanField(
        help_text="Adopted by the partnership on that day (else in force by default)"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["strand"]
        constraints = [
            models.UniqueConstraint(fields=["case", "strand"], name="case_guidance_once_per_strand")
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.version.code}"

    @property
    def why(self) -> str:
        """Why the case follows this version, in plain words."""
        if self.adopted:
            reason = f"the partnership adopted {self.version.short_title} on {self.since:%-d %B %Y}"
        else:
            reason = (
                f"{self.version.short_title} applies from {self.since:%-d %B %Y} and the "
                "partnership had adopted no later version by then"
            )
        return f"Aware on {self.aware_on:%-d %B %Y}; {reason}"


class Referral(TimeStampedModel):
    class Source(models.TextChoices):
        ONLINE = "online", "Online form"
        WORD_FORM = "word_form", "Word form uploaded by staff"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(max_length=20, unique=True)
    review_type = models.CharField(
        "Review type asked for", max_length=10, choices=ReviewType.choices
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ONLINE)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    submitted_ip_hash = models.CharField(max_length=64, blank=True)
    received_on = models.DateField()

    # The referrer
    referrer_name = models.CharField(max_length=200)
    referrer_job_title = models.CharField(max_length=200)
    referrer_organisation = models.CharField(max_length=200)
    # The partnership's agency the referral came from: matched on submission from the
    # organisation typed (agency_match.py), or set by the business unit during triage.
    source_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    referrer_email = models.EmailField()
    referrer_phone = models.CharField(max_length=40, blank=True)
    discussed_with_safeguarding_lead = models.BooleanField(null=True, blank=True)

    # The person (nothing identifying here: see ReferralIdentity)
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    age_group = models.CharField(max_length=20, choices=AgeGroup.choices)

    # What happened
    incident_date = models.DateField(null=True, blank=True)
    harm = models.CharField(max_length=20, choices=Harm.choices)
    date_of_death = models.DateField(null=True, blank=True)
    abuse_or_neglect = models.CharField(max_length=20, choices=AbuseOrNeglect.choices)
    # Whether the death resulted, or appears to have resulted, from abuse or neglect (R19
    # condition 1, R27, R38); asked only when the person died.
    death_resulted_from_abuse = models.BooleanField(null=True, blank=True)
    place = models.CharField(max_length=30, choices=Place.choices)
    normally_resident_in_area = models.BooleanField(null=True, blank=True)
    what_happened = models.TextField(max_length=10_000)
    agency_working_concern = models.BooleanField(
        "Concern about how agencies worked together", null=True, blank=True
    )
    concerns_working_together = models.TextField(max_length=5_000, blank=True)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="referrals")
    other_agencies = models.CharField(max_length=500, blank=True)

    # Child (CSPR)
    looked_after = models.BooleanField(null=True, blank=True)
    child_protection_plan = models.BooleanField(null=True, blank=True)
    care_leaver = models.BooleanField(null=True, blank=True)

    # Adult (SAR)
    care_and_support_needs = models.BooleanField(null=True, blank=True)
    care_needs_description = models.TextField(max_length=2_000, blank=True)
    self_neglect = models.BooleanField(null=True, blank=True)
    person_aware_of_referral = models.BooleanField(null=True, blank=True)

    # Death (DHR)
    harmed_by = models.CharField(max_length=20, choices=HarmedBy.choices, blank=True)
    # The person responsible lived in the household or stayed there so often that they were in
    # effect a member of it (R27(b)); they were aged 16 or over (R38, Domestic Abuse Act 2021).
    responsible_in_household = models.BooleanField(null=True, blank=True)
    responsible_aged_16_or_over = models.BooleanField(null=True, blank=True)
    suspected_suicide = models.BooleanField(null=True, blank=True)
    domestic_abuse_history = models.BooleanField(null=True, blank=True)
    criminal_justice_status = models.CharField(max_length=500, blank=True)
    children_in_household = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["partnership", "status", "-received_on"], name="referral_triage"),
            models.Index(fields=["partnership", "-received_on", "-id"], name="referral_newest"),
            # The triage page's counts per status under the review-type filter are read from
            # this index alone (issue 16: 25 ms → 2 ms over ten years' 5,000 child referrals).
            models.Index(
                fields=["partnership", "review_type", "status"], name="referral_type_status"
            ),
            # The triage list under a review type and a status, newest first: read in order, 50
            # at a time, with no sort (issue 16: it walked every referral of the partnership
            # newest first to find the 50 new child referrals, 9 ms on ten years' 10,000).
            models.Index(
                fields=["partnership", "review_type", "status", "-received_on", "-id"],
                name="referral_type_status_newest",
            ),
            models.Index(fields=["partnership", "age_group"], name="referral_age_group"),
            # The retention page counts the referrals without a case received before a day from
            # this index alone (issue 16: it read every referral of the partnership received
            # before the day, 8 ms on ten years' 10,000, to find the 144 without a case).
            models.Index(
                fields=["partnership", "case", "received_on"], name="referral_without_case"
            ),
            # The board pack counts a period's referrals by review type and by the agency or
            # organisation they came from in one grouped query over this index alone (issue 16:
            # two queries read every referral of the partnership, or each row of the period).
            models.Index(
                fields=[
                    "partnership",
                    "received_on",
                    "review_type",
                    "source_agency",
                    "referrer_organisation",
                ],
                name="referral_received_counts",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferralCount(models.Model):
    """How many of a partnership's referrals are of each review type, age group and status
    (issue 16): what the triage page's counts by status read, whatever the number of referrals
    received over the years. Kept by database triggers on ``referrals_referral`` (migration
    referrals 0026), in the writer's transaction, whatever the writer (services, ``update()``,
    ``bulk_create()``, data migrations, the bench generator): each insert, delete or change of
    partnership, review type, age group or status adds one to the row it enters and takes one
    from the row it leaves. A row may stay at 0. Never written by the code."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    review_type = models.CharField(max_length=10)
    age_group = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "review_type", "age_group", "status"],
                name="referral_count_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.review_type} {self.age_group} {self.status}: {self.n}"


class ReferralIdentity(models.Model):
    """Real identity of the person referred: held apart, shown only to roles that need it, and
    every view is audited (DESIGN §2). Every field is encrypted at rest (core/encryption.py): the
    database cannot filter or sort by them."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="identity")
    first_name = EncryptedTextField(max_length=100)
    last_name = EncryptedTextField(max_length=100)
    other_names = EncryptedTextField(max_length=200, blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    address = EncryptedTextField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"Identity for {self.referral.reference}"


class Track(models.Model):
    """One review type for a case: its own decision, signatures and notifications (§multi-track)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tracks")
    review_type = models.CharField(max_length=10, choices=ReviewType.choices)
    screening_result = models.CharField(max_length=20, blank=True)
    screening_rules = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A track decided by a partnership the case is shared with (a joint SAR/DHR: the community
    # safety partnership decides the DHR track of the adults board's case): its business unit
    # records the decision and its own decision makers sign it. Empty: the case's partnership.
    # Set by referrals/share_services.py when the share is accepted (ADR 0022).
    decided_by = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shared_tracks",
    )

    class Meta:
        ordering = ["review_type"]
        constraints = [
            models.UniqueConstraint(fields=["case", "review_type"], name="track_once_per_type")
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.get_review_type_display()}"

    @property
    def deciding_partnership_id(self) -> int:
        """The partnership whose business unit records this track's decision and whose decision
        makers sign it."""
        return self.decided_by_id or self.case.partnership_id


class Outcome(models.TextChoices):
    # CSPR (R12, §rapid-review)
    NO_FURTHER_REVIEW = "no_further_review", "No further review"
    RAPID_REVIEW_THEN_LOCAL = "rapid_review_then_local", "Rapid review, then a local review"
    REFER_NATIONAL = "refer_national", "Refer for a national review"
    OTHER_LEARNING = "other_learning", "Other learning"
    # SAR (R19-R21: mandatory or discretionary, never "statutory")
    MANDATORY = "mandatory", "Mandatory Safeguarding Adults Review"
    DISCRETIONARY = "discretionary", "Discretionary Safeguarding Adults Review"
    NO_REVIEW = "no_review", "No review"
    # DHR (R31)
    REVIEW = "review", "Hold a Domestic Homicide Review"


OUTCOMES_BY_TYPE: dict[str, list[Outcome]] = {
    ReviewType.CSPR: [
        Outcome.NO_FURTHER_REVIEW,
        Outcome.RAPID_REVIEW_THEN_LOCAL,
        Outcome.REFER_NATIONAL,
        Outcome.OTHER_LEARNING,
    ],
    ReviewType.SAFEGUARDING_ADULTS_REVIEW: [
        Outcome.MANDATORY,
        Outcome.DISCRETIONARY,
        Outcome.OTHER_LEARNING,
        Outcome.NO_REVIEW,
    ],
    ReviewType.DHR: [Outcome.REVIEW, Outcome.NO_REVIEW],
}


class CurrentDecisionMakerManager(models.Manager):
    """Only the decision makers named now: a removed one (``archived_at`` set) is kept for the
    signatures it gave, and read through ``DecisionMaker.all_objects``."""

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


class DecisionMaker(models.Model):
    """Who must sign a partnership's decisions of one review type: the three safeguarding
    partners for children and adults, the CSP chair for DHRs.

    Never deleted: removing one, or changing its person or capacity, archives the row (and a
    change names a new one), so signatures given in that capacity keep pointing at what was
    signed. ``objects`` reads the current ones only (the partnership setup pages,
    ``workspace/setup``)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="decision_makers"
    )
    review_type = models.CharField(max_length=10, choices=ReviewType.choices)
    capacity = models.CharField(max_length=100, help_text="e.g. 'Local authority', 'Police'")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decision_roles"
    )
    named_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()
    objects = CurrentDecisionMakerManager()

    class Meta:
        ordering = ["review_type", "capacity"]
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "review_type", "capacity"],
                condition=models.Q(archived_at__isnull=True),
                name="decision_maker_capacity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.capacity} ({self.get_review_type_display()})"


class Decision(TimeStampedModel):
    class State(models.TextChoices):
        AWAITING_SIGNATURES = "awaiting_signatures", "Awaiting signatures"
        # A decision maker declined to sign or disagreed: the business unit records how the
        # disagreement was resolved (Working Together 2023: partners resolve disagreement
        # through their escalation arrangements) before the decision can be final.
        DISPUTED = "disputed", "Disagreement to resolve"
        FINAL = "final", "Final"

    track = models.OneToOneField(Track, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    rationale = models.TextField(max_length=10_000)
    decided_on = models.DateField()
    state = models.CharField(
        max_length=30, choices=State.choices, default=State.AWAITING_SIGNATURES
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    # Signatures start again when a disagreement is resolved by changing the decision: only
    # the signatures and disagreements of the current round count.
    round = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(rationale=""), name="decision_rationale_not_empty"
            )
        ]
        indexes = [
            # The staff home's "decisions awaiting your signature" (a dashboard read, issue 16):
            # read by state, so only the few decisions not yet final, not every decision of
            # the partnership's tracks (11 ms to 0.1 ms on the ten-year bench data). Not a
            # partial index: SQLite does not use one when the states come as bound parameters
            # (EXPLAIN QUERY PLAN: SCAN), as Django sends them.
            models.Index(fields=["state", "decided_on"], name="decision_awaiting_signature"),
        ]

    def __str__(self) -> str:
        return f"{self.track}: {self.get_outcome_display()}"


class Signature(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="signatures")
    decision_maker = models.ForeignKey(DecisionMaker, on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    capacity = models.CharField(max_length=100)
    signed_at = models.DateTimeField(auto_now_add=True)
    round = models.PositiveSmallIntegerField(default=1)
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
                fields=["decision", "decision_maker", "round"],
                name="signature_once_per_signatory_and_round",
            )
        ]

    def __str__(self) -> str:
        return f"Signed by {self.capacity} on {self.signed_at:%d %b %Y}"


class Objection(models.Model):
    """A signatory declined to sign, or disagreed, with their reason, and the escalation that
    resolved it (ADR 0012). Shared by the decisions' ``Disagreement`` and the review sign-off's
    ``reviews.ReviewDisagreement``: the subject (a decision, a review) is the subclass's foreign
    key, its constraints come from ``objection_constraints``, and its writes go through
    ``referrals/objections.py``."""

    class Kind(models.TextChoices):
        DECLINED = "declined", "Declined to sign"
        DISAGREED = "disagreed", "Disagrees with the decision"

    class Resolution(models.TextChoices):
        SIGN = "sign", "The decision stands: the decision maker is asked to sign it"
        WITHOUT_SIGNATURE = (
            "without_signature",
            "The decision stands without their signature: their disagreement is kept with it",
        )
        CHANGE = (
            "change",
            "The decision is to be changed: the business unit records it again and every "
            "decision maker signs again",
        )

    round = models.PositiveSmallIntegerField(default=1)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField(max_length=5_000)
    raised_at = models.DateTimeField(auto_now_add=True)
    # The escalation that resolved it.
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    resolved_by = models.CharField(
        max_length=300, blank=True, help_text="Who resolved it, e.g. the lead safeguarding partners"
    )
    resolution_reason = models.TextField(max_length=5_000, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolution_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.capacity}"  # type: ignore[attr-defined]

    @property
    def is_open(self) -> bool:
        return not self.resolution


def objection_constraints(prefix: str, subject: str) -> list:
    """The checks every objection table holds: a reason, one open objection per signatory,
    subject and round, and a resolution recorded whole (who, why, when)."""
    return [
        models.CheckConstraint(condition=~models.Q(reason=""), name=f"{prefix}_reason_not_empty"),
        models.UniqueConstraint(
            fields=[subject, "user", "round"],
            condition=models.Q(resolution=""),
            name=f"{prefix}_one_open_per_decision_maker",
        ),
        models.CheckConstraint(
            condition=models.Q(resolution="")
            | (
                ~models.Q(resolved_by="")
                & ~models.Q(resolution_reason="")
                & models.Q(resolved_on__isnull=False)
            ),
            name=f"{prefix}_resolution_complete",
        ),
    ]


class Disagreement(Objection):
    """A decision maker declined to sign a decision, or disagreed with it, with their reason.
    It goes back to the business unit, which records how it was resolved through the
    partnership's escalation arrangements (who resolved it, the outcome, why and when)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="disagreements")

    class Meta(Objection.Meta):
        constraints = objection_constraints("disagreement", "decision")
        indexes = [
            # The staff home lists the open ones, oldest first: read from here, not from every
            # track the partnership decides (3 ms at ten years on SQLite, issue 16).
            models.Index(fields=["resolution", "raised_at"], name="disagreement_open"),
        ]


class DecisionSignatory(models.Model):
    """Who must sign one decision (ADR 0019): the partnership's named decision makers of the
    review type, copied when the decision is first recorded, so that changing the decision
    makers later does not change who signs a decision already sent. A signatory who has left
    (their decision maker row archived, or their account deactivated) is replaced on the
    decision by the business unit, with a reason: the row is kept with who replaced it, when,
    why and by whom (``replacement``). Current signatories are the rows not replaced."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="signatories")
    decision_maker = models.ForeignKey(DecisionMaker, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replacement_reason = models.TextField(max_length=5_000, blank=True)
    replacement = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "decision_maker"],
                condition=models.Q(replaced_at__isnull=True),
                name="decision_signatory_once",
            ),
            models.CheckConstraint(
                condition=models.Q(replaced_at__isnull=True)
                | (
                    models.Q(replaced_by__isnull=False)
                    & ~models.Q(replacement_reason="")
                    & models.Q(replacement__isnull=False)
                ),
                name="decision_signatory_replacement_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_maker.capacity} for {self.decision}"


class Notification(models.Model):
    class Recipient(models.TextChoices):
        PANEL = "panel", "Child Safeguarding Practice Review Panel"
        OFSTED = "ofsted", "Ofsted"
        SECRETARY_OF_STATE = "secretary_of_state", "Secretary of State for Education"
        HOME_OFFICE = "home_office", "Home Office"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notifications")
    recipient = models.CharField(max_length=30, choices=Recipient.choices)
    rule_id = models.CharField(max_length=10)
    sent_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_on", "id"]
        # The board pack counts the Panel notifications of a period from this index (issue 16:
        # it read the notifications of every case the partnership ever had).
        indexes = [
            models.Index(
                fields=["recipient", "sent_on", "case"], name="notification_recipient_sent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_recipient_display()} notified on {self.sent_on:%d %b %Y}"


class CaseShare(models.Model):
    """A case shared by the partnership that holds it (the owner, ``case.partnership``) with a
    partner partnership (ADR 0022): a joint SAR/DHR decided by the Safeguarding Adults Board
    and the Community Safety Partnership, or a child who lives in one area and was harmed in
    another (host and placing authorities).

    The owner's business unit invites; the partner's business unit accepts or declines; either
    side's business unit can end it. Only an accepted share opens anything, and only what it
    grants: the case page (pseudonym, screening, decisions: never the referrals or the real
    identities, which stay with the owner), the decision of one track with the partner's own
    decision makers (``decides_review_type``), reading the review of the case with its
    chronology (``grants_review``), and listing its publication on the partner's public page
    (``grants_publication``). Never deleted: an ended share keeps who ended it, when and why."""

    class Role(models.TextChoices):
        JOINT_DECISION_BODY = "joint_decision_body", "Joint decision body"
        HOST_AUTHORITY = "host_authority", "Host authority (where the child lives)"
        PLACING_AUTHORITY = "placing_authority", "Placing authority"

    class State(models.TextChoices):
        INVITED = "invited", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shares")
    partner = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="cases_shared_with"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    decides_review_type = models.CharField(
        "Decides the track of",
        max_length=10,
        choices=ReviewType.choices,
        blank=True,
        help_text="The review type whose decision the partner takes, with its decision makers",
    )
    grants_review = models.BooleanField(
        "Takes part in the review", default=False, help_text="Reads the review and chronology"
    )
    grants_publication = models.BooleanField(
        "Publishes the review too",
        default=False,
        help_text="The published review is listed on the partner's public page as well",
    )
    note = models.TextField(max_length=2_000, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(max_length=2_000, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(max_length=2_000, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "partner"],
                condition=models.Q(state__in=["invited", "accepted"]),
                name="case_share_once_per_partner",
            ),
            models.UniqueConstraint(
                fields=["case", "decides_review_type"],
                condition=models.Q(state__in=["invited", "accepted"])
                & ~models.Q(decides_review_type=""),
                name="case_share_one_decider_per_track",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="declined") | ~models.Q(decline_reason=""),
                name="case_share_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="ended")
                | (
                    models.Q(ended_at__isnull=False, ended_by__isnull=False)
                    & ~models.Q(end_reason="")
                ),
                name="case_share_end_has_who_when_why",
            ),
        ]
        indexes = [models.Index(fields=["partner", "state"], name="case_share_partner_state")]

    def __str__(self) -> str:
        return f"{self.case.reference} shared with {self.partner}"

    @property
    def is_live(self) -> bool:
        return self.state in (self.State.INVITED, self.State.ACCEPTED)
