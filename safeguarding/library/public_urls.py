"""Public pages of the learning library, under /<partnership>/ (no sign-in)."""

from django.urls import path

from . import public_views

app_name = "library_public"

urlpatterns = [
    path("library/", public_views.search_page, name="search"),
    path("library/<int:pk>/", public_views.record_detail, name="record"),
    path("library.json", public_views.records_json, name="json"),
]
