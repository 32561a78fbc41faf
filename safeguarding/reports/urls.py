"""The partnership's reports, under /manage/<partnership>/reports/ (namespace "reports")."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("annual-figures/", views.annual_figures, name="annual"),
    path("annual-figures.xlsx", views.annual_figures_xlsx, name="annual_xlsx"),
]
