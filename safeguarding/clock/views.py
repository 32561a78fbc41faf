"""Pausing, resuming and extending a milestone (business unit only), under
/manage/<partnership>/milestones/<pk>/. Each page goes back to the case or referral the
milestone belongs to."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.accounts.permissions import is_business_unit
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted as _posted
from safeguarding.core.forms import show_service_error as _show_service_error

from . import selectors, services
from .forms import ExtendForm, PauseForm, ResumeForm, RuleSettingForm

# Who may stop, restart or move the statutory clock.
can_manage_milestones = is_business_unit


def _milestone(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    milestone = selectors.milestone_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if not can_manage_milestones(request.user, partnership):
        raise PermissionDenied("Only the business unit can pause, resume or extend a deadline")
    return partnership, milestone


def _back_url(partnership, milestone) -> str:
    """The milestone's case or referral page, if it is one of this partnership's pages."""
    url = milestone.subject_url
    if (
        url
        and url.startswith(f"/manage/{partnership.slug}/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    ):
        return url + "#milestones"
    return reverse("workspace:partnership_home", args=[partnership.slug])


def _render(request, template: str, partnership, milestone, form):
    return render(
        request,
        template,
        {
            "partnership": partnership,
            "milestone": milestone,
            "form": form,
            "back_url": _back_url(partnership, milestone),
        },
    )


@require_http_methods(["GET", "POST"])
def milestone_pause(request, slug: str, pk: int):
    partnership, milestone = _milestone(request, slug, pk)
    form = PauseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_pause(
                milestone=milestone, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"‘{milestone.rule.name}’ is paused")
            return redirect(_back_url(partnership, milestone))
    return _render(request, "clock/pause.html", partnership, milestone, form)


@require_http_methods(["GET", "POST"])
def milestone_resume(request, slug: str, pk: int):
    partnership, milestone = _milestone(request, slug, pk)
    form = ResumeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_resume(milestone=milestone, actor=request.user)
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"‘{milestone.rule.name}’ is running again: due {milestone.due_on:%-d %B %Y}",
            )
            return redirect(_back_url(partnership, milestone))
    return _render(request, "clock/resume.html", partnership, milestone, form)


@require_http_methods(["GET", "POST"])
def milestone_extend(request, slug: str, pk: int):
    partnership, milestone = _milestone(request, slug, pk)
    form = ExtendForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_extend(
                milestone=milestone,
                new_due_on=form.cleaned_data["new_due_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"‘{milestone.rule.name}’ is now due {milestone.due_on:%A %-d %B %Y}",
            )
            return redirect(_back_url(partnership, milestone))
    return _render(request, "clock/extend.html", partnership, milestone, form)


# Settings: the partnership's own values for configurable rules ([K]/[C]) -----------------------


def _for_settings(request, slug: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not can_manage_milestones(request.user, partnership):
        raise PermissionDenied("Only the business unit can change the clock settings")
    return partnership


@require_safe
def settings_list(request, slug: str):
    partnership = _for_settings(request, slug)
    return render(
        request,
        "clock/settings.html",
        {
            "partnership": partnership,
            "rows": selectors.rule_settings_for_partnership(partnership=partnership),
        },
    )


@require_http_methods(["GET", "POST"])
def setting_edit(request, slug: str, pk: int):
    partnership = _for_settings(request, slug)
    rule = selectors.configurable_rule_get(partnership=partnership, pk=pk)
    current = next(
        row
        for row in selectors.rule_settings_for_partnership(partnership=partnership)
        if row.rule.pk == rule.pk
    )
    form = RuleSettingForm(
        _posted(request),
        rule=rule,
        initial={"offset_amount": current.offset_amount, "enabled": current.enabled},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_setting_update(
                partnership=partnership, rule=rule, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"‘{rule.name}’ saved. It applies to deadlines from now on")
            return redirect("clock:settings", slug=partnership.slug)
    return render(
        request,
        "clock/setting_form.html",
        {"partnership": partnership, "rule": rule, "form": form},
    )
