"""Public pages of learning digests, under /<partnership>/digests/ (no sign-in)."""

from django.urls import path

from . import public_views

app_name = "digests_public"

urlpatterns = [
    path("", public_views.issue_list, name="list"),
    path("subscribe/", public_views.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", public_views.subscribe_sent, name="subscribe_sent"),
    path("confirm/<str:token>/", public_views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path("<int:number>/", public_views.issue_detail, name="issue"),
    path("<int:number>/pdf/", public_views.issue_pdf, name="pdf"),
    path("<int:number>/docx/", public_views.issue_docx, name="docx"),
]
