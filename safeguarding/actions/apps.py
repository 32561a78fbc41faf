from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "safeguarding.actions"
    label = "actions"
    verbose_name = "Recommendations and actions"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions
        from safeguarding.clock.reminders import register_source
        from safeguarding.notifications.kinds import NotificationKind, register_kinds

        from .reminders import action_reminders

        register_actions(
            {
                "theme.added": "Added a learning theme",
                "finding.themes_changed": "Changed the themes of a finding",
                "finding.added_to_action_plan": "Added a finding or learning point to a plan",
                "recommendation.added": "Added a recommendation",
                "recommendation.changed": "Changed a recommendation",
                "recommendation.impact_planned": "Planned how impact will be known",
                "recommendation.impact_recorded": "Recorded the impact of a recommendation",
                "action.added": "Added an action",
                "action.changed": "Changed an action",
                "action.updated": "Recorded progress on an action",
                "action.evidence_added": "Added evidence to an action",
                "action.evidence_downloaded": "Downloaded evidence of an action",
                "action.completion_requested": "Asked for an action to be accepted as complete",
                "action.completion_accepted": "Accepted an action as complete",
                "action.completion_returned": "Returned an action's completion",
                "action.not_implemented": "Recorded a decision not to implement an action",
                "action.reminder_sent": "Sent an action reminder",
                "action_plan.exported": "Exported an action plan or tracker",
            }
        )
        register_kinds(
            {
                "action.due_soon": NotificationKind(
                    label="An action is due soon",
                    subject="Due {{ action.target_date|date:'j F Y' }}: action "
                    "{{ action.reference }} of {{ review.reference }}",
                    template="actions/email/reminder_upcoming.txt",
                ),
                "action.overdue": NotificationKind(
                    label="An action is overdue",
                    subject="Overdue: action {{ action.reference }} of {{ review.reference }} "
                    "({{ agency.name }})",
                    template="actions/email/reminder_overdue.txt",
                ),
                "action.assigned": NotificationKind(
                    label="An action is given to your agency",
                    subject="New action {{ action.reference }} of {{ review.reference }} for "
                    "{{ agency.name }}, due {{ action.target_date|date:'j F Y' }}",
                    template="actions/email/assigned.txt",
                ),
                "action.completion_requested": NotificationKind(
                    label="An agency asks for an action to be accepted as complete",
                    subject="Accept or return: action {{ action.reference }} of "
                    "{{ review.reference }} ({{ agency.name }})",
                    template="actions/email/completion_requested.txt",
                ),
                "action.completion_accepted": NotificationKind(
                    label="An action is accepted as complete",
                    subject="Accepted as complete: action {{ action.reference }} of "
                    "{{ review.reference }}",
                    template="actions/email/completion_accepted.txt",
                ),
                "action.completion_returned": NotificationKind(
                    label="An action's completion is returned",
                    subject="Returned: action {{ action.reference }} of {{ review.reference }} "
                    "needs more before it is complete",
                    template="actions/email/completion_returned.txt",
                ),
            }
        )
        register_source("actions", action_reminders)
