"""Reads for national returns: which schemes a review answers, its returns, and every review of a
partnership concluded in a financial year with its returns (for the list and the export)."""

import datetime
from dataclasses import dataclass
from typing import cast

from django.utils import timezone

from safeguarding.accounts.models import Partnership

from ..models import NationalReturn, Review
from .categories import SCHEMES, Scheme

# A joint review answers the scheme of each of its review types, in this order.
_ORDER = ("cspr", "sar", "dhr")
_KIND_SCHEME: dict[str, str] = {
    Review.Kind.LCSPR: "cspr",
    Review.Kind.SAR: "sar",
    Review.Kind.DHR: "dhr",
}


def scheme_codes_for(review: Review, track_types=None) -> list[str]:
    """The schemes the review is returned under: its own kind's; a joint review's, one per
    review type of its tracks; none for a rapid review (the Panel has it already, R10).
    ``track_types``: the review types of its tracks when already read."""
    if review.kind == Review.Kind.JOINT and track_types is None:
        track_types = list(review.tracks.values_list("review_type", flat=True))
    return _scheme_codes(str(review.kind), list(track_types or []))


def schemes_for(review: Review) -> list[Scheme]:
    return [SCHEMES[code] for code in scheme_codes_for(review)]


def national_return_get(*, review: Review, scheme: str) -> NationalReturn | None:
    return NationalReturn.objects.filter(review=review, scheme=scheme).first()


@dataclass(frozen=True)
class Year:
    """A financial year, 1 April to 31 March: the period national returns are counted in."""

    start_year: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"1 April {self.start_year} to 31 March {self.start_year + 1}"

    @classmethod
    def containing(cls, day: datetime.date) -> "Year":
        return cls(day.year if day.month >= 4 else day.year - 1)


def years_offered(*, partnership: Partnership, today: datetime.date) -> list[Year]:
    """The current financial year and every earlier one since the partnership's first review
    was signed off (newest first)."""
    current = Year.containing(today)
    first = (
        Review.objects.filter(partnership=partnership, signed_off_at__isnull=False)
        .order_by("signed_off_at")
        .values_list("signed_off_at", flat=True)
        .first()
    )
    earliest = Year.containing(timezone.localtime(first).date()) if first else current
    start = min(earliest.start_year, current.start_year)
    return [Year(y) for y in range(current.start_year, start - 1, -1)]


@dataclass(frozen=True)
class ReturnReview:
    """What a row shows of its review (read as values: a tenth year lists twice the reviews of
    a first, issue 16)."""

    pk: int
    reference: str
    title: str
    kind: str
    signed_off_at: datetime.datetime  # never None: the reviews are those signed off

    def get_kind_display(self) -> str:
        return str(Review.Kind(self.kind).label)


@dataclass
class ReturnRow:
    review: ReturnReview
    scheme: Scheme
    national_return: NationalReturn | None

    @property
    def signed_off_on(self) -> datetime.date:
        return timezone.localtime(self.review.signed_off_at).date()


def national_return_rows(*, partnership: Partnership, year: Year) -> list[ReturnRow]:
    """One row per review of the partnership signed off in the year (the date it is counted as
    concluded, R24) and scheme it answers, with its return or None: a review still to be
    returned is listed too. Three queries, whatever the number of reviews (one when none was
    signed off in the year)."""
    tz = timezone.get_current_timezone()
    starts = datetime.datetime.combine(year.start, datetime.time.min, tzinfo=tz)
    ends = datetime.datetime.combine(
        year.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    reviews = [
        ReturnReview(pk, reference, title, kind, cast(datetime.datetime, signed_off_at))
        for pk, reference, title, kind, signed_off_at in Review.objects.filter(
            partnership=partnership, signed_off_at__gte=starts, signed_off_at__lt=ends
        )
        .exclude(kind=Review.Kind.RAPID_REVIEW)
        .order_by("signed_off_at", "pk")
        .values_list("pk", "reference", "title", "kind", "signed_off_at")
    ]
    if not reviews:
        return []
    ids = [review.pk for review in reviews]
    types: dict[int, list[str]] = {}
    for review_id, review_type in Review.tracks.through.objects.filter(
        review_id__in=ids
    ).values_list("review_id", "track__review_type"):
        types.setdefault(review_id, []).append(review_type)
    returns: dict[tuple[int, str], NationalReturn] = {
        (r.review_id, r.scheme): r for r in NationalReturn.objects.filter(review_id__in=ids)
    }
    rows = []
    for review in reviews:
        for code in _scheme_codes(review.kind, types.get(review.pk, [])):
            rows.append(ReturnRow(review, SCHEMES[code], returns.get((review.pk, code))))
    return rows


def _scheme_codes(kind: str, track_types: list[str]) -> list[str]:
    """``scheme_codes_for`` from a review's kind and its tracks' review types."""
    if kind == Review.Kind.JOINT:
        return [code for code in _ORDER if code in set(track_types)]
    code = _KIND_SCHEME.get(str(kind))
    return [code] if code else []
