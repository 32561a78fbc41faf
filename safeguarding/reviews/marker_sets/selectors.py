"""Reads for a partnership's own marker sets, scoped to the partnership: a set or marker of
another partnership answers 404, as one that does not exist (ADR 0010)."""

from django.db.models import Count, Q
from django.http import Http404

from safeguarding.core.compiled_sql import RecordQuery

from ..models import LocalMarker, LocalMarkerSet


def marker_set_list(*, partnership):
    return LocalMarkerSet.objects.filter(partnership=partnership).annotate(
        current_markers=Count(
            "markers", filter=Q(markers__archived_at__isnull=True), distinct=True
        ),
        assessment_count=Count("assessments", distinct=True),
    )


# The SQL is built once (issue 16).
_MARKER_SET = RecordQuery(lambda: LocalMarkerSet.objects.select_related("partnership"))


def marker_set_get(*, partnership, pk: int) -> LocalMarkerSet:
    marker_set = _MARKER_SET.get(partnership=partnership, pk=pk)
    if marker_set is None:
        raise Http404("No such marker set")
    return marker_set


def marker_get(*, marker_set: LocalMarkerSet, pk: int) -> LocalMarker:
    try:
        return marker_set.markers.select_related("marker_set__partnership").get(pk=pk)
    except LocalMarker.DoesNotExist:
        raise Http404("No such marker") from None
