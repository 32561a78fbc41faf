"""The kept action figures (``reports.ActionYear``, ADR 0031, issue 16): after any change to the
actions, their decisions or their recommendations, by a service, ``save()``, ``update()``,
``bulk_create()`` or ``delete()``, the figures the page shows equal a fresh count, on SQLite and
PostgreSQL (the database triggers of migration ``reports/0003``)."""

import datetime
import uuid

import pytest

from safeguarding.actions.models import Action, ActionUpdate, Recommendation
from safeguarding.actions.tests.tracker_support import (
    action_for,
    at,
    build_annual_world,
    finding_for,
    not_implemented,
    recommendation_for,
    review_for,
    update_for,
)
from safeguarding.reports import selectors
from safeguarding.reports.models import ActionYear
from safeguarding.reports.period import Period

pytestmark = pytest.mark.django_db

d = datetime.date
Status = Action.Status
YEARS = range(2021, 2027)


@pytest.fixture
def police(partnership, agency):
    partnership.agencies.add(agency)
    return agency


@pytest.fixture
def world(partnership, police, business_unit_user):
    return build_annual_world(partnership, police, business_unit_user)


def _fresh(partnership, start_year: int) -> dict:
    """Counted now, with no kept row: the plain queries."""
    year = selectors.FinancialYear(start_year)
    actions, sets = selectors.annual_action_sets(partnership=partnership, year=year)
    return selectors._count_kept(partnership, actions, sets, year)


def _shown(partnership) -> dict[int, dict]:
    """What the page shows each year: kept where kept, counted and kept where not."""
    return {
        y: selectors._action_counts(partnership=partnership, year=selectors.FinancialYear(y))
        for y in YEARS
    }


def _assert_kept_equal_fresh(partnership) -> None:
    shown = _shown(partnership)
    assert shown == {y: _fresh(partnership, y) for y in YEARS}
    # Every year is kept now, and reading it again gives the same.
    kept = ActionYear.objects.filter(partnership=partnership, start_year__in=YEARS)
    assert sorted(r.start_year for r in kept if r.stored and not r.stale) == list(YEARS)
    assert _shown(partnership) == shown


def _one_action(partnership, police, agreed_on=None, **kwargs) -> Action:
    agreed_on = agreed_on or d(2022, 6, 1)
    review = review_for(partnership, title="Fictional review", started_on=d(2021, 5, 4))
    recommendation = recommendation_for(review, 1, [finding_for(review, 1)], agreed_on=agreed_on)
    return action_for(recommendation, 1, police, target_date=d(2023, 1, 9), **kwargs)


def test_the_kept_figures_equal_a_fresh_count_after_every_kind_of_change(
    partnership, police, business_unit_user, world
):
    _assert_kept_equal_fresh(partnership)  # every year counted once and kept
    action = _one_action(partnership, police)  # created
    _assert_kept_equal_fresh(partnership)

    action.status, action.completed_on = Status.COMPLETE, d(2024, 2, 5)  # completed
    action.save()
    _assert_kept_equal_fresh(partnership)

    action.status, action.completed_on = Status.ON_TRACK, None  # reopened
    action.save()
    _assert_kept_equal_fresh(partnership)

    Action.objects.filter(pk=action.pk).update(target_date=d(2021, 9, 1))  # overdue earlier
    _assert_kept_equal_fresh(partnership)

    not_implemented(action, business_unit_user, "Fictional: not needed", at(d(2023, 3, 31), 23))
    _assert_kept_equal_fresh(partnership)  # decided against

    update = ActionUpdate.objects.get(action=action, kind=ActionUpdate.Kind.NOT_IMPLEMENTED)
    ActionUpdate.objects.filter(pk=update.pk).update(created_at=at(d(2025, 4, 2)))
    _assert_kept_equal_fresh(partnership)  # the decision's date moved across a year end

    update.delete()  # the decision dated by the action's last change again
    _assert_kept_equal_fresh(partnership)

    action.status, action.not_implemented_reason = Status.AT_RISK, ""  # decision undone
    action.save()
    _assert_kept_equal_fresh(partnership)

    recommendation = action.recommendation
    recommendation.agreed_on = d(2025, 3, 31)  # agreed a year later
    recommendation.save()
    _assert_kept_equal_fresh(partnership)
    Recommendation.objects.filter(pk=recommendation.pk).update(agreed_on=d(2025, 4, 1))
    _assert_kept_equal_fresh(partnership)  # and across the year end

    # Completed on either side of a year end.
    Action.objects.filter(pk=action.pk).update(status=Status.COMPLETE, completed_on=d(2026, 3, 31))
    _assert_kept_equal_fresh(partnership)
    Action.objects.filter(pk=action.pk).update(completed_on=d(2026, 4, 1))
    _assert_kept_equal_fresh(partnership)

    action.delete()  # deleted
    _assert_kept_equal_fresh(partnership)


