"""The partnership's reports, under /manage/<partnership>/reports/ (namespace "reports")."""

from django.urls import path

from . import views, yearly_views

app_name = "reports"

urlpatterns = [
    path("annual-figures/", views.annual_figures, name="annual"),
    path("annual-figures.xlsx", views.annual_figures_xlsx, name="annual_xlsx"),
    path("figures/", views.figures, name="figures"),
    path("figures.xlsx", views.figures_xlsx, name="figures_xlsx"),
    path("figures.docx", views.figures_docx, name="figures_docx"),
    path("figures/records/<slug:key>/", views.figure_records, name="figure_records"),
    path("timeliness/", views.timeliness, name="timeliness"),
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
