"""Your notifications (/manage/notifications/): what the service told you, newest first. Every
signed-in person has this page and sees only their own notifications: someone else's answers
404, as one that does not exist (ADR 0010)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from safeguarding.core.files import file_response

from . import selectors, services
from .rows import notification_rows_html


@require_safe
def notification_list(request):
    page, _ = selectors.notification_page_for_user(user=request.user, request=request)
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "rows": notification_rows_html(page.object_list),
            "page_numbers": page_numbers,
            "ellipsis": page.paginator.ELLIPSIS,
        },
    )


@require_safe
def notification_detail(request, pk: int):
    """Opening a notification marks it read."""
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, user=request.user)
    return render(request, "notifications/detail.html", {"notification": notification})


@require_POST
def notifications_mark_all_read(request):
    marked = services.notifications_mark_all_read(user=request.user)
    if marked:
        messages.success(
            request, f"{marked} notification{'' if marked == 1 else 's'} marked as read"
        )
    return redirect("notifications:list")


@require_safe
def notification_attachment(request, pk: int, attachment_pk: int):
    """A file that came with the notification (a calendar invitation), for its recipient. Like
    every staff download it is audited: it names a review and a meeting."""
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    attachment = selectors.notification_attachment_get(notification=notification, pk=attachment_pk)
    return file_response(
        request,
        content=bytes(attachment.content),
        filename=attachment.filename,
        content_type=attachment.content_type,
        audit_action="notification.attachment_downloaded",
        target=notification,
        partnership=notification.partnership,
        payload={"kind": notification.kind, "attachment": attachment.pk},
    )
