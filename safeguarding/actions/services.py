"""Writes for findings, recommendations, actions, updates, evidence and impact (docs/rules.md
§action-plans; R24).

Every write is validated first, runs in one transaction, leaves an ``ActionUpdate`` where it
changes an action (the history people see) and an audit event. Evidence files are stored before
the transaction and removed again if it fails, so a failed operation leaves nothing behind.

Rules encoded here:
- a recommendation answers at least one finding of its review and is addressed to the
  partnership or to at least one named agency, with the expected change in plain words;
- an action's target date is not before the review started;
- "not being implemented" needs a reason (R24: the SAB reports reasons for any decision not to
  implement a finding); only the business unit records it;
- an action cannot be asked to be accepted as complete without evidence, and only the business
  unit accepts or returns a completion.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safeguarding.accounts.models import Agency
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError
from safeguarding.core.models import apply_changes, apply_many_changes
from safeguarding.core.uploads import DOCX, ODT, PDF, XLSX, validate_upload
from safeguarding.reviews.models import Finding, Review

from .models import Action, ActionEvidence, ActionUpdate, Recommendation, Theme

EVIDENCE_KINDS = (PDF, DOCX, XLSX, ODT)
Status = Action.Status


def _required(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message, field=field)
    return value


def _partnership_agencies(partnership):
    from safeguarding.accounts.selectors import agency_list_for_partnership

    return agency_list_for_partnership(partnership=partnership)


def _date_label(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


# Themes and findings ---------------------------------------------------------------------------


def theme_add(*, partnership, actor, facet: str, name: str) -> Theme:
    name = " ".join(_required(name, "name", "Enter the name of the theme").split())
    if facet not in Theme.Facet.values:
        raise ServiceError("Select the group the theme belongs to", field="facet")
    if len(name) > 120:
        raise ServiceError("The name must be 120 characters or fewer", field="name")
    clash = Theme.objects.filter(name__iexact=name, facet=facet).filter(
        partnership__isnull=True
    ) | Theme.objects.filter(name__iexact=name, facet=facet, partnership=partnership)
    if clash.exists():
        raise ServiceError("There is already a theme with this name in this group", field="name")
    with transaction.atomic():
        theme = Theme.objects.create(partnership=partnership, facet=facet, name=name)
        audit_record(
            action="theme.added",
            actor=actor,
            target=theme,
            partnership=partnership,
            payload={"facet": facet, "name": name},
        )
    return theme


def themes_available(partnership):
    """The shared vocabulary and the partnership's own themes, not archived."""
    from django.db.models import Q

    return Theme.objects.filter(
        Q(partnership__isnull=True) | Q(partnership=partnership), archived_at__isnull=True
    ).order_by("facet", "name")


def _check_themes(partnership, themes) -> list[Theme]:
    themes = list(themes)
    allowed = set(themes_available(partnership).values_list("pk", flat=True))
    if any(theme.pk not in allowed for theme in themes):
        raise ServiceError("Select themes from the list", field="themes")
    return themes


def finding_themes_set(*, finding: Finding, actor, themes) -> Finding:
    """Tag a finding (tagging is not part of the signed report, so it is allowed after
    sign-off)."""
    review = finding.review
    themes = _check_themes(review.partnership, themes)
    with transaction.atomic():
        before = set(finding.themes.values_list("pk", flat=True))
        after = {theme.pk for theme in themes}
        if before == after:
            return finding
        finding.themes.set(themes)
        audit_record(
            action="finding.themes_changed",
            actor=actor,
            target=review,
            partnership=review.partnership,
            payload={"finding": finding.number, "themes": sorted(after)},
        )
    return finding


