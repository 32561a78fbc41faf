"""R13: during a local review the safeguarding partners must check the time taken and the quality
at regular intervals. Recording a check moves the "progress check" milestone on to the next one
(the interval is the partnership's setting for rule lcspr-progress-check)."""

import datetime

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguarding.audit.services import audit_record
from safeguarding.clock import services as clock
from safeguarding.clock.models import Milestone, subject_type_for
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import GovukDateField, GovukForm

from .models import Review
from .review_views import _require, _review, _show_service_error

RULE_CODE = "lcspr-progress-check"


def _open_check(review: Review) -> Milestone | None:
    return (
        Milestone.objects.select_related("rule")
        .filter(
            subject_type=subject_type_for(review.case),
            subject_id=review.case_id,
            rule__code=RULE_CODE,
            status__in=[Milestone.Status.DUE, Milestone.Status.PAUSED],
        )
        .first()
    )


def progress_check_record(
    *, review: Review, checked_on: datetime.date, notes: str, actor
) -> Milestone:
    """Record a check of time and quality (R13); the next check falls due one interval later."""
    if review.is_read_only:
        raise ServiceError("The review is signed off")
    milestone = _open_check(review)
    if milestone is None:
        raise ServiceError("This review has no progress check due")
    if checked_on > timezone.localdate():
        raise ServiceError("The date of the check must be today or in the past", field="checked_on")
    if checked_on < review.started_on:
        raise ServiceError(
            "The date of the check must be on or after the review started", field="checked_on"
        )
    if not notes.strip():
        raise ServiceError("Enter what the check found about time and quality", field="notes")
    with transaction.atomic():
        next_due = clock.due_date(checked_on, milestone.offset_amount, milestone.offset_unit)
        milestone.due_on = next_due
        milestone.extension_reason = f"Progress check held on {checked_on:%-d %B %Y}"
        milestone.status = Milestone.Status.DUE
        milestone.save(update_fields=["due_on", "extension_reason", "status", "modified_at"])
        audit_record(
            action="review.progress_checked",
            actor=actor,
            target=review,
            payload={
                "checked_on": checked_on.isoformat(),
                "next_due": next_due.isoformat(),
                "notes": notes.strip()[:1000],
            },
        )
    return milestone


class ProgressCheckForm(GovukForm):
    checked_on = GovukDateField(label="Date of the check", help_text="For example, 27 3 2026")
    notes = forms.CharField(
        label="What did the partners find about the time taken and the quality?",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what the check found about time and quality",
            "max_length": "Notes must be 5,000 characters or fewer",
        },
    )


@require_http_methods(["GET", "POST"])
def progress_check(request, slug: str, pk: int):
    from .permissions import can_manage_review

    partnership, review = _review(request, slug, pk)
    _require(can_manage_review(request.user, review), review)
    form = ProgressCheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = progress_check_record(
                review=review, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Progress check recorded. The next one is due {milestone.due_on:%-d %B %Y}",
            )
            return redirect(reverse("reviews:detail", args=[slug, review.pk]) + "#milestones")
    return render(
        request,
        "reviews/review/progress_check.html",
        {
            "partnership": partnership,
            "review": review,
            "form": form,
            "milestone": _open_check(review),
        },
    )


urlpatterns = [path("<int:pk>/progress-check/", progress_check, name="progress_check")]
