"""Reads of partnerships and memberships, scoped to what the user may see."""

from django.db import router
from django.db.models import QuerySet
from django.http import Http404

from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, PK_PLACEHOLDER, CompiledQuery

from .models import Agency, AgencyContact, Membership, Partnership, User
from .permissions import is_member


def partnership_list_public() -> QuerySet[Partnership]:
    return Partnership.objects.order_by("name")


_PUBLIC_LIST = CompiledQuery(
    lambda: partnership_list_public().values_list("slug", "name", "kind", "area_name"), {}
)


def partnership_list_public_rows() -> list[tuple[str, str, str, str]]:
    """(slug, name, kind's label, area) of every partnership, by name: the home page's list
    (SQL built once)."""
    labels = dict(Partnership.Kind.choices)
    return [
        (slug, name, labels.get(kind, kind), area)
        for slug, name, kind, area in _PUBLIC_LIST.rows(router.db_for_read(Partnership))
    ]


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
    alias = router.db_for_read(User)
    if agency is None:
        return _WITH_ROLE.objects(alias, partnership_id=partnership.pk, role=role)
    return _WITH_ROLE_AT.objects(
        alias, partnership_id=partnership.pk, role=role, agency_id=agency.pk
    )


def _with_role(partnership_id: int, role: str, agency_id: int | None = None) -> QuerySet[User]:
    memberships = Membership.objects.filter(partnership_id=partnership_id, role=role)
    if agency_id is not None:
        memberships = memberships.filter(agency_id=agency_id)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
        "email"
    )


# Who is told about a hand-off, read by many pages and services: the SQL built once (ADR 0038;
# issue 16), without and with an agency. Placeholders no row has stand for the values.
_ROLE_PLACEHOLDERS = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
    "role": ("\x00role\x00", Membership._meta.get_field("role")),
}
_WITH_ROLE = CompiledQuery(_with_role, _ROLE_PLACEHOLDERS)
_WITH_ROLE_AT = CompiledQuery(
    _with_role, {**_ROLE_PLACEHOLDERS, "agency_id": (PK_PLACEHOLDER, Agency._meta.pk)}
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
    for (agency_id,) in _CONTACT_AGENCIES.rows(
        router.db_for_read(AgencyContact), partnership_id=partnership.pk
    ):
        counts[agency_id] = counts.get(agency_id, 0) + 1
    return counts


_CONTACT_AGENCIES = CompiledQuery(
    lambda partnership_id: AgencyContact.objects.filter(
        partnership_id=partnership_id, archived_at__isnull=True
    ).values_list("agency_id"),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)
