from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "safeguarding.publication"
    label = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        register_actions(
            {
                "national_review.added": "Added a national review to the public page",
                "national_review.removed": "Took a national review off the public page",
            }
        )
