"""Writes of a partnership's Working Together 2023 roles (docs/rules.md §partnership-roles):
Lead Safeguarding Partners, Delegated Safeguarding Partners and the partnership chair.

Each service checks who may do it, locks the partnership row (two people changing its roles
queue), changes the rows in one transaction and writes the audit event in it. Nothing is
deleted: a role is ended with a date and a reason; the next person is recorded as a new role,
so every signature keeps the role it was given in.
"""

import datetime

from django.db import transaction

from safeguarding.accounts.models import Partnership, PartnershipRole, User
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError

from . import selectors
from .permissions import can_manage_partnership_roles

NOT_ALLOWED = "Only the business unit records the partnership's roles"
Kind = PartnershipRole.Kind


def _lock(partnership: Partnership) -> Partnership:
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def _described(role: PartnershipRole) -> dict:
    return {
        "kind": role.kind,
        "statutory_partner": role.statutory_partner,
        "person_name": role.person_name,
        "job_title": role.job_title,
        "organisation": role.organisation,
        "user": role.user_id,
        "delegated_by": role.delegated_by_id,
        "starts_on": role.starts_on.isoformat(),
        "ends_on": role.ends_on.isoformat() if role.ends_on else None,
    }


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message, field=field)
    return value


def _check_user(partnership: Partnership, user: User | None) -> None:
    if user is not None and not (
        selectors.members_with_case_roles(partnership=partnership).filter(pk=user.pk).exists()
    ):
        raise ServiceError(
            "Choose a member of the partnership who may see its cases, or no account",
            field="user",
        )


def _check_no_overlap(
    *,
    partnership: Partnership,
    kind: str,
    statutory_partner: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    exclude_pk: int | None = None,
) -> None:
    if kind == Kind.DELEGATE:
        return
    clash = selectors.overlapping(
        partnership=partnership,
        kind=kind,
        statutory_partner=statutory_partner,
        starts_on=starts_on,
        ends_on=ends_on,
        exclude_pk=exclude_pk,
    )
    if clash is not None:
        raise ServiceError(
            f"{clash.person_name} is {clash.title} from {clash.starts_on:%-d %B %Y}"
            f"{'' if clash.ends_on is None else f' to {clash.ends_on:%-d %B %Y}'}: "
            "end their role before this one starts",
            field="starts_on",
        )


def partnership_role_record(
    *,
    partnership: Partnership,
    actor,
    kind: str,
    person_name: str,
    job_title: str,
    starts_on: datetime.date,
    statutory_partner: str = "",
    organisation: str = "",
    user: User | None = None,
    delegated_by: PartnershipRole | None = None,
) -> PartnershipRole:
    """Record who holds a role from a date. One lead per statutory partner and one chair at a
    time; a delegate is delegated by a lead of the same statutory partner whose role has not
    ended."""
    if not can_manage_partnership_roles(actor, partnership):
        raise ServiceError(NOT_ALLOWED)
    if kind not in Kind.values:
        raise ServiceError("Choose the role", field="kind")
    person_name = _required(person_name, "person_name", "Enter the person's name")
    job_title = _required(job_title, "job_title", "Enter their job title")
    if starts_on is None:
        raise ServiceError("Enter the date the role starts", field="starts_on")
    if kind == Kind.CHAIR:
        statutory_partner, delegated_by = "", None
    elif not statutory_partner:
        raise ServiceError("Choose the statutory partner they stand for", field="statutory_partner")
    if kind != Kind.DELEGATE:
        delegated_by = None
    with transaction.atomic():
        _lock(partnership)
        _check_user(partnership, user)
        if kind == Kind.DELEGATE:
            if delegated_by is None:
                raise ServiceError("Choose the lead who delegated to them", field="delegated_by")
            lead = (
                selectors.leads_for_delegation(partnership=partnership)
                .filter(pk=delegated_by.pk)
                .first()
            )
            if lead is None:
                raise ServiceError(
                    "Choose a lead of this partnership whose role has not ended",
                    field="delegated_by",
                )
            if lead.statutory_partner != statutory_partner:
                raise ServiceError(
                    f"{lead.person_name} leads for the "
                    f"{lead.get_statutory_partner_display().lower()}: a delegate stands for "
                    "the same statutory partner as the lead who delegated to them",
                    field="delegated_by",
                )
            if starts_on < lead.starts_on:
                raise ServiceError(
                    f"The delegation cannot start before {lead.person_name}'s role as lead "
                    f"({lead.starts_on:%-d %B %Y})",
                    field="starts_on",
                )
        _check_no_overlap(
            partnership=partnership,
            kind=kind,
            statutory_partner=statutory_partner,
            starts_on=starts_on,
            ends_on=None,
        )
        role = PartnershipRole.objects.create(
            partnership=partnership,
            kind=kind,
            statutory_partner=statutory_partner,
            person_name=person_name,
            job_title=job_title,
            organisation=(organisation or "").strip(),
            user=user,
            delegated_by=delegated_by,
            starts_on=starts_on,
            recorded_by=actor,
        )
        audit_record(
            action="partnership_role.recorded",
            actor=actor,
            target=role,
            partnership=partnership,
            payload=_described(role),
        )
    return role


