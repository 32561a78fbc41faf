"""Writing the merged chronology (docs/rules.md §chronology): one entry typed in the browser, or a
whole checked file from one agency, all or nothing. Who may add rows for which agency is decided
here too.

- The business unit adds rows for any agency on the review.
- An agency contributor adds rows only for their own agency, and only to a review that asked
  that agency for a chronology (an AgencyRequest of kind "chronology").
- Nothing is added to a signed-off review.
"""

import uuid

from django.db import transaction
from django.db.models import Q

from safeguarding.accounts.models import Agency
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError

from ..models import AgencyRequest, ChronologyEntry, Person, Review
from ..permissions import can_manage_review, can_view_identities
from .parser import MAX_ROWS, ChronologyRow
from .selectors import contributor_agency_ids


def review_agencies(review: Review) -> list[Agency]:
    """The agencies on the review: those named on it and those asked for information."""
    asked = AgencyRequest.objects.filter(review=review).values("agency_id")
    named = Review.agencies.through.objects.filter(review_id=review.pk).values("agency_id")
    return list(Agency.objects.filter(Q(pk__in=named) | Q(pk__in=asked)).order_by("name"))


def agencies_user_may_add_for(user, review: Review) -> list[Agency]:
    if review.is_read_only:
        return []
    if can_manage_review(user, review):
        return review_agencies(review)
    ids = contributor_agency_ids(user, review)
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def can_add_chronology(user, review: Review, agency: Agency | None = None) -> bool:
    allowed = agencies_user_may_add_for(user, review)
    if agency is None:
        return bool(allowed)
    return any(a.pk == agency.pk for a in allowed)


def _check(review: Review, agency: Agency, actor, *, by_command: bool = False) -> None:
    if review.is_read_only:
        raise ServiceError("The review is signed off: its chronology cannot change")
    if by_command:  # someone with the server's shell: any agency on the review
        if not any(a.pk == agency.pk for a in review_agencies(review)):
            raise ServiceError(f"{agency} is not an agency on review {review.reference}")
        return
    if not can_add_chronology(actor, review, agency):
        raise ServiceError(f"You cannot add chronology entries for {agency}", field="agency")


def _people_by_pseudonym(review: Review, rows: list[ChronologyRow]) -> dict[str, int]:
    wanted = {name.lower() for row in rows for name in row.pseudonyms}
    if not wanted:
        return {}
    found = {
        pseudonym.lower(): pk
        for pk, pseudonym in Person.objects.filter(case_id=review.case_id).values_list(
            "pk", "pseudonym"
        )
    }
    unknown = sorted(wanted - set(found))
    if unknown:
        raise ServiceError(
            "Not people in this case: " + ", ".join(unknown), field="people"
        )  # the parser checks this first; this guards other callers
    return found


def _entry(review, agency, row: ChronologyRow, actor, batch: str = "") -> ChronologyEntry:
    return ChronologyEntry(
        review=review,
        agency=agency,
        occurred_on=row.occurred_on,
        occurred_at=row.occurred_at,
        date_is_approximate=row.date_is_approximate,
        event=row.event,
        source_record=row.source_record,
        practitioner_role=row.practitioner_role,
        significance=row.significance,
        entered_by=actor,
        import_batch=batch,
    )


def _mark_chronology_returned(review: Review, agency: Agency) -> None:
    """The agency's chronology request counts as returned once it has sent rows."""
    from django.utils import timezone

    review.requests.filter(agency=agency, kind="chronology", returned_at__isnull=True).update(
        returned_at=timezone.now()
    )


def chronology_entry_add(
    *, review: Review, agency: Agency, row: ChronologyRow, actor
) -> ChronologyEntry:
    """Add one entry typed in the browser."""
    _check(review, agency, actor)
    people = _people_by_pseudonym(review, [row])
    with transaction.atomic():
        entry = _entry(review, agency, row, actor)
        entry.save()
        entry.people.set([people[name.lower()] for name in row.pseudonyms])
        _mark_chronology_returned(review, agency)
        audit_record(
            action="chronology.entry_added",
            actor=actor,
            target=review,
            payload={
                "entry": entry.pk,
                "agency": agency.slug,
                "occurred_on": row.occurred_on.isoformat(),
            },
        )
    return entry


def chronology_import(
    *,
    review: Review,
    agency: Agency,
    rows: list[ChronologyRow],
    actor,
    file_name: str = "",
    by_command: bool = False,
) -> str:
    """Add every checked row of one agency's file in one transaction; give the batch id.
    Either every row is added or none is. ``by_command``: run by ``manage.py
    import_chronology``, where the actor need not hold a role (the agency must still be on the
    review)."""
    _check(review, agency, actor, by_command=by_command)
    if not rows:
        raise ServiceError("The file has no chronology rows", field="file")
    if len(rows) > MAX_ROWS:
        raise ServiceError(f"A file can have at most {MAX_ROWS:,} rows", field="file")
    people = _people_by_pseudonym(review, rows)
    batch = uuid.uuid4().hex
    Through = ChronologyEntry.people.through
    with transaction.atomic():
        entries = ChronologyEntry.objects.bulk_create(
            [_entry(review, agency, row, actor, batch) for row in rows], batch_size=1000
        )
        if any(entry.pk is None for entry in entries):  # a database without RETURNING
            pks = list(
                ChronologyEntry.objects.filter(import_batch=batch)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for entry, pk in zip(entries, pks, strict=True):
                entry.pk = pk
        Through.objects.bulk_create(
            [
                Through(chronologyentry_id=entry.pk, person_id=people[name.lower()])
                for entry, row in zip(entries, rows, strict=True)
                for name in row.pseudonyms
            ],
            batch_size=1000,
        )
        _mark_chronology_returned(review, agency)
        audit_record(
            action="chronology.imported",
            actor=actor,
            target=review,
            payload={
                "agency": agency.slug,
                "rows": len(rows),
                "batch": batch,
                "file": file_name[:200],
                "by_command": by_command,
            },
        )
    return batch


def chronology_identities_shown(*, review: Review, actor) -> None:
    """Record that real names were shown in the chronology (each time they are switched on)."""
    if not can_view_identities(actor, review.partnership):
        raise ServiceError("Only the business unit and partner leads can see real names")
    with transaction.atomic():
        audit_record(action="chronology.identities_shown", actor=actor, target=review)
