"""Agency requests and returns: the business unit asks and chases; each agency's contributors
see only their agency's requests and return versioned answers (docs/rules.md
§rapid-review, §agency-contributions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import posted
from safeguarding.core.forms import show_service_error as _show_service_error
from safeguarding.core.pagination import paginate_in_one_query
from safeguarding.core.uploads import KINDS

from ..models import AgencyRequest
from ..permissions import agency_ids_for, can_answer_request, can_manage_review, can_view_review
from ..selectors import review_get_for_user
from . import selectors, services
from .forms import (
    ChaseOverdueForm,
    CloseRequestForm,
    ReaddressRequestForm,
    RequestSendForm,
    record_return_form,
    return_form_class,
)


def review_url(review) -> str:
    """The review's own page (built by another module); the requests page until it exists."""
    try:
        return reverse("reviews:detail", args=[review.partnership.slug, review.pk])
    except NoReverseMatch:
        return reverse("reviews:requests", args=[review.partnership.slug, review.pk])


def _review_for_manager(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    review = review_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if not can_manage_review(request.user, review):
        raise PermissionDenied("Only the business unit can ask agencies for information")
    return partnership, review


def _render_list(request, partnership, review, *, form=None, chase_form=None, status=200):
    can_manage = can_manage_review(request.user, review)
    agencies = services.requestable_agencies(review) if can_manage else []
    rows = selectors.request_rows_for_review(review=review)
    chaseable = selectors.overdue_rows(rows) if can_manage else []
    if form is None:
        form = RequestSendForm(agencies=agencies)
    if chase_form is None:
        chase_form = ChaseOverdueForm(requests=[row.request for row in chaseable])
    deadline, span = (
        services.rapid_review_expected(review.case) if review.is_rapid_review else (None, "")
    )
    return render(
        request,
        "reviews/requests/list.html",
        {
            "partnership": partnership,
            "review": review,
            "review_url": review_url(review),
            "rows": rows,
            "not_emailed": [row for row in rows if row.not_emailed],
            "chaseable": chaseable,
            "form": form,
            "chase_form": chase_form,
            "agencies": agencies,
            "rapid_review_deadline": deadline,
            "rapid_review_span": span,
            "read_only": review.is_read_only,
            "can_manage": can_manage,
            "partners": services.request_partners(review) if can_manage else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def request_list(request, slug: str, pk: int):
    """The review's requests: every reader of the review sees them (as each request's page,
    ADR 0010); only the business unit asks and chases."""
    if request.method != "POST":
        partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
        review = review_get_for_user(user=request.user, partnership=partnership, pk=pk)
        return _render_list(request, partnership, review)
    partnership, review = _review_for_manager(request, slug, pk)
    form = RequestSendForm(request.POST, agencies=services.requestable_agencies(review))
    if form.is_valid() and _send(request, form, review):
        return redirect("reviews:requests", slug=partnership.slug, pk=review.pk)
    return _render_list(request, partnership, review, form=form)


@require_http_methods(["GET", "POST"])
def request_partner(request, slug: str, pk: int, partner_pk: int):
    """The owner's business unit asks an agency of a partner partnership that takes part in the
    review of a shared case (ADR 0022): the partner's contributors of that agency answer it
    under their own address and see nothing else of the review. 404 for a partnership that
    does not take part."""
    partnership, review = _review_for_manager(request, slug, pk)
    partners = services.request_partners(review)
    partner = next((p for p in partners if p.pk == partner_pk), None)
    if partner is None:
        raise Http404("No such partner")
    agencies = services.partner_agencies(review, partner, partners)
    form = RequestSendForm(posted(request), agencies=agencies, kinds=services.PARTNER_KINDS)
    if request.method == "POST" and form.is_valid() and _send(request, form, review, partner):
        return redirect("reviews:requests", slug=partnership.slug, pk=review.pk)
    return render(
        request,
        "reviews/requests/partner_send.html",
        {
            "partnership": partnership,
            "review": review,
            "partner": partner,
            "agencies": agencies,
            "form": form,
            "read_only": review.is_read_only,
        },
    )


def _send(request, form, review, partner=None) -> bool:
    """Send the valid ``form``'s request (to agencies of ``partner`` when given, ADR 0022) and
    say so; False, with the service's error on the form, when it is refused."""
    try:
        sent = services.agency_requests_send(
            review=review,
            agencies=form.selected_agencies(),
            kind=form.cleaned_data["kind"],
            due_on=form.cleaned_data["due_on"],
            instructions=form.cleaned_data["instructions"],
            actor=request.user,
            answered_in=partner,
        )
    except ServiceError as error:
        _show_service_error(form, error)
        return False
    emails = selectors.request_emails(requests=sent)
    unsent = [r.agency.name for r in sent if not emails.get(r.pk)]
    of, where = (f" of {partner.name}", f" in {partner.name}") if partner else ("", "")
    message = f"Request sent to {len(sent)} agenc{'y' if len(sent) == 1 else 'ies'}{of}."
    if unsent:
        message += (
            f" No one at {_names(unsent)} has an account or an email contact{where}, so "
            f"{'it was' if len(unsent) == 1 else 'they were'} not emailed: send them "
            "the request yourself and record what they return"
        )
    else:
        message += " Each has been emailed"
    messages.success(request, message)
    return True


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@require_POST
def requests_chase(request, slug: str, pk: int):
    """Chase several overdue requests of a review at once (one reminder each)."""
    partnership, review = _review_for_manager(request, slug, pk)
    rows = selectors.request_rows_for_review(review=review)
    form = ChaseOverdueForm(
        request.POST, requests=[row.request for row in selectors.overdue_rows(rows)]
    )
    if form.is_valid():
        try:
            chased = services.agency_requests_chase(
                review=review, requests=form.selected_requests(), actor=request.user
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"{len(chased)} overdue request{'s' if len(chased) != 1 else ''} chased: "
                f"{_names([r.agency.name for r in chased])} "
                f"{'has' if len(chased) == 1 else 'have'} been sent a reminder",
            )
            return redirect("reviews:requests", slug=partnership.slug, pk=review.pk)
    return _render_list(request, partnership, review, chase_form=form)


@require_POST
def request_chase(request, slug: str, request_pk: int):
    partnership, agency_request = _request_for_manager(request, slug, request_pk)
    review = agency_request.review
    try:
        services.agency_request_chase(request=agency_request, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{agency_request.agency.name} has been chased by email")
    return redirect("reviews:requests", slug=partnership.slug, pk=review.pk)


@require_safe
def my_requests(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    agency_ids = agency_ids_for(request.user, partnership)
    if not agency_ids:
        raise PermissionDenied("This page is for agency contributors")
    page, pagination = paginate_in_one_query(
        request,
        selectors.request_list_for_agencies(partnership=partnership, agency_ids=agency_ids),
    )
    return render(
        request,
        "reviews/requests/mine.html",
        {
            "partnership": partnership,
            "rows": selectors.request_rows_for_list(page.object_list),
            "page": page,
            "pagination": pagination,
        },
    )


def _request_for_reader(request, slug: str, request_pk: int):
    """The request, for its agency's contributors and the review's readers; 404 for others
    (so another agency's contributor cannot tell that the request exists)."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    agency_request = selectors.agency_request_get_for_user(
        user=request.user, partnership=partnership, pk=request_pk
    )
    contributor = selectors.is_answered_here(
        agency_request, partnership
    ) and agency_request.agency_id in agency_ids_for(request.user, partnership)
    return partnership, agency_request, contributor


@require_http_methods(["GET", "POST"])
def request_detail(request, slug: str, request_pk: int):
    partnership, agency_request, contributor = _request_for_reader(request, slug, request_pk)
    review = agency_request.review
    can_answer = (
        contributor
        and not agency_request.closure
        and can_answer_request(request.user, agency_request)
    )
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
    can_manage = can_manage_review(request.user, review)
    emailed: list = []
    contributors = 0
    contacts = 0
    if can_manage:
        contacts = account_selectors.agency_contact_counts(partnership=partnership).get(
            agency_request.agency_id, 0
        )
        emailed = selectors.request_emails(requests=[agency_request]).get(agency_request.pk, [])
        contributors = selectors.contributor_counts(
            partnership=partnership, agency_ids={agency_request.agency_id}
        ).get(agency_request.agency_id, 0)
    return render(
        request,
        "reviews/requests/detail.html",
        {
            "emailed": emailed,
            "contributors": contributors,
            "contacts": contacts,
            "can_close": can_manage and agency_request.is_open and not review.is_read_only,
            "can_record": can_manage and not agency_request.closure and not review.is_read_only,
            "partnership": partnership,
            "agency_request": agency_request,
            "review": review,
            "is_contributor": contributor,
            "can_manage": can_manage,
            "can_read_review": can_view_review(request.user, review),
            "review_url": review_url(review) if can_view_review(request.user, review) else "",
            "returns": returns,
            "form": form,
            "chronology_url": chronology_url,
            "chronology_link": chronology_link,
        },
    )


def _request_for_manager(request, slug: str, request_pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    agency_request = selectors.agency_request_get_for_user(
        user=request.user, partnership=partnership, pk=request_pk
    )
    if not can_manage_review(request.user, agency_request.review):
        raise PermissionDenied("Only the business unit can do this")
    return partnership, agency_request


def _back_to_request(partnership, agency_request):
    return redirect("reviews:request_detail", slug=partnership.slug, request_pk=agency_request.pk)


def _refused(request, partnership, agency_request, error: ServiceError):
    """A request that can no longer be changed (closed, returned, review signed off): say why
    on its page rather than show a form that cannot be sent."""
    messages.error(request, error.message)
    return _back_to_request(partnership, agency_request)


@require_http_methods(["GET", "POST"])
def request_record_return(request, slug: str, request_pk: int):
    """The business unit records a return the agency sent by email, by post, by hand or at a
    meeting, on the agency's behalf."""
    partnership, agency_request = _request_for_manager(request, slug, request_pk)
    review = agency_request.review
    if review.is_read_only or agency_request.closure:
        return _refused(
            request,
            partnership,
            agency_request,
            ServiceError(
                "The review is signed off: reopen it first"
                if review.is_read_only
                else "This request is closed: it takes no returns"
            ),
        )
    form = record_return_form(agency_request.kind)(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attachment = data.pop("attachment", None)
        try:
            agency_return = services.agency_return_record(
                request=agency_request,
                actor=request.user,
                fields=data,
                attachment=attachment,
                received_from_name=data.pop("received_from_name"),
                received_from_role=data.pop("received_from_role"),
                received_from_email=data.pop("received_from_email"),
                received_via=data.pop("received_via"),
                received_on=data.pop("received_on"),
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Version {agency_return.version} of {agency_request.agency.name}'s "
                f"{agency_request.get_kind_display().lower()} has been recorded",
            )
            return _back_to_request(partnership, agency_request)
    return render(
        request,
        "reviews/requests/record_return.html",
        {
            "partnership": partnership,
            "agency_request": agency_request,
            "review": review,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def request_close(request, slug: str, request_pk: int):
    """Mark a request "nothing to return", or cancel it, with a reason."""
    partnership, agency_request = _request_for_manager(request, slug, request_pk)
    try:
        services.check_can_close(agency_request)
    except ServiceError as error:
        return _refused(request, partnership, agency_request, error)
    form = CloseRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        close = (
            services.agency_request_nothing_to_return
            if form.cleaned_data["outcome"] == AgencyRequest.Closure.NOTHING_TO_RETURN
            else services.agency_request_cancel
        )
        try:
            closed = close(
                request=agency_request, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"{closed.agency.name} has been recorded as having nothing to return"
                if closed.is_nothing_to_return
                else f"The request to {closed.agency.name} has been cancelled",
            )
            return redirect("reviews:requests", slug=partnership.slug, pk=closed.review_id)
    return render(
        request,
        "reviews/requests/close.html",
        {
            "partnership": partnership,
            "agency_request": agency_request,
            "review": agency_request.review,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def request_readdress(request, slug: str, request_pk: int):
    """Send a request to another agency instead, with a reason."""
    partnership, agency_request = _request_for_manager(request, slug, request_pk)
    try:
        services.check_can_close(agency_request)
    except ServiceError as error:
        return _refused(request, partnership, agency_request, error)
    review = agency_request.review
    agencies = [
        a for a in services.requestable_agencies(review) if a.pk != agency_request.agency_id
    ]
    form = ReaddressRequestForm(
        posted(request), agencies=agencies, initial={"due_on": agency_request.due_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.agency_request_readdress(
                request=agency_request,
                agency=form.selected_agency(),
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"The request has been sent to {new.agency.name} instead of "
                f"{agency_request.agency.name}",
            )
            return redirect("reviews:requests", slug=partnership.slug, pk=review.pk)
    return render(
        request,
        "reviews/requests/readdress.html",
        {
            "partnership": partnership,
            "agency_request": agency_request,
            "review": review,
            "form": form,
        },
    )


@require_safe
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
