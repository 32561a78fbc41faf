"""The merged chronology pages (namespace "reviews"), under /manage/<slug>/reviews/."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/chronology/", views.merged, name="chronology"),
    path("<int:pk>/chronology/template/", views.template, name="chronology_template"),
    path("<int:pk>/chronology/upload/", views.upload, name="chronology_upload"),
    path("<int:pk>/chronology/add/", views.add, name="chronology_add"),
    path(
        "<int:pk>/chronology/files/<int:upload_pk>/",
        views.upload_file,
        name="chronology_upload_file",
    ),
    path("<int:pk>/chronology/export/", views.export, name="chronology_export"),
]
