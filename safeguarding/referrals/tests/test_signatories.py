"""Signatories are stored per decision (ADR 0019): a decision keeps the decision makers it was
sent to when the partnership's decision makers change, and the business unit replaces one who
has left, with a reason, audited, the new person asked to sign."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.models import Notification
from safeguarding.referrals import selectors, services
from safeguarding.referrals.models import Decision, DecisionMaker, DecisionSignatory
from safeguarding.workspace.setup import services as setup_services

from .staff_support import make_case, name_decision_makers, today

pytestmark = pytest.mark.django_db


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


def _member(partnership, name="Robin New"):
    user = UserFactory(full_name=name)
    MembershipFactory(user=user, partnership=partnership, role=Role.PARTNER_LEAD)
    return user


def _police_leaves(partnership, business_unit_user):
    """The police lead is changed in the partnership's setup: the new one is named."""
    old = DecisionMaker.objects.get(partnership=partnership, capacity="Police")
    new = setup_services.decision_maker_change(
        partnership=partnership,
        actor=business_unit_user,
        maker=old,
        capacity="Police",
        user=_member(partnership),
    )
    return old, new


def replace_url(decision, maker) -> str:
    return reverse("referrals:signatory_replace", args=["testshire", decision.pk, maker.pk])


def test_a_decision_stores_the_decision_makers_named_when_it_was_recorded(decision, makers):
    stored = {row.decision_maker.user for row in decision.signatories.all()}
    assert stored == set(makers.values())


def test_a_change_of_decision_makers_does_not_change_who_signs_a_waiting_decision(
    partnership, business_unit_user, decision, makers
):
    _old, new = _police_leaves(partnership, business_unit_user)
    with pytest.raises(ServiceError, match="not one of the decision makers"):
        services.decision_sign(decision=decision, user=new.user)
    # The one who left can still sign what they were sent; nobody is stuck.
    for user in makers.values():
        services.decision_sign(decision=decision, user=user)
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL


