"""Requests for information (``/manage/<partnership>/information-requests/``): the
partnership's open, overdue and closed requests, a case's requests, and recording one made,
answered, refused or escalated. Views: selector → permission → form → one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted, show_service_error
from safeguarding.referrals.selectors import case_get_for_user

from . import selectors, services
from .forms import AnswerForm, EscalationForm, RefusalForm, RequestMakeForm
from .models import InformationRequest
from .permissions import can_record_information_requests, can_view_information_requests
from .rows import request_rows_html


def _partnership(request, slug: str):
    return account_selectors.partnership_get_for_user(user=request.user, slug=slug)


def _may_record(request, partnership) -> None:
    if not can_record_information_requests(request.user, partnership):
        raise PermissionDenied(services.NOT_ALLOWED)


def _page_of_requests(request, partnership, *, case):
    """A page of the requests (issue 16: the list grows with the years), in its three parts."""
    today = timezone.localdate()
    page, pagination = selectors.information_request_page(
        request, user=request.user, partnership=partnership, today=today, case=case
    )
    lists = selectors.information_request_lists(rows=page.object_list, today=today)
    # Each table's rows written in Python (ADR 0034).
    tables = {
        "overdue": request_rows_html(lists.overdue, slug=partnership.slug, overdue=True),
        "open": request_rows_html(lists.open, slug=partnership.slug, overdue=False),
        "closed": request_rows_html(lists.closed, slug=partnership.slug, overdue=False),
    }
    return lists, tables, pagination


@require_http_methods(["GET"])
def request_list(request, slug: str):
    partnership = _partnership(request, slug)
    if not can_view_information_requests(request.user, partnership):
        raise PermissionDenied("Only the business unit and partner leads see these requests")
    lists, tables, pagination = _page_of_requests(request, partnership, case=None)
    return render(
        request,
        "information_requests/list.html",
        {
            "partnership": partnership,
            "lists": lists,
            "tables": tables,
            "pagination": pagination,
            "case": None,
        },
    )


@require_http_methods(["GET"])
def case_requests(request, slug: str, case_pk: int):
    partnership = _partnership(request, slug)
    case = case_get_for_user(user=request.user, partnership=partnership, pk=case_pk)
    lists, tables, pagination = _page_of_requests(request, partnership, case=case)
    return render(
        request,
        "information_requests/list.html",
        {
            "partnership": partnership,
            "lists": lists,
            "tables": tables,
            "pagination": pagination,
            "case": case,
            "can_record": can_record_information_requests(request.user, partnership),
        },
    )


@require_http_methods(["GET", "POST"])
def request_make(request, slug: str, case_pk: int):
    partnership = _partnership(request, slug)
    case = case_get_for_user(user=request.user, partnership=partnership, pk=case_pk)
    _may_record(request, partnership)
    bases = selectors.legal_bases_for(partnership)
    form = RequestMakeForm(
        posted(request),
        bases=bases,
        reviews=selectors.reviews_of_case(case=case),
        initial={
            "made_on": timezone.localdate(),
            "legal_basis": bases[0] if len(bases) == 1 else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.information_request_make(
                case=case, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"The request to {made.recipient} has been recorded")
            return redirect("information_requests:detail", slug=partnership.slug, pk=made.pk)
    return render(
        request,
        "information_requests/make.html",
        {"partnership": partnership, "case": case, "form": form},
    )


@require_http_methods(["GET"])
def request_detail(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    info_request = selectors.information_request_get_for_user(
        user=request.user, partnership=partnership, pk=pk
    )
    return render(
        request,
        "information_requests/detail.html",
        {
            "partnership": partnership,
            "info_request": info_request,
            "escalations": list(info_request.escalations.all()),
            "overdue": info_request.is_overdue(timezone.localdate()),
            "can_record": can_record_information_requests(request.user, partnership),
        },
    )


def _step(request, slug: str, pk: int, *, form_class, service, template: str, done: str):
    """A page that records one step of a request (answer, refusal, escalation)."""
    partnership = _partnership(request, slug)
    info_request = selectors.information_request_get_for_user(
        user=request.user, partnership=partnership, pk=pk
    )
    _may_record(request, partnership)
    form = form_class(posted(request), initial={form_class.date_field: timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            service(request=info_request, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("information_requests:detail", slug=partnership.slug, pk=pk)
    return render(
        request,
        template,
        {
            "partnership": partnership,
            "info_request": info_request,
            "form": form,
            "closed": info_request.status == InformationRequest.Status.ANSWERED,
        },
    )


@require_http_methods(["GET", "POST"])
def request_answer(request, slug: str, pk: int):
    return _step(
        request,
        slug,
        pk,
        form_class=AnswerForm,
        service=services.information_request_answer,
        template="information_requests/answer.html",
        done="The answer has been recorded",
    )


@require_http_methods(["GET", "POST"])
def request_refuse(request, slug: str, pk: int):
    return _step(
        request,
        slug,
        pk,
        form_class=RefusalForm,
        service=services.information_request_refuse,
        template="information_requests/refuse.html",
        done="The refusal has been recorded",
    )


@require_http_methods(["GET", "POST"])
def request_escalate(request, slug: str, pk: int):
    return _step(
        request,
        slug,
        pk,
        form_class=EscalationForm,
        service=services.information_request_escalate,
        template="information_requests/escalate.html",
        done="The escalation has been recorded",
    )
