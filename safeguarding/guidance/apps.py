from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "safeguarding.guidance"
    label = "guidance"
    verbose_name = "Guidance versions"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        register_actions(
            {
                "guidance.adopted": "Recorded the date the partnership adopted a guidance version",
                "guidance.adoption_changed": "Changed the date a guidance version was adopted",
                "guidance.adoption_removed": "Removed a guidance version's adoption",
            }
        )
