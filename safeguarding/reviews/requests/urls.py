from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/requests/", views.request_list, name="requests"),
    path("agency-requests/", views.my_requests, name="my_requests"),
    path(
        "<int:pk>/requests/partner/<int:partner_pk>/",
        views.request_partner,
        name="request_partner",
    ),
    path("requests/<int:request_pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/requests/chase/", views.requests_chase, name="requests_chase"),
    path("requests/<int:request_pk>/chase/", views.request_chase, name="request_chase"),
    path(
        "requests/<int:request_pk>/record-return/",
        views.request_record_return,
        name="request_record_return",
    ),
    path("requests/<int:request_pk>/close/", views.request_close, name="request_close"),
    path("requests/<int:request_pk>/readdress/", views.request_readdress, name="request_readdress"),
    path(
        "requests/<int:request_pk>/returns/<int:return_pk>/attachment/",
        views.return_attachment,
        name="return_attachment",
    ),
]