def learning_add(*, review: Review, actor, kind: str, title: str, text: str, themes=()) -> Finding:
    """A finding or learning point added to the action plan, with its themes. Allowed on a
    signed-off review: it adds to the learning, it does not change the signed report's text."""
    if kind not in Finding.Kind.values:
        raise ServiceError("Select finding or learning point", field="kind")
    title = _required(title, "title", "Enter a short title")
    text = _required(text, "text", "Describe the finding or learning point")
    if len(title) > 300:
        raise ServiceError("The title must be 300 characters or fewer", field="title")
    themes = _check_themes(review.partnership, themes)
    with transaction.atomic():
        Review.objects.select_for_update().filter(pk=review.pk).first()
        number = (review.findings.aggregate(n=Max("number"))["n"] or 0) + 1
        finding = Finding.objects.create(
            review=review, number=number, kind=kind, title=title, text=text
        )
        finding.themes.set(themes)
        audit_record(
            action="finding.added_to_action_plan",
            actor=actor,
            target=review,
            partnership=review.partnership,
            payload={"finding": number, "kind": kind, "themes": [t.pk for t in themes]},
        )
    return finding


# Recommendations -------------------------------------------------------------------------------


def _recommendation_fields(review: Review, data: dict) -> dict:
    text = _required(data.get("text"), "text", "Enter the recommendation")
    findings = list(data.get("findings") or [])
    if not findings:
        raise ServiceError(
            "Select at least one finding the recommendation answers", field="findings"
        )
    if any(f.review_id != review.pk for f in findings):
        raise ServiceError("Select findings of this review", field="findings")
    agencies = list(data.get("agencies") or [])
    to_partnership = bool(data.get("to_partnership"))
    if not to_partnership and not agencies:
        raise ServiceError(
            "Select the partnership or at least one agency the recommendation is addressed to",
            field="agencies",
        )
    allowed = set(_partnership_agencies(review.partnership).values_list("pk", flat=True))
    if any(agency.pk not in allowed for agency in agencies):
        raise ServiceError("Select the partnership's agencies", field="agencies")
    scope = data.get("scope") or ""
    if scope not in Recommendation.Scope.values:
        raise ServiceError("Select the scope of the recommendation", field="scope")
    expected_change = _required(
        data.get("expected_change"),
        "expected_change",
        "Say in plain words what should change as a result",
    )
    agreed_on = data.get("agreed_on") or timezone.localdate()
    if agreed_on < review.started_on:
        raise ServiceError(
            f"The date agreed must be on or after the review started "
            f"({_date_label(review.started_on)})",
            field="agreed_on",
        )
    return {
        "text": text,
        "findings": findings,
        "agencies": agencies,
        "to_partnership": to_partnership,
        "scope": scope,
        "expected_change": expected_change,
        "agreed_on": agreed_on,
    }


def recommendation_add(*, review: Review, actor, **data) -> Recommendation:
    fields = _recommendation_fields(review, data)
    findings, agencies = fields.pop("findings"), fields.pop("agencies")
    with transaction.atomic():
        Review.objects.select_for_update().filter(pk=review.pk).first()
        number = (review.recommendations.aggregate(n=Max("number"))["n"] or 0) + 1
        recommendation = Recommendation.objects.create(
            review=review, number=number, created_by=actor, modified_by=actor, **fields
        )
        recommendation.findings.set(findings)
        recommendation.agencies.set(agencies)
        audit_record(
            action="recommendation.added",
            actor=actor,
            target=review,
            partnership=review.partnership,
            payload={"recommendation": number},
        )
    return recommendation


def recommendation_update(*, recommendation: Recommendation, actor, **data) -> Recommendation:
    review = recommendation.review
    fields = _recommendation_fields(review, data)
    many = {"findings": fields.pop("findings"), "agencies": fields.pop("agencies")}
    with transaction.atomic():
        changed = apply_changes(recommendation, fields)
        recommendation.modified_by = actor
        recommendation.save(update_fields=[*changed, "modified_by", "modified_at"])
        changed += apply_many_changes(recommendation, many)
        audit_record(
            action="recommendation.changed",
            actor=actor,
            target=review,
            partnership=review.partnership,
            payload={"recommendation": recommendation.number, "fields": changed},
        )
    return recommendation


