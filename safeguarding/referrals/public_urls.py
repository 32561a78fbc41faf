"""Public pages for referrers, under /<partnership>/refer/ (no sign-in)."""

from django.urls import path

from . import public_views

app_name = "refer"

urlpatterns = [
    path("", public_views.start, name="start"),
    path("sent/", public_views.sent, name="sent"),
    path("status/<str:token>/", public_views.status, name="status"),
    path("<slug:review_type>/", public_views.type_start, name="type_start"),
    path("<slug:review_type>/word-form.docx", public_views.word_form, name="word_form"),
    path("<slug:review_type>/check/", public_views.check, name="check"),
    path("<slug:review_type>/<slug:page>/", public_views.question_page, name="page"),
]
