"""Your notifications: each person sees only their own, newest first; opening one marks it read;
the count of unread ones is in the service navigation of every page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.core.email_transport import Attachment
from safeguarding.notifications.models import Notification
from safeguarding.notifications.selectors import notification_unread_count
from safeguarding.notifications.services import notify

from .conftest import EXAMPLE

pytestmark = pytest.mark.django_db
LIST = reverse("notifications:list")


@pytest.fixture
def alex(user_for_role):
    return user_for_role(Role.BUSINESS_UNIT, email="alex@testshire.example", full_name="Alex Lee")


@pytest.fixture
def sam(user_for_role):
    return user_for_role(Role.PANEL_MEMBER, email="sam@testshire.example")


def tell(partnership, user, thing, **extra):
    (notification,) = notify(
        kind=EXAMPLE,
        recipients=[user],
        partnership=partnership,
        context={"thing": thing},
        link="/manage/testshire/",
        **extra,
    )
    return notification


def test_signed_in_people_see_their_own_notifications_newest_first(client, partnership, alex, sam):
    older = tell(partnership, alex, "The chronology")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    tell(partnership, alex, "The draft report")
    tell(partnership, sam, "Someone else's return")
    client.force_login(alex)

    page = client.get(LIST).content.decode()

    assert page.index("The draft report is ready") < page.index("The chronology is ready")
    assert "Someone else" not in page
    assert page.count('govuk-tag--blue">Unread') == 2
    assert "Mark all as read" in page
    # The count in the service navigation.
    assert 'Notifications <strong class="govuk-tag govuk-tag--blue">2<span' in page


def test_opening_a_notification_marks_it_read_and_shows_it(client, partnership, alex):
    notification = tell(partnership, alex, "The draft report")
    client.force_login(alex)

    page = client.get(reverse("notifications:detail", args=[notification.pk])).content.decode()

    assert '<h1 class="govuk-heading-l">The draft report is ready</h1>' in page
    assert "Hello Alex Lee, The draft report is ready at Testshire" in page
    assert 'href="/manage/testshire/"' in page
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "Unread" not in client.get(LIST).content.decode()


def test_someone_elses_notification_is_not_found(client, partnership, alex, sam):
    notification = tell(partnership, alex, "The draft report")
    client.force_login(sam)

    assert client.get(reverse("notifications:detail", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read_marks_only_your_own(client, partnership, alex, sam):
    tell(partnership, alex, "The draft report")
    tell(partnership, alex, "The chronology")
    theirs = tell(partnership, sam, "A return")
    client.force_login(alex)

    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"), follow=True)

    page = response.content.decode()
    assert "2 notifications marked as read" in page
    assert "Unread" not in page and "Mark all as read" not in page
    assert not Notification.objects.filter(recipient=alex, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_is_paginated(client, partnership, alex):
    for number in range(30):
        tell(partnership, alex, f"Item {number}")
    client.force_login(alex)

    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()

    assert first.count("is ready</a>") == 25 and second.count("is ready</a>") == 5
    assert 'class="govuk-pagination"' in first and 'rel="next"' in first
    assert "Item 29 is ready" in first and "Item 0 is ready" in second
    assert client.get(LIST, {"page": "x"}).status_code == 200


def test_the_invitation_is_downloaded_from_the_notification(client, partnership, alex, sam):
    ics = Attachment(
        filename="invitation.ics",
        content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        mimetype="text/calendar",
        params=(("method", "REQUEST"),),
    )
    notification = tell(partnership, alex, "The meeting", attachments=[ics])
    (attachment,) = notification.attachments.all()
    url = reverse("notifications:attachment", args=[notification.pk, attachment.pk])
    client.force_login(alex)

    assert (
        "Download the invitation for your calendar"
        in client.get(reverse("notifications:detail", args=[notification.pk])).content.decode()
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="invitation.ics"'
    assert response.content == ics.content
    other = reverse("notifications:attachment", args=[notification.pk, attachment.pk + 1])
    assert client.get(other).status_code == 404

    client.force_login(sam)
    assert client.get(url).status_code == 404


def test_anonymous_people_are_asked_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


def _count_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [q["sql"] for q in queries if "notifications_" in q["sql"]]


def test_the_count_costs_one_query_on_a_page_and_none_on_a_download(client, partnership, alex):
    ics = Attachment(
        filename="invitation.ics", content=b"BEGIN:VCALENDAR", mimetype="text/calendar"
    )
    notification = tell(partnership, alex, "The meeting", attachments=[ics])
    attachment = notification.attachments.get()
    client.force_login(alex)

    (count,) = _count_queries(client, reverse("accounts:account"))
    # The unread count, kept by triggers (ADR 0046) and read with SQL built once (issue 16).
    assert "notifications_unreadcount" in count
    download = reverse("notifications:attachment", args=[notification.pk, attachment.pk])
    assert not any("unreadcount" in sql for sql in _count_queries(client, download))


def test_a_partnership_cannot_be_called_notifications():
    from safeguarding.accounts.models import RESERVED_SLUGS

    assert "notifications" in RESERVED_SLUGS


# The count's SQL is built once and reads the kept row (issue 16): the answer a count gives.
def test_unread_count_by_compiled_sql(partnership, user_for_role):
    alex, sam = user_for_role(Role.BUSINESS_UNIT), user_for_role(Role.PANEL_MEMBER)
    assert notification_unread_count(user=alex) == 0
    first = tell(partnership, alex, "One")
    tell(partnership, alex, "Two")
    tell(partnership, sam, "Three")
    assert notification_unread_count(user=alex) == 2
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    assert notification_unread_count(user=alex) == 1
    assert notification_unread_count(user=sam) == 1


def test_the_list_is_read_a_page_at_a_time_in_the_same_queries(
    client, partnership, alex, sam, django_assert_num_queries
):
    """Issue 16: a page of 25 and the count of every notification in one query (with the
    session, the user, the unread count...), however many there are; newest first, page 2 the
    next 25, a page past the last the last, one that is not a number the first."""
    client.force_login(alex)
    client.get(LIST)  # the session's first request
    with django_assert_num_queries(4):
        empty = client.get(LIST).content.decode()
    assert "You have no notifications yet." in empty
    start = timezone.now() - datetime.timedelta(days=60)
    for n in range(30):
        made = tell(partnership, alex, f"Paper {n:02}")
        Notification.objects.filter(pk=made.pk).update(
            created_at=start + datetime.timedelta(hours=n)
        )
    tell(partnership, sam, "Someone else's paper")
    with django_assert_num_queries(4):
        first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": "2"}).content.decode()
    beyond = client.get(LIST, {"page": "9"}).content.decode()
    wrong = client.get(LIST, {"page": "abc"}).content.decode()

    def listed(html):
        import re

        return re.findall(r"Paper (\d\d) is ready", html)

    newest_first = [f"{n:02}" for n in range(29, -1, -1)]
    assert listed(first) == newest_first[:25] and listed(wrong) == listed(first)
    assert listed(second) == newest_first[25:] and listed(beyond) == listed(second)
    assert "Someone else" not in first + second
    assert 'aria-label="Page 2"' in first and 'aria-current="page"' in second