def impact_plan_set(
    *, recommendation: Recommendation, actor, method: str, plan: str, review_on=None
) -> Recommendation:
    """How the partnership will know the recommendation made a difference."""
    if method not in Recommendation.ImpactMethod.values:
        raise ServiceError("Select how the partnership will know", field="method")
    plan = _required(plan, "plan", "Describe the measure, audit or survey and what it looks for")
    if review_on is not None and review_on < recommendation.agreed_on:
        raise ServiceError(
            "The date to check the impact must be after the recommendation was agreed "
            f"({_date_label(recommendation.agreed_on)})",
            field="review_on",
        )
    with transaction.atomic():
        recommendation.impact_method = method
        recommendation.impact_plan = plan
        recommendation.impact_review_on = review_on
        recommendation.modified_by = actor
        recommendation.save()
        audit_record(
            action="recommendation.impact_planned",
            actor=actor,
            target=recommendation.review,
            partnership=recommendation.review.partnership,
            payload={"recommendation": recommendation.number, "method": method},
        )
    return recommendation


def impact_record(
    *, recommendation: Recommendation, actor, result: str, judgement: str, recorded_on=None
) -> Recommendation:
    """What the measure, audit or survey found, and the partnership's judgement."""
    if not recommendation.impact_method:
        raise ServiceError(
            "Say how the partnership will know the impact before recording it", field="result"
        )
    result = _required(result, "result", "Describe what the measure, audit or survey found")
    if judgement not in Recommendation.Judgement.values:
        raise ServiceError("Select the judgement", field="judgement")
    recorded_on = recorded_on or timezone.localdate()
    if recorded_on > timezone.localdate():
        raise ServiceError("The date recorded must be today or in the past", field="recorded_on")
    with transaction.atomic():
        recommendation.impact_result = result
        recommendation.impact_judgement = judgement
        recommendation.impact_recorded_on = recorded_on
        recommendation.modified_by = actor
        recommendation.save()
        audit_record(
            action="recommendation.impact_recorded",
            actor=actor,
            target=recommendation.review,
            partnership=recommendation.review.partnership,
            payload={"recommendation": recommendation.number, "judgement": judgement},
        )
    return recommendation


# Actions ---------------------------------------------------------------------------------------


def _action_fields(recommendation: Recommendation, data: dict) -> dict:
    review = recommendation.review
    text = _required(data.get("text"), "text", "Enter the action to take")
    agency = data.get("agency")
    if not isinstance(agency, Agency):
        raise ServiceError("Select the agency that owns the action", field="agency")
    if not _partnership_agencies(review.partnership).filter(pk=agency.pk).exists():
        raise ServiceError("Select one of the partnership's agencies", field="agency")
    lead_name = _required(data.get("lead_name"), "lead_name", "Enter the lead officer's name")
    if len(lead_name) > 200:
        raise ServiceError("The lead's name must be 200 characters or fewer", field="lead_name")
    target_date = data.get("target_date")
    if target_date is None:
        raise ServiceError("Enter the target date", field="target_date")
    if target_date < review.started_on:
        raise ServiceError(
            f"The target date must be on or after the review started "
            f"({_date_label(review.started_on)})",
            field="target_date",
        )
    return {"text": text, "agency": agency, "lead_name": lead_name, "target_date": target_date}


def action_add(*, recommendation: Recommendation, actor, **data) -> Action:
    fields = _action_fields(recommendation, data)
    review = recommendation.review
    with transaction.atomic():
        Recommendation.objects.select_for_update().filter(pk=recommendation.pk).first()
        number = (recommendation.actions.aggregate(n=Max("number"))["n"] or 0) + 1
        action = Action.objects.create(
            partnership=review.partnership,
            recommendation=recommendation,
            number=number,
            created_by=actor,
            modified_by=actor,
            **fields,
        )
        ActionUpdate.objects.create(
            action=action,
            kind=ActionUpdate.Kind.CREATED,
            status_after=action.status,
            author=actor,
            note=f"Owner {action.agency.name}, lead {action.lead_name}, "
            f"target {_date_label(action.target_date)}",
        )
        audit_record(
            action="action.added",
            actor=actor,
            target=action,
            partnership=review.partnership,
            payload={"action": action.reference, "agency": action.agency.slug},
        )
    return action


