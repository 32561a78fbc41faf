"""Writes of the learning library: validated, in one transaction, audited, and the search index
kept in step (``indexing.record_indexed`` after every save, ``record_unindexed`` on archive; the
sentence vectors are computed by a background task after the commit).

- The partnership's own published reviews become records by themselves: the publication app
  sends ``publication_published`` when one is published, corrected or withdrawn, and
  ``record_sync_from_publication`` copies it (a withdrawn one stays in the library, not public).
  ``library_sync`` does the same for publications and national reviews that exist already.
- Records from elsewhere: ``library_import`` (CSV or JSON, all or nothing), ``record_add`` and
  ``record_update`` by hand, ``national_review_add`` (a publication.NationalReview and a record)
  and ``national_review_remove``: national reviews are entered here only (the public Reviews
  page lists them from publication).
- ``search_term_add`` / ``search_term_remove``: the partnership's synonyms and abbreviations.
- ``submission_prepare`` / ``submission_record_sent``: national library submissions.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.db import transaction
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.actions.models import Recommendation, Theme
from safeguarding.actions.services import themes_available
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError
from safeguarding.core.models import apply_changes
from safeguarding.publication import services as publication_services
from safeguarding.publication.identifier_check import UnreadableFile, extract_pages
from safeguarding.publication.models import NationalReview, Publication, Revision

from . import indexing, national_libraries, selectors
from .importing import RowError, as_sentence, check_record_values, parse_library_file
from .models import AgeGroup, LibraryRecord, NationalLibrarySubmission, ReviewType, SearchTerm

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "title",
    "review_type",
    "publisher",
    "year",
    "published_on",
    "age_group",
    "summary",
    "learning",
    "recommendations",
    "full_text",
    "url",
    "is_public",
)
PANEL = "Child Safeguarding Practice Review Panel"
SYNC_LABEL = "Learning library"


class ImportRefused(ServiceError):
    """An import with any bad row imports nothing: ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        count = len(errors)
        super().__init__(
            f"The file has {count} error{'' if count == 1 else 's'}, so nothing was imported",
            field="file",
        )
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    national: int


# Saving a record (every write goes through here) -----------------------------------------------


def _check(values: dict) -> None:
    problems = check_record_values(values)
    if problems:
        field, message = problems[0]
        raise ServiceError(as_sentence(field, message), field=field)


def _check_themes(partnership: Partnership, themes) -> list[Theme]:
    themes = list(dict.fromkeys(themes))
    allowed = set(themes_available(partnership).values_list("pk", flat=True))
    if any(theme.pk not in allowed for theme in themes):
        raise ServiceError("Select themes from the list", field="themes")
    return themes


# Relations are set by the services themselves; checking each one would cost a query a field.
_NOT_CLEANED = [
    "partnership",
    "publication",
    "national_review",
    "created_by",
    "modified_by",
    "themes",
    "themes_text",
]


def _save(record: LibraryRecord, themes, *, index: bool = True) -> None:
    """Save the record and its themes (and their names, for the search index), then index it
    (its vectors are queued for after the commit; an import queues all of its records at once
    with ``index=False`` and ``indexing.records_indexed``). Call inside a transaction."""
    themes = sorted(themes, key=lambda theme: (theme.facet, theme.name))
    record.themes_text = "; ".join(theme.name for theme in themes)
    record.clean_fields(exclude=_NOT_CLEANED)
    record.save()
    record.themes.set(themes)
    if index and record.archived_at is None:
        indexing.record_indexed(record)


def _apply(record: LibraryRecord, values: dict, themes) -> list[str]:
    """Set the changed values on the record (saved by ``_save``, which also sets the themes);
    the names of what changed, "themes" among them if the themes differ."""
    changed = apply_changes(record, values)
    if record.pk is None or {t.pk for t in themes} != set(
        record.themes.values_list("pk", flat=True)
    ):
        changed.append("themes")
    return changed


# The partnership's own published reviews -------------------------------------------------------


