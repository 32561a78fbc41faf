"""Staff pages for milestones, under /manage/<partnership>/milestones/."""

app_name = "clock"

urlpatterns: list = []
