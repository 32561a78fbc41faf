"""Session lifetimes: renewed at most once a minute (not written on every request), ended after
30 minutes idle, and ended 12 hours after sign-in however active (issue 12, items 5 and 8)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.middleware import SESSION_RENEWED_AT, SESSION_STARTED_AT
from safeguarding.audit.models import AuditEvent

from .test_sign_in import sign_in

SIGNED_IN_PAGE = "accounts:account"


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def move_stamp_back(client, key: str, seconds: int) -> None:
    """Pretend ``key`` (a time in the session) happened ``seconds`` earlier."""
    session = client.session
    session[key] = session[key] - seconds
    session.save()


@pytest.mark.django_db
def test_requests_within_a_minute_do_not_write_the_session(client, business_unit_user):
    sign_in(client)
    client.get(reverse(SIGNED_IN_PAGE))
    expires = stored_session(client).expire_date
    for _ in range(3):
        assert client.get(reverse(SIGNED_IN_PAGE)).status_code == 200
    # Saved on every request, the expiry would have moved on with each one.
    assert stored_session(client).expire_date == expires


@pytest.mark.django_db
def test_a_request_more_than_a_minute_after_the_last_renewal_renews_the_session(
    client, business_unit_user
):
    sign_in(client)
    client.get(reverse(SIGNED_IN_PAGE))
    move_stamp_back(client, SESSION_RENEWED_AT, settings.SESSION_RENEW_AFTER_SECONDS + 1)
    before = stored_session(client).expire_date
    client.get(reverse(SIGNED_IN_PAGE))
    after = stored_session(client).expire_date
    assert after > before
    # The renewed session ends 30 minutes after this request, not later.
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert timezone.now() + idle - datetime.timedelta(seconds=5) < after <= timezone.now() + idle


@pytest.mark.django_db
def test_a_session_idle_for_30_minutes_needs_sign_in_again(client, business_unit_user):
    sign_in(client)
    assert client.get(reverse(SIGNED_IN_PAGE)).status_code == 200
    # 30 minutes without a request: the stored session's expiry has passed.
    Session.objects.filter(pk=stored_session(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse(SIGNED_IN_PAGE))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


@pytest.mark.django_db
def test_visitors_without_a_session_are_not_given_one(client):
    response = client.get(reverse("public_site:home"))
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_a_session_ends_12_hours_after_sign_in_however_active(client, business_unit_user):
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    sign_in(client)
    assert client.get(reverse(SIGNED_IN_PAGE)).status_code == 200
    move_stamp_back(client, SESSION_STARTED_AT, settings.SESSION_ABSOLUTE_SECONDS)
    response = client.get(reverse(SIGNED_IN_PAGE))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="user.session_ended")
    assert event.actor == business_unit_user
    assert event.payload["limit_seconds"] == 12 * 60 * 60
    page = client.get(response.url)
    assert "You have been signed out because you signed in more than 12 hours ago" in (
        page.content.decode()
    )
    # Signing in again starts a new 12 hours.
    sign_in(client)
    assert client.get(reverse(SIGNED_IN_PAGE)).status_code == 200


@pytest.mark.django_db
def test_a_session_just_under_the_absolute_lifetime_goes_on(client, business_unit_user):
    sign_in(client)
    move_stamp_back(client, SESSION_STARTED_AT, settings.SESSION_ABSOLUTE_SECONDS - 60)
    assert client.get(reverse(SIGNED_IN_PAGE)).status_code == 200
    assert not AuditEvent.objects.filter(action="user.session_ended").exists()


@pytest.mark.django_db
@override_settings(SESSION_ABSOLUTE_SECONDS=90 * 60)
def test_the_absolute_lifetime_comes_from_settings(client, business_unit_user):
    sign_in(client)
    move_stamp_back(client, SESSION_STARTED_AT, 90 * 60)
    response = client.get(reverse(SIGNED_IN_PAGE), follow=True)
    assert "signed in more than 90 minutes ago" in response.content.decode()


@pytest.mark.django_db
def test_a_session_from_before_lifetimes_were_recorded_counts_from_its_next_request(
    client, business_unit_user
):
    client.force_login(business_unit_user)
    session = client.session
    del session[SESSION_STARTED_AT]
    session.save()
    assert client.get(reverse(SIGNED_IN_PAGE)).status_code == 200
    assert SESSION_STARTED_AT in client.session