def _age_group(review) -> str:
    """From the ages recorded on the case's referrals: one age group, or 'not known or
    several'."""
    from safeguarding.referrals.models import Referral

    ages = set(
        Referral.objects.filter(case_id=review.case_id, age_years__isnull=False).values_list(
            "age_years", flat=True
        )
    )
    groups = {_age_group_for(age) for age in ages if age is not None}
    return groups.pop() if len(groups) == 1 else AgeGroup.NOT_KNOWN


def _age_group_for(age: int) -> str:
    for limit, group in (
        (1, AgeGroup.INFANT),
        (5, AgeGroup.YOUNG_CHILD),
        (12, AgeGroup.CHILD),
        (18, AgeGroup.ADOLESCENT),
        (26, AgeGroup.YOUNG_ADULT),
        (65, AgeGroup.ADULT),
    ):
        if age < limit:
            return group
    return AgeGroup.OLDER_ADULT


def _learning(revision: Revision, review) -> str:
    """The improvements published, and, when the full report is published, the review's
    findings and learning points (they are in the report)."""
    parts = [revision.improvements.strip()] if revision.improvements.strip() else []
    if revision.form == Publication.Form.FULL_REPORT:
        for finding in review.findings.order_by("number"):
            parts.append(f"{finding.title.strip()}\n{finding.text.strip()}")
    return "\n\n".join(parts)[:50_000]


def _recommendations(review) -> str:
    texts = Recommendation.objects.filter(review=review).order_by("number")
    return "\n\n".join(f"{r.number}. {r.text.strip()}" for r in texts)[:50_000]


def _full_text(revision: Revision) -> str:
    """The text of the revision's files, page by page (the identifier check's reader)."""
    texts = []
    for published_file in revision.files.order_by("title", "id"):
        try:
            with published_file.file.open("rb") as handle:
                pages = extract_pages(handle.read())
        except (UnreadableFile, OSError, ValueError):
            logger.warning("Library: cannot read the text of file %s", published_file.pk)
            continue
        texts.append("\n\n".join(page.strip() for page in pages if page.strip()))
    return "\n\n".join(text for text in texts if text)


def _library_type(review_type: str) -> str:
    return review_type if review_type in ReviewType.values else ReviewType.OTHER


def record_sync_from_publication(*, publication: Publication, actor=None) -> LibraryRecord | None:
    """Make or refresh the library record of a published (or withdrawn) publication from its
    latest revision. Withdrawn: the record stays in the library but is not public. Drafts and
    scheduled publications have no record. Returns the record, or None."""
    return _sync(publication, actor)[0]


def _sync(publication: Publication, actor) -> tuple[LibraryRecord | None, str]:
    """(record, "created" | "changed" | "same" | "none")."""
    if publication.status not in (Publication.Status.PUBLISHED, Publication.Status.WITHDRAWN):
        return None, "none"
    revision = selectors.latest_revision(publication)
    if revision is None or publication.publish_on is None:
        return None, "none"
    review = publication.review
    partnership = publication.partnership
    values = {
        "title": revision.title[:300],
        "review_type": _library_type(publication.review_type),
        "publisher": partnership.name[:200],
        "year": publication.publish_on.year,
        "published_on": publication.publish_on,
        "age_group": _age_group(review),
        "summary": revision.summary,
        "learning": _learning(revision, review),
        "recommendations": _recommendations(review),
        "full_text": _full_text(revision),
        "url": "",
        "is_public": publication.status == Publication.Status.PUBLISHED,
    }
    themes = list(Theme.objects.filter(findings__review=review).distinct())
    with transaction.atomic():
        record = LibraryRecord.objects.select_for_update().filter(publication=publication).first()
        created = record is None
        if record is None:
            record = LibraryRecord(
                partnership=partnership,
                source=LibraryRecord.Source.OWN,
                external_id=f"{partnership.slug}-publication-{publication.pk}",
                publication=publication,
                created_by=actor,
            )
        changed = _apply(record, values, themes)
        if not created and not changed:
            return record, "same"
        record.modified_by = actor
        _save(record, themes)
        audit_record(
            action="library.record_added" if created else "library.record_changed",
            actor=actor,
            actor_label="" if actor else SYNC_LABEL,
            target=record,
            payload={
                "source": record.source,
                "publication": publication.pk,
                "revision": revision.number,
                "public": record.is_public,
                "changed": changed,
            },
        )
    return record, "created" if created else "changed"


