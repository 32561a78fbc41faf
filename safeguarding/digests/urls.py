"""URL map (being written)."""

app_name = "digests"

urlpatterns: list = []
