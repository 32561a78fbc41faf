"""Agency requests and returns: the business unit asks and chases; each agency's contributors
see only their agency's requests and return versioned answers (docs/rules.md
§rapid-review, §agency-contributions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import show_service_error as _show_service_error
from safeguarding.core.uploads import KINDS

from ..models import AgencyRequest
from ..permissions import agency_ids_for, can_answer_request, can_manage_review, can_view_review
from ..selectors import review_get_for_user
from . import selectors, services
from .forms import RequestSendForm, return_form_class


def review_url(review) -> str:
    """The review's own page (built by another module); the requests page until it exists."""
    try:
        return reverse("reviews:detail", args=[review.partnership.slug, review.pk])
    except NoReverseMatch:
        return reverse("reviews:requests", args=[review.partnership.slug, review.pk])


@require_http_methods(["GET", "POST"])
def request_list(request, slug: str, pk: int):
    """The review's requests: every reader of the review sees them (as each request's page,
    ADR 0010); only the business unit asks and chases."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    review = review_get_for_user(user=request.user, partnership=partnership, pk=pk)
    can_manage = can_manage_review(request.user, review)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied("Only the business unit can ask agencies for information")
    agencies = services.requestable_agencies(review) if can_manage else []
    form = RequestSendForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.agency_requests_send(
                review=review,
                agencies=form.selected_agencies(),
                kind=form.cleaned_data["kind"],
                due_on=form.cleaned_data["due_on"],
                instructions=form.cleaned_data["instructions"],
                actor=request.user,
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Request sent to {len(sent)} agenc{'y' if len(sent) == 1 else 'ies'}. "
                "Their contributors have been emailed",
            )
            return redirect("reviews:requests", slug=partnership.slug, pk=review.pk)
    deadline = services.rapid_review_deadline(review) if review.is_rapid_review else None
    return render(
        request,
        "reviews/requests/list.html",
        {
            "partnership": partnership,
            "review": review,
            "review_url": review_url(review),
            "rows": selectors.request_rows_for_review(review=review),
            "form": form,
            "agencies": agencies,
            "rapid_review_deadline": deadline,
            "read_only": review.is_read_only,
            "can_manage": can_manage,
        },
    )


@require_POST
def request_chase(request, slug: str, request_pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    agency_request = selectors.agency_request_get_for_user(
        user=request.user, partnership=partnership, pk=request_pk
    )
    review = agency_request.review
    if not can_manage_review(request.user, review):
        raise PermissionDenied("Only the business unit can chase agencies")
    try:
        services.agency_request_chase(request=agency_request, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{agency_request.agency.name} has been chased by email")
    return redirect("reviews:requests", slug=partnership.slug, pk=review.pk)


@require_GET
def my_requests(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    agency_ids = agency_ids_for(request.user, partnership)
    if not agency_ids:
        raise PermissionDenied("This page is for agency contributors")
    return render(
        request,
        "reviews/requests/mine.html",
        {
            "partnership": partnership,
            "rows": selectors.request_rows_for_agencies(
                partnership=partnership, agency_ids=agency_ids
            ),
        },
    )


def _request_for_reader(request, slug: str, request_pk: int):
    """The request, for its agency's contributors and the review's readers; 404 for others
    (so another agency's contributor cannot tell that the request exists)."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    agency_request = selectors.agency_request_get_for_user(
        user=request.user, partnership=partnership, pk=request_pk
    )
    contributor = agency_request.agency_id in agency_ids_for(request.user, partnership)
    return partnership, agency_request, contributor


@require_http_methods(["GET", "POST"])
def request_detail(request, slug: str, request_pk: int):
    partnership, agency_request, contributor = _request_for_reader(request, slug, request_pk)
    review = agency_request.review
    can_answer = contributor and can_answer_request(request.user, agency_request)
    form_class = return_form_class(agency_request.kind)
    form = None
    if can_answer and form_class is not None:
        form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("You cannot return this request")
        if form.is_valid():
            data = dict(form.cleaned_data)
            attachment = data.pop("attachment", None)
            try:
                agency_return = services.agency_return_submit(
                    request=agency_request, user=request.user, fields=data, attachment=attachment
                )
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Version {agency_return.version} of your "
                    f"{agency_request.get_kind_display().lower()} has been sent",
                )
                return redirect(
                    "reviews:request_detail", slug=partnership.slug, request_pk=agency_request.pk
                )
    chronology_url = chronology_link = ""
    if agency_request.kind == AgencyRequest.Kind.CHRONOLOGY:
        try:
            chronology_url = reverse(
                "reviews:chronology_upload", args=[partnership.slug, review.pk]
            )
            chronology_link = reverse("reviews:chronology", args=[partnership.slug, review.pk])
        except NoReverseMatch:
            chronology_url = chronology_link = ""
    returns = list(
        agency_request.returns.select_related("submitted_by", "chronology_upload").order_by(
            "-version"
        )
    )
    return render(
        request,
        "reviews/requests/detail.html",
        {
            "partnership": partnership,
            "agency_request": agency_request,
            "review": review,
            "is_contributor": contributor,
            "can_read_review": can_view_review(request.user, review),
            "review_url": review_url(review) if can_view_review(request.user, review) else "",
            "returns": returns,
            "form": form,
            "chronology_url": chronology_url,
            "chronology_link": chronology_link,
        },
    )


@require_GET
def return_attachment(request, slug: str, request_pk: int, return_pk: int):
    _, agency_request, _ = _request_for_reader(request, slug, request_pk)
    agency_return = selectors.return_get(request=agency_request, pk=return_pk)
    kind = KINDS.get(agency_return.attachment_kind)
    return file_response(
        request,
        content=agency_return.attachment,
        filename=agency_return.attachment_name or f"return-v{agency_return.version}",
        content_type=kind.content_type if kind else "application/octet-stream",
        audit_action="agency_return.downloaded",
        target=agency_return,
        partnership=agency_request.review.partnership,
        payload={"request": agency_request.pk, "version": agency_return.version},
    )