def test_the_business_unit_replaces_a_signatory_who_left(
    partnership, business_unit_user, decision, makers, django_capture_on_commit_callbacks
):
    old, new = _police_leaves(partnership, business_unit_user)
    services.decision_sign(decision=decision, user=makers["Local authority"])
    mail.outbox.clear()
    signatory = selectors.decision_signatory_get(decision=decision, decision_maker_pk=old.pk)
    with pytest.raises(ServiceError, match="Enter why"):
        services.decision_signatory_replace(
            signatory=signatory, decision_maker=new, reason="  ", actor=business_unit_user
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_signatory_replace(
            signatory=signatory,
            decision_maker=new,
            reason="The police lead left at the end of November.",
            actor=business_unit_user,
        )
    signatory.refresh_from_db()
    assert (
        signatory.replaced_by == business_unit_user and signatory.replacement.decision_maker == new
    )
    event = AuditEvent.objects.get(action="decision.signatory_replaced")
    assert event.payload["reason"] == "The police lead left at the end of November."
    assert event.payload["to"] == {"capacity": "Police", "user_id": new.user_id}
    told = Notification.objects.get(kind="decision.awaiting_signature", recipient=new.user)
    assert told.link.endswith(f"/decisions/{decision.pk}/sign/")
    assert [m.to for m in mail.outbox] == [[new.user.email]]
    assert decision in selectors.decisions_awaiting_signature(
        user=new.user, partnership=partnership
    )
    with pytest.raises(ServiceError, match="not one of the decision makers"):
        services.decision_sign(decision=decision, user=old.user)
    services.decision_sign(decision=decision, user=new.user)
    services.decision_sign(decision=decision, user=makers["Integrated care board"])
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL


def test_someone_still_named_cannot_be_replaced(partnership, business_unit_user, decision, makers):
    other = DecisionMaker.objects.create(
        partnership=partnership, review_type="cspr", capacity="Education", user=_member(partnership)
    )
    police = DecisionMaker.objects.get(partnership=partnership, capacity="Police")
    signatory = selectors.decision_signatory_get(decision=decision, decision_maker_pk=police.pk)
    with pytest.raises(ServiceError, match="still named"):
        services.decision_signatory_replace(
            signatory=signatory, decision_maker=other, reason="Moved on", actor=business_unit_user
        )
    assert not DecisionSignatory.objects.filter(replaced_at__isnull=False).exists()


def test_a_deactivated_account_has_left(partnership, business_unit_user, decision, makers):
    police = DecisionMaker.objects.get(partnership=partnership, capacity="Police")
    police.user.is_active = False
    police.user.save()
    extra = DecisionMaker.objects.create(
        partnership=partnership, review_type="cspr", capacity="Education", user=_member(partnership)
    )
    assert [
        s.decision_maker for s in selectors.decision_signatories_who_left(decision=decision)
    ] == [police]
    signatory = selectors.decision_signatory_get(decision=decision, decision_maker_pk=police.pk)
    services.decision_signatory_replace(
        signatory=signatory, decision_maker=extra, reason="Account closed", actor=business_unit_user
    )
    assert selectors.decision_signatories_who_left(decision=decision) == []


def test_only_a_decision_maker_of_the_type_may_replace(
    partnership, other_partnership, business_unit_user, decision
):
    old, new = _police_leaves(partnership, business_unit_user)
    signatory = selectors.decision_signatory_get(decision=decision, decision_maker_pk=old.pk)
    sar = DecisionMaker.objects.create(
        partnership=partnership, review_type="sar", capacity="Police", user=_member(partnership)
    )
    with pytest.raises(ServiceError, match="named now for this review type"):
        services.decision_signatory_replace(
            signatory=signatory, decision_maker=sar, reason="Left", actor=business_unit_user
        )
    lead = DecisionMaker.objects.get(partnership=partnership, capacity="Local authority")
    with pytest.raises(ServiceError, match="already a signatory"):
        services.decision_signatory_replace(
            signatory=signatory, decision_maker=lead, reason="Left", actor=business_unit_user
        )
    with pytest.raises(ServiceError, match="Only the business unit"):
        services.decision_signatory_replace(
            signatory=signatory, decision_maker=new, reason="Left", actor=lead.user
        )


def test_the_replace_page(bu_client, partnership, business_unit_user, decision, makers):
    old, new = _police_leaves(partnership, business_unit_user)
    case_page = bu_client.get(reverse("referrals:case", args=["testshire", decision.track.case_id]))
    assert replace_url(decision, old) in case_page.text and "Has left" in case_page.text
    page = bu_client.get(replace_url(decision, old))
    assert page.status_code == 200 and "Robin New (Police)" in page.text
    before = AuditEvent.objects.count()
    for data, message in [
        ({}, "Select who signs instead"),
        ({"decision_maker": new.pk}, "Enter why the signatory is being replaced"),
        ({"decision_maker": 999999, "reason": "Left"}, "Select who signs instead"),
        ({"decision_maker": new.pk, "reason": "x" * 5001}, "5,000 characters or fewer"),
    ]:
        response = bu_client.post(replace_url(decision, old), data)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text and message in response.text
    assert AuditEvent.objects.count() == before
    assert not DecisionSignatory.objects.filter(replaced_at__isnull=False).exists()
    response = bu_client.post(
        replace_url(decision, old), {"decision_maker": new.pk, "reason": "Left the force"}
    )
    assert response.status_code == 302
    case_page = bu_client.get(reverse("referrals:case", args=["testshire", decision.track.case_id]))
    assert "Signatories replaced" in case_page.text and "Left the force" in case_page.text
    # The replaced one is no longer a current signatory: its page is gone.
    assert bu_client.get(replace_url(decision, old)).status_code == 404


def test_the_replace_page_is_for_the_business_unit_only(
    partnership, business_unit_user, decision, makers
):
    old, _ = _police_leaves(partnership, business_unit_user)
    client = Client()
    client.force_login(makers["Local authority"])
    assert client.get(replace_url(decision, old)).status_code == 403


def test_the_migration_stores_the_signatories_of_existing_decisions(
    partnership, business_unit_user, decision, makers
):
    """referrals 0010 gives each decision the signatories it was read with before: a waiting
    one the decision makers named now, a final one whoever signed it."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("safeguarding.referrals.migrations.0014_decision_signatories")
    case = make_case(partnership, business_unit_user, pseudonym="Child C")
    (track,) = services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    final = services.decision_record(
        track=track,
        outcome="no_further_review",
        rationale="Fictional reasons.",
        decided_on=today(),
        actor=business_unit_user,
    )
    for user in makers.values():
        services.decision_sign(decision=final, user=user)
    # After the final decision, the police lead changes; before, nothing was stored.
    old, new = _police_leaves(partnership, business_unit_user)
    DecisionSignatory.objects.all().delete()

    migration.store_signatories(apps, None)

    waiting = {row.decision_maker for row in DecisionSignatory.objects.filter(decision=decision)}
    assert waiting == set(DecisionMaker.objects.filter(partnership=partnership))
    assert new in waiting and old not in waiting
    signed = {row.decision_maker for row in DecisionSignatory.objects.filter(decision=final)}
    assert old in signed and new not in signed and len(signed) == 3
