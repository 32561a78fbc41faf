"""What the public sees of publications (issue 5 items 6 and 7). Every read is scoped to the
partnership and takes ``today`` so that the lists are right on the day they are viewed.

A joint review of a case shared between two partnerships (ADR 0022) is published once, by the
partnership that holds the case; it is listed on the partner's public pages too when the share
grants it (``share_selectors.publication_listed_q``), under the review type the partner
decided.

"Published in the last 12 months" means: status published, ``publish_on <= today`` and
``publish_on > add_calendar_months(today, -12)``. An item published on 26 Nov 2025 is listed up
to 25 Nov 2026 and moves to the archive on 26 Nov 2026.
"""

from dataclasses import dataclass
from datetime import date
from types import EllipsisType
from typing import cast

from django.db import router
from django.db.models import DateField, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from safeguarding.accounts.models import Partnership, ReviewType
from safeguarding.core.calendar import add_calendar_months
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledQuery,
    set_prefetched,
)
from safeguarding.core.pagination import CompiledList
from safeguarding.referrals.models import CaseShare
from safeguarding.referrals.share_selectors import publication_listed_q

from .models import Publication, PublicationFile, PublicationSettings, Revision

DARDR_LABEL = "Domestic Abuse Related Death Review"
# The Atom feed carries the latest entries only (issue 16): a reader polls it for what is new,
# and the archive pages list everything older. A bound keeps the feed the same size however
# many years of reviews a partnership has published.
FEED_SIZE = 20


def window_start(today: date) -> date:
    """The day before the 12-month window: items published on this day are archived."""
    return add_calendar_months(today, -12)


# The public pages' reads, with their SQL built once (issue 16, core.compiled_sql): a day no
# publication has stands for the day asked about while the SQL is built.
DAY_PLACEHOLDER = date(1901, 2, 3)
WINDOW_PLACEHOLDER = date(1901, 2, 4)
_PARTNERSHIP_ID = (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)
_SETTINGS = CompiledQuery(
    lambda partnership_id: PublicationSettings.objects.filter(
        partnership_id=partnership_id
    ).order_by(),
    {"partnership_id": _PARTNERSHIP_ID},
)


def dardr_name_from(partnership: Partnership) -> date | None:
    """The partnership's DARDR day (R38), read once per partnership instance as
    ``partnership.publication_settings`` would be (kept on it, or its absence)."""
    relation = Partnership._meta.get_field("publication_settings")
    if not relation.is_cached(partnership):
        found = _SETTINGS.objects(
            router.db_for_read(PublicationSettings), partnership_id=partnership.pk
        )
        if found:
            relation.field.set_cached_value(found[0], partnership)
        relation.set_cached_value(partnership, found[0] if found else None)
    settings = cast("PublicationSettings | None", relation.get_cached_value(partnership))
    return settings.dardr_name_from if settings is not None else None


def review_type_label(
    partnership: Partnership,
    review_type: str,
    today: date,
    *,
    dardr_from: date | EllipsisType | None = ...,
) -> str:
    """The name the partnership uses for a review type on the day: DHRs become Domestic Abuse
    Related Death Reviews from the partnership's chosen date (R38)."""
    if review_type == ReviewType.DHR:
        if dardr_from is ...:
            dardr_from = dardr_name_from(partnership)
        if dardr_from is not None and dardr_from <= today:
            return DARDR_LABEL
    try:
        return ReviewType(review_type).label
    except ValueError:
        return review_type


def _base(partnership: Partnership) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(publication_listed_q(partnership))
        .select_related("review__case")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=Revision.objects.order_by("-number").prefetch_related(
                    Prefetch("files", queryset=PublicationFile.objects.order_by("title", "id"))
                ),
            )
        )
    )


def _live(partnership: Partnership, today: date) -> QuerySet[Publication]:
    return _base(partnership).filter(
        status=Publication.Status.PUBLISHED, publish_on__isnull=False, publish_on__lte=today
    )


def published_in_window(*, partnership: Partnership, today: date) -> QuerySet[Publication]:
    """Every item published in the last 12 months, newest first (one query for the page)."""
    return _in_window(partnership, today, window_start(today))


def _in_window(partnership: Partnership, today: date, start: date) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(
            publication_listed_q(partnership),
            status=Publication.Status.PUBLISHED,
            publish_on__lte=today,
            publish_on__gt=start,
        )
        .only("id", "partnership_id", "title", "review_type", "publish_on", "form")
        .order_by("-publish_on", "-id")
    )


# The Reviews page's list, with the case of each item (to place a shared one under the type this
# partnership decided) and the partnership's accepted shares' decided types: SQL built once.
@dataclass(slots=True)
class WindowItem:
    """An item of the Reviews page's list: the columns it uses, no model made (issue 16)."""

    pk: int
    partnership_id: int
    title: str
    review_type: str
    publish_on: date
    case_id: int | None


