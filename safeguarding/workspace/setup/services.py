"""Writes for the partnership setup pages: agencies and named decision makers (issue 13).

Each service checks who may do it, changes the rows in one transaction (the partnership row is
locked first, so two people changing the same setup at once queue) and writes one audit event
in that transaction. Nothing is deleted:

- An agency is national (one row, unique name, linked to many partnerships). Adding one links
  it (an agency of that name is reused); removing one unlinks it from this partnership only:
  the agency, its requests, returns and actions stay as they were. Removal is refused while the
  partnership still has open requests to it, open actions owned by it, or people acting for it,
  because they would be left pointing at an agency the partnership no longer lists. A rename
  changes the national row, so it is allowed only for an agency no other partnership uses.
- A decision maker is archived (``archived_at``), never deleted; changing the person or the
  capacity archives the old row and names a new one, so every signature keeps pointing at the
  person and capacity it was given in. A decision keeps the signatories it was sent to
  (``referrals.DecisionSignatory``, ADR 0019), so decisions waiting for signatures do not stop
  a change; one who left is replaced on the decision by the business unit. A review at
  sign-off still reads its signatories live, so the change is refused until it is signed off.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from safeguarding.accounts.models import Agency, AgencyContact, Partnership, User
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError
from safeguarding.referrals.models import DecisionMaker

from . import selectors
from .permissions import can_manage_agencies, can_manage_decision_makers

NOT_ALLOWED_AGENCIES = "You cannot change the agencies of this partnership"
NOT_ALLOWED_MAKERS = "Only the business unit names decision makers"


def _lock(partnership: Partnership) -> Partnership:
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def _same_name(name: str):
    return Agency.objects.filter(name__iexact=name.strip())


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "agency"
    slug, n = base, 1
    while Agency.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# Agencies --------------------------------------------------------------------------------------


def agency_add(
    *,
    partnership: Partnership,
    actor,
    existing: Agency | None = None,
    name: str = "",
    kind: str = "",
) -> tuple[Agency, bool]:
    """Link an agency to the partnership: ``existing`` (chosen from the national list), or the
    agency called ``name`` (reused when one of that name exists, in any letter case; created
    with ``kind`` otherwise). Returns the agency and whether it was created."""
    if not can_manage_agencies(actor, partnership):
        raise ServiceError(NOT_ALLOWED_AGENCIES)
    name = name.strip()
    if existing is None and not name:
        raise ServiceError("Choose an agency or enter the name of a new one", field="name")
    with transaction.atomic():
        _lock(partnership)
        created = False
        agency = existing or _same_name(name).first()
        if agency is None:
            if not kind:
                raise ServiceError("Choose what kind of agency it is", field="kind")
            try:
                with transaction.atomic():
                    agency = Agency.objects.create(name=name, slug=_free_slug(name), kind=kind)
            except IntegrityError:
                raise ServiceError(
                    "An agency of this name was added a moment ago: try again", field="name"
                ) from None
            created = True
        if partnership.agencies.filter(pk=agency.pk).exists():
            raise ServiceError(f"{agency.name} is already one of the partnership's agencies")
        partnership.agencies.add(agency)
        audit_record(
            action="agency.added",
            actor=actor,
            target=agency,
            partnership=partnership,
            payload={"name": agency.name, "kind": agency.kind, "created": created},
        )
    return agency, created


def agency_rename(*, partnership: Partnership, actor, agency: Agency, name: str) -> bool:
    """Rename an agency that only this partnership uses. Returns whether anything changed."""
    if not can_manage_agencies(actor, partnership):
        raise ServiceError(NOT_ALLOWED_AGENCIES)
    name = name.strip()
    if not name:
        raise ServiceError("Enter the agency's name", field="name")
    with transaction.atomic():
        _lock(partnership)
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        if not partnership.agencies.filter(pk=locked.pk).exists():
            raise ServiceError("This agency is not one of the partnership's agencies")
        if Partnership.objects.filter(agencies=locked).exclude(pk=partnership.pk).exists():
            raise ServiceError(
                f"{locked.name} is used by other partnerships too, so its name is shared: "
                "ask the service's administrators to rename it",
                field="name",
            )
        if name == locked.name:
            return False
        if _same_name(name).exclude(pk=locked.pk).exists():
            raise ServiceError(
                "Another agency already has this name: add that agency instead", field="name"
            )
        before = locked.name
        locked.name = name
        try:
            with transaction.atomic():
                locked.save(update_fields=["name"])
        except IntegrityError:
            raise ServiceError("Another agency already has this name", field="name") from None
        audit_record(
            action="agency.renamed",
            actor=actor,
            target=locked,
            partnership=partnership,
            payload={"from": before, "to": name},
        )
    agency.name = name
    return True


def agency_remove(*, partnership: Partnership, actor, agency: Agency) -> None:
    """Take an agency off the partnership's list (the agency and its history stay)."""
    if not can_manage_agencies(actor, partnership):
        raise ServiceError(NOT_ALLOWED_AGENCIES)
    with transaction.atomic():
        _lock(partnership)
        if not partnership.agencies.filter(pk=agency.pk).exists():
            raise ServiceError("This agency is not one of the partnership's agencies")
        work = selectors.agency_open_work(partnership=partnership, agency=agency)
        if work.any:
            raise ServiceError(agency_removal_refusal(agency, work))
        partnership.agencies.remove(agency)
        audit_record(
            action="agency.removed",
            actor=actor,
            target=agency,
            partnership=partnership,
            payload={"name": agency.name},
        )


