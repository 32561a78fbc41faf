from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "safeguarding.clock"
    label = "clock"
    verbose_name = "Statutory clock"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        register_actions(
            {
                "milestone.completed": "Completed a milestone",
                "milestone.not_applicable": "Closed a milestone as not applicable",
                "milestone.paused": "Paused a milestone",
                "milestone.resumed": "Resumed a milestone",
                "milestone.extended": "Extended a milestone",
                "milestone.reminder_sent": "Sent a milestone reminder",
                "milestone.setting_changed": "Changed a statutory clock setting",
            }
        )
