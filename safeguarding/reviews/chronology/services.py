"""Writing the merged chronology (docs/rules.md §chronology): one entry typed in the browser, or a
whole checked file from one agency, all or nothing. Who may add rows for which agency is decided
here too.

- The business unit adds rows for any agency on the review.
- An agency contributor adds rows only for their own agency, and only to a review that asked
  that agency for a chronology (an AgencyRequest of kind "chronology").
- Nothing is added to a signed-off review.

A file, or rows, given again (issue 12 item 10): ``chronology_import`` refuses a file that
repeats rows of the agency's chronology, or that was imported before, unless told what to do:
replace the earlier rows (archived, never deleted) or add only the new rows. The file, its
rows, the archived rows and the agency's return are one transaction.

People (issue 13): the case's own pseudonym names its subject, even before anyone is recorded
in the case; any other name that is not a person in the case is kept as a proposed person for
the business unit to confirm, and the rows are imported.
"""

import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from safeguarding.accounts.models import Agency
from safeguarding.audit.services import audit_record
from safeguarding.core.compiled_sql import PK_PLACEHOLDER, CompiledQuery
from safeguarding.core.errors import ServiceError

from ..models import (
    AgencyRequest,
    AgencyReturn,
    ChronologyEntry,
    ChronologyUpload,
    Person,
    ProposedPerson,
    Review,
)
from ..permissions import can_manage_review, can_view_identities
from ..requests.services import return_received_notify
from .parser import MAX_PSEUDONYM_CHARS, MAX_ROWS, ChronologyRow
from .selectors import Duplicates, contributor_agency_ids, duplicates_find
from .staging import file_sha256

REFUSE, REPLACE, NEW_ONLY = "refuse", "replace", "new_only"


def _review_agencies(review_id: int):
    asked = AgencyRequest.objects.filter(review_id=review_id).values("agency_id")
    named = Review.agencies.through.objects.filter(review_id=review_id).values("agency_id")
    return Agency.objects.filter(Q(pk__in=named) | Q(pk__in=asked)).order_by("name")


# Asked on every chronology page: SQL built once (issue 16, core.compiled_sql).
_REVIEW_AGENCIES = CompiledQuery(_review_agencies, {"review_id": (PK_PLACEHOLDER, Review._meta.pk)})


def review_agencies(review: Review) -> list[Agency]:
    """The agencies on the review: those named on it and those asked for information."""
    return _REVIEW_AGENCIES.read(review_id=review.pk)


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


class DuplicateEntry(ServiceError):
    """The entry typed in the browser is already in the agency's chronology."""


class DuplicatesFound(ServiceError):
    """The file repeats the agency's chronology; nothing was saved. ``duplicates`` says how."""

    def __init__(self, duplicates: Duplicates, agency: Agency):
        super().__init__(duplicates_message(duplicates, agency), field="file")
        self.duplicates = duplicates


def duplicates_message(duplicates: Duplicates, agency: Agency) -> str:
    """What a file repeats, in plain words: "This file was already uploaded on … by …",
    "N of the M rows are already in the chronology for …"."""
    parts = []
    same = duplicates.same_file
    if same is not None:
        when = timezone.localtime(same.uploaded_at)
        parts.append(
            f"This file was already uploaded on {when:%-d %B %Y} at {when:%H:%M} by "
            f"{_who(same.uploaded_by)}"
            + (" (its rows were later replaced)" if same.replaced_at else "")
        )
    repeated, total = len(duplicates.repeated_rows), duplicates.rows_in_file
    if repeated:
        parts.append(
            f"{repeated:,} of the {total:,} row{'s' if total != 1 else ''} "
            f"{'is' if repeated == 1 else 'are'} already in the chronology for {agency.name}"
        )
    return ". ".join(parts)


def _who(user) -> str:
    return getattr(user, "full_name", "") or getattr(user, "email", "") or "someone"


def _lock_review(review: Review) -> None:
    """One import or entry at a time per review, so two uploads of the same file cannot both
    pass the duplicate check (SQLite takes the write lock at BEGIN IMMEDIATE anyway)."""
    list(Review.objects.select_for_update().filter(pk=review.pk).values_list("pk"))


