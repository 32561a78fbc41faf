"""The library's receiver of ``publication.signals.publication_published``: a review the
partnership publishes becomes a library record by itself, is refreshed when a correction is
published, and stops being public when it is withdrawn. Connected in ``LibraryConfig.ready``;
runs inside the publishing transaction, so the publication and its record change together."""


def publication_changed(sender, publication, actor=None, **kwargs) -> None:
    from .services import record_sync_from_publication

    record_sync_from_publication(publication=publication, actor=actor)


def national_review_removed(sender, review, actor=None, **kwargs) -> None:
    """A national review taken off the public page leaves the library too."""
    from .models import LibraryRecord
    from .services import record_archive

    record = LibraryRecord.objects.filter(national_review=review).first()
    if record is not None:
        record_archive(record=record, actor=actor)


def connect() -> None:
    from safeguarding.publication import signals

    signals.publication_published.connect(
        publication_changed, dispatch_uid="library_publication_changed"
    )
    signals.national_review_removed.connect(
        national_review_removed, dispatch_uid="library_national_review_removed"
    )
