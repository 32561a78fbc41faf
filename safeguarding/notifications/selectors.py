"""Reads of notifications: a person sees only their own. Someone else's notification answers
404, as one that does not exist (ADR 0010)."""

from collections import defaultdict
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page
from django.db import models, router
from django.http import Http404, HttpRequest

from safeguarding.core.compiled_sql import PK_PLACEHOLDER, CompiledQuery
from safeguarding.core.pagination import CompiledList

from .models import Notification, NotificationAttachment, UnreadCount


def _newest_first(recipient_id: int):
    return (
        Notification.objects.filter(recipient_id=recipient_id)
        .select_related("partnership")
        .only(
            "subject",
            "created_at",
            "read_at",
            "link",
            "kind",
            "partnership__name",
            "partnership__slug",
        )
        .order_by("-created_at", "-id")
    )


# A page of them with the count of all in one query, the SQL built once (issue 16); the count a
# subquery apart (``notification_newest`` gives the page in order without reading them all).
_PAGES = CompiledList(
    _newest_first,
    {"recipient_id": (PK_PLACEHOLDER, Notification._meta.get_field("recipient"))},
    count_apart=True,
)


def notification_page_for_user(*, user, request: HttpRequest) -> tuple[Page, dict | None]:
    """The user's notifications, newest first, the page ``?page=`` asks for (a page past the
    end gives the last page, one that is not a number the first) and its pagination links."""
    return _PAGES.page(request, recipient_id=user.pk)


def notification_get_for_user(*, user, pk: int) -> Notification:
    """One of the user's notifications; 404 for anyone else's, as for one that does not exist
    (ADR 0010)."""
    try:
        return (
            Notification.objects.select_related("partnership")
            .prefetch_related("attachments")
            .get(pk=pk, recipient=user)
        )
    except Notification.DoesNotExist:
        raise Http404("No such notification") from None


def notification_attachment_get(*, notification: Notification, pk: int) -> NotificationAttachment:
    """A file of ``notification`` (read through ``notification_get_for_user``, its attachments
    prefetched); 404 for an id that is not one of them."""
    for attachment in notification.attachments.all():
        if attachment.pk == pk:
            return attachment
    raise Http404("No such attachment")


# The service navigation of every staff page shows the count: its SQL is built once, and it
# reads the one row database triggers keep per person (``UnreadCount``, ADR 0046), not the
# unread notifications themselves, which grow with the years (issue 16).
_UNREAD = CompiledQuery(
    lambda user_id: UnreadCount.objects.filter(recipient_id=user_id).values_list("n"),
    # A user id no row has, standing for the real one while the SQL is built.
    {"user_id": (-7_301_946_290, UnreadCount._meta.get_field("recipient"))},
)


def notification_unread_count(*, user) -> int:
    rows = _UNREAD.rows(router.db_for_read(UnreadCount), user_id=user.pk)
    return rows[0][0] if rows else 0


def notifications_about(
    *, objects: Sequence[models.Model], kinds: Sequence[str]
) -> dict[int, list[Notification]]:
    """Who was told about each of ``objects`` (of one model) with one of ``kinds``, by the
    object's id, oldest first: for a page that says who was emailed about a record (read only
    by those who may see that record: only the address, status and time are meant to be
    shown)."""
    found: dict[int, list[Notification]] = defaultdict(list)
    if not objects:
        return found
    notifications = (
        Notification.objects.filter(
            subject_type=ContentType.objects.get_for_model(objects[0]),
            subject_id__in=[o.pk for o in objects],
            kind__in=kinds,
        )
        .only("subject_id", "email", "email_status", "created_at", "kind")
        .order_by("created_at", "id")
    )
    for notification in notifications:
        if notification.subject_id is not None:
            found[notification.subject_id].append(notification)
    return found
