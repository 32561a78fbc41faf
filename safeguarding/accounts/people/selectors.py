"""Reads for the people pages, scoped to one partnership."""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import router
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from safeguarding.accounts.models import (
    Deactivation,
    Invitation,
    Membership,
    Partnership,
    Role,
    User,
)
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledByIds,
    CompiledQuery,
)
from safeguarding.core.pagination import CompiledList

PER_PAGE = 25


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class PersonRow:
    user: User
    memberships: list[Membership] = field(default_factory=list)
    deactivation: Deactivation | None = None

    @property
    def is_deactivated(self) -> bool:
        return self.deactivation is not None and not self.memberships

    @property
    def role_labels(self) -> list[str]:
        labels = []
        for membership in self.memberships:
            label = membership.get_role_display()
            if membership.agency is not None:
                label = f"{label} ({membership.agency.name})"
            labels.append(label)
        return labels


def _members(partnership: Partnership) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(partnership=partnership).values("user_id")


def _deactivated(partnership: Partnership) -> QuerySet[Deactivation, Any]:
    return Deactivation.objects.filter(partnership=partnership, reactivated_at__isnull=True).values(
        "user_id"
    )


def _people(partnership: Partnership) -> QuerySet[User]:
    """Everyone with a role in the partnership, and everyone deactivated there: two ``IN``
    subqueries (issue 16; an ``OR`` over the two joins with ``DISTINCT`` made each person a row
    per role and deactivation, then sorted them all: 5 ms for the first page at ten years)."""
    return User.objects.filter(
        Q(pk__in=_members(partnership)) | Q(pk__in=_deactivated(partnership))
    )


# A page's roles and open deactivations, read by the page's people (each id a parameter) with
# the SQL built once per number of people (issue 16; ADR 0048), as the ORM read them.
_PARTNERSHIP_ID = {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)}
_PAGE_MEMBERSHIPS = CompiledByIds(
    lambda ids, partnership_id: (
        Membership.objects.filter(partnership_id=partnership_id, user__in=ids)
        .select_related("agency")
        .order_by("role")
    ),
    User._meta.pk,
    _PARTNERSHIP_ID,
)
_PAGE_DEACTIVATIONS = CompiledByIds(
    lambda ids, partnership_id: Deactivation.objects.filter(
        partnership_id=partnership_id, user__in=ids, reactivated_at__isnull=True
    ),
    User._meta.pk,
    _PARTNERSHIP_ID,
)
# The unfiltered list, a page at a time with its count in one query, the SQL built once.
_EVERY_PERSON_PAGES = CompiledList(
    lambda partnership_id: _people(Partnership(pk=partnership_id)).order_by("full_name", "email"),
    _PARTNERSHIP_ID,
    per_page=PER_PAGE,
)


def _rows(partnership: Partnership, users) -> list[PersonRow]:
    users = list(users)
    ids = [user.pk for user in users]
    memberships: dict[int, list[Membership]] = {}
    for membership in _PAGE_MEMBERSHIPS.read(ids, partnership_id=partnership.pk):
        memberships.setdefault(membership.user_id, []).append(membership)
    open_deactivations = {
        d.user_id: d for d in _PAGE_DEACTIVATIONS.read(ids, partnership_id=partnership.pk)
    }
    order = {role: index for index, role in enumerate(Role.values)}
    return [
        PersonRow(
            user=user,
            memberships=sorted(memberships.get(user.pk, []), key=lambda m: order[m.role]),
            deactivation=open_deactivations.get(user.pk),
        )
        for user in users
    ]


