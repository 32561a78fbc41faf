"""The retention page's figures (issue 16): the same as the run's dry run, in a number of
queries that does not grow with the partnership's cases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.publication.models import Publication
from safeguarding.records.models import RetentionHold, RetentionSetting
from safeguarding.records.retention import retention_due_counts, retention_plan
from safeguarding.referrals.models import Case, Decision
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
