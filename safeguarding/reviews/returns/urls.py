"""National return pages (issue 17), part of the reviews namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("national-returns/", views.national_returns, name="national_returns"),
    path("national-returns.xlsx", views.national_returns_xlsx, name="national_returns_xlsx"),
    path("<int:pk>/national-return/", views.national_return, name="national_return"),
]
