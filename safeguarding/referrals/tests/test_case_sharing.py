"""One case shared between two partnerships (ADR 0022): a joint SAR/DHR decided by the
Safeguarding Adults Board (the SAR track) and the Community Safety Partnership (the DHR
track), each with its own decision makers and signatures, each seeing only what the share
grants."""

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.models import Notification
from safeguarding.referrals import selectors, services, share_services
from safeguarding.referrals.models import CaseShare, Decision, Signature, Status, Track
from safeguarding.reviews import case_selectors

from .share_support import joint_case
from .staff_support import today

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case_url(partnership, case) -> str:
    return reverse("referrals:case", args=[partnership.slug, case.pk])


def _decide(joint, review_type: str, actor, outcome: str) -> Decision:
    track = Track.objects.get(case=joint.case, review_type=review_type)
    return services.decision_record(
        track=track,
        outcome=outcome,
        rationale="Fictional reasons.",
        decided_on=today(),
        actor=actor,
    )


# Offering, answering, ending -------------------------------------------------------------------


def test_an_offered_case_reaches_the_partner_only_once_its_business_unit_accepts():
    joint = joint_case(accept=False)
    assert joint.share.state == CaseShare.State.INVITED
    told = Notification.objects.get(kind="case_share.invited")
    assert told.recipient == joint.csp_unit
    assert told.link == reverse("referrals:share_answer", args=[joint.csp.slug, joint.share.pk])
    url = _case_url(joint.csp, joint.case)
    assert _client(joint.csp_unit).get(url).status_code == 404

    response = _client(joint.csp_unit).post(
        reverse("referrals:share_answer", args=[joint.csp.slug, joint.share.pk]),
        {"answer": "accept"},
    )
    assert response.status_code == 302
    assert response.url == url
    assert _client(joint.csp_unit).get(url).status_code == 200
    assert Notification.objects.filter(
        kind="case_share.accepted", recipient=joint.board_unit
    ).exists()
    # One event in each partnership's audit trail, for the offer and for the answer.
    for action in ("case_share.invited", "case_share.accepted"):
        assert set(
            AuditEvent.objects.filter(action=action).values_list("partnership_id", flat=True)
        ) == {joint.board.pk, joint.csp.pk}


def test_accepting_gives_the_partner_the_track_it_decides():
    joint = joint_case()
    dhr = Track.objects.get(case=joint.case, review_type="dhr")
    sar = Track.objects.get(case=joint.case, review_type="sar")
    assert dhr.decided_by == joint.csp
    assert dhr.deciding_partnership_id == joint.csp.pk
    assert sar.decided_by is None
    assert sar.deciding_partnership_id == joint.board.pk


def test_declining_needs_a_reason_and_tells_the_owner():
    joint = joint_case(accept=False)
    url = reverse("referrals:share_answer", args=[joint.csp.slug, joint.share.pk])
    response = _client(joint.csp_unit).post(url, {"answer": "decline", "reason": ""})
    assert response.status_code == 200
    assert "Enter why your partnership declines" in response.content.decode()
    joint.share.refresh_from_db()
    assert joint.share.state == CaseShare.State.INVITED

    _client(joint.csp_unit).post(url, {"answer": "decline", "reason": "Not a DHR for us."})
    joint.share.refresh_from_db()
    assert joint.share.state == CaseShare.State.DECLINED
    assert joint.share.decline_reason == "Not a DHR for us."
    assert Notification.objects.filter(
        kind="case_share.declined", recipient=joint.board_unit
    ).exists()
    assert not Track.objects.filter(case=joint.case, review_type="dhr").exists()
    assert _client(joint.csp_unit).get(_case_url(joint.csp, joint.case)).status_code == 404


def test_only_the_owners_business_unit_offers_and_only_the_partners_answers():
    joint = joint_case(offer=False)
    with pytest.raises(ServiceError):
        share_services.case_share_invite(
            case=joint.case,
            partner=joint.csp,
            role="joint_decision_body",
            decides_review_type="dhr",
            grants_review=False,
            grants_publication=False,
            note="",
            actor=joint.csp_unit,
        )
    share = share_services.case_share_invite(
        case=joint.case,
        partner=joint.csp,
        role="joint_decision_body",
        decides_review_type="dhr",
        grants_review=False,
        grants_publication=False,
        note="",
        actor=joint.board_unit,
    )
    with pytest.raises(ServiceError):
        share_services.case_share_accept(share=share, actor=joint.board_unit)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"decides_review_type": "sar"}, "does not run this kind of review"),
        (
            {"decides_review_type": "", "grants_review": False, "grants_publication": False},
            "Choose what the partner takes part in",
        ),
    ],
)
def test_an_offer_the_partner_cannot_take_is_refused(change, message):
    joint = joint_case(offer=False)
    data = {
        "case": joint.case,
        "partner": joint.csp,
        "role": "joint_decision_body",
        "decides_review_type": "dhr",
        "grants_review": True,
        "grants_publication": True,
        "note": "",
        "actor": joint.board_unit,
    }
    with pytest.raises(ServiceError, match=message):
        share_services.case_share_invite(**{**data, **change})
    assert not CaseShare.objects.exists()


