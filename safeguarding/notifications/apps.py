from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safeguarding.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        from . import checks  # noqa: F401  (registers the settings checks)

        register_actions({"notification.attachment_downloaded": "Downloaded a calendar invitation"})
