"""The partnership setup pages (``/manage/<partnership>/setup/``): agencies and decision
makers. Views: selector → permission → form → one service → redirect or render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.models import ReviewType
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted, show_service_error
from safeguarding.guidance import selectors as guidance_selectors
from safeguarding.guidance import services as guidance_services

from . import selectors, services
from .forms import (
    AgencyAddForm,
    AgencyContactForm,
    AgencyRenameForm,
    DecisionMakerForm,
    GuidanceAdoptForm,
)
from .permissions import can_manage_agencies, can_manage_decision_makers, can_manage_guidance


def _partnership(request, slug: str, predicate, message: str):
    """The partnership, for a member who may do this: 404 outside it, 403 for other members."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not predicate(request.user, partnership):
        raise PermissionDenied(message)
    return partnership


def _agency_manager(request, slug: str):
    return _partnership(
        request, slug, can_manage_agencies, "Only the business unit and administrators do this"
    )


def _maker_manager(request, slug: str):
    return _partnership(
        request, slug, can_manage_decision_makers, "Only the business unit names decision makers"
    )


# Agencies --------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def agency_list(request, slug: str):
    partnership = _agency_manager(request, slug)
    counts = account_selectors.agency_contact_counts(partnership=partnership)
    agencies = list(selectors.agency_list_linked(partnership=partnership))
    for agency in agencies:
        agency.contact_count = counts.get(agency.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "setup/agency_list.html",
        {
            "partnership": partnership,
            "agencies": agencies,
        },
    )


