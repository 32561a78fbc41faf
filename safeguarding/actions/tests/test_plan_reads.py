"""The action plan's reads with the SQL built once (issue 16) give what the ORM's
``prefetch_related`` gave: the same findings with the same themes, the same recommendations
with the same findings, agencies and actions, in the same order, from one review only."""

import pytest
from django.db.models import Prefetch

from safeguarding.accounts.tests.factories import AgencyFactory
from safeguarding.actions import plan_selectors, services
from safeguarding.actions.models import Action, Recommendation, Theme
from safeguarding.reviews.models import Finding
from safeguarding.reviews.tests.review_support import make_lcspr

from .support import add_action, add_recommendation, signed_off_review, today

pytestmark = pytest.mark.django_db


def _orm_findings(review):
    return list(
        review.findings.order_by("number").prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("facet", "name"))
        )
    )


def _orm_recommendations(review):
    return list(
        Recommendation.objects.filter(review=review)
        .order_by("number")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("number")),
            "agencies",
            Prefetch(
                "actions", queryset=Action.objects.select_related("agency").order_by("number")
            ),
        )
    )


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def two_reviews(partnership, business_unit_user, sample_pdf):
    reviews = []
    agencies = [AgencyFactory(name=name) for name in ("Zed Health", "Able Police", "Mid Council")]
    partnership.agencies.add(*agencies)
    themes = list(Theme.objects.filter(partnership__isnull=True).order_by("name")[:4])
    for index in range(2):
        review = signed_off_review(partnership, business_unit_user, sample_pdf)
        findings = list(review.findings.order_by("number"))
        services.finding_themes_set(finding=findings[0], actor=business_unit_user, themes=themes)
        if len(findings) > 1:
            services.finding_themes_set(
                finding=findings[1], actor=business_unit_user, themes=themes[index : index + 1]
            )
        first = add_recommendation(
            review, business_unit_user, findings=findings[::-1], agencies=agencies
        )
        second = add_recommendation(review, business_unit_user, findings=findings[:1])
        add_recommendation(review, business_unit_user, agencies=agencies[1:])  # no actions
        for number, agency in enumerate(agencies):
            add_action(first, business_unit_user, agency, text=f"Action {index}.{number}")
        add_action(second, business_unit_user, agencies[0])
        reviews.append(review)
    return reviews


def test_the_plan_reads_give_what_the_prefetch_gave(two_reviews):
    for review in two_reviews:
        expected = _orm_findings(review)
        found = plan_selectors.plan_findings(review=review)
        assert [_fields(f) for f in found] == [_fields(f) for f in expected]
        for got, want in zip(found, expected, strict=True):
            assert [_fields(t) for t in got.themes.all()] == [_fields(t) for t in want.themes.all()]

        expected_recommendations = _orm_recommendations(review)
        recommendations = plan_selectors.plan_recommendations(review=review, today=today())
        assert [_fields(r) for r in recommendations] == [
            _fields(r) for r in expected_recommendations
        ]
        for got, want in zip(recommendations, expected_recommendations, strict=True):
            for name in ("findings", "agencies", "actions"):
                assert [_fields(o) for o in getattr(got, name).all()] == [
                    _fields(o) for o in getattr(want, name).all()
                ], name
            for action, wanted in zip(got.actions.all(), want.actions.all(), strict=True):
                assert _fields(action.agency) == _fields(wanted.agency)
                assert action.recommendation is got
                assert action.reference == wanted.reference
                assert action.tag == plan_selectors.status_tag(wanted, today())


def test_the_plan_reads_make_no_more_queries_once_read(two_reviews, django_assert_num_queries):
    review = two_reviews[0]
    with django_assert_num_queries(2):
        findings = plan_selectors.plan_findings(review=review)
    with django_assert_num_queries(4):
        recommendations = plan_selectors.plan_recommendations(review=review, today=today())
    with django_assert_num_queries(0):
        for finding in findings:
            list(finding.themes.all())
        for recommendation in recommendations:
            list(recommendation.findings.all())
            list(recommendation.agencies.all())
            for action in recommendation.actions.all():
                assert action.agency.name
                assert action.reference


def test_a_review_without_findings_reads_nothing_more(
    partnership, business_unit_user, django_assert_num_queries
):
    review, _makers = make_lcspr(partnership, business_unit_user)
    with django_assert_num_queries(1):
        assert plan_selectors.plan_findings(review=review) == []
    with django_assert_num_queries(1):
        assert plan_selectors.plan_recommendations(review=review, today=today()) == []
