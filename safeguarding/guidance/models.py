"""Guidance versions as data (issue 14, ADR 0018, docs/rules.md §guidance-versions).

Each version of the national guidance or law a rule set comes from (Working Together 2018 and
2023, the Care Act statutory guidance, the DHR guidance of 2016 and the 2024 draft, the 2004 Act's
DHR test and the Victims and Prisoners Act 2024 s19 test) is a row with the dates it is in force.
Versions replace one another within a *strand* (children's reviews, adults' reviews, the DHR
guidance, the law on which deaths a DHR covers). A partnership records the date it adopted a
version (``GuidanceAdoption``); a version marked ``default_on`` applies from its own
``effective_from`` to a partnership that recorded no adoption of it. A case keeps the versions
that applied on the day the partnership became aware (``referrals.CaseGuidance``), so a later
change of an adoption date never rewrites it.
"""

from django.conf import settings
from django.db import models

from safeguarding.accounts.models import Partnership, ReviewType


class Strand(models.TextChoices):
    CHILDREN = "children", "Child safeguarding practice reviews"
    ADULTS = "adults", "Safeguarding adults reviews"
    DHR_GUIDANCE = "dhr_guidance", "Domestic homicide review guidance"
    DHR_LAW = "dhr_law", "Which deaths are reviewed (the law)"


STRAND_REVIEW_TYPES: dict[str, tuple[str, ...]] = {
    Strand.CHILDREN: (ReviewType.CSPR.value,),
    Strand.ADULTS: (ReviewType.SAFEGUARDING_ADULTS_REVIEW.value,),
    Strand.DHR_GUIDANCE: (ReviewType.DHR.value,),
    Strand.DHR_LAW: (ReviewType.DHR.value,),
}


class VersionStatus(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    REPLACED = "replaced", "Replaced by a later version"
    CONSULTATION_DRAFT = "consultation_draft", "Consultation draft only"
    PROSPECTIVE = "prospective", "Enacted, not yet in force"


class GuidanceVersion(models.Model):
    code = models.SlugField(max_length=20, unique=True, help_text="e.g. WT2023 (docs/rules.md)")
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=80)
    strand = models.CharField(max_length=20, choices=Strand.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=VersionStatus.choices)
    default_on = models.BooleanField(
        default=False,
        help_text="Applies from its effective date to a partnership that recorded no adoption",
    )
    source_url = models.URLField(max_length=300)
    citation = models.CharField(max_length=300, help_text="The document and its part")
    note = models.TextField(blank=True, help_text="Shown on the adoption page")

    class Meta:
        ordering = ["strand", "effective_from", "code"]

    def __str__(self) -> str:
        return self.short_title

    @property
    def review_types(self) -> tuple[str, ...]:
        return STRAND_REVIEW_TYPES[self.strand]

    @property
    def needs_confirmation(self) -> bool:
        """A draft or a provision not yet in force is adopted only with a confirmation."""
        return self.status in (VersionStatus.CONSULTATION_DRAFT, VersionStatus.PROSPECTIVE)


class GuidanceAdoption(models.Model):
    """The date a partnership adopted a version: cases it became aware of on or after that date
    follow the version (until a later adoption in the same strand)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="guidance_adoptions"
    )
    version = models.ForeignKey(GuidanceVersion, on_delete=models.PROTECT, related_name="adoptions")
    adopted_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["version__strand", "adopted_on"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "version"], name="guidance_adopted_once")
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.version.code} from {self.adopted_on}"
