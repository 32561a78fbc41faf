from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Records management: backup and restore, the retention schedule and requests for data
    about a person (UK GDPR Article 15; never called "SAR" here, R44)."""

    name = "safeguarding.records"
    label = "records"
    verbose_name = "Records management"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        from . import checks  # noqa: F401 - registers the system check of the backup key
        from .closing import connect

        connect()  # each case's closing day, kept for the retention page (issue 16)

        register_actions(
            {
                "records.backup_made": "Made a backup of the service",
                "records.backup_restored": "Restored the service from a backup",
                "retention.setting_changed": "Changed a retention period",
                "retention.hold_placed": "Put a case on hold from the retention schedule",
                "retention.hold_lifted": "Lifted a retention hold",
                "retention.records_deleted": "Deleted records under the retention schedule",
                "retention.records_archived": "Archived records under the retention schedule",
                "retention.identities_removed": "Removed real identities under the retention "
                "schedule",
                "person_data.searched": "Searched for the records held about a person",
                "person_data.exported": "Downloaded the data held about a person",
            }
        )
