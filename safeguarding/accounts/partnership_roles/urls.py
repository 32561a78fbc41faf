from django.urls import path

from . import views

app_name = "partnership_roles"

urlpatterns = [
    path("", views.role_list, name="list"),
    path("add/", views.role_add, name="add"),
    path("<int:pk>/change/", views.role_change, name="change"),
    path("<int:pk>/end/", views.role_end, name="end"),
]
