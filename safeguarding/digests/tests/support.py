"""Fictional library records, publications, findings and digest issues for the digest tests."""

import itertools
from datetime import date, datetime, time

from django.utils import timezone

from safeguarding.actions.models import Theme
from safeguarding.digests import services
from safeguarding.digests.models import DigestIssue, Subscriber
from safeguarding.library.models import LibraryRecord
from safeguarding.publication.models import NationalReview, Publication
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import Finding, Review

PERIOD_START = date(2026, 1, 1)
PERIOD_END = date(2026, 3, 31)
_counter = itertools.count(1)


def theme(partnership, name: str) -> Theme:
    return Theme.objects.create(partnership=partnership, facet=Theme.Facet.PRACTICE, name=name)


def record(
    partnership,
    title: str,
    *,
    published_on: date,
    source: str = LibraryRecord.Source.OWN,
    review_type: str = "cspr",
    themes=(),
    learning: str = "",
    summary: str = "",
    **extra,
) -> LibraryRecord:
    made = LibraryRecord.objects.create(
        partnership=partnership,
        source=source,
        external_id=f"test-{next(_counter)}",
        title=title,
        review_type=review_type,
        publisher=extra.pop("publisher", "Testshire Safeguarding Partnership"),
        year=published_on.year,
        published_on=published_on,
        summary=summary or f"A fictional summary of {title}.",
        learning=learning,
        **extra,
    )
    made.themes.set(themes)
    return made


def review(partnership, title: str = "Child T") -> Review:
    n = next(_counter)
    case = Case.objects.create(
        partnership=partnership,
        reference=f"D-CASE-{n}",
        pseudonym=title,
        became_aware_on=date(2025, 1, 5),
    )
    return Review.objects.create(
        partnership=partnership,
        case=case,
        kind="lcspr",
        stage="signed_off",
        signed_off_at=timezone.now(),
        reference=f"D-REV-{n}",
        title=title,
        started_on=date(2025, 2, 1),
    )


def publication(partnership, title: str, *, publish_on: date, **extra) -> Publication:
    return Publication.objects.create(
        partnership=partnership,
        review=review(partnership, title),
        review_type="cspr",
        title=title,
        summary=extra.pop("summary", f"What we learned from {title}."),
        reviewer_names="A Fictional Reviewer",
        status=extra.pop("status", Publication.Status.PUBLISHED),
        publish_on=publish_on,
        published_at=timezone.make_aware(datetime.combine(publish_on, time(9))),
        **extra,
    )


def national_review(partnership, title: str, *, published_on: date) -> NationalReview:
    return NationalReview.objects.create(
        partnership=partnership,
        title=title,
        published_on=published_on,
        url="https://panel.example/reviews/fictional",
        summary=f"The Panel's fictional review: {title}.",
    )


def finding(partnership, *, on: date, themes=(), review_=None) -> Finding:
    made = Finding.objects.create(
        review=review_ or review(partnership),
        number=next(_counter),
        title="A fictional finding",
        text="Agencies did not share what they knew.",
        created_at=timezone.make_aware(datetime.combine(on, time(12))),
    )
    made.themes.set(themes)
    return made


def issue(partnership, actor, *, number: int = 1, title: str = "Spring learning") -> DigestIssue:
    return services.issue_start(
        partnership=partnership,
        actor=actor,
        number=number,
        title=title,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
    )


def subscriber(partnership, email: str, *, confirmed=True, unsubscribed=False) -> Subscriber:
    now = timezone.now()
    return Subscriber.objects.create(
        partnership=partnership,
        email=email,
        confirmed_at=now if confirmed else None,
        unsubscribed_at=now if unsubscribed else None,
    )


def date_data(prefix: str, value: date | None) -> dict:
    if value is None:
        return {f"{prefix}_0": "", f"{prefix}_1": "", f"{prefix}_2": ""}
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}
