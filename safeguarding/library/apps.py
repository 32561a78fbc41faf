from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "safeguarding.library"
    label = "library"
    verbose_name = "Learning library"

    def ready(self) -> None:
        from safeguarding.audit.registry import register_actions

        register_actions(
            {
                "library.record_added": "Added a record to the learning library",
                "library.record_changed": "Changed a library record",
                "library.record_archived": "Took a record out of the library",
                "library.imported": "Imported records into the library",
                "library.search_term_added": "Added a search synonym or abbreviation",
                "library.search_term_removed": "Removed a search synonym or abbreviation",
                "library.submission_prepared": "Prepared a national library submission",
                "library.submission_sent": "Recorded a national library submission as sent",
            }
        )

        from . import signals

        signals.connect()  # own published reviews become library records