def agency_removal_refusal(agency: Agency, work: selectors.AgencyWork) -> str:
    parts = []
    if work.open_requests:
        parts.append(_count(work.open_requests, "open request"))
    if work.open_actions:
        parts.append(_count(work.open_actions, "open action"))
    if work.contributors:
        parts.append(_count(work.contributors, "person acting", "people acting") + " for it")
    return (
        f"{agency.name} cannot be removed yet: it has {_and(parts)}. Close the requests and "
        "actions and change those people's agency first"
    )


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# Email-only contacts at agencies (ADR 0020) ----------------------------------------------------


def _contact_fields(*, name: str, email: str, role: str) -> tuple[str, str, str]:
    from safeguarding.accounts.email_addresses import email_normalise

    name, email, role = name.strip(), email.strip(), role.strip()
    if not name:
        raise ServiceError("Enter the contact's name", field="name")
    if not email or "@" not in email:
        raise ServiceError("Enter the contact's email address", field="email")
    if not role:
        raise ServiceError("Enter the contact's role at the agency", field="role")
    return name, email_normalise(email), role


def _check_contact_free(
    *, partnership: Partnership, agency: Agency, email: str, except_pk=None
) -> None:
    taken = AgencyContact.objects.filter(
        partnership=partnership, agency=agency, email=email, archived_at__isnull=True
    ).exclude(pk=except_pk)
    if taken.exists():
        raise ServiceError(f"{email} is already a contact at {agency.name}", field="email")


def _check_agency_linked(partnership: Partnership, agency: Agency) -> None:
    if not partnership.agencies.filter(pk=agency.pk).exists():
        raise ServiceError(f"{agency.name} is not one of the partnership's agencies")


def agency_contact_add(
    *, partnership: Partnership, actor, agency: Agency, name: str, email: str, role: str
) -> AgencyContact:
    """Record someone at ``agency`` to email the partnership's requests to while no one there
    has an account in the service."""
    if not can_manage_agencies(actor, partnership):
        raise ServiceError(NOT_ALLOWED_AGENCIES)
    name, email, role = _contact_fields(name=name, email=email, role=role)
    with transaction.atomic():
        _lock(partnership)
        _check_agency_linked(partnership, agency)
        _check_contact_free(partnership=partnership, agency=agency, email=email)
        contact = AgencyContact.objects.create(
            partnership=partnership,
            agency=agency,
            name=name,
            email=email,
            role=role,
            added_by=actor,
        )
        audit_record(
            action="agency_contact.added",
            actor=actor,
            target=agency,
            partnership=partnership,
            payload={"contact": contact.pk, "role": role},
        )
    return contact


def agency_contact_change(
    *, partnership: Partnership, actor, contact: AgencyContact, name: str, email: str, role: str
) -> AgencyContact:
    """Correct a contact's name, email address or role (the audit event names the fields)."""
    if not can_manage_agencies(actor, partnership):
        raise ServiceError(NOT_ALLOWED_AGENCIES)
    name, email, role = _contact_fields(name=name, email=email, role=role)
    with transaction.atomic():
        _lock(partnership)
        locked = AgencyContact.objects.select_for_update().get(pk=contact.pk)
        if locked.archived_at is not None:
            raise ServiceError("This contact has already been removed")
        _check_contact_free(
            partnership=partnership, agency=locked.agency, email=email, except_pk=locked.pk
        )
        changed = [
            field
            for field, value in (("name", name), ("email", email), ("role", role))
            if getattr(locked, field) != value
        ]
        if not changed:
            return locked
        locked.name, locked.email, locked.role = name, email, role
        locked.save(update_fields=changed)
        audit_record(
            action="agency_contact.changed",
            actor=actor,
            target=locked.agency,
            partnership=partnership,
            payload={"contact": locked.pk, "fields": changed},
        )
    return locked


def agency_contact_remove(*, partnership: Partnership, actor, contact: AgencyContact) -> None:
    """Stop emailing a contact (archived: the notices sent to them keep their address)."""
    if not can_manage_agencies(actor, partnership):
        raise ServiceError(NOT_ALLOWED_AGENCIES)
    with transaction.atomic():
        _lock(partnership)
        locked = AgencyContact.objects.select_for_update().get(pk=contact.pk)
        if locked.archived_at is not None:
            raise ServiceError("This contact has already been removed")
        locked.archived_at = timezone.now()
        locked.archived_by = actor
        locked.save(update_fields=["archived_at", "archived_by"])
        audit_record(
            action="agency_contact.removed",
            actor=actor,
            target=locked.agency,
            partnership=partnership,
            payload={"contact": locked.pk},
        )