def action_change(*, action: Action, actor, **data) -> Action:
    """The business unit changes what the action is, who owns it, its lead or target date."""
    fields = _action_fields(action.recommendation, data)
    changed = apply_changes(action, fields)
    if not changed:
        return action
    labels = {"text": "action", "agency": "owner", "lead_name": "lead", "target_date": "target"}
    note = "; ".join(
        f"{labels[name]} now {_date_label(fields[name]) if name == 'target_date' else fields[name]}"
        for name in changed
        if name != "text"
    )
    with transaction.atomic():
        action.modified_by = actor
        action.save(update_fields=[*changed, "modified_by", "modified_at"])
        ActionUpdate.objects.create(
            action=action,
            kind=ActionUpdate.Kind.CHANGED,
            author=actor,
            note=note or "The wording of the action changed",
        )
        audit_record(
            action="action.changed",
            actor=actor,
            target=action,
            partnership=action.partnership,
            payload={"action": action.reference, "fields": changed},
        )
    return action


def _store_evidence(action: Action, actor, uploads: list, description: str) -> list[ActionEvidence]:
    """Check every file first (nothing is stored if one is wrong), then store them all."""
    kinds = []
    for uploaded in uploads:
        try:
            kinds.append(validate_upload(uploaded, allowed=EVIDENCE_KINDS))
        except Exception as error:  # ValidationError: say which file
            message = getattr(error, "messages", [str(error)])[0]
            raise ServiceError(f"{uploaded.name}: {message}", field="evidence") from error
    stored: list[ActionEvidence] = []
    try:
        _store_each(action, actor, uploads, kinds, description, stored)
    except BaseException:
        _discard(stored)  # the files stored before the one that failed
        raise
    return stored


def _store_each(action, actor, uploads, kinds, description, stored) -> None:
    for uploaded, kind in zip(uploads, kinds, strict=True):
        evidence = ActionEvidence(
            action=action,
            original_name=uploaded.name[:255],
            file_kind=kind.code,
            size_bytes=uploaded.size,
            description=(description or "").strip()[:300],
            uploaded_by=actor,
        )
        evidence.file.save(uploaded.name, uploaded, save=False)
        stored.append(evidence)


def _discard(stored: list[ActionEvidence]) -> None:
    for evidence in stored:
        evidence.file.delete(save=False)


def _with_evidence(action: Action, actor, uploads, description, write):
    """Run ``write(stored_evidence)`` in a transaction after storing the files; remove the files
    if anything fails."""
    stored = _store_evidence(action, actor, list(uploads or []), description)
    try:
        with transaction.atomic():
            return write(stored)
    except BaseException:
        _discard(stored)
        raise


def _save_evidence(stored: list[ActionEvidence], update: ActionUpdate) -> None:
    for evidence in stored:
        evidence.update = update
        evidence.save()


def _move(
    action: Action,
    actor,
    *,
    status: str,
    kind: str,
    note: str,
    audit: str,
    payload: dict | None = None,
) -> ActionUpdate:
    """Change an action's status and leave its history row and audit event (call inside a
    transaction). Every status change of an action goes through here."""
    before = action.status
    action.status = status
    action.modified_by = actor
    fields = ["status", "modified_by", "modified_at"]
    if status == Status.COMPLETE:
        action.completed_on = timezone.localdate()
        fields.append("completed_on")
    if status == Status.NOT_IMPLEMENTED:
        action.not_implemented_reason = note
        fields.append("not_implemented_reason")
    action.save(update_fields=fields)
    update = ActionUpdate.objects.create(
        action=action,
        kind=kind,
        note=note,
        status_before=before,
        status_after=status,
        author=actor,
    )
    audit_record(
        action=audit,
        actor=actor,
        target=action,
        partnership=action.partnership,
        payload={"action": action.reference, **(payload or {})},
    )
    return update


