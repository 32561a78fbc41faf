"""The one scoped read of a review, used by every sub-package's pages (ADR 0010).

A review outside the partnership, or one the user may not read (``can_view_review``: the
business unit and partner leads read every review, reviewers and panel members the ones they
are appointed to, agency contributors and administrators none), answers 404 whether or not it
exists. What a reader may then do is a permission: 403.
"""

from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import RecordQuery
from safeguarding.referrals.share_selectors import review_visible_q

from .models import Review
from .permissions import can_view_review


# About 36 pages read their review first: its SQL (three tables' columns, and the share's
# EXISTS for the pages a partner reads) is built once (issue 16, core.compiled_sql).
def _reviews():
    return Review.objects.select_related("case", "partnership")


_REVIEW = {False: RecordQuery(_reviews), True: RecordQuery(_reviews, review_visible_q)}


def review_in_scope(*, partnership: Partnership, pk: int, shared: bool = False) -> Review | None:
    """The review (its case and partnership read with it) of ``partnership``, or with
    ``shared`` also of a case shared with it for the review; None if there is none. What the
    user may read is the caller's to check (``review_get_for_user``)."""
    return _REVIEW[shared].get(partnership=partnership, pk=pk)


def review_get_for_user(*, user, partnership: Partnership, pk: int, shared: bool = False) -> Review:
    """``shared``: the page may also be read under a partnership the review's case is shared
    with by an accepted share granting the review (ADR 0022), by its business unit and partner
    leads. Only the pages that show a shared review pass it (the task list's pages and the
    chronology); every other page of a review stays the owner's."""
    review = review_in_scope(partnership=partnership, pk=pk, shared=shared)
    if review is None:
        raise Http404("No such review")
    if not can_view_review(user, review, partnership):
        raise Http404("No such review")
    return review
