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


# The annual report figures: dates on both sides of the year 1 April 2024 to 31 March 2025 ----


def build_annual_world(partnership, police, business_unit_user):
    """Reviews, actions and impact on both sides of 1 April 2024 and of 31 March 2025."""
    d = datetime.date
    signed_early = review_for(
        partnership, title="Child A", started_on=d(2023, 4, 3), signed_off_at=at(d(2024, 6, 10))
    )
    finding_for(signed_early, 1)
    finding_for(signed_early, 2, "Risk not assessed")
    finding_for(signed_early, 3, "Quick learning", kind=Finding.Kind.LEARNING_POINT)
    signed_last_evening = review_for(  # 23:00 on 31 March (British Summer Time): in the year
        partnership,
        title="Adult B",
        kind=Review.Kind.SAR,
        started_on=d(2023, 10, 2),
        signed_off_at=at(d(2025, 3, 31), 23),
    )
    finding_for(signed_last_evening, 1)
    signed_after = review_for(  # midnight starting 1 April: the next year, ongoing at 31 March
        partnership, title="Child C", started_on=d(2024, 1, 8), signed_off_at=at(d(2025, 4, 1), 0)
    )
    finding_for(signed_after, 1)
    signed_before = review_for(
        partnership, title="Child D", started_on=d(2023, 1, 9), signed_off_at=at(d(2024, 3, 31))
    )
    finding_for(signed_before, 1)
    still_running = review_for(partnership, title="Person E", started_on=d(2024, 9, 2))
    review_for(partnership, title="Child F", started_on=d(2025, 4, 2))  # started after the year
    review_for(
        partnership, title="Child G", kind=Review.Kind.RAPID_REVIEW, started_on=d(2024, 5, 1)
    )

    def action(review, number, agreed_on, **kwargs):
        finding = review.findings.first() or finding_for(review, 1)
        recommendation = recommendation_for(review, number, [finding], agreed_on=agreed_on)
        return action_for(recommendation, 1, police, **kwargs)

    made = {
        "completed_31_march": action(
            signed_before, 1, d(2024, 5, 1), status=Status.COMPLETE,
            target_date=d(2025, 3, 31), completed_on=d(2025, 3, 31),
        ),
        "completed_1_april": action(  # outstanding and overdue at the year end
            signed_before, 2, d(2024, 5, 1), status=Status.COMPLETE,
            target_date=d(2025, 2, 1), completed_on=d(2025, 4, 1),
        ),
        "open_not_due": action(
            signed_early, 1, d(2024, 7, 1), status=Status.ON_TRACK, target_date=d(2025, 6, 1)
        ),
        "open_due_31_march": action(
            signed_early, 2, d(2024, 7, 1), status=Status.AT_RISK, target_date=d(2025, 3, 31)
        ),
        "not_implemented_in_year": action(
            signed_early, 3, d(2024, 7, 1), status=Status.ON_TRACK, target_date=d(2025, 9, 1)
        ),
        "not_implemented_after": action(
            signed_early, 4, d(2024, 7, 1), status=Status.ON_TRACK, target_date=d(2025, 9, 1)
        ),
        "agreed_after": action(
            signed_after, 1, d(2025, 4, 10), status=Status.ON_TRACK, target_date=d(2025, 5, 1)
        ),
        "completed_before": action(
            signed_before, 3, d(2023, 6, 1), status=Status.COMPLETE,
            target_date=d(2024, 3, 1), completed_on=d(2024, 3, 30),
        ),
    }  # fmt: skip
    not_implemented(
        made["not_implemented_in_year"],
        business_unit_user,
        "The service was decommissioned",
        at(d(2025, 3, 15)),
    )
    not_implemented(
        made["not_implemented_after"], business_unit_user, "Funding ended", at(d(2025, 4, 2))
    )
    impact_in_year = made["open_not_due"].recommendation
    impact_in_year.impact_method = "audit"
    impact_in_year.impact_result = "A case audit found information shared in 9 of 10 cases"
    impact_in_year.impact_judgement = "changed"
    impact_in_year.impact_recorded_on = d(2024, 12, 1)
    impact_in_year.save()
    impact_after = made["open_due_31_march"].recommendation
    impact_after.impact_method = "survey"
    impact_after.impact_result = "Practitioners feel more confident"
    impact_after.impact_judgement = "partly"
    impact_after.impact_recorded_on = d(2025, 4, 1)
    impact_after.save()
    return made, {"still_running": still_running, "signed_after": signed_after}
