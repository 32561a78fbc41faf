"""What the service proposes for a digest issue covering a period (issue 7 item 5).

- Reviews published in the period: the library's public records (published by the
  partnership, imported or entered by hand) with ``published_on`` in the period; a review the
  partnership published that has no library record yet is proposed from its publication.
- Their key learning: the first points of each record's learning text (or of the publication's
  improvements).
- National reviews published in the period: library records of national reviews, and national
  reviews recorded on the public page that have no library record.
- Recurring themes: a theme that came up at least twice in the period (library records published
  in it and the partnership's own findings recorded in it), or that came up in the period and in
  an earlier year too.

Nothing here writes: the editor chooses among the proposals and ``services.items_add`` stores
the chosen ones as ``DigestItem`` rows. A proposal and the item made from it share a ``key``,
so the editor sees which proposals are in the issue already.
"""

import datetime
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.actions.models import Theme
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery
from safeguarding.library.models import LibraryRecord, ReviewType
from safeguarding.publication.models import NationalReview, Publication

from .models import DigestItem

Kind = DigestItem.Kind
LEARNING_POINTS = 3
SUMMARY_CHARACTERS = 1_200
POINT_CHARACTERS = 600
MIN_IN_PERIOD = 2  # a theme seen this often in the period recurs, whatever earlier years say
HEADING_MAX = DigestItem._meta.get_field("heading").max_length
TEXT_MAX = DigestItem._meta.get_field("text").max_length
_BULLET = re.compile(r"^(?:[-*•–]|\d{1,2}[.)])\s+")


def day(value: datetime.date) -> str:
    """A date as GOV.UK writes it: 4 September 2026."""
    return f"{value.day} {value:%B %Y}"


def proposal_key(kind: str, record_id: int | None, heading: str) -> str:
    """The same proposal, whenever it is made, has the same key: its record, or its heading."""
    if record_id is not None:
        return f"{kind}:r{record_id}"
    digest = hashlib.sha256(heading.strip().casefold().encode()).hexdigest()[:16]
    return f"{kind}:h{digest}"


def item_key(item: DigestItem) -> str:
    return proposal_key(item.kind, item.record_id, item.heading)


@dataclass(frozen=True)
class Proposal:
    kind: str
    heading: str
    text: str
    record_id: int | None = None
    link: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        return proposal_key(self.kind, self.record_id, self.heading)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def label(self) -> str:
        """The label of its tick box on the editor's page."""
        note = f" ({self.note})" if self.note else ""
        return f"{self.kind_label}: {self.heading}{note}"


