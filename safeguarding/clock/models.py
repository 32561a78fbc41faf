"""The statutory clock: milestone rules as data, milestones on cases and referrals (DESIGN §4).

Rules say when a deadline starts (an event), how long it runs (working days, calendar days or
calendar months, through the one calendar in core.calendar), which rule it comes from (R-number),
under which guidance, and whether it is statutory, an expectation or a local setting. Rules tagged
[K] or [C] in docs/rules.md (§tags) are configurable per partnership (PartnershipMilestoneSetting).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from safeguarding.accounts.models import Partnership, ReviewType
from safeguarding.guidance.models import GuidanceVersion


class Event(models.TextChoices):
    """Things that happen to a referral or case and start or stop the clock."""

    CSPR_LA_AWARE = "cspr_la_aware", "The local authority became aware of a serious incident"
    PANEL_NOTIFIED = "panel_notified", "The Child Safeguarding Practice Review Panel was notified"
    RAPID_REVIEW_COMPLETED = "rapid_review_completed", "The rapid review was completed"
    LOOKED_AFTER_DEATH_KNOWN = "looked_after_death_known", "A looked-after child's death was known"
    OFSTED_SOS_NOTIFIED = "ofsted_sos_notified", "Ofsted and the Secretary of State were notified"
    RAPID_REVIEW_SUBMITTED = "rapid_review_submitted", "The rapid review was sent to the Panel"
    PANEL_RESPONDED = "panel_responded", "The Panel responded to the rapid review"
    LCSPR_INITIATED = "lcspr_initiated", "A local child safeguarding practice review was started"
    LCSPR_PROGRESS_CHECKED = "lcspr_progress_checked", "The partners checked the review's progress"
    LCSPR_REPORT_COMPLETED = "lcspr_report_completed", "The local review's final report was done"
    SAB_AWARE = "sab_aware", "The Safeguarding Adults Board received a referral"
    SAR_REFERRAL_ACKNOWLEDGED = (
        "sar_referral_acknowledged",
        "The referrer was sent an acknowledgement",
    )
    SAR_DECIDED = "sar_decided", "The Board decided whether to hold a review"
    SAR_INITIATED = "sar_initiated", "A Safeguarding Adults Review was started"
    SAR_REPORT_COMPLETED = "sar_report_completed", "The review's report was completed"
    CSP_AWARE = "csp_aware", "The Community Safety Partnership chair became aware of a death"
    DHR_DECIDED = "dhr_decided", "The chair decided whether to hold a review"
    DHR_NOT_HELD = "dhr_not_held", "The chair decided not to hold a review"
    HOME_OFFICE_TOLD = "home_office_told", "The Home Office was told of the decision"
    DHR_SCOPING_COMPLETED = "dhr_scoping_completed", "The review's scoping was completed"
    DHR_INITIATED = "dhr_initiated", "A Domestic Homicide Review was started"
    DHR_REPORT_COMPLETED = "dhr_report_completed", "The review's report was completed"


class ReportClockStart(models.TextChoices):
    """Which day of a review starts the clock of its report (R14, R26, R33)."""

    DECISION = "decision", "the decision to hold the review"
    REVIEW_START = "review_start", "the start of the review"


# The one place that says which day each report rule's start event falls on (ADR 0026): the
# referrals app fires the events that start at the decision when the decision is final, the
# reviews app those that start with the review when it is commissioned, and the report figures
# measure a review's months from the same day. R14: a local child safeguarding practice review's
# report 6 months after the decision; R26: a SAR's 6 months after the review starts; R33: a
# DHR's 6 months after the decision.
REPORT_CLOCK_STARTS: dict[str, ReportClockStart] = {
    Event.LCSPR_INITIATED: ReportClockStart.DECISION,  # R14
    Event.SAR_INITIATED: ReportClockStart.REVIEW_START,  # R26
    Event.DHR_INITIATED: ReportClockStart.DECISION,  # R33
}


class OffsetUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "working days"
    CALENDAR_DAYS = "calendar_days", "calendar days"
    CALENDAR_MONTHS = "calendar_months", "calendar months"


class Basis(models.TextChoices):
    STATUTORY = "statutory", "Statutory"
    EXPECTATION = "expectation", "Expectation"
    LOCAL = "local", "Local setting"


class MilestoneRule(models.Model):
    """One clock rule of one guidance version (ADR 0018): a case starts only the rules of the
    versions it follows. ``guidance_version`` names the document the rule cites (which may be a
    companion of the version, such as the Panel's guidance or the 2018 Regulations)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    review_type = models.CharField(max_length=10, choices=ReviewType.choices)
    starts_on_event = models.CharField(max_length=40, choices=Event.choices)
    done_on_event = models.CharField(max_length=40, choices=Event.choices)
    offset_amount = models.PositiveIntegerField()
    offset_unit = models.CharField(max_length=20, choices=OffsetUnit.choices)
    rule_id = models.CharField(max_length=10, help_text="The rule ID in docs/rules.md, e.g. R2")
    guidance_version = models.CharField(
        max_length=20, help_text="The document the rule cites, e.g. WT2023, PANEL-G, DHR2016"
    )
    version = models.ForeignKey(
        GuidanceVersion,
        on_delete=models.PROTECT,
        related_name="milestone_rules",
        help_text="The guidance version whose rule set holds this rule",
    )
    basis = models.CharField(max_length=20, choices=Basis.choices)
    configurable = models.BooleanField(
        default=False, help_text="A partnership may change the offset ([K] and [C] rules)"
    )
    reminder_working_days_before = models.PositiveSmallIntegerField(default=2)

    class Meta:
        ordering = ["review_type", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.rule_id})"

    @property
    def offset_label(self) -> str:
        return f"{self.offset_amount} {self.get_offset_unit_display()}"


