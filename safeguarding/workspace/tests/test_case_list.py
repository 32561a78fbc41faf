"""The list of cases and reviews: search by reference, pseudonym, type, stage, agency and
dates, scoped to what each role may see, with a query count that does not grow with the rows;
the counts on the staff home link to the list filtered the same way."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.clock.models import Milestone, MilestoneRule, subject_type_for
from safeguarding.referrals.models import Case, Status
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reviews.models import AgencyRequest, Appointment, Review

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def _url(partnership, **query) -> str:
    url = reverse("workspace:case_list", args=[partnership.slug])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def _review(case, actor, kind=Review.Kind.LCSPR, stage=Review.Stage.AGENCY_REPORTS, **extra):
    return Review.objects.create(
        partnership=case.partnership,
        case=case,
        kind=kind,
        stage=stage,
        reference=f"RV2026-{next(_numbers):05d}",
        title=case.pseudonym,
        started_on=timezone.localdate(),
        created_by=actor,
        **extra,
    )


@pytest.fixture
def cases(partnership, business_unit_user):
    child = make_case(partnership, business_unit_user, pseudonym="Child A")
    adult = make_case(
        partnership, business_unit_user, pseudonym="Adult B", review_type="sar", age_years=70
    )
    Case.objects.filter(pk=adult.pk).update(became_aware_on=datetime.date(2025, 1, 10))
    return {"child": child, "adult": adult}


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_business_unit_sees_every_case_and_its_reviews(
    bu_client, partnership, cases, business_unit_user
):
    review = _review(cases["child"], business_unit_user)
    html = _page(bu_client, _url(partnership))
    assert "Child A" in html and "Adult B" in html
    assert "2 cases" in html
    assert review.reference in html


def test_search_by_reference_pseudonym_and_review_reference(
    bu_client, partnership, cases, business_unit_user
):
    review = _review(cases["child"], business_unit_user)
    html = _page(bu_client, _url(partnership, text="adult b"))
    assert "Adult B" in html and "Child A" not in html
    html = _page(bu_client, _url(partnership, text=cases["child"].reference))
    assert "Child A" in html and "Adult B" not in html
    html = _page(bu_client, _url(partnership, text=review.reference))
    assert "Child A" in html and "Adult B" not in html and "1 case matches the search" in html


def test_filter_by_type_stage_status_and_agency(bu_client, partnership, cases, business_unit_user):
    police = AgencyFactory(name="Filter Police", slug="filter-police")
    partnership.agencies.add(police)
    review = _review(cases["adult"], business_unit_user, kind=Review.Kind.SAR, stage="drafting")
    AgencyRequest.objects.create(
        review=review,
        agency=police,
        kind=AgencyRequest.Kind.AGENCY_REPORT,
        due_on=timezone.localdate(),
        requested_by=business_unit_user,
    )
    html = _page(bu_client, _url(partnership, review_type="sar"))
    assert "Adult B" in html and "Child A" not in html
    html = _page(bu_client, _url(partnership, review_stage="drafting"))
    assert "Adult B" in html and "Child A" not in html
    html = _page(bu_client, _url(partnership, agency=police.pk))
    assert "Adult B" in html and "Child A" not in html
    html = _page(bu_client, _url(partnership, case_status=Status.IN_SCREENING))
    assert "Adult B" in html and "Child A" in html
    html = _page(bu_client, _url(partnership, case_status=Status.DECIDED))
    assert "No cases match the search" in html


def test_filter_by_date_range(bu_client, partnership, cases):
    query = {"aware_to_0": "31", "aware_to_1": "12", "aware_to_2": "2025"}
    html = _page(bu_client, _url(partnership, **query))
    assert "Adult B" in html and "Child A" not in html
    query = {"aware_from_0": "1", "aware_from_1": "1", "aware_from_2": "2026"}
    html = _page(bu_client, _url(partnership, **query))
    assert "Child A" in html and "Adult B" not in html


def test_filter_by_overdue_deadline(bu_client, partnership, cases):
    rule = MilestoneRule.objects.first()
    today = timezone.localdate()
    Milestone.objects.create(
        partnership=partnership,
        rule=rule,
        subject_type=subject_type_for(Case),
        subject_id=cases["adult"].pk,
        subject_label="Adult B",
        offset_amount=5,
        offset_unit=rule.offset_unit,
        starts_on=today - datetime.timedelta(days=30),
        due_on=today - datetime.timedelta(days=1),
        original_due_on=today - datetime.timedelta(days=1),
    )
    Milestone.objects.filter(subject_id=cases["child"].pk).update(
        due_on=today + datetime.timedelta(days=30)
    )
    html = _page(bu_client, _url(partnership, deadlines="overdue"))
    assert "Adult B" in html and "Child A" not in html


def test_bad_dates_give_an_error_summary_and_the_unfiltered_list(bu_client, partnership, cases):
    query = {"aware_from_0": "31", "aware_from_1": "2", "aware_from_2": "2026"}
    html = _page(bu_client, _url(partnership, **query))
    assert "govuk-error-summary" in html
    assert "Became aware on or after must be a real date" in html
    query = {
        "aware_from_0": "1",
        "aware_from_1": "6",
        "aware_from_2": "2026",
        "aware_to_0": "1",
        "aware_to_1": "1",
        "aware_to_2": "2026",
    }
    html = _page(bu_client, _url(partnership, **query))
    assert "must be the same as or after" in html
    assert "Child A" in html and "Adult B" in html  # nothing narrowed by a bad search


def test_a_reviewer_sees_only_the_cases_of_reviews_they_are_appointed_to(
    client, partnership, cases, business_unit_user
):
    reviewer = UserFactory()
    MembershipFactory(user=reviewer, partnership=partnership, role=Role.REVIEWER)
    mine = _review(cases["child"], business_unit_user)
    other = _review(cases["child"], business_unit_user, kind=Review.Kind.RAPID_REVIEW)
    _review(cases["adult"], business_unit_user, kind=Review.Kind.SAR)
    Appointment.objects.create(
        review=mine,
        user=reviewer,
        role="reviewer",
        name="R. Viewer",
        appointed_on=timezone.localdate(),
    )
    client.force_login(reviewer)
    html = _page(client, _url(partnership))
    assert "Child A" in html and "Adult B" not in html
    assert mine.reference in html and other.reference not in html
    # No link to the case page, which a reviewer cannot open.
    assert reverse("referrals:case", args=[partnership.slug, cases["child"].pk]) not in html
    html = _page(client, _url(partnership, text="Adult B"))
    assert "No cases match the search" in html


@pytest.mark.parametrize("role", [Role.AGENCY_CONTRIBUTOR, Role.ADMINISTRATOR])
def test_agency_contributors_and_administrators_are_refused(client_for, partnership, role):
    assert client_for(role).get(_url(partnership)).status_code == 403


def test_another_partnerships_cases_are_not_listed(
    bu_client, partnership, other_partnership, cases
):
    outsider = UserFactory()
    MembershipFactory(user=outsider, partnership=other_partnership, role=Role.BUSINESS_UNIT)
    make_case(other_partnership, outsider, pseudonym="Child Elsewhere")
    html = _page(bu_client, _url(partnership))
    assert "Child Elsewhere" not in html


def test_the_list_pages_and_its_query_count_does_not_grow_with_the_data(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries
):
    for index in range(30):
        case = make_case(partnership, business_unit_user, pseudonym=f"Child {index}")
        _review(case, business_unit_user)
        _review(case, business_unit_user, kind=Review.Kind.RAPID_REVIEW)
    with django_assert_max_num_queries(14) as captured:
        html = _page(bu_client, _url(partnership))
    few = len(captured)
    assert "30 cases" in html and "Page 1 of 2" in html
    html = _page(bu_client, _url(partnership, page=2))
    assert "Page 2 of 2" in html
    with django_assert_max_num_queries(few):
        _page(bu_client, _url(partnership, text="Child", review_type="cspr", deadlines="overdue"))


def test_the_staff_home_counts_link_to_the_filtered_list(
    bu_client, partnership, cases, business_unit_user
):
    _review(cases["child"], business_unit_user, stage=Review.Stage.DRAFTING)
    html = _page(bu_client, reverse("workspace:partnership_home", args=[partnership.slug]))
    assert "Cases in screening: 2" in html
    assert f"{_url(partnership)}?review_stage=drafting" in html
    assert "Reviews at analysis and drafting: 1" in html
    assert f"{_url(partnership)}?deadlines=overdue" in html
    assert "Search all cases and reviews" in html
    # And the service navigation has the list.
    assert f'href="{_url(partnership)}">Cases and reviews</a>' in html


def test_the_page_of_cases_is_read_in_order_from_an_index(partnership, business_unit_user):
    """The newest 25 cases of the partnership (or shared with it) come from walking
    ``case_list_order``, which stops at the page's last row: not a sort of every case (issue
    16). SQLite's plan; PostgreSQL chooses its own."""
    from django.db import connection

    from safeguarding.reviews import case_selectors

    if connection.vendor != "sqlite":
        pytest.skip("the plan checked is SQLite's")
    search = case_selectors.CaseSearch(today=timezone.localdate())
    cases = case_selectors.case_search_for_user(
        user=business_unit_user, partnership=partnership, search=search
    )[:25]
    sql, params = cases.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING INDEX case_list_order" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("role", [Role.BUSINESS_UNIT, Role.PARTNER_LEAD, Role.REVIEWER])
