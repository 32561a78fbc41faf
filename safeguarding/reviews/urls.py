"""Staff pages for reviews, under /manage/<partnership>/reviews/ (namespace "reviews").

Each module adds its own patterns list; keep names unique."""

app_name = "reviews"

urlpatterns: list = []