# Text helpers ---------------------------------------------------------------------------------


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def excerpt(text: str, limit: int = SUMMARY_CHARACTERS) -> str:
    """The first paragraphs of ``text`` that fit in ``limit`` characters (at least one, cut at
    a word if it is too long), separated by blank lines."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    kept: list[str] = []
    used = 0
    for paragraph in paragraphs:
        if kept and used + len(paragraph) > limit:
            break
        kept.append(_cut(paragraph, limit))
        used += len(paragraph)
    return "\n\n".join(kept)


def learning_points(text: str, limit: int = LEARNING_POINTS) -> list[str]:
    """The first points of a learning text: its bulleted or numbered lines if it has any,
    otherwise its paragraphs."""
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    bullets = [_BULLET.sub("", line) for line in lines if _BULLET.match(line)]
    points = bullets or [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "")]
    return [_cut(p, POINT_CHARACTERS) for p in points if p.strip()][:limit]


def as_bullets(points: list[str]) -> str:
    """Points as the bulleted list the public page, the PDF and the Word file all show."""
    return "\n".join(f"- {point}" for point in points)


def _joined(values: list) -> str:
    words = [str(v) for v in values]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _times(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# The proposals --------------------------------------------------------------------------------


def _review_proposals(record: LibraryRecord) -> list[Proposal]:
    when = day(record.published_on)
    intro = f"{record.get_review_type_display()} published by {record.publisher} on {when}."
    summary = excerpt(record.summary)
    proposals = [
        Proposal(
            kind=Kind.REVIEW,
            heading=record.title[:HEADING_MAX],
            text=(f"{intro}\n\n{summary}" if summary else intro)[:TEXT_MAX],
            record_id=record.pk,
            link=record.url,
            note=f"published {when}",
        )
    ]
    points = learning_points(record.learning)
    if points:
        proposals.append(
            Proposal(
                kind=Kind.LEARNING,
                heading=f"Learning from {record.title}"[:HEADING_MAX],
                text=as_bullets(points)[:TEXT_MAX],
                record_id=record.pk,
                link=record.url,
            )
        )
    return proposals


def _publication_proposals(publication: Publication, slug: str) -> list[Proposal]:
    when = day(publication.publish_on)
    link = reverse("published:detail", args=[slug, publication.pk])
    summary = excerpt(publication.summary)
    intro = f"Published by the partnership on {when}."
    proposals = [
        Proposal(
            kind=Kind.REVIEW,
            heading=publication.title[:HEADING_MAX],
            text=(f"{intro}\n\n{summary}" if summary else intro)[:TEXT_MAX],
            link=link,
            note=f"published {when}",
        )
    ]
    points = learning_points(publication.improvements)
    if points:
        proposals.append(
            Proposal(
                kind=Kind.LEARNING,
                heading=f"Learning from {publication.title}"[:HEADING_MAX],
                text=as_bullets(points)[:TEXT_MAX],
                link=link,
            )
        )
    return proposals


def _national_record_proposal(record: LibraryRecord) -> Proposal:
    when = day(record.published_on)
    summary = excerpt(record.summary)
    intro = f"Published by {record.publisher} on {when}."
    return Proposal(
        kind=Kind.NATIONAL,
        heading=record.title[:HEADING_MAX],
        text=(f"{intro}\n\n{summary}" if summary else intro)[:TEXT_MAX],
        record_id=record.pk,
        link=record.url,
        note=f"published {when}",
    )


def _national_review_proposal(review: NationalReview) -> Proposal:
    when = day(review.published_on)
    summary = excerpt(review.summary)
    intro = f"Published by the Child Safeguarding Practice Review Panel on {when}."
    return Proposal(
        kind=Kind.NATIONAL,
        heading=review.title[:HEADING_MAX],
        text=(f"{intro}\n\n{summary}" if summary else intro)[:TEXT_MAX],
        link=review.url,
        note=f"published {when}",
    )


def _finding_theme_rows(partnership: Partnership):
    return Theme.findings.through.objects.filter(finding__review__partnership=partnership)


def _record_theme_rows(partnership: Partnership):
    return LibraryRecord.themes.through.objects.filter(
        libraryrecord__partnership=partnership, libraryrecord__archived_at__isnull=True
    )


def _aware(value: datetime.date, *, end: bool) -> datetime.datetime:
    moment = datetime.time.max if end else datetime.time.min
    return timezone.make_aware(datetime.datetime.combine(value, moment))


# The proposals' reads by partnership and period, with SQL built once (issue 16,
# core.compiled_sql): the partnership, the period's first and last days (and their moments).
_DAY = LibraryRecord._meta.get_field("published_on")
_MOMENT = Theme.findings.through._meta.get_field("finding").related_model._meta.get_field(
    "created_at"
)
_PERIOD = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
    "start": (datetime.date(1111, 1, 1), _DAY),
    "end": (datetime.date(1111, 1, 2), _DAY),
}
_RECORDS = CompiledQuery(
    lambda partnership_id, start, end: LibraryRecord.objects.filter(
        partnership_id=partnership_id,
        archived_at__isnull=True,
        is_public=True,
        published_on__gte=start,
        published_on__lte=end,
    ).order_by("published_on", "title", "id"),
    _PERIOD,
)
_PUBLICATIONS = CompiledQuery(
    lambda partnership_id, start, end: Publication.objects.filter(
        partnership_id=partnership_id,
        status=Publication.Status.PUBLISHED,
        publish_on__gte=start,
        publish_on__lte=end,
        library_record__isnull=True,
    ).order_by("publish_on", "title", "id"),
    _PERIOD,
)
_NATIONAL_REVIEWS = CompiledQuery(
    lambda partnership_id, start, end: NationalReview.objects.filter(
        partnership_id=partnership_id,
        archived_at__isnull=True,
        library_record__isnull=True,
        published_on__gte=start,
        published_on__lte=end,
    ).order_by("published_on", "title", "id"),
    _PERIOD,
)
_RECORD_THEMES_IN_PERIOD = CompiledQuery(
    lambda partnership_id, start, end: (
        _record_theme_rows(Partnership(pk=partnership_id))
        .filter(libraryrecord__published_on__gte=start, libraryrecord__published_on__lte=end)
        .values_list("theme_id")
    ),
    _PERIOD,
)
_FINDING_THEMES_IN_PERIOD = CompiledQuery(
    lambda partnership_id, start, end: (
        _finding_theme_rows(Partnership(pk=partnership_id))
        .filter(finding__created_at__gte=start, finding__created_at__lte=end)
        .values_list("theme_id")
    ),
    {
        "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
        "start": (datetime.datetime(1111, 1, 1, tzinfo=datetime.UTC), _MOMENT),
        "end": (datetime.datetime(1111, 1, 2, tzinfo=datetime.UTC), _MOMENT),
    },
)


def theme_proposals(
    *, partnership: Partnership, period_start: datetime.date, period_end: datetime.date
) -> list[Proposal]:
    """Themes that recur: in the period at least twice, or in the period and an earlier year.
    Counted from the library's records and the partnership's own findings (five queries)."""
    in_records = Counter(
        row[0]
        for row in _RECORD_THEMES_IN_PERIOD.read_rows(
            partnership_id=partnership.pk, start=period_start, end=period_end
        )
    )
    in_findings = Counter(
        row[0]
        for row in _FINDING_THEMES_IN_PERIOD.read_rows(
            partnership_id=partnership.pk,
            start=_aware(period_start, end=False),
            end=_aware(period_end, end=True),
        )
    )
    seen = set(in_records) | set(in_findings)
    if not seen:
        return []
    earlier: dict[int, set[int]] = defaultdict(set)
    for theme_id, year in (
        _record_theme_rows(partnership)
        .filter(theme_id__in=seen, libraryrecord__year__lt=period_start.year)
        .values_list("theme_id", "libraryrecord__year")
        .distinct()
    ):
        earlier[theme_id].add(year)
    for theme_id, year in (
        _finding_theme_rows(partnership)
        .filter(theme_id__in=seen, finding__created_at__lt=_aware(period_start, end=False))
        .annotate(year=ExtractYear("finding__created_at"))
        .values_list("theme_id", "year")
        .distinct()
    ):
        if year < period_start.year:
            earlier[theme_id].add(year)
    recurring = [
        theme_id
        for theme_id in seen
        if in_records[theme_id] + in_findings[theme_id] >= MIN_IN_PERIOD or earlier[theme_id]
    ]
    names = dict(Theme.objects.filter(pk__in=recurring).values_list("pk", "name"))
    recurring.sort(
        key=lambda t: (-(in_records[t] + in_findings[t]), -len(earlier[t]), names.get(t, ""))
    )
    proposals = []
    for theme_id in recurring:
        name = names.get(theme_id, "")
        counted = in_records[theme_id] + in_findings[theme_id]
        parts = []
        if in_records[theme_id]:
            parts.append(f"{_times(in_records[theme_id], 'review')} in the library")
        if in_findings[theme_id]:
            parts.append(f"{_times(in_findings[theme_id], 'finding')} of our own reviews")
        text = f"This theme came up {_times(counted, 'time')} in this period ({_joined(parts)})."
        if earlier[theme_id]:
            years = sorted(earlier[theme_id])
            text += f" It also came up in earlier years: {_joined(years)}."
        proposals.append(
            Proposal(
                kind=Kind.THEME,
                heading=f"Recurring theme: {name}"[:HEADING_MAX],
                text=text,
                note=_times(counted, "time") + " in this period",
            )
        )
    return proposals


def proposals_for(
    *, partnership: Partnership, period_start: datetime.date, period_end: datetime.date
) -> list[Proposal]:
    """Everything the service proposes for an issue covering the period, in the order an issue
    usually runs: reviews published, their key learning, national reviews, recurring themes."""
    period = {"partnership_id": partnership.pk, "start": period_start, "end": period_end}
    records = _RECORDS.read(**period)
    national_records = [
        r
        for r in records
        if r.source == LibraryRecord.Source.NATIONAL or r.review_type == ReviewType.NATIONAL
    ]
    review_records = [r for r in records if r not in national_records]

    reviews: list[Proposal] = []
    for record in review_records:
        reviews.extend(_review_proposals(record))
    publications = _PUBLICATIONS.read(**period)
    for publication in publications:
        reviews.extend(_publication_proposals(publication, partnership.slug))

    national = [_national_record_proposal(r) for r in national_records]
    national += [_national_review_proposal(review) for review in _NATIONAL_REVIEWS.read(**period)]
    order = {Kind.REVIEW: 0, Kind.LEARNING: 1}
    reviews.sort(key=lambda p: order[p.kind])  # stable: reviews first, then their learning
    themes = theme_proposals(
        partnership=partnership, period_start=period_start, period_end=period_end
    )
    return reviews + national + themes
