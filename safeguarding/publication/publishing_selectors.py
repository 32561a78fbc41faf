"""Reads for publishing signed-off reviews, scoped to one partnership; one publication is read
through ``publication_get_for_user`` (ADR 0010)."""

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import RecordQuery

from . import permissions
from .models import CheckFinding, Publication, PublicationFile


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


# Every page of a publication reads it first: the SQL is built once (issue 16).
_PUBLICATION = RecordQuery(
    lambda: Publication.objects.select_related("review", "review__case", "partnership")
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
