"""Writes for the people pages: invitations, roles, deactivation (ADR 0011).

Each service checks who may do it (``permissions.py``), changes the rows in one transaction and
writes one audit event in that transaction saying who did what, from what to what. The rows it
saves are marked ``audited_by_service`` so that the safety net (``access_audit.py``) does not
write them twice. A refused attempt to widen someone's access (giving a role the actor may not
give, changing one's own roles, acting without the power to manage people) is audited too,
then refused with a ServiceError.
"""

import datetime
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.access_audit import audited_by_service
from safeguarding.accounts.email_addresses import email_normalise
from safeguarding.accounts.models import (
    Agency,
    Deactivation,
    Invitation,
    Membership,
    Partnership,
    Role,
    User,
)
from safeguarding.accounts.selectors import agency_list_for_partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError

from . import selectors
from .emails import invitation_email_send
from .permissions import can_manage_people, roles_grantable_by

# Builds the absolute address of an invitation link from its path.
LinkBuilder = Callable[[str], str]

NOT_ALLOWED = "You cannot manage the people of this partnership"
OWN_ROLES = (
    "You cannot change your own roles or memberships. Ask another member of the business unit"
)


def invitation_path(token: str) -> str:
    return reverse("accounts:invitation_accept", args=[token])


def _service_url_link(path: str) -> str:
    return f"{settings.SERVICE_URL}{path}"


# Checks ----------------------------------------------------------------------------------------


def _refuse(
    *, actor, partnership: Partnership, attempt: str, message: str, target=None, field=None
):
    """Audit a refused attempt to change who may do what, then refuse it."""
    audit_record(
        action="person.change_refused",
        actor=actor,
        target=target,
        partnership=partnership,
        payload={"attempt": attempt, "reason": message},
    )
    raise ServiceError(message, field=field)


def _check_manager(*, actor, partnership: Partnership, attempt: str, target=None) -> None:
    if not can_manage_people(actor, partnership):
        _refuse(
            actor=actor,
            partnership=partnership,
            attempt=attempt,
            message=NOT_ALLOWED,
            target=target,
        )


def _check_not_self(*, actor, person: User, partnership: Partnership, attempt: str) -> None:
    if actor.pk == person.pk:
        _refuse(
            actor=actor, partnership=partnership, attempt=attempt, message=OWN_ROLES, target=person
        )


def _ordered(roles: Iterable[str]) -> list[str]:
    chosen = set(roles)
    return [role for role in Role.values if role in chosen]


def _clean_grant(
    *,
    actor,
    partnership: Partnership,
    roles: Iterable[str],
    agency: Agency | None,
    attempt: str,
    target=None,
    already: dict[str, int | None] | None = None,
) -> tuple[list[str], Agency | None]:
    """The roles (in Role order) and agency to give, after checking them: at least one role,
    only known roles, an agency of the partnership for an agency contributor (and none for the
    others), and the actor may give every role it adds (``already``: the roles the person
    holds now, with their agency)."""
    roles = list(roles)
    unknown = set(roles) - set(Role.values)
    roles = _ordered(roles)
    if unknown or not roles:
        raise ServiceError("Choose at least one role", field="roles")
    if Role.AGENCY_CONTRIBUTOR in roles:
        if agency is None:
            raise ServiceError("Choose the agency this person works for", field="agency")
        if not agency_list_for_partnership(partnership=partnership).filter(pk=agency.pk).exists():
            raise ServiceError("Choose one of the partnership's agencies", field="agency")
    else:
        agency = None
    already = already or {}
    added = [
        role
        for role in roles
        if role not in already
        or (role == Role.AGENCY_CONTRIBUTOR and already[role] != (agency.pk if agency else None))
    ]
    grantable = roles_grantable_by(actor, partnership)
    refused = [role for role in added if role not in grantable]
    if refused:
        labels = ", ".join(Role(role).label.lower() for role in refused)
        _refuse(
            actor=actor,
            partnership=partnership,
            attempt=attempt,
            target=target,
            field="roles",
            message=(
                f"Only the business unit can give the {labels} role"
                f"{'s' if len(refused) > 1 else ''}: they open case content"
            ),
        )
    return roles, agency