def _national_record(review: NationalReview, actor, themes=()) -> LibraryRecord:
    record = LibraryRecord(
        partnership=review.partnership,
        source=LibraryRecord.Source.NATIONAL,
        external_id=f"{review.partnership.slug}-national-review-{review.pk}",
        national_review=review,
        title=review.title[:300],
        review_type=ReviewType.NATIONAL,
        publisher=PANEL,
        year=review.published_on.year,
        published_on=review.published_on,
        summary=review.summary,
        url=review.url,
        is_public=True,
        created_by=actor,
        modified_by=actor,
    )
    _save(record, themes)
    audit_record(
        action="library.record_added",
        actor=actor,
        actor_label="" if actor else SYNC_LABEL,
        target=record,
        payload={"source": record.source, "national_review": review.pk},
    )
    return record


def library_sync(*, partnership: Partnership | None = None, refresh: bool = False) -> SyncResult:
    """Give every published or withdrawn publication, and every national review on the public
    page, its library record (for the ones that existed before the library). ``refresh``
    also brings the records of own publications up to date. Returns what was done."""
    publications = Publication.objects.filter(
        status__in=[Publication.Status.PUBLISHED, Publication.Status.WITHDRAWN]
    ).select_related("partnership", "review")
    reviews = NationalReview.objects.filter(
        archived_at__isnull=True, library_record__isnull=True
    ).select_related("partnership")
    if partnership is not None:
        publications = publications.filter(partnership=partnership)
        reviews = reviews.filter(partnership=partnership)
    if not refresh:
        publications = publications.filter(library_record__isnull=True)
    created = updated = national = 0
    for publication in publications.order_by("pk"):
        outcome = _sync(publication, None)[1]
        created += outcome == "created"
        updated += outcome == "changed"
    for review in reviews.order_by("pk"):
        with transaction.atomic():
            _national_record(review, None)
        national += 1
    return SyncResult(created=created, updated=updated, national=national)


# Records from elsewhere, by hand ---------------------------------------------------------------


def _values(values: dict) -> dict:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    return dict(values)


def record_add(*, partnership: Partnership, actor, themes=(), **values) -> LibraryRecord:
    """A record entered by hand (a review published elsewhere, say)."""
    values = _values(values)
    values.setdefault("is_public", True)
    _check(values)
    themes = _check_themes(partnership, themes)
    with transaction.atomic():
        record = LibraryRecord(
            partnership=partnership,
            source=LibraryRecord.Source.MANUAL,
            external_id=f"manual-{uuid.uuid4().hex[:12]}",
            created_by=actor,
            modified_by=actor,
            **values,
        )
        _save(record, themes)
        audit_record(
            action="library.record_added",
            actor=actor,
            target=record,
            payload={"source": record.source, "public": record.is_public},
        )
    return record


def record_update(*, record: LibraryRecord, actor, themes=(), **values) -> LibraryRecord:
    """Change a record. A record of the partnership's own publication can be public only while
    the publication is; it is copied again from the publication when a correction is published."""
    if record.archived_at is not None:
        raise ServiceError("This record has been taken out of the library")
    values = _values(values)
    _check(values)
    themes = _check_themes(record.partnership, themes)
    publication = record.publication
    if (
        values.get("is_public")
        and record.source == LibraryRecord.Source.OWN
        and (publication is None or publication.status != Publication.Status.PUBLISHED)
    ):
        raise ServiceError(
            "This review is no longer published, so its record cannot be public",
            field="is_public",
        )
    with transaction.atomic():
        changed = _apply(record, values, themes)
        record.modified_by = actor
        _save(record, themes)
        audit_record(
            action="library.record_changed",
            actor=actor,
            target=record,
            payload={"changed": changed, "public": record.is_public},
        )
    return record


