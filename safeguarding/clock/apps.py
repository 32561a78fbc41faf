from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "safeguarding.clock"
    label = "clock"
    verbose_name = "Statutory clock"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions
        from safeguarding.notifications.kinds import NotificationKind, register_kinds

        from .milestone_reminders import milestone_reminders
        from .reminders import register_source

        register_actions(
            {
                "milestone.completed": "Completed a milestone",
                "milestone.not_applicable": "Closed a milestone as not applicable",
                "milestone.paused": "Paused a milestone",
                "milestone.resumed": "Resumed a milestone",
                "milestone.extended": "Extended a milestone",
                "milestone.reminder_sent": "Sent a milestone reminder",
                "milestone.setting_changed": "Changed a statutory clock setting",
                "milestone.moved": "Moved a referral's milestone to its case",
                "milestone.handed_over": "Gave a shared case's milestone to the partnership "
                "that decides its track",
                "milestone.restarted": "Counted a milestone from a corrected date",
                "milestone.repeated": "Set the next due date of a repeating milestone",
            }
        )
        register_kinds(
            {
                "milestone.due_soon": NotificationKind(
                    label="A milestone is due soon",
                    subject="Due {{ milestone.due_on|date:'j F Y' }}: {{ rule.name }} for "
                    "{{ milestone.subject_label }}",
                    template="clock/email/reminder_upcoming.txt",
                ),
                "milestone.overdue": NotificationKind(
                    label="A milestone is overdue",
                    subject="Overdue: {{ rule.name }} for {{ milestone.subject_label }}",
                    template="clock/email/reminder_overdue.txt",
                ),
            }
        )
        register_source("milestones", milestone_reminders)
