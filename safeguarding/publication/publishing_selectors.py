"""Reads for publishing signed-off reviews, scoped to one partnership; one publication is read
through ``publication_get_for_user`` (ADR 0010)."""

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledQuery,
    RecordQuery,
    set_prefetched,
)
from safeguarding.core.pagination import CompiledList

from . import permissions
from .models import CheckFinding, PrePublicationStep, Publication, PublicationFile, Revision


def publication_list(*, partnership: Partnership) -> QuerySet[Publication]:
    """The partnership's publications for the staff list, by status then newest, with the
    columns the list shows and each one's open findings (a subquery per row of the page).

    Read a page at a time in the order of the ``publication_staff_list`` index, so a page does
    not read every publication of every year: the findings were a join grouped by every column
    of the publication, its review and its case (issue 16)."""
    open_findings = (
        CheckFinding.objects.filter(
            file__publication=OuterRef("pk"),
            resolution=CheckFinding.Resolution.OPEN,
            file__replaced_at__isnull=True,
        )
        .order_by()
        .values("file__publication")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Publication.objects.filter(partnership=partnership)
        .select_related("review")
        .only(
            "id",
            "partnership_id",
            "title",
            "status",
            "publish_on",
            "available_on_request",
            "review__id",
            "review__reference",
        )
        .annotate(open_findings=Coalesce(Subquery(open_findings), 0))
        .order_by("status", "-publish_on", "-id")
    )


# The staff list reads a page at a time, the SQL built once, the count of every publication a
# subquery apart (``COUNT(*) OVER ()`` had the database work out every publication's open
# findings before it could stop at the page: issue 16).
PUBLICATION_PAGES = CompiledList(
    lambda partnership_id: publication_list(partnership=Partnership(pk=partnership_id)),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
    count_apart=True,
)


# Every page of a publication reads it first: the SQL is built once (issue 16).
_PUBLICATION = RecordQuery(
    lambda: Publication.objects.select_related(
        "review", "review__case", "review__case__partnership", "partnership"
    )
)


def publication_get_for_user(*, user, partnership: Partnership, pk: int) -> Publication:
    """A publication being prepared or published, for the business unit and partner leads;
    404 for anyone else, whether or not it exists (ADR 0010)."""
    if not permissions.can_view_publications(user, partnership):
        raise Http404("No such publication")
    publication = _PUBLICATION.get(partnership=partnership, pk=pk)
    if publication is None:
        raise Http404("No such publication")
    return publication


_FILES = CompiledQuery(
    lambda publication_id: PublicationFile.objects.filter(
        publication_id=publication_id
    ).select_related("uploaded_by"),
    {"publication_id": (PK_PLACEHOLDER, Publication._meta.pk)},
)
_FINDINGS = CompiledQuery(
    lambda publication_id: CheckFinding.objects.filter(
        file__publication_id=publication_id
    ).select_related("resolved_by"),
    {"publication_id": (PK_PLACEHOLDER, Publication._meta.pk)},
)


def files_with_findings(*, publication: Publication) -> list[PublicationFile]:
    """``files_for`` from SQL built once (the publication's page, issue 16): the files, then
    every finding of the publication's files given to its file."""
    files = _FILES.read(publication_id=publication.pk)
    by_file: dict[int, list[CheckFinding]] = {}
    if files:
        for finding in _FINDINGS.read(publication_id=publication.pk):
            by_file.setdefault(finding.file_id, []).append(finding)
    for file in files:
        set_prefetched(file, "findings", CheckFinding, by_file.get(file.pk, []))
    return files


_STEPS = CompiledQuery(
    lambda publication_id: PrePublicationStep.objects.filter(
        publication_id=publication_id
    ).select_related("recorded_by"),
    {"publication_id": (PK_PLACEHOLDER, Publication._meta.pk)},
)
_REVISIONS = CompiledQuery(
    lambda publication_id: Revision.objects.filter(publication_id=publication_id),
    {"publication_id": (PK_PLACEHOLDER, Publication._meta.pk)},
)
_REVISION_FILES = CompiledQuery(
    lambda publication_id: (
        Revision.files.through.objects.filter(revision__publication_id=publication_id)
        .select_related("publicationfile")
        .order_by("publicationfile__title", "publicationfile__id")  # PublicationFile's order
    ),
    {"publication_id": (PK_PLACEHOLDER, Publication._meta.pk)},
)


def steps_for(*, publication: Publication) -> list[PrePublicationStep]:
    """The steps recorded before publication (with who recorded them), SQL built once."""
    return _STEPS.read(publication_id=publication.pk)


def revisions_with_files(*, publication: Publication) -> list[Revision]:
    """``publication.revisions.prefetch_related("files")`` from SQL built once (issue 16)."""
    revisions = _REVISIONS.read(publication_id=publication.pk)
    by_revision: dict[int, list[PublicationFile]] = {}
    if revisions:
        for link in _REVISION_FILES.read(publication_id=publication.pk):
            by_revision.setdefault(link.revision_id, []).append(link.publicationfile)
    for revision in revisions:
        set_prefetched(revision, "files", PublicationFile, by_revision.get(revision.pk, []))
    return revisions


def files_for(*, publication: Publication) -> list[PublicationFile]:
    return list(
        publication.files.select_related("uploaded_by").prefetch_related(
            Prefetch("findings", queryset=CheckFinding.objects.select_related("resolved_by"))
        )
    )


def file_get(*, publication: Publication, pk: int) -> PublicationFile:
    try:
        return publication.files.get(pk=pk)
    except PublicationFile.DoesNotExist:
        raise Http404("No such file") from None


def findings_open(*, publication: Publication) -> list[CheckFinding]:
    """The findings not yet resolved in the publication's current files, file by file."""
    return list(
        CheckFinding.objects.select_related("file")
        .filter(file__publication=publication, file__replaced_at__isnull=True, resolution="")
        .order_by("file_id", "page", "id")
    )


def finding_get(*, publication: Publication, pk: int) -> CheckFinding:
    try:
        return CheckFinding.objects.select_related("file").get(file__publication=publication, pk=pk)
    except CheckFinding.DoesNotExist:
        raise Http404("No such finding") from None