def _people_and_proposals(
    *, review: Review, agency: Agency, rows: list[ChronologyRow], actor, allow_proposals: bool
) -> tuple[dict[str, int], dict[str, int]]:
    """(lower-case name → person id, lower-case name → proposed person id) for every name in
    ``rows``. The case's own pseudonym is its subject: the person of that pseudonym, else the
    one subject recorded, else a subject added now under the case's pseudonym (audited). Any
    other unknown name becomes a proposed person (one per review and name while it waits), or,
    with ``allow_proposals`` False, a ServiceError. In the caller's transaction."""
    wanted: dict[str, str] = {}
    for row in rows:
        for name in row.names:
            wanted.setdefault(name.lower(), name)
    if not wanted:
        return {}, {}
    people = {
        pseudonym.lower(): pk
        # People removed from the case (archived) are not linked to new rows (ADR 0015).
        for pk, pseudonym in Person.objects.active()
        .filter(case_id=review.case_id)
        .values_list("pk", "pseudonym")
    }
    case_name = review.case.pseudonym.strip()
    if case_name and case_name.lower() in wanted and case_name.lower() not in people:
        subjects = list(
            Person.objects.active()
            .filter(case_id=review.case_id, role_in_case=Person.RoleInCase.SUBJECT)
            .values_list("pk", flat=True)
        )
        if len(subjects) == 1:
            people[case_name.lower()] = subjects[0]
        elif not subjects:
            subject = Person.objects.create(
                case_id=review.case_id,
                pseudonym=case_name[:MAX_PSEUDONYM_CHARS],
                role_in_case=Person.RoleInCase.SUBJECT,
            )
            audit_record(
                action="person.added",
                actor=actor,
                target=subject,
                partnership=review.partnership,
                payload={
                    "review": review.pk,
                    "role": Person.RoleInCase.SUBJECT,
                    "identity_held": False,
                    "from_chronology_of": agency.slug,
                },
            )
            people[case_name.lower()] = subject.pk
    unknown = {key: name for key, name in wanted.items() if key not in people}
    if not unknown:
        return people, {}
    if not allow_proposals:
        raise ServiceError(
            "Not people in this case: " + ", ".join(sorted(unknown.values())), field="people"
        )
    waiting = {
        pseudonym.lower(): pk
        for pk, pseudonym in ProposedPerson.objects.filter(
            review=review, state=ProposedPerson.State.PROPOSED
        ).values_list("pk", "pseudonym")
    }
    proposals = {}
    for key, name in sorted(unknown.items()):
        if key in waiting:
            proposals[key] = waiting[key]
            continue
        proposal = ProposedPerson.objects.create(
            review=review, pseudonym=name[:MAX_PSEUDONYM_CHARS], agency=agency, proposed_by=actor
        )
        audit_record(  # the name is not in the payload: an agency may have written a real one
            action="person.proposed",
            actor=actor,
            target=proposal,
            partnership=review.partnership,
            payload={"review": review.pk, "agency": agency.slug},
        )
        proposals[key] = proposal.pk
    return people, proposals


def _entry(review, agency, row: ChronologyRow, actor, batch: str = "", upload=None):
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
        upload=upload,
        fingerprint=row.fingerprint(agency.pk),
    )


def _chronology_returned(
    *, review: Review, agency: Agency, actor, upload: ChronologyUpload | None = None
) -> AgencyReturn | None:
    """The agency's chronology request counts as returned once it has sent rows; an uploaded
    file is the next version of its return (who, when, the file)."""
    request = (
        AgencyRequest.objects.select_for_update()
        .filter(review=review, agency=agency, kind=AgencyRequest.Kind.CHRONOLOGY)
        .filter(closure="")  # not one cancelled, re-addressed or with nothing to return
        .first()
    )
    if request is None:
        return None
    if request.returned_at is None:
        request.returned_at = timezone.now()
        request.save(update_fields=["returned_at"])
    if upload is None:
        return None
    previous = request.returns.aggregate(last=Max("version"))["last"] or 0
    agency_return = AgencyReturn.objects.create(
        request=request, version=previous + 1, submitted_by=actor, chronology_upload=upload
    )
    audit_record(
        action="agency_return.submitted",
        actor=actor,
        target=agency_return,
        partnership=review.partnership,
        payload={
            "review": review.reference,
            "agency": agency.slug,
            "kind": request.kind,
            "version": agency_return.version,
            "attachment": upload.file_kind or None,
            "chronology_upload": upload.pk,
        },
    )
    return_received_notify(agency_return=agency_return, actor=actor)
    return agency_return


