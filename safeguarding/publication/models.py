"""Publication (issue 5). So far: national reviews that a partnership shares on its public page."""

from django.db import models

from safeguarding.accounts.models import Partnership
from safeguarding.core.files import UploadPath
from safeguarding.core.models import ArchivableModel


class NationalReview(ArchivableModel):
    """A review published by the Child Safeguarding Practice Review Panel (docs/rules.md
    §national-reviews), recorded by the business unit to share on the partnership's public Reviews
    page."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="national_reviews"
    )
    title = models.CharField(max_length=300)
    published_on = models.DateField()
    url = models.URLField(
        max_length=500, help_text="Where the Panel published it, starting https://"
    )
    summary = models.TextField(max_length=2_000, blank=True)

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [
            models.Index(
                fields=["partnership", "archived_at", "-published_on"], name="national_live"
            )
        ]

    def __str__(self) -> str:
        return self.title


class PublicationSettings(models.Model):
    """A partnership's publication settings: [K]/[C] rules kept as configurable defaults."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="publication_settings"
    )
    advance_copy_working_days = models.PositiveSmallIntegerField(
        default=7, help_text="R17 [K]: advance copy to the Panel and the Secretary of State"
    )
    advance_copy_to_ofsted = models.BooleanField(
        default=False, help_text="WT2018 also names Ofsted (R17)"
    )
    dardr_name_from = models.DateField(
        null=True,
        blank=True,
        help_text="R38: from this date the partnership calls DHRs Domestic Abuse Related Death "
        "Reviews (DARDR)",
    )

    def __str__(self) -> str:
        return f"Publication settings of {self.partnership}"


class Publication(ArchivableModel):
    """What the partnership publishes about one signed-off review (R15, R16, R35)."""

    class Form(models.TextChoices):
        FULL_REPORT = "full_report", "The full report"
        IMPROVEMENTS = "improvements", "Information about the improvements to be made"

    class Status(models.TextChoices):
        DRAFT = "draft", "Not published"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="publications"
    )
    review = models.OneToOneField(
        "reviews.Review", on_delete=models.PROTECT, related_name="publication"
    )
    review_type = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    summary = models.TextField(max_length=5_000, blank=True)
    form = models.CharField(max_length=20, choices=Form.choices, default=Form.FULL_REPORT)
    not_full_reason = models.TextField(
        max_length=5_000, blank=True, help_text="Why the full report is not published (R15)"
    )
    improvements = models.TextField(max_length=20_000, blank=True)
    reviewer_names = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    planned_publish_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the partnership plans to publish: the steps before publication are "
        "reminded against it (publication/reminders.py)",
    )
    publish_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    earliest_removal_on = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(max_length=5_000, blank=True)
    available_on_request = models.BooleanField(default=True)

    class Meta:
        ordering = ["-publish_on", "-id"]
        indexes = [
            models.Index(
                fields=["partnership", "status", "review_type", "-publish_on"],
                name="publication_public_list",
            ),
            # The staff list's order (publishing_selectors.publication_list): a page is read in
            # the index's order, not sorted from every publication (issue 16).
            models.Index(
                fields=["partnership", "status", "-publish_on", "-id"],
                name="publication_staff_list",
            ),
            # The public archive's and feed's order (public_selectors): their conditions (the
            # partnership's or a share's, the window, withdrawn on request) are an OR no index
            # serves, so their page is read newest first through this one and stopped at the
            # page, not sorted from every publication (issue 16).
            models.Index(fields=["-publish_on", "-id"], name="publication_newest"),
            # The publications of a period (the board pack's durations and their clocks): read
            # from the period's rows, not from every publication of the partnership (issue 16).
            models.Index(fields=["partnership", "published_at"], name="publication_published"),
        ]

    def __str__(self) -> str:
        return self.title