def test_a_review_type_already_decided_cannot_be_given_to_a_partner():
    joint = joint_case(offer=False)
    with pytest.raises(ServiceError, match="does not run"):
        share_services.case_share_invite(
            case=joint.case,
            partner=joint.csp,
            role="joint_decision_body",
            decides_review_type="sar",
            grants_review=False,
            grants_publication=False,
            note="",
            actor=joint.board_unit,
        )
    _decide(joint, "sar", joint.board_unit, "mandatory")
    joint.csp.runs_safeguarding_adults_reviews = True
    joint.csp.save()
    with pytest.raises(ServiceError, match="already been recorded"):
        share_services.case_share_invite(
            case=joint.case,
            partner=joint.csp,
            role="joint_decision_body",
            decides_review_type="sar",
            grants_review=False,
            grants_publication=False,
            note="",
            actor=joint.board_unit,
        )


def test_a_case_is_offered_once_to_each_partnership():
    joint = joint_case(accept=False)
    with pytest.raises(ServiceError, match="already shared"):
        share_services.case_share_invite(
            case=joint.case,
            partner=joint.csp,
            role="host_authority",
            decides_review_type="",
            grants_review=True,
            grants_publication=False,
            note="",
            actor=joint.board_unit,
        )


def test_ending_a_share_closes_the_case_to_the_partner_and_gives_back_an_undecided_track():
    joint = joint_case()
    url = reverse(
        "referrals:case_share_end", args=[joint.board.slug, joint.case.pk, joint.share.pk]
    )
    response = _client(joint.board_unit).post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Enter why the share ends" in response.content.decode()
    _client(joint.board_unit).post(url, {"reason": "Decided it is not a DHR."})
    joint.share.refresh_from_db()
    assert joint.share.state == CaseShare.State.ENDED
    assert joint.share.ended_by == joint.board_unit
    assert Track.objects.get(case=joint.case, review_type="dhr").decided_by is None
    assert _client(joint.csp_unit).get(_case_url(joint.csp, joint.case)).status_code == 404
    assert Notification.objects.filter(kind="case_share.ended", recipient=joint.csp_unit).exists()


def test_a_share_cannot_end_while_the_partners_decision_waits_for_signatures():
    joint = joint_case()
    _decide(joint, "dhr", joint.csp_unit, "review")
    with pytest.raises(ServiceError, match="waits for signatures"):
        share_services.case_share_end(share=joint.share, reason="No longer.", actor=joint.csp_unit)


# Each body's own decision, decision makers and signatures ---------------------------------------