def _described(memberships: Iterable[Membership]) -> list[dict]:
    """Memberships as the audit trail and the deactivation record keep them."""
    return [
        {"role": m.role, "agency": m.agency_id, "agency_name": m.agency.name if m.agency else ""}
        for m in memberships
    ]


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, selectors.token_hash(token)


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)


def _send_after_commit(invitation: Invitation, token: str, link_for: LinkBuilder) -> None:
    url = link_for(invitation_path(token))
    transaction.on_commit(lambda: invitation_email_send(invitation=invitation, accept_url=url))


# Invitations -----------------------------------------------------------------------------------


def invitation_check(
    *,
    partnership: Partnership,
    actor,
    email: str,
    full_name: str,
    roles: Iterable[str],
    agency: Agency | None,
) -> tuple[list[str], Agency | None]:
    """Everything ``invitation_create`` checks, without saving: the "check your answers" page
    shows only an invitation that can be sent. Returns the roles and agency to give."""
    _check_manager(actor=actor, partnership=partnership, attempt="invite")
    email = email_normalise(email)
    if email == email_normalise(actor.email):
        _refuse(
            actor=actor,
            partnership=partnership,
            attempt="invite",
            message="You cannot invite yourself",
            field="email",
        )
    existing = selectors.user_for_email(email=email)
    if existing is not None:
        if Membership.objects.filter(user=existing, partnership=partnership).exists():
            raise ServiceError(
                "This person is already a member of the partnership. "
                "Change their roles on their page instead",
                field="email",
            )
        if selectors.deactivation_open(partnership=partnership, user=existing) is not None:
            raise ServiceError(
                "This person was deactivated. Reactivate them from their page instead",
                field="email",
            )
    if Invitation.objects.filter(
        partnership=partnership, email=email, accepted_at__isnull=True, cancelled_at__isnull=True
    ).exists():
        raise ServiceError(
            "This person has already been invited. Send the invitation again from the list",
            field="email",
        )
    if not full_name.strip():
        raise ServiceError("Enter the person's full name", field="full_name")
    return _clean_grant(
        actor=actor, partnership=partnership, roles=roles, agency=agency, attempt="invite"
    )


def invitation_create(
    *,
    partnership: Partnership,
    actor,
    email: str,
    full_name: str,
    roles: Iterable[str],
    agency: Agency | None,
    link_for: LinkBuilder = _service_url_link,
    actor_label: str = "",
) -> Invitation:
    """Invite a person by email to join ``partnership`` with ``roles`` (and ``agency`` for an
    agency contributor). The email, with a link that works once for INVITATION_VALID_DAYS, is
    sent when the transaction commits.

    ``actor`` is the member of staff inviting; None only for ``manage.py invite_business_unit``
    (``actor_label`` then says so), which may invite a business unit member to any partnership.
    """
    email = email_normalise(email)
    full_name = full_name.strip()
    if actor is not None:
        roles, agency = invitation_check(
            partnership=partnership,
            actor=actor,
            email=email,
            full_name=full_name,
            roles=roles,
            agency=agency,
        )
    else:
        roles = _ordered(roles)
    now = timezone.now()
    token, hashed = _new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            partnership=partnership,
            email=email,
            full_name=full_name,
            roles=roles,
            agency=agency,
            token_hash=hashed,
            invited_by=actor,
            invited_by_label=actor.email if actor is not None else actor_label,
            sent_at=now,
            expires_at=_expiry(now),
        )
        audit_record(
            action="person.invited",
            actor=actor,
            actor_label=actor_label,
            target=invitation,
            payload={
                "roles": roles,
                "agency": agency.slug if agency else "",
                "expires_at": invitation.expires_at.isoformat(),
            },
        )
        _send_after_commit(invitation, token, link_for)
    return invitation


