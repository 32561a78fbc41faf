"""The partnership's own quality marker sets (ADR 0024), part of the reviews namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("marker-sets/", views.marker_set_list, name="marker_sets"),
    path("marker-sets/add/", views.marker_set_add, name="marker_set_add"),
    path("marker-sets/<int:pk>/", views.marker_set_detail, name="marker_set"),
    path("marker-sets/<int:pk>/change/", views.marker_set_edit, name="marker_set_edit"),
    path("marker-sets/<int:pk>/archive/", views.marker_set_archive, name="marker_set_archive"),
    path("marker-sets/<int:pk>/markers/add/", views.marker_add, name="marker_add"),
    path("marker-sets/<int:pk>/markers/<int:marker_pk>/", views.marker_edit, name="marker_edit"),
    path(
        "marker-sets/<int:pk>/markers/<int:marker_pk>/archive/",
        views.marker_archive,
        name="marker_archive",
    ),
    path(
        "marker-sets/<int:pk>/markers/<int:marker_pk>/restore/",
        views.marker_restore,
        name="marker_restore",
    ),
]
