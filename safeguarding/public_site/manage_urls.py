"""Staff pages for the public Reviews page, under /manage/<partnership>/public-page/."""

from django.urls import path

from . import views

app_name = "public_page"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("sections/add/", views.block_add, name="block_add"),
    path("sections/<int:pk>/", views.block_edit, name="block_edit"),
    path("documents/add/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/take-down/", views.document_archive, name="document_archive"),
]
