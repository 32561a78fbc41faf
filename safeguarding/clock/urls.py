"""Staff pages for milestones, under /manage/<partnership>/milestones/."""

from django.urls import path

from . import views

app_name = "clock"

urlpatterns = [
    path("settings/", views.settings_list, name="settings"),
    path("settings/<int:pk>/", views.setting_edit, name="setting_edit"),
    path("<int:pk>/pause/", views.milestone_pause, name="pause"),
    path("<int:pk>/resume/", views.milestone_resume, name="resume"),
    path("<int:pk>/extend/", views.milestone_extend, name="extend"),
]
