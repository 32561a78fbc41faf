"""Staff pages for reviews, under /manage/<partnership>/reviews/ (namespace "reviews").

Each sub-package holds the patterns of the pages it serves: agency requests and returns, the rapid
review, the review itself, the merged chronology."""

from .chronology import urls as chronology_urls
from .marker_sets import urls as marker_set_urls
from .rapid_review import urls as rapid_review_urls
from .requests import urls as requests_urls
from .returns import urls as returns_urls
from .running import urls as running_urls

app_name = "reviews"

urlpatterns = [
    *requests_urls.urlpatterns,
    *rapid_review_urls.urlpatterns,
    *running_urls.urlpatterns,
    *chronology_urls.urlpatterns,
    *returns_urls.urlpatterns,
    *marker_set_urls.urlpatterns,
]