def test_each_body_records_and_signs_its_own_tracks_decision():
    joint = joint_case()
    dhr = Track.objects.get(case=joint.case, review_type="dhr")
    sar = Track.objects.get(case=joint.case, review_type="sar")
    record = "referrals:decision"
    # The board's business unit may not record the CSP's track, nor the CSP's the board's.
    assert (
        _client(joint.board_unit)
        .get(reverse(record, args=[joint.board.slug, joint.case.pk, dhr.pk]))
        .status_code
        == 403
    )
    assert (
        _client(joint.csp_unit)
        .get(reverse(record, args=[joint.csp.slug, joint.case.pk, sar.pk]))
        .status_code
        == 403
    )
    response = _client(joint.csp_unit).post(
        reverse(record, args=[joint.csp.slug, joint.case.pk, dhr.pk]),
        {
            "outcome": "review",
            "rationale": "Fictional: the death appears to have resulted from domestic abuse.",
            "decided_on_0": today().day,
            "decided_on_1": today().month,
            "decided_on_2": today().year,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == _case_url(joint.csp, joint.case) + "#decisions"
    dhr_decision = Decision.objects.get(track=dhr)
    sar_decision = _decide(joint, "sar", joint.board_unit, "mandatory")

    # Each body's decision makers are asked for their own track only, with a link under their
    # own partnership's address.
    asked = Notification.objects.filter(kind="decision.awaiting_signature")
    assert {(n.recipient, n.link) for n in asked} == {
        (joint.csp_chair, reverse("referrals:sign", args=[joint.csp.slug, dhr_decision.pk])),
        (joint.board_lead, reverse("referrals:sign", args=[joint.board.slug, sar_decision.pk])),
    }
    assert selectors.decisions_awaiting_signature(user=joint.csp_chair, partnership=joint.csp) == [
        dhr_decision
    ]
    assert selectors.decisions_awaiting_signature(
        user=joint.board_lead, partnership=joint.board
    ) == [sar_decision]
    with pytest.raises(ServiceError):
        services.decision_sign(decision=dhr_decision, user=joint.board_lead)
    # The board's decision maker sees the CSP's decision but may not sign it.
    assert (
        _client(joint.board_lead)
        .get(reverse("referrals:sign", args=[joint.board.slug, dhr_decision.pk]))
        .status_code
        == 403
    )

    response = _client(joint.csp_chair).post(
        reverse("referrals:sign", args=[joint.csp.slug, dhr_decision.pk])
    )
    assert response.status_code == 302
    services.decision_sign(decision=sar_decision, user=joint.board_lead)
    dhr_decision.refresh_from_db()
    sar_decision.refresh_from_db()
    assert dhr_decision.state == sar_decision.state == Decision.State.FINAL
    assert Signature.objects.get(decision=dhr_decision).capacity == "CSP chair"
    assert Signature.objects.get(decision=sar_decision).capacity == "Adult social care"
    joint.case.refresh_from_db()
    assert joint.case.status == Status.DECIDED
    # The CSP's events are in the CSP's audit trail.
    assert AuditEvent.objects.get(action="decision.signed", actor=joint.csp_chair).partnership == (
        joint.csp
    )

    # Both decisions, with each body's signatures, on the case page under both addresses.
    for partnership, user in ((joint.board, joint.board_unit), (joint.csp, joint.csp_unit)):
        page = _client(user).get(_case_url(partnership, joint.case)).content.decode()
        assert "CSP chair" in page and "Adult social care" in page
        assert "decided by Fictional Community Safety Partnership" in page


def test_a_disagreement_with_the_partners_decision_goes_to_the_partners_business_unit():
    joint = joint_case()
    decision = _decide(joint, "dhr", joint.csp_unit, "review")
    disagreement = services.decision_decline(
        decision=decision, user=joint.csp_chair, kind="disagreed", reason="Fictional reason."
    )
    raised = Notification.objects.get(kind="decision.disagreement_raised")
    assert raised.recipient == joint.csp_unit
    assert selectors.disagreement_list_open(partnership=joint.csp) == [disagreement]
    assert selectors.disagreement_list_open(partnership=joint.board) == []
    url = "referrals:disagreement_resolve"
    assert (
        _client(joint.board_unit)
        .get(reverse(url, args=[joint.board.slug, decision.pk, disagreement.pk]))
        .status_code
        == 403
    )
    assert (
        _client(joint.csp_unit)
        .get(reverse(url, args=[joint.csp.slug, decision.pk, disagreement.pk]))
        .status_code
        == 200
    )


# What the partner sees: only what the share grants ----------------------------------------------


def test_the_partner_sees_the_case_but_not_its_referrals_or_the_owners_pages():
    joint = joint_case()
    referral = joint.case.referrals.get()
    client = _client(joint.csp_unit)
    page = client.get(_case_url(joint.csp, joint.case)).content.decode()
    assert referral.reference not in page
    assert "The referrals are held by Fictional Safeguarding Adults Board" in page
    assert reverse("referrals:screening", args=[joint.csp.slug, joint.case.pk]) not in page
    assert reverse("referrals:detail", args=[joint.board.slug, referral.pk]) not in page
    # The referral under either address, and the owner's pages for the case.
    assert (
        client.get(reverse("referrals:detail", args=[joint.csp.slug, referral.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("referrals:detail", args=[joint.board.slug, referral.pk])).status_code
        == 404
    )
    for name in (
        "referrals:screening",
        "referrals:became_aware",
        "referrals:send_for_decision",
        "referrals:notification_summary",
        "referrals:case_shares",
        "reviews:commission",
        "reviews:start_rapid_review",
    ):
        key = "case_pk" if name.startswith("reviews:") else "pk"
        url = reverse(name, kwargs={"slug": joint.csp.slug, key: joint.case.pk})
        assert client.get(url).status_code == 403, name
    # The partner records the notifications of the track it decides (the Home Office told of its
    # DHR decision): the page opens, offering that recipient only (test_shared_clock.py).
    url = reverse("referrals:notification_add", args=[joint.csp.slug, joint.case.pk])
    assert client.get(url).status_code == 200


def test_the_shared_case_is_in_the_partners_list_and_no_one_elses():
    joint = joint_case()
    other = PartnershipFactory()
    other_unit = UserFactory()
    MembershipFactory(user=other_unit, partnership=other, role=Role.BUSINESS_UNIT)
    search = case_selectors.CaseSearch()
    assert list(
        case_selectors.case_search_for_user(
            user=joint.csp_unit, partnership=joint.csp, search=search
        )
    ) == [joint.case]
    assert (
        list(case_selectors.case_search_for_user(user=other_unit, partnership=other, search=search))
        == []
    )
    # A referral's reference finds the case for the owner only.
    reference = joint.case.referrals.get().reference
    by_reference = case_selectors.CaseSearch(text=reference)
    assert (
        list(
            case_selectors.case_search_for_user(
                user=joint.csp_unit, partnership=joint.csp, search=by_reference
            )
        )
        == []
    )
    assert list(
        case_selectors.case_search_for_user(
            user=joint.board_unit, partnership=joint.board, search=by_reference
        )
    ) == [joint.case]
    assert _client(other_unit).get(_case_url(other, joint.case)).status_code == 404


def test_an_offer_is_answered_by_the_partners_business_unit_only():
    joint = joint_case(accept=False)
    url = reverse("referrals:share_answer", args=[joint.csp.slug, joint.share.pk])
    assert _client(joint.csp_chair).get(url).status_code == 403  # a partner lead
    assert _client(joint.board_unit).get(url).status_code == 404  # not a member of the CSP
    listing = _client(joint.csp_unit).get(reverse("referrals:shares", args=[joint.csp.slug]))
    assert "Waiting for your answer" in listing.content.decode()
    assert url in listing.content.decode()


def test_the_partners_shared_decision_keeps_its_signatories_when_its_makers_change():
    """The partner's decision on a shared track keeps the signatories it was sent to (ADR
    0019, 0022): the partner may change its decision makers meanwhile, and only its own
    business unit may replace the one who left."""
    from safeguarding.referrals.models import DecisionMaker, DecisionSignatory
    from safeguarding.workspace.setup import services as setup_services

    joint = joint_case()
    _decide(joint, "dhr", joint.csp_unit, "review")
    chair = DecisionMaker.objects.get(partnership=joint.csp, review_type="dhr")
    setup_services.decision_maker_remove(partnership=joint.csp, actor=joint.csp_unit, maker=chair)
    signatories = DecisionSignatory.objects.filter(
        decision__track__case=joint.case, decision__track__review_type="dhr"
    )
    assert [s.decision_maker_id for s in signatories] == [chair.pk]
    assert all(s.decision_maker.partnership_id == joint.csp.pk for s in signatories)


def test_the_shared_cases_list_is_paginated_waiting_first_in_the_same_queries(
    django_assert_num_queries,
):
    """Issue 16: shares pile up with the years; the list is read a page at a time (the page
    and its count in one query), waiting for an answer first, then accepted, newest first;
    ended and declined ones are not listed; the same queries empty or full."""
    from datetime import date, timedelta

    from django.utils import timezone

    from safeguarding.core.pagination import PAGE_SIZE
    from safeguarding.referrals.models import Case

    joint = joint_case(offer=False)
    client = _client(joint.csp_unit)
    url = reverse("referrals:shares", args=[joint.csp.slug])
    client.get(url)  # the session's first request
    with django_assert_num_queries(6):
        empty = client.get(url).content.decode()
    assert "No case is shared with your partnership." in empty
    start = timezone.now() - timedelta(days=400)
    states = ["accepted"] * 20 + ["invited"] * 8 + ["ended"] * 2
    for n, state in enumerate(states):
        case = Case.objects.create(
            partnership=joint.board,
            reference=f"S-{n:02}",
            pseudonym=f"Person S{n:02}",
            became_aware_on=date(2026, 1, 5),
        )
        share = CaseShare.objects.create(
            case=case,
            partner=joint.csp,
            role=CaseShare.Role.HOST_AUTHORITY,
            state=state,
            invited_by=joint.board_unit,
            ended_by=joint.board_unit if state == "ended" else None,
            ended_at=timezone.now() if state == "ended" else None,
            end_reason="Finished" if state == "ended" else "",
        )
        CaseShare.objects.filter(pk=share.pk).update(invited_at=start + timedelta(days=n))
    with django_assert_num_queries(6):
        first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"}).content.decode()
    beyond = client.get(url, {"page": "7"}).content.decode()

    def listed(html):
        import re

        return re.findall(r"(Person S\d\d) \(S-\d\d\)", html)

    waiting = [f"Person S{n:02}" for n in range(27, 19, -1)]
    accepted = [f"Person S{n:02}" for n in range(19, -1, -1)]
    assert listed(first) == (waiting + accepted)[:PAGE_SIZE]
    assert listed(second) == (waiting + accepted)[PAGE_SIZE:]
    assert listed(beyond) == listed(second)  # past the last page: the last page
    assert "Person S28" not in first + second  # ended
    assert 'aria-label="Page 2"' in first and "govuk-pagination" in first
