"""Reads of cases shared between partnerships (ADR 0022), and the scope rules every other
selector uses for them.

A case belongs to one partnership (the owner, ``Case.partnership``). An accepted
``CaseShare`` lets a partner partnership reach it, for what the share grants only:

- the case page (``case_visible_q``): pseudonym, screening results, tracks and decisions;
- the decision of one track (``Track.decided_by``): the partner's business unit records it and
  the partner's decision makers sign it (``decided_here_q``);
- reading the review of the case with its chronology (``review_visible_q``, ``grants_review``);
- its publication on the partner's public page (``publication_listed_q``,
  ``grants_publication``).

Nothing else follows a share: referrals, real identities, actions and the publication's staff
pages stay the owner's, so they keep filtering by the owner only. Three things follow the track
a partner decides or the review it takes part in: the milestones of that track belong to the
partner (``milestone_owners``, the clock's per-track owners); agency requests the owner
addresses to the partner's agencies are answered by the partner's contributors
(``reviews.requests``); and the publication waits for the partner's own sign-off
(``publication.partner_sign_off``).
"""

from django.db.models import Case as SqlCase
from django.db.models import Exists, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.urls import reverse

from safeguarding.accounts.models import Partnership
from safeguarding.clock.services import TrackOwner
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, PK_PLACEHOLDER, CompiledQuery
from safeguarding.core.pagination import CompiledList

from . import permissions
from .models import Case, CaseShare, Track


def _accepted(partnership: Partnership, **grants) -> QuerySet[CaseShare]:
    return CaseShare.objects.filter(partner=partnership, state=CaseShare.State.ACCEPTED, **grants)


def case_visible_q(partnership: Partnership, prefix: str = "") -> Q:
    """Cases (reached through ``prefix``, e.g. ``"track__case__"``) owned by ``partnership`` or
    shared with it by an accepted share."""
    shared = _accepted(partnership).filter(case_id=OuterRef(f"{prefix}pk" if prefix else "pk"))
    return Q(**{f"{prefix}partnership": partnership}) | Q(Exists(shared))


def decided_here_q(partnership: Partnership, prefix: str = "") -> Q:
    """Tracks (through ``prefix``, e.g. ``"track__"``) whose decision ``partnership`` takes: its
    own cases' tracks not given to a partner, and the shared tracks given to it."""
    return Q(**{f"{prefix}decided_by": partnership}) | Q(
        **{f"{prefix}decided_by__isnull": True, f"{prefix}case__partnership": partnership}
    )


def review_visible_q(partnership: Partnership, prefix: str = "") -> Q:
    """Reviews (through ``prefix``) of ``partnership``, or of a case shared with it by an
    accepted share that grants taking part in the review."""
    shared = _accepted(partnership, grants_review=True).filter(case_id=OuterRef(f"{prefix}case_id"))
    return Q(**{f"{prefix}partnership": partnership}) | Q(Exists(shared))


def publication_listed_q(partnership: Partnership) -> Q:
    """Publications of ``partnership``, or of the review of a case shared with it by an
    accepted share that grants publication (one publication, on both public pages)."""
    shared = _accepted(partnership, grants_publication=True).filter(
        case_id=OuterRef("review__case_id")
    )
    return Q(partnership=partnership) | Q(Exists(shared))


def _signs_off(shares: QuerySet[CaseShare]) -> QuerySet[CaseShare]:
    """Shares whose partner signs off the publication (R46): it decides a track of the case or
    lists its publication."""
    return shares.filter(Q(grants_publication=True) | ~Q(decides_review_type=""))


def signs_off_publication_q(partnership: Partnership) -> Q:
    """Publications of another partnership's review whose case is shared with ``partnership``
    by an accepted share that makes it sign the publication off (ADR 0022, R46)."""
    shared = _signs_off(_accepted(partnership)).filter(case_id=OuterRef("review__case_id"))
    return Q(Exists(shared)) & ~Q(partnership=partnership)


def signs_off_publications_q(partnership: Partnership) -> Q:
    """The publications ``signs_off_publication_q`` finds, for a list of them: found from the
    cases of the partnership's shares (an ``IN`` the database starts from), not by asking each
    publication of every partnership whether a share names its case (issue 16)."""
    cases = _signs_off(_accepted(partnership)).values("case_id")
    return Q(review__case_id__in=cases) & ~Q(partnership=partnership)


# Asked on the publication's page: SQL built once (issue 16, core.compiled_sql).
_SIGN_OFF_SHARES = CompiledQuery(
    lambda case_id: (
        _signs_off(CaseShare.objects.filter(case_id=case_id, state=CaseShare.State.ACCEPTED))
        .select_related("partner")
        .order_by("partner__name", "partner_id")
    ),
    {"case_id": (PK_PLACEHOLDER, Case._meta.pk)},
)
_REVIEW_PARTNERS = CompiledQuery(
    lambda case_id: (
        _accepted_for_case(Case(pk=case_id))
        .filter(grants_review=True)
        .select_related("partner")
        .order_by("partner__name", "partner_id")
    ),
    {"case_id": (PK_PLACEHOLDER, Case._meta.pk)},
)


