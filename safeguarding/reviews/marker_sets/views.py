"""The business unit's pages for the partnership's own quality marker sets, under
/manage/<partnership>/reviews/marker-sets/ (ADR 0024). The business unit only: anyone else in
the partnership is refused (403) before the record is looked up; a set of another partnership
answers 404 (ADR 0010)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.permissions import is_business_unit
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted, show_service_error

from . import selectors, services
from .forms import MarkerForm, MarkerSetForm


def _partnership(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not is_business_unit(request.user, partnership):
        raise PermissionDenied("Only the business unit manages the partnership's marker sets")
    return partnership


def _to_set(marker_set):
    return redirect(
        reverse("reviews:marker_set", args=[marker_set.partnership.slug, marker_set.pk])
    )


@require_http_methods(["GET"])
def marker_set_list(request, slug: str):
    partnership = _partnership(request, slug)
    return render(
        request,
        "reviews/marker_sets/list.html",
        {
            "partnership": partnership,
            "marker_sets": list(selectors.marker_set_list(partnership=partnership)),
        },
    )


@require_http_methods(["GET", "POST"])
def marker_set_add(request, slug: str):
    partnership = _partnership(request, slug)
    form = MarkerSetForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            marker_set = services.marker_set_create(
                partnership=partnership, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "Marker set added: now add its markers")
            return _to_set(marker_set)
    return render(
        request,
        "reviews/marker_sets/form.html",
        {"partnership": partnership, "form": form, "marker_set": None},
    )


@require_http_methods(["GET"])
def marker_set_detail(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    marker_set = selectors.marker_set_get(partnership=partnership, pk=pk)
    return render(
        request,
        "reviews/marker_sets/detail.html",
        {
            "partnership": partnership,
            "marker_set": marker_set,
            "markers": list(marker_set.markers.all()),
            "assessment_count": marker_set.assessments.count(),
            "kind_labels": [
                str(label) for code, label in services.KINDS if code in marker_set.review_kinds
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def marker_set_edit(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    marker_set = selectors.marker_set_get(partnership=partnership, pk=pk)
    if marker_set.is_archived:
        raise PermissionDenied("An archived marker set cannot be changed")
    form = MarkerSetForm(
        posted(request),
        initial={
            "name": marker_set.name,
            "review_kinds": marker_set.review_kinds,
            "source": marker_set.source,
            "note": marker_set.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.marker_set_change(
                marker_set=marker_set, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "Marker set changed")
            return _to_set(marker_set)
    return render(
        request,
        "reviews/marker_sets/form.html",
        {"partnership": partnership, "form": form, "marker_set": marker_set},
    )


@require_POST
def marker_set_archive(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    marker_set = selectors.marker_set_get(partnership=partnership, pk=pk)
    try:
        services.marker_set_archive(marker_set=marker_set, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "Marker set archived: it is no longer offered for new assessments"
        )
    return _to_set(marker_set)


@require_http_methods(["GET", "POST"])
def marker_add(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    marker_set = selectors.marker_set_get(partnership=partnership, pk=pk)
    if marker_set.is_archived:
        raise PermissionDenied("An archived marker set cannot be changed")
    form = MarkerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.marker_add(marker_set=marker_set, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "Marker added")
            return _to_set(marker_set)
    return render(
        request,
        "reviews/marker_sets/marker_form.html",
        {"partnership": partnership, "form": form, "marker_set": marker_set, "marker": None},
    )


@require_http_methods(["GET", "POST"])
def marker_edit(request, slug: str, pk: int, marker_pk: int):
    partnership = _partnership(request, slug)
    marker_set = selectors.marker_set_get(partnership=partnership, pk=pk)
    marker = selectors.marker_get(marker_set=marker_set, pk=marker_pk)
    if marker_set.is_archived or marker.is_archived:
        raise PermissionDenied("An archived marker cannot be changed")
    form = MarkerForm(
        posted(request),
        initial={"stage": marker.stage, "title": marker.title, "guidance": marker.guidance},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.marker_change(marker=marker, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "Marker changed")
            return _to_set(marker_set)
    return render(
        request,
        "reviews/marker_sets/marker_form.html",
        {"partnership": partnership, "form": form, "marker_set": marker_set, "marker": marker},
    )


@require_POST
def marker_archive(request, slug: str, pk: int, marker_pk: int):
    partnership = _partnership(request, slug)
    marker_set = selectors.marker_set_get(partnership=partnership, pk=pk)
    marker = selectors.marker_get(marker_set=marker_set, pk=marker_pk)
    try:
        services.marker_archive(marker=marker, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Marker {marker.number} archived")
    return _to_set(marker_set)


@require_POST
def marker_restore(request, slug: str, pk: int, marker_pk: int):
    partnership = _partnership(request, slug)
    marker_set = selectors.marker_set_get(partnership=partnership, pk=pk)
    marker = selectors.marker_get(marker_set=marker_set, pk=marker_pk)
    try:
        services.marker_restore(marker=marker, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Marker {marker.number} put back")
    return _to_set(marker_set)
