from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.staff_home, name="staff_home"),
    path("<slug:slug>/", views.partnership_home, name="partnership_home"),
    path("<slug:slug>/cases/", views.case_list, name="case_list"),
]
