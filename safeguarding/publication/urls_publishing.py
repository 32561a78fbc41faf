"""Staff pages for publishing a signed-off review (included by urls.py)."""

from django.urls import path

from . import publishing_views as views

urlpatterns = [
    path("reviews/", views.publication_list, name="list"),
    path("reviews/start/<int:review_pk>/", views.publication_start, name="start"),
    path("reviews/<int:pk>/", views.publication_detail, name="detail"),
    path("reviews/<int:pk>/decision/", views.publication_decision, name="decision"),
    path("reviews/<int:pk>/files/", views.publication_file_upload, name="file_upload"),
    path(
        "reviews/<int:pk>/files/<int:file_pk>/replace/",
        views.publication_file_replace,
        name="file_replace",
    ),
    path(
        "reviews/<int:pk>/findings/<int:finding_pk>/",
        views.publication_finding_resolve,
        name="finding_resolve",
    ),
    path(
        "reviews/<int:pk>/findings/false-matches/",
        views.publication_findings_false_match,
        name="findings_false_match",
    ),
    path("reviews/<int:pk>/steps/", views.publication_step_add, name="step_add"),
    path("reviews/<int:pk>/home-office/", views.home_office, name="home_office"),
    path(
        "reviews/<int:pk>/home-office/<int:submission_pk>/letter/",
        views.home_office_letter,
        name="home_office_letter",
    ),
    path(
        "reviews/<int:pk>/home-office/<int:submission_pk>/letter/file/",
        views.home_office_letter_download,
        name="home_office_letter_download",
    ),
    path("reviews/<int:pk>/publish/", views.publication_publish, name="publish"),
    path("reviews/<int:pk>/correct/", views.publication_correct, name="correct"),
    path("reviews/<int:pk>/withdraw/", views.publication_withdraw, name="withdraw"),
    # Another partnership's publication of a review shared with this one (ADR 0022)
    path(
        "shared/<int:pk>/sign-off/",
        views.partner_sign_off_record,
        name="partner_sign_off",
    ),
]
