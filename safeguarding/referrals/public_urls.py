"""Public pages for referrers, under /<partnership>/refer/ (no sign-in)."""

app_name = "refer"

urlpatterns: list = []
