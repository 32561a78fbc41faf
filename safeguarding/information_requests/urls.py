from django.urls import path

from . import views

app_name = "information_requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("cases/<int:case_pk>/", views.case_requests, name="case"),
    path("cases/<int:case_pk>/add/", views.request_make, name="make"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/answer/", views.request_answer, name="answer"),
    path("<int:pk>/refuse/", views.request_refuse, name="refuse"),
    path("<int:pk>/escalate/", views.request_escalate, name="escalate"),
]