def sign_off_partners(*, case: Case) -> list[Partnership]:
    """The partner partnerships that sign off the publication of ``case``'s review, by name."""
    return [share.partner for share in _SIGN_OFF_SHARES.read(case_id=case.pk)]


def review_partners(*, case: Case) -> list[Partnership]:
    """The partner partnerships that take part in the review of ``case`` (an accepted share
    that grants it): the owner may ask their agencies for information (ADR 0022)."""
    shares = _REVIEW_PARTNERS.read(case_id=case.pk)
    return [share.partner for share in shares]


def _accepted_for_case(case: Case) -> QuerySet[CaseShare]:
    return CaseShare.objects.filter(case=case, state=CaseShare.State.ACCEPTED)


def case_share_accepted(*, case: Case, partnership: Partnership) -> CaseShare | None:
    """The accepted share through which ``partnership`` reaches ``case`` (None for the owner,
    and for a partnership the case is not shared with)."""
    if case.partnership_id == partnership.pk:
        return None
    return _accepted(partnership).filter(case=case).first()


def case_share_list_for_case(*, case: Case) -> list[CaseShare]:
    """Every share of the case, live and past, oldest first (the owner's page)."""
    return list(
        CaseShare.objects.filter(case=case)
        .select_related("partner", "invited_by", "answered_by", "ended_by")
        .order_by("invited_at", "id")
    )


def case_share_list_for_partner(*, partnership: Partnership) -> QuerySet[CaseShare]:
    """The shares offered to ``partnership``: waiting for an answer first, then accepted ones,
    newest first (the page reads them a page at a time: they pile up with the years)."""
    return (
        CaseShare.objects.filter(
            partner=partnership,
            state__in=[CaseShare.State.INVITED, CaseShare.State.ACCEPTED],
        )
        .select_related("case", "case__partnership")
        .only(
            "id",
            "state",
            "role",
            "decides_review_type",
            "case__id",
            "case__reference",
            "case__pseudonym",
            "case__partnership__id",
            "case__partnership__name",
        )
        # Waiting first, as the docstring always said: ordering by the state's name put
        # "accepted" before "invited".
        .order_by(
            SqlCase(When(state=CaseShare.State.INVITED, then=0), default=1),
            "-invited_at",
            "-id",
        )
    )


# The shared cases' page reads its list a page at a time: the SQL built once (issue 16).
CASE_SHARE_PAGES = CompiledList(
    lambda partnership_id: case_share_list_for_partner(partnership=Partnership(pk=partnership_id)),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)


def case_share_get_for_user(*, user, partnership: Partnership, pk: int) -> CaseShare:
    """One share offered to ``partnership``, for its business unit and partner leads (those
    who see cases); 404 for anyone else and for a share offered to another partnership."""
    if not permissions.can_view_referrals(user, partnership):
        raise Http404("No such shared case")
    try:
        return CaseShare.objects.select_related("case", "case__partnership", "invited_by").get(
            partner=partnership, pk=pk
        )
    except CaseShare.DoesNotExist:
        raise Http404("No such shared case") from None


def case_share_get(*, case: Case, pk: int) -> CaseShare:
    """One share of ``case`` (already read through its scoped selector)."""
    try:
        return CaseShare.objects.select_related("partner").get(case=case, pk=pk)
    except CaseShare.DoesNotExist:
        raise Http404("No such share") from None


def share_partner_choices(*, case: Case) -> QuerySet[Partnership]:
    """Partnerships the case may be shared with: every other partnership without a live share
    of it. Partnerships' names are public (their public pages)."""
    live = CaseShare.objects.filter(
        case=case, state__in=[CaseShare.State.INVITED, CaseShare.State.ACCEPTED]
    ).values("partner_id")
    return Partnership.objects.exclude(pk=case.partnership_id).exclude(pk__in=live).order_by("name")


def case_shares_waiting(*, partnership: Partnership) -> QuerySet[CaseShare]:
    """The cases other partnerships offered to ``partnership`` that wait for its answer."""
    return CaseShare.objects.filter(partner=partnership, state=CaseShare.State.INVITED)


def milestone_owners(*, case: Case) -> dict[str, TrackOwner]:
    """The clock's per-track owners of ``case`` (ADR 0022): each review type a partner decides,
    with the partner and the case's page under the partner's address. A review type missing
    here keeps its milestones with the owner."""
    return {
        track.review_type: TrackOwner(
            partnership=track.decided_by,
            url=reverse("referrals:case", args=[track.decided_by.slug, case.pk]),
        )
        for track in Track.objects.filter(case=case, decided_by__isnull=False).select_related(
            "decided_by"
        )
        if track.decided_by is not None
    }