def invitation_resend(
    *, invitation: Invitation, actor, link_for: LinkBuilder = _service_url_link
) -> Invitation:
    """Send an open invitation again, with a new link (the old one stops working) valid for
    INVITATION_VALID_DAYS from now. The actor must be allowed to give its roles."""
    partnership = invitation.partnership
    _check_manager(actor=actor, partnership=partnership, attempt="resend", target=invitation)
    if not invitation.is_open:
        raise ServiceError("This invitation has been accepted or cancelled")
    _clean_grant(
        actor=actor,
        partnership=partnership,
        roles=invitation.roles,
        agency=invitation.agency,
        attempt="resend",
        target=invitation,
    )
    now = timezone.now()
    token, hashed = _new_token()
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise ServiceError("This invitation has been accepted or cancelled")
        locked.token_hash = hashed
        locked.sent_at = now
        locked.expires_at = _expiry(now)
        locked.send_count += 1
        locked.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
        audit_record(
            action="person.invitation_resent",
            actor=actor,
            target=locked,
            payload={"expires_at": locked.expires_at.isoformat(), "send_count": locked.send_count},
        )
        _send_after_commit(locked, token, link_for)
    return locked


def invitation_cancel(*, invitation: Invitation, actor) -> Invitation:
    """Cancel an open invitation: its link stops working."""
    partnership = invitation.partnership
    _check_manager(actor=actor, partnership=partnership, attempt="cancel", target=invitation)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise ServiceError("This invitation has already been accepted or cancelled")
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = actor
        locked.save(update_fields=["cancelled_at", "cancelled_by"])
        audit_record(action="person.invitation_cancelled", actor=actor, target=locked)
    return locked


def _inviter_still_may_give(invitation: Invitation) -> bool:
    """An invitation gives only what its sender may still give: one sent by a business unit
    member who has since left the business unit no longer works."""
    inviter = invitation.invited_by
    if inviter is None:  # manage.py invite_business_unit
        return True
    if not inviter.is_active:
        return False
    grantable = roles_grantable_by(inviter, invitation.partnership)
    return all(role in grantable for role in invitation.roles)