# Decision makers -------------------------------------------------------------------------------


def _check_maker_change(*, partnership: Partnership, actor, review_type: str) -> None:
    if not can_manage_decision_makers(actor, partnership):
        raise ServiceError(NOT_ALLOWED_MAKERS)
    if review_type not in partnership.review_types:
        raise ServiceError("The partnership does not run this kind of review", field="review_type")
    waiting = selectors.signatures_waiting(partnership=partnership, review_type=review_type)
    if waiting:
        raise ServiceError(
            f"{_count(waiting, 'review', 'reviews')} of this kind wait for sign-off, and keep "
            "the decision makers they were sent to. Change the decision makers once they are "
            "signed off"
        )


def _check_person(*, partnership: Partnership, user: User) -> None:
    if not selectors.member_list(partnership=partnership).filter(pk=user.pk).exists():
        raise ServiceError("Choose a member of the partnership who may see its cases", field="user")


def _check_capacity_free(
    *, partnership: Partnership, review_type: str, capacity: str, except_pk=None
) -> None:
    taken = DecisionMaker.objects.filter(
        partnership=partnership, review_type=review_type, capacity__iexact=capacity
    ).exclude(pk=except_pk)
    if taken.exists():
        raise ServiceError(
            "Someone is already named in this capacity for this kind of review", field="capacity"
        )


def _described(maker: DecisionMaker) -> dict:
    return {
        "review_type": maker.review_type,
        "capacity": maker.capacity,
        "user_id": maker.user_id,
    }


def decision_maker_name(
    *, partnership: Partnership, actor, review_type: str, capacity: str, user: User
) -> DecisionMaker:
    """Name ``user`` as a decision maker of ``review_type`` in ``capacity``."""
    capacity = capacity.strip()
    if not capacity:
        raise ServiceError("Enter the capacity they sign in", field="capacity")
    with transaction.atomic():
        _lock(partnership)
        _check_maker_change(partnership=partnership, actor=actor, review_type=review_type)
        _check_person(partnership=partnership, user=user)
        _check_capacity_free(partnership=partnership, review_type=review_type, capacity=capacity)
        maker = DecisionMaker.objects.create(
            partnership=partnership,
            review_type=review_type,
            capacity=capacity,
            user=user,
            named_at=timezone.now(),
        )
        audit_record(
            action="decision_maker.named",
            actor=actor,
            target=maker,
            partnership=partnership,
            payload=_described(maker),
        )
    return maker


def decision_maker_change(
    *, partnership: Partnership, actor, maker: DecisionMaker, capacity: str, user: User
) -> DecisionMaker:
    """Change who signs in a capacity, or the capacity's name: the old row is archived and a
    new one named. Returns the current row (the same one when nothing changed)."""
    if not can_manage_decision_makers(actor, partnership):
        raise ServiceError(NOT_ALLOWED_MAKERS)
    capacity = capacity.strip()
    if not capacity:
        raise ServiceError("Enter the capacity they sign in", field="capacity")
    if capacity == maker.capacity and user.pk == maker.user_id:
        return maker
    with transaction.atomic():
        _lock(partnership)
        _check_maker_change(partnership=partnership, actor=actor, review_type=maker.review_type)
        locked = DecisionMaker.objects.select_for_update().filter(pk=maker.pk).first()
        if locked is None:
            raise ServiceError("This decision maker has already been removed")
        _check_person(partnership=partnership, user=user)
        _check_capacity_free(
            partnership=partnership,
            review_type=locked.review_type,
            capacity=capacity,
            except_pk=locked.pk,
        )
        now = timezone.now()
        locked.archived_at = now
        locked.save(update_fields=["archived_at"])
        new = DecisionMaker.objects.create(
            partnership=partnership,
            review_type=locked.review_type,
            capacity=capacity,
            user=user,
            named_at=now,
        )
        audit_record(
            action="decision_maker.changed",
            actor=actor,
            target=new,
            partnership=partnership,
            payload={"from": _described(locked), "to": _described(new), "replaces": locked.pk},
        )
    return new


def decision_maker_remove(*, partnership: Partnership, actor, maker: DecisionMaker) -> None:
    """Stop naming a decision maker (archived: the signatures they gave stay)."""
    with transaction.atomic():
        _lock(partnership)
        _check_maker_change(partnership=partnership, actor=actor, review_type=maker.review_type)
        locked = DecisionMaker.objects.select_for_update().filter(pk=maker.pk).first()
        if locked is None:
            raise ServiceError("This decision maker has already been removed")
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at"])
        audit_record(
            action="decision_maker.removed",
            actor=actor,
            target=locked,
            partnership=partnership,
            payload=_described(locked),
        )
