from django.utils.functional import SimpleLazyObject

from .selectors import notification_unread_count


def unread_notifications(request):
    """How many unread notifications the signed-in user has, for the count in the service
    navigation: one query, made only if a page shows it, and once per request."""

    def count() -> int:
        if not hasattr(request, "_unread_notifications"):
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            request._unread_notifications = notification_unread_count(user=user) if signed_in else 0
        return request._unread_notifications

    return {"unread_notifications": SimpleLazyObject(count)}
