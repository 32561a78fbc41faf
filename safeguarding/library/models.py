"""The learning library (DESIGN §5 `library`; issue 7; docs/rules.md §themes, §national-reviews).

One record per review, whoever published it: the partnership's own published reviews (made
automatically from ``publication.Publication``), national reviews, and records imported from
other partnerships or national libraries (CSV/JSON, schema in docs/library-schema.md) or entered
by hand. The text a search reads is kept on the record; the search index itself is a
database-specific table (SQLite FTS5 or a PostgreSQL tsvector, see ``search_index.py``) kept in
step by the services. Vectors for meaning-based search are kept in ``RecordVector``.
"""

from django.db import models

from safeguarding.accounts.models import Partnership
from safeguarding.actions.models import Theme
from safeguarding.core.models import TimeStampedModel


class ReviewType(models.TextChoices):
    CSPR = "cspr", "Child safeguarding practice review"
    SCR = "scr", "Serious case review"
    SAR = "sar", "Safeguarding adults review"
    DHR = "dhr", "Domestic homicide review"
    # Wales (Social Services and Well-being (Wales) Act 2014 guidance, Working Together to
    # Safeguard People; the Single Unified Safeguarding Review from 2025)
    CPR = "cpr", "Child practice review (Wales)"
    APR = "apr", "Adult practice review (Wales)"
    SUSR = "susr", "Single unified safeguarding review (Wales)"
    NATIONAL = "national", "National review"
    OTHER = "other", "Other review or thematic analysis"


class AgeGroup(models.TextChoices):
    INFANT = "infant", "Under 1"
    YOUNG_CHILD = "young_child", "1 to 4"
    CHILD = "child", "5 to 11"
    ADOLESCENT = "adolescent", "12 to 17"
    YOUNG_ADULT = "young_adult", "18 to 25"
    ADULT = "adult", "26 to 64"
    OLDER_ADULT = "older_adult", "65 and over"
    NOT_KNOWN = "not_known", "Not known or several"


class LibraryRecord(TimeStampedModel):
    class Source(models.TextChoices):
        OWN = "own", "Published by the partnership"
        NATIONAL = "national", "National review"
        IMPORTED = "imported", "Imported"
        MANUAL = "manual", "Entered by hand"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="library_records"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    external_id = models.CharField(
        max_length=100, help_text="The record's id in its source (unique in this library)"
    )
    publication = models.OneToOneField(
        "publication.Publication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="library_record",
    )
    national_review = models.OneToOneField(
        "publication.NationalReview",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="library_record",
    )
    title = models.CharField(max_length=300)
    review_type = models.CharField(max_length=20, choices=ReviewType.choices)
    publisher = models.CharField(max_length=200)
    # Many published reviews carry no date: a record may have no year ("Year not known"); a year
    # filter never matches it.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    age_group = models.CharField(
        max_length=20, choices=AgeGroup.choices, default=AgeGroup.NOT_KNOWN
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="library_records")
    summary = models.TextField(max_length=20_000, blank=True)
    learning = models.TextField(max_length=50_000, blank=True, help_text="Learning points")
    recommendations = models.TextField(max_length=50_000, blank=True)
    full_text = models.TextField(blank=True, help_text="Text of the published files")
    themes_text = models.TextField(blank=True, editable=False, help_text="For the search index")
    url = models.URLField(max_length=500, blank=True)
    is_public = models.BooleanField(default=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = [models.F("year").desc(nulls_last=True), "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "external_id"], name="library_record_external_once"
            )
        ]
        indexes = [
            models.Index(fields=["partnership", "archived_at", "-year"], name="library_live"),
            # The library with no query, newest first (issue 16): read in this order and
            # stopped at a page instead of sorting every record. On PostgreSQL the migration
            # (library/0009) makes the years and dates NULLS LAST, as the page's ORDER BY.
            models.Index(
                fields=["partnership", "archived_at", "-year", "-published_on", "title", "id"],
                name="library_browse_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RecordVector(models.Model):
    """A vector of a passage of a record (its summary and learning, or a part of its full
    text), from the packaged sentence model (``embeddings.py``); float32 bytes."""

    record = models.ForeignKey(LibraryRecord, on_delete=models.CASCADE, related_name="vectors")
    position = models.PositiveSmallIntegerField()
    vector = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "position"], name="record_vector_once")
        ]

    def __str__(self) -> str:
        return f"Vector {self.position} of record {self.record_id}"


