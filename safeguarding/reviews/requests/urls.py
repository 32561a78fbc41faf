from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/requests/", views.request_list, name="requests"),
    path("agency-requests/", views.my_requests, name="my_requests"),
    path("requests/<int:request_pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:request_pk>/chase/", views.request_chase, name="request_chase"),
    path(
        "requests/<int:request_pk>/returns/<int:return_pk>/attachment/",
        views.return_attachment,
        name="return_attachment",
    ),
]