def chronology_entry_add(
    *, review: Review, agency: Agency, row: ChronologyRow, actor, allow_duplicate: bool = False
) -> ChronologyEntry:
    """Add one entry typed in the browser. An entry the agency's chronology already has (same
    date, time, event and source) is refused with ``DuplicateEntry`` unless
    ``allow_duplicate``."""
    _check(review, agency, actor)
    fingerprint = row.fingerprint(agency.pk)
    with transaction.atomic():
        _lock_review(review)
        repeats = (
            ChronologyEntry.objects.filter(review=review, agency=agency, fingerprint=fingerprint)
            .active()
            .exists()
        )
        if repeats and not allow_duplicate:
            raise DuplicateEntry(
                f"This entry is already in the chronology for {agency.name}, with the same "
                "date, time, event and source record. Check it is not the same contact "
                "before adding it again"
            )
        people, _ = _people_and_proposals(
            review=review, agency=agency, rows=[row], actor=actor, allow_proposals=False
        )
        entry = _entry(review, agency, row, actor)
        entry.save()
        entry.people.set([people[name.lower()] for name in row.names])
        _chronology_returned(review=review, agency=agency, actor=actor)
        audit_record(
            action="chronology.entry_added",
            actor=actor,
            target=review,
            payload={
                "entry": entry.pk,
                "agency": agency.slug,
                "occurred_on": row.occurred_on.isoformat(),
                **({"repeats_an_entry": True} if repeats else {}),
            },
        )
    return entry


def _file_kind(file, name: str) -> str:
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    if name.lower().endswith(".xlsx") or head.startswith(b"PK\x03\x04"):
        return ChronologyUpload.Kind.XLSX
    return ChronologyUpload.Kind.CSV


def _archive_replaced(
    *, review, agency, duplicates: Duplicates, fingerprints: set[str], upload, actor
) -> int:
    """Archive the rows a replacing file stands for: every row of the earlier files it
    repeats, and rows typed one at a time that it repeats. Gives how many."""
    earlier_ids = {earlier.pk for earlier in duplicates.earlier_uploads}
    ids = [
        pk
        for pk, fingerprint, upload_id in ChronologyEntry.objects.filter(
            review=review, agency=agency
        )
        .active()
        .values_list("pk", "fingerprint", "upload_id")
        if upload_id in earlier_ids or (upload_id is None and fingerprint in fingerprints)
    ]
    now = timezone.now()
    for start in range(0, len(ids), 500):
        ChronologyEntry.objects.filter(pk__in=ids[start : start + 500]).update(
            archived_at=now, archived_by=actor, archived_for=upload
        )
    if earlier_ids:
        ChronologyUpload.objects.filter(pk__in=earlier_ids).update(
            replaced_at=now, replaced_by=upload
        )
    return len(ids)


