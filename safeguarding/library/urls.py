"""URL map (being written)."""

app_name = "library"

urlpatterns: list = []
