from django.db.models import QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery

from .models import NationalReview

# The public Reviews page lists this many of the newest (issue 16: its SQL built once).
NATIONAL_REVIEWS_SHOWN = 20


def national_review_list_live(*, partnership: Partnership) -> QuerySet[NationalReview]:
    return NationalReview.objects.filter(partnership=partnership, archived_at__isnull=True)


_NEWEST_LIVE = CompiledQuery(
    lambda partnership_id: national_review_list_live(partnership=Partnership(pk=partnership_id))[
        :NATIONAL_REVIEWS_SHOWN
    ],
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)


def national_review_list_shown(*, partnership: Partnership) -> list[NationalReview]:
    """The live national reviews the public Reviews page shows, newest first."""
    return _NEWEST_LIVE.read(partnership_id=partnership.pk)


def national_review_get_live(*, partnership: Partnership, pk: int) -> NationalReview:
    try:
        return national_review_list_live(partnership=partnership).get(pk=pk)
    except NationalReview.DoesNotExist:
        raise Http404("No such national review") from None
