"""The business unit's records pages, under /manage/<partnership>/records/: the retention
schedule with the partnership's own periods and its holds, and requests for data about a
person (UK GDPR Article 15)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import posted, show_service_error

from . import rows, selectors, services
from .forms import HoldForm, LiftHoldForm, PersonExportForm, PersonSearchForm, RetentionSettingForm
from .permissions import can_manage_records
from .person_data import person_data_export, person_matches


def _partnership(request, slug: str):
    """Pages that are not one record: 404 outside the partnership, 403 for members other than
    the business unit (ADR 0010)."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_manage_records(request.user, partnership):
        raise PermissionDenied("Only the business unit manages the partnership's records")
    return partnership


# Retention --------------------------------------------------------------------------------------


def retention(request, slug: str):
    partnership = _partnership(request, slug)
    periods = selectors.retention_periods(partnership=partnership)
    holds = list(selectors.holds_in_place(partnership=partnership))
    return render(
        request,
        "records/retention.html",
        {
            "partnership": partnership,
            "periods": periods,
            "due": selectors.retention_due(
                partnership=partnership, today=timezone.localdate(), periods=periods
            ),
            "holds": holds,
            "hold_rows": rows.hold_rows_html(holds, partnership.slug),
            "archived": selectors.archived_cases(partnership=partnership),
        },
    )


@require_http_methods(["GET", "POST"])
def retention_edit(request, slug: str, key: str):
    partnership = _partnership(request, slug)
    record_type = selectors.record_type_get(key=key)
    period = next(
        p
        for p in selectors.retention_periods(partnership=partnership)
        if p.record_type == record_type
    )
    form = RetentionSettingForm(
        posted(request),
        record_type=record_type,
        initial={"months": period.amount, "enabled": period.enabled},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_setting_update(
                partnership=partnership,
                record_type=record_type,
                actor=request.user,
                **form.cleaned_data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"‘{record_type.label}’ saved. The next daily run uses it")
            return redirect("records:retention", slug=partnership.slug)
    return render(
        request,
        "records/retention_edit.html",
        {"partnership": partnership, "record_type": record_type, "form": form},
    )


@require_http_methods(["GET", "POST"])
def hold_add(request, slug: str):
    partnership = _partnership(request, slug)
    form = HoldForm(posted(request))
    if request.method == "POST" and form.is_valid():
        case = selectors.case_by_reference(
            partnership=partnership, reference=form.cleaned_data["case_reference"]
        )
        if case is None:
            form.add_error("case_reference", "There is no case with this reference")
        else:
            try:
                services.retention_hold_place(
                    partnership=partnership,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ServiceError as error:
                show_service_error(form, error)
            else:
                messages.success(request, f"Case {case.reference} is on hold")
                return redirect("records:retention", slug=partnership.slug)
    return render(request, "records/hold_add.html", {"partnership": partnership, "form": form})


@require_http_methods(["GET", "POST"])
def hold_lift(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    hold = selectors.hold_get_for_user(user=request.user, partnership=partnership, pk=pk)
    form = LiftHoldForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.retention_hold_lift(hold=hold, actor=request.user)
        messages.success(request, f"The hold on case {hold.case.reference} is lifted")
        return redirect("records:retention", slug=partnership.slug)
    return render(
        request, "records/hold_lift.html", {"partnership": partnership, "hold": hold, "form": form}
    )


# Data about a person ----------------------------------------------------------------------------


def _search_context(partnership, search: PersonSearchForm):
    criteria = search.cleaned_data
    return {
        "partnership": partnership,
        "criteria": criteria,
        "matches": person_matches(partnership=partnership, **criteria),
    }


@require_http_methods(["GET", "POST"])
def person_search(request, slug: str):
    partnership = _partnership(request, slug)
    search = PersonSearchForm(posted(request))
    if request.method == "POST" and search.is_valid():
        context = _search_context(partnership, search)
        services.person_data_searched(
            partnership=partnership,
            matches=context["matches"],
            actor=request.user,
            **search.cleaned_data,
        )
        context["form"] = PersonExportForm(matches=context["matches"])
        return render(request, "records/person_results.html", context)
    return render(
        request, "records/person_search.html", {"partnership": partnership, "form": search}
    )


@require_POST
def person_download(request, slug: str):
    partnership = _partnership(request, slug)
    search = PersonSearchForm(request.POST)
    if not search.is_valid():
        return render(
            request, "records/person_search.html", {"partnership": partnership, "form": search}
        )
    context = _search_context(partnership, search)
    form = PersonExportForm(request.POST, matches=context["matches"])
    if form.is_valid():
        try:
            export = person_data_export(
                partnership=partnership,
                matches=form.chosen(),
                received_on=form.cleaned_data["received_on"],
                reason=form.cleaned_data["reason"],
                prepared_by=request.user.full_name or request.user.email,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            return file_response(
                request,
                content=export.archive,
                filename=export.filename,
                content_type="application/zip",
                audit_action="person_data.exported",
                partnership=partnership,
                payload=export.payload,
            )
    context["form"] = form
    return render(request, "records/person_results.html", context)