_IN_WINDOW = CompiledQuery(
    lambda partnership_id, today, start: _in_window(
        Partnership(pk=partnership_id), today, start
    ).values_list("id", "partnership_id", "title", "review_type", "publish_on", "review__case_id"),
    {
        "partnership_id": _PARTNERSHIP_ID,
        "today": (DAY_PLACEHOLDER, DateField()),
        "start": (WINDOW_PLACEHOLDER, DateField()),
    },
)
_DECIDED_TYPES = CompiledQuery(
    lambda partnership_id: (
        CaseShare.objects.filter(partner_id=partnership_id, state=CaseShare.State.ACCEPTED)
        .order_by()
        .values_list("case_id", "decides_review_type")
    ),
    {"partnership_id": _PARTNERSHIP_ID},
)


def published_for_type(
    *, partnership: Partnership, review_type: str, today: date
) -> QuerySet[Publication]:
    return published_in_window(partnership=partnership, today=today).filter(review_type=review_type)


def published_by_type(*, partnership: Partnership, today: date) -> list[dict]:
    """For each review type the partnership runs: its label on the day and its items published
    in the last 12 months (an empty list means 'none in the past 12 months')."""
    items = [
        WindowItem(*row)
        for row in _IN_WINDOW.read_values(
            partnership_id=partnership.pk, today=today, start=window_start(today)
        )
    ]
    dardr_from = dardr_name_from(partnership)
    runs = [review_type.value for review_type in partnership.review_types]
    # A joint review published by the partnership that holds the case is listed under the type
    # this partnership decided (a CSP's DHR), or its first type.
    decided: dict[int, str] = {}
    if any(item.partnership_id != partnership.pk for item in items):
        by_case = dict(_DECIDED_TYPES.read_rows(partnership_id=partnership.pk))
        decided = {
            item.pk: by_case.get(item.case_id, "")
            for item in items
            if item.partnership_id != partnership.pk
        }
    section = {
        item.pk: item.review_type
        if item.review_type in runs or not runs
        else decided.get(item.pk)
        if decided.get(item.pk) in runs
        else runs[0]
        for item in items
    }
    return [
        {
            "type": review_type.value,
            "label": review_type_label(
                partnership, review_type.value, today, dardr_from=dardr_from
            ),
            "items": [item for item in items if section[item.pk] == review_type.value],
        }
        for review_type in partnership.review_types
    ]


def archive(
    *,
    partnership: Partnership,
    today: date,
    type: str | None = None,
    year: int | None = None,
) -> QuerySet[Publication]:
    """Published items older than the 12-month window, and withdrawn items that remain
    available on request (shown without files)."""
    return _archive(
        partnership,
        window_start(today),
        type=type,
        **({"year_from": date(year, 1, 1), "year_to": date(year, 12, 31)} if year else {}),
    )


def _archive(
    partnership: Partnership,
    window: date,
    *,
    type: str | None = None,
    year_from: date | None = None,
    year_to: date | None = None,
) -> QuerySet[Publication]:
    qs = Publication.objects.filter(publication_listed_q(partnership)).filter(
        Q(
            status=Publication.Status.PUBLISHED,
            publish_on__isnull=False,
            publish_on__lte=window,
        )
        | Q(status=Publication.Status.WITHDRAWN, available_on_request=True)
    )
    if type:
        qs = qs.filter(review_type=type)
    if year_from is not None and year_to is not None:  # the year published (its first and last day)
        qs = qs.filter(publish_on__gte=year_from, publish_on__lte=year_to)
    return qs.only(
        "id", "title", "review_type", "publish_on", "status", "form", "available_on_request"
    ).order_by("-publish_on", "-id")


# The archive's pages: SQL built once for each filter set and each of the first pages (issue 16,
# core.pagination.CompiledList); the count is a subquery run once, so the page is read newest
# first through ``publication_newest`` and stops (ADR 0042).
ARCHIVE_PAGES = CompiledList(
    lambda partnership_id, window, **filters: _archive(
        Partnership(pk=partnership_id), window, **filters
    ),
    {
        "partnership_id": _PARTNERSHIP_ID,
        "window": (WINDOW_PLACEHOLDER, DateField()),
        "type": ("compiled-sql-type-placeholder", Publication._meta.get_field("review_type")),
        "year_from": (date(1901, 3, 5), DateField()),
        "year_to": (date(1901, 3, 6), DateField()),
    },
    count_apart=True,
)


def archive_page(
    request,
    *,
    partnership: Partnership,
    today: date,
    type: str | None = None,
    year: int | None = None,
):
    """The requested page of ``archive`` and its pagination links (one query)."""
    filters: dict = {"type": type} if type else {}
    if year:
        filters.update(year_from=date(year, 1, 1), year_to=date(year, 12, 31))
    return ARCHIVE_PAGES.page(
        request, partnership_id=partnership.pk, window=window_start(today), **filters
    )


def archive_years(*, partnership: Partnership, today: date) -> list[int]:
    dates = archive(partnership=partnership, today=today).dates("publish_on", "year", "DESC")
    return [d.year for d in dates]


