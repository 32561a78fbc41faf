"""Staff pages for milestones, under /manage/<partnership>/milestones/."""

from django.urls import path

from . import views

app_name = "clock"

urlpatterns = [
    path("<int:pk>/pause/", views.milestone_pause, name="pause"),
    path("<int:pk>/resume/", views.milestone_resume, name="resume"),
    path("<int:pk>/extend/", views.milestone_extend, name="extend"),
]
