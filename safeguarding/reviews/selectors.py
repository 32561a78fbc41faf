"""The one scoped read of a review, used by every sub-package's pages (ADR 0010).

A review outside the partnership, or one the user may not read (``can_view_review``: the
business unit and partner leads read every review, reviewers and panel members the ones they
are appointed to, agency contributors and administrators none), answers 404 whether or not it
exists. What a reader may then do is a permission: 403.
"""

from django.http import Http404

from safeguarding.accounts.models import Partnership

from .models import Review
from .permissions import can_view_review


def review_get_for_user(*, user, partnership: Partnership, pk: int) -> Review:
    try:
        review = Review.objects.select_related("case", "partnership").get(
            partnership=partnership, pk=pk
        )
    except Review.DoesNotExist:
        raise Http404("No such review") from None
    if not can_view_review(user, review):
        raise Http404("No such review")
    return review
