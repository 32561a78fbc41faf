from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safeguarding.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the settings checks)
