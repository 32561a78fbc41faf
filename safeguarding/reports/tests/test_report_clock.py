"""A review's six months (ADR 0026): each review type counts from the start event of its own
report rule in the case's guidance version (R14 a local child safeguarding practice review and
R33 a Domestic Homicide Review from the decision, R26 a Safeguarding Adults Review from the start
of the review), and the clock starts its report milestone on the same day."""

import datetime

import pytest

from safeguarding.accounts.models import Partnership
from safeguarding.actions.tests.tracker_support import at, review_for
from safeguarding.clock.models import Milestone, MilestoneRule
from safeguarding.core.calendar import add_calendar_months
from safeguarding.guidance.models import GuidanceVersion
from safeguarding.referrals.models import CaseGuidance, Decision, Track
from safeguarding.reports import figures
from safeguarding.reports.period import Period
from safeguarding.reports.selectors import FinancialYear
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.review_support import commission, decided_case

pytestmark = pytest.mark.django_db

d = datetime.date
YEAR = Period.of_year(FinancialYear(2024))  # 1 April 2024 to 31 March 2025
TODAY = d(2026, 11, 26)


def _review(partnership, title, kind, review_type, outcome, decided_on, started_on, signed_off):
    review = review_for(
        partnership,
        title=title,
        kind=kind,
        started_on=started_on,
        signed_off_at=at(signed_off) if signed_off else None,
    )
    track = Track.objects.create(case=review.case, review_type=review_type)
    review.tracks.add(track)
    Decision.objects.create(
        track=track,
        outcome=outcome,
        rationale="Fictional rationale.",
        decided_on=decided_on,
        state=Decision.State.FINAL,
    )
    return review


@pytest.fixture
def reviews(partnership):
    partnership.runs_dhr = True
    partnership.save(update_fields=["runs_dhr"])
    made = {
        # Decided 29 September 2023 (6 months: 29 March 2024), started 1 November 2023, signed
        # off on the first day of the year: over from the decision (R14), within from the start.
        "lcspr": _review(
            partnership,
            "Child L",
            Review.Kind.LCSPR,
            "cspr",
            "rapid_review_then_local",
            d(2023, 9, 29),
            d(2023, 11, 1),
            d(2024, 4, 1),
        ),
        # Decided 1 April 2024, started 1 October 2024 (6 months: 1 April 2025), signed off on
        # the last day of the year: within from the start (R26), over from the decision.
        "sar": _review(
            partnership,
            "Adult S",
            Review.Kind.SAR,
            "sar",
            "mandatory",
            d(2024, 4, 1),
            d(2024, 10, 1),
            d(2025, 3, 31),
        ),
        # Decided 1 May 2024 (6 months: 1 November 2024), started 1 August 2024, signed off 15
        # November 2024: over from the decision (R33), within from the start.
        "dhr": _review(
            partnership,
            "Death D",
            Review.Kind.DHR,
            "dhr",
            "review",
            d(2024, 5, 1),
            d(2024, 8, 1),
            d(2024, 11, 15),
        ),
    }
    # Outside the year, and another partnership's in it: never counted.
    _review(
        partnership,
        "Adult late",
        Review.Kind.SAR,
        "sar",
        "mandatory",
        d(2024, 4, 1),
        d(2024, 5, 1),
        d(2025, 4, 1),
    )
    other = Partnership.objects.create(
        name="Elsewhere",
        slug="elsewhere-clock",
        kind="adults",
        runs_cspr=False,
        area_name="Elsewhere",
        contact_email="x@elsewhere.example",
    )
    _review(
        other,
        "Adult elsewhere",
        Review.Kind.SAR,
        "sar",
        "mandatory",
        d(2024, 4, 1),
        d(2024, 10, 1),
        d(2024, 12, 1),
    )
    return made


def _records(partnership, key):
    found = figures.records(partnership=partnership, period=YEAR, key=key, group="", today=TODAY)
    return {row.text: row.detail for row in found.rows}


def test_each_review_type_counts_its_six_months_from_its_own_clock_rule(partnership, reviews):
    pack = figures.board_pack(partnership=partnership, period=YEAR, today=TODAY)

    assert pack.value("signed_off_within") == 1
    assert pack.value("signed_off_over") == 2
    assert pack.value("signed_off_undated") == 0
    assert _records(partnership, "signed_off_within") == {
        "Adult S": "Counted from the start of the review on 1 October 2024; 181 days"
    }
    assert _records(partnership, "signed_off_over") == {
        "Child L": "Counted from the decision to hold the review on 29 September 2023; 185 days",
        "Death D": "Counted from the decision to hold the review on 1 May 2024; 198 days",
    }
    # 181, 185 and 198 days.
    assert dict(pack.section("timeliness").measures)["Median time to sign-off"] == (
        "185 days (3 reviews)"
    )


def test_the_rule_of_the_guidance_version_the_case_follows_is_the_one_read(partnership, reviews):
    """A case recorded as following the draft DHR guidance of 2024 reads that version's report
    rule: given seven months there (a test-only change), the DHR is within it."""
    version = GuidanceVersion.objects.get(code="DHR2024D")
    MilestoneRule.objects.filter(code="dhr2024d-report").update(offset_amount=7)
    CaseGuidance.objects.create(
        case=reviews["dhr"].case,
        strand=version.strand,
        version=version,
        aware_on=d(2024, 4, 20),
        since=d(2024, 4, 1),
        adopted=True,
    )

    pack = figures.board_pack(partnership=partnership, period=YEAR, today=TODAY)

    assert pack.value("signed_off_within") == 2
    assert "Death D" in _records(partnership, "signed_off_within")


def test_a_review_without_a_final_decision_is_counted_apart_not_guessed(partnership, reviews):
    Decision.objects.filter(track__reviews=reviews["dhr"]).update(
        state=Decision.State.AWAITING_SIGNATURES
    )

    pack = figures.board_pack(partnership=partnership, period=YEAR, today=TODAY)

    assert pack.value("signed_off_undated") == 1
    assert pack.value("signed_off_over") == 1


# The clock starts the report milestone on the same day ------------------------------------------


def _report_milestone(case, code):
    return Milestone.objects.filter(rule__code=code, subject_id=case.pk).first()


def test_a_sar_report_clock_starts_with_the_review_and_the_others_on_the_decision(
    partnership, business_unit_user
):
    case, _makers = decided_case(partnership, business_unit_user, review_types=("sar",))
    assert _report_milestone(case, "sar-report") is None  # R26: not on the decision

    review = commission(case, business_unit_user)

    milestone = _report_milestone(case, "sar-report")
    assert milestone.starts_on == review.started_on
    assert milestone.due_on == add_calendar_months(review.started_on, 6)

    child, _ = decided_case(partnership, business_unit_user, pseudonym="Child Q")
    decided_on = Decision.objects.get(track__case=child).decided_on
    assert _report_milestone(child, "lcspr-final-report").starts_on == decided_on  # R14

    death, _ = decided_case(partnership, business_unit_user, ("dhr",), pseudonym="Death Q")
    decided_on = Decision.objects.get(track__case=death).decided_on
    assert _report_milestone(death, "dhr-report").starts_on == decided_on  # R33


def test_the_figures_count_from_the_day_the_clock_started(partnership, business_unit_user):
    case, _makers = decided_case(partnership, business_unit_user, review_types=("sar",))
    review = commission(case, business_unit_user)
    milestone = _report_milestone(case, "sar-report")

    start = figures._clock_starts([review])[review.pk]

    assert start.day == milestone.starts_on
