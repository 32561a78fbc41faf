"""Decision makers may decline to sign or disagree, with a reason that goes back to the business
unit; the business unit records how the disagreement was resolved by escalation (who, outcome,
why, when). Everyone is told at each hand-off, through the notifications app."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.core.tests.when_run import ONE_DAY, when_run
from safeguarding.notifications.models import Notification
from safeguarding.referrals import selectors, services
from safeguarding.referrals.models import Decision, Disagreement, Signature, Status

from .staff_support import make_case, name_decision_makers, today


@pytest.fixture
def makers(partnership):
    return name_decision_makers(partnership)


@pytest.fixture
def decision(partnership, business_unit_user, makers):
    case = make_case(partnership, business_unit_user)
    (track,) = services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    return services.decision_record(
        track=track,
        outcome="rapid_review_then_local",
        rationale="The rapid review found learning about agencies working together.",
        decided_on=today(),
        actor=business_unit_user,
    )


def decline_url(decision) -> str:
    return reverse("referrals:decline", args=["testshire", decision.pk])


def resolve_url(disagreement) -> str:
    return reverse(
        "referrals:disagreement_resolve",
        args=["testshire", disagreement.decision_id, disagreement.pk],
    )


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def resolution(outcome: str, **changes) -> dict:
    return {
        "resolved_by": "The three lead safeguarding partners at their meeting",
        "resolution": outcome,
        "reason": "The partners agreed the threshold for a local review is met.",
        **_date("resolved_on", today()),
        **changes,
    }


def disagree(decision, user, kind: str = "disagreed") -> Disagreement:
    return services.decision_decline(
        decision=decision, user=user, kind=kind, reason="The threshold is not met, in my view."
    )


# Asking for signatures ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_decision_maker_is_told_once_that_a_decision_awaits_their_signature(
    decision, makers, business_unit_user
):
    told = Notification.objects.filter(kind="decision.awaiting_signature")
    assert {n.recipient_id for n in told} == {user.pk for user in makers.values()}
    assert told.first().link == reverse("referrals:sign", args=["testshire", decision.pk])
    assert "Sign the Child Safeguarding Practice Review decision on" in told.first().subject
    # Changing the decision before anyone signs does not tell them again.
    services.decision_record(
        track=decision.track,
        outcome="no_further_review",
        rationale="Changed reasons.",
        decided_on=today(),
        actor=business_unit_user,
    )
    assert told.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_awaiting_signature_email_is_sent_after_the_commit(decision, makers):
    addresses = sorted(m.to[0] for m in mail.outbox if "Sign the" in m.subject)
    assert addresses == sorted(user.email for user in makers.values())


# Declining or disagreeing -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_decision_maker_disagrees_with_a_reason_and_the_business_unit_is_told(
    client, decision, makers, business_unit_user, django_capture_on_commit_callbacks
):
    police = makers["Police"]
    client.force_login(police)
    page = client.get(reverse("referrals:sign", args=["testshire", decision.pk])).content
    assert b"Decline or disagree" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decline_url(decision), {"kind": "disagreed", "reason": "The threshold is not met."}
        )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == Decision.State.DISPUTED
    disagreement = Disagreement.objects.get()
    assert (disagreement.user, disagreement.capacity, disagreement.kind) == (
        police,
        "Police",
        "disagreed",
    )
    event = AuditEvent.objects.get(action="decision.disagreed")
    assert event.actor == police
    assert event.payload["reason"] == "The threshold is not met."
    told = Notification.objects.get(kind="decision.disagreement_raised")
    assert told.recipient == business_unit_user
    assert told.link == resolve_url(disagreement)
    (email,) = mail.outbox
    assert email.to == [business_unit_user.email]
    assert "Police disagrees with the Child Safeguarding Practice Review decision" in email.subject
    assert "The threshold is not met." in email.body
    # The sign page now says it is with the business unit, and signing is refused.
    page = client.get(response.url).content.decode()
    assert "You told the business unit that you disagree" in page
    assert "Sign this decision</button>" not in page
    with pytest.raises(ServiceError, match="must record how that was resolved"):
        services.decision_sign(decision=decision, user=police)
    # The others may still sign, but it is not final while the disagreement is open.
    services.decision_sign(decision=decision, user=makers["Local authority"])
    services.decision_sign(decision=decision, user=makers["Integrated care board"])
    decision.refresh_from_db()
    assert decision.state == Decision.State.DISPUTED
    assert (
        selectors.decisions_awaiting_signature(
            user=police, partnership=decision.track.case.partnership
        )
        == []
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "", "reason": "A reason."}, "Select whether you disagree or decline to sign"),
        ({"kind": "disagreed", "reason": "   "}, "Enter your reason"),
        ({"kind": "shrug", "reason": "A reason."}, "Select whether you disagree or decline"),
        ({"kind": "declined", "reason": "x" * 5_001}, "5,000 characters or fewer"),
    ],
)
def test_bad_disagreements_show_an_error_summary_and_change_nothing(
    client, decision, makers, data, message
):
    client.force_login(makers["Police"])
    response = client.post(decline_url(decision), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert not Disagreement.objects.exists()
    decision.refresh_from_db()
    assert decision.state == Decision.State.AWAITING_SIGNATURES
    assert not AuditEvent.objects.filter(action__startswith="decision.d").exists()


@pytest.mark.django_db
def test_declining_twice_or_after_signing_is_refused(client, decision, makers):
    police, council = makers["Police"], makers["Local authority"]
    disagree(decision, police, kind="declined")
    client.force_login(police)
    response = client.post(decline_url(decision), {"kind": "declined", "reason": "Again."})
    assert "You have already declined or disagreed" in response.content.decode()
    services.decision_sign(decision=decision, user=council)
    client.force_login(council)
    response = client.post(decline_url(decision), {"kind": "declined", "reason": "Late."})
    assert "You have already signed this decision" in response.content.decode()
    assert Disagreement.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_named_decision_makers_may_decline(role, client_for, decision):
    client = client_for(role)
    expected = 403 if role in (Role.BUSINESS_UNIT, Role.PARTNER_LEAD) else 404
    assert client.get(decline_url(decision)).status_code == expected
    response = client.post(decline_url(decision), {"kind": "declined", "reason": "No."})
    assert response.status_code == expected
    assert not Disagreement.objects.exists()


@pytest.mark.django_db
def test_a_disputed_decision_cannot_be_changed_until_resolved(bu_client, decision, makers):
    disagree(decision, makers["Police"])
    with pytest.raises(ServiceError, match="record how that was resolved first"):
        services.decision_record(
            track=decision.track,
            outcome="no_further_review",
            rationale="Other reasons.",
            decided_on=today(),
            actor=None,
        )
    url = reverse(
        "referrals:decision", args=["testshire", decision.track.case_id, decision.track_id]
    )
    page = bu_client.get(url).content.decode()
    assert (
        "Record how the disagreement was resolved" in page or "Record how it was resolved" in page
    )
    case_page = bu_client.get(reverse("referrals:case", args=["testshire", decision.track.case_id]))
    html = case_page.content.decode()
    assert "Disagreement to resolve" in html
    assert "Record how it was resolved" in html
    assert "Change the decision" not in html


# Resolving by escalation -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"resolved_by": ""}, "Enter who resolved the disagreement"),
        ({"resolution": ""}, "Select the outcome of the escalation"),
        ({"resolution": "overrule"}, "Select the outcome of the escalation"),
        ({"reason": ""}, "Enter the reasons for the outcome"),
        (lambda: _date("resolved_on", today() + ONE_DAY), "today or in the past"),
        (lambda: _date("resolved_on", today() - ONE_DAY), "on or after the day"),
    ],
)
def test_bad_resolutions_show_an_error_summary_and_change_nothing(
    bu_client, decision, makers, changes, message
):
    disagreement = disagree(decision, makers["Police"])
    response = bu_client.post(resolve_url(disagreement), resolution("sign", **when_run(changes)))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    disagreement.refresh_from_db()
    assert disagreement.is_open
    decision.refresh_from_db()
    assert decision.state == Decision.State.DISPUTED
    assert not AuditEvent.objects.filter(action="decision.disagreement_resolved").exists()


@pytest.mark.django_db
def test_the_decision_stands_and_the_decision_maker_is_asked_to_sign(
    bu_client, decision, makers, business_unit_user, django_capture_on_commit_callbacks
):
    police = makers["Police"]
    disagreement = disagree(decision, police)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(resolve_url(disagreement), resolution("sign"))
    assert response.status_code == 302
    disagreement.refresh_from_db()
    assert disagreement.resolution == "sign"
    assert disagreement.resolved_by == "The three lead safeguarding partners at their meeting"
    assert disagreement.resolved_on == today()
    assert disagreement.resolution_recorded_by == business_unit_user
    event = AuditEvent.objects.get(action="decision.disagreement_resolved")
    assert event.payload["resolution"] == "sign"
    decision.refresh_from_db()
    assert decision.state == Decision.State.AWAITING_SIGNATURES
    resolved = [m for m in mail.outbox if m.subject.startswith("Disagreement resolved")]
    assert sorted(m.to[0] for m in resolved) == sorted([business_unit_user.email, police.email])
    asked = [m for m in mail.outbox if m.subject.startswith("Sign the")]
    assert [m.to for m in asked] == [[police.email]]
    partnership = decision.track.case.partnership
    assert selectors.decisions_awaiting_signature(user=police, partnership=partnership) == [
        decision
    ]
    for user in makers.values():
        services.decision_sign(decision=decision, user=user)
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
    # Resolving it again is refused, and the page shows it read-only.
    response = bu_client.post(resolve_url(disagreement), resolution("change"))
    assert "This disagreement has already been resolved" in response.content.decode()
    assert "was resolved on" in bu_client.get(resolve_url(disagreement)).content.decode()


@pytest.mark.django_db
def test_the_decision_stands_without_their_signature_and_becomes_final(bu_client, decision, makers):
    disagreement = disagree(decision, makers["Police"], kind="declined")
    services.decision_sign(decision=decision, user=makers["Local authority"])
    services.decision_sign(decision=decision, user=makers["Integrated care board"])
    bu_client.post(resolve_url(disagreement), resolution("without_signature"))
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
    case = decision.track.case
    case.refresh_from_db()
    assert case.status == Status.DECIDED
    html = bu_client.get(reverse("referrals:case", args=["testshire", case.pk])).content.decode()
    assert "Not signed: disagreement kept with the decision" in html
    assert "The three lead safeguarding partners at their meeting" in html


@pytest.mark.django_db
def test_a_changed_decision_is_recorded_again_and_everyone_signs_again(
    bu_client, decision, makers, business_unit_user
):
    council, police = makers["Local authority"], makers["Police"]
    services.decision_sign(decision=decision, user=council)
    first = disagree(decision, police)
    second = disagree(decision, makers["Integrated care board"], kind="declined")
    bu_client.post(resolve_url(first), resolution("change"))
    decision.refresh_from_db()
    assert (decision.round, decision.state) == (2, Decision.State.AWAITING_SIGNATURES)
    second.refresh_from_db()
    assert second.resolution == "change"  # the change answers both
    assert Signature.objects.filter(decision=decision).count() == 1  # kept in the record
    assert [row.signature for row in selectors.decision_signatories(decision=decision)] == [
        None,
        None,
        None,
    ]
    asked_before = Notification.objects.filter(kind="decision.awaiting_signature").count()
    services.decision_record(
        track=decision.track,
        outcome="no_further_review",
        rationale="The partners agreed other learning is enough.",
        decided_on=today(),
        actor=business_unit_user,
    )
    assert (
        Notification.objects.filter(kind="decision.awaiting_signature").count() == asked_before + 3
    )
    for user in makers.values():
        services.decision_sign(decision=decision, user=user)
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
    assert decision.signatures.filter(round=2).count() == 3


@pytest.mark.django_db
def test_only_the_business_unit_records_resolutions(client, decision, makers):
    police = makers["Police"]
    disagreement = disagree(decision, police)
    client.force_login(police)
    assert client.get(resolve_url(disagreement)).status_code == 403
    assert client.post(resolve_url(disagreement), resolution("sign")).status_code == 403
    disagreement.refresh_from_db()
    assert disagreement.is_open


@pytest.mark.django_db
def test_a_disagreement_of_another_decision_is_not_found(bu_client, decision, makers):
    disagreement = disagree(decision, makers["Police"])
    url = reverse(
        "referrals:disagreement_resolve", args=["testshire", decision.pk, disagreement.pk + 1]
    )
    assert bu_client.get(url).status_code == 404


# The SAR "acknowledge the referral" milestone ----------------------------------------------------


@pytest.mark.django_db
def test_the_sar_acknowledgement_milestone_is_done_the_day_the_acknowledgement_goes(
    partnership,
):
    from safeguarding.clock.models import Milestone

    from .staff_support import make_referral

    referral = make_referral(partnership, review_type="sar", age_years=70)
    milestone = Milestone.objects.get(rule__code="sar-acknowledge-referral")
    assert milestone.subject == referral
    assert (milestone.status, milestone.done_on) == (Milestone.Status.DONE, today())
    assert AuditEvent.objects.filter(action="milestone.completed").count() == 1
    assert Notification.objects.filter(kind="referral.acknowledged").count() == 1


@pytest.mark.django_db
def test_without_an_acknowledgement_the_milestone_is_done_by_the_decision(
    partnership, business_unit_user
):
    from safeguarding.clock.models import Milestone
    from safeguarding.referrals.tests.staff_support import ANSWERS, IDENTITY

    referral, _ = services.referral_submit(
        partnership=partnership,
        review_type="sar",
        answers={**ANSWERS, "age_years": 70},
        identity=IDENTITY,
        notify_referrer=False,
        actor=business_unit_user,
    )
    milestone = Milestone.objects.get(rule__code="sar-acknowledge-referral")
    assert milestone.status == Milestone.Status.DUE
    case = services.case_open(referral=referral, pseudonym="Adult A", actor=business_unit_user)
    (track,) = services.case_send_for_decision(
        case=case, review_types=["sar"], actor=business_unit_user
    )
    (maker,) = name_decision_makers(partnership, "sar", ["Board chair"]).values()
    decision = services.decision_record(
        track=track,
        outcome="no_review",
        rationale="The criteria are not met.",
        decided_on=today(),
        actor=business_unit_user,
    )
    services.decision_sign(decision=decision, user=maker)
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on) == (Milestone.Status.DONE, today())


@pytest.mark.django_db
def test_the_business_unit_home_lists_disagreements_to_resolve(bu_client, decision, makers):
    disagreement = disagree(decision, makers["Police"])
    html = bu_client.get(reverse("workspace:partnership_home", args=["testshire"])).content
    assert b"1 disagreement with a decision to resolve" in html
    assert resolve_url(disagreement).encode() in html


@pytest.mark.django_db
def test_the_migration_completes_milestones_of_referrals_acknowledged_before(
    partnership, business_unit_user
):
    """Before the fix the milestone stayed due until the decision; the migration completes the
    open ones whose acknowledgement was sent, on the day it was written, also after the
    referral moved to a case."""
    from importlib import import_module

    from django.apps import apps

    from safeguarding.clock.models import Milestone, MilestoneRule

    from .staff_support import ANSWERS, make_referral

    migration = import_module(
        "safeguarding.referrals.migrations.0007_sar_acknowledgement_completes_its_milestone"
    )
    acknowledged = make_referral(partnership, review_type="sar", age_years=70)
    services.case_open(referral=acknowledged, pseudonym="Adult A", actor=business_unit_user)
    services.referral_submit(
        partnership=partnership,
        review_type="sar",
        answers={**ANSWERS, "age_years": 71},
        identity={"first_name": "Zed", "last_name": "Example"},
        notify_referrer=False,
    )
    MilestoneRule.objects.filter(code="sar-acknowledge-referral").update(
        done_on_event="sar_decided"
    )
    Milestone.objects.update(status=Milestone.Status.DUE, done_on=None)
    migration.complete_acknowledged(apps, None)
    rule = MilestoneRule.objects.get(code="sar-acknowledge-referral")
    assert rule.done_on_event == "sar_referral_acknowledged"
    rows = Milestone.objects.filter(rule=rule).order_by("id")
    assert [(m.status, m.done_on) for m in rows] == [("done", today()), ("due", None)]