def partnership_role_change(
    *,
    partnership: Partnership,
    actor,
    role: PartnershipRole,
    job_title: str,
    organisation: str,
    user: User | None,
    starts_on: datetime.date,
) -> list[str]:
    """Correct a role's details (job title, organisation, linked account, start date). The
    person, the role and whom they stand for are not changed: that is a new role (end this
    one, record the next), so signatures keep what they were given in. Returns the changed
    fields' names (none: nothing written)."""
    if not can_manage_partnership_roles(actor, partnership):
        raise ServiceError(NOT_ALLOWED)
    job_title = _required(job_title, "job_title", "Enter their job title")
    if starts_on is None:
        raise ServiceError("Enter the date the role starts", field="starts_on")
    with transaction.atomic():
        _lock(partnership)
        locked = PartnershipRole.objects.select_for_update().get(
            pk=role.pk, partnership=partnership
        )
        if locked.ends_on is not None and starts_on > locked.ends_on:
            raise ServiceError(
                f"The start cannot be after the role ended ({locked.ends_on:%-d %B %Y})",
                field="starts_on",
            )
        if locked.delegated_by is not None and starts_on < locked.delegated_by.starts_on:
            raise ServiceError(
                "The delegation cannot start before the lead's role "
                f"({locked.delegated_by.starts_on:%-d %B %Y})",
                field="starts_on",
            )
        _check_user(partnership, user)
        _check_no_overlap(
            partnership=partnership,
            kind=locked.kind,
            statutory_partner=locked.statutory_partner,
            starts_on=starts_on,
            ends_on=locked.ends_on,
            exclude_pk=locked.pk,
        )
        new = {
            "job_title": job_title,
            "organisation": (organisation or "").strip(),
            "user": user,
            "starts_on": starts_on,
        }
        before = _described(locked)
        changed = [name for name, value in new.items() if getattr(locked, name) != value]
        if not changed:
            return []
        for name in changed:
            setattr(locked, name, new[name])
        locked.save(update_fields=changed)
        after = _described(locked)
        audit_record(
            action="partnership_role.changed",
            actor=actor,
            target=locked,
            partnership=partnership,
            payload={
                "changed": changed,
                "before": {k: before[k] for k in changed},
                "after": {k: after[k] for k in changed},
            },
        )
        role.refresh_from_db()
    return changed


def partnership_role_end(
    *,
    partnership: Partnership,
    actor,
    role: PartnershipRole,
    ends_on: datetime.date,
    reason: str,
) -> list[PartnershipRole]:
    """End a role on a date (its last day), with a reason; never deleted. Ending a lead ends
    the delegations it made that are still open on the same day (a new lead delegates
    afresh). Returns the delegations ended with it."""
    if not can_manage_partnership_roles(actor, partnership):
        raise ServiceError(NOT_ALLOWED)
    reason = _required(reason, "reason", "Enter why the role ends")
    if ends_on is None:
        raise ServiceError("Enter the last day of the role", field="ends_on")
    with transaction.atomic():
        _lock(partnership)
        locked = PartnershipRole.objects.select_for_update().get(
            pk=role.pk, partnership=partnership
        )
        if locked.ends_on is not None:
            raise ServiceError(f"This role already ended on {locked.ends_on:%-d %B %Y}")
        if ends_on < locked.starts_on:
            raise ServiceError(
                f"The role cannot end before it started ({locked.starts_on:%-d %B %Y})",
                field="ends_on",
            )
        locked.ends_on, locked.end_reason = ends_on, reason
        locked.save(update_fields=["ends_on", "end_reason"])
        audit_record(
            action="partnership_role.ended",
            actor=actor,
            target=locked,
            partnership=partnership,
            payload={**_described(locked), "reason": reason},
        )
        ended_with = []
        if locked.kind == Kind.LEAD:
            for delegate in locked.delegates.select_for_update().filter(ends_on__isnull=True):
                delegate.ends_on = max(ends_on, delegate.starts_on)
                delegate.end_reason = f"The delegating lead's role ended: {reason}"[:500]
                delegate.save(update_fields=["ends_on", "end_reason"])
                audit_record(
                    action="partnership_role.ended",
                    actor=actor,
                    target=delegate,
                    partnership=partnership,
                    payload={**_described(delegate), "reason": delegate.end_reason},
                )
                ended_with.append(delegate)
        role.refresh_from_db()
    return ended_with