@require_http_methods(["GET", "POST"])
def agency_add(request, slug: str):
    partnership = _agency_manager(request, slug)
    form = AgencyAddForm(
        posted(request), choices=selectors.agency_list_not_linked(partnership=partnership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            agency, created = services.agency_add(
                partnership=partnership,
                actor=request.user,
                existing=form.cleaned_data["existing"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"{agency.name} has been {'created and ' if created else ''}added to the "
                "partnership",
            )
            return redirect("setup:agency_list", slug=partnership.slug)
    return render(
        request,
        "setup/agency_add.html",
        {"partnership": partnership, "form": form},
    )


@require_http_methods(["GET", "POST"])
def agency_rename(request, slug: str, pk: int):
    partnership = _agency_manager(request, slug)
    agency = selectors.agency_get_linked(partnership=partnership, pk=pk)
    form = AgencyRenameForm(posted(request), initial={"name": agency.name})
    shared = agency.partnership_count > 1
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.agency_rename(
                partnership=partnership,
                actor=request.user,
                agency=agency,
                name=form.cleaned_data["name"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if changed:
                messages.success(request, f"The agency is now called {agency.name}")
            else:
                messages.info(request, "Nothing was changed")
            return redirect("setup:agency_list", slug=partnership.slug)
    return render(
        request,
        "setup/agency_rename.html",
        {"partnership": partnership, "agency": agency, "form": form, "shared": shared},
    )


@require_http_methods(["GET", "POST"])
def agency_remove(request, slug: str, pk: int):
    partnership = _agency_manager(request, slug)
    agency = selectors.agency_get_linked(partnership=partnership, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.agency_remove(partnership=partnership, actor=request.user, agency=agency)
        except ServiceError as service_error:
            error = service_error.message
        else:
            messages.success(request, f"{agency.name} has been removed from the partnership")
            return redirect("setup:agency_list", slug=partnership.slug)
    work = selectors.agency_open_work(partnership=partnership, agency=agency)
    return render(
        request,
        "setup/agency_remove.html",
        {
            "partnership": partnership,
            "agency": agency,
            "error": error,
            "blocked": services.agency_removal_refusal(agency, work) if work.any else "",
        },
        status=400 if error else 200,
    )


# Email-only contacts at an agency (ADR 0020) ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def agency_contacts(request, slug: str, pk: int):
    """The partnership's contacts at an agency, and the form to add one."""
    partnership = _agency_manager(request, slug)
    agency = selectors.agency_get_linked(partnership=partnership, pk=pk)
    form = AgencyContactForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.agency_contact_add(
                partnership=partnership, actor=request.user, agency=agency, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, f"{contact.name} will be emailed {agency.name}'s requests from now on"
            )
            return redirect("setup:agency_contacts", slug=partnership.slug, pk=agency.pk)
    return render(
        request,
        "setup/agency_contacts.html",
        {
            "partnership": partnership,
            "agency": agency,
            "contacts": account_selectors.agency_contact_list(
                partnership=partnership, agency=agency
            ),
            "contributors": len(
                account_selectors.user_list_with_role(
                    partnership=partnership, role="agency_contributor", agency=agency
                )
            ),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def agency_contact_change(request, slug: str, pk: int, contact_pk: int):
    partnership = _agency_manager(request, slug)
    agency = selectors.agency_get_linked(partnership=partnership, pk=pk)
    contact = account_selectors.agency_contact_get(
        partnership=partnership, agency=agency, pk=contact_pk
    )
    form = AgencyContactForm(
        posted(request),
        initial={"name": contact.name, "email": contact.email, "role": contact.role},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_contact_change(
                partnership=partnership, actor=request.user, contact=contact, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The contact has been changed")
            return redirect("setup:agency_contacts", slug=partnership.slug, pk=agency.pk)
    return render(
        request,
        "setup/agency_contact_change.html",
        {"partnership": partnership, "agency": agency, "contact": contact, "form": form},
    )


@require_http_methods(["GET", "POST"])
def agency_contact_remove(request, slug: str, pk: int, contact_pk: int):
    partnership = _agency_manager(request, slug)
    agency = selectors.agency_get_linked(partnership=partnership, pk=pk)
    contact = account_selectors.agency_contact_get(
        partnership=partnership, agency=agency, pk=contact_pk
    )
    error = None
    if request.method == "POST":
        try:
            services.agency_contact_remove(
                partnership=partnership, actor=request.user, contact=contact
            )
        except ServiceError as service_error:
            error = service_error.message
        else:
            messages.success(request, f"{contact.name} will no longer be emailed")
            return redirect("setup:agency_contacts", slug=partnership.slug, pk=agency.pk)
    return render(
        request,
        "setup/agency_contact_remove.html",
        {"partnership": partnership, "agency": agency, "contact": contact, "error": error},
        status=400 if error else 200,
    )


# Decision makers -------------------------------------------------------------------------------


@require_http_methods(["GET"])
def decision_maker_list(request, slug: str):
    partnership = _maker_manager(request, slug)
    return render(
        request,
        "setup/decision_maker_list.html",
        {
            "partnership": partnership,
            "groups": selectors.decision_maker_groups(partnership=partnership),
        },
    )


def _review_type(partnership, value: str) -> ReviewType:
    if value not in ReviewType.values or value not in partnership.review_types:
        raise Http404("The partnership does not run this kind of review")
    return ReviewType(value)


@require_http_methods(["GET", "POST"])
def decision_maker_add(request, slug: str, review_type: str):
    partnership = _maker_manager(request, slug)
    kind = _review_type(partnership, review_type)
    form = DecisionMakerForm(
        posted(request), members=selectors.member_list(partnership=partnership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            maker = services.decision_maker_name(
                partnership=partnership,
                actor=request.user,
                review_type=kind,
                capacity=form.cleaned_data["capacity"],
                user=form.cleaned_data["user"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"{maker.user.full_name} now signs {kind.label} decisions as {maker.capacity}",
            )
            return redirect("setup:decision_maker_list", slug=partnership.slug)
    return render(
        request,
        "setup/decision_maker_form.html",
        {
            "partnership": partnership,
            "review_type": kind,
            "form": form,
            "waiting": selectors.signatures_waiting(partnership=partnership, review_type=kind),
        },
    )


@require_http_methods(["GET", "POST"])
def decision_maker_change(request, slug: str, pk: int):
    partnership = _maker_manager(request, slug)
    maker = selectors.decision_maker_get(partnership=partnership, pk=pk)
    kind = ReviewType(maker.review_type)
    form = DecisionMakerForm(
        posted(request),
        members=selectors.member_list(partnership=partnership),
        initial={"capacity": maker.capacity, "user": maker.user_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.decision_maker_change(
                partnership=partnership,
                actor=request.user,
                maker=maker,
                capacity=form.cleaned_data["capacity"],
                user=form.cleaned_data["user"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if new.pk == maker.pk:
                messages.info(request, "Nothing was changed")
            else:
                messages.success(
                    request,
                    f"{new.user.full_name} now signs {kind.label} decisions as {new.capacity}",
                )
            return redirect("setup:decision_maker_list", slug=partnership.slug)
    return render(
        request,
        "setup/decision_maker_form.html",
        {
            "partnership": partnership,
            "review_type": kind,
            "maker": maker,
            "form": form,
            "waiting": selectors.signatures_waiting(partnership=partnership, review_type=kind),
        },
    )


@require_http_methods(["GET", "POST"])
def decision_maker_remove(request, slug: str, pk: int):
    partnership = _maker_manager(request, slug)
    maker = selectors.decision_maker_get(partnership=partnership, pk=pk)
    kind = ReviewType(maker.review_type)
    error = None
    if request.method == "POST":
        try:
            services.decision_maker_remove(partnership=partnership, actor=request.user, maker=maker)
        except ServiceError as service_error:
            error = service_error.message
        else:
            messages.success(
                request,
                f"{maker.user.full_name} no longer signs {kind.label} decisions "
                f"as {maker.capacity}",
            )
            return redirect("setup:decision_maker_list", slug=partnership.slug)
    return render(
        request,
        "setup/decision_maker_remove.html",
        {
            "partnership": partnership,
            "review_type": kind,
            "maker": maker,
            "error": error,
            "waiting": selectors.signatures_waiting(partnership=partnership, review_type=kind),
        },
        status=400 if error else 200,
    )


# Guidance versions (ADR 0018) -------------------------------------------------------------------


def _guidance_manager(request, slug: str):
    return _partnership(
        request, slug, can_manage_guidance, "Only the business unit chooses the guidance"
    )


def _version(code: str, partnership):
    version = guidance_selectors.version_get(code=code)
    types = {t.value for t in partnership.review_types}
    if version is None or not set(version.review_types) & types:
        raise Http404("No such guidance version")
    return version


@require_http_methods(["GET"])
def guidance_list(request, slug: str):
    partnership = _guidance_manager(request, slug)
    return render(
        request,
        "setup/guidance_list.html",
        {
            "partnership": partnership,
            "groups": guidance_selectors.strand_groups(
                partnership=partnership, today=timezone.localdate()
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def guidance_adopt(request, slug: str, code: str):
    partnership = _guidance_manager(request, slug)
    version = _version(code, partnership)
    adoption = guidance_selectors.adoption_get(partnership=partnership, version=version)
    initial = {"adopted_on": adoption.adopted_on} if adoption else None
    form = GuidanceAdoptForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            guidance_services.adoption_record(
                partnership=partnership,
                version=version,
                adopted_on=form.cleaned_data["adopted_on"],
                confirmed=form.cleaned_data["confirmed"],
                actor=request.user,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"{version.short_title}: adopted on "
                f"{form.cleaned_data['adopted_on']:%-d %B %Y}. Cases already open keep the "
                "guidance they follow",
            )
            return redirect("setup:guidance_list", slug=partnership.slug)
    return render(
        request,
        "setup/guidance_adopt.html",
        {"partnership": partnership, "version": version, "adoption": adoption, "form": form},
    )


@require_http_methods(["GET", "POST"])
def guidance_remove(request, slug: str, code: str):
    partnership = _guidance_manager(request, slug)
    version = _version(code, partnership)
    adoption = guidance_selectors.adoption_get(partnership=partnership, version=version)
    if adoption is None:
        raise Http404("The partnership has not adopted this version")
    if request.method == "POST":
        guidance_services.adoption_remove(adoption=adoption, actor=request.user)
        messages.success(
            request,
            f"{version.short_title}: adoption removed. Cases already open keep the guidance "
            "they follow",
        )
        return redirect("setup:guidance_list", slug=partnership.slug)
    return render(
        request,
        "setup/guidance_remove.html",
        {"partnership": partnership, "version": version, "adoption": adoption},
    )
