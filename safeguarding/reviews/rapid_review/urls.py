from django.urls import path

from . import views

urlpatterns = [
    path("start-rapid-review/<int:case_pk>/", views.start_rapid_review, name="start_rapid_review"),
    path("<int:pk>/immediate-actions/", views.immediate_actions, name="immediate_actions"),
    path("<int:pk>/outcome/", views.rapid_review_outcome, name="rapid_review_outcome"),
    path("<int:pk>/report/", views.rapid_review_report, name="rapid_review_report"),
    path("<int:pk>/panel/", views.panel, name="panel"),
]
