"""Staff pages for a review's action plan and its actions, under /manage/<partnership>/actions/
(docs/rules.md §action-plans, R24).

Each view: partnership (404 outside it) → object through its scoped selector (404 outside the
partnership and for anyone who may not see it: ADR 0010) → permission (403) → form → one
service → redirect with a success message.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import posted, show_service_error
from safeguarding.core.uploads import KINDS
from safeguarding.reviews.selectors import review_get_for_user

from . import permissions, services
from . import plan_selectors as selectors
from .models import Action
from .plan_forms import (
    ACCEPT,
    ActionForm,
    CompletionDecisionForm,
    CompletionRequestForm,
    FindingThemesForm,
    ImpactPlanForm,
    ImpactResultForm,
    LearningForm,
    NotImplementedForm,
    ProgressForm,
    RecommendationForm,
    ThemeAddForm,
)
from .rows import finding_cards_html, recommendation_sections_html, with_plan_action_rows

BUSINESS_UNIT_ONLY = "Only the business unit can change the action plan"


def _partnership(request, slug: str):
    return account_selectors.partnership_get_for_user(user=request.user, slug=slug)


def _review(request, slug: str, review_pk: int, *, manage: bool = False):
    """The review whose action plan it is: 404 for anyone who may not read the plan (its
    readers are the review's: permissions.can_view_action_plan), 403 for a reader when
    ``manage`` and not the business unit."""
    partnership = _partnership(request, slug)
    review = review_get_for_user(user=request.user, partnership=partnership, pk=review_pk)
    if manage and not permissions.can_manage_actions(request.user, partnership):
        raise PermissionDenied(BUSINESS_UNIT_ONLY)
    return partnership, review


def _recommendation(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    recommendation = selectors.recommendation_get_for_user(
        user=request.user, partnership=partnership, pk=pk
    )
    if not permissions.can_manage_actions(request.user, partnership):
        raise PermissionDenied(BUSINESS_UNIT_ONLY)
    return partnership, recommendation


def _action(request, slug: str, pk: int, *, allowed=None):
    """The action: 404 outside the partnership and for anyone who may not see it, 403 for
    someone who sees it but may not do this (``allowed(user, action)`` is false)."""
    partnership = _partnership(request, slug)
    action = selectors.action_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if allowed is not None and not allowed(request.user, action):
        raise PermissionDenied("You cannot change this action")
    return partnership, action


def _manages(user, action: Action) -> bool:
    return permissions.can_manage_actions(user, action.partnership)


def _to_plan(review, anchor: str = ""):
    return redirect(reverse("actions:plan", args=[review.partnership.slug, review.pk]) + anchor)


def _to_action(action: Action):
    return redirect("actions:action", slug=action.partnership.slug, pk=action.pk)


def _similar(partnership, review, request) -> list:
    """ "Have we seen this before?": what is most like the finding or recommendation being
    written, from earlier reviews and the library. The finder lives in the library app (which
    reads this one); settings.SIMILAR_LEARNING_FINDER wires it in, so no import points back."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    text = " ".join(
        request.POST.get(name, "") for name in ("title", "text", "expected_change")
    ).strip()
    finder = import_string(settings.SIMILAR_LEARNING_FINDER)
    return finder(partnership, text, limit=5, exclude_review_id=review.pk)


def _checking(request) -> bool:
    return request.method == "POST" and "check_similar" in request.POST


def _unbound_from_post(form_class, request, **kwargs):
    """The form showing what was typed, without error messages (a similarity check is not a
    submission)."""
    probe = form_class(None, **kwargs)
    initial = dict(probe.initial)
    for name, field in probe.fields.items():
        if (
            hasattr(field.widget, "allow_multiple_selected")
            and field.widget.allow_multiple_selected
        ):
            initial[name] = request.POST.getlist(name)
        elif name in request.POST:
            initial[name] = request.POST.get(name)
    kwargs["initial"] = initial
    return form_class(None, **kwargs)


