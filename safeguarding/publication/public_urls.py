"""Public pages of published reviews, under /<partnership>/published/ (no sign-in)."""

from django.urls import path

from . import public_views

app_name = "published"

urlpatterns = [
    path("archive/", public_views.archive, name="archive"),
    path("feed.atom", public_views.feed, name="feed"),
    path("<int:pk>/", public_views.detail, name="detail"),
    path("<int:pk>/files/<int:file_pk>/", public_views.file_download, name="file"),
]
