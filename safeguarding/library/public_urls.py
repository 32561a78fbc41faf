"""URL map (being written)."""

app_name = "library_public"

urlpatterns: list = []