@dataclass
class PublicView:
    publication: Publication
    revision: Revision | None

    @property
    def withdrawn(self) -> bool:
        return self.publication.status == Publication.Status.WITHDRAWN

    def _frozen(self, field: str):
        source = self.revision if self.revision is not None else self.publication
        return getattr(source, field)

    @property
    def title(self) -> str:
        return self._frozen("title")

    @property
    def summary(self) -> str:
        return self._frozen("summary")

    @property
    def form(self) -> str:
        return self._frozen("form")

    @property
    def improvements(self) -> str:
        return self._frozen("improvements")

    @property
    def reviewer_names(self) -> str:
        return self._frozen("reviewer_names")

    @property
    def pseudonym(self) -> str:
        return self.publication.review.case.pseudonym

    @property
    def files(self) -> list[PublicationFile]:
        if self.withdrawn or self.revision is None:
            return []
        return list(self.revision.files.all())


def _public(partnership: Partnership, today: date) -> QuerySet[Publication]:
    return _base(partnership).filter(
        Q(status=Publication.Status.PUBLISHED, publish_on__isnull=False, publish_on__lte=today)
        | Q(status=Publication.Status.WITHDRAWN, available_on_request=True)
    )


# A published review's page reads the item, its revisions and their files as ``_public``'s
# prefetching did, each with its SQL built once (issue 16, core.compiled_sql).
_PK = (PK_PLACEHOLDER, Publication._meta.pk)
_PUBLIC_ITEM = CompiledQuery(
    lambda partnership_id, today, pk: (
        _public(Partnership(pk=partnership_id), today)
        .prefetch_related(None)
        .filter(pk=pk)
        .order_by()
    ),
    {"partnership_id": _PARTNERSHIP_ID, "today": (DAY_PLACEHOLDER, DateField()), "pk": _PK},
)
_REVISIONS = CompiledQuery(
    lambda pk: Revision.objects.filter(publication_id=pk).order_by("-number"), {"pk": _PK}
)
_REVISION_FILES = CompiledQuery(
    lambda pk: (
        PublicationFile.objects.filter(revisions__publication_id=pk)
        .annotate(revision_id=F("revisions__id"))
        .order_by("title", "id")
    ),
    {"pk": _PK},
)


def publication_get_public(*, partnership: Partnership, pk: int, today: date) -> PublicView:
    """A published item (publish_on reached) or a withdrawn one still available on request.
    Drafts, scheduled items and other withdrawn items are 404."""
    found = _PUBLIC_ITEM.read(partnership_id=partnership.pk, today=today, pk=pk)
    if not found:
        raise Http404("No such published review")
    publication = found[0]
    revisions = _REVISIONS.read(pk=publication.pk)
    if revisions:  # as prefetching: the files only when there are revisions
        files: dict[int, list[PublicationFile]] = {}
        for published_file in _REVISION_FILES.read(pk=publication.pk):
            files.setdefault(published_file.revision_id, []).append(published_file)
        for revision in revisions:
            set_prefetched(revision, "files", PublicationFile, files.get(revision.pk, []))
    set_prefetched(publication, "revisions", Revision, revisions)
    return PublicView(publication=publication, revision=revisions[0] if revisions else None)


def publication_file_get_public(
    *, partnership: Partnership, pk: int, file_pk: int, today: date
) -> PublicationFile:
    """A file of the latest revision of a published item whose publication date has come.
    Never a file of a withdrawn, draft or scheduled item, nor of an earlier revision."""
    try:
        publication = Publication.objects.get(
            publication_listed_q(partnership),
            pk=pk,
            status=Publication.Status.PUBLISHED,
            publish_on__isnull=False,
            publish_on__lte=today,
        )
    except Publication.DoesNotExist:
        raise Http404("No such file") from None
    latest = publication.revisions.order_by("-number").first()
    if latest is None:
        raise Http404("No such file")
    try:
        return latest.files.get(pk=file_pk, publication=publication)
    except PublicationFile.DoesNotExist:
        raise Http404("No such file") from None


def feed_items(*, partnership: Partnership, today: date) -> list[Publication]:
    """The ``FEED_SIZE`` latest publications for the Atom feed, newest first, in one query
    (SQL built once): each with the columns the feed shows and, as ``latest_title``,
    ``latest_summary`` and ``latest_at``, its latest revision's (None for an item without a
    revision). Neither the files nor the review are read: the feed links to the review's
    page."""
    return _FEED.read(partnership_id=partnership.pk, today=today)


def _feed(partnership: Partnership, today: date) -> QuerySet[Publication]:
    latest = Revision.objects.filter(publication=OuterRef("pk")).order_by("-number")
    return (
        Publication.objects.filter(
            publication_listed_q(partnership),
            status=Publication.Status.PUBLISHED,
            publish_on__isnull=False,
            publish_on__lte=today,
        )
        .only("id", "title", "summary", "review_type", "publish_on", "published_at")
        .annotate(
            latest_title=Subquery(latest.values("title")[:1]),
            latest_summary=Subquery(latest.values("summary")[:1]),
            latest_at=Subquery(latest.values("published_at")[:1]),
        )
        .order_by("-publish_on", "-id")[:FEED_SIZE]
    )


_FEED = CompiledQuery(
    lambda partnership_id, today: _feed(Partnership(pk=partnership_id), today),
    {"partnership_id": _PARTNERSHIP_ID, "today": (DAY_PLACEHOLDER, DateField())},
)
