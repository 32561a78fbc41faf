"""Each case's closing day, kept on the case (``Case.closes_on``) for the retention page.

The retention page counts the records the next daily run would act on. Working out from the
history which of thousands of old decided cases are closed took most of the page's time at
ten years (issue 16), so the day each case closes is kept on the case: recomputed from its
history (``retention.case_state``) whenever the case, one of its tracks, decisions, reviews,
publications or retention holds is saved or deleted, after the transaction commits. The daily
run does not read it: it works from the history, and checks each case again before it acts.

``closes_on`` is the day ``case_state`` would give with "today" far in the future: the latest
of the case's dates, a publication's 12 public months included even if they have not ended.
Empty while something other than time keeps the case open (a hold, a running review...). For
any day before today, a case is closed by that day exactly when ``closes_on`` is that day or
earlier (``case_state`` keeps it open while a publication is public after today, and its
closing day is then after today too; where it counts "today" for a missing date, the stored
day is later than any day before today). Tested against ``cases_closed_by``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from safeguarding.publication.models import Publication
from safeguarding.referrals.models import Case, Decision, Track
from safeguarding.reviews.models import Review

from .models import RetentionHold
from .retention import case_state, cases_with_history

logger = logging.getLogger(__name__)

# "Today" far ahead: every period has ended, so the closing day does not depend on the date.
FAR_AHEAD = datetime.date(9000, 1, 1)
CHUNK = 500


def closing_day(case: Case) -> datetime.date | None:
    """The day the case closes if nothing changes (``case`` from ``cases_with_history``)."""
    return case_state(case, today=FAR_AHEAD).closed_on


def refresh_closing(case_ids: Iterable[int]) -> int:
    """Work out the closing day of these cases again from their history and store the ones
    that changed; how many changed."""
    ids = sorted(set(case_ids))
    changed = []
    for start in range(0, len(ids), CHUNK):
        cases = cases_with_history(Case.objects.filter(pk__in=ids[start : start + CHUNK]))
        for case in cases:
            day = closing_day(case)
            if day != case.closes_on:
                case.closes_on = day
                changed.append(case)
    Case.objects.bulk_update(changed, ["closes_on"], batch_size=CHUNK)
    return len(changed)


def refresh_every_case() -> int:
    """Every case's closing day (the data migration, the bench's generator)."""
    return refresh_closing(Case.objects.values_list("pk", flat=True))


def refresh_closing_daily(*, today: datetime.date) -> int:
    """A daily job (settings.DAILY_JOBS, after the retention run): every case's closing day
    worked out again. It should find nothing to change: a change means a write that bypassed
    the saves below (``update()``, ``bulk_create()``, raw SQL), so it is logged; the page is
    right again from then on. ``today`` is not used: the day does not depend on it."""
    changed = refresh_every_case()
    if changed:
        logger.warning("Closing days: %s case(s) had a closing day out of date", changed)
    return changed


# Kept after every change ------------------------------------------------------------------------


class _Flush:
    """The cases, tracks and reviews a transaction changed; their cases' closing days worked
    out once, after the commit. One per transaction (found among its commit callbacks): a
    transaction rolled back takes it with its callbacks."""

    def __init__(self) -> None:
        self.found: dict[str, set[int]] = {}
        self.done = False  # run (tests run callbacks before the test's transaction ends)

    def add(self, kind: str, pk: int) -> None:
        self.found.setdefault(kind, set()).add(pk)

    def __call__(self) -> None:
        case_ids: set[int] = set()
        for kind, pks in self.found.items():
            case_ids |= _case_ids_of(kind, pks)
        self.found, self.done = {}, True
        if case_ids:
            refresh_closing(case_ids)


def _case_ids_of(kind: str, pks: set[int]) -> set[int]:
    if kind == "case":
        return pks
    if kind == "track":
        return set(Track.objects.filter(pk__in=pks).values_list("case_id", flat=True))
    return set(Review.objects.filter(pk__in=pks).values_list("case_id", flat=True))  # review


def _changed(kind: str, pk: int | None) -> None:
    """Note a change to a case (``kind`` "case"), a track's or a review's."""
    if pk is None:
        return
    connection = transaction.get_connection()
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _Flush) and not entry[1].done:
            entry[1].add(kind, pk)
            return
    flush = _Flush()
    flush.add(kind, pk)
    transaction.on_commit(flush)  # outside a transaction: at once


def _case_saved(sender, instance: Case, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"closes_on"}:
        return
    _changed("case", instance.pk)


def _case_of(sender, instance, **kwargs) -> None:
    _changed("case", instance.case_id)


def _track_of(sender, instance: Decision, **kwargs) -> None:
    _changed("track", instance.track_id)


def _review_of(sender, instance: Publication, **kwargs) -> None:
    _changed("review", instance.review_id)


def _tracks_linked(sender, instance: Review | Track, action: str, **kwargs) -> None:
    """A review linked to a track or unlinked (from either side: both are of the case)."""
    if action in ("post_add", "post_remove", "post_clear"):
        _changed("case", instance.case_id)


def connect() -> None:
    """Called by the records app's ``ready``."""
    post_save.connect(_case_saved, sender=Case, dispatch_uid="closing_case")
    for model in (Track, Review, RetentionHold):
        for signal in (post_save, post_delete):
            signal.connect(_case_of, sender=model, dispatch_uid=f"closing_{model.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(_track_of, sender=Decision, dispatch_uid="closing_decision")
        signal.connect(_review_of, sender=Publication, dispatch_uid="closing_publication")
    m2m_changed.connect(_tracks_linked, sender=Review.tracks.through, dispatch_uid="closing_m2m")