class PublicationFile(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="files")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=UploadPath("publications", "publication_id"), max_length=300)
    original_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=10)
    size_bytes = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(
        null=True, blank=True, help_text="A replaced file is kept but never published"
    )

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class CheckFinding(models.Model):
    """A possible real identifier found in a file to be published; publication waits until
    every finding is resolved (the file replaced, or marked a false match with a reason)."""

    class Resolution(models.TextChoices):
        OPEN = "", "Not resolved"
        FALSE_MATCH = "false_match", "Marked as a false match"
        FILE_REPLACED = "file_replaced", "File replaced"

    file = models.ForeignKey(PublicationFile, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=300)
    page = models.PositiveIntegerField()
    context = models.TextField(max_length=1_000)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True, default="")
    resolution_reason = models.TextField(max_length=2_000, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["file", "page", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on page {self.page}"


class PrePublicationStep(models.Model):
    """A step that must be done before publication, by review type (R17, R34, R36)."""

    class Kind(models.TextChoices):
        ADVANCE_COPY_PANEL = "advance_copy_panel", "Advance copy to the National Panel"
        ADVANCE_COPY_SOS = "advance_copy_sos", "Advance copy to the Secretary of State"
        ADVANCE_COPY_OFSTED = "advance_copy_ofsted", "Advance copy to Ofsted"
        HOME_OFFICE_CONTENT = "home_office_content", "Home Office QA Panel content to publish"
        HOME_OFFICE_REVISIONS = "home_office_revisions", "Revisions the Home Office asked for"
        DA_COMMISSIONER_COPY = "da_commissioner_copy", "Copy to the Domestic Abuse Commissioner"
        DARDR_SOS_COPY = "dardr_sos_copy", "Copy to the Secretary of State (Home Office)"
        BOARD_SIGN_OFF = "board_sign_off", "Safeguarding Adults Board sign-off"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    done_on = models.DateField()
    evidence = models.TextField(max_length=5_000)
    rule_id = models.CharField(max_length=10)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "kind"], name="step_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.done_on:%d %b %Y}"


class PartnerSignOff(models.Model):
    """A partner partnership's sign-off of the publication of a review it shares (ADR 0022,
    R46): for a joint SAR/DHR held by the Safeguarding Adults Board, the Community Safety
    Partnership signs the report off before it goes out. Recorded by the partner's business
    unit, under its own address; publishing waits for it. Never changed or deleted."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="partner_sign_offs"
    )
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    signed_off_on = models.DateField()
    signed_off_by = models.CharField(
        max_length=200, help_text="Who signed the report off for the partnership, and their role"
    )
    note = models.TextField(max_length=2_000, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_off_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "partnership"], name="partner_sign_off_once"
            )
        ]

    def __str__(self) -> str:
        return f"Sign-off by {self.partnership} on {self.signed_off_on:%d %b %Y}"


class Revision(models.Model):
    """What was published, frozen. A correction is a new revision; history is kept."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField()
    title = models.CharField(max_length=300)
    summary = models.TextField(max_length=5_000, blank=True)
    form = models.CharField(max_length=20, choices=Publication.Form.choices)
    improvements = models.TextField(max_length=20_000, blank=True)
    reviewer_names = models.CharField(max_length=500)
    files = models.ManyToManyField(PublicationFile, related_name="revisions")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["publication", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "number"], name="revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.publication} revision {self.number}"


class HomeOfficeSubmission(models.Model):
    """One submission of a DHR report to the Home Office Quality Assurance Panel, the Panel's
    letter and its outcome (R34, issue 14 §4). A report sent back is submitted again as the
    next number; nothing is overwritten."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Content for the report to be published"
        RESUBMIT = "resubmit", "Revise and resubmit"

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="home_office_submissions"
    )
    number = models.PositiveSmallIntegerField()
    submitted_on = models.DateField()
    note = models.TextField(max_length=2_000)
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    letter = models.FileField(
        upload_to=UploadPath("home-office-letters", "publication_id"), max_length=300, blank=True
    )
    letter_name = models.CharField(max_length=255, blank=True)
    letter_kind = models.CharField(max_length=10, blank=True)
    letter_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    reasons_text = models.TextField(max_length=5_000, blank=True)
    outcome_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["publication", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "number"], name="home_office_submission_once"
            )
        ]

    def __str__(self) -> str:
        return f"Submission {self.number} to the Home Office QA Panel"
