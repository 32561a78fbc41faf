"""The clock of a case shared between partnerships (ADR 0022): the milestones of the track a
partner decides belong to the partner (its staff home, its reminders, its business unit pauses,
extends and records the notification that completes them); the owner reads them only."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.clock import selectors as clock_selectors
from safeguarding.clock import services as clock
from safeguarding.clock.milestone_reminders import milestone_reminder
from safeguarding.clock.models import Event, Milestone
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.models import Notification
from safeguarding.referrals import services, share_services
from safeguarding.referrals.models import Decision, Track

from .share_support import joint_case
from .staff_support import today
from .test_case_sharing import _case_url, _client

pytestmark = pytest.mark.django_db


def _no_dhr(joint) -> Decision:
    """The CSP decides not to hold a DHR; its chair signs (the decision is final)."""
    track = Track.objects.get(case=joint.case, review_type="dhr")
    decision = services.decision_record(
        track=track,
        outcome="no_review",
        rationale="Fictional: the death did not result from domestic abuse.",
        decided_on=today(),
        actor=joint.csp_unit,
    )
    services.decision_sign(decision=decision, user=joint.csp_chair)
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
    return decision


def test_accepting_starts_the_partners_decision_clock_on_its_own_staff_home():
    joint = joint_case()
    decide = Milestone.objects.get(rule__review_type="dhr", rule__starts_on_event=Event.CSP_AWARE)
    assert decide.partnership == joint.csp
    assert decide.subject_url == _case_url(joint.csp, joint.case)
    assert decide.starts_on == today()
    # The owner's SAR clock stays the owner's.
    sar = Milestone.objects.filter(rule__review_type="sar")
    assert sar.exists() and set(sar.values_list("partnership", flat=True)) == {joint.board.pk}
    soon = today() + datetime.timedelta(days=40)
    csp_home = clock_selectors.milestone_dashboard(partnership=joint.csp, today=soon)
    board_home = clock_selectors.milestone_dashboard(partnership=joint.board, today=soon)
    assert decide.pk in [m.pk for m in csp_home.overdue]
    assert decide.pk not in [m.pk for m in board_home.overdue]
    # The partner's business unit is reminded, with a link under its own address.
    reminder = milestone_reminder(decide, "overdue")
    assert reminder.recipients == [joint.csp_unit]
    assert reminder.partnership == joint.csp
    assert reminder.link == _case_url(joint.csp, joint.case)


def test_a_tracks_milestones_started_before_the_share_are_handed_over_audited():
    joint = joint_case(offer=False)
    started = clock.milestones_start(
        partnership=joint.board,
        event=Event.CSP_AWARE,
        subject=joint.case,
        on_date=today(),
        label="Adult J",
        url=_case_url(joint.board, joint.case),
        review_types=["dhr"],
    )
    assert [m.partnership for m in started] == [joint.board]
    share = share_services.case_share_invite(
        case=joint.case,
        partner=joint.csp,
        role="joint_decision_body",
        decides_review_type="dhr",
        grants_review=True,
        grants_publication=True,
        note="",
        actor=joint.board_unit,
    )
    share_services.case_share_accept(share=share, actor=joint.csp_unit)
    milestone = Milestone.objects.get(pk=started[0].pk)
    assert milestone.partnership == joint.csp
    assert milestone.subject_url == _case_url(joint.csp, joint.case)
    # Started once: the partner's clock is the same milestone, not a second one.
    assert Milestone.objects.filter(rule=milestone.rule).count() == 1
    events = AuditEvent.objects.filter(action="milestone.handed_over")
    assert {e.partnership_id for e in events} == {joint.board.pk, joint.csp.pk}

    # Ending the share gives every clock of the case back to the owner, audited again.
    share.refresh_from_db()
    share_services.case_share_end(
        share=share, reason="Fictional: no longer joint", actor=joint.board_unit
    )
    milestone.refresh_from_db()
    assert milestone.partnership == joint.board
    assert milestone.subject_url == _case_url(joint.board, joint.case)
    assert AuditEvent.objects.filter(action="milestone.handed_over").count() == 4


def test_the_owner_reads_the_partners_milestones_and_cannot_change_them():
    joint = joint_case()
    decide = Milestone.objects.get(rule__review_type="dhr", rule__starts_on_event=Event.CSP_AWARE)
    page = _client(joint.board_unit).get(_case_url(joint.board, joint.case)).content.decode()
    assert "Kept by Fictional Community Safety Partnership" in page
    assert reverse("clock:pause", args=[joint.board.slug, decide.pk]) not in page
    assert reverse("clock:extend", args=[joint.board.slug, decide.pk]) not in page
    # Under the owner's address the partner's milestone answers 404; the partner pauses it.
    pause = "clock:pause"
    board = _client(joint.board_unit)
    assert board.get(reverse(pause, args=[joint.board.slug, decide.pk])).status_code == 404
    assert (
        board.post(reverse(pause, args=[joint.board.slug, decide.pk]), {"reason": "x"}).status_code
        == 404
    )
    csp_page = _client(joint.csp_unit).get(_case_url(joint.csp, joint.case)).content.decode()
    assert reverse(pause, args=[joint.csp.slug, decide.pk]) in csp_page
    response = _client(joint.csp_unit).post(
        reverse(pause, args=[joint.csp.slug, decide.pk]), {"reason": ""}
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    decide.refresh_from_db()
    assert decide.status == Milestone.Status.DUE
    response = _client(joint.csp_unit).post(
        reverse(pause, args=[joint.csp.slug, decide.pk]), {"reason": "Fictional: inquest"}
    )
    assert response.status_code == 302
    assert response.url == _case_url(joint.csp, joint.case) + "#milestones"
    decide.refresh_from_db()
    assert decide.status == Milestone.Status.PAUSED
    assert AuditEvent.objects.get(action="milestone.paused").partnership == joint.csp


def test_the_partner_records_telling_the_home_office_of_its_decision_not_to_review():
    joint = joint_case()
    _no_dhr(joint)
    told = Milestone.objects.get(rule__code="dhr-home-office-told-no-review")
    assert told.partnership == joint.csp
    # The decision's own milestone is done (by the partner's decision).
    decided = Milestone.objects.get(rule__review_type="dhr", rule__starts_on_event=Event.CSP_AWARE)
    assert decided.status == Milestone.Status.DONE

    add = "referrals:notification_add"
    form = {
        "recipient": "home_office",
        "sent_on_0": today().day,
        "sent_on_1": today().month,
        "sent_on_2": today().year,
        "reference": "HO-FICTIONAL-1",
    }
    # The owner's business unit may not record it: the choice is not offered and the service
    # refuses it.
    response = _client(joint.board_unit).post(
        reverse(add, args=[joint.board.slug, joint.case.pk]), form
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    with pytest.raises(ServiceError):
        services.notification_record(
            case=joint.case,
            recipient="home_office",
            sent_on=today(),
            reference="",
            actor=joint.board_unit,
        )
    # The partner's chair (not its business unit) may not either.
    with pytest.raises(ServiceError):
        services.notification_record(
            case=joint.case,
            recipient="home_office",
            sent_on=today(),
            reference="",
            actor=joint.csp_chair,
            partnership=joint.csp,
        )
    told.refresh_from_db()
    assert told.status == Milestone.Status.DUE
    assert not Notification.objects.filter(kind="").exists()

    csp = _client(joint.csp_unit)
    page = csp.get(_case_url(joint.csp, joint.case)).content.decode()
    assert reverse(add, args=[joint.csp.slug, joint.case.pk]) in page
    # Bad input changes nothing.
    response = csp.post(
        reverse(add, args=[joint.csp.slug, joint.case.pk]), {**form, "sent_on_0": "99"}
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    # The panel notification is the owner's (CSPR) and is not offered to the partner.
    response = csp.post(
        reverse(add, args=[joint.csp.slug, joint.case.pk]), {**form, "recipient": "panel"}
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    told.refresh_from_db()
    assert told.status == Milestone.Status.DUE

    response = csp.post(reverse(add, args=[joint.csp.slug, joint.case.pk]), form)
    assert response.status_code == 302
    assert response.url == _case_url(joint.csp, joint.case) + "#notifications"
    told.refresh_from_db()
    assert told.status == Milestone.Status.DONE
    recorded = AuditEvent.objects.get(action="notification.recorded")
    assert recorded.partnership == joint.csp
    assert (
        AuditEvent.objects.get(action="milestone.completed", object_id=str(told.pk)).partnership
        == joint.csp
    )


def test_another_partnership_reaches_neither_the_case_nor_its_notifications():
    joint = joint_case()
    other = type(joint.csp).objects.create(name="Another fictional partnership", slug="another")
    outsider = UserFactory(email="unit@another.example")
    MembershipFactory(user=outsider, partnership=other, role=Role.BUSINESS_UNIT)
    client = _client(outsider)
    for slug in (other.slug, joint.csp.slug, joint.board.slug):
        url = reverse("referrals:notification_add", args=[slug, joint.case.pk])
        assert client.get(url).status_code == 404
    decide = Milestone.objects.get(rule__review_type="dhr", rule__starts_on_event=Event.CSP_AWARE)
    assert client.get(reverse("clock:pause", args=[other.slug, decide.pk])).status_code == 404
    # The partner's lead (not its business unit) sees the case but records nothing.
    lead = _client(joint.csp_chair)
    url = reverse("referrals:notification_add", args=[joint.csp.slug, joint.case.pk])
    assert lead.get(url).status_code in (403, 404)