def test_the_staff_home_counts_are_the_lists_counts(
    partnership, cases, business_unit_user, user_for_role, role
):
    """The counts read only the cases a count can take, with SQL built once per shape of scope
    (issue 16): each is what the filtered list finds, for every role."""
    from safeguarding.reviews import case_selectors

    today = timezone.localdate()
    user = business_unit_user if role == Role.BUSINESS_UNIT else user_for_role(role)
    review = _review(cases["child"], business_unit_user, stage=Review.Stage.DRAFTING)
    Appointment.objects.create(
        review=review,
        user=user,
        role=Appointment.Role.REVIEWER,
        name="Reviewer",
        appointed_on=today,
        created_by=user,
    )
    decided = make_case(partnership, business_unit_user, pseudonym="Decided C")
    Case.objects.filter(pk=decided.pk).update(status=Status.DECIDED)
    Case.objects.filter(pk=cases["adult"].pk).update(status=Status.AWAITING_DECISION)
    rule = MilestoneRule.objects.first()
    for subject in (decided, review):
        Milestone.objects.create(
            partnership=partnership,
            rule=rule,
            subject_type=subject_type_for(type(subject)),
            subject_id=subject.pk,
            subject_label="Late",
            offset_amount=5,
            offset_unit=rule.offset_unit,
            starts_on=today - datetime.timedelta(days=30),
            due_on=today - datetime.timedelta(days=1),
            original_due_on=today - datetime.timedelta(days=1),
        )

    def found(**search) -> int:
        return case_selectors.case_search_for_user(
            user=user, partnership=partnership, search=case_selectors.CaseSearch(**search)
        ).count()

    counts = case_selectors.case_counts_for_user(user=user, partnership=partnership, today=today)
    assert counts.in_screening == found(case_status=Status.IN_SCREENING)
    assert counts.awaiting_decision == found(case_status=Status.AWAITING_DECISION)
    assert counts.overdue_cases == found(overdue=True, today=today)
    assert counts.overdue_cases >= 1
    assert {stage: n for stage, _label, n in counts.reviews_by_stage} == {Review.Stage.DRAFTING: 1}
    # Tomorrow the late milestones are no later; a day before they were due, none is late.
    earlier = today - datetime.timedelta(days=2)
    counts = case_selectors.case_counts_for_user(user=user, partnership=partnership, today=earlier)
    assert counts.overdue_cases == found(overdue=True, today=earlier)