def _review_context(request, partnership, review, **extra) -> dict:
    return {
        "partnership": partnership,
        "review": review,
        "can_manage": permissions.can_manage_actions(request.user, partnership),
        "can_view_themes": permissions.sees_every_action(request.user, partnership),
        "can_view_tracker": permissions.can_view_tracker(request.user, partnership),
        **extra,
    }


def _action_context(request, partnership, action: Action, **extra) -> dict:
    review = action.recommendation.review
    return {
        "partnership": partnership,
        "review": review,
        "action": action,
        "recommendation": action.recommendation,
        "can_view_plan": permissions.can_view_action_plan(request.user, review),
        "can_view_tracker": permissions.can_view_tracker(request.user, partnership),
        "tag": selectors.status_tag(action, timezone.localdate()),
        **extra,
    }


# The action plan of a review -------------------------------------------------------------------


@require_safe
def plan(request, slug: str, review_pk: int):
    partnership, review = _review(request, slug, review_pk)
    today = timezone.localdate()
    findings = selectors.plan_findings(review=review)
    recommendations = selectors.plan_recommendations(review=review, today=today)
    with_plan_action_rows(recommendations, partnership=partnership)
    context = _review_context(
        request, partnership, review, findings=findings, recommendations=recommendations
    )
    can_manage = context["can_manage"]
    context["finding_cards"] = finding_cards_html(
        findings, partnership=partnership, review=review, can_manage=can_manage
    )
    context["recommendation_sections"] = recommendation_sections_html(
        recommendations, partnership=partnership, can_manage=can_manage
    )
    return render(request, "actions/plan/plan.html", context)


