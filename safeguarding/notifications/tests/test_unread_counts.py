"""The kept unread counts (``notifications.UnreadCount``, issue 16, ADR 0046): after any change to
the notifications, by a service, ``save()``, ``update()``, ``bulk_create()`` or ``delete()``, the
kept counts equal a fresh count of each person's unread notifications, on SQLite and PostgreSQL
(the database triggers of migration ``notifications/0002``); the service navigation shows the
kept count."""

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.notifications.models import Notification, UnreadCount
from safeguarding.notifications.selectors import notification_unread_count
from safeguarding.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    notify,
)

from .conftest import EXAMPLE

pytestmark = pytest.mark.django_db


def _fresh() -> dict[int, int]:
    return {
        row["recipient_id"]: row["n"]
        for row in Notification.objects.filter(recipient__isnull=False, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
    }


def _kept() -> dict[int, int]:
    return dict(UnreadCount.objects.filter(n__gt=0).values_list("recipient_id", "n"))


def assert_kept():
    assert _kept() == _fresh()
    assert not UnreadCount.objects.filter(n__lt=0).exists()


def tell(partnership, recipients, thing):
    return notify(
        kind=EXAMPLE,
        recipients=recipients,
        partnership=partnership,
        context={"thing": thing},
        link="/manage/testshire/",
    )


def test_kept_counts_follow_every_kind_of_write(partnership, user_for_role):
    alex = user_for_role(Role.BUSINESS_UNIT, email="alex@testshire.example")
    sam = user_for_role(Role.PANEL_MEMBER, email="sam@testshire.example")
    assert_kept()
    (first,) = tell(partnership, [alex], "One")  # the service
    tell(partnership, [alex, sam], "Two")
    # Someone without an account: an address only, counted for no one.
    tell(partnership, ["someone@agency.example"], "Three")
    assert _kept() == {alex.pk: 2, sam.pk: 1}
    assert_kept()

    notification_mark_read(notification=first, user=alex)  # opened
    assert_kept()
    first.read_at = None  # save(): unread again
    first.save()
    assert_kept()
    first.subject = "Changed"  # no counted column: no change
    first.save()
    Notification.objects.filter(pk=first.pk).update(email_status=Notification.EmailStatus.SENT)
    assert_kept()
    Notification.objects.filter(pk=first.pk).update(recipient=sam)  # given to someone else
    assert _kept() == {alex.pk: 1, sam.pk: 2}
    assert_kept()
    Notification.objects.filter(pk=first.pk).update(recipient=None, read_at=timezone.now())
    assert_kept()
    Notification.objects.filter(pk=first.pk).update(recipient=alex, read_at=None)
    assert_kept()

    copies = []
    for n in range(3):
        copy = Notification.objects.get(pk=first.pk)
        copy.pk, copy.dedupe_key = None, None
        copy.recipient = [alex, sam, None][n]
        copy.read_at = [None, None, timezone.now()][n]
        copies.append(copy)
    Notification.objects.bulk_create(copies)  # bulk_create()
    assert_kept()

    assert notifications_mark_all_read(user=alex) == 3  # update() of many
    assert _kept() == {sam.pk: 2}
    assert_kept()
    Notification.objects.filter(recipient=sam).first().delete()  # delete()
    assert_kept()
    Notification.objects.filter(recipient=sam).delete()  # a bulk delete
    assert_kept()
    assert notification_unread_count(user=alex) == 0
    assert notification_unread_count(user=sam) == 0

    tell(partnership, [sam], "Four")
    assert notification_unread_count(user=sam) == 1
    # Emptied in any order (as a flush does): no negative count left behind.
    UnreadCount.objects.all().delete()
    Notification.objects.all().delete()
    assert not UnreadCount.objects.exists()


def test_people_are_written_in_the_order_of_their_ids_and_returned_as_given(
    partnership, user_for_role, mailoutbox, django_capture_on_commit_callbacks
):
    """Each unread notification holds its person's count row until the commit: two requests
    telling the same people in opposite orders must lock them in one order, or PostgreSQL
    deadlocks one of them. The notices and emails still come back in the order given."""
    first = user_for_role(Role.BUSINESS_UNIT, email="first@testshire.example")
    second = user_for_role(Role.PANEL_MEMBER, email="second@testshire.example")
    assert first.pk < second.pk
    with django_capture_on_commit_callbacks(execute=True):
        told = tell(partnership, [second, "no-account@testshire.example", first], "Order")
    assert [n.email for n in told] == [
        "second@testshire.example",
        "no-account@testshire.example",
        "first@testshire.example",
    ]
    by_email = {n.email: n.pk for n in told}
    assert (
        by_email["first@testshire.example"]
        < by_email["second@testshire.example"]
        < by_email["no-account@testshire.example"]
    )
    assert [m.to for m in mailoutbox] == [[n.email] for n in told]
    assert_kept()


def test_a_deleted_user_takes_their_count_away(partnership, user_for_role):
    alex = user_for_role(Role.BUSINESS_UNIT, email="alex@testshire.example")
    tell(partnership, [alex], "One")
    assert UnreadCount.objects.filter(recipient=alex, n=1).exists()
    alex_pk = alex.pk
    alex.delete()
    assert not UnreadCount.objects.filter(recipient_id=alex_pk).exists()
    assert_kept()


def test_the_navigation_shows_the_kept_count(client, partnership, user_for_role):
    alex = user_for_role(Role.BUSINESS_UNIT, email="alex@testshire.example")
    tell(partnership, [alex], "One")
    tell(partnership, [alex], "Two")
    client.force_login(alex)
    page = client.get(reverse("accounts:account")).content.decode()
    assert (
        'Notifications <strong class="govuk-tag govuk-tag--blue">2'
        '<span class="govuk-visually-hidden"> unread</span></strong>' in page
    )
    notifications_mark_all_read(user=alex)
    page = client.get(reverse("accounts:account")).content.decode()
    assert ">Notifications</a>" in page