def people_page(
    *, request: HttpRequest, partnership: Partnership, query: str = "", role: str = ""
) -> tuple[Page, list[PersonRow]]:
    """The page ``?page=`` asks for of the partnership's people, by name: their roles here and
    whether they are deactivated. ``query`` matches part of a name or email address; ``role``
    one role (or "deactivated"). Unfiltered, the page and its count are one query built once
    (``CompiledList``)."""
    query = query.strip()
    if not query and not role:
        paginated, _ = _EVERY_PERSON_PAGES.page(request, partnership_id=partnership.pk)
        return paginated, _rows(partnership, paginated.object_list)
    people = _people(partnership)
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if role == "deactivated":
        people = people.filter(pk__in=_deactivated(partnership)).exclude(
            pk__in=_members(partnership)
        )
    elif role in Role.values:
        people = people.filter(
            pk__in=Membership.objects.filter(partnership=partnership, role=role).values("user_id")
        )
    people = people.order_by("full_name", "email")
    paginated = Paginator(people, PER_PAGE).get_page(request.GET.get("page", 1))
    return paginated, _rows(partnership, paginated.object_list)


# A person's pages read the person, their roles and any open deactivation here: the SQL of
# the three built once (ADR 0038; issue 16), as ``_people`` and ``_rows`` build it.
_PLACEHOLDERS = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
    "pk": (PK_PLACEHOLDER, User._meta.pk),
}
_PERSON = CompiledQuery(
    lambda partnership_id, pk: _people(Partnership(pk=partnership_id)).filter(pk=pk).order_by(),
    _PLACEHOLDERS,
)
_PERSON_MEMBERSHIPS = CompiledQuery(
    lambda partnership_id, pk: (
        Membership.objects.filter(partnership_id=partnership_id, user_id=pk)
        .select_related("agency")
        .order_by("role")
    ),
    _PLACEHOLDERS,
)
_PERSON_DEACTIVATIONS = CompiledQuery(
    lambda partnership_id, pk: Deactivation.objects.filter(
        partnership_id=partnership_id, user_id=pk, reactivated_at__isnull=True
    ),
    _PLACEHOLDERS,
)


def person_get(*, partnership: Partnership, pk: int) -> PersonRow:
    """A person of the partnership (current or deactivated); 404 for anyone else, so the
    existence of other partnerships' people is not revealed."""
    alias = router.db_for_read(User)
    found = _PERSON.objects(alias, partnership_id=partnership.pk, pk=pk)
    if not found:
        raise Http404("No such person in this partnership")
    user = found[0]
    order = {role: index for index, role in enumerate(Role.values)}
    memberships = _PERSON_MEMBERSHIPS.objects(alias, partnership_id=partnership.pk, pk=user.pk)
    deactivations = _PERSON_DEACTIVATIONS.objects(alias, partnership_id=partnership.pk, pk=user.pk)
    return PersonRow(
        user=user,
        memberships=sorted(memberships, key=lambda m: order[m.role]),
        # As ``_rows``: the last open one read, if several.
        deactivation=deactivations[-1] if deactivations else None,
    )


def person_has_other_partnerships(*, user: User, partnership: Partnership) -> bool:
    return Membership.objects.filter(user=user).exclude(partnership=partnership).exists()


def business_unit_count(*, partnership: Partnership) -> int:
    return Membership.objects.filter(partnership=partnership, role=Role.BUSINESS_UNIT).count()


def invitation_list_open(*, partnership: Partnership) -> QuerySet[Invitation]:
    """Invitations not yet accepted or cancelled (pending or expired), newest first."""
    return (
        Invitation.objects.filter(
            partnership=partnership, accepted_at__isnull=True, cancelled_at__isnull=True
        )
        .select_related("agency", "invited_by")
        .order_by("-sent_at", "-id")
    )


def invitation_get_open(*, partnership: Partnership, pk: int) -> Invitation:
    invitation = invitation_list_open(partnership=partnership).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation whose emailed link carries ``token``, whatever its state."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("partnership", "agency", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def user_for_email(*, email: str) -> User | None:
    return User.objects.filter(email=email).first()


def deactivation_open(*, partnership: Partnership, user: User) -> Deactivation | None:
    return Deactivation.objects.filter(
        partnership=partnership, user=user, reactivated_at__isnull=True
    ).first()
