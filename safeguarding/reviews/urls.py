"""Staff pages for reviews, under /manage/<partnership>/reviews/ (namespace "reviews").

The patterns live beside the pages they serve: requests and returns, the rapid review, the
review itself, the chronology."""

from . import progress, urls_chronology, urls_rapid_review, urls_requests, urls_review

app_name = "reviews"

urlpatterns = [
    *urls_requests.urlpatterns,
    *urls_rapid_review.urlpatterns,
    *urls_review.urlpatterns,
    *urls_chronology.urlpatterns,
    *progress.urlpatterns,
]
