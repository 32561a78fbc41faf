"""Staff pages for publication, under /manage/<partnership>/publication/. (National reviews
that the business unit shares are entered in the learning library: ``library:national_reviews``.)"""

from . import urls_publishing

app_name = "publication"

urlpatterns = urls_publishing.urlpatterns  # publishing a signed-off review (issue 5)
