"""The version of what a partnership's public pages show (ADR 0023: caching the public pages).

Every write that changes a public page bumps the partnership's ``PublicContentVersion`` in the
writer's own transaction: a rolled-back write bumps nothing, and a reader sees the new number
only once the new content is committed. The writes are found by model signals rather than by a
call in each service, because the public pages read five apps that sit below this one (the
import layers forbid them to call up here) and a service added later would be missed:

- publication: a publication (published, withdrawn, edited, scheduled, its date), its
  revisions and files, the partnership's publication settings (the DARDR name, R38), national
  reviews;
- the public Reviews page: its sections and documents;
- the library: records, their themes, their search vectors, the search terms; a theme or term
  shared by every partnership bumps every partnership;
- digests: issues and their items;
- the case a publication belongs to (its pseudonym) and the case's shares (a joint review is
  listed on the partner's public pages, ADR 0022): the case's partnership and every partner;
- the partnership itself (name, slug, the review types it runs).

Writes that bypass signals (``QuerySet.update``, ``bulk_create``) on these models are listed in
the ADR; none of them changes a published page today, and the cached pages also expire after
``PUBLIC_PAGE_CACHE_SECONDS`` whatever happens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import PublicContentVersion

ALL = None  # a write that concerns every partnership


def bump(partnership_ids: Iterable[int] | None) -> None:
    """Bump the version of these partnerships (``None``: of every partnership)."""
    now = timezone.now()
    # Forget the versions read, now and when the writer commits (a request of this process
    # that read the old number in between must not keep it).
    forget_read_versions()
    _forget_on_commit()
    if partnership_ids is None:
        PublicContentVersion.objects.update(counter=F("counter") + 1, changed_at=now)
        return
    ids = {pk for pk in partnership_ids if pk is not None}
    if not ids:
        return
    # A partnership without a row (none yet) is never cached: nothing to bump.
    PublicContentVersion.objects.filter(partnership_id__in=ids).update(
        counter=F("counter") + 1, changed_at=now
    )


def _forget_on_commit() -> None:
    """One callback per transaction, however many rows it writes (an import of 200 records
    bumps 200 times). One registered in a savepoint that was rolled back has gone from the
    list with it, so the next bump registers it again."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is forget_read_versions for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(forget_read_versions)


# slug -> (read at, the row): each server process reads a partnership's version at most once
# a PUBLIC_CONTENT_VERSION_READ_SECONDS (a bump in this process forgets them at once; another
# process sees it within that time).
_read: dict[str, tuple[float, tuple[int, int, datetime] | None]] = {}


def forget_read_versions() -> None:
    _read.clear()


def version_for_slug(slug: str) -> tuple[int, int, datetime] | None:
    """(partnership id, counter, changed at) of the partnership with this slug (one query, or
    none if read in the last PUBLIC_CONTENT_VERSION_READ_SECONDS); None if there is no such
    partnership (or it has no version yet: not cached)."""
    now = time.monotonic()
    read = _read.get(slug)
    if read is not None and now - read[0] < settings.PUBLIC_CONTENT_VERSION_READ_SECONDS:
        return read[1]
    row = (
        PublicContentVersion.objects.filter(partnership__slug=slug)
        .values_list("partnership_id", "counter", "changed_at")
        .order_by()[:1]
    )
    found = row[0] if row else None
    if len(_read) > 10_000:  # slugs that do not exist are remembered too: keep it bounded
        _read.clear()
    _read[slug] = (now, found)
    return found


# Which partnerships a written row concerns ------------------------------------------------------


def _case_partnerships(case_id: int | None) -> set[int]:
    if case_id is None:
        return set()
    case_model = apps.get_model("referrals", "Case")
    share_model = apps.get_model("referrals", "CaseShare")
    owner = case_model.objects.filter(pk=case_id).values_list("partnership_id", flat=True)
    partners = share_model.objects.filter(case_id=case_id).values_list("partner_id", flat=True)
    return set(owner) | set(partners)


def _publication_partnerships(publication_id: int | None) -> set[int]:
    if publication_id is None:
        return set()
    publication_model = apps.get_model("publication", "Publication")
    row = (
        publication_model.objects.filter(pk=publication_id)
        .values_list("partnership_id", "review__case_id")
        .first()
    )
    if row is None:
        return set()
    partnership_id, case_id = row
    return {partnership_id} | _shared_with(case_id)


def _shared_with(case_id: int | None) -> set[int]:
    if case_id is None:
        return set()
    share_model = apps.get_model("referrals", "CaseShare")
    return set(share_model.objects.filter(case_id=case_id).values_list("partner_id", flat=True))


def _own(instance) -> set[int] | None:
    return {instance.partnership_id}


def _own_or_all(instance) -> set[int] | None:
    return ALL if instance.partnership_id is None else {instance.partnership_id}


def _publication(instance) -> set[int] | None:
    case_id = (
        apps.get_model("reviews", "Review")
        .objects.filter(pk=instance.review_id)
        .values_list("case_id", flat=True)
        .first()
    )
    return {instance.partnership_id} | _shared_with(case_id)


def _of_publication(instance) -> set[int] | None:
    return _publication_partnerships(instance.publication_id)


def _of_record(instance) -> set[int] | None:
    record_model = apps.get_model("library", "LibraryRecord")
    return set(
        record_model.objects.filter(pk=instance.record_id).values_list("partnership_id", flat=True)
    )


def _of_issue(instance) -> set[int] | None:
    issue_model = apps.get_model("digests", "DigestIssue")
    return set(
        issue_model.objects.filter(pk=instance.issue_id).values_list("partnership_id", flat=True)
    )


def _case(instance) -> set[int] | None:
    return {instance.partnership_id} | _shared_with(instance.pk)


def _case_share(instance) -> set[int] | None:
    return _case_partnerships(instance.case_id) | {instance.partner_id}


def _partnership(instance) -> set[int] | None:
    return {instance.pk}


# model label -> the partnerships a write of one of its rows concerns
WATCHED: dict[str, Callable[[Model], set[int] | None]] = {
    "accounts.Partnership": _partnership,
    "publication.Publication": _publication,
    "publication.Revision": _of_publication,
    "publication.PublicationFile": _of_publication,
    "publication.PublicationSettings": _own,
    "publication.NationalReview": _own,
    "public_site.ContentBlock": _own,
    "public_site.PublicDocument": _own,
    "library.LibraryRecord": _own,
    "library.RecordVector": _of_record,
    "library.SearchTerm": _own_or_all,
    "actions.Theme": _own_or_all,
    "digests.DigestIssue": _own,
    "digests.DigestItem": _of_issue,
    "referrals.Case": _case,
    "referrals.CaseShare": _case_share,
}


def _on_write(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures: no related rows to follow yet
        bump(ALL)
        return
    if sender._meta.label == "accounts.Partnership":
        if "created" not in kwargs:  # deleted: its version row goes with it
            return
        _, created = PublicContentVersion.objects.get_or_create(
            partnership_id=instance.pk, defaults={"changed_at": timezone.now()}
        )
        if created:
            return
    bump(WATCHED[sender._meta.label](instance))


def _on_record_themes(sender, instance, action, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        record_model = apps.get_model("library", "LibraryRecord")
        if isinstance(instance, record_model):
            bump({instance.partnership_id})
        else:  # a theme's records changed from the theme's side
            bump(ALL)


def connect() -> None:
    """Called once from the app's ready()."""
    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"public-version-save-{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"public-version-del-{label}")
    through = apps.get_model("library", "LibraryRecord").themes.through
    m2m_changed.connect(_on_record_themes, sender=through, dispatch_uid="public-version-themes")