@require_http_methods(["GET", "POST"])
def learning_add(request, slug: str, review_pk: int):
    partnership, review = _review(request, slug, review_pk, manage=True)
    themes = list(services.themes_available(partnership))
    if _checking(request):
        form = _unbound_from_post(LearningForm, request, themes=themes)
        return render(
            request,
            "actions/plan/learning_add.html",
            _review_context(
                request,
                partnership,
                review,
                form=form,
                similar=_similar(partnership, review, request),
                checked=True,
            ),
        )
    form = LearningForm(posted(request), themes=themes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = services.learning_add(
                review=review,
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                themes=form.selected_themes(),
            )
        except ServiceError as error:
            if error.field == "themes":
                form.show_themes_error(error.message)
            else:
                show_service_error(form, error)
        else:
            messages.success(request, f"{finding.get_kind_display()} {finding.number} added")
            return _to_plan(review, f"#finding-{finding.number}")
    return render(
        request,
        "actions/plan/learning_add.html",
        _review_context(request, partnership, review, form=form),
    )


@require_http_methods(["GET", "POST"])
def finding_themes(request, slug: str, review_pk: int, finding_pk: int):
    partnership, review = _review(request, slug, review_pk, manage=True)
    finding = selectors.finding_get(review=review, pk=finding_pk)
    themes = list(services.themes_available(partnership))
    form = FindingThemesForm(posted(request), themes=themes, chosen=finding.themes.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_themes_set(
                finding=finding, actor=request.user, themes=form.selected_themes()
            )
        except ServiceError as error:
            form.show_themes_error(error.message)
        else:
            messages.success(request, f"Themes of {finding.get_kind_display().lower()} saved")
            return _to_plan(review, f"#finding-{finding.number}")
    return render(
        request,
        "actions/plan/finding_themes.html",
        _review_context(request, partnership, review, form=form, finding=finding),
    )


@require_http_methods(["GET", "POST"])
def themes(request, slug: str):
    partnership = _partnership(request, slug)
    if not permissions.sees_every_action(request.user, partnership):
        raise PermissionDenied("Only the business unit and partner leads can see the themes")
    can_manage = permissions.can_manage_actions(request.user, partnership)
    form = None
    if can_manage or request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only the business unit can add themes")
        form = ThemeAddForm(posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                theme = services.theme_add(
                    partnership=partnership, actor=request.user, **form.cleaned_data
                )
            except ServiceError as error:
                show_service_error(form, error)
            else:
                messages.success(request, f"Theme ‘{theme.name}’ added")
                return redirect("actions:themes", slug=partnership.slug)
    return render(
        request,
        "actions/plan/themes.html",
        {
            "partnership": partnership,
            "groups": selectors.themes_by_facet(partnership=partnership),
            "can_manage": can_manage,
            "form": form,
        },
    )


# Recommendations and impact --------------------------------------------------------------------


def _recommendation_data(form) -> dict:
    data = form.cleaned_data
    to_partnership, agencies = form.addressed()
    return {
        "text": data["text"],
        "findings": list(data["findings"]),
        "to_partnership": to_partnership,
        "agencies": agencies,
        "scope": data["scope"],
        "expected_change": data["expected_change"],
        "agreed_on": data["agreed_on"],
    }


@require_http_methods(["GET", "POST"])
def recommendation_add(request, slug: str, review_pk: int):
    partnership, review = _review(request, slug, review_pk, manage=True)
    if _checking(request):
        form = _unbound_from_post(
            RecommendationForm, request, review=review, initial={"agreed_on": timezone.localdate()}
        )
        return render(
            request,
            "actions/plan/recommendation_form.html",
            _review_context(
                request,
                partnership,
                review,
                form=form,
                recommendation=None,
                similar=_similar(partnership, review, request),
                checked=True,
            ),
        )
    form = RecommendationForm(
        posted(request), review=review, initial={"agreed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_add(
                review=review, actor=request.user, **_recommendation_data(form)
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Recommendation {recommendation.number} added")
            return _to_plan(review, f"#recommendation-{recommendation.number}")
    return render(
        request,
        "actions/plan/recommendation_form.html",
        _review_context(request, partnership, review, form=form, recommendation=None),
    )


@require_http_methods(["GET", "POST"])
def recommendation_edit(request, slug: str, pk: int):
    partnership, recommendation = _recommendation(request, slug, pk)
    review = recommendation.review
    initial = {
        "text": recommendation.text,
        "findings": list(recommendation.findings.all()),
        "agencies": RecommendationForm.addressed_initial(recommendation),
        "scope": recommendation.scope,
        "expected_change": recommendation.expected_change,
        "agreed_on": recommendation.agreed_on,
    }
    form = RecommendationForm(posted(request), review=review, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_update(
                recommendation=recommendation, actor=request.user, **_recommendation_data(form)
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Recommendation {recommendation.number} saved")
            return _to_plan(review, f"#recommendation-{recommendation.number}")
    return render(
        request,
        "actions/plan/recommendation_form.html",
        _review_context(request, partnership, review, form=form, recommendation=recommendation),
    )


@require_http_methods(["GET", "POST"])
def impact(request, slug: str, pk: int):
    """Two parts on one page: how the partnership will know (the plan), then, once there is a
    plan, what it found. A hidden ``part`` field says which form was sent; a POST without a
    known part is checked as the plan (it used to add an error to an unbound form: a 500)."""
    partnership, recommendation = _recommendation(request, slug, pk)
    review = recommendation.review
    part = None
    if request.method == "POST":
        part = request.POST.get("part")
        if part not in ("plan", "result"):
            part = "plan"
    plan_form = ImpactPlanForm(
        posted(request) if part == "plan" else None,
        initial={
            "method": recommendation.impact_method,
            "plan": recommendation.impact_plan,
            "review_on": recommendation.impact_review_on,
        },
    )
    result_form = ImpactResultForm(
        posted(request) if part == "result" else None,
        initial={
            "result": recommendation.impact_result,
            "judgement": recommendation.impact_judgement,
            "recorded_on": recommendation.impact_recorded_on or timezone.localdate(),
        },
    )
    if part == "plan" and plan_form.is_valid():
        data = plan_form.cleaned_data
        try:
            services.impact_plan_set(
                recommendation=recommendation,
                actor=request.user,
                method=data["method"],
                plan=data["plan"],
                review_on=data["review_on"],
            )
        except ServiceError as error:
            show_service_error(plan_form, error)
        else:
            messages.success(
                request,
                f"How you will know the impact of recommendation {recommendation.number} is saved",
            )
            return redirect("actions:impact", slug=partnership.slug, pk=recommendation.pk)
    if part == "result" and result_form.is_valid():
        data = result_form.cleaned_data
        try:
            services.impact_record(
                recommendation=recommendation,
                actor=request.user,
                result=data["result"],
                judgement=data["judgement"],
                recorded_on=data["recorded_on"],
            )
        except ServiceError as error:
            show_service_error(result_form, error)
        else:
            messages.success(
                request, f"The impact of recommendation {recommendation.number} is recorded"
            )
            return _to_plan(review, f"#recommendation-{recommendation.number}")
    return render(
        request,
        "actions/plan/impact.html",
        _review_context(
            request,
            partnership,
            review,
            recommendation=recommendation,
            plan_form=plan_form,
            result_form=result_form,
            show_result=bool(recommendation.impact_method) or result_form.is_bound,
        ),
    )


# Actions ---------------------------------------------------------------------------------------


def _who_was_told(action) -> str:
    """The end of the message after an action is given to an agency: whether anyone there was
    emailed (an agency with no contributor in the service is not)."""
    if services.action_owner_contributors(action):
        return f". {action.agency.name} has been emailed"
    return (
        f". {action.agency.name} has no agency contributor in the service, so no one there was "
        "emailed: send the action to its lead yourself"
    )


@require_http_methods(["GET", "POST"])
def action_add(request, slug: str, pk: int):
    partnership, recommendation = _recommendation(request, slug, pk)
    review = recommendation.review
    form = ActionForm(posted(request), partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_add(
                recommendation=recommendation, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Action {action.reference} added{_who_was_told(action)}")
            return _to_plan(review, f"#recommendation-{recommendation.number}")
    return render(
        request,
        "actions/plan/action_form.html",
        _review_context(
            request, partnership, review, form=form, recommendation=recommendation, action=None
        ),
    )


@require_http_methods(["GET", "POST"])
def action_edit(request, slug: str, pk: int):
    partnership, action = _action(request, slug, pk, allowed=_manages)
    initial = {
        "text": action.text,
        "agency": action.agency,
        "lead_name": action.lead_name,
        "target_date": action.target_date,
    }
    form = ActionForm(posted(request), partnership=partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        owner = action.agency_id
        try:
            services.action_change(action=action, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            told = _who_was_told(action) if action.agency_id != owner else ""
            messages.success(request, f"Action {action.reference} saved{told}")
            return _to_action(action)
    return render(
        request,
        "actions/plan/action_form.html",
        _action_context(request, partnership, action, form=form),
    )


@require_safe
def action_detail(request, slug: str, pk: int):
    partnership, action = _action(request, slug, pk)
    user = request.user
    manages = _manages(user, action)
    can_update = permissions.can_update_action(user, action)
    settable = action.status in Action.AGENCY_SETTABLE
    return render(
        request,
        "actions/plan/action.html",
        _action_context(
            request,
            partnership,
            action,
            answers=list(action.recommendation.findings.order_by("number")),
            evidence=list(selectors.action_evidence(action=action)),
            history=list(selectors.action_history(action=action)),
            can_progress=can_update and settable,
            can_decide=manages and action.status == Action.Status.COMPLETION_REQUESTED,
            can_not_implement=manages
            and action.status not in (Action.Status.COMPLETE, Action.Status.NOT_IMPLEMENTED),
            can_change=manages,
        ),
    )


def _closed_message(action: Action) -> str:
    """Why progress or completion cannot be recorded now ("" when it can)."""
    if action.status in Action.AGENCY_SETTABLE:
        return ""
    if action.status == Action.Status.COMPLETION_REQUESTED:
        return (
            "Completion has been asked for: the business unit will accept it or return it. "
            "You can record progress again if it is returned"
        )
    return f"This action is {action.get_status_display().lower()}: it is closed"


@require_http_methods(["GET", "POST"])
def progress(request, slug: str, pk: int):
    partnership, action = _action(request, slug, pk, allowed=permissions.can_update_action)
    initial_status = action.status if action.status in Action.AGENCY_SETTABLE else None
    form = ProgressForm(posted(request), request.FILES or None, initial={"status": initial_status})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_progress(
                action=action,
                actor=request.user,
                note=data["note"],
                status=data["status"],
                evidence=data["evidence"],
                description=data["description"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Progress on action {action.reference} recorded")
            return _to_action(action)
    return render(
        request,
        "actions/plan/progress.html",
        _action_context(request, partnership, action, form=form, closed=_closed_message(action)),
    )


@require_http_methods(["GET", "POST"])
def completion_request(request, slug: str, pk: int):
    partnership, action = _action(request, slug, pk, allowed=permissions.can_update_action)
    form = CompletionRequestForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.completion_request(
                action=action,
                actor=request.user,
                note=data["note"],
                evidence=data["evidence"],
                description=data["description"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"You have asked for action {action.reference} to be accepted as complete",
            )
            return _to_action(action)
    return render(
        request,
        "actions/plan/completion_request.html",
        _action_context(
            request,
            partnership,
            action,
            form=form,
            closed=_closed_message(action),
            evidence=list(selectors.action_evidence(action=action)),
        ),
    )


@require_http_methods(["GET", "POST"])
def completion_decide(request, slug: str, pk: int):
    partnership, action = _action(request, slug, pk, allowed=_manages)
    waiting = action.status == Action.Status.COMPLETION_REQUESTED
    form = CompletionDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        try:
            if decision == ACCEPT:
                services.completion_accept(action=action, actor=request.user, note=note)
            else:
                services.completion_return(action=action, actor=request.user, note=note)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Action {action.reference} accepted as complete"
                if decision == ACCEPT
                else f"Action {action.reference} returned to {action.agency.name}",
            )
            return _to_action(action)
    request_update = selectors.completion_request_latest(action=action) if waiting else None
    return render(
        request,
        "actions/plan/completion_decide.html",
        _action_context(
            request,
            partnership,
            action,
            form=form,
            waiting=waiting,
            request_update=request_update,
            evidence=list(selectors.action_evidence(action=action)),
        ),
    )


@require_http_methods(["GET", "POST"])
def not_implemented(request, slug: str, pk: int):
    partnership, action = _action(request, slug, pk, allowed=_manages)
    form = NotImplementedForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_not_implemented(
                action=action, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Action {action.reference} is not being implemented")
            return _to_action(action)
    closed = action.status in (Action.Status.COMPLETE, Action.Status.NOT_IMPLEMENTED)
    return render(
        request,
        "actions/plan/not_implemented.html",
        _action_context(request, partnership, action, form=form, closed=closed),
    )


@require_safe
def evidence_file(request, slug: str, pk: int, evidence_pk: int):
    _, action = _action(request, slug, pk)
    evidence = selectors.evidence_get(action=action, pk=evidence_pk)
    return file_response(
        request,
        content=evidence.file,
        filename=evidence.original_name,
        content_type=KINDS[evidence.file_kind].content_type,
        audit_action="action.evidence_downloaded",
        target=action,
        partnership=action.partnership,
        payload={"action": action.reference, "evidence": evidence.pk},
    )
