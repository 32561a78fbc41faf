"""The one scoped read of a review, used by every sub-package's pages (ADR 0010).

A review outside the partnership, or one the user may not read (``can_view_review``: the
business unit and partner leads read every review, reviewers and panel members the ones they
are appointed to, agency contributors and administrators none), answers 404 whether or not it
exists. What a reader may then do is a permission: 403.
"""

from django.db.models import Q
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.referrals.share_selectors import review_visible_q

from .models import Review
from .permissions import can_view_review


def review_get_for_user(*, user, partnership: Partnership, pk: int, shared: bool = False) -> Review:
    """``shared``: the page may also be read under a partnership the review's case is shared
    with by an accepted share granting the review (ADR 0022), by its business unit and partner
    leads. Only the pages that show a shared review pass it (the task list's pages and the
    chronology); every other page of a review stays the owner's."""
    scope = review_visible_q(partnership) if shared else Q(partnership=partnership)
    try:
        review = Review.objects.select_related("case", "partnership").get(scope, pk=pk)
    except Review.DoesNotExist:
        raise Http404("No such review") from None
    if not can_view_review(user, review, partnership):
        raise Http404("No such review")
    return review
