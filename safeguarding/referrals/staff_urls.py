"""Staff pages for referrals and cases, under /manage/<partnership>/."""

from django.urls import path

from . import staff_views as views
from . import word_views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.triage, name="triage"),
    path("referrals/upload/", word_views.upload, name="upload"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/identity/", views.referral_identity, name="identity"),
    path("referrals/<int:pk>/start-screening/", views.referral_open_case, name="open_case"),
    path("referrals/<int:pk>/link-to-case/", views.referral_link_case, name="link_case"),
    path(
        "referrals/<int:pk>/source-agency/",
        views.referral_source_agency,
        name="source_agency",
    ),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/screening/", views.case_screening, name="screening"),
    path("cases/<int:pk>/became-aware/", views.case_became_aware, name="became_aware"),
    path("cases/<int:pk>/decide/", views.case_send_for_decision, name="send_for_decision"),
    path(
        "cases/<int:pk>/tracks/<int:track_pk>/decision/",
        views.decision_record,
        name="decision",
    ),
    path("cases/<int:pk>/notifications/add/", views.notification_add, name="notification_add"),
    path(
        "cases/<int:pk>/notification-summary/",
        views.notification_summary,
        name="notification_summary",
    ),
    # Sharing a case with another partnership (ADR 0022)
    path("cases/<int:pk>/sharing/", views.case_shares, name="case_shares"),
    path(
        "cases/<int:pk>/sharing/<int:share_pk>/end/",
        views.case_share_end,
        name="case_share_end",
    ),
    path("shared-cases/", views.shares, name="shares"),
    path("shared-cases/<int:pk>/", views.share_answer, name="share_answer"),
    path("decisions/<int:pk>/sign/", views.decision_sign, name="sign"),
    path("decisions/<int:pk>/decline/", views.decision_decline, name="decline"),
    path(
        "decisions/<int:pk>/disagreements/<int:disagreement_pk>/resolve/",
        views.disagreement_resolve,
        name="disagreement_resolve",
    ),
    path(
        "decisions/<int:pk>/signatories/<int:decision_maker_pk>/replace/",
        views.signatory_replace,
        name="signatory_replace",
    ),
]
