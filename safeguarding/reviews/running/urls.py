"""URL patterns for running a review (namespace "reviews", mounted at /manage/<slug>/reviews/)."""

from django.urls import path

from . import record_views, views

urlpatterns = [
    path("", views.review_list, name="list"),
    path("commission/<int:case_pk>/", views.review_commission, name="commission"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/move/", views.review_move, name="move"),
    path("<int:pk>/terms/", views.review_terms, name="terms"),
    path("<int:pk>/terms/document/", views.review_terms_document, name="terms_document"),
    path("<int:pk>/appointments/", views.review_appointments, name="appointments"),
    path("<int:pk>/meetings/", views.review_meetings, name="meetings"),
    path("<int:pk>/people/", views.review_people, name="people"),
    path(
        "<int:pk>/people/<int:person_pk>/identity/",
        views.review_person_identity,
        name="person_identity",
    ),
    path("<int:pk>/people/<int:person_pk>/", record_views.review_person, name="person"),
    path(
        "<int:pk>/people/<int:person_pk>/remove/",
        record_views.review_person_remove,
        name="person_remove",
    ),
    path(
        "<int:pk>/people/<int:person_pk>/restore/",
        record_views.review_person_restore,
        name="person_restore",
    ),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/",
        record_views.review_appointment,
        name="appointment",
    ),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/end/",
        record_views.review_appointment_end,
        name="appointment_end",
    ),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/restore/",
        record_views.review_appointment_restore,
        name="appointment_restore",
    ),
    path("<int:pk>/meetings/<int:meeting_pk>/", record_views.review_meeting, name="meeting"),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/remove/",
        record_views.review_meeting_remove,
        name="meeting_remove",
    ),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/restore/",
        record_views.review_meeting_restore,
        name="meeting_restore",
    ),
    path(
        "<int:pk>/people/proposed/<int:proposal_pk>/",
        views.review_person_proposal,
        name="person_proposal",
    ),
    path("<int:pk>/family/", views.review_family, name="family"),
    path(
        "<int:pk>/family/<int:contact_pk>/",
        record_views.review_family_contact,
        name="family_contact",
    ),
    path(
        "<int:pk>/family/<int:contact_pk>/remove/",
        record_views.review_family_contact_remove,
        name="family_contact_remove",
    ),
    path(
        "<int:pk>/family/<int:contact_pk>/restore/",
        record_views.review_family_contact_restore,
        name="family_contact_restore",
    ),
    path("<int:pk>/documents/", views.review_documents, name="documents"),
    path("<int:pk>/documents/upload/", views.review_document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/versions/<int:version_pk>/",
        views.review_document_download,
        name="document_download",
    ),
    path("<int:pk>/quality/", views.review_quality, name="quality"),
    path("<int:pk>/findings/", views.review_findings, name="findings"),
    path("<int:pk>/findings/<int:finding_pk>/", views.review_finding_edit, name="finding_edit"),
    path("<int:pk>/sign-off/", views.review_sign_off, name="sign_off"),
    path("<int:pk>/sign-off/decline/", views.review_sign_off_decline, name="sign_off_decline"),
    path(
        "<int:pk>/sign-off/disagreements/<int:disagreement_pk>/resolve/",
        views.review_sign_off_disagreement_resolve,
        name="sign_off_disagreement_resolve",
    ),
    path("<int:pk>/reopen/", views.review_reopen, name="reopen"),
    path("<int:pk>/progress-check/", views.progress_check, name="progress_check"),
]
