"""The retention page's figures (issue 16): the same as the run's dry run, in a number of
queries that does not grow with the partnership's cases."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.core.calendar import add_calendar_months
from safeguarding.publication.models import Publication
from safeguarding.records import services
from safeguarding.records.closing import _Flush, refresh_closing_daily, refresh_every_case
from safeguarding.records.models import RetentionHold, RetentionSetting
from safeguarding.records.retention import (
    case_state,
    cases_closed_by,
    cases_with_history,
    last_day_counted,
    retention_due_counts,
    retention_plan,
)
from safeguarding.referrals.models import Case, Decision, Track
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reviews.models import (
    ChronologyEntry,
    FamilyContact,
    Person,
    PersonIdentity,
    Review,
)
from safeguarding.reviews.tests.review_support import make_lcspr

from .test_retention import closed_case, later, published_review

LONG_AGO = later(-11 * 12)  # every case rule is due (the longest default period is ten years)


def _add_cases(partnership, actor, agency, *, n: int) -> None:
    """``n`` closed cases, ``n`` published reviews with their working papers, one case on
    hold and one review still running; then the closed ones moved eleven years back."""
    for i in range(n):
        closed_case(partnership, actor, pseudonym=f"Child {i}")
        review = published_review(partnership, actor, months_ago=0)
        person = Person.objects.create(case=review.case, pseudonym="Father", role_in_case="parent")
        PersonIdentity.objects.create(person=person, full_name="Fictional Fathername")
        for day in (1, 2):
            ChronologyEntry.objects.create(
                review=review,
                agency=agency,
                occurred_on=datetime.date(2015, 3, day),
                event="Fictional event.",
                significance="routine",
                entered_by=actor,
            )
        FamilyContact.objects.create(
            review=review,
            person=person,
            kind="views_received",
            happened_on=datetime.date(2015, 4, 1),
            summary="Fictional views.",
            recorded_by=actor,
        )
    held = closed_case(partnership, actor, pseudonym="Child H")
    RetentionHold.objects.create(
        partnership=partnership, case=held, reason="Inquest opened", placed_by=actor
    )
    long_ago = timezone.make_aware(datetime.datetime.combine(LONG_AGO, datetime.time(9)))
    Case.objects.filter(partnership=partnership).update(created_at=long_ago)
    Decision.objects.filter(track__case__partnership=partnership).update(finalised_at=long_ago)
    Review.objects.filter(partnership=partnership, stage=Review.Stage.SIGNED_OFF).update(
        signed_off_at=long_ago, started_on=LONG_AGO
    )
    Publication.objects.filter(partnership=partnership).update(
        published_at=long_ago, publish_on=LONG_AGO, earliest_removal_on=later(-10 * 12)
    )
    make_lcspr(partnership, actor)  # running: its case is kept
    # The dates were moved back with update(), which no service does: the closing days are
    # worked out again, as the services' saves do after their commit.
    refresh_every_case()


def _plan_figures(partnership, today) -> dict[str, tuple[int, int]]:
    """Per record type: the records the dry run finds, and the distinct cases they are in."""
    figures: dict[str, tuple[int, set]] = {}
    for batch in retention_plan(today=today, partnerships=[partnership]).batches:
        count, cases = figures.get(batch.record_type.key, (0, set()))
        if batch.case is not None:
            cases = cases | {batch.case.pk}
        figures[batch.record_type.key] = (count + batch.count, cases)
    return {key: (count, len(cases)) for key, (count, cases) in figures.items()}


def _page(bu_client, partnership):
    with CaptureQueriesContext(connection) as queries:
        response = bu_client.get(f"/manage/{partnership.slug}/records/retention/")
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.django_db
def test_the_retention_page_counts_what_the_run_would_do_in_the_same_queries_at_any_size(
    partnership, business_unit_user, bu_client, agency
):
    today = timezone.localdate()
    sizes = []
    for n in (1, 3):
        _add_cases(partnership, business_unit_user, agency, n=n)
        response, queries = _page(bu_client, partnership)
        shown = {row.record_type.key: (row.count, row.cases) for row in response.context["due"]}
        expected = _plan_figures(partnership, today)
        assert shown == expected
        assert retention_due_counts(partnership=partnership, today=today) == list(
            response.context["due"]
        )
        sizes.append((queries, expected))
    (small_queries, small), (large_queries, large) = sizes
    assert small_queries == large_queries
    assert small_queries == 18  # issue 16: 19 -> 18, the partnership's periods read once
    # The data is what the test means it to be: every case rule finds records, 4x as many.
    closed = {"closed_cases", "case_identities", "chronology_entries", "family_contacts"}
    assert closed <= set(small)
    assert small["closed_cases"] == (1 + 1 + 1, 2)  # a case, a review's case and its review
    assert large["closed_cases"] == (4 * 3, 8)
    assert large["chronology_entries"] == (8, 4)
    assert large["case_identities"][1] == 8  # the held case and the running review's are kept
    assert "12 of ‘closed cases and their reviews’ in 8 cases" in response.content.decode()


@pytest.mark.django_db
def test_the_page_counts_follow_a_partnerships_own_period_and_a_rule_switched_off(
    partnership, business_unit_user, bu_client, agency
):
    _add_cases(partnership, business_unit_user, agency, n=2)
    RetentionSetting.objects.create(
        partnership=partnership, record_type="chronology_entries", months=12, enabled=False
    )
    RetentionSetting.objects.create(
        partnership=partnership, record_type="case_identities", months=200
    )
    today = timezone.localdate()
    figures = {
        row.record_type.key: (row.count, row.cases)
        for row in retention_due_counts(partnership=partnership, today=today)
    }
    assert figures == _plan_figures(partnership, today)
    assert "chronology_entries" not in figures
    assert "case_identities" not in figures


def test_last_day_counted_is_the_last_day_whose_period_has_ended():
    """Every day of two years, every period the schedule uses: the day found is the last one
    from which ``add_calendar_months`` reaches today or earlier (month ends included)."""
    start = datetime.date(2027, 1, 1)
    for offset in range(0, 2 * 366):
        today = start + datetime.timedelta(days=offset)
        for months in (0, 1, 12, 24, 120):
            day = last_day_counted(today, months)
            assert add_calendar_months(day, months) <= today
            assert add_calendar_months(day + datetime.timedelta(days=1), months) > today


def _case_of_every_shape(partnership, actor) -> None:
    """Cases in every state ``case_state`` tells apart: closed, held, undecided, decided on a
    review not commissioned, a track with no decision, running and rapid reviews, and
    publications drafted, scheduled, published (dated in every way) and withdrawn."""
    closed_case(partnership, actor, pseudonym="Closed")
    held = closed_case(partnership, actor, pseudonym="Held")
    RetentionHold.objects.create(
        partnership=partnership, case=held, reason="Trial", placed_by=actor
    )
    lifted = closed_case(partnership, actor, pseudonym="Lifted")
    RetentionHold.objects.create(
        partnership=partnership,
        case=lifted,
        reason="Trial",
        placed_by=actor,
        lifted_at=timezone.now(),
    )
    make_case(partnership, actor, pseudonym="Undecided")
    uncommissioned = closed_case(partnership, actor, pseudonym="Uncommissioned")
    Decision.objects.filter(track__case=uncommissioned).update(outcome="mandatory")
    undecided_track = closed_case(partnership, actor, pseudonym="Second track")
    Track.objects.create(case=undecided_track, review_type="sar")
    make_lcspr(partnership, actor)  # running
    for months_ago in (0, 11, 12, 13, 30):
        published_review(partnership, actor, months_ago=months_ago)
    long_removal = published_review(partnership, actor, months_ago=13)
    Publication.objects.filter(review=long_removal).update(earliest_removal_on=later(6))
    no_moment = published_review(partnership, actor, months_ago=14)
    Publication.objects.filter(review=no_moment).update(published_at=None)
    undated = published_review(partnership, actor, months_ago=14)
    Publication.objects.filter(review=undated).update(
        published_at=None, publish_on=None, earliest_removal_on=None
    )
    for status in ("draft", "scheduled"):
        review = published_review(partnership, actor, months_ago=20)
        Publication.objects.filter(review=review).update(status=status)
    withdrawn = published_review(partnership, actor, months_ago=5)
    Publication.objects.filter(review=withdrawn).update(
        status="withdrawn", withdrawn_at=timezone.now() - datetime.timedelta(days=40)
    )
    withdrawn_undated = published_review(partnership, actor, months_ago=5)
    Publication.objects.filter(review=withdrawn_undated).update(status="withdrawn")
    signed_unpublished = published_review(partnership, actor, months_ago=20)
    Publication.objects.filter(review=signed_unpublished).delete()
    for stage, submitted in (("submitted_to_panel", True), ("meeting", False)):
        review, _ = make_lcspr(partnership, actor)
        Review.objects.filter(pk=review.pk).update(
            kind="rapid_review",
            stage=stage,
            panel_submitted_on=later(-2) if submitted else None,
            panel_response_on=later(-1) if submitted else None,
        )
        if submitted:  # the rapid review was the whole of it: the case can close
            Decision.objects.filter(track__case=review.case).update(outcome="no_further_review")
    old = timezone.now() - datetime.timedelta(days=3 * 365)
    Case.objects.filter(partnership=partnership).update(created_at=old)
    Decision.objects.filter(track__case__partnership=partnership).update(finalised_at=old)
    refresh_every_case()  # as after update() above (the services' saves keep them)


@pytest.mark.django_db
def test_the_cases_found_closed_in_the_database_are_those_case_state_finds_closed(
    partnership, business_unit_user
):
    _case_of_every_shape(partnership, business_unit_user)
    cases = Case.objects.filter(partnership=partnership)
    closed_somewhere = set()
    for today in (later(-1), later(0), later(11), later(12), later(13), later(40)):
        states = {
            case.pk: case_state(case, today=today).closed_on for case in cases_with_history(cases)
        }
        days = {today, today - datetime.timedelta(days=1), later(-40)}
        days |= {last_day_counted(today, months) for months in (1, 12, 24)}
        for closed_on in filter(None, states.values()):
            days |= {closed_on, closed_on - datetime.timedelta(days=1)}
        for day in sorted(days):
            expected = {pk for pk, closed_on in states.items() if closed_on and closed_on <= day}
            found = set(cases_closed_by(cases, day=day, today=today).values_list("pk", flat=True))
            assert found == expected, (today, day)
            closed_somewhere |= expected
    # Every shape that can close did on one of those days: the closed case, the lifted hold,
    # the seven published reviews dated in some way, the two withdrawn, the rapid review sent
    # to the Panel. The others never did.
    assert len(closed_somewhere) == 12


@pytest.mark.django_db
def test_the_closing_day_kept_on_each_case_finds_the_cases_the_history_finds_closed(
    partnership, business_unit_user
):
    """The page reads each case's kept closing day (records/closing.py) for every day
    before today: the same cases as ``cases_closed_by`` from the history, for every shape
    of case and every day around their closing days."""
    _case_of_every_shape(partnership, business_unit_user)
    cases = Case.objects.filter(partnership=partnership)
    compared = 0
    for today in (later(-1), later(0), later(11), later(12), later(13), later(40)):
        days = {today - datetime.timedelta(days=1), later(-40)}
        days |= {last_day_counted(today, months) for months in (1, 12, 24)}
        for closes_on in filter(None, cases.values_list("closes_on", flat=True)):
            days |= {closes_on, closes_on - datetime.timedelta(days=1)}
        for day in sorted(d for d in days if d < today):
            expected = set(
                cases_closed_by(cases, day=day, today=today).values_list("pk", flat=True)
            )
            kept = set(cases.filter(closes_on__lte=day).values_list("pk", flat=True))
            assert kept == expected, (today, day)
            compared += bool(expected)
    assert compared > 10


@pytest.mark.django_db
def test_the_closing_day_follows_a_hold_and_a_case_reopened_by_a_review(
    partnership, business_unit_user, django_capture_on_commit_callbacks
):
    """Kept by the saves themselves, after the commit: a hold empties it and lifting it
    gives it back; a review commissioned on a closed case reopens it and empties it."""
    with django_capture_on_commit_callbacks(execute=True):
        case = closed_case(partnership, business_unit_user, pseudonym="Child A")
    case.refresh_from_db()
    closed_on = case.closes_on
    assert (
        closed_on
        == case_state(
            cases_with_history(Case.objects.filter(pk=case.pk)).get(), today=later(0)
        ).closed_on
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.retention_hold_place(
            partnership=partnership, case=case, reason="Inquest", actor=business_unit_user
        )
    case.refresh_from_db()
    assert case.closes_on is None
    with django_capture_on_commit_callbacks(execute=True):
        services.retention_hold_lift(
            hold=RetentionHold.objects.get(case=case), actor=business_unit_user
        )
    case.refresh_from_db()
    assert case.closes_on == closed_on
    with django_capture_on_commit_callbacks(execute=True):
        review = Review.objects.create(
            partnership=partnership,
            case=case,
            kind=Review.Kind.LCSPR,
            reference="LCSPR-REOPEN",
            stage=Review.Stage.COMMISSIONING,
            started_on=later(0),
        )
    case.refresh_from_db()
    assert case.closes_on is None  # reopened: a review is running
    with django_capture_on_commit_callbacks(execute=True):
        review.delete()
    case.refresh_from_db()
    assert case.closes_on == closed_on


@pytest.mark.django_db
def test_the_daily_job_puts_right_a_closing_day_a_write_left_out_of_date(
    partnership, business_unit_user, caplog
):
    """``update()`` sends no signal: the daily job works every day out again and says so."""
    case = closed_case(partnership, business_unit_user, pseudonym="Child A")
    refresh_every_case()
    assert refresh_closing_daily(today=later(0)) == 0
    closed_on = Case.objects.get(pk=case.pk).closes_on
    assert closed_on is not None
    Case.objects.filter(pk=case.pk).update(closes_on=None)
    assert refresh_closing_daily(today=later(0)) == 1
    assert Case.objects.get(pk=case.pk).closes_on == closed_on
    assert "1 case(s) had a closing day out of date" in caplog.text


def _flushes() -> list[_Flush]:
    return [entry[1] for entry in connection.run_on_commit if isinstance(entry[1], _Flush)]


@pytest.mark.django_db
def test_changes_are_noted_once_per_transaction_and_go_with_a_rollback(
    partnership, business_unit_user
):
    """The changes are noted on one commit callback of the transaction: a savepoint rolled
    back takes the one it registered with it."""
    case = closed_case(partnership, business_unit_user, pseudonym="Child A")
    before = _flushes()
    assert len(before) == 1  # the saves of closed_case: one callback for all of them
    with pytest.raises(RuntimeError), transaction.atomic():
        RetentionHold.objects.create(
            partnership=partnership, case=case, reason="Trial", placed_by=business_unit_user
        )
        raise RuntimeError("rolled back")
    assert _flushes() == before


@pytest.mark.django_db
def test_the_page_counts_an_archived_cases_reviews_and_skips_what_is_archived(
    partnership, business_unit_user, agency
):
    """Issue 16: the page counts each model's records of the closed cases over a join and a
    case among ``cases`` when it or one of its records is due: an archived case whose review
    is not archived counts its review and the case once; an archived review is not counted."""
    _add_cases(partnership, business_unit_user, agency, n=2)
    reviewed, other = (
        Review.objects.filter(partnership=partnership, stage=Review.Stage.SIGNED_OFF)
        .order_by("pk")
        .values_list("case_id", flat=True)[:2]
    )
    Case.objects.filter(pk=reviewed).update(archived_at=timezone.now())
    Review.objects.filter(case_id=other).update(archived_at=timezone.now())
    today = timezone.localdate()
    figures = {
        row.record_type.key: (row.count, row.cases)
        for row in retention_due_counts(partnership=partnership, today=today)
    }
    assert figures == _plan_figures(partnership, today)
    # 2 closed cases, 2 reviews' cases, 2 reviews: less the archived case and review.
    assert figures["closed_cases"] == (6 - 2, 4)
