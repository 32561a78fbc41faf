"""Builders for the tracker, export and reminder tests: reviews, findings, recommendations and
actions written straight to the database with the dates a test needs (fast enough for 60
actions), as the services would leave them. The services themselves are tested in
test_services.py; these tests are about reading.
"""

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.actions.models import (
    Action,
    ActionEvidence,
    ActionUpdate,
    Recommendation,
    Theme,
)
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import Finding, Review

Status = Action.Status
_numbers = itertools.count(1)


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def agency_in(partnership, name: str, slug: str):
    agency = AgencyFactory(name=name, slug=slug)
    partnership.agencies.add(agency)
    return agency


def contributor_for(partnership, agency, email: str | None = None):
    user = UserFactory(**({"email": email} if email else {}))
    MembershipFactory(
        user=user, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    return user


def member(partnership, role: str, email: str | None = None):
    user = UserFactory(**({"email": email} if email else {}))
    MembershipFactory(user=user, partnership=partnership, role=role)
    return user


def review_for(
    partnership,
    *,
    title: str = "Child T",
    kind: str = Review.Kind.LCSPR,
    started_on: datetime.date | None = None,
    signed_off_at: datetime.datetime | None = None,
    stage: str | None = None,
) -> Review:
    """A review (with a case of its own) as it stands after sign-off, or still running."""
    number = next(_numbers)
    started_on = started_on or today() - datetime.timedelta(days=400)
    case = Case.objects.create(
        partnership=partnership,
        reference=f"CT-{number:05d}",
        pseudonym=title,
        status="decided",
        became_aware_on=started_on,
    )
    if stage is None:
        stage = Review.Stage.SIGNED_OFF if signed_off_at else Review.Stage.DRAFTING
    return Review.objects.create(
        partnership=partnership,
        case=case,
        kind=kind,
        stage=stage,
        reference=f"RT{started_on.year}-{number:05d}",
        title=title,
        started_on=started_on,
        signed_off_at=signed_off_at,
    )


def finding_for(
    review: Review,
    number: int,
    title: str = "Information was not shared",
    *,
    kind: str = Finding.Kind.FINDING,
    themes=(),
) -> Finding:
    finding = Finding.objects.create(
        review=review, number=number, kind=kind, title=title, text=f"{title}: the detail."
    )
    finding.themes.set(themes)
    return finding


def theme(name: str, facet: str = Theme.Facet.PRACTICE) -> Theme:
    return Theme.objects.get(partnership__isnull=True, facet=facet, name=name)


def recommendation_for(
    review: Review,
    number: int,
    findings,
    *,
    agreed_on: datetime.date | None = None,
    text: str = "Agencies should share information at the first concern.",
    expected_change: str = "Concerns are shared within a day.",
    scope: str = Recommendation.Scope.MULTI_AGENCY,
    agencies=(),
    **impact,
) -> Recommendation:
    recommendation = Recommendation.objects.create(
        review=review,
        number=number,
        text=text,
        scope=scope,
        expected_change=expected_change,
        to_partnership=not agencies,
        agreed_on=agreed_on or review.started_on,
        **impact,
    )
    recommendation.findings.set(findings)
    recommendation.agencies.set(agencies)
    return recommendation


def action_for(
    recommendation: Recommendation,
    number: int,
    agency,
    *,
    target_date: datetime.date,
    status: str = Status.ON_TRACK,
    text: str = "Train front-line staff in information sharing.",
    lead_name: str = "Sam Lead",
    completed_on: datetime.date | None = None,
    reason: str = "",
) -> Action:
    if status == Status.COMPLETE and completed_on is None:
        completed_on = target_date
    return Action.objects.create(
        partnership=recommendation.review.partnership,
        recommendation=recommendation,
        number=number,
        text=text,
        agency=agency,
        lead_name=lead_name,
        target_date=target_date,
        status=status,
        completed_on=completed_on,
        not_implemented_reason=reason,
    )


def update_for(action: Action, author, kind: str, note: str, when: datetime.datetime):
    update = ActionUpdate.objects.create(action=action, kind=kind, note=note, author=author)
    ActionUpdate.objects.filter(pk=update.pk).update(created_at=when)
    return update


def not_implemented(action: Action, author, reason: str, when: datetime.datetime) -> Action:
    """Record the decision not to implement, dated ``when`` (as the service would, that day)."""
    action.status = Status.NOT_IMPLEMENTED
    action.not_implemented_reason = reason
    action.save()
    update_for(action, author, ActionUpdate.Kind.NOT_IMPLEMENTED, reason, when)
    return action


def evidence_for(action: Action, author, pdf: bytes, name: str = "register.pdf"):
    return ActionEvidence.objects.create(
        action=action,
        file=SimpleUploadedFile(name, pdf),
        original_name=name,
        file_kind="pdf",
        size_bytes=len(pdf),
        uploaded_by=author,
    )


# A spread of actions over several reviews, agencies and statuses --------------------------------

SPREAD = [  # (status, days from today to the target date)
    (Status.NOT_STARTED, 90),
    (Status.ON_TRACK, 10),
    (Status.AT_RISK, 40),
    (Status.ON_TRACK, -5),  # overdue
    (Status.COMPLETION_REQUESTED, 3),
    (Status.COMPLETE, -30),
    (Status.NOT_IMPLEMENTED, 60),
]


def build_actions(partnership, agencies, count: int, *, per_review: int = 10) -> list[Action]:
    """``count`` actions over reviews of ``per_review`` recommendations (one action each),
    cycling through ``agencies`` and the statuses of SPREAD."""
    actions = []
    review = None
    for index in range(count):
        if index % per_review == 0:
            review = review_for(partnership, title=f"Child {index // per_review + 1}")
            finding = finding_for(review, 1)
        recommendation = recommendation_for(review, index % per_review + 1, [finding])
        status, offset = SPREAD[index % len(SPREAD)]
        actions.append(
            action_for(
                recommendation,
                1,
                agencies[index % len(agencies)],
                status=status,
                target_date=days(offset),
                reason="Replaced by a national programme" if status == "not_implemented" else "",
            )
        )
    return actions
