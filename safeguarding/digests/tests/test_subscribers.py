"""Subscribing by email: a confirmed sign-up, no way to learn who is subscribed, one-click
unsubscribe, and a limit on attempts."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.digests.models import Subscriber

from .support import subscriber

pytestmark = pytest.mark.django_db


def public(name, *args, slug="testshire"):
    return reverse(f"digests_public:{name}", args=[slug, *args])


def _link(message, name: str) -> str:
    return re.search(rf"http://testserver(/testshire/digests/{name}/[^/\s]+/)", message.body)[1]


def test_subscribing_sends_a_confirmation_link_and_confirming_needs_a_button(client, partnership):
    response = client.post(public("subscribe"), {"email": " Reader@Example.org "})
    assert response.status_code == 302
    assert response["Location"] == public("subscribe_sent")
    assert "Check your email" in client.get(response["Location"]).content.decode()

    new = Subscriber.objects.get(partnership=partnership)
    assert new.email == "reader@example.org"
    assert new.confirmed_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.org"]
    confirm = _link(mail.outbox[0], "confirm")
    assert confirm == public("confirm", new.token)

    # Following the link (a person, or a mail scanner) only shows a button.
    page = client.get(confirm)
    assert page.status_code == 200
    assert "Confirm my subscription" in page.content.decode()
    new.refresh_from_db()
    assert new.confirmed_at is None

    done = client.post(confirm)
    assert done.status_code == 200
    assert "You are subscribed" in done.content.decode()
    new.refresh_from_db()
    assert new.confirmed_at is not None
    assert AuditEvent.objects.filter(action="digest.subscribed").count() == 1
    assert "reader@example.org" not in str(AuditEvent.objects.values().first())


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, partnership):
    subscriber(partnership, "known@example.org")
    known = client.post(public("subscribe"), {"email": "known@example.org"})
    unknown = client.post(public("subscribe"), {"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The address's owner learns it is subscribed already; nobody else learns anything.
    note = next(m for m in mail.outbox if m.to == ["known@example.org"])
    assert "You already get them" in note.body
    assert Subscriber.objects.filter(partnership=partnership).count() == 2


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "x" * 250 + "@example.org"])
def test_a_bad_email_address_shows_an_error_and_changes_nothing(client, partnership, email):
    response = client.post(public("subscribe"), {"email": email})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_one_confirmation_email_per_address_per_cooldown(client, partnership):
    for _ in range(3):
        response = client.post(public("subscribe"), {"email": "reader@example.org"})
        assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert Subscriber.objects.count() == 1


@override_settings(DIGEST_SUBSCRIBE_PER_HOUR_PER_ADDRESS=2)
def test_too_many_attempts_from_one_address_are_refused(client, partnership):
    for n in range(2):
        client.post(public("subscribe"), {"email": f"person{n}@example.org"})
    response = client.post(public("subscribe"), {"email": "person9@example.org"})
    assert response.status_code == 200
    assert "Wait an hour" in response.content.decode()
    assert not Subscriber.objects.filter(email="person9@example.org").exists()
    assert len(mail.outbox) == 2


@override_settings(DIGEST_SUBSCRIBE_PER_HOUR_PER_ADDRESS=1, TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_one_reader_at_the_limit_does_not_block_another(partnership):
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert first.post(public("subscribe"), {"email": "one@example.org"}).status_code == 302
    refused = first.post(public("subscribe"), {"email": "two@example.org"})
    assert "Wait an hour" in refused.content.decode()
    assert second.post(public("subscribe"), {"email": "three@example.org"}).status_code == 302
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "one@example.org",
        "three@example.org",
    }


@override_settings(DIGEST_SUBSCRIBE_PER_HOUR_PER_ADDRESS=1, TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_limit(partnership):
    for n in range(2):
        browser = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        response = browser.post(public("subscribe"), {"email": f"person{n}@example.org"})
    assert "Wait an hour" in response.content.decode()
    assert Subscriber.objects.count() == 1


def test_unsubscribing_from_the_link_shows_a_button_then_stops_the_emails(client, partnership):
    reader = subscriber(partnership, "reader@example.org")
    link = public("unsubscribe", reader.token)
    page = client.get(link)
    assert page.status_code == 200
    assert "Unsubscribe from learning digests" in page.content.decode()
    reader.refresh_from_db()
    assert reader.unsubscribed_at is None

    done = client.post(link)
    assert "You have unsubscribed" in done.content.decode()
    reader.refresh_from_db()
    assert reader.unsubscribed_at is not None
    assert AuditEvent.objects.filter(action="digest.unsubscribed").count() == 1
    client.post(link)  # again: nothing more happens
    assert AuditEvent.objects.filter(action="digest.unsubscribed").count() == 1


def test_one_click_unsubscribe_works_without_a_csrf_token(partnership):
    """RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the address."""
    reader = subscriber(partnership, "reader@example.org")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        public("unsubscribe", reader.token),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.unsubscribed_at is not None


def test_confirming_needs_the_csrf_token(partnership):
    waiting = subscriber(partnership, "reader@example.org", confirmed=False)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(public("confirm", waiting.token)).status_code == 403
    waiting.refresh_from_db()
    assert waiting.confirmed_at is None


def test_a_wrong_token_or_another_partnerships_token_is_not_found(
    client, partnership, other_partnership
):
    reader = subscriber(partnership, "reader@example.org", confirmed=False)
    assert client.get(public("confirm", "not-a-token")).status_code == 404
    assert client.post(public("unsubscribe", "not-a-token")).status_code == 404
    assert client.post(public("confirm", reader.token, slug="elsewhere")).status_code == 404
    reader.refresh_from_db()
    assert reader.confirmed_at is None


def test_someone_who_unsubscribed_can_subscribe_again_by_confirming(client, partnership):
    reader = subscriber(partnership, "reader@example.org", unsubscribed=True)
    client.post(public("subscribe"), {"email": "reader@example.org"})
    assert "Confirm my subscription" in mail.outbox[0].body
    reader.refresh_from_db()
    assert reader.unsubscribed_at is not None  # not until they confirm
    client.post(_link(mail.outbox[0], "confirm"))
    reader.refresh_from_db()
    assert reader.unsubscribed_at is None
    assert reader.confirmed_at is not None
