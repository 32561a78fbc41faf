"""Content of a partnership's public Reviews page: editable blocks and documents (DESIGN §7)."""

from django.db import models
from simple_history.models import HistoricalRecords

from safeguarding.accounts.models import Partnership, ReviewType
from safeguarding.core.files import UploadPath
from safeguarding.core.models import ArchivableModel, TimeStampedModel
from safeguarding.core.uploads import KINDS


class ContentBlock(TimeStampedModel):
    """One section of the public page: a heading and plain text written by the business unit."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="content_blocks"
    )
    heading = models.CharField(max_length=120)
    body = models.TextField(
        max_length=10_000,
        help_text="Plain text. Leave a blank line between paragraphs. "
        "Start a line with a dash and a space (- ) to make a bulleted list",
    )
    review_type = models.CharField(
        max_length=10,
        choices=ReviewType.choices,
        blank=True,
        help_text="Leave blank if the section is about reviews in general",
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "position", "id"]

    def __str__(self) -> str:
        return self.heading


class PublicDocument(ArchivableModel):
    class Category(models.TextChoices):
        PROCEDURE = "procedure", "Procedures and guidance"
        REFERRAL_FORM = "referral_form", "Referral forms"
        LEAFLET = "leaflet", "Leaflets for families"
        OTHER = "other", "Other documents"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="public_documents"
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices)
    review_type = models.CharField(max_length=10, choices=ReviewType.choices, blank=True)
    file = models.FileField(
        upload_to=UploadPath("public-documents", "partnership.slug"), max_length=300
    )
    original_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=10, choices=[(k, v.label) for k, v in KINDS.items()])
    size_bytes = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["category", "title"]
        indexes = [
            models.Index(fields=["partnership", "archived_at"], name="pubdoc_partnership_live"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind(self):
        return KINDS[self.file_kind]


class PublicContentVersion(models.Model):
    """What a partnership's public pages show, as a number that changes with it (ADR: public page
    cache). Every write that changes a public page (publication, withdrawal, edits of the
    page, the library or digests, a shared case) bumps it in the writer's transaction
    (public_site/content_version.py); the cache of rendered public pages is keyed on it and on
    the day (the 12-month window moves at midnight)."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="public_content_version"
    )
    counter = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.partnership_id}: {self.counter}"
