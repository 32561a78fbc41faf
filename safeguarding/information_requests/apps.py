from django.apps import AppConfig


class InformationRequestsConfig(AppConfig):
    name = "safeguarding.information_requests"
    label = "information_requests"
    verbose_name = "Requests for information (Care Act 2014 s45, Children Act 2004 s16H)"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions
        from safeguarding.clock.reminders import register_source
        from safeguarding.notifications.kinds import NotificationKind, register_kinds

        from .reminders import information_request_reminders

        register_actions(
            {
                "information_request.made": "Recorded a request for information",
                "information_request.answered": "Recorded the answer to a request for information",
                "information_request.refused": "Recorded a refusal of a request for information",
                "information_request.escalated": "Escalated a request for information",
                "information_request.reminder_sent": "Sent a request for information reminder",
            }
        )
        register_kinds(
            {
                "information_request.due_soon": NotificationKind(
                    label="A request for information is due soon",
                    subject="Due {{ request.due_on|date:'j F Y' }}: request for information "
                    "to {{ request.recipient }} ({{ case.reference }})",
                    template="information_requests/email/reminder_upcoming.txt",
                ),
                "information_request.overdue": NotificationKind(
                    label="A request for information is overdue",
                    subject="Overdue: request for information to {{ request.recipient }} "
                    "({{ case.reference }})",
                    template="information_requests/email/reminder_overdue.txt",
                ),
            }
        )
        register_source("information_requests", information_request_reminders)
