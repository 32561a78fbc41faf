"""Requests for information a partnership makes to a person or body under its statutory
power (docs/rules.md §information-requests): Care Act 2014 section 45 for a Safeguarding
Adults Board, Children Act 2004 section 16H for the safeguarding partners. Each is made on a
case (and perhaps one of its reviews), is due by a date, and is answered or refused (with the
reason); it may be escalated, more than once. Never deleted: the history is these rows and
the audit trail."""

import datetime

from django.conf import settings
from django.db import models

from safeguarding.accounts.models import Partnership
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import Review


class LegalBasis(models.TextChoices):
    CARE_ACT_S45 = "care_act_s45", "Care Act 2014 section 45 (Safeguarding Adults Board)"
    CHILDREN_ACT_S16H = "children_act_s16h", "Children Act 2004 section 16H (safeguarding partners)"


class InformationRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        REFUSED = "refused", "Refused"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="information_requests"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="information_requests")
    review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="information_requests",
    )
    recipient = models.CharField(max_length=200, help_text="The person or body asked")
    recipient_email = models.EmailField(blank=True)
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    information_sought = models.TextField(max_length=5_000)
    made_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    answered_on = models.DateField(null=True, blank=True)
    answer_summary = models.TextField(max_length=5_000, blank=True)
    refused_on = models.DateField(null=True, blank=True)
    refusal_reason = models.TextField(max_length=5_000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["partnership", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("made_on")),
                name="information_request_due_after_made",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="answered") | models.Q(answered_on__isnull=False),
                name="information_request_answered_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused")
                | (models.Q(refused_on__isnull=False) & ~models.Q(refusal_reason="")),
                name="information_request_refused_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Request for information to {self.recipient} ({self.case.reference})"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < today


class Escalation(models.Model):
    """The request escalated (not answered in time, or refused): to whom, when, and why."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.PROTECT, related_name="escalations"
    )
    escalated_on = models.DateField()
    escalated_to = models.CharField(max_length=200)
    note = models.TextField(max_length=5_000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["escalated_on", "id"]

    def __str__(self) -> str:
        return f"Escalated to {self.escalated_to} on {self.escalated_on:%-d %B %Y}"
