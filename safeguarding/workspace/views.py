"""The staff home: what each person can do in their partnerships. Reads from other apps'
selectors; writes nothing."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.audit_trail import selectors as audit_selectors
from safeguarding.accounts.models import Role
from safeguarding.accounts.permissions import is_administrator, is_business_unit, roles_in
from safeguarding.audit.rows import event_rows_html
from safeguarding.clock.rows import dashboard_rows_html
from safeguarding.clock.selectors import milestone_dashboard
from safeguarding.referrals import selectors as referral_selectors
from safeguarding.referrals.permissions import can_view_referrals
from safeguarding.reviews import case_selectors
from safeguarding.reviews.permissions import agency_ids_for, can_list_cases
from safeguarding.reviews.requests.selectors import open_request_count_for_agencies
from safeguarding.reviews.running import selectors as review_selectors

from . import selectors
from .forms import CaseSearchForm
from .rows import case_rows_html

ROLE_LABELS = dict(Role.choices)


@require_safe
def staff_home(request):
    """The partnerships the signed-in user works in. One partnership: go straight there."""
    memberships = list(account_selectors.membership_list_for_user(user=request.user))
    partnerships = {m.partnership_id: m.partnership for m in memberships}
    if len(partnerships) == 1 and request.GET.get("all") is None:
        only = next(iter(partnerships.values()))
        return redirect("workspace:partnership_home", slug=only.slug)
    rows = [
        {
            "partnership": partnership,
            "roles": [m.get_role_display() for m in memberships if m.partnership_id == pk],
        }
        for pk, partnership in partnerships.items()
    ]
    return render(request, "workspace/staff_home.html", {"rows": rows})


@require_safe
def partnership_home(request, slug: str):
    """What this user can do in one partnership, and what happened lately (business unit)."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    business_unit = is_business_unit(request.user, partnership)
    context = {
        "partnership": partnership,
        "roles": sorted(roles_in(request.user, partnership)),
        # As the memberships would list them (by role, one each: membership_unique_role), from
        # the roles the request has read already: no query.
        "role_labels": [
            ROLE_LABELS.get(role, role) for role in sorted(roles_in(request.user, partnership))
        ],
        "is_business_unit": business_unit,
        "is_administrator": is_administrator(request.user, partnership),
        "can_view_referrals": can_view_referrals(request.user, partnership),
        "my_reviews": review_selectors.review_list_for_home(
            user=request.user, partnership=partnership
        )
        if not business_unit
        else [],
        "awaiting_signature": referral_selectors.decisions_awaiting_signature(
            user=request.user, partnership=partnership
        ),
    }
    agency_ids = agency_ids_for(request.user, partnership)
    if agency_ids:
        context["open_agency_requests"] = open_request_count_for_agencies(
            partnership=partnership, agency_ids=agency_ids
        )
    if can_list_cases(request.user, partnership):
        context["case_counts"] = case_selectors.case_counts_for_user(
            user=request.user, partnership=partnership, today=timezone.localdate()
        )
    if context["can_view_referrals"]:  # the business unit's counts: more than the referrals
        names = selectors.BUSINESS_UNIT_COUNTS if business_unit else selectors.REFERRAL_COUNTS
        context.update(selectors.home_counts(partnership=partnership, names=names))
    if business_unit:
        context["disagreements_to_resolve"] = referral_selectors.disagreement_list_open(
            partnership=partnership
        )
        context["sign_off_disagreements_to_resolve"] = review_selectors.review_disagreements_open(
            partnership=partnership
        )
        dashboard = milestone_dashboard(partnership=partnership, today=timezone.localdate())
        context["dashboard"] = dashboard
        context["dashboard_rows"] = {
            name: dashboard_rows_html(getattr(dashboard, name))
            for name in ("overdue", "due_this_week", "paused")
        }
        recent_events = audit_selectors.audit_event_page_for_partnership(
            partnership=partnership, per_page=10
        ).events
        context["recent_events"] = recent_events
        context["recent_event_rows"] = event_rows_html(recent_events)
    return render(request, "workspace/partnership_home.html", context)


def case_list(request, slug: str):
    """Every case and review the user may see, searched by reference, pseudonym, type, stage,
    agency and dates, 25 to a page (a GET form: links to a search can be shared)."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_list_cases(request.user, partnership):
        raise PermissionDenied("You cannot see cases and reviews")
    agencies = list(referral_selectors.agency_list_for_partnership(partnership=partnership))
    bound = any(name in request.GET for name in CaseSearchForm.base_fields) or any(
        name.startswith(("aware_from_", "aware_to_")) for name in request.GET
    )
    form = CaseSearchForm(
        request.GET if bound else None, partnership=partnership, agencies=agencies
    )
    search = form.search(today=timezone.localdate())
    page, _ = case_selectors.case_page_for_user(
        request=request, user=request.user, partnership=partnership, search=search
    )
    query = request.GET.copy()
    query.pop("page", None)
    sees_cases = can_view_referrals(request.user, partnership)
    return render(
        request,
        "workspace/case_list.html",
        {
            "partnership": partnership,
            "form": form,
            "page": page,
            "rows": case_rows_html(
                page.object_list, partnership=partnership, sees_cases=sees_cases
            ),
            "query": query.urlencode(),
            "filtered": search != case_selectors.CaseSearch(today=search.today),
            "sees_cases": sees_cases,
        },
    )
