"""Decisions: recorded by the business unit with a rationale, signed by every named decision
maker before they are final, each signature audited; and the DHR clock from awareness to the
report."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Milestone
from safeguarding.core.calendar import add_calendar_months
from safeguarding.core.tests.when_run import ONE_DAY, when_run
from safeguarding.referrals import selectors, services
from safeguarding.referrals.models import Decision, DecisionMaker, Signature, Status

from .staff_support import make_case, make_referral, name_decision_makers, today


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.fixture
def case(partnership, business_unit_user):
    return make_case(partnership, business_unit_user)


@pytest.fixture
def makers(partnership):
    return name_decision_makers(partnership)


@pytest.fixture
def track(case, business_unit_user):
    return services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )[0]


@pytest.fixture
def decision(track, business_unit_user, makers):
    return services.decision_record(
        track=track,
        outcome="rapid_review_then_local",
        rationale="The rapid review found learning about agencies working together.",
        decided_on=today(),
        actor=business_unit_user,
    )


def decision_url(track) -> str:
    return reverse("referrals:decision", args=["testshire", track.case_id, track.pk])


def sign_url(decision) -> str:
    return reverse("referrals:sign", args=["testshire", decision.pk])


# Recording a decision ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_business_unit_records_a_decision_with_the_outcomes_of_its_type(
    bu_client, track, makers
):
    html = bu_client.get(decision_url(track)).content.decode()
    for label in ("No further review", "Rapid review, then a local review", "Other learning"):
        assert label in html
    assert "Mandatory Safeguarding Adults Review" not in html
    assert "Integrated care board" in html  # who must sign
    response = bu_client.post(
        decision_url(track),
        {
            "outcome": "no_further_review",
            "rationale": "  Learning captured by the rapid review.  ",
            **_date("decided_on", today()),
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.rationale == "Learning captured by the rapid review."
    assert decision.state == Decision.State.AWAITING_SIGNATURES
    follow = bu_client.get(response.url.split("#")[0]).content.decode()
    assert "It is final when signed by: Integrated care board, Local authority, Police" in follow
    assert "Awaiting signatures" in follow
    assert AuditEvent.objects.filter(action="decision.recorded").count() == 1


@pytest.mark.django_db
def test_sar_decisions_offer_mandatory_and_discretionary(bu_client, case, business_unit_user):
    sar = services.case_send_for_decision(
        case=case, review_types=["sar"], actor=business_unit_user
    )[0]
    html = bu_client.get(decision_url(sar)).content.decode()
    assert "Mandatory Safeguarding Adults Review" in html
    assert "Discretionary Safeguarding Adults Review" in html
    assert "Rapid review" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select the outcome of the decision"),
        ({"outcome": "mandatory", "rationale": "x"}, "Select one of the outcomes listed"),
        (
            {"outcome": "no_further_review", "rationale": "   "},
            "Enter the reasons for the decision",
        ),
        ({"outcome": "no_further_review", "rationale": "x" * 10_001}, "10,000 characters"),
        ({"outcome": "no_further_review", "rationale": "Reasons."}, "Enter date of the decision"),
        (
            {"outcome": "no_further_review", "rationale": "R", "decided_on_0": "40"},
            "must include a day, month and year",
        ),
        (
            lambda: {
                "outcome": "no_further_review",
                "rationale": "Reasons.",
                **_date("decided_on", today() + ONE_DAY),
            },
            "The date of the decision must be today or in the past",
        ),
        (
            lambda: {
                "outcome": "no_further_review",
                "rationale": "Reasons.",
                **_date("decided_on", today() - datetime.timedelta(days=3)),
            },
            "on or after the date the partnership became aware",
        ),
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_saved(bu_client, track, data, message):
    response = bu_client.post(decision_url(track), when_run(data))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert Decision.objects.count() == 0
    assert not AuditEvent.objects.filter(action="decision.recorded").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.BUSINESS_UNIT])
def test_only_the_business_unit_records_decisions(role, client_for, track):
    client = client_for(role)
    # The partner lead sees the case (403); other roles never see cases (404, ADR 0010).
    expected = 403 if role == Role.PARTNER_LEAD else 404
    assert client.get(decision_url(track)).status_code == expected
    response = client.post(
        decision_url(track),
        {"outcome": "no_further_review", "rationale": "R", **_date("decided_on", today())},
    )
    assert response.status_code == expected
    assert Decision.objects.count() == 0


@pytest.mark.django_db
def test_a_track_of_another_case_is_not_found(bu_client, track, partnership, business_unit_user):
    other = make_case(partnership, business_unit_user, pseudonym="Child B")
    url = reverse("referrals:decision", args=["testshire", other.pk, track.pk])
    assert bu_client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_signed_decision_is_read_only(bu_client, decision, makers):
    services.decision_sign(decision=decision, user=makers["Police"])
    url = decision_url(decision.track)
    html = bu_client.get(url).content.decode()
    assert "can no longer be changed" in html
    assert 'name="rationale"' not in html
    bu_client.post(
        url, {"outcome": "no_further_review", "rationale": "New", **_date("decided_on", today())}
    )
    decision.refresh_from_db()
    assert decision.outcome == "rapid_review_then_local"


# Signing ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_decision_is_final_only_when_every_decision_maker_has_signed(
    client, decision, makers, case
):
    for n, user in enumerate(makers.values(), start=1):
        client.force_login(user)
        page = client.get(sign_url(decision)).content.decode()
        assert "Sign this decision" in page
        assert "The rapid review found learning" in page
        response = client.post(sign_url(decision))
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.signatures.count() == n
        if n < 3:
            assert decision.state == Decision.State.AWAITING_SIGNATURES
            assert (
                "It is final when the others have signed"
                in client.get(response.url).content.decode()
            )
    assert decision.state == Decision.State.FINAL
    assert decision.finalised_at is not None
    case.refresh_from_db()
    assert case.status == Status.DECIDED
    assert set(case.referrals.values_list("status", flat=True)) == {Status.DECIDED}
    signed = AuditEvent.objects.filter(action="decision.signed").order_by("id")
    assert [e.payload["capacity"] for e in signed] == list(makers)
    assert [e.actor for e in signed] == list(makers.values())
    assert AuditEvent.objects.filter(action="decision.finalised").count() == 1
    # The local review starts its 6-month clock once the decision is final (R14).
    lcspr = Milestone.objects.get(rule__code="lcspr-final-report")
    assert lcspr.due_on == add_calendar_months(today(), 6)


@pytest.mark.django_db
def test_signing_twice_is_refused(client, decision, makers):
    police = makers["Police"]
    client.force_login(police)
    client.post(sign_url(decision))
    page = client.get(sign_url(decision)).content.decode()
    assert "You have signed this decision" in page
    assert "Sign this decision</button>" not in page
    response = client.post(sign_url(decision))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "You have already signed this decision" in html
    assert Signature.objects.filter(user=police).count() == 1
    assert AuditEvent.objects.filter(action="decision.signed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_named_decision_makers_may_sign(role, client_for, decision):
    client = client_for(role)  # a member with this role, but not a named decision maker
    # Readers of cases see the decision (403); other roles do not (404, ADR 0010).
    expected = 403 if role in (Role.BUSINESS_UNIT, Role.PARTNER_LEAD) else 404
    assert client.get(sign_url(decision)).status_code == expected
    assert client.post(sign_url(decision)).status_code == expected
    assert Signature.objects.count() == 0


@pytest.mark.django_db
def test_a_decision_maker_of_another_partnership_gets_not_found(
    client, decision, other_partnership
):
    user = UserFactory()
    MembershipFactory(user=user, partnership=other_partnership, role=Role.PARTNER_LEAD)
    DecisionMaker.objects.create(
        partnership=other_partnership, review_type="cspr", capacity="Police", user=user
    )
    client.force_login(user)
    assert client.get(sign_url(decision)).status_code == 404


@pytest.mark.django_db
def test_partner_leads_find_decisions_awaiting_their_signature(
    client, partnership, decision, makers
):
    police, council = makers["Police"], makers["Local authority"]
    assert selectors.decisions_awaiting_signature(user=police, partnership=partnership) == [
        decision
    ]
    client.force_login(police)
    html = client.get(reverse("referrals:case", args=["testshire", decision.track.case_id]))
    assert "1 decision is waiting for your signature" in html.content.decode()
    services.decision_sign(decision=decision, user=police)
    assert selectors.decisions_awaiting_signature(user=police, partnership=partnership) == []
    assert selectors.decisions_awaiting_signature(user=council, partnership=partnership) == [
        decision
    ]
    html = client.get(reverse("referrals:case", args=["testshire", decision.track.case_id]))
    assert "waiting for your signature" not in html.content.decode()


@pytest.mark.django_db
def test_someone_named_in_two_capacities_signs_both_at_once(partnership, decision, makers):
    police = makers["Police"]
    DecisionMaker.objects.filter(capacity="Integrated care board").update(user=police)
    services.decision_sign(decision=decision, user=police)
    assert set(decision.signatures.values_list("capacity", flat=True)) == {
        "Police",
        "Integrated care board",
    }
    assert selectors.decisions_awaiting_signature(user=police, partnership=partnership) == []


@pytest.mark.django_db
def test_without_named_decision_makers_nobody_can_sign(bu_client, track, business_unit_user):
    services.decision_record(
        track=track,
        outcome="no_further_review",
        rationale="Reasons.",
        decided_on=today(),
        actor=business_unit_user,
    )
    html = bu_client.get(reverse("referrals:case", args=["testshire", track.case_id])).content
    assert b"has not named the decision makers" in html


# The DHR clock ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dhr_flow_from_awareness_to_the_report_deadline(
    client, bu_client, partnership, business_unit_user
):
    partnership.runs_dhr = True
    partnership.save()
    (chair,) = name_decision_makers(
        partnership, "dhr", ["Community Safety Partnership chair"]
    ).values()
    referral = make_referral(
        partnership, review_type="dhr", age_years=34, harm="died", harmed_by="partner"
    )
    # R31: the CSP chair decides within one calendar month of becoming aware.
    decision_due = Milestone.objects.get(rule__code="dhr-decision")
    assert decision_due.due_on == add_calendar_months(referral.received_on, 1)
    assert decision_due.rule.rule_id == "R31"

    bu_client.post(
        reverse("referrals:open_case", args=["testshire", referral.pk]), {"pseudonym": "Person A"}
    )
    case = referral.__class__.objects.get(pk=referral.pk).case
    decision_due.refresh_from_db()
    assert (decision_due.subject_id, decision_due.subject_label) == (
        case.pk,
        f"{case.reference} (Person A)",
    )
    bu_client.post(
        reverse("referrals:send_for_decision", args=["testshire", case.pk]),
        {"review_types": ["dhr"]},
    )
    track = case.tracks.get()
    bu_client.post(
        decision_url(track),
        {
            "outcome": "review",
            "rationale": "The death appears to have resulted from abuse by a partner (R27).",
            **_date("decided_on", today()),
        },
    )
    decision = Decision.objects.get()
    assert decision.state == Decision.State.AWAITING_SIGNATURES
    client.force_login(chair)
    response = client.post(sign_url(decision))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
    decision_due.refresh_from_db()
    assert (decision_due.status, decision_due.done_on) == (Milestone.Status.DONE, today())
    # R33: the report is due six calendar months after the decision.
    report = Milestone.objects.get(rule__code="dhr-report")
    assert report.due_on == add_calendar_months(today(), 6)
    assert report.subject_id == case.pk
    html = client.get(response.url.split("#")[0]).content.decode()
    assert "Domestic Homicide Review report" in html
    assert "Every decision maker has now signed: it is final" in html
