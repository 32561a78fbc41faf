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
                "library.submission_downloaded": "Downloaded a national library submission",
                "library.submission_sent": "Recorded a national library submission as sent",
            }
        )

        from django.db.models.signals import post_migrate

        from . import signals

        signals.connect()  # own published reviews become library records
        # On SQLite a migration that rebuilds the record table drops the index's triggers:
        # put back whatever is missing after every migrate (idempotent).
        post_migrate.connect(_ensure_search_index, sender=self)

        from django.conf import settings

        if settings.LIBRARY_WARM_UP:  # the web server (config/gunicorn.conf.py), not commands
            from .startup import load_process

            load_process()


def _ensure_search_index(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from .search_index import create_index

    create_index(connections[using])
