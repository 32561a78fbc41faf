"""The authentication backend: Django's ModelBackend, with the user's two-factor question asked
in the same query as the user (issue 16).

``TwoFactorMiddleware`` asks on every request of a signed-in user who has not verified "has
this user a confirmed device?" (``middleware.has_confirmed_device``): one query per device
model, after the query that loads the user. ``get_user`` loads the user with that answer as an
``EXISTS`` per device model in the one query, so a signed-in request pays one query fewer per
device model; the query's SQL is built once (``core.compiled_sql``), as building it in the ORM
cost more than running it. The answer is read afresh on every request, as before: nothing is
kept in the session (a device deleted or unconfirmed since counts from the next request,
docs/security.md).
"""

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from safeguarding.core.compiled_sql import CompiledQuery

from .devices import device_models

#: The attribute ``get_user`` sets: True when the user has a confirmed device of any kind.
CONFIRMED_DEVICE = "_has_confirmed_device"


def with_confirmed_device(queryset):
    """``queryset`` of users, each with CONFIRMED_DEVICE annotated (an ``EXISTS`` per device
    model, as ``django_otp.user_has_device(user, confirmed=True)`` asks)."""
    exists = [
        Q(Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True)))
        for model in device_models()
    ]
    if not exists:  # no device model installed: the middleware asks (and finds none)
        return queryset
    return queryset.annotate(
        **{CONFIRMED_DEVICE: ExpressionWrapper(reduce(or_, exists), output_field=BooleanField())}
    )


def _user_query(user_id):
    User = get_user_model()
    return with_confirmed_device(User._default_manager.filter(pk=user_id)).order_by()


_USER = CompiledQuery(
    _user_query,
    # A user id no row has, standing for the real one while the SQL is built.
    {"user_id": (-7_301_946_288, get_user_model()._meta.pk)},
)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = _USER.objects(router.db_for_read(User), user_id=user_id)
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
