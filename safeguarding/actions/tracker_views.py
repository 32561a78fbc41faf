"""The partnership's action tracker, one agency's actions and the exports for boards, under
/manage/<partnership>/actions/ (the figures for the annual report are in the reports app).

Each view: partnership (404 outside it) → permission (403) → filters → selectors → page or file.
What an agency contributor sees is narrowed in the selector (``actions_visible_to``), so the page
and its spreadsheet always show the same actions.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.files import file_response
from safeguarding.reviews.selectors import review_get_for_user

from . import agency_selectors, exports, permissions, plan_selectors, tracker_selectors
from .rows import agency_count_rows_html, tracker_rows_html
from .tracker_forms import TrackerFilterForm


def _for_tracker(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not permissions.can_view_tracker(request.user, partnership):
        raise PermissionDenied("Only the business unit, partner leads and agencies see actions")
    return partnership


def _filter_form(request, partnership):
    everything = permissions.sees_every_action(request.user, partnership)
    agencies = tracker_selectors.filter_agencies(user=request.user, partnership=partnership)
    bound = any(name in request.GET for name in TrackerFilterForm.base_fields)
    form = TrackerFilterForm(
        request.GET if bound else None,
        agencies=agencies,
        themes=tracker_selectors.filter_themes(partnership=partnership),
        years=tracker_selectors.filter_years(partnership=partnership),
        agency_filter=everything or len(agencies) > 1,
    )
    return form, form.filters(), agencies


def _page(request, rows, count: int):
    paginator = Paginator(rows, tracker_selectors.TRACKER_PAGE_SIZE)
    paginator.count = count  # known from the counts: no second COUNT query
    return paginator.get_page(request.GET.get("page"))


def _caption(label: str, count: int) -> str:
    return f"{label}: {count:,} action{'' if count == 1 else 's'}"


def _query_without(request, *names: str):
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query


@require_safe
def tracker(request, slug: str):
    partnership = _for_tracker(request, slug)
    today = timezone.localdate()
    form, filters, agencies = _filter_form(request, partnership)
    visible = tracker_selectors.actions_visible_to(user=request.user, partnership=partnership)
    actions = tracker_selectors.filtered_actions(visible, filters)
    counts, by_agency = tracker_selectors.tracker_counts(
        user=request.user, partnership=partnership, filters=filters, today=today, known=agencies
    )
    page = _page(
        request,
        tracker_selectors.TrackerPageRows(
            actions,
            view=filters.view,
            today=today,
            narrowed=filters.narrowed,
            compiled=tracker_selectors.compiled_values(
                user=request.user, partnership=partnership, filters=filters
            ),
        ),
        counts[filters.view],
    )
    query = _query_without(request, "page")
    view_links = []
    for key, label in tracker_selectors.VIEWS:
        link_query = query.copy()
        link_query["view"] = key
        view_links.append(
            {
                "label": label,
                "count": counts[key],
                "query": link_query.urlencode(),
                "current": key == filters.view,
            }
        )
    everything = permissions.sees_every_action(request.user, partnership)
    return render(
        request,
        "actions/tracker/tracker.html",
        {
            "partnership": partnership,
            "form": form,
            "filters": filters,
            "caption": _caption(tracker_selectors.VIEW_LABELS[filters.view], page.paginator.count),
            "view_links": view_links,
            "page": page,
            "rows": tracker_rows_html(page.object_list, partnership=partnership),
            "query": query.urlencode(),
            "by_agency": by_agency,
            "agency_rows": agency_count_rows_html(by_agency, partnership=partnership),
            "sees_everything": everything,
            "own_agencies": [] if everything else agencies,
            "due_soon_days": tracker_selectors.DUE_SOON_WORKING_DAYS,
        },
    )


@require_safe
def agency_actions(request, slug: str, agency_slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    agency = agency_selectors.agency_get_for_user(
        user=request.user, partnership=partnership, slug=agency_slug
    )
    today = timezone.localdate()
    statuses = dict(agency_selectors.AGENCY_STATUSES)
    status = request.GET.get("status", "")
    if status not in statuses:
        status = ""
    actions = tracker_selectors.actions_visible_to(
        user=request.user, partnership=partnership
    ).filter(agency=agency)
    # Every action of the agency (those who see every action): the SQL built once (issue 16).
    compiled = None
    if permissions.sees_every_action(request.user, partnership):
        compiled = {"partnership_id": partnership.pk, "agency_id": agency.pk}
    counts = agency_selectors.agency_status_counts(actions, today, compiled=compiled)
    page = _page(
        request,
        agency_selectors.AgencyPageRows(actions, status=status, today=today, compiled=compiled),
        counts[status] if status else counts["all"],
    )
    rows = [tracker_selectors.TrackerRow.of(action, today) for action in page.object_list]
    status_links = [
        {
            "value": value,
            "label": label,
            "count": counts[value] if value else counts["all"],
            "current": value == status,
        }
        for value, label in [("", "All actions"), *agency_selectors.AGENCY_STATUSES]
    ]
    return render(
        request,
        "actions/tracker/agency.html",
        {
            "partnership": partnership,
            "agency": agency,
            "status": status,
            "status_label": statuses.get(status, ""),
            "status_links": status_links,
            "counts": counts,
            "page": page,
            "rows": tracker_rows_html(rows, partnership=partnership),
            "caption": _caption(statuses.get(status, "All actions"), page.paginator.count),
            "query": f"status={status}" if status else "",
            "sees_everything": permissions.sees_every_action(request.user, partnership),
        },
    )


@never_cache
@require_safe
def tracker_xlsx(request, slug: str):
    partnership = _for_tracker(request, slug)
    today = timezone.localdate()
    _form, filters, _agencies = _filter_form(request, partnership)
    visible = tracker_selectors.actions_visible_to(user=request.user, partnership=partnership)
    actions = tracker_selectors.filtered_actions(visible, filters)
    rows = tracker_selectors.tracker_export_rows(actions, view=filters.view, today=today)
    workbook, count = exports.tracker_xlsx(
        rows, partnership=partnership, filters_text=filters.describe(), today=today
    )
    return file_response(
        request,
        content=workbook,
        filename=f"action-tracker-{partnership.slug}-{today:%Y%m%d}.xlsx",
        content_type=exports.XLSX,
        audit_action="action_plan.exported",
        target=partnership,
        partnership=partnership,
        payload={
            "kind": "tracker_xlsx",
            "rows": count,
            **({"filters": filters.as_payload()} if filters.as_payload() else {}),
        },
    )


def _plan(request, slug: str, review_pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    # The action plan's readers are the review's (permissions.can_view_action_plan).
    review = review_get_for_user(user=request.user, partnership=partnership, pk=review_pk)
    return partnership, review, plan_selectors.action_plan_for_export(review=review)


def _plan_export(request, slug: str, review_pk: int, fmt: str):
    partnership, review, plan = _plan(request, slug, review_pk)
    today = timezone.localdate()
    writer = exports.plan_docx if fmt == "docx" else exports.plan_xlsx
    return file_response(
        request,
        content=writer(plan, review=review, today=today),
        filename=f"action-plan-{slugify(review.reference)}-{today:%Y%m%d}.{fmt}",
        content_type=exports.DOCX if fmt == "docx" else exports.XLSX,
        audit_action="action_plan.exported",
        target=review,
        partnership=partnership,
        payload={"kind": f"plan_{fmt}", "rows": sum(len(item.actions) for item in plan)},
    )


@never_cache
@require_safe
def plan_docx(request, slug: str, review_pk: int):
    return _plan_export(request, slug, review_pk, "docx")


@never_cache
@require_safe
def plan_xlsx(request, slug: str, review_pk: int):
    return _plan_export(request, slug, review_pk, "xlsx")
