"""Reads of learning digests, scoped to the partnership (and, for the public, to published
issues only)."""

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledQuery,
    RecordQuery,
)
from safeguarding.core.pagination import CompiledList

from . import permissions
from .models import DigestIssue, DigestItem, Subscriber

LATEST_ON_REVIEWS_PAGE = 3


# Staff ----------------------------------------------------------------------------------------


def issue_list(*, partnership: Partnership) -> QuerySet[DigestIssue]:
    """Every issue of the partnership, newest number first, with its item count (one query)."""
    return (
        DigestIssue.objects.filter(partnership=partnership)
        .annotate(item_count=Count("items"))
        .order_by("-number")
    )


# Every page of an issue reads it first: the SQL is built once (issue 16).
_ISSUE = RecordQuery(lambda: DigestIssue.objects.select_related("partnership"))


def issue_get_for_user(*, user, partnership: Partnership, pk: int) -> DigestIssue:
    """An issue of the partnership for those who see the learning digests (the business unit and
    partner leads); 404 for anyone else, whether or not it exists (ADR 0010)."""
    if not permissions.can_view_digests(user, partnership):
        raise Http404("No such digest issue")
    issue = _ISSUE.get(partnership=partnership, pk=pk)
    if issue is None:
        raise Http404("No such digest issue")
    return issue


_ITEMS = CompiledQuery(
    lambda issue_id: (
        DigestItem.objects.filter(issue_id=issue_id)
        .select_related("record")
        .order_by("position", "id")
    ),
    {"issue_id": (PK_PLACEHOLDER, DigestIssue._meta.pk)},
)
_SUBSCRIBER_COUNTS = CompiledQuery(
    lambda partnership_id: (
        Subscriber.objects.filter(partnership_id=partnership_id)
        .values("partnership_id")
        .annotate(
            confirmed=Count(
                "id", filter=Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
            ),
            waiting=Count("id", filter=Q(confirmed_at__isnull=True, unsubscribed_at__isnull=True)),
        )
        .values_list("confirmed", "waiting")
    ),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)


def item_list(*, issue: DigestIssue) -> list[DigestItem]:
    return _ITEMS.read(issue_id=issue.pk)


def item_get(*, issue: DigestIssue, pk: int) -> DigestItem:
    try:
        return issue.items.get(pk=pk)
    except DigestItem.DoesNotExist:
        raise Http404("No such item") from None


def next_number(*, partnership: Partnership) -> int:
    highest = DigestIssue.objects.filter(partnership=partnership).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def subscriber_counts(*, partnership: Partnership) -> dict[str, int]:
    """How many subscribers will get the next issue, and how many have not confirmed yet."""
    found = _SUBSCRIBER_COUNTS.read_rows(partnership_id=partnership.pk)  # SQL built once
    confirmed, waiting = found[0] if found else (0, 0)
    return {"confirmed": confirmed, "waiting": waiting}


def subscribers_to_send(*, issue: DigestIssue) -> QuerySet[Subscriber]:
    """Confirmed, not unsubscribed subscribers of the issue's partnership who have not been
    sent this issue yet."""
    return (
        Subscriber.objects.filter(
            partnership_id=issue.partnership_id,
            confirmed_at__isnull=False,
            unsubscribed_at__isnull=True,
        )
        .exclude(pk__in=issue.deliveries.values("subscriber_id"))
        .order_by("id")
    )


# Public ---------------------------------------------------------------------------------------


def issue_list_published(*, partnership: Partnership) -> QuerySet[DigestIssue]:
    return DigestIssue.objects.filter(
        partnership=partnership, status=DigestIssue.Status.PUBLISHED
    ).order_by("-number")


_LATEST_PUBLISHED = CompiledQuery(
    lambda partnership_id: issue_list_published(partnership=Partnership(pk=partnership_id))[
        :LATEST_ON_REVIEWS_PAGE
    ],
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)


def issue_list_latest_published(*, partnership: Partnership) -> list[DigestIssue]:
    """The newest ``LATEST_ON_REVIEWS_PAGE`` published issues (SQL built once)."""
    return _LATEST_PUBLISHED.read(partnership_id=partnership.pk)


# The public list's pages: SQL built once for each of the first pages (issue 16,
# core.pagination.CompiledList): the page and the count in one query.
PUBLISHED_PAGES = CompiledList(
    lambda partnership_id: issue_list_published(partnership=Partnership(pk=partnership_id)),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)


_PUBLISHED_ISSUE = CompiledQuery(
    lambda partnership_id, number: (
        DigestIssue.objects.select_related("partnership")
        .filter(partnership_id=partnership_id, number=number, status=DigestIssue.Status.PUBLISHED)
        .order_by()
    ),
    {
        "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
        "number": (2_147_483_001, DigestIssue._meta.get_field("number")),  # in range, positive
    },
)


def issue_get_published(*, partnership: Partnership, number: int) -> DigestIssue:
    """A published issue of the partnership by its number, or 404 (SQL built once)."""
    found = _PUBLISHED_ISSUE.read(partnership_id=partnership.pk, number=number)
    if not found:
        raise Http404("No such digest issue")
    return found[0]


def subscriber_get_by_token(*, partnership: Partnership, token: str) -> Subscriber:
    try:
        return Subscriber.objects.get(partnership=partnership, token=token)
    except Subscriber.DoesNotExist:
        raise Http404("This link does not work") from None


# Links ----------------------------------------------------------------------------------------


def record_path(item: DigestItem, slug: str) -> str:
    """The path of the public library page of the item's record, or "" (no record, a record
    the public may not see, or no library pages)."""
    record = item.record
    if record is None or not record.is_public or record.archived_at is not None:
        return ""
    try:
        return reverse("library_public:record", kwargs={"slug": slug, "pk": record.pk})
    except NoReverseMatch:
        return ""