class PartnershipMilestoneSetting(models.Model):
    """A partnership's own offset for a configurable rule, or the rule switched off."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="milestone_settings"
    )
    rule = models.ForeignKey(MilestoneRule, on_delete=models.CASCADE, related_name="settings")
    offset_amount = models.PositiveIntegerField()
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "rule"], name="milestone_setting_once")
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.rule.code} = {self.offset_amount}"


class Milestone(models.Model):
    class Status(models.TextChoices):
        DUE = "due", "Due"
        DONE = "done", "Done"
        PAUSED = "paused", "Paused"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="milestones"
    )
    rule = models.ForeignKey(MilestoneRule, on_delete=models.PROTECT, related_name="milestones")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(max_length=200)
    subject_url = models.CharField(max_length=300, blank=True)
    # The offset used, copied from the rule or setting, so later changes do not rewrite history.
    offset_amount = models.PositiveIntegerField()
    offset_unit = models.CharField(max_length=20, choices=OffsetUnit.choices)
    starts_on = models.DateField()
    due_on = models.DateField()
    original_due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DUE)
    done_on = models.DateField(null=True, blank=True)
    # Working days from the start to done (core.calendar), kept when the milestone is done so
    # the timeliness trends take medians in the database (issue 17); empty before it is done.
    working_days_taken = models.IntegerField(null=True, blank=True)
    paused_reason = models.TextField(blank=True)
    extension_reason = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"], name="milestone_once_per_subject"
            )
        ]
        indexes = [
            models.Index(fields=["partnership", "status", "due_on"], name="milestone_dashboard"),
            models.Index(fields=["subject_type", "subject_id"], name="milestone_subject"),
            # Overdue across partnerships (a shared case's milestones are its owner's): the
            # staff home's count of overdue cases and the reminders read a range of it, and the
            # subjects' ids from the index alone (issue 16: reading 2,400 late milestones' rows
            # for their ids took 8 ms at ten years, 0.6 ms from the index).
            models.Index(
                fields=["status", "due_on", "subject_type", "subject_id"], name="milestone_overdue"
            ),
            # The late milestones of one kind of subject: the staff home's count of the cases
            # late through a review reads a range of the reviews' alone, not every late
            # milestone's entry (issue 16: 2,389 at ten years, twice a count).
            models.Index(
                fields=["status", "subject_type", "due_on", "subject_id"],
                name="milestone_late_subject",
            ),
            # Done in a period: the report figures' timeliness and the trends (issue 17), which
            # count from the index alone (every column they read is in it).
            models.Index(
                fields=[
                    "partnership",
                    "status",
                    "done_on",
                    "rule",
                    "working_days_taken",
                    "original_due_on",
                    "due_on",
                ],
                name="milestone_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.name} – {self.subject_label} – due {self.due_on:%d %b %Y}"


class ReminderClaim(models.Model):
    """One row per reminder, for anything reminded (milestones, agency requests, actions): the
    reminder engine (reminders.py) writes it before the reminder goes, and the unique constraint
    on (subject, kind, due date) makes a second send of the same reminder impossible."""

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", "Due soon"
        OVERDUE = "overdue", "Overdue"

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField(help_text="The due date the reminder was about")
    sent_to = models.CharField(max_length=254)
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "due_on"],
                name="reminder_claim_once_per_due_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for {self.subject_type.model} {self.subject_id}"


def subject_type_for(model) -> ContentType:
    return ContentType.objects.get_for_model(model)
