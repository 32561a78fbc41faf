from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.audit.rows import event_rows_html

from . import selectors
from .forms import AuditFilterForm
from .permissions import can_view_audit_trail

PAGE_SIZE = 50


@require_safe
def trail(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_view_audit_trail(request.user, partnership):
        raise PermissionDenied("Only the business unit can read the audit trail")
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "user_email": form.cleaned_data["user"],
            "record": form.cleaned_data["record"],
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
        }
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = selectors.audit_event_page_for_partnership(
        partnership=partnership, page=number, per_page=PAGE_SIZE, **filters
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {
            "partnership": partnership,
            "form": form,
            "page": page,
            "rows": event_rows_html(page.events),
            "query": query.urlencode(),
        },
    )