class FindingVector(models.Model):
    """The vector of one of the partnership's own findings or recommendations, for "have we seen
    this before?" (kept in step when the text changes: ``text_hash``)."""

    class Kind(models.TextChoices):
        FINDING = "finding", "Finding"
        RECOMMENDATION = "recommendation", "Recommendation"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    text_hash = models.CharField(max_length=64)
    vector = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="finding_vector_once")
        ]

    def __str__(self) -> str:
        return f"Vector of {self.kind} {self.object_id}"


class SearchTerm(models.Model):
    """Domain synonyms and abbreviations for search (editable data): a query word or phrase and
    what it also means. Rows with no partnership are the shared defaults (``default_terms.py``)."""

    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="search_terms"
    )
    term = models.CharField(max_length=100, help_text="Lower case, e.g. 'sudi' or 'co-sleeping'")
    expansion = models.CharField(
        max_length=500, help_text="Words it also means, e.g. 'sudden unexpected death infancy'"
    )

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "term"], name="search_term_once")
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.expansion}"


class NationalLibrarySubmission(models.Model):
    """A published review prepared for the national library that holds its type (the NSPCC
    repository, the national SAR library, the Home Office DHR library), and when it was sent."""

    class Library(models.TextChoices):
        NSPCC = "nspcc", "NSPCC National Case Review Repository"
        SAR = "sar_library", "National SAR Library"
        HOME_OFFICE = "home_office", "Home Office DHR library"

    record = models.OneToOneField(
        LibraryRecord, on_delete=models.PROTECT, related_name="national_submission"
    )
    library = models.CharField(max_length=20, choices=Library.choices)
    metadata = models.JSONField(default=dict)
    prepared_at = models.DateTimeField(auto_now_add=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_note = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.record} for {self.get_library_display()}"


class ThemeCounts(models.Model):
    """The themes page's figures kept for a partnership (issue 16, ADR 0036): how many records
    and reviews each theme appeared in, by year (``counts``: ``[theme_id, year, n]`` for every
    year), counted at ``counted_version``.

    Database triggers (migration ``library/0008``) add one to ``version`` in the writer's
    transaction whenever a row the figures read changes, whatever the writer: a library record
    (its partnership, year, archiving or publication), its themes, a finding's themes, a finding
    (its review or the moment it was written), a review's partnership or a publication's review.
    The page uses the counts only while ``counted_version == version``; otherwise it counts
    again and keeps the result under the version it read *before* counting, so a change committed
    while it counted leaves the row stale, never wrong.

    The partnership is not a database constraint: a trigger may write this row while the
    partnership's own rows are being deleted, and an orphaned row is harmless."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )
    version = models.BigIntegerField(default=0)
    counted_version = models.BigIntegerField(default=-1)
    counts = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Theme counts of partnership {self.partnership_id} at version {self.version}"


class FacetCounts(models.Model):
    """The library's facet counts with no query and no filter, kept for a partnership (issue
    16, ADR 0042): for the public library and for the staff library (every live record), the
    number of records and each facet's values counted (``counts``: ``{"public": {...},
    "live": {...}}``, each ``{"total": n, "review_type": [[value, n]...], "year": ...,
    "age_group": ..., "publisher": ..., "theme": [[theme_id, name, n]...]}``), counted at
    ``counted_version``.

    Database triggers (migration ``library/0009``) add one to ``version`` in the writer's
    transaction whenever something counted changes, whatever the writer: a library record (its
    partnership, archiving, visibility, national review, review type, year, age group or
    publisher), its themes, a national review's archiving, or a theme's name (every
    partnership's row). As ``ThemeCounts`` (ADR 0036), the page uses the counts only while
    ``counted_version == version``, and keeps a fresh count under the version it read before
    counting. The partnership is not a database constraint, for the same reason."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )
    version = models.BigIntegerField(default=0)
    counted_version = models.BigIntegerField(default=-1)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        # Named to sort after the records and their theme links: a backup is restored table by
        # table in name order, and the triggers write this table as those rows go in; restored
        # after them, the backup's own rows replace what the triggers wrote.
        db_table = "library_recordfacetcounts"

    def __str__(self) -> str:
        return (
            f"Library facet counts of partnership {self.partnership_id} at version {self.version}"
        )
