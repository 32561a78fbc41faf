"""What every signed-in request pays before its page (issue 16): its session and its user, with
the two-factor middleware's question answered in the user's query, each read with SQL built
once (``core.compiled_sql``). Nothing about the device is kept in the session: a device
confirmed, unconfirmed or deleted counts from the next request."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.accounts.backends import CONFIRMED_DEVICE, ModelBackend
from safeguarding.accounts.sessions import SessionStore
from safeguarding.core.compiled_sql import CompiledQuery

from .test_sign_in import sign_in


@pytest.mark.django_db
def test_a_signed_in_trivial_request_reads_the_session_and_the_user_only(
    client, business_unit_user, django_assert_num_queries
):
    sign_in(client)
    client.get(reverse("healthz"))
    with django_assert_num_queries(2):  # the session; the user with their device question
        assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_the_user_is_loaded_with_the_same_device_answer_as_django_otp(
    business_unit_user, django_user_model
):
    other = django_user_model.objects.create_user(email="other@example.org", password="x" * 20)
    backend = ModelBackend()

    def answer(user) -> bool:
        loaded = backend.get_user(user.pk)
        assert loaded == user
        assert loaded.email == user.email and loaded.full_name == user.full_name
        assert bool(getattr(loaded, CONFIRMED_DEVICE)) == user_has_device(user, confirmed=True)
        return bool(getattr(loaded, CONFIRMED_DEVICE))

    assert answer(business_unit_user) is False
    TOTPDevice.objects.create(user=business_unit_user, name="App", confirmed=False)
    EmailDevice.objects.create(user=other, name="Email", confirmed=True)
    assert answer(business_unit_user) is False
    assert answer(other) is True
    email = EmailDevice.objects.create(user=business_unit_user, name="Email", confirmed=True)
    assert answer(business_unit_user) is True
    email.delete()
    assert answer(business_unit_user) is False
    TOTPDevice.objects.filter(user=business_unit_user).update(confirmed=True)
    assert answer(business_unit_user) is True


@pytest.mark.django_db
def test_no_user_for_an_unknown_malformed_or_inactive_id(business_unit_user):
    backend = ModelBackend()
    assert backend.get_user(business_unit_user.pk + 1000) is None
    assert backend.get_user("not a number") is None
    assert backend.get_user(str(business_unit_user.pk)) == business_unit_user
    business_unit_user.is_active = False
    business_unit_user.save(update_fields=["is_active"])
    assert backend.get_user(business_unit_user.pk) is None


@pytest.mark.django_db
@override_settings(TWO_FACTOR_REQUIRED=False)
def test_a_device_confirmed_after_sign_in_is_asked_for_on_the_next_request(
    client, business_unit_user
):
    """Nothing about devices is kept between requests: the answer is read on each one."""
    sign_in(client)
    assert client.get(reverse("accounts:account")).status_code == 200
    EmailDevice.objects.create(user=business_unit_user, name="Email", confirmed=True)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:two_factor_verify")


@pytest.mark.django_db
def test_the_session_store_reads_a_live_session_and_not_an_expired_one(client, business_unit_user):
    sign_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    loaded = SessionStore(session_key=key).load()
    assert loaded == client.session.load() and loaded["_auth_user_id"] == str(business_unit_user.pk)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    store = SessionStore(session_key=key)
    assert store.load() == {}
    assert store.session_key is None
    assert client.get(reverse("accounts:account")).status_code == 302  # signed out
    assert SessionStore(session_key="no-such-session-key-0000000000000").load() == {}


@pytest.mark.django_db
def test_a_placeholder_takes_the_value_everywhere_it_stands(business_unit_user, django_user_model):
    pk = django_user_model._meta.pk
    twice = CompiledQuery(
        lambda user_id: (
            django_user_model.objects.filter(pk=user_id)
            .filter(pk__lte=user_id)
            .values_list("email")
        ),
        {"user_id": (-5, pk)},
    )
    # Were the second place left at -5, no user would match.
    assert twice.rows("default", user_id=business_unit_user.pk) == [(business_unit_user.email,)]
    missing = CompiledQuery(
        lambda user_id: django_user_model.objects.filter(pk=7), {"user_id": (-5, pk)}
    )
    with pytest.raises(ValueError, match="not in the SQL"):
        missing.rows("default", user_id=business_unit_user.pk)
    once = CompiledQuery(
        lambda user_id: django_user_model.objects.filter(pk=user_id).values_list("email"),
        {"user_id": (-5, pk)},
    )
    assert once.rows("default", user_id=business_unit_user.pk) == [(business_unit_user.email,)]
    assert once.rows("default", user_id=-6) == []