def test_actions_written_in_bulk_and_deleted_in_bulk_mark_their_years(
    partnership, police, business_unit_user, world
):
    _assert_kept_equal_fresh(partnership)
    first = _one_action(partnership, police, agreed_on=d(2021, 7, 1))
    Action.objects.bulk_create(
        [
            Action(
                partnership=partnership,
                recommendation=first.recommendation,
                number=n,
                text="Fictional action",
                agency=police,
                lead_name="Sam Lead",
                target_date=d(2022, 2, 1),
                status=status,
                completed_on=completed_on,
                not_implemented_reason="Fictional" if status == Status.NOT_IMPLEMENTED else "",
            )
            for n, status, completed_on in (
                (2, Status.COMPLETE, d(2023, 8, 1)),
                (3, Status.NOT_STARTED, None),
                (4, Status.NOT_IMPLEMENTED, None),
            )
        ]
    )
    _assert_kept_equal_fresh(partnership)
    Action.objects.filter(recommendation=first.recommendation).update(target_date=d(2026, 1, 1))
    _assert_kept_equal_fresh(partnership)
    Action.objects.filter(recommendation=first.recommendation).delete()
    _assert_kept_equal_fresh(partnership)


def test_a_change_the_figures_do_not_read_leaves_the_years_kept(partnership, police, world):
    action = _one_action(partnership, police)
    _shown(partnership)
    action.text = "Fictional: reworded"
    action.lead_name = "Another Lead"
    action.save()
    assert not ActionYear.objects.filter(partnership=partnership, stale=True).exclude(start_year=0)


def test_a_completion_marks_only_the_years_it_can_move(partnership, police, world):
    """Completing an action agreed years ago moves the year it is completed in and later, and
    the year it was agreed in (its actions by status, migration ``reports/0004``), not the years
    it was outstanding at the end of."""
    action = _one_action(partnership, police, agreed_on=d(2021, 6, 1))
    _shown(partnership)
    action.status, action.completed_on = Status.COMPLETE, d(2025, 5, 1)
    action.save()
    stale = ActionYear.objects.filter(partnership=partnership, stale=True).exclude(start_year=0)
    assert sorted(stale.values_list("start_year", flat=True)) == [2021, 2025, 2026]
    _assert_kept_equal_fresh(partnership)


def test_a_change_of_status_marks_the_year_agreed_and_the_figures_by_status_follow(
    partnership, police, world
):
    """The actions agreed in a year by their status today (the board pack's figure): a change
    of status, by ``save()`` or ``update()``, marks only the year its recommendation was agreed
    in (reports/0004), and the kept figures equal a fresh count."""
    action = _one_action(partnership, police, agreed_on=d(2022, 6, 1))
    before = _shown(partnership)[2022]
    action.status = Status.AT_RISK
    action.save()
    stale = ActionYear.objects.filter(partnership=partnership, stale=True).exclude(start_year=0)
    assert list(stale.values_list("start_year", flat=True)) == [2022]
    after = _shown(partnership)[2022]
    at_risk, on_track = (selectors.BY_STATUS[s] for s in (Status.AT_RISK, Status.ON_TRACK))
    assert (after[at_risk], after[on_track]) == (before[at_risk] + 1, before[on_track] - 1)
    _assert_kept_equal_fresh(partnership)
    Action.objects.filter(pk=action.pk).update(status=Status.NOT_STARTED)
    _assert_kept_equal_fresh(partnership)


