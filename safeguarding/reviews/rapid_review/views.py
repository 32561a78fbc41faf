"""The rapid review pages (docs/rules.md §rapid-review): start it, record immediate actions, the
meeting and recommendation, send it to the National Panel and record the Panel's response (R10,
R11), and download the report."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.permissions import is_business_unit
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import show_service_error as _show_service_error
from safeguarding.referrals import selectors as referral_selectors

from ..permissions import can_manage_review
from ..requests import selectors as request_selectors
from ..requests.services import (
    rapid_review_deadline,
    rapid_review_expected,
    requestable_agencies,
)
from ..requests.views import review_url
from ..selectors import review_get_for_user
from . import report, services
from .forms import (
    ImmediateActionForm,
    OutcomeForm,
    PanelResponseForm,
    PanelSubmissionForm,
)


def _rapid_review_for_manager(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    review = review_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if not can_manage_review(request.user, review):
        raise PermissionDenied("Only the business unit can change the rapid review")
    return partnership, review


def _context(partnership, review, **extra) -> dict:
    return {
        "partnership": partnership,
        "review": review,
        "review_url": review_url(review),
        "rapid_review_deadline": rapid_review_deadline(review) if review.is_rapid_review else None,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def start_rapid_review(request, slug: str, case_pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    case = referral_selectors.case_get_for_user(
        user=request.user, partnership=partnership, pk=case_pk
    )
    if not is_business_unit(request.user, partnership):
        raise PermissionDenied("Only the business unit can start a rapid review")
    if case.partnership_id != partnership.pk:
        # A partner reaching the case through a share does not run its reviews (ADR 0022).
        raise PermissionDenied(
            f"Only {case.partnership.name}, which holds the case, can start a rapid review"
        )
    try:
        deadline, span = rapid_review_expected(case)
    except ServiceError as refused:  # R9: no rapid review in the case's guidance
        return render(
            request,
            "reviews/rapid_review/start.html",
            {"partnership": partnership, "case": case, "error": refused.message, "refused": True},
        )
    error = ""
    if request.method == "POST":
        try:
            review = services.rapid_review_start(case=case, actor=request.user)
        except ServiceError as service_error:
            error = service_error.message
        else:
            messages.success(
                request,
                f"Rapid review {review.reference} started. Ask the agencies involved for their "
                "summaries",
            )
            return redirect(review_url(review))
    return render(
        request,
        "reviews/rapid_review/start.html",
        {
            "partnership": partnership,
            "case": case,
            "deadline": deadline,
            "deadline_span": span,
            "error": error,
        },
    )


@require_http_methods(["GET", "POST"])
def immediate_actions(request, slug: str, pk: int):
    partnership, review = _rapid_review_for_manager(request, slug, pk)
    form = ImmediateActionForm(request.POST or None, agencies=requestable_agencies(review))
    if request.method == "POST" and form.is_valid():
        try:
            services.immediate_action_record(
                review=review,
                action=form.cleaned_data["action"],
                agency=form.selected_agency(),
                taken_on=form.cleaned_data["taken_on"],
                actor=request.user,
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, "Immediate action recorded")
            return redirect("reviews:immediate_actions", slug=partnership.slug, pk=review.pk)
    return render(
        request,
        "reviews/rapid_review/immediate_actions.html",
        _context(
            partnership,
            review,
            form=form,
            actions=request_selectors.immediate_action_list(review=review),
        ),
    )


OUTCOME_FIELDS = (
    "meeting_held_on",
    "meeting_attendees",
    "facts_summary",
    "learning_identified",
    "recommendation",
    "recommendation_rationale",
    "national_importance_view",
)


@require_http_methods(["GET", "POST"])
def rapid_review_outcome(request, slug: str, pk: int):
    partnership, review = _rapid_review_for_manager(request, slug, pk)
    if not review.is_rapid_review:
        raise PermissionDenied("This page is for rapid reviews")
    initial = {name: getattr(review, name) for name in OUTCOME_FIELDS}
    form = OutcomeForm(request.POST or None, initial=initial)
    locked = review.stage == review.Stage.SUBMITTED_TO_PANEL
    if request.method == "POST" and form.is_valid():
        try:
            services.rapid_review_outcome_record(
                review=review, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, "Rapid review meeting and recommendation saved")
            return redirect(review_url(review))
    return render(
        request,
        "reviews/rapid_review/outcome.html",
        _context(partnership, review, form=form, locked=locked),
    )


@require_http_methods(["GET", "POST"])
def panel(request, slug: str, pk: int):
    partnership, review = _rapid_review_for_manager(request, slug, pk)
    if not review.is_rapid_review:
        raise PermissionDenied("This page is for rapid reviews")
    action = None
    if request.method == "POST":
        # A POST without a known action (not sent by the page) is checked as the form the page
        # shows: the submission until it is recorded, then the response.
        action = request.POST.get("action")
        if action not in ("submission", "response"):
            action = "response" if review.panel_submitted_on else "submission"
    submission_form = PanelSubmissionForm(request.POST if action == "submission" else None)
    response_form = PanelResponseForm(
        request.POST if action == "response" else None,
        initial={"responded_on": review.panel_response_on, "response": review.panel_response},
    )
    if action == "submission" and submission_form.is_valid():
        try:
            services.panel_submission_record(
                review=review,
                submitted_on=submission_form.cleaned_data["submitted_on"],
                actor=request.user,
            )
        except ServiceError as error:
            _show_service_error(submission_form, error)
        else:
            messages.success(
                request,
                "Sending to the National Panel recorded. Its response is expected within about "
                "10 days",
            )
            return redirect("reviews:panel", slug=partnership.slug, pk=review.pk)
    elif action == "response" and response_form.is_valid():
        try:
            services.panel_response_record(
                review=review,
                responded_on=response_form.cleaned_data["responded_on"],
                response=response_form.cleaned_data["response"],
                actor=request.user,
            )
        except ServiceError as error:
            _show_service_error(response_form, error)
        else:
            messages.success(request, "The Panel's response has been recorded")
            return redirect("reviews:panel", slug=partnership.slug, pk=review.pk)
    return render(
        request,
        "reviews/rapid_review/panel.html",
        _context(
            partnership,
            review,
            submission_form=submission_form,
            response_form=response_form,
            form=submission_form if action == "submission" else response_form,
        ),
    )


@require_safe
def rapid_review_report(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    review = review_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if not review.is_rapid_review:
        raise PermissionDenied("This report is for rapid reviews")
    fmt = request.GET.get("format", "docx")
    if fmt not in report.CONTENT_TYPES:
        return HttpResponse(
            "Choose format=docx or format=pdf", status=400, content_type="text/plain"
        )
    return file_response(
        request,
        content=report.report_bytes(review, fmt),
        filename=report.report_filename(review, fmt),
        content_type=report.CONTENT_TYPES[fmt],
        audit_action="review.report_downloaded",
        target=review,
        payload={"document": "rapid_review_report", "format": fmt},
    )
