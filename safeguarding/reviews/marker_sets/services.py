"""Writes for a partnership's own marker sets: each in one transaction with its audit event.
Nothing is deleted: a set or a marker is archived, and an assessment made against it keeps it
(ADR 0024)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError
from safeguarding.core.models import apply_changes

from ..models import LocalMarker, LocalMarkerSet, Review

# The review kinds a set may apply to (a rapid review is not assessed against markers).
KINDS = [
    (Review.Kind.SAR.value, Review.Kind.SAR.label),
    (Review.Kind.LCSPR.value, Review.Kind.LCSPR.label),
    (Review.Kind.DHR.value, Review.Kind.DHR.label),
    (Review.Kind.JOINT.value, Review.Kind.JOINT.label),
]


def _set_values(partnership, name: str, review_kinds, source: str, note: str, exclude=None):
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("Enter the name of the marker set", field="name")
    if len(name) > 200:
        raise ServiceError("The name must be 200 characters or fewer", field="name")
    taken = LocalMarkerSet.objects.filter(
        partnership=partnership, archived_at__isnull=True, name__iexact=name
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ServiceError("The partnership already has a marker set with this name", field="name")
    codes = [code for code, _ in KINDS]
    kinds = list(review_kinds or [])
    if not kinds:
        raise ServiceError("Select the review types the set applies to", field="review_kinds")
    if any(kind not in codes for kind in kinds):
        raise ServiceError("Select review types from the list", field="review_kinds")
    note = (note or "").strip()
    if len(note) > 2_000:
        raise ServiceError("The note must be 2,000 characters or fewer", field="note")
    source = (source or "").strip()
    if source and not source.startswith(("https://", "http://")):
        raise ServiceError("Enter a web address starting with https://", field="source")
    return {
        "name": name,
        "review_kinds": [code for code in codes if code in kinds],
        "source": source[:500],
        "note": note,
    }


def marker_set_create(
    *, partnership, name: str, review_kinds, source: str = "", note: str = "", actor
) -> LocalMarkerSet:
    values = _set_values(partnership, name, review_kinds, source, note)
    with transaction.atomic():
        marker_set = LocalMarkerSet.objects.create(
            partnership=partnership, created_by=actor, modified_by=actor, **values
        )
        audit_record(
            action="marker_set.created",
            actor=actor,
            target=marker_set,
            partnership=partnership,
            payload={"name": marker_set.name, "review_kinds": marker_set.review_kinds},
        )
    return marker_set


def _current(record, what: str) -> None:
    if record.is_archived:
        raise ServiceError(f"This {what} is archived: it can no longer be changed")


def marker_set_change(
    *, marker_set: LocalMarkerSet, name: str, review_kinds, source: str, note: str, actor
) -> list[str]:
    _current(marker_set, "marker set")
    values = _set_values(
        marker_set.partnership, name, review_kinds, source, note, exclude=marker_set
    )
    with transaction.atomic():
        changed = apply_changes(marker_set, values)
        if changed:
            marker_set.modified_by = actor
            marker_set.save(update_fields=[*changed, "modified_by", "modified_at"])
            audit_record(
                action="marker_set.changed",
                actor=actor,
                target=marker_set,
                partnership=marker_set.partnership,
                payload={"changed": changed},
            )
    return changed


def marker_set_archive(*, marker_set: LocalMarkerSet, actor) -> None:
    """No longer offered for new assessments; the assessments made against it keep it."""
    _current(marker_set, "marker set")
    with transaction.atomic():
        marker_set.archived_at = timezone.now()
        marker_set.archived_by = actor
        marker_set.save(update_fields=["archived_at", "archived_by", "modified_at"])
        audit_record(
            action="marker_set.archived",
            actor=actor,
            target=marker_set,
            partnership=marker_set.partnership,
            payload={"name": marker_set.name, "assessments": marker_set.assessments.count()},
        )


def _marker_values(stage: str, title: str, guidance: str) -> dict:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError("Enter the marker", field="title")
    if len(title) > 300:
        raise ServiceError("The marker must be 300 characters or fewer", field="title")
    stage = " ".join((stage or "").split())
    if len(stage) > 100:
        raise ServiceError("The stage must be 100 characters or fewer", field="stage")
    guidance = (guidance or "").strip()
    if len(guidance) > 2_000:
        raise ServiceError("The guidance must be 2,000 characters or fewer", field="guidance")
    return {"stage": stage, "title": title, "guidance": guidance}


def marker_add(
    *, marker_set: LocalMarkerSet, stage: str = "", title: str, guidance: str = "", actor
) -> LocalMarker:
    """The next marker of the set: numbered after every marker it ever had (a number is never
    reused, so the ratings of an archived marker keep naming it)."""
    _current(marker_set, "marker set")
    values = _marker_values(stage, title, guidance)
    with transaction.atomic():
        locked = LocalMarkerSet.objects.select_for_update().get(pk=marker_set.pk)
        last = locked.markers.aggregate(last=Max("number"))["last"] or 0
        marker = LocalMarker.objects.create(
            marker_set=locked, number=last + 1, created_by=actor, modified_by=actor, **values
        )
        audit_record(
            action="marker_set.marker_added",
            actor=actor,
            target=marker_set,
            partnership=marker_set.partnership,
            payload={"number": marker.number, "title": marker.title},
        )
    return marker


def marker_change(*, marker: LocalMarker, stage: str, title: str, guidance: str, actor) -> list:
    _current(marker.marker_set, "marker set")
    _current(marker, "marker")
    values = _marker_values(stage, title, guidance)
    with transaction.atomic():
        changed = apply_changes(marker, values)
        if changed:
            marker.modified_by = actor
            marker.save(update_fields=[*changed, "modified_by", "modified_at"])
            audit_record(
                action="marker_set.marker_changed",
                actor=actor,
                target=marker.marker_set,
                partnership=marker.marker_set.partnership,
                payload={"number": marker.number, "changed": changed},
            )
    return changed


def marker_archive(*, marker: LocalMarker, actor) -> None:
    """Left out of new assessments; kept, with its ratings, in those that rated it."""
    _current(marker.marker_set, "marker set")
    _current(marker, "marker")
    with transaction.atomic():
        marker.archived_at = timezone.now()
        marker.archived_by = actor
        marker.save(update_fields=["archived_at", "archived_by", "modified_at"])
        audit_record(
            action="marker_set.marker_archived",
            actor=actor,
            target=marker.marker_set,
            partnership=marker.marker_set.partnership,
            payload={"number": marker.number},
        )


def marker_restore(*, marker: LocalMarker, actor) -> None:
    _current(marker.marker_set, "marker set")
    if not marker.is_archived:
        raise ServiceError("This marker is not archived")
    with transaction.atomic():
        marker.archived_at = None
        marker.archived_by = None
        marker.save(update_fields=["archived_at", "archived_by", "modified_at"])
        audit_record(
            action="marker_set.marker_restored",
            actor=actor,
            target=marker.marker_set,
            partnership=marker.marker_set.partnership,
            payload={"number": marker.number},
        )
