"""Reads of a partnership's Working Together 2023 roles (docs/rules.md §partnership-roles):
who holds each, for whom, from and to when, and the role a signature is given in."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from safeguarding.accounts.models import (
    CASE_DATA_ROLES,
    Partnership,
    PartnershipRole,
    User,
)
from safeguarding.core.compiled_sql import RecordQuery


def role_list(*, partnership: Partnership) -> QuerySet[PartnershipRole]:
    return PartnershipRole.objects.filter(partnership=partnership).select_related(
        "user", "delegated_by"
    )


@dataclass(frozen=True)
class RoleGroups:
    current: list[PartnershipRole]
    ended: list[PartnershipRole]


def role_groups(*, partnership: Partnership, on: datetime.date) -> RoleGroups:
    """Roles held on ``on`` (or starting later), and those that have ended, leads first."""
    roles = list(role_list(partnership=partnership))
    current = [r for r in roles if r.ends_on is None or r.ends_on >= on]
    ended = [r for r in roles if r.ends_on is not None and r.ends_on < on]
    ended.sort(key=lambda r: (r.ends_on or on, r.pk), reverse=True)
    return RoleGroups(current=current, ended=ended)


# A role's pages read it first: the SQL built once (ADR 0038; issue 16).
_ROLE = RecordQuery(lambda: PartnershipRole.objects.select_related("user", "delegated_by"))


def role_get(*, partnership: Partnership, pk: int) -> PartnershipRole:
    role = _ROLE.get(partnership=partnership, pk=pk)
    if role is None:
        raise Http404("No such role in this partnership")
    return role


def leads_for_delegation(*, partnership: Partnership) -> QuerySet[PartnershipRole]:
    """Leads not yet ended: who a delegate can be delegated by."""
    return role_list(partnership=partnership).filter(
        kind=PartnershipRole.Kind.LEAD, ends_on__isnull=True
    )


def members_with_case_roles(*, partnership: Partnership) -> QuerySet[User]:
    """Active members who may see cases: whose account a role can be linked to (to sign)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__partnership=partnership,
            memberships__role__in=CASE_DATA_ROLES,
        )
        .distinct()
        .order_by("full_name")
    )


def overlapping(
    *,
    partnership: Partnership,
    kind: str,
    statutory_partner: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    exclude_pk: int | None = None,
) -> PartnershipRole | None:
    """Another role of the same kind (and partner) held during any of these days: there is one
    lead per statutory partner and one chair at a time (delegates may be several)."""
    clash = PartnershipRole.objects.filter(
        partnership=partnership, kind=kind, statutory_partner=statutory_partner
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        clash = clash.filter(starts_on__lte=ends_on)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    return clash.first()


# The role a signature is given in ------------------------------------------------------------

SIGNING_ORDER: dict[str, int] = {
    PartnershipRole.Kind.LEAD: 0,
    PartnershipRole.Kind.DELEGATE: 1,
    PartnershipRole.Kind.CHAIR: 2,
}


def role_for_signature(
    *, user, partnership: Partnership, on: datetime.date
) -> PartnershipRole | None:
    """The role ``user`` holds in ``partnership`` on ``on`` and signs in: a lead before a
    delegate before the chair (someone holding two signs in the senior one); none when they
    hold no recorded role (the signature then carries the decision maker's capacity only)."""
    held = list(
        PartnershipRole.objects.filter(partnership=partnership, user=user, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("delegated_by")
    )
    if not held:
        return None
    held.sort(key=lambda r: (SIGNING_ORDER[r.kind], r.statutory_partner, r.pk))
    return held[0]


def signing_statement(role: PartnershipRole) -> str:
    """The capacity in words, kept on the signature as it was when it was given."""
    if role.kind == PartnershipRole.Kind.DELEGATE and role.delegated_by is not None:
        lead = role.delegated_by
        return f"{role.title}, delegated by {lead.person_name} ({lead.job_title})"
    return role.title


def signature_capacity(*, user, partnership: Partnership, on: datetime.date) -> dict:
    """The fields a signature records about its capacity (``referrals.Signature``,
    ``reviews.ReviewSignature``): the role, lead or delegate or chair, and the statement."""
    role = role_for_signature(user=user, partnership=partnership, on=on)
    if role is None:
        return {"partnership_role": None, "role_kind": "", "signed_as": ""}
    return {
        "partnership_role": role,
        "role_kind": role.kind,
        "signed_as": signing_statement(role),
    }


def capacity_payload(fields: dict) -> dict:
    """The capacity for an audit event's payload."""
    role = fields["partnership_role"]
    if role is None:
        return {}
    return {
        "role_kind": fields["role_kind"],
        "signed_as": fields["signed_as"],
        "partnership_role": role.pk,
        "statutory_partner": role.statutory_partner,
        "delegated_by": role.delegated_by_id,
    }