def invitation_accept(
    *, invitation: Invitation, password: str | None = None, user: User | None = None
) -> User:
    """Accept an open, unexpired invitation: make the account (with ``password``), or use the
    existing one (``user``, signed in, whose email it is), and give the invitation's roles.

    An account that exists but is switched off is switched on again with the new password:
    the person has shown they hold the address.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("partnership", "agency", "invited_by")
            .get(pk=invitation.pk)
        )
        if invitation.status != Invitation.Status.PENDING:
            raise ServiceError("This invitation has expired, been used or been cancelled")
        if not _inviter_still_may_give(invitation):
            raise ServiceError(
                "This invitation is no longer valid. Ask the partnership to send a new one"
            )
        partnership = invitation.partnership
        account = selectors.user_for_email(email=invitation.email)
        if account is not None and account.is_active:
            if user is None or user.pk != account.pk:
                raise ServiceError("Sign in with the account this invitation was sent to")
        elif account is not None:
            if not password:
                raise ServiceError("Set a password", field="new_password1")
            account.set_password(password)
            account.is_active = True
            audited_by_service(account)
            account.save(update_fields=["password", "is_active"])
        else:
            if not password:
                raise ServiceError("Set a password", field="new_password1")
            account = User(email=invitation.email, full_name=invitation.full_name)
            account.set_password(password)
            audited_by_service(account)
            account.save()
        held = set(
            Membership.objects.filter(user=account, partnership=partnership).values_list(
                "role", flat=True
            )
        )
        for role in invitation.roles:
            if role in held:
                continue
            audited_by_service(
                Membership(
                    user=account,
                    partnership=partnership,
                    role=role,
                    agency=invitation.agency if role == Role.AGENCY_CONTRIBUTOR else None,
                )
            ).save()
        Deactivation.objects.filter(
            user=account, partnership=partnership, reactivated_at__isnull=True
        ).update(reactivated_at=timezone.now(), reactivated_by=invitation.invited_by)
        invitation.accepted_at = timezone.now()
        invitation.user = account
        invitation.save(update_fields=["accepted_at", "user"])
        audit_record(
            action="person.invitation_accepted",
            actor=account,
            target=invitation,
            payload={
                "roles": invitation.roles,
                "agency": invitation.agency.slug if invitation.agency else "",
                "invited_by": invitation.invited_by_label,
            },
        )
    return account


# Roles, deactivation ---------------------------------------------------------------------------


def _last_business_unit(*, partnership: Partnership, person: User) -> bool:
    holds = Membership.objects.filter(
        partnership=partnership, user=person, role=Role.BUSINESS_UNIT
    ).exists()
    return holds and selectors.business_unit_count(partnership=partnership) <= 1


def _held(*, person: User, partnership: Partnership, lock: bool = False) -> dict:
    memberships = Membership.objects.filter(user=person, partnership=partnership)
    if lock:
        # of=("self",): PostgreSQL cannot lock the nullable side of the agency join.
        memberships = memberships.select_for_update(of=("self",))
    return {m.role: m for m in memberships.select_related("agency")}


def _agencies(held: dict) -> dict:
    return {role: membership.agency_id for role, membership in held.items()}


LAST_BUSINESS_UNIT = (
    "{name} is the partnership's only business unit member. "
    "Give someone else the business unit role first"
)


def person_roles_change(
    *,
    partnership: Partnership,
    actor,
    person: User,
    roles: Iterable[str],
    agency: Agency | None,
) -> bool:
    """Set ``person``'s roles in ``partnership`` to ``roles`` (and their agency, for an agency
    contributor). Returns whether anything changed. Not for one's own roles; roles that open
    case content can be given only by the business unit; at least one role stays (to take
    them all away, deactivate); the last business unit member keeps that role."""
    _check_manager(actor=actor, partnership=partnership, attempt="change_roles", target=person)
    _check_not_self(actor=actor, person=person, partnership=partnership, attempt="change_roles")
    checked = _held(person=person, partnership=partnership)
    if not checked:
        raise ServiceError("This person is deactivated. Reactivate them instead")
    # Checked outside the transaction, so that the audit event of a refusal is kept.
    roles, agency = _clean_grant(
        actor=actor,
        partnership=partnership,
        roles=roles,
        agency=agency,
        attempt="change_roles",
        target=person,
        already={role: m.agency_id for role, m in checked.items()},
    )
    with transaction.atomic():
        current = _held(person=person, partnership=partnership, lock=True)
        if _agencies(current) != _agencies(checked):
            raise ServiceError(
                "Someone else changed this person's roles at the same time. "
                "Check them and try again"
            )
        if (
            Role.BUSINESS_UNIT in current
            and Role.BUSINESS_UNIT not in roles
            and _last_business_unit(partnership=partnership, person=person)
        ):
            raise ServiceError(LAST_BUSINESS_UNIT.format(name=person.full_name), field="roles")
        before = _described(current.values())
        changed = False
        for role, membership in current.items():
            if role not in roles:
                audited_by_service(membership).delete()
                changed = True
        for role in roles:
            agency_for_role = agency if role == Role.AGENCY_CONTRIBUTOR else None
            membership = current.get(role)
            if membership is None:
                audited_by_service(
                    Membership(
                        user=person, partnership=partnership, role=role, agency=agency_for_role
                    )
                ).save()
                changed = True
            elif membership.agency_id != (agency_for_role.pk if agency_for_role else None):
                membership.agency = agency_for_role
                audited_by_service(membership).save(update_fields=["agency"])
                changed = True
        if not changed:
            return False
        after = _described(
            Membership.objects.filter(user=person, partnership=partnership).select_related("agency")
        )
        audit_record(
            action="person.roles_changed",
            actor=actor,
            target=person,
            partnership=partnership,
            payload={"from": before, "to": after},
        )
    return True


def person_deactivate(*, partnership: Partnership, actor, person: User) -> Deactivation:
    """End every role ``person`` holds in ``partnership`` (kept in the deactivation record).
    If they hold no role anywhere else, their account is switched off too: they cannot sign
    in. A system administrator's account is never switched off from a partnership's page."""
    _check_manager(actor=actor, partnership=partnership, attempt="deactivate", target=person)
    _check_not_self(actor=actor, person=person, partnership=partnership, attempt="deactivate")
    with transaction.atomic():
        memberships = list(
            Membership.objects.select_for_update(of=("self",))
            .filter(user=person, partnership=partnership)
            .select_related("agency")
        )
        if not memberships:
            raise ServiceError("This person is already deactivated")
        if _last_business_unit(partnership=partnership, person=person):
            raise ServiceError(LAST_BUSINESS_UNIT.format(name=person.full_name))
        ended = _described(memberships)
        for membership in memberships:
            audited_by_service(membership).delete()
        switch_off = (
            person.is_active
            and not person.is_superuser
            and not Membership.objects.filter(user=person).exists()
        )
        if switch_off:
            person.is_active = False
            audited_by_service(person)
            person.save(update_fields=["is_active"])
        deactivation = Deactivation.objects.create(
            user=person,
            partnership=partnership,
            memberships=ended,
            account_switched_off=switch_off,
            deactivated_by=actor,
        )
        audit_record(
            action="person.deactivated",
            actor=actor,
            target=person,
            partnership=partnership,
            payload={"ended": ended, "account_switched_off": switch_off},
        )
    return deactivation


def person_reactivate(
    *,
    partnership: Partnership,
    actor,
    person: User,
    roles: Iterable[str],
    agency: Agency | None,
) -> None:
    """Bring a deactivated person back with ``roles`` (the same rules as giving roles), and
    switch their account on again."""
    _check_manager(actor=actor, partnership=partnership, attempt="reactivate", target=person)
    _check_not_self(actor=actor, person=person, partnership=partnership, attempt="reactivate")
    roles, agency = _clean_grant(
        actor=actor,
        partnership=partnership,
        roles=roles,
        agency=agency,
        attempt="reactivate",
        target=person,
    )
    with transaction.atomic():
        deactivation = (
            Deactivation.objects.select_for_update()
            .filter(user=person, partnership=partnership, reactivated_at__isnull=True)
            .first()
        )
        if (
            deactivation is None
            or Membership.objects.filter(user=person, partnership=partnership).exists()
        ):
            raise ServiceError("This person is not deactivated")
        for role in roles:
            audited_by_service(
                Membership(
                    user=person,
                    partnership=partnership,
                    role=role,
                    agency=agency if role == Role.AGENCY_CONTRIBUTOR else None,
                )
            ).save()
        switched_on = not person.is_active
        if switched_on:
            person.is_active = True
            audited_by_service(person)
            person.save(update_fields=["is_active"])
        deactivation.reactivated_at = timezone.now()
        deactivation.reactivated_by = actor
        deactivation.save(update_fields=["reactivated_at", "reactivated_by"])
        audit_record(
            action="person.reactivated",
            actor=actor,
            target=person,
            partnership=partnership,
            payload={
                "roles": roles,
                "agency": agency.slug if agency else "",
                "account_switched_on": switched_on,
            },
        )


# System administrators -------------------------------------------------------------------------


def system_admin_set(*, user: User, grant: bool, by_label: str) -> bool:
    """Make ``user`` a system administrator (superuser, may use /admin/) or stop them being
    one. Only ``manage.py grant_system_admin`` calls this: no page can. Returns whether
    anything changed."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_superuser == grant and user.is_staff == grant:
            return False
        before = {"is_superuser": user.is_superuser, "is_staff": user.is_staff}
        user.is_superuser = grant
        user.is_staff = grant
        audited_by_service(user)
        user.save(update_fields=["is_superuser", "is_staff"])
        audit_record(
            action="user.system_admin_granted" if grant else "user.system_admin_removed",
            actor_label=by_label[:300],
            target=user,
            payload={
                "changes": {flag: [value, grant] for flag, value in before.items()},
            },
        )
    return True
