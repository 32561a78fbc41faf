"""Staff pages for referrals and cases, under /manage/<partnership>/."""

app_name = "referrals"

urlpatterns: list = []
