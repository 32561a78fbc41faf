from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "safeguarding.digests"
    label = "digests"
    verbose_name = "Learning digests"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions
        from safeguarding.notifications.kinds import NotificationKind, register_kinds

        register_actions(
            {
                "digest.created": "Started a learning digest issue",
                "digest.changed": "Changed a learning digest issue",
                "digest.published": "Published a learning digest issue",
                "digest.sent": "Sent a learning digest issue to subscribers",
                "digest.subscribed": "Confirmed a digest subscription",
                "digest.unsubscribed": "Unsubscribed from the digest",
            }
        )
        register_kinds(
            {
                "digest.published": NotificationKind(
                    label="A learning digest is published",
                    subject="Learning digest {{ issue.number }} published: {{ issue.title }}",
                    template="digests/email/published.txt",
                ),
            }
        )