def action_progress(
    *, action: Action, actor, note: str, status: str, evidence=(), description: str = ""
) -> ActionUpdate:
    """A progress update by the owner agency (or the business unit): a note, the status (not
    started, on track, at risk) and any evidence files."""
    if not action.is_open or action.status == Status.COMPLETION_REQUESTED:
        raise ServiceError(
            "This action is "
            f"{action.get_status_display().lower()}, so progress can no longer be recorded",
            field="note",
        )
    if status not in Action.AGENCY_SETTABLE:
        raise ServiceError("Select the status", field="status")
    note = _required(note, "note", "Describe the progress made")

    def write(stored):
        update = _move(
            action,
            actor,
            status=status,
            kind=ActionUpdate.Kind.PROGRESS,
            note=note,
            audit="action.updated",
            payload={"status": status, "files": len(stored)},
        )
        _save_evidence(stored, update)
        return update

    return _with_evidence(action, actor, evidence, description, write)


def completion_request(
    *, action: Action, actor, note: str, evidence=(), description: str = ""
) -> ActionUpdate:
    """The owner agency asks for the action to be accepted as complete. Evidence is required:
    files given now, or given with earlier updates."""
    if action.status not in Action.AGENCY_SETTABLE:
        raise ServiceError(
            f"This action is {action.get_status_display().lower()}, so completion cannot be "
            "asked for",
            field="note",
        )
    note = _required(note, "note", "Describe what was done and what the evidence shows")
    if not evidence and not action.evidence.exists():
        raise ServiceError(
            "Add evidence that the action is complete before asking for it to be accepted",
            field="evidence",
        )

    def write(stored):
        update = _move(
            action,
            actor,
            status=Status.COMPLETION_REQUESTED,
            kind=ActionUpdate.Kind.COMPLETION_REQUESTED,
            note=note,
            audit="action.completion_requested",
            payload={"files": len(stored)},
        )
        _save_evidence(stored, update)
        return update

    return _with_evidence(action, actor, evidence, description, write)


def completion_accept(*, action: Action, actor, note: str = "") -> ActionUpdate:
    if action.status != Status.COMPLETION_REQUESTED:
        raise ServiceError(
            "Only a completion that has been asked for can be accepted", field="note"
        )
    with transaction.atomic():
        return _move(
            action,
            actor,
            status=Status.COMPLETE,
            kind=ActionUpdate.Kind.ACCEPTED,
            note=(note or "").strip(),
            audit="action.completion_accepted",
        )


def completion_return(*, action: Action, actor, note: str) -> ActionUpdate:
    """The business unit returns a completion: the action is open (on track) again and the
    agency is told why."""
    if action.status != Status.COMPLETION_REQUESTED:
        raise ServiceError(
            "Only a completion that has been asked for can be returned", field="note"
        )
    note = _required(note, "note", "Say why the completion is returned and what is still needed")
    with transaction.atomic():
        return _move(
            action,
            actor,
            status=Status.ON_TRACK,
            kind=ActionUpdate.Kind.RETURNED,
            note=note,
            audit="action.completion_returned",
        )


def action_not_implemented(*, action: Action, actor, reason: str) -> ActionUpdate:
    """The partnership decides not to implement the action: the reason is required (R24)."""
    if action.status in (Status.COMPLETE, Status.NOT_IMPLEMENTED):
        raise ServiceError(
            f"This action is already {action.get_status_display().lower()}", field="reason"
        )
    reason = _required(
        reason, "reason", "Give the reason for the decision not to implement the action"
    )
    with transaction.atomic():
        return _move(
            action,
            actor,
            status=Status.NOT_IMPLEMENTED,
            kind=ActionUpdate.Kind.NOT_IMPLEMENTED,
            note=reason,
            audit="action.not_implemented",
        )