def test_a_count_made_while_an_action_changed_is_not_kept(partnership, police, world):
    """The page claims the year before counting; a change after the claim marks it stale again,
    so the counts (which may miss the change) are not kept."""
    year = selectors.FinancialYear(2024)
    action = _one_action(partnership, police)
    real = selectors._count_actions

    def count_then_change(actions, sets, year_counted):
        counts = real(actions, sets, year_counted)
        Action.objects.filter(pk=action.pk).update(
            status=Status.COMPLETE, completed_on=d(2024, 6, 1)
        )
        return counts

    selectors._count_actions = count_then_change
    try:
        selectors._action_counts(partnership=partnership, year=year)
    finally:
        selectors._count_actions = real
    row = ActionYear.objects.get(partnership=partnership, start_year=2024)
    assert row.stale and not row.stored
    assert selectors._action_counts(partnership=partnership, year=year) == _fresh(partnership, 2024)


def test_a_period_that_is_not_a_financial_year_is_counted_not_kept(partnership, police, world):
    period = Period(d(2024, 1, 1), d(2024, 12, 31))
    actions, sets = selectors.annual_action_sets(partnership=partnership, year=period)
    counts = selectors._action_counts(partnership=partnership, year=period)
    kept = selectors._count_kept(partnership, actions, sets, period)
    # Without the annual figures' counts, which only a financial year shows (reports/0005),
    # and the board pack's, which the pack counts itself for any other period (reports/0006).
    assert counts == {
        k: v for k, v in kept.items() if k not in (*selectors.ANNUAL_KEYS, *selectors.PACK_KEYS)
    }
    assert not ActionYear.objects.exclude(start_year=0).exists()  # 0: PostgreSQL's lock row
    # The board pack's financial year is kept like the annual page's.
    selectors.implementation_counts(
        partnership=partnership, year=Period.of_year(selectors.FinancialYear(2024))
    )
    assert ActionYear.objects.filter(partnership=partnership, start_year=2024, stored=True)


def test_an_update_for_the_decision_made_later_moves_it(
    partnership, police, business_unit_user, world
):
    action = _one_action(partnership, police)
    not_implemented(action, business_unit_user, "Fictional: first", at(d(2022, 9, 1)))
    _assert_kept_equal_fresh(partnership)
    update_for(
        action,
        business_unit_user,
        ActionUpdate.Kind.NOT_IMPLEMENTED,
        "Fictional: again",
        at(d(2025, 9, 1)),
    )
    _assert_kept_equal_fresh(partnership)