def test_the_page_read_with_sql_built_once_is_the_orm_s(rf, partnership, cases, business_unit_user):
    """``case_page_for_user`` (the page and its count in one query, the SQL built once when
    nothing narrows the list; the page's reviews and tracks by its ids) gives the cases, their
    visible reviews and their tracks that ``case_search_for_user`` and its prefetches give, for
    the business unit and a reviewer, unfiltered and filtered (issue 16)."""
    from safeguarding.reviews import case_selectors

    reviewer = UserFactory()
    MembershipFactory(user=reviewer, partnership=partnership, role=Role.REVIEWER)
    mine = _review(cases["child"], business_unit_user)
    _review(cases["child"], business_unit_user, kind=Review.Kind.RAPID_REVIEW)
    _review(cases["adult"], business_unit_user, kind=Review.Kind.SAR)
    Appointment.objects.create(
        review=mine, user=reviewer, role="reviewer", name="R. V.", appointed_on=timezone.localdate()
    )
    today = timezone.localdate()
    for user in (business_unit_user, reviewer):
        for search in (
            case_selectors.CaseSearch(today=today),
            case_selectors.CaseSearch(text="Child", today=today),
        ):
            page, _ = case_selectors.case_page_for_user(
                request=rf.get("/"), user=user, partnership=partnership, search=search
            )
            orm = case_selectors.case_search_for_user(
                user=user, partnership=partnership, search=search
            )[:25]

            def seen(found):
                return [
                    (
                        case.pk,
                        case.reference,
                        case.status,
                        [(r.pk, r.reference, r.kind, r.stage) for r in case.visible_reviews],
                        [t.review_type for t in case.tracks.all()],
                    )
                    for case in found
                ]

            assert seen(page.object_list) == seen(orm)
            assert page.paginator.count == len(orm)
