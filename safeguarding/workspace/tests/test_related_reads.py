"""A record read with its many-to-many objects from SQL built once (issue 16,
``core.compiled_sql.ManyToManyQuery``): a referral with its agencies, a recommendation with its
findings and agencies, a library record with its themes. Each gives what the ORM's
``prefetch_related`` gave, in the same order, ``.all()`` reads no more, and 404s stay 404s. A
decision's signatories, with this round's signatures and disagreements (``CompiledQuery``), are
the rows the ORM's reads gave."""

import pytest
from django.db.models import Prefetch
from django.http import Http404

from safeguarding.accounts.models import Agency
from safeguarding.accounts.tests.factories import AgencyFactory
from safeguarding.actions import plan_selectors
from safeguarding.actions.models import Recommendation, Theme
from safeguarding.actions.tests.support import add_recommendation, signed_off_review
from safeguarding.library import selectors as library_selectors
from safeguarding.library.tests.search_support import make_record
from safeguarding.referrals import selectors as referral_selectors
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import (
    DecisionSignatory,
    Disagreement,
    Referral,
    Signature,
)
from safeguarding.referrals.tests.staff_support import (
    make_case,
    make_referral,
    name_decision_makers,
    today,
)

pytestmark = pytest.mark.django_db

HUGE = 99_999_999_999_999_999_999  # no integer column holds it: the ORM answers "no rows"


def _same(compiled, orm, names):
    assert type(compiled) is type(orm)
    assert compiled.pk == orm.pk
    for name in names:
        got = list(getattr(compiled, name).all())
        expected = list(getattr(orm, name).all())
        assert [o.pk for o in got] == [o.pk for o in expected]
        for a, b in zip(got, expected, strict=True):
            assert {f.attname: getattr(a, f.attname) for f in a._meta.concrete_fields} == {
                f.attname: getattr(b, f.attname) for f in b._meta.concrete_fields
            }


def test_a_referral_and_its_agencies_are_the_orms(
    partnership, other_partnership, business_unit_user, django_assert_num_queries
):
    agencies = [AgencyFactory(name=name, slug=name.lower()) for name in ("Police", "Ambulance")]
    with_agencies = make_referral(partnership, agencies=agencies)
    without = make_referral(partnership)
    elsewhere = make_referral(other_partnership)
    for referral in (with_agencies, without):
        compiled = referral_selectors.referral_get_for_user(
            user=business_unit_user, partnership=partnership, pk=referral.pk
        )
        orm = (
            Referral.objects.select_related("case", "source_agency")
            .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name")))
            .get(pk=referral.pk)
        )
        with django_assert_num_queries(0):
            _same(compiled, orm, ["agencies"])
            assert compiled.source_agency == orm.source_agency
        assert len(compiled.agencies.all()) == (2 if referral == with_agencies else 0)
    for pk in (elsewhere.pk, HUGE):
        with pytest.raises(Http404):
            referral_selectors.referral_get_for_user(
                user=business_unit_user, partnership=partnership, pk=pk
            )


def test_a_recommendation_its_findings_and_agencies_are_the_orms(
    partnership, business_unit_user, sample_pdf, django_assert_num_queries
):
    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    agencies = [AgencyFactory(name=name, slug=name.lower()) for name in ("Schools", "Housing")]
    recommendation = add_recommendation(
        review, business_unit_user, findings=list(review.findings.all()), agencies=agencies
    )
    compiled = plan_selectors.recommendation_get_for_user(
        user=business_unit_user, partnership=partnership, pk=recommendation.pk
    )
    orm = (
        Recommendation.objects.select_related("review", "review__partnership", "review__case")
        .prefetch_related("findings", "agencies")
        .get(pk=recommendation.pk)
    )
    with django_assert_num_queries(0):
        _same(compiled, orm, ["findings", "agencies"])
        assert compiled.review.partnership == partnership
    assert len(compiled.findings.all()) == 2 and len(compiled.agencies.all()) == 2
    with pytest.raises(Http404):
        plan_selectors.recommendation_get_for_user(
            user=business_unit_user, partnership=partnership, pk=HUGE
        )


def test_a_library_record_and_its_themes_are_the_orms(
    partnership, business_unit_user, django_assert_num_queries
):
    themes = list(Theme.objects.filter(partnership=None).order_by("-name")[:4])
    record = make_record(partnership, title="A review", index=False)
    record.themes.set(themes)
    compiled = library_selectors.record_get_for_user(
        user=business_unit_user, partnership=partnership, pk=record.pk
    )
    orm = record.__class__.objects.prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("facet", "name"))
    ).get(pk=record.pk)
    with django_assert_num_queries(0):
        _same(compiled, orm, ["themes"])
    assert len(compiled.themes.all()) == 4


def test_a_decisions_signatories_are_the_orms(partnership, business_unit_user):
    makers = name_decision_makers(partnership)
    case = make_case(partnership, business_unit_user)
    (track,) = referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    decision = referral_services.decision_record(
        track=track,
        outcome="rapid_review_then_local",
        rationale="The rapid review found learning about agencies working together.",
        decided_on=today(),
        actor=business_unit_user,
    )
    referral_services.decision_sign(decision=decision, user=makers["Police"])
    referral_services.decision_decline(
        decision=decision,
        user=makers["Local authority"],
        kind="disagreed",
        reason="The threshold for a local review is not met on what we know.",
    )
    decision.refresh_from_db()

    rows = referral_selectors.decision_signatories(decision=decision)

    signatures = list(
        Signature.objects.filter(decision=decision, round=decision.round)
        .select_related("user", "decision_maker")
        .order_by("signed_at", "id")
    )
    disagreements = list(Disagreement.objects.filter(decision=decision, round=decision.round))
    makers_now = [
        row.decision_maker
        for row in DecisionSignatory.objects.filter(decision=decision, replaced_at__isnull=True)
        .select_related("decision_maker__user")
        .order_by("decision_maker__capacity", "id")
    ]
    expected = referral_selectors._signatory_rows(signatures, makers_now, disagreements)
    assert len(rows) == 3
    assert [
        (r.decision_maker.pk, r.decision_maker.user.email, r.signature and r.signature.pk)
        for r in rows
    ] == [
        (r.decision_maker.pk, r.decision_maker.user.email, r.signature and r.signature.pk)
        for r in expected
    ]
    assert [r.disagreement for r in rows] == [r.disagreement for r in expected]
    assert any(r.signature for r in rows)
    assert any(r.disagreement for r in rows)
