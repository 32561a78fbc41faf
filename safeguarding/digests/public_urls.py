"""URL map (being written)."""

app_name = "digests_public"

urlpatterns: list = []
