"""The business unit's records pages, under /manage/<partnership>/records/."""

from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("retention/", views.retention, name="retention"),
    path("retention/holds/add/", views.hold_add, name="hold_add"),
    path("retention/holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("retention/<slug:key>/", views.retention_edit, name="retention_edit"),
    path("data-about-a-person/", views.person_search, name="person_search"),
    path("data-about-a-person/download/", views.person_download, name="person_download"),
]
