"""Sign-in details (issue 12, item 11): a password reset clears the lockout, reset emails are
limited, and email addresses are not case-sensitive."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import User
from safeguarding.accounts.tests.factories import UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.models import RateLimitHit

from .test_sign_in import PASSWORD, sign_in

NEW_PASSWORD = "a-much-better-passphrase-2026"
RESET = "accounts:password_reset"


def lock_out(client, email="bu@testshire.example"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, email=email, password="wrong-password-123")
    assert sign_in(client, email=email).status_code == 429


def reset_password(client, email="bu@testshire.example", new=NEW_PASSWORD):
    client.post(reverse(RESET), {"email": email})
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    passwords = {"new_password1": new, "new_password2": new}
    done = client.post(form_page.redirect_chain[-1][0], passwords)
    assert done.url == reverse("accounts:password_reset_complete")


# (a) A completed password reset ends the lockout -------------------------------------------------


@pytest.mark.django_db
def test_a_completed_password_reset_ends_the_lockout(client, business_unit_user):
    lock_out(client)
    page = sign_in(client).content.decode()
    assert "reset your password" in page  # what the lockout page suggests
    reset_password(client)
    response = sign_in(client, password=NEW_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("workspace:staff_home")
    assert not AccessAttempt.objects.filter(username="bu@testshire.example").exists()
    event = AuditEvent.objects.get(action="user.lockout_cleared")
    assert event.actor == business_unit_user
    assert event.payload["reason"] == "password_reset"


@pytest.mark.django_db
def test_a_reset_without_a_lockout_records_no_lockout_event(client, business_unit_user):
    reset_password(client)
    assert AuditEvent.objects.filter(action="user.password_reset").exists()
    assert not AuditEvent.objects.filter(action="user.lockout_cleared").exists()


@pytest.mark.django_db
def test_asking_for_a_reset_does_not_end_the_lockout(client, business_unit_user):
    lock_out(client)
    client.post(reverse(RESET), {"email": "bu@testshire.example"})
    assert sign_in(client).status_code == 429


# (b) Password reset emails are limited -----------------------------------------------------------


@pytest.mark.django_db
def test_at_most_3_reset_emails_an_hour_to_one_address(client, business_unit_user):
    assert settings.PASSWORD_RESET_EMAILS_PER_HOUR_PER_EMAIL == 3
    answers = [client.post(reverse(RESET), {"email": "bu@testshire.example"}) for _ in range(15)]
    assert len(mail.outbox) == 3
    # Every answer is the same page: nothing shows that a limit was reached.
    assert {response.url for response in answers} == {reverse("accounts:password_reset_sent")}
    refused = AuditEvent.objects.filter(action="user.password_reset_throttled")
    assert refused.count() == 12
    assert refused.first().payload["limit"] == "email"


@pytest.mark.django_db
def test_the_limit_holds_whatever_the_case_of_the_address(client, business_unit_user):
    for email in ["bu@testshire.example", "BU@testshire.example", "Bu@Testshire.Example", "bU@x"]:
        client.post(reverse(RESET), {"email": email.replace("@x", "@testshire.example")})
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_limit_is_shared_by_every_client_and_process(business_unit_user):
    # Two clients from different addresses: the count is in the database, not in one process.
    for n in range(4):
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(reverse(RESET), {"email": "bu@testshire.example"})
    assert len(mail.outbox) == 3
    assert RateLimitHit.objects.filter(bucket="password_reset:email").count() == 3


@pytest.mark.django_db
def test_one_client_may_ask_for_at_most_10_resets_an_hour(client):
    assert settings.PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT == 10
    users = [UserFactory(email=f"person-{n}@testshire.example") for n in range(12)]
    for user in users:
        response = client.post(reverse(RESET), {"email": user.email})
        assert response.url == reverse("accounts:password_reset_sent")
    assert len(mail.outbox) == 10
    throttled = AuditEvent.objects.filter(action="user.password_reset_throttled")
    event = throttled.get(actor_label=users[-1].email)
    assert event.payload == {"ip": "127.0.0.1", "limit": "client"}
    # Another client is not held back by the first.
    Client(REMOTE_ADDR="192.0.2.7").post(reverse(RESET), {"email": users[-1].email})
    assert len(mail.outbox) == 11


@pytest.mark.django_db
def test_unknown_addresses_count_too_and_the_answer_is_the_same(client):
    answers = [client.post(reverse(RESET), {"email": "nobody@x.example"}) for _ in range(5)]
    assert mail.outbox == []
    assert {response.url for response in answers} == {reverse("accounts:password_reset_sent")}
    assert AuditEvent.objects.filter(action="user.password_reset_throttled").count() == 2


@pytest.mark.django_db
def test_the_limit_keeps_no_email_or_client_address_in_the_database(client, business_unit_user):
    client.post(reverse(RESET), {"email": "bu@testshire.example"})
    stored = " ".join(RateLimitHit.objects.values_list("key_hash", flat=True))
    assert "testshire" not in stored
    assert "127.0.0.1" not in stored


@pytest.mark.django_db
@override_settings(PASSWORD_RESET_EMAILS_PER_HOUR_PER_EMAIL=1)
def test_hits_older_than_an_hour_no_longer_count(client, business_unit_user):
    client.post(reverse(RESET), {"email": "bu@testshire.example"})
    RateLimitHit.objects.update(at=timezone.now() - datetime.timedelta(hours=1, seconds=1))
    client.post(reverse(RESET), {"email": "bu@testshire.example"})
    assert len(mail.outbox) == 2
    # The hour-old hit was forgotten when the new one was counted.
    assert RateLimitHit.objects.filter(bucket="password_reset:email").count() == 1


# (c) Email addresses are not case-sensitive -----------------------------------------------------


@pytest.mark.django_db
def test_sign_in_ignores_the_case_of_the_email_address(client, business_unit_user):
    response = sign_in(client, email="BU@Testshire.Example")
    assert response.status_code == 302
    assert response.url == reverse("workspace:staff_home")
    assert client.session["_auth_user_id"] == str(business_unit_user.pk)


@pytest.mark.django_db
def test_failures_in_any_case_count_towards_one_lockout(client, business_unit_user):
    variants = ["bu@testshire.example", "BU@testshire.example", "Bu@Testshire.example"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, email=variants[n % len(variants)], password="wrong-password-123")
    assert sign_in(client, email="bU@TESTSHIRE.EXAMPLE").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"bu@testshire.example"}


@pytest.mark.django_db
def test_password_reset_finds_the_account_whatever_the_case(client, business_unit_user):
    reset_password(client, email="BU@TESTSHIRE.EXAMPLE")
    assert mail.outbox[0].to == ["bu@testshire.example"]
    assert sign_in(client, password=NEW_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_email_addresses_are_stored_in_lower_case(db):
    user = User.objects.create_user("Sam.Smith@Testshire.Example", PASSWORD, full_name="Sam")
    assert user.email == "sam.smith@testshire.example"
    made = UserFactory(email="Alex.Jones@Testshire.Example")
    assert made.email == "alex.jones@testshire.example"
    made.refresh_from_db()
    assert made.email == "alex.jones@testshire.example"
    assert User.objects.get(email="ALEX.JONES@testshire.example") == made


@pytest.mark.django_db
def test_the_admin_form_stores_a_new_address_in_lower_case(client, business_unit_user):
    admin = UserFactory(email="admin@testshire.example", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[business_unit_user.pk]),
        {
            "email": "New.Address@Testshire.Example",
            "full_name": business_unit_user.full_name,
            "job_title": "",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    business_unit_user.refresh_from_db()
    assert business_unit_user.email == "new.address@testshire.example"


@pytest.mark.django_db(transaction=True)
def test_the_migration_lowers_addresses_already_stored():
    # An address stored in mixed case before this change, then the migration run again: its
    # operations applied as `migrate` applies them, with the historical models of the state
    # before it (accounts 0001). It changes no column (checked here), so it runs on today's
    # table as on the old one, without migrating every app back past it and forward again
    # (which took a minute of the tests' time).
    from django.db.migrations import RunPython, SeparateDatabaseAndState
    from django.db.migrations.loader import MigrationLoader

    user = UserFactory(email="placeholder@testshire.example")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET email = %s WHERE id = %s",
            ["Mixed.Case@Testshire.Example", user.pk],
        )
    loader = MigrationLoader(connection)
    migration = loader.graph.nodes[("accounts", "0002_email_lower_case")]
    assert [type(operation) for operation in migration.operations] == [
        SeparateDatabaseAndState,
        RunPython,
    ]
    assert migration.operations[0].database_operations == []
    before = loader.project_state(("accounts", "0001_initial"), at_end=True)
    with connection.schema_editor() as schema_editor:
        migration.apply(before, schema_editor)
    with connection.cursor() as cursor:  # the stored column, not the field's reading of it
        cursor.execute("SELECT email FROM accounts_user WHERE id = %s", [user.pk])
        assert cursor.fetchone() == ("mixed.case@testshire.example",)