def record_archive(*, record: LibraryRecord, actor) -> LibraryRecord:
    """Take a record out of the library (it is kept, but no longer found or shown)."""
    with transaction.atomic():
        if record.archived_at is None:
            record.archived_at = timezone.now()
            record.modified_by = actor
            record.save(update_fields=["archived_at", "modified_by", "modified_at"])
            indexing.record_unindexed(record)
            audit_record(
                action="library.record_archived",
                actor=actor,
                target=record,
                payload={"source": record.source},
            )
    return record


def national_review_add(
    *,
    partnership: Partnership,
    actor,
    title: str,
    published_on: datetime.date,
    url: str,
    summary: str = "",
    themes=(),
) -> LibraryRecord:
    """Record a national review: it goes on the public Reviews page (publication) and into the
    library, with its themes, in one transaction."""
    themes = _check_themes(partnership, themes)
    with transaction.atomic():
        review = publication_services.national_review_add(
            partnership=partnership,
            actor=actor,
            title=title,
            published_on=published_on,
            url=url,
            summary=summary,
        )
        return _national_record(review, actor, themes)


def national_review_remove(*, review: NationalReview, actor) -> NationalReview:
    """Take a national review off the public Reviews page (archived, not deleted). Its library
    record is taken out in the same transaction, by the receiver of
    ``publication.signals.national_review_removed`` (``signals.py``)."""
    return publication_services.national_review_remove(review=review, actor=actor)


# Imports ---------------------------------------------------------------------------------------


def library_import(
    *, partnership: Partnership, actor, source, name: str | None = None
) -> ImportResult:
    """Import a CSV or JSON file of records (docs/library-schema.md). Every row is checked
    first; any error and nothing is imported (``ImportRefused`` lists every error). A row whose
    external_id is already in the library updates that record (and brings it back if it had
    been taken out)."""
    parsed = parse_library_file(source, partnership=partnership, name=name)
    if parsed.errors:
        raise ImportRefused(parsed.errors)
    created = updated = 0
    saved = []
    with transaction.atomic():
        for row in parsed.rows:
            record = row.existing
            if record is None:
                record = LibraryRecord(
                    partnership=partnership,
                    source=LibraryRecord.Source.IMPORTED,
                    external_id=row.external_id,
                    created_by=actor,
                )
                created += 1
            else:
                record.archived_at = None
                updated += 1
            apply_changes(record, row.values)
            record.modified_by = actor
            _save(record, row.themes, index=False)
            saved.append(record)
        indexing.records_indexed(saved)  # vectors in background tasks, in batches
        audit_record(
            action="library.imported",
            actor=actor,
            actor_label="" if actor else "import_library command",
            target=None,
            partnership=partnership,
            payload={
                "format": parsed.format,
                "file": _file_name(source, name),
                "created": created,
                "updated": updated,
            },
        )
    return ImportResult(created=created, updated=updated)


def _file_name(source, name: str | None) -> str:
    if name:
        return name[-200:]
    if isinstance(source, (str, Path)):
        return Path(source).name[-200:]
    return (getattr(source, "name", "") or "")[-200:]


# Search terms ----------------------------------------------------------------------------------


def search_term_add(*, partnership: Partnership, actor, term: str, expansion: str) -> SearchTerm:
    """A word or phrase practitioners search for, and the words it also means."""
    term = " ".join((term or "").lower().split())
    expansion = " ".join((expansion or "").split())
    if not term:
        raise ServiceError("Enter the word or abbreviation", field="term")
    if len(term) > 100:
        raise ServiceError("The word or abbreviation must be 100 characters or fewer", field="term")
    if not expansion:
        raise ServiceError("Enter the words it also means", field="expansion")
    if len(expansion) > 500:
        raise ServiceError(
            "The words it also means must be 500 characters or fewer", field="expansion"
        )
    if SearchTerm.objects.filter(partnership=partnership, term=term).exists():
        raise ServiceError(f"‘{term}’ is already in your search terms", field="term")
    with transaction.atomic():
        search_term = SearchTerm.objects.create(
            partnership=partnership, term=term, expansion=expansion
        )
        audit_record(
            action="library.search_term_added",
            actor=actor,
            target=search_term,
            partnership=partnership,
            payload={"term": term, "expansion": expansion[:300]},
        )
    return search_term


