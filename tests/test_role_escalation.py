"""Issue 12 item 2: an administrator made itself superuser and business unit in one admin POST,
then read real identities, and nothing was audited. Now (ADR 0011):

- only superusers use /admin/ (``is_staff`` and model permissions are not enough), and a refused
  attempt is audited;
- in /admin/ the superuser and staff flags are read-only and memberships cannot be edited;
- every change to those flags, the active flag or a membership made outside the people pages
  (admin, manage.py, the shell) is audited by model signals, with who and what changed;
- superuser status is given by manage.py only, audited;
- administrators, and superusers browsing the service, see no case content.
"""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from safeguarding.accounts.models import Membership, Role, User
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.referrals.tests.staff_support import IDENTITY, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(partnership):
    """The demo's administrator as it was: the administrator role, a staff account and every
    accounts permission (what Django's own admin needs to edit users and memberships)."""
    user = UserFactory(email="admin@testshire.example", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    MembershipFactory(user=user, partnership=partnership, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(email="system.admin@testshire.example", is_staff=True, is_superuser=True)


def _user_change_post(user, **extra) -> dict:
    """What the admin's user change form posts, with ``extra`` fields added."""
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": "",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_the_attack_an_administrator_cannot_make_itself_superuser_and_business_unit(
    client, administrator, partnership, business_unit_user
):
    referral = make_referral(partnership)
    client.force_login(administrator)
    url = reverse("admin:accounts_user_change", args=[administrator.pk])
    forged = _user_change_post(
        administrator,
        is_staff="on",
        is_superuser="on",
        **{
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(administrator.memberships.get().pk),
            "memberships-0-user": str(administrator.pk),
            "memberships-0-partnership": str(partnership.pk),
            "memberships-0-role": Role.ADMINISTRATOR,
            "memberships-1-user": str(administrator.pk),
            "memberships-1-partnership": str(partnership.pk),
            "memberships-1-role": Role.BUSINESS_UNIT,
        },
    )

    response = client.post(url, forged)

    assert response.status_code == 403
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert list(administrator.memberships.values_list("role", flat=True)) == [Role.ADMINISTRATOR]
    refused = AuditEvent.objects.get(action="system_admin.refused")
    assert refused.actor == administrator
    assert refused.payload == {"method": "POST", "path": url}
    # Still no real identities, nor the referral itself: outside the administrator's scope, so
    # the same 404 as for a referral that does not exist (ADR 0010).
    for name in ("referrals:identity", "referrals:detail"):
        page = client.get(reverse(name, args=[partnership.slug, referral.pk]))
        assert page.status_code == 404, name
        assert IDENTITY["last_name"] not in page.content.decode()


def test_in_the_admin_a_superuser_cannot_set_the_flags_or_edit_memberships(
    client, superuser, partnership, business_unit_user
):
    target = UserFactory(email="someone@testshire.example")
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page

    response = client.post(
        url,
        _user_change_post(
            target,
            is_superuser="on",
            is_staff="on",
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-user": str(target.pk),
                "memberships-0-partnership": str(partnership.pk),
                "memberships-0-role": Role.BUSINESS_UNIT,
            },
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert not target.is_superuser and not target.is_staff
    assert not Membership.objects.filter(user=target).exists()


def test_switching_an_account_off_in_the_admin_is_audited_with_who_and_what(
    client, superuser, business_unit_user
):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[business_unit_user.pk])
    data = _user_change_post(business_unit_user)
    del data["is_active"]
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(
        action="user.access_changed", object_id=str(business_unit_user.pk)
    )
    assert event.actor == superuser
    assert event.payload["changes"] == {"is_active": [True, False]}
    assert event.payload["via"] == f"POST {url}"


def test_changes_made_in_the_shell_are_audited_too(partnership, agency):
    user = UserFactory(email="shell@testshire.example")
    user.is_superuser = True
    user.save()
    event = AuditEvent.objects.get(action="user.access_changed")
    assert event.actor is None
    assert event.actor_label == "no request (manage.py, shell or a task)"
    assert event.payload["changes"] == {"is_superuser": [False, True]}

    membership = Membership.objects.create(
        user=user, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    added = AuditEvent.objects.get(action="membership.added")
    assert added.partnership == partnership
    assert added.payload["membership"] == {
        "user": user.pk,
        "partnership": partnership.pk,
        "role": Role.AGENCY_CONTRIBUTOR,
        "agency": agency.pk,
    }
    membership.role = Role.BUSINESS_UNIT
    membership.agency = None
    membership.save()
    changed = AuditEvent.objects.get(action="membership.changed")
    assert changed.payload["changes"] == {
        "role": [Role.AGENCY_CONTRIBUTOR, Role.BUSINESS_UNIT],
        "agency": [agency.pk, None],
    }
    membership.delete()
    removed = AuditEvent.objects.get(action="membership.removed")
    assert removed.partnership == partnership
    assert removed.payload["membership"]["role"] == Role.BUSINESS_UNIT


def test_signing_in_does_not_write_an_access_event(client, business_unit_user):
    client.post(
        reverse("accounts:sign_in"),
        {"username": business_unit_user.email, "password": "correct-horse-battery-staple"},
    )
    assert AuditEvent.objects.filter(action="user.signed_in").exists()
    assert not AuditEvent.objects.filter(action="user.access_changed").exists()


def test_grant_system_admin_is_the_way_to_make_a_superuser_and_is_audited(business_unit_user):
    out = io.StringIO()
    call_command("grant_system_admin", "BU@testshire.example", stdout=out)
    business_unit_user.refresh_from_db()
    assert business_unit_user.is_superuser and business_unit_user.is_staff
    assert "now a system administrator" in out.getvalue()
    granted = AuditEvent.objects.get(action="user.system_admin_granted")
    assert granted.actor_label.startswith("manage.py grant_system_admin (run by ")
    assert granted.payload["changes"] == {"is_superuser": [False, True], "is_staff": [False, True]}
    # Audited once: the service's event, not the safety net's as well.
    assert not AuditEvent.objects.filter(action="user.access_changed").exists()

    call_command("grant_system_admin", business_unit_user.email, "--remove", stdout=out)
    business_unit_user.refresh_from_db()
    assert not business_unit_user.is_superuser and not business_unit_user.is_staff
    assert AuditEvent.objects.filter(action="user.system_admin_removed").count() == 1


def test_createsuperuser_is_audited(db):
    call_command(
        "createsuperuser",
        "--noinput",
        email="root@testshire.example",
        full_name="Root",
        stdout=io.StringIO(),
    )
    event = AuditEvent.objects.get(action="user.access_changed")
    assert event.payload["changes"] == {"is_superuser": [None, True], "is_staff": [None, True]}
    assert User.objects.get(email="root@testshire.example").is_superuser


def test_a_superuser_browsing_the_service_sees_no_case_content(client, superuser, partnership):
    referral = make_referral(partnership)
    client.force_login(superuser)
    for url in (
        reverse("workspace:partnership_home", args=[partnership.slug]),
        reverse("referrals:triage", args=[partnership.slug]),
        reverse("referrals:identity", args=[partnership.slug, referral.pk]),
        reverse("reviews:list", args=[partnership.slug]),
        reverse("people:list", args=[partnership.slug]),
    ):
        assert client.get(url).status_code == 404, url
    # With the administrator role, still no case content, and no people page powers beyond it.
    MembershipFactory(user=superuser, partnership=partnership, role=Role.ADMINISTRATOR)
    assert client.get(reverse("referrals:triage", args=[partnership.slug])).status_code == 403
    identity = client.get(reverse("referrals:identity", args=[partnership.slug, referral.pk]))
    assert identity.status_code == 404
