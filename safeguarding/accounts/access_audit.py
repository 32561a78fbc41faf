"""The safety net: every change to who may do what is audited, however it is made.

The people pages' services (``accounts/people/services.py``) audit their own changes in detail
and mark the rows they save (``audited_by_service``). Anything else that changes a user's
superuser, staff or active flag, or adds, changes or removes a membership (the system
administration site, a manage.py command, the shell, a data migration, a test factory) is
caught here by model signals and written to the audit trail with who did it (the signed-in
user of the current request, if there is one) and what changed, from and to (ADR 0011).
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from safeguarding.audit.services import audit_record
from safeguarding.core.request_context import current_request

from .models import Membership, User

# The user flags whose changes are audited.
ACCESS_FLAGS = ("is_superuser", "is_staff", "is_active")
# The membership fields whose changes are audited.
MEMBERSHIP_FIELDS = ("user_id", "partnership_id", "role", "agency_id")
_AUDITED = "_audited_by_service"


def audited_by_service(instance):
    """Mark ``instance`` as audited by the service saving or deleting it: the safety net then
    writes nothing for it. Returns the instance."""
    setattr(instance, _AUDITED, True)
    return instance


def _was_audited(instance) -> bool:
    return bool(getattr(instance, _AUDITED, False))


def _actor_and_via():
    """Who is changing things now: the signed-in user of the current request and its path, or
    no one (a manage.py command, the shell, a task)."""
    request = current_request.get()
    if request is None:
        return None, "no request (manage.py, shell or a task)"
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    return actor, f"{request.method} {request.path}"[:200]


def _record(*, action: str, target, partnership=None, payload: dict) -> None:
    actor, via = _actor_and_via()
    audit_record(
        action=action,
        actor=actor,
        actor_label="" if actor is not None else via,
        target=target,
        partnership=partnership,
        payload={**payload, "via": via},
    )


# Users ---------------------------------------------------------------------------------------


@receiver(pre_save, sender=User)
def remember_access_flags(sender, instance: User, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not set(update_fields) & set(ACCESS_FLAGS):
        instance._access_flags_before = None  # e.g. last_login on sign-in: nothing to check
        return
    before = None
    if instance.pk is not None:
        before = User.objects.filter(pk=instance.pk).values(*ACCESS_FLAGS).first()
    instance._access_flags_before = before


@receiver(post_save, sender=User)
def audit_access_flags(sender, instance: User, created: bool, raw=False, **kwargs):
    before = getattr(instance, "_access_flags_before", None)
    instance._access_flags_before = None
    if raw or _was_audited(instance):
        return
    if created or before is None:
        if not created:
            return
        # A new account: only flags that give more than the default are worth a line.
        changes = {
            flag: [None, getattr(instance, flag)]
            for flag in ("is_superuser", "is_staff")
            if getattr(instance, flag)
        }
    else:
        changes = {
            flag: [before[flag], getattr(instance, flag)]
            for flag in ACCESS_FLAGS
            if before[flag] != getattr(instance, flag)
        }
    if changes:
        _record(action="user.access_changed", target=instance, payload={"changes": changes})


# Memberships ---------------------------------------------------------------------------------


def _membership_values(membership: Membership) -> dict:
    return {
        "user": membership.user_id,
        "partnership": membership.partnership_id,
        "role": membership.role,
        "agency": membership.agency_id,
    }


@receiver(pre_save, sender=Membership)
def remember_membership(sender, instance: Membership, raw=False, **kwargs):
    before = None
    if not raw and instance.pk is not None:
        before = Membership.objects.filter(pk=instance.pk).values(*MEMBERSHIP_FIELDS).first()
    instance._membership_before = before


@receiver(post_save, sender=Membership)
def audit_membership_saved(sender, instance: Membership, created: bool, raw=False, **kwargs):
    before = getattr(instance, "_membership_before", None)
    instance._membership_before = None
    if raw or _was_audited(instance):
        return
    after = _membership_values(instance)
    if created or before is None:
        _record(
            action="membership.added",
            target=instance,
            payload={"membership": after},
        )
        return
    before = {field.removesuffix("_id"): value for field, value in before.items()}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        _record(action="membership.changed", target=instance, payload={"changes": changes})


@receiver(post_delete, sender=Membership)
def audit_membership_removed(sender, instance: Membership, **kwargs):
    if _was_audited(instance):
        return
    _record(
        action="membership.removed",
        target=instance,
        partnership=instance.partnership,
        payload={"membership": _membership_values(instance)},
    )
