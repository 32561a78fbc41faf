"""Publication (issue 5). So far: national reviews that a partnership shares on its public page."""

from django.db import models

from safeguarding.accounts.models import Partnership
from safeguarding.core.models import ArchivableModel


class NationalReview(ArchivableModel):
    """A review published by the Child Safeguarding Practice Review Panel (STATUTORY.md §10),
    recorded by the business unit to share on the partnership's public Reviews page."""

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
