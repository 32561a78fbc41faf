"""The people pages (``/manage/<partnership>/people/``) and the public page an invitation's link
opens (``/invitation/<token>/``). Views: selector → permission → form → one service → redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.models import Agency, Invitation, Role, User
from safeguarding.accounts.permissions import is_business_unit
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted, show_service_error

from . import selectors, services
from .forms import AcceptForm, InviteForm, PeopleFilterForm, RolesForm, role_choices
from .permissions import can_manage_people, roles_grantable_by
from .rows import people_rows_html

INVITE_SESSION_KEY = "people_invite"


def _manager(request, slug: str):
    """The partnership, for a member who may manage its people: 404 outside the partnership,
    403 for its other members."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_manage_people(request.user, partnership):
        raise PermissionDenied("Only the business unit and administrators manage people")
    return partnership


def _link_builder(request):
    return request.build_absolute_uri


def _roles_form(request, partnership, *, held: list[str] | None = None, **kwargs) -> RolesForm:
    grantable = roles_grantable_by(request.user, partnership)
    # Roles the person holds stay on the form (ticked) even when the signed-in person may not
    # give them: they may be taken away, not given.
    offered = [role for role in Role.values if role in grantable or role in (held or [])]
    return RolesForm(
        posted(request),
        grantable=offered,
        agencies=account_selectors.agency_list_for_partnership(partnership=partnership),
        **kwargs,
    )


# The list --------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def people_list(request, slug: str):
    partnership = _manager(request, slug)
    form = PeopleFilterForm(request.GET or None)
    query = role = ""
    if form.is_bound and form.is_valid():
        query, role = form.cleaned_data["q"], form.cleaned_data["role"]
    page, rows = selectors.people_page(
        request=request, partnership=partnership, query=query, role=role
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "people/list.html",
        {
            "partnership": partnership,
            "form": form,
            "page": page,
            "rows": rows,
            "rows_html": people_rows_html(rows, partnership=partnership),
            "filters": filters.urlencode(),
            "filtered": bool(query or role),
            "invitations": selectors.invitation_list_open(partnership=partnership),
            "can_invite": bool(roles_grantable_by(request.user, partnership)),
            "is_business_unit": is_business_unit(request.user, partnership),
        },
    )


# Inviting --------------------------------------------------------------------------------------


def _session_key(partnership) -> str:
    return f"{INVITE_SESSION_KEY}:{partnership.pk}"


