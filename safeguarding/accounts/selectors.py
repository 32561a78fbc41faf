"""Reads of partnerships and memberships, scoped to what the user may see."""

from django.db import router
from django.db.models import QuerySet
from django.http import Http404

from safeguarding.core.compiled_sql import CompiledQuery

from .models import Agency, AgencyContact, Membership, Partnership, User
from .permissions import is_member


def partnership_list_public() -> QuerySet[Partnership]:
    return Partnership.objects.order_by("name")


# Every partnership page reads its partnership by slug: the query's SQL is built once
# (issue 16). The slug is unique.
_PARTNERSHIP = CompiledQuery(
    lambda slug: Partnership.objects.filter(slug=slug).order_by(),
    {"slug": ("compiled-sql-placeholder", Partnership._meta.get_field("slug"))},
)


def partnership_get_public(*, slug: str) -> Partnership:
    found = _PARTNERSHIP.objects(router.db_for_read(Partnership), slug=slug)
    if not found:
        raise Http404("No such partnership")
    return found[0]


def partnership_get_for_user(*, user, slug: str) -> Partnership:
    """The partnership, if ``user`` holds a role in it; otherwise 404, so that a partnership's
    staff area does not reveal itself to people outside it."""
    partnership = partnership_get_public(slug=slug)
    if not is_member(user, partnership):
        raise Http404("No such partnership")
    return partnership


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("partnership", "agency")
        .order_by("partnership__name", "role")
    )


def membership_list_for_partnership(*, partnership: Partnership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(partnership=partnership)
        .select_related("user", "agency")
        .order_by("user__full_name", "role")
    )


def user_list_with_role(
    *, partnership: Partnership, role: str, agency: Agency | None = None
) -> list[User]:
    """The active users holding ``role`` in ``partnership`` (for an agency contributor, acting
    for ``agency``), each once, by email address: who is told about a hand-off."""
    memberships = Membership.objects.filter(partnership=partnership, role=role)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return list(
        User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("email")
    )


def agency_list_for_partnership(*, partnership: Partnership) -> QuerySet[Agency]:
    """The partnership's agencies: those linked to it, and those whose contributors are members.
    A partnership with neither yet (just set up) gets every agency, so forms still work."""
    from django.db.models import Q

    # Two subqueries, not an OR over two many-valued joins with DISTINCT: that multiplied each
    # agency by its links and its memberships (8-17 ms at ten years against 0.1; issue 16).
    agencies = Agency.objects.filter(
        Q(
            pk__in=partnership.agencies.through.objects.filter(partnership=partnership).values(
                "agency_id"
            )
        )
        | Q(pk__in=Membership.objects.filter(partnership=partnership).values("agency_id"))
    )
    if not agencies.exists():
        agencies = Agency.objects.all()
    return agencies.order_by("name")


def agency_contact_list(*, partnership: Partnership, agency: Agency) -> QuerySet[AgencyContact]:
    """The partnership's current email-only contacts at ``agency`` (ADR 0020), by name."""
    return AgencyContact.objects.filter(
        partnership=partnership, agency=agency, archived_at__isnull=True
    ).order_by("name", "id")


def agency_contact_get(*, partnership: Partnership, agency: Agency, pk: int) -> AgencyContact:
    """One current contact of the partnership at ``agency``; 404 otherwise."""
    try:
        return AgencyContact.objects.select_related("agency").get(
            partnership=partnership, agency=agency, pk=pk, archived_at__isnull=True
        )
    except AgencyContact.DoesNotExist:
        raise Http404("No such contact") from None


def agency_contact_counts(*, partnership: Partnership) -> dict[int, int]:
    """How many current contacts the partnership holds for each agency (by agency id)."""
    counts: dict[int, int] = {}
    for agency_id in AgencyContact.objects.filter(
        partnership=partnership, archived_at__isnull=True
    ).values_list("agency_id", flat=True):
        counts[agency_id] = counts.get(agency_id, 0) + 1
    return counts
