"""Staff pages for publication, under /manage/<partnership>/publication/."""

from django.urls import path

from . import urls_publishing, views

app_name = "publication"

urlpatterns = [
    path("national-reviews/", views.national_reviews, name="national_reviews"),
    path(
        "national-reviews/<int:pk>/remove/",
        views.national_review_remove,
        name="national_review_remove",
    ),
]

urlpatterns += urls_publishing.urlpatterns  # publishing a signed-off review (issue 5)
