"""Staff pages of the learning library, under /manage/<partnership>/library/."""

from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("records/add/", views.record_add, name="record_add"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/archive/", views.record_archive, name="record_archive"),
    path("records/<int:pk>/submission/", views.submission, name="submission"),
    path(
        "records/<int:pk>/submission/download/",
        views.submission_download,
        name="submission_download",
    ),
    path("records/<int:pk>/submission/sent/", views.submission_sent, name="submission_sent"),
    path("import/", views.import_page, name="import"),
    path("national-reviews/", views.national_reviews, name="national_reviews"),
    path("national-reviews/add/", views.national_review_add, name="national_review_add"),
    path(
        "national-reviews/<int:pk>/remove/",
        views.national_review_remove,
        name="national_review_remove",
    ),
    path("search-terms/", views.search_terms, name="search_terms"),
    path("search-terms/<int:pk>/remove/", views.search_term_remove, name="search_term_remove"),
    path("themes/", views.themes_by_year, name="themes"),
]