def chronology_import(
    *,
    review: Review,
    agency: Agency,
    rows: list[ChronologyRow],
    actor,
    file=None,
    file_name: str = "",
    content_hash: str = "",
    on_duplicates: str = REFUSE,
    by_command: bool = False,
) -> ChronologyUpload:
    """Add one agency's checked rows in one transaction, with the file they came from (kept,
    with its SHA-256) and, if the review asked the agency for a chronology, the next version
    of its return. Either everything is saved or nothing is (the stored file is removed).

    Rows or a file given again (issue 12 item 10): with ``on_duplicates`` REFUSE (the
    default), ``DuplicatesFound`` says what the file repeats and nothing is saved; REPLACE
    archives the earlier rows it repeats (whole earlier files, and rows typed one at a time)
    and adds every row; NEW_ONLY adds only the rows not already there. ``by_command``: run by
    ``manage.py import_chronology``, where the actor need not hold a role (the agency must
    still be on the review)."""
    if on_duplicates not in (REFUSE, REPLACE, NEW_ONLY):
        raise ValueError(f"on_duplicates must be one of refuse, replace, new_only: {on_duplicates}")
    _check(review, agency, actor, by_command=by_command)
    if not rows:
        raise ServiceError("The file has no chronology rows", field="file")
    if len(rows) > MAX_ROWS:
        raise ServiceError(f"A file can have at most {MAX_ROWS:,} rows", field="file")
    file_name = (file_name or getattr(file, "name", "") or "")[:255]
    if file is not None and not content_hash:
        content_hash = file_sha256(file)
    fingerprints = [row.fingerprint(agency.pk) for row in rows]
    stored = ""
    try:
        with transaction.atomic():
            _lock_review(review)
            duplicates = duplicates_find(
                review=review, agency=agency, rows=rows, content_hash=content_hash
            )
            to_add, outcome = (
                list(zip(rows, fingerprints, strict=True)),
                ChronologyUpload.Outcome.ADDED,
            )
            if duplicates.found:
                if on_duplicates == REFUSE:
                    raise DuplicatesFound(duplicates, agency)
                if on_duplicates == NEW_ONLY:
                    repeated = {row.fingerprint(agency.pk) for row in duplicates.repeated_rows}
                    to_add = [pair for pair in to_add if pair[1] not in repeated]
                    if not to_add:
                        raise ServiceError(
                            f"Every row of the file is already in the chronology for "
                            f"{agency.name}: there is nothing to add",
                            field="file",
                        )
                    outcome = ChronologyUpload.Outcome.NEW_ROWS_ONLY
                else:
                    outcome = ChronologyUpload.Outcome.REPLACED_EARLIER
            upload = ChronologyUpload(
                review=review,
                agency=agency,
                file_name=file_name,
                content_hash=content_hash,
                rows_in_file=len(rows),
                rows_added=len(to_add),
                rows_not_added=len(rows) - len(to_add),
                outcome=outcome,
                uploaded_by=actor,
                by_command=by_command,
            )
            if file is not None:
                upload.file_kind = _file_kind(file, file_name)
                upload.size_bytes = getattr(file, "size", None)
                file.seek(0)
                upload.file.save(file_name or "chronology", file, save=False)
                stored = upload.file.name or ""
            upload.save()
            if outcome == ChronologyUpload.Outcome.REPLACED_EARLIER:
                upload.rows_archived = _archive_replaced(
                    review=review,
                    agency=agency,
                    duplicates=duplicates,
                    fingerprints=set(fingerprints),
                    upload=upload,
                    actor=actor,
                )
                upload.save(update_fields=["rows_archived"])
            added_rows = [row for row, _ in to_add]
            people, proposals = _people_and_proposals(
                review=review, agency=agency, rows=added_rows, actor=actor, allow_proposals=True
            )
            batch = uuid.uuid4().hex
            entries = ChronologyEntry.objects.bulk_create(
                [_entry(review, agency, row, actor, batch, upload) for row in added_rows],
                batch_size=1000,
            )
            if any(entry.pk is None for entry in entries):  # a database without RETURNING
                pks = list(
                    ChronologyEntry.objects.filter(import_batch=batch)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                for entry, pk in zip(entries, pks, strict=True):
                    entry.pk = pk
            People = ChronologyEntry.people.through
            People.objects.bulk_create(
                [
                    People(chronologyentry_id=entry.pk, person_id=person_id)
                    for entry, row in zip(entries, added_rows, strict=True)
                    # a set: two names of one row can be one person (the case's pseudonym)
                    for person_id in {people[n.lower()] for n in row.names if n.lower() in people}
                ],
                batch_size=1000,
            )
            Proposed = ChronologyEntry.proposed_people.through
            Proposed.objects.bulk_create(
                [
                    Proposed(chronologyentry_id=entry.pk, proposedperson_id=proposals[key])
                    for entry, row in zip(entries, added_rows, strict=True)
                    for key in {name.lower() for name in row.names}
                    if key in proposals
                ],
                batch_size=1000,
            )
            agency_return = _chronology_returned(
                review=review, agency=agency, actor=actor, upload=upload
            )
            audit_record(
                action="chronology.imported",
                actor=actor,
                target=review,
                payload={
                    "agency": agency.slug,
                    "rows": len(added_rows),
                    "batch": batch,
                    "file": file_name[:200],
                    "by_command": by_command,
                    "upload": upload.pk,
                    "outcome": outcome,
                    "rows_in_file": len(rows),
                    "rows_not_added": upload.rows_not_added,
                    "rows_archived": upload.rows_archived,
                    "rows_repeated": len(duplicates.repeated_rows),
                    "same_file_as": duplicates.same_file.pk if duplicates.same_file else None,
                    "people_proposed": len(proposals),
                    "return_version": agency_return.version if agency_return else None,
                },
            )
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return upload


def chronology_import_cancel(
    *, review: Review, agency: Agency, actor, file_name: str, duplicates: Duplicates
) -> None:
    """The user chose to import nothing from a file that repeats the chronology: recorded."""
    _check(review, agency, actor)
    with transaction.atomic():
        audit_record(
            action="chronology.import_cancelled",
            actor=actor,
            target=review,
            payload={
                "agency": agency.slug,
                "file": file_name[:200],
                "rows_in_file": duplicates.rows_in_file,
                "rows_repeated": len(duplicates.repeated_rows),
                "same_file_as": duplicates.same_file.pk if duplicates.same_file else None,
            },
        )


def chronology_identities_shown(*, review: Review, actor) -> None:
    """Record that real names were shown in the chronology (each time they are switched on)."""
    if not can_view_identities(actor, review.partnership):
        raise ServiceError("Only the business unit and partner leads can see real names")
    with transaction.atomic():
        audit_record(action="chronology.identities_shown", actor=actor, target=review)
