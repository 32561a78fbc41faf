"""URL patterns of "Your notifications" (namespace "notifications", at /manage/notifications/)."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notifications_mark_all_read, name="mark_all_read"),
    path("<int:pk>/", views.notification_detail, name="detail"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.notification_attachment,
        name="attachment",
    ),
]
