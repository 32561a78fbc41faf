from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "safeguarding.workspace"
    label = "workspace"
    verbose_name = "Staff home"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        register_actions(
            {
                "agency.added": "Added an agency to the partnership",
                "agency.renamed": "Renamed an agency",
                "agency.removed": "Removed an agency from the partnership",
                "agency_contact.added": "Added an email contact at an agency",
                "agency_contact.changed": "Changed an email contact at an agency",
                "agency_contact.removed": "Removed an email contact at an agency",
                "decision_maker.named": "Named a decision maker",
                "decision_maker.changed": "Changed a decision maker's person or capacity",
                "decision_maker.removed": "Removed a decision maker",
            }
        )
