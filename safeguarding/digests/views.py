"""Staff pages for learning digests, under /manage/<partnership>/digests/.

Each view: partnership (404 outside it) → issue through a selector (404 outside the
partnership) → permission (403) → form → one service → redirect with a success message.
The business unit writes; partner leads read. A published issue is read-only.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted, show_service_error
from safeguarding.core.pagination import paginate

from . import permissions, rendering, selectors, services
from .forms import (
    FreeItemForm,
    IssueDetailsForm,
    IssueStartForm,
    ItemForm,
    MoveForm,
    ProposalsForm,
    PublishForm,
)
from .models import DigestIssue
from .rows import issue_rows_html

BUSINESS_UNIT_ONLY = "Only the business unit can change learning digests"


def _partnership(request, slug: str, *, manage: bool = False):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if manage:
        if not permissions.can_manage_digests(request.user, partnership):
            raise PermissionDenied(BUSINESS_UNIT_ONLY)
    elif not permissions.can_view_digests(request.user, partnership):
        raise PermissionDenied("You cannot see the learning digests")
    return partnership


def _issue(request, slug: str, pk: int, *, manage: bool = False):
    """The issue (404 for anyone who may not see the digests: ADR 0010), then 403 for a partner
    lead when ``manage``, and for a published issue, which cannot change."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    issue = selectors.issue_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if manage and not permissions.can_manage_digests(request.user, partnership):
        raise PermissionDenied(BUSINESS_UNIT_ONLY)
    if manage and issue.status != DigestIssue.Status.DRAFT:
        raise PermissionDenied(services.PUBLISHED_READ_ONLY)
    return partnership, issue


def _to_issue(issue, anchor: str = ""):
    response = redirect("digests:issue", slug=issue.partnership.slug, pk=issue.pk)
    if anchor:
        response["Location"] += anchor
    return response


def base_url(request) -> str:
    """The service's address for links in files and emails."""
    return settings.SERVICE_URL or request.build_absolute_uri("/").rstrip("/")


def _page(request, template: str, partnership, issue=None, **context):
    return render(
        request,
        f"digests/staff/{template}",
        {"partnership": partnership, "issue": issue, **context},
    )


# The list and starting an issue ----------------------------------------------------------------


@require_safe
def issue_list(request, slug: str):
    partnership = _partnership(request, slug)
    page, pagination = paginate(request, selectors.issue_list(partnership=partnership))
    return _page(
        request,
        "list.html",
        partnership,
        issues=page.object_list,
        rows=issue_rows_html(page.object_list, partnership=partnership),
        pagination=pagination,
        subscribers=selectors.subscriber_counts(partnership=partnership),
        can_manage=permissions.can_manage_digests(request.user, partnership),
    )


@require_http_methods(["GET", "POST"])
def issue_start(request, slug: str):
    partnership = _partnership(request, slug, manage=True)
    form = IssueStartForm(
        posted(request), initial={"number": selectors.next_number(partnership=partnership)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.issue_start(
                partnership=partnership, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Issue {issue.number} has been started")
            return _to_issue(issue)
    return _page(request, "start.html", partnership, form=form)


# The editor -------------------------------------------------------------------------------------


@require_safe
def issue_detail(request, slug: str, pk: int):
    partnership, issue = _issue(request, slug, pk)
    can_manage = permissions.can_manage_digests(request.user, partnership)
    editable = can_manage and issue.status == DigestIssue.Status.DRAFT
    items = selectors.item_list(issue=issue)
    context = {
        "items": items,
        "can_manage": can_manage,
        "editable": editable,
        "period": rendering.period_text(issue),
        "subscribers": selectors.subscriber_counts(partnership=partnership),
    }
    if editable:
        available, _ = services.issue_proposals(issue=issue, items=items)
        context["proposals_waiting"] = len(available)
    return _page(request, "detail.html", partnership, issue, **context)


@require_http_methods(["GET", "POST"])
def issue_edit(request, slug: str, pk: int):
    partnership, issue = _issue(request, slug, pk, manage=True)
    initial = {
        "title": issue.title,
        "period_start": issue.period_start,
        "period_end": issue.period_end,
        "introduction": issue.introduction,
    }
    form = IssueDetailsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_update(issue=issue, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The issue's details have been saved")
            return _to_issue(issue)
    return _page(request, "edit.html", partnership, issue, form=form)


@require_http_methods(["GET", "POST"])
def issue_choose(request, slug: str, pk: int):
    """The service's proposals for the period: tick the ones to add."""
    partnership, issue = _issue(request, slug, pk, manage=True)
    available, included = services.issue_proposals(issue=issue)
    form = ProposalsForm(posted(request), proposals=available)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.items_add(
                issue=issue, actor=request.user, keys=form.cleaned_data["items"]
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            count = len(added)
            messages.success(request, f"{count} item{'' if count == 1 else 's'} added")
            return _to_issue(issue, "#items")
    return _page(
        request,
        "choose.html",
        partnership,
        issue,
        form=form,
        available=available,
        included=included,
        period=rendering.period_text(issue),
    )


@require_http_methods(["GET", "POST"])
def item_add(request, slug: str, pk: int):
    partnership, issue = _issue(request, slug, pk, manage=True)
    form = FreeItemForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(issue=issue, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The item has been added")
            return _to_issue(issue, "#items")
    return _page(request, "item_add.html", partnership, issue, form=form)


@require_http_methods(["GET", "POST"])
def item_edit(request, slug: str, pk: int, item_pk: int):
    partnership, issue = _issue(request, slug, pk, manage=True)
    item = selectors.item_get(issue=issue, pk=item_pk)
    form = ItemForm(posted(request), initial={"heading": item.heading, "text": item.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(item=item, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The item has been changed")
            return _to_issue(issue, f"#item-{item.pk}")
    return _page(request, "item_edit.html", partnership, issue, form=form, item=item)


@require_POST
def item_move(request, slug: str, pk: int, item_pk: int):
    _, issue = _issue(request, slug, pk, manage=True)
    item = selectors.item_get(issue=issue, pk=item_pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.item_move(item=item, actor=request.user, **form.cleaned_data)
    return _to_issue(issue, f"#item-{item.pk}")


@require_POST
def item_remove(request, slug: str, pk: int, item_pk: int):
    _, issue = _issue(request, slug, pk, manage=True)
    item = selectors.item_get(issue=issue, pk=item_pk)
    services.item_remove(item=item, actor=request.user)
    messages.success(request, f"‘{item.heading}’ has been removed from the issue")
    return _to_issue(issue, "#items")


@require_safe
def issue_preview(request, slug: str, pk: int):
    partnership, issue = _issue(request, slug, pk)
    document = rendering.build_document(issue, selectors.item_list(issue=issue))
    return _page(request, "preview.html", partnership, issue, document=document)


@require_http_methods(["GET", "POST"])
def issue_publish(request, slug: str, pk: int):
    partnership, issue = _issue(request, slug, pk, manage=True)
    items = selectors.item_list(issue=issue)
    form = PublishForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_publish(issue=issue, actor=request.user, base_url=base_url(request))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Issue {issue.number} has been published and is being emailed to subscribers",
            )
            return _to_issue(issue)
    return _page(
        request,
        "publish.html",
        partnership,
        issue,
        form=form,
        items=items,
        period=rendering.period_text(issue),
        subscribers=selectors.subscriber_counts(partnership=partnership),
    )