def test_the_kept_screening_outcomes_equal_a_fresh_count_after_every_kind_of_change(
    partnership, police, world, other_partnership
):
    """The board pack's screening outcomes (tracks opened in the year by review type and
    result) are kept with the action figures (migration ``reports/0004``): a track added,
    screened again, re-dated across a year end (and across midnight in British summer time),
    moved to another case or deleted, and a case moved to another partnership, each by
    ``save()``, ``update()`` or ``delete()``, mark the years they move; the kept figures equal a
    fresh count."""
    from safeguarding.referrals.models import Case, Track

    review = review_for(partnership, title="Fictional screened", started_on=d(2022, 5, 4))
    _assert_kept_equal_fresh(partnership)
    track = Track.objects.create(case=review.case, review_type="sar", screening_result="unknown")
    moved = Track.objects.filter(pk=track.pk)
    moved.update(created_at=at(d(2022, 6, 1)))
    _assert_kept_equal_fresh(partnership)
    assert ["sar", "unknown", 1] in _shown(partnership)[2022]["screening"]
    track.screening_result = "mandatory"
    track.save(update_fields=["screening_result"])
    _assert_kept_equal_fresh(partnership)
    assert ["sar", "mandatory", 1] in _shown(partnership)[2022]["screening"]
    # 31 March 2023 at 23:30 UTC is 1 April 2023 in London (summer time): the 2023 year.
    moved.update(created_at=datetime.datetime(2023, 3, 31, 23, 30, tzinfo=datetime.UTC))
    _assert_kept_equal_fresh(partnership)
    assert ["sar", "mandatory", 1] in _shown(partnership)[2023]["screening"]
    assert ["sar", "mandatory", 1] not in _shown(partnership)[2022]["screening"]
    other = review_for(partnership, title="Fictional other case", started_on=d(2022, 5, 4))
    moved.update(case=other.case)
    _assert_kept_equal_fresh(partnership)
    Case.objects.filter(pk=other.case_id).update(partnership=other_partnership)
    _assert_kept_equal_fresh(partnership)
    assert ["sar", "mandatory", 1] not in _shown(partnership)[2023]["screening"]
    Case.objects.filter(pk=other.case_id).update(partnership=partnership)
    _assert_kept_equal_fresh(partnership)
    moved.delete()
    _assert_kept_equal_fresh(partnership)
    assert all(
        row[:2] != ["sar", "mandatory"]
        for y in YEARS
        for row in _shown(partnership)[y]["screening"]
    )


def test_the_kept_annual_counts_equal_a_fresh_count_after_changes_to_reviews_and_recommendations(
    partnership, police, business_unit_user, world
):
    """The annual figures' counts kept with the action figures (reports/0005): reviews signed
    off and ongoing, their findings and learning points, recommendations agreed and impact
    recorded, after reviews, findings and recommendations are added, changed and deleted."""
    from safeguarding.actions import services as action_services
    from safeguarding.reviews.models import Finding, Review

    _assert_kept_equal_fresh(partnership)
    review = review_for(partnership, title="Fictional later", started_on=d(2022, 9, 1))
    _assert_kept_equal_fresh(partnership)  # added, still ongoing in every later year

    Review.objects.filter(pk=review.pk).update(signed_off_at=at(d(2024, 3, 31), 23))
    _assert_kept_equal_fresh(partnership)  # signed off late on 31 March (1 April in UTC+1)
    review.refresh_from_db()
    review.signed_off_at = at(d(2025, 4, 1))  # moved across a year end
    review.save()
    _assert_kept_equal_fresh(partnership)

    finding = finding_for(review, 1)
    learning = finding_for(review, 2, kind=Finding.Kind.LEARNING_POINT)
    _assert_kept_equal_fresh(partnership)  # findings of a review signed off
    Finding.objects.filter(pk=learning.pk).update(kind=Finding.Kind.FINDING)
    _assert_kept_equal_fresh(partnership)
    learning.delete()
    _assert_kept_equal_fresh(partnership)

    recommendation = recommendation_for(review, 1, [finding], agreed_on=d(2023, 5, 2))
    _assert_kept_equal_fresh(partnership)  # agreed, with no action
    recommendation.impact_method = Recommendation.ImpactMethod.AUDIT
    recommendation.save()
    action_services.impact_record(
        recommendation=recommendation,
        actor=business_unit_user,
        result="Fictional: more concerns shared",
        judgement=Recommendation.Judgement.PARTLY,
        recorded_on=d(2024, 5, 6),
    )
    _assert_kept_equal_fresh(partnership)  # impact recorded through the service
    Recommendation.objects.filter(pk=recommendation.pk).update(
        impact_judgement=Recommendation.Judgement.CHANGED, impact_recorded_on=d(2022, 1, 3)
    )
    _assert_kept_equal_fresh(partnership)
    Recommendation.objects.filter(pk=recommendation.pk).update(agreed_on=d(2021, 6, 1))
    _assert_kept_equal_fresh(partnership)

    Review.objects.filter(pk=review.pk).update(kind=Review.Kind.RAPID_REVIEW)
    _assert_kept_equal_fresh(partnership)  # a rapid review is not counted
    Review.objects.filter(pk=review.pk).update(
        kind=Review.Kind.SAR, started_on=d(2021, 4, 1), signed_off_at=None
    )
    _assert_kept_equal_fresh(partnership)  # reopened, started earlier

    Recommendation.objects.filter(pk=recommendation.pk).delete()
    Finding.objects.filter(review=review).delete()
    review.delete()
    _assert_kept_equal_fresh(partnership)  # deleted


