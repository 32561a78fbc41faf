"""Reads for a partnership's own marker sets, scoped to the partnership: a set or marker of
another partnership answers 404, as one that does not exist (ADR 0010)."""

from django.db.models import Count, Q
from django.http import Http404

from ..models import LocalMarker, LocalMarkerSet


def marker_set_list(*, partnership):
    return LocalMarkerSet.objects.filter(partnership=partnership).annotate(
        current_markers=Count(
            "markers", filter=Q(markers__archived_at__isnull=True), distinct=True
        ),
        assessment_count=Count("assessments", distinct=True),
    )


def marker_set_get(*, partnership, pk: int) -> LocalMarkerSet:
    try:
        return LocalMarkerSet.objects.select_related("partnership").get(
            partnership=partnership, pk=pk
        )
    except LocalMarkerSet.DoesNotExist:
        raise Http404("No such marker set") from None


def marker_get(*, marker_set: LocalMarkerSet, pk: int) -> LocalMarker:
    try:
        return marker_set.markers.select_related("marker_set__partnership").get(pk=pk)
    except LocalMarker.DoesNotExist:
        raise Http404("No such marker") from None
