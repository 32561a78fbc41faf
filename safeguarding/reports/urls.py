"""The partnership's reports, under /manage/<partnership>/reports/ (namespace "reports")."""

from django.urls import path

from . import views, yearly_views

app_name = "reports"

urlpatterns = [
    path("annual-figures/", views.annual_figures, name="annual"),
    path("annual-figures.xlsx", views.annual_figures_xlsx, name="annual_xlsx"),
    path("yearly/", yearly_views.report_list, name="yearly_list"),
    path("yearly/add/", yearly_views.report_add, name="yearly_add"),
    path("yearly/<int:pk>/", yearly_views.report_detail, name="yearly_detail"),
    path("yearly/<int:pk>/published/", yearly_views.report_published, name="yearly_published"),
    path(
        "yearly/<int:pk>/recipients/<int:recipient_pk>/sent/",
        yearly_views.recipient_sent,
        name="yearly_sent",
    ),
]
