"""The partnership's Working Together 2023 roles (``/manage/<partnership>/setup/roles/``):
list, record, change, end. Views: selector → permission → form → one service → redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted, show_service_error

from . import selectors, services
from .forms import RoleAddForm, RoleChangeForm, RoleEndForm
from .permissions import can_manage_partnership_roles


def _partnership(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_manage_partnership_roles(request.user, partnership):
        raise PermissionDenied(services.NOT_ALLOWED)
    return partnership


@require_http_methods(["GET"])
def role_list(request, slug: str):
    partnership = _partnership(request, slug)
    groups = selectors.role_groups(partnership=partnership, on=timezone.localdate())
    return render(
        request,
        "partnership_roles/list.html",
        {"partnership": partnership, "current": groups.current, "ended": groups.ended},
    )


@require_http_methods(["GET", "POST"])
def role_add(request, slug: str):
    partnership = _partnership(request, slug)
    form = RoleAddForm(
        posted(request),
        leads=selectors.leads_for_delegation(partnership=partnership),
        members=selectors.members_with_case_roles(partnership=partnership),
    )
    if request.method == "POST" and form.is_valid():
        try:
            role = services.partnership_role_record(
                partnership=partnership, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"{role.person_name} is recorded as {role.title}")
            return redirect("partnership_roles:list", slug=partnership.slug)
    return render(request, "partnership_roles/add.html", {"partnership": partnership, "form": form})


@require_http_methods(["GET", "POST"])
def role_change(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    role = selectors.role_get(partnership=partnership, pk=pk)
    form = RoleChangeForm(
        posted(request),
        members=selectors.members_with_case_roles(partnership=partnership),
        initial={
            "job_title": role.job_title,
            "organisation": role.organisation,
            "user": role.user,
            "starts_on": role.starts_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.partnership_role_change(
                partnership=partnership, actor=request.user, role=role, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if changed:
                messages.success(request, f"{role.person_name}'s role has been changed")
            else:
                messages.info(request, "Nothing was changed")
            return redirect("partnership_roles:list", slug=partnership.slug)
    return render(
        request,
        "partnership_roles/change.html",
        {"partnership": partnership, "role": role, "form": form},
    )


@require_http_methods(["GET", "POST"])
def role_end(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    role = selectors.role_get(partnership=partnership, pk=pk)
    form = RoleEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            ended_with = services.partnership_role_end(
                partnership=partnership, actor=request.user, role=role, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            also = (
                f", and the delegation{'s' if len(ended_with) > 1 else ''} of "
                + ", ".join(d.person_name for d in ended_with)
                if ended_with
                else ""
            )
            messages.success(request, f"{role.person_name}'s role as {role.title} ends{also}")
            return redirect("partnership_roles:list", slug=partnership.slug)
    return render(
        request,
        "partnership_roles/end.html",
        {
            "partnership": partnership,
            "role": role,
            "form": form,
            "delegates": role.delegates.filter(ends_on__isnull=True),
        },
    )