def search_term_remove(*, search_term: SearchTerm, actor) -> None:
    if search_term.partnership_id is None:
        raise ServiceError("The shared search terms cannot be removed")
    with transaction.atomic():
        audit_record(
            action="library.search_term_removed",
            actor=actor,
            target=search_term,
            partnership=search_term.partnership,
            payload={"term": search_term.term},
        )
        search_term.delete()


# National library submissions ------------------------------------------------------------------


def submission_library(record: LibraryRecord) -> national_libraries.NationalLibrary:
    """The national library that holds the record's type; ServiceError when the record cannot
    be sent to one."""
    if (
        record.source != LibraryRecord.Source.OWN
        or record.publication is None
        or record.publication.status != Publication.Status.PUBLISHED
    ):
        raise ServiceError(
            "Only a review the partnership has published can be sent to a national library"
        )
    library = national_libraries.library_for(record.review_type)
    if library is None:
        raise ServiceError("No national library collects this type of review")
    return library


def submission_prepare(*, record: LibraryRecord, actor, page_url: str) -> NationalLibrarySubmission:
    """Prepare (or prepare again, until it is sent) the submission of a published review to the
    national library that holds its type: the metadata it asks for, frozen, and its files."""
    library = submission_library(record)
    publication = cast(Publication, record.publication)  # submission_library checked it is there
    revision = selectors.latest_revision(publication)
    files = selectors.record_files(record=record)
    values = national_libraries.metadata_values(
        record,
        themes=list(record.themes.order_by("facet", "name")),
        reviewer_names=revision.reviewer_names if revision else "",
        methodology=publication.review.methodology,
        files=files,
        page_url=page_url,
    )
    metadata = national_libraries.metadata_for(library, values)
    with transaction.atomic():
        submission = (
            NationalLibrarySubmission.objects.select_for_update().filter(record=record).first()
        )
        if submission is not None and submission.sent_on is not None:
            raise ServiceError(
                f"This review was sent to the {library.name} on {submission.sent_on:%-d %B %Y}"
            )
        if submission is None:
            submission = NationalLibrarySubmission(record=record)
        submission.library = library.code
        submission.metadata = metadata
        submission.save()
        audit_record(
            action="library.submission_prepared",
            actor=actor,
            target=record,
            payload={"library": library.code, "files": len(files)},
        )
    return submission


def submission_record_sent(
    *, submission: NationalLibrarySubmission, actor, sent_on: datetime.date, note: str = ""
) -> NationalLibrarySubmission:
    note = (note or "").strip()
    if sent_on is None:
        raise ServiceError("Enter the date it was sent", field="sent_on")
    if sent_on > timezone.localdate():
        raise ServiceError("The date it was sent must be today or in the past", field="sent_on")
    if sent_on < timezone.localdate(submission.prepared_at):
        raise ServiceError(
            "The date it was sent must be on or after the day it was prepared "
            f"({timezone.localdate(submission.prepared_at):%-d %B %Y})",
            field="sent_on",
        )
    if len(note) > 500:
        raise ServiceError("The note must be 500 characters or fewer", field="note")
    with transaction.atomic():
        submission = NationalLibrarySubmission.objects.select_for_update().get(pk=submission.pk)
        if submission.sent_on is not None:
            raise ServiceError(
                f"This submission was already recorded as sent on {submission.sent_on:%-d %B %Y}"
            )
        submission.sent_on = sent_on
        submission.sent_by = actor
        submission.sent_note = note
        submission.save(update_fields=["sent_on", "sent_by", "sent_note"])
        audit_record(
            action="library.submission_sent",
            actor=actor,
            target=submission.record,
            payload={"library": submission.library, "sent_on": sent_on.isoformat()},
        )
    return submission
