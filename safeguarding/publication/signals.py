"""Signals other apps listen to (arrows point one way: publication does not import them).

``publication_published`` is sent, inside the publishing transaction, whenever what the public
can see of a publication changes: when it becomes published (at once or by the scheduled task),
when a correction (a new revision) is published, and when it is withdrawn. Receivers read
``publication.status`` to tell which. Keyword arguments: ``publication`` and ``actor`` (None for
the scheduled task). The learning library connects a receiver in its AppConfig.ready.
"""

from django.dispatch import Signal

publication_published = Signal()

# Sent inside the transaction that takes a national review off the public page (keyword
# arguments ``review`` and ``actor``): the library takes its record out too.
national_review_removed = Signal()