def _pack_kept_equals_counted(partnership, start_year: int) -> None:
    """The board pack of a financial year (its counts kept) shows what the same dates as any
    other period (every figure counted afresh) show."""
    from safeguarding.reports import figures

    year = Period.of_year(selectors.FinancialYear(start_year))
    other = Period(year.start, year.end)
    today = d(2026, 11, 26)
    kept = figures.board_pack(partnership=partnership, period=year, today=today)
    counted = figures.board_pack(partnership=partnership, period=other, today=today)
    assert [(s.key, s.figures) for s in kept.sections] == [
        (s.key, s.figures) for s in counted.sections
    ]


def test_the_kept_board_pack_counts_equal_a_fresh_count_after_every_kind_of_change(
    partnership, police, business_unit_user, world, other_partnership
):
    """The board pack's referrals by type and source, final decisions by outcome and recurring
    themes kept with the action figures (reports/0006, ADR 0059): after referrals, decisions,
    tracks, cases, agencies, theme tags and themes are added, changed (through a service,
    ``save()`` and ``update()``), written in bulk, moved across a year end or to another
    partnership and back, and deleted, the kept counts equal a fresh count."""
    from safeguarding.actions import services as action_services
    from safeguarding.actions.models import Theme
    from safeguarding.referrals import services as referral_services
    from safeguarding.referrals.models import Case, Decision, Referral, Track
    from safeguarding.referrals.tests.staff_support import make_referral
    from safeguarding.reviews.models import Finding

    _assert_kept_equal_fresh(partnership)
    # Referrals: submitted (the service; received today, this year), re-dated across a year
    # end, linked to an agency (the service), the agency renamed, re-typed, written in bulk,
    # moved to another partnership and back, deleted.
    referral = make_referral(partnership, referrer_organisation="Fictional Police")
    _assert_kept_equal_fresh(partnership)
    referrals = Referral.objects.filter(pk=referral.pk)
    referrals.update(received_on=d(2024, 3, 31))
    _assert_kept_equal_fresh(partnership)
    referrals.update(received_on=d(2024, 4, 1))
    _assert_kept_equal_fresh(partnership)
    referral.refresh_from_db()
    referral_services.referral_source_agency_set(
        referral=referral, agency=police, actor=business_unit_user
    )
    _assert_kept_equal_fresh(partnership)
    police.name = "Fictional Constabulary"
    police.save()
    _assert_kept_equal_fresh(partnership)
    assert [row for row in _shown(partnership)[2024]["pack:referrals"] if row[1] == police.pk] == [
        ["cspr", police.pk, "Fictional Constabulary", "Fictional Police", 1]
    ]
    referral.review_type = "sar"
    referral.save()
    _assert_kept_equal_fresh(partnership)
    copies = Referral.objects.bulk_create(
        [
            Referral(
                **{
                    f.attname: getattr(referral, f.attname)
                    for f in Referral._meta.concrete_fields
                    if f.attname not in ("id", "reference", "submission_key")
                },
                reference=f"FICT-{n}",
                submission_key=uuid.uuid4(),
            )
            for n in range(2)
        ]
    )
    _assert_kept_equal_fresh(partnership)
    referrals.update(partnership=other_partnership)
    _assert_kept_equal_fresh(partnership)
    referrals.update(partnership=partnership)
    _assert_kept_equal_fresh(partnership)
    Referral.objects.filter(pk__in=[c.pk for c in copies]).delete()
    _pack_kept_equals_counted(partnership, 2024)

    # Decisions: recorded (the service: awaiting signatures, not counted), made final, its
    # outcome changed, re-dated across a year end, the track given to a partner and back, its
    # type changed, the case moved to another partnership and back, deleted.
    review = world[1]["still_running"]
    track = Track.objects.create(case=review.case, review_type="cspr", screening_result="notify")
    decision = referral_services.decision_record(
        track=track,
        outcome="rapid_review_then_local",
        rationale="Fictional reasons.",
        decided_on=d(2024, 9, 3),
        actor=business_unit_user,
    )
    _assert_kept_equal_fresh(partnership)
    decisions = Decision.objects.filter(pk=decision.pk)
    decisions.update(state=Decision.State.FINAL)
    _assert_kept_equal_fresh(partnership)
    assert ["cspr", "rapid_review_then_local", 1] in _shown(partnership)[2024]["pack:decisions"]
    decision.refresh_from_db()
    decision.outcome = "other_learning"
    decision.save()
    _assert_kept_equal_fresh(partnership)
    decisions.update(decided_on=d(2025, 4, 1))
    _assert_kept_equal_fresh(partnership)
    tracks = Track.objects.filter(pk=track.pk)
    tracks.update(decided_by=other_partnership)
    _assert_kept_equal_fresh(partnership)
    assert not any(_shown(partnership)[y]["pack:decisions"] for y in YEARS)
    tracks.update(decided_by=None)
    _assert_kept_equal_fresh(partnership)
    tracks.update(review_type="sar")
    _assert_kept_equal_fresh(partnership)
    Case.objects.filter(pk=review.case_id).update(partnership=other_partnership)
    _assert_kept_equal_fresh(partnership)
    Case.objects.filter(pk=review.case_id).update(partnership=partnership)
    _assert_kept_equal_fresh(partnership)
    _pack_kept_equals_counted(partnership, 2025)
    decisions.delete()
    _assert_kept_equal_fresh(partnership)

    # Themes: two reviews signed off in 2024-25 tagged (the service), the theme renamed, a tag
    # moved to a finding of another year's review, tags written in bulk and deleted.
    theme = Theme.objects.filter(partnership__isnull=True).order_by("pk").first()
    signed = list(
        Finding.objects.filter(
            review__partnership=partnership,
            review__signed_off_at__gte=at(d(2024, 4, 1), 0),
            review__signed_off_at__lt=at(d(2025, 4, 1), 0),
        ).order_by("review_id", "pk")
    )
    first, second = signed[0], next(f for f in signed if f.review_id != signed[0].review_id)
    for finding in (first, second):
        action_services.finding_themes_set(
            finding=finding, actor=business_unit_user, themes=[theme]
        )
    _assert_kept_equal_fresh(partnership)
    assert [theme.pk, theme.name, 2] in _shown(partnership)[2024]["pack:themes"]
    theme.name = "Fictional renamed theme"
    theme.save()
    _assert_kept_equal_fresh(partnership)
    later = Finding.objects.filter(review=world[1]["signed_after"]).first()
    links = Theme.findings.through.objects.filter(theme=theme, finding=second)
    links.update(finding=later)
    _assert_kept_equal_fresh(partnership)
    assert not _shown(partnership)[2024]["pack:themes"]
    links = Theme.findings.through.objects.filter(theme=theme)
    links.delete()
    Theme.findings.through.objects.bulk_create(
        [Theme.findings.through(theme=theme, finding=f) for f in (first, second)]
    )
    _assert_kept_equal_fresh(partnership)
    _pack_kept_equals_counted(partnership, 2024)
    first.delete()
    _assert_kept_equal_fresh(partnership)
