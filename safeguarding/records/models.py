"""A partnership's own retention periods, and the cases it keeps out of the retention schedule
(records/retention_schedule.py holds the record types and their defaults)."""

from django.conf import settings
from django.db import models

from safeguarding.accounts.models import Partnership
from safeguarding.referrals.models import Case


class RetentionSetting(models.Model):
    """A partnership's own period for one record type of the schedule, or the rule switched
    off (the records are then kept until it is switched on again)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="retention_settings"
    )
    record_type = models.CharField(max_length=40)
    months = models.PositiveIntegerField()
    enabled = models.BooleanField(default=True)
    modified_at = models.DateTimeField(auto_now=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "record_type"], name="retention_setting_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.record_type} = {self.months} months"


class RetentionHold(models.Model):
    """A case kept out of the retention schedule, whatever its dates: a legal hold (an inquest,
    a criminal trial, a claim, an inquiry). Nothing of the case is archived, deleted or
    anonymised while a hold is in place."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="retention_holds"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="retention_holds")
    reason = models.TextField(max_length=2_000)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(lifted_at__isnull=True),
                name="retention_hold_one_in_place",
            )
        ]

    def __str__(self) -> str:
        return f"Hold on {self.case.reference}"

    @property
    def in_place(self) -> bool:
        return self.lifted_at is None
