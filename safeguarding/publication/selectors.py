from django.db.models import QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership

from .models import NationalReview


def national_review_list_live(*, partnership: Partnership) -> QuerySet[NationalReview]:
    return NationalReview.objects.filter(partnership=partnership, archived_at__isnull=True)


def national_review_get_live(*, partnership: Partnership, pk: int) -> NationalReview:
    try:
        return national_review_list_live(partnership=partnership).get(pk=pk)
    except NationalReview.DoesNotExist:
        raise Http404("No such national review") from None
