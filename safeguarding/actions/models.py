"""From findings to change (DESIGN §5 `actions`; docs/rules.md §action-plans, R24).

A review's findings and learning points (``reviews.Finding``) are tagged with themes (§themes, data
the business unit extends). Recommendations answer findings and are addressed to the partnership or
to named agencies, with the change they should bring about and how the partnership will know it
happened (impact). Actions sit under recommendations: one owner agency each, a lead, a target
date and a status. Agencies record updates and evidence; completion is asked for by the agency
and accepted (or returned) by the business unit. Every change leaves an ``ActionUpdate`` row, the
history shown on the action's page, as well as an audit event.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.core.files import UploadPath
from safeguarding.core.models import TimeStampedModel
from safeguarding.core.uploads import KINDS
from safeguarding.reviews.models import Finding, Review


class Theme(models.Model):
    """A learning theme. Rows with no partnership are the shared vocabulary of docs/rules.md §themes
    (loaded by a data migration from ``default_themes.py``); a partnership adds its own."""

    class Facet(models.TextChoices):
        HARM = "harm", "Harm or incident type"
        CONTEXT = "context", "Context and risk factors"
        PRACTICE = "practice", "Practice themes"
        ADULT_ABUSE = "adult_abuse", "Adult abuse and neglect types"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse-related death themes"

    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.PROTECT, related_name="themes"
    )
    facet = models.CharField(max_length=20, choices=Facet.choices)
    name = models.CharField(max_length=120)
    findings = models.ManyToManyField(Finding, blank=True, related_name="themes")
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["facet", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "name"],
                condition=Q(partnership__isnull=True),
                name="theme_shared_once",
            ),
            models.UniqueConstraint(
                fields=["partnership", "facet", "name"], name="theme_partnership_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Recommendation(TimeStampedModel):
    """What the review asks to change, answering one or more findings."""

    class Scope(models.TextChoices):
        SINGLE_AGENCY = "single_agency", "Single agency"
        MULTI_AGENCY = "multi_agency", "Multi-agency"
        NATIONAL = "national", "National"

    class ImpactMethod(models.TextChoices):
        MEASURE = "measure", "A measure or indicator"
        AUDIT = "audit", "A case file audit"
        SURVEY = "survey", "A survey of practitioners or families"
        OTHER = "other", "Another way"

    class Judgement(models.TextChoices):
        CHANGED = "changed", "Changed practice"
        PARTLY = "partly", "Partly changed practice"
        NO_EVIDENCE = "no_evidence", "No evidence yet"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=5_000)
    findings = models.ManyToManyField(Finding, related_name="recommendations")
    to_partnership = models.BooleanField(
        default=False, help_text="Addressed to the partnership as a whole"
    )
    agencies = models.ManyToManyField(Agency, blank=True, related_name="recommendations")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    expected_change = models.TextField(max_length=5_000)
    agreed_on = models.DateField(default=datetime.date.today)

    # Impact: how the partnership will know, and later what it found (§action-plans; QM 18 /
    # SAR QM 15)
    impact_method = models.CharField(max_length=20, choices=ImpactMethod.choices, blank=True)
    impact_plan = models.TextField(max_length=5_000, blank=True)
    impact_review_on = models.DateField(null=True, blank=True)
    impact_result = models.TextField(max_length=10_000, blank=True)
    impact_judgement = models.CharField(max_length=20, choices=Judgement.choices, blank=True)
    impact_recorded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="recommendation_number_once")
        ]
        indexes = [
            # Agreed in a period: the report figures and the annual figures count the
            # recommendations (and their actions) of a range of days, not every one the
            # partnership ever agreed (issue 16).
            models.Index(fields=["agreed_on", "review"], name="recommendation_agreed"),
            # Impact recorded in a period: the annual figures and the board pack (issue 16).
            models.Index(
                fields=["impact_recorded_on", "review"], name="recommendation_impact_recorded"
            ),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class Action(TimeStampedModel):
    """One thing one agency will do under a recommendation."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        COMPLETION_REQUESTED = "completion_requested", "Completion awaiting acceptance"
        COMPLETE = "complete", "Complete"
        NOT_IMPLEMENTED = "not_implemented", "Not being implemented"

    OPEN = (
        Status.NOT_STARTED,
        Status.ON_TRACK,
        Status.AT_RISK,
        Status.COMPLETION_REQUESTED,
    )
    # What an agency may set by a progress update (completion goes through request/accept);
    # also the statuses in which an action past its target date is overdue (one awaiting
    # acceptance is with the business unit, not late).
    AGENCY_SETTABLE = (Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK)

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="actions"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=5_000)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions")
    lead_name = models.CharField(max_length=200, help_text="Lead officer in the agency")
    target_date = models.DateField()
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.NOT_STARTED)
    not_implemented_reason = models.TextField(max_length=5_000, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["recommendation__review", "recommendation__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "number"], name="action_number_once"),
            models.CheckConstraint(
                condition=~Q(status="not_implemented") | ~Q(not_implemented_reason=""),
                name="action_not_implemented_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "status", "target_date"], name="action_tracker"),
            models.Index(fields=["agency", "status", "target_date"], name="action_agency"),
            # The tracker's counts by owner agency read only this index (issue 16).
            models.Index(
                fields=["partnership", "agency", "status", "target_date", "recommendation"],
                name="action_counts",
            ),
            # The open actions due from today on, per owner agency, read from this index alone:
            # with the kept counts (``ActionCount``) they give the overdue and due-soon views.
            # With the recommendation, the actions under a theme are picked from the index too
            # (their recommendation looked up in the theme's list), before any row is read.
            models.Index(
                fields=["partnership", "status", "target_date", "agency", "recommendation"],
                name="action_dated_answering",
            ),
            # The decisions not to implement of a year: the candidates changed in it picked
            # from this index before any decision's update is looked up (issue 16).
            models.Index(
                fields=["partnership", "status", "modified_at"], name="action_status_modified"
            ),
            # An agency's actions page, every status, soonest target first: its 50 read in the
            # index's order with no sort of the agency's every action (issue 16: 836 at ten
            # years against 83).
            models.Index(
                fields=["partnership", "agency", "target_date", "id"], name="action_agency_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.reference}"

    @property
    def reference(self) -> str:
        return f"{self.recommendation.number}.{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status in self.AGENCY_SETTABLE and self.target_date < today


class ActionCount(models.Model):
    """How many of a partnership's actions each owner agency has in each status, by the kind of
    the review they come from and whether their recommendation has an impact result yet (issue
    16): what the tracker's counts read, whatever the number of actions over the years. Kept by
    database triggers (migration actions 0008), in the writer's transaction, whatever the writer
    (services, ``update()``, ``bulk_create()``, data migrations, the bench generator): an action
    added, deleted or changed in partnership, agency, status or recommendation adds one to the
    row it enters and takes one from the row it leaves; a recommendation whose impact result is
    recorded or cleared (or moved to another review), or a review whose kind changes, moves its
    actions' counts. A row may stay at 0. Never written by the code."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=30)
    review_kind = models.CharField(max_length=20)
    impact_missing = models.BooleanField()  # the recommendation's impact result is empty
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "agency", "status", "review_kind", "impact_missing"],
                name="action_count_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.agency_id} {self.status} {self.review_kind}: {self.n}"


class ActionThemeCount(models.Model):
    """``ActionCount`` under each theme (issue 16): how many of a partnership's actions answer a
    finding tagged with the theme (an action counts once per theme, however many of its
    recommendation's findings carry it), per owner agency, status, review kind and whether the
    impact result is missing: the tracker's counts under a theme. Kept by database triggers
    (migration actions 0009) as ``ActionCount`` is, and also when a recommendation gains or
    loses a finding or a finding gains or loses a theme. A row may stay at 0. Never written by
    the code."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=30)
    review_kind = models.CharField(max_length=20)
    impact_missing = models.BooleanField()  # the recommendation's impact result is empty
    n = models.IntegerField()

    class Meta:
        # After the tables whose inserts write it, by name (a backup is restored table by
        # table in name order, the kept rows last: records/backup.py).
        db_table = "actions_themecount_action"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "theme",
                    "partnership",
                    "agency",
                    "status",
                    "review_kind",
                    "impact_missing",
                ],
                name="action_theme_count_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.theme_id} {self.agency_id} {self.status}: {self.n}"


class RecommendationTheme(models.Model):
    """The themes a recommendation answers (issue 16): one row per recommendation and theme
    carried by at least one of the findings it answers, ``n`` of them. Kept by database triggers
    (migration actions 0009) when a recommendation gains or loses a finding or a finding gains
    or loses a theme; a row is removed when its last finding goes. The tracker finds the
    actions under a theme through this list, not through every link of the theme's findings.
    Never written by the code."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField()

    class Meta:
        # After the tables whose inserts write it, by name (a backup is restored table by
        # table in name order, the kept rows last: records/backup.py).
        db_table = "actions_themecount_recommendation"
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "recommendation"], name="recommendation_theme_once"
            )
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.recommendation_id} theme {self.theme_id}: {self.n}"


class FindingThemeCount(models.Model):
    """How many of a partnership's findings carry each theme (issue 16): the themes page's
    figures. Kept by database triggers (migration actions 0009): a finding's theme added or
    taken away, a finding moved to another review, a review moved to another partnership. A row
    may stay at 0. Never written by the code."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField()

    class Meta:
        # After the tables whose inserts write it, by name (a backup is restored table by
        # table in name order, the kept rows last: records/backup.py).
        db_table = "actions_themecount_finding"
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "partnership"], name="finding_theme_count_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} theme {self.theme_id}: {self.n}"


class OpenActionTheme(models.Model):
    """An open action under each theme its recommendation answers (issue 16): its partnership,
    owner agency, status, target date and the kind of its review, one row per (action, theme)
    while the action is open (``Action.OPEN``). The tracker under a theme reads its views of
    open actions (all open, due soon, overdue) from here: a page of rows walks the index in
    target-date order and stops at the page's end, and the actions due from today on are
    counted from the index alone, whatever the number of actions closed over the years. Kept by
    database triggers (migration actions 0012; ADR 0060): an action written or deleted, its
    recommendation moved to another review, a review's kind changed, a recommendation gaining or
    losing a theme (``RecommendationTheme``). Never written by the code.

    No foreign key constraints and nothing cascades from the code (``DO_NOTHING``): the triggers
    remove the rows with the action or the theme, and deleting an action reads nothing more."""

    action = models.ForeignKey(
        Action, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=30)
    target_date = models.DateField()
    review_kind = models.CharField(max_length=20)

    class Meta:
        # After the tables whose inserts write it, by name (a backup is restored table by
        # table in name order, the kept rows last: records/backup.py), RecommendationTheme's
        # included.
        db_table = "actions_themecount_row"
        constraints = [
            models.UniqueConstraint(fields=["action", "theme"], name="open_action_theme_once")
        ]
        indexes = [
            # A theme's open actions of one review kind, then of any, in target-date order;
            # the status and agency in the index so that counts read no row.
            models.Index(
                fields=[
                    "theme",
                    "partnership",
                    "review_kind",
                    "target_date",
                    "action",
                    "status",
                    "agency",
                ],
                name="open_theme_kind_dated",
            ),
            models.Index(
                fields=[
                    "theme",
                    "partnership",
                    "target_date",
                    "action",
                    "status",
                    "agency",
                    "review_kind",
                ],
                name="open_theme_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.action_id} theme {self.theme_id}: {self.status}"


class ActionUpdate(models.Model):
    """One entry in an action's history: a progress note, a status change, a completion asked
    for, accepted or returned. Never changed afterwards."""

    class Kind(models.TextChoices):
        CREATED = "created", "Action agreed"
        CHANGED = "changed", "Action changed"
        PROGRESS = "progress", "Progress update"
        COMPLETION_REQUESTED = "completion_requested", "Completion asked for"
        ACCEPTED = "accepted", "Completion accepted"
        RETURNED = "returned", "Completion returned"
        NOT_IMPLEMENTED = "not_implemented", "Decision not to implement"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    note = models.TextField(max_length=10_000, blank=True)
    status_before = models.CharField(max_length=30, choices=Action.Status.choices, blank=True)
    status_after = models.CharField(max_length=30, choices=Action.Status.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on action {self.action_id}"


class ActionEvidence(models.Model):
    """A file an agency gives as evidence that an action is done (checked by content)."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence")
    update = models.ForeignKey(
        ActionUpdate, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(upload_to=UploadPath("action-evidence", "action_id"), max_length=300)
    original_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=10, choices=[(k, v.label) for k, v in KINDS.items()])
    size_bytes = models.PositiveBigIntegerField()
    description = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