@require_http_methods(["GET", "POST"])
def invite(request, slug: str):
    """Who to invite; then "check your answers" before it is sent."""
    partnership = _manager(request, slug)
    saved = request.session.get(_session_key(partnership)) or {}
    grantable = roles_grantable_by(request.user, partnership)
    form = InviteForm(
        posted(request),
        grantable=grantable,
        agencies=account_selectors.agency_list_for_partnership(partnership=partnership),
        initial=saved if request.method == "GET" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            roles, agency = services.invitation_check(
                partnership=partnership,
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                roles=data["roles"],
                agency=data["agency"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            request.session[_session_key(partnership)] = {
                "email": data["email"],
                "full_name": data["full_name"].strip(),
                "roles": roles,
                "agency": agency.pk if agency else None,
            }
            return redirect("people:invite_check", slug=partnership.slug)
    return render(
        request,
        "people/invite.html",
        {
            "partnership": partnership,
            "form": form,
            "can_invite": bool(grantable),
            "gives_case_roles": Role.BUSINESS_UNIT in grantable,
        },
    )


@require_http_methods(["GET", "POST"])
def invite_check(request, slug: str):
    partnership = _manager(request, slug)
    saved = request.session.get(_session_key(partnership))
    if not saved:
        return redirect("people:invite", slug=partnership.slug)
    agency = Agency.objects.filter(pk=saved["agency"]).first() if saved["agency"] else None
    error = None
    if request.method == "POST":
        try:
            invitation = services.invitation_create(
                partnership=partnership,
                actor=request.user,
                email=saved["email"],
                full_name=saved["full_name"],
                roles=saved["roles"],
                agency=agency,
                link_for=_link_builder(request),
            )
        except ServiceError as service_error:
            error = service_error.message
        else:
            del request.session[_session_key(partnership)]
            messages.success(
                request,
                f"Invitation sent to {invitation.full_name} ({invitation.email}). "
                f"The link works for {_days()}",
            )
            return redirect("people:list", slug=partnership.slug)
    return render(
        request,
        "people/invite_check.html",
        {
            "partnership": partnership,
            "invite": saved,
            "role_labels": [label for _, label in role_choices(saved["roles"])],
            "agency": agency,
            "error": error,
            "days": _days(),
        },
        status=400 if error else 200,
    )


def _days() -> str:
    days = settings.INVITATION_VALID_DAYS
    return f"{days} day{'s' if days != 1 else ''}"


@require_http_methods(["GET", "POST"])
def invitation_resend(request, slug: str, pk: int):
    partnership = _manager(request, slug)
    invitation = selectors.invitation_get_open(partnership=partnership, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.invitation_resend(
                invitation=invitation, actor=request.user, link_for=_link_builder(request)
            )
        except ServiceError as service_error:
            error = service_error.message
        else:
            messages.success(
                request,
                f"Invitation sent again to {invitation.email}. The earlier link no longer works",
            )
            return redirect("people:list", slug=partnership.slug)
    return render(
        request,
        "people/invitation_resend.html",
        {"partnership": partnership, "invitation": invitation, "error": error, "days": _days()},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def invitation_cancel(request, slug: str, pk: int):
    partnership = _manager(request, slug)
    invitation = selectors.invitation_get_open(partnership=partnership, pk=pk)
    if request.method == "POST":
        services.invitation_cancel(invitation=invitation, actor=request.user)
        messages.success(request, f"The invitation to {invitation.email} is cancelled")
        return redirect("people:list", slug=partnership.slug)
    return render(
        request,
        "people/invitation_cancel.html",
        {"partnership": partnership, "invitation": invitation},
    )


# One person ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def person(request, slug: str, pk: int):
    partnership = _manager(request, slug)
    row = selectors.person_get(partnership=partnership, pk=pk)
    return render(
        request,
        "people/person.html",
        {
            "partnership": partnership,
            "row": row,
            "person": row.user,
            "is_self": row.user.pk == request.user.pk,
            "other_partnerships": selectors.person_has_other_partnerships(
                user=row.user, partnership=partnership
            ),
        },
    )


def _person_for_change(request, partnership, pk: int):
    row = selectors.person_get(partnership=partnership, pk=pk)
    if row.user.pk == request.user.pk:
        raise PermissionDenied(services.OWN_ROLES)
    return row


@require_http_methods(["GET", "POST"])
def person_roles(request, slug: str, pk: int):
    partnership = _manager(request, slug)
    row = _person_for_change(request, partnership, pk)
    if row.is_deactivated:
        return redirect("people:person_reactivate", slug=partnership.slug, pk=row.user.pk)
    held = [m.role for m in row.memberships]
    agency = next((m.agency for m in row.memberships if m.agency is not None), None)
    form = _roles_form(request, partnership, held=held, initial={"roles": held, "agency": agency})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.person_roles_change(
                partnership=partnership,
                actor=request.user,
                person=row.user,
                roles=form.cleaned_data["roles"],
                agency=form.cleaned_data["agency"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if changed:
                messages.success(request, f"{row.user.full_name}'s roles have been changed")
            else:
                messages.info(request, "Nothing was changed")
            return redirect("people:person", slug=partnership.slug, pk=row.user.pk)
    return render(
        request,
        "people/person_roles.html",
        {"partnership": partnership, "person": row.user, "row": row, "form": form},
    )


@require_http_methods(["GET", "POST"])
def person_deactivate(request, slug: str, pk: int):
    partnership = _manager(request, slug)
    row = _person_for_change(request, partnership, pk)
    if row.is_deactivated:
        return redirect("people:person", slug=partnership.slug, pk=row.user.pk)
    error = None
    if request.method == "POST":
        try:
            services.person_deactivate(partnership=partnership, actor=request.user, person=row.user)
        except ServiceError as service_error:
            error = service_error.message
        else:
            messages.success(request, f"{row.user.full_name} has been deactivated")
            return redirect("people:person", slug=partnership.slug, pk=row.user.pk)
    return render(
        request,
        "people/person_deactivate.html",
        {
            "partnership": partnership,
            "person": row.user,
            "row": row,
            "error": error,
            "other_partnerships": selectors.person_has_other_partnerships(
                user=row.user, partnership=partnership
            ),
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def person_reactivate(request, slug: str, pk: int):
    partnership = _manager(request, slug)
    row = _person_for_change(request, partnership, pk)
    if not row.is_deactivated:
        return redirect("people:person", slug=partnership.slug, pk=row.user.pk)
    before = row.deactivation.memberships
    grantable = roles_grantable_by(request.user, partnership)
    initial_roles = [m["role"] for m in before if m["role"] in grantable]
    initial_agency = next((m["agency"] for m in before if m["agency"]), None)
    form = _roles_form(
        request, partnership, initial={"roles": initial_roles, "agency": initial_agency}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_reactivate(
                partnership=partnership,
                actor=request.user,
                person=row.user,
                roles=form.cleaned_data["roles"],
                agency=form.cleaned_data["agency"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"{row.user.full_name} has been reactivated")
            return redirect("people:person", slug=partnership.slug, pk=row.user.pk)
    return render(
        request,
        "people/person_reactivate.html",
        {
            "partnership": partnership,
            "person": row.user,
            "row": row,
            "form": form,
            "before": [
                Role(m["role"]).label + (f" ({m['agency_name']})" if m["agency_name"] else "")
                for m in before
                if m["role"] in Role.values
            ],
        },
    )


# Accepting an invitation (public) --------------------------------------------------------------


def _invitation_page(request, invitation: Invitation | None):
    """The GOV.UK page for a link that cannot be used: unknown (404), or expired, used or
    cancelled (410)."""
    status = invitation.status if invitation is not None else None
    return render(
        request,
        "people/accept_unusable.html",
        {"invitation": invitation, "status": status},
        status=404 if invitation is None else 410,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = selectors.invitation_for_token(token=token)
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return _invitation_page(request, invitation)
    account = selectors.user_for_email(email=invitation.email)
    signed_in = request.user if request.user.is_authenticated else None
    context = {"invitation": invitation, "partnership": invitation.partnership}
    if signed_in is not None and signed_in.email != invitation.email:
        return render(request, "people/accept_other_account.html", context)
    if account is not None and account.is_active:
        # An existing account: sign in, then accept with one button.
        if signed_in is None:
            sign_in = f"{reverse('accounts:sign_in')}?{urlencode({'next': request.path})}"
            return render(request, "people/accept_sign_in.html", {**context, "sign_in": sign_in})
        error = None
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=signed_in)
            except ServiceError as service_error:
                error = service_error.message
            else:
                messages.success(request, f"You have joined {invitation.partnership.name}")
                return redirect("workspace:partnership_home", slug=invitation.partnership.slug)
        return render(
            request,
            "people/accept_existing.html",
            {**context, "error": error},
            status=400 if error else 200,
        )
    # A new account (or one that was switched off): set a password, then sign in.
    person = account or User(email=invitation.email, full_name=invitation.full_name)
    form = AcceptForm(person, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                "Your account is ready. Sign in with your email address and the password you set",
            )
            return redirect("accounts:sign_in")
    return render(request, "people/accept.html", {**context, "form": form})
