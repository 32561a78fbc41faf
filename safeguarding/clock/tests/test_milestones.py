"""The statutory clock: due dates through the one calendar (R39, R40), completing by event,
pause, resume and extend (services and pages), and the milestone table."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.clock import services
from safeguarding.clock.models import Event, Milestone
from safeguarding.core.calendar import add_calendar_months, add_working_days
from safeguarding.core.errors import ServiceError
from safeguarding.core.rule_sources import rule_source
from safeguarding.referrals.models import Case

AWARE = datetime.date(2026, 12, 21)  # a Monday; Christmas and Boxing Day follow


@pytest.fixture
def case(partnership):
    return Case.objects.create(
        partnership=partnership, reference="C2026-00042", pseudonym="Child A", became_aware_on=AWARE
    )


def start(partnership, subject, event=Event.CSPR_LA_AWARE, on=AWARE, review_types=None):
    return services.milestones_start(
        partnership=partnership,
        event=event,
        subject=subject,
        on_date=on,
        label=f"{subject.reference} ({subject.pseudonym})",
        url=f"/manage/{partnership.slug}/cases/{subject.pk}/",
        review_types=review_types,
    )


def by_code(milestones) -> dict[str, Milestone]:
    return {m.rule.code: m for m in milestones}


# Due dates --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_working_day_deadlines_skip_christmas_and_boxing_day(partnership, case):
    milestones = by_code(start(partnership, case))
    notify = milestones["cspr-serious-incident-notification"]
    rapid = milestones["cspr-rapid-review"]
    # R2: 5 working days; 25 December (Friday) and 28 December (Boxing Day substitute) skipped.
    assert notify.due_on == datetime.date(2026, 12, 30) == add_working_days(AWARE, 5)
    # R9: 15 working days; 1 January 2027 skipped too.
    assert rapid.due_on == datetime.date(2027, 1, 14) == add_working_days(AWARE, 15)
    assert (notify.rule.rule_id, notify.rule.basis) == ("R2", "statutory")
    assert (rapid.rule.rule_id, rapid.rule.basis) == ("R9", "expectation")
    assert notify.original_due_on == notify.due_on
    assert notify.starts_on == AWARE
    assert notify.status == Milestone.Status.DUE


@pytest.mark.django_db
def test_the_dhr_decision_is_due_one_calendar_month_after_awareness(partnership, case):
    (decision,) = start(partnership, case, Event.CSP_AWARE, review_types=["dhr"])
    assert decision.due_on == datetime.date(2027, 1, 21)
    assert decision.rule.rule_id == "R31"
    (late_january,) = start(
        partnership,
        Case.objects.create(
            partnership=partnership,
            reference="C2026-00043",
            pseudonym="Person B",
            became_aware_on=datetime.date(2027, 1, 31),
        ),
        Event.CSP_AWARE,
        on=datetime.date(2027, 1, 31),
        review_types=["dhr"],
    )
    assert (
        late_january.due_on
        == datetime.date(2027, 2, 28)
        == add_calendar_months(datetime.date(2027, 1, 31), 1)
    )


@pytest.mark.django_db
def test_a_milestone_starts_once_per_subject_and_rule(partnership, case):
    first = start(partnership, case)
    again = start(partnership, case, on=datetime.date(2027, 1, 4))
    assert len(first) == 2
    assert again == []
    assert Milestone.objects.count() == 2
    assert Milestone.objects.get(rule__code="cspr-serious-incident-notification").starts_on == AWARE


@pytest.mark.django_db
def test_only_the_review_types_asked_for_start(partnership, case):
    assert start(partnership, case, Event.CSPR_LA_AWARE, review_types=["sar"]) == []


# Completing by event ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_event_completes_only_the_milestones_it_ends(partnership, case, business_unit_user):
    start(partnership, case)
    done_on = datetime.date(2026, 12, 23)
    done = services.milestones_complete(
        event=Event.PANEL_NOTIFIED, subject=case, on_date=done_on, actor=business_unit_user
    )
    assert [m.rule.code for m in done] == ["cspr-serious-incident-notification"]
    milestones = by_code(Milestone.objects.all())
    assert milestones["cspr-serious-incident-notification"].status == Milestone.Status.DONE
    assert milestones["cspr-serious-incident-notification"].done_on == done_on
    assert milestones["cspr-rapid-review"].status == Milestone.Status.DUE
    event = AuditEvent.objects.get(action="milestone.completed")
    assert event.payload == {"rule": "R2", "done_on": "2026-12-23"}
    # A second event changes nothing.
    assert (
        services.milestones_complete(event=Event.PANEL_NOTIFIED, subject=case, on_date=done_on)
        == []
    )


@pytest.mark.django_db
def test_a_paused_milestone_is_completed_by_its_event(partnership, case, business_unit_user):
    notify = by_code(start(partnership, case))["cspr-serious-incident-notification"]
    services.milestone_pause(
        milestone=notify, reason="Waiting for police", actor=business_unit_user
    )
    services.milestones_complete(event=Event.PANEL_NOTIFIED, subject=case, on_date=AWARE)
    notify.refresh_from_db()
    assert notify.status == Milestone.Status.DONE


# Pause, resume, extend (services) ---------------------------------------------------------------


@pytest.fixture
def notify(partnership, case):
    return by_code(start(partnership, case))["cspr-serious-incident-notification"]


@pytest.mark.django_db
def test_pause_and_resume_are_audited_with_the_reason(notify, business_unit_user):
    services.milestone_pause(milestone=notify, reason=" Criminal trial ", actor=business_unit_user)
    notify.refresh_from_db()
    assert (notify.status, notify.paused_reason) == (Milestone.Status.PAUSED, "Criminal trial")
    services.milestone_resume(milestone=notify, actor=business_unit_user)
    notify.refresh_from_db()
    assert notify.status == Milestone.Status.DUE
    assert notify.due_on == datetime.date(2026, 12, 30)
    paused = AuditEvent.objects.get(action="milestone.paused")
    assert paused.payload == {"reason": "Criminal trial"}
    assert paused.actor == business_unit_user
    assert AuditEvent.objects.filter(action="milestone.resumed").count() == 1


@pytest.mark.django_db
def test_pause_needs_a_reason_and_a_due_milestone(notify, business_unit_user):
    with pytest.raises(ServiceError, match="Enter why"):
        services.milestone_pause(milestone=notify, reason="  ", actor=business_unit_user)
    services.milestone_pause(milestone=notify, reason="Trial", actor=business_unit_user)
    with pytest.raises(ServiceError, match="Only a milestone that is due"):
        services.milestone_pause(milestone=notify, reason="Again", actor=business_unit_user)
    assert AuditEvent.objects.filter(action="milestone.paused").count() == 1


@pytest.mark.django_db
def test_only_a_paused_milestone_resumes(notify, business_unit_user):
    with pytest.raises(ServiceError, match="Only a paused milestone"):
        services.milestone_resume(milestone=notify, actor=business_unit_user)
    assert not AuditEvent.objects.filter(action="milestone.resumed").exists()


@pytest.mark.django_db
def test_extension_moves_the_date_keeps_the_original_and_is_audited(notify, business_unit_user):
    new = datetime.date(2027, 1, 8)
    services.milestone_extend(
        milestone=notify, new_due_on=new, reason="Panel agreed", actor=business_unit_user
    )
    notify.refresh_from_db()
    assert (notify.due_on, notify.original_due_on) == (new, datetime.date(2026, 12, 30))
    assert notify.extension_reason == "Panel agreed"
    event = AuditEvent.objects.get(action="milestone.extended")
    assert event.payload == {"from": "2026-12-30", "to": "2027-01-08", "reason": "Panel agreed"}


@pytest.mark.django_db
def test_extension_rules(notify, business_unit_user):
    with pytest.raises(ServiceError, match="after the current due date"):
        services.milestone_extend(
            milestone=notify, new_due_on=notify.due_on, reason="x", actor=business_unit_user
        )
    with pytest.raises(ServiceError, match="reason"):
        services.milestone_extend(
            milestone=notify,
            new_due_on=datetime.date(2027, 2, 1),
            reason="",
            actor=business_unit_user,
        )
    services.milestones_complete(event=Event.PANEL_NOTIFIED, subject=notify.subject, on_date=AWARE)
    notify.refresh_from_db()
    with pytest.raises(ServiceError, match="done cannot be extended"):
        services.milestone_extend(
            milestone=notify,
            new_due_on=datetime.date(2027, 2, 1),
            reason="x",
            actor=business_unit_user,
        )
    assert not AuditEvent.objects.filter(action="milestone.extended").exists()


# Pause, resume, extend (pages) ------------------------------------------------------------------


def url(name: str, milestone) -> str:
    return reverse(f"clock:{name}", args=["testshire", milestone.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_the_business_unit_manages_the_clock(role, client_for, notify):
    client = client_for(role)
    # Partner leads see the case's milestones (403); other roles never see them: 404, as for a
    # milestone that does not exist (ADR 0010).
    expected = {Role.BUSINESS_UNIT: 200, Role.PARTNER_LEAD: 403}.get(role, 404)
    for name in ("pause", "extend"):
        assert client.get(url(name, notify)).status_code == expected
    if role != Role.BUSINESS_UNIT:
        assert client.post(url("pause", notify), {"reason": "x"}).status_code == expected
        notify.refresh_from_db()
        assert notify.status == Milestone.Status.DUE


@pytest.mark.django_db
def test_another_partnerships_staff_get_not_found(client, notify, other_partnership):
    user = UserFactory()
    MembershipFactory(user=user, partnership=other_partnership, role=Role.BUSINESS_UNIT)
    client.force_login(user)
    for name in ("pause", "resume", "extend"):
        assert client.get(url(name, notify)).status_code == 404


@pytest.mark.django_db
def test_a_milestone_of_another_partnership_is_not_found(bu_client, other_partnership):
    theirs = Case.objects.create(
        partnership=other_partnership,
        reference="C2026-09999",
        pseudonym="Child Z",
        became_aware_on=AWARE,
    )
    (milestone, _) = start(other_partnership, theirs)
    assert bu_client.get(url("pause", milestone)).status_code == 404


@pytest.mark.django_db
def test_pausing_from_the_page_goes_back_to_the_case(bu_client, notify, case):
    response = bu_client.post(url("pause", notify), {"reason": "The police asked us to wait"})
    assert response.status_code == 302
    assert response.url == f"/manage/testshire/cases/{case.pk}/#milestones"
    notify.refresh_from_db()
    assert (notify.status, notify.paused_reason) == ("paused", "The police asked us to wait")
    html = bu_client.get(reverse("referrals:case", args=["testshire", case.pk])).content.decode()
    assert "‘Notify the Child Safeguarding Practice Review Panel’ is paused" in html
    assert '<strong class="govuk-tag govuk-tag--grey">Paused</strong>' in html
    assert "The police asked us to wait" in html
    assert "Resume<" in html


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_pausing_without_a_good_reason_is_refused(bu_client, notify, reason):
    response = bu_client.post(url("pause", notify), {"reason": reason})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter why the milestone is paused" in html or "2,000 characters" in html
    notify.refresh_from_db()
    assert notify.status == Milestone.Status.DUE
    assert not AuditEvent.objects.filter(action="milestone.paused").exists()


@pytest.mark.django_db
def test_pausing_a_paused_milestone_shows_the_rule(bu_client, notify, business_unit_user):
    services.milestone_pause(milestone=notify, reason="Trial", actor=business_unit_user)
    response = bu_client.post(url("pause", notify), {"reason": "Again"})
    assert "Only a milestone that is due can be paused" in response.content.decode()
    assert AuditEvent.objects.filter(action="milestone.paused").count() == 1


@pytest.mark.django_db
def test_resuming_from_the_page(bu_client, notify, business_unit_user):
    services.milestone_pause(milestone=notify, reason="Trial", actor=business_unit_user)
    assert "Resume the deadline" in bu_client.get(url("resume", notify)).content.decode()
    response = bu_client.post(url("resume", notify))
    assert response.status_code == 302
    notify.refresh_from_db()
    assert notify.status == Milestone.Status.DUE
    again = bu_client.post(url("resume", notify))
    assert "Only a paused milestone can be resumed" in again.content.decode()


@pytest.mark.django_db
def test_extending_from_the_page(bu_client, notify):
    response = bu_client.post(
        url("extend", notify),
        {"new_due_on_0": "8", "new_due_on_1": "1", "new_due_on_2": "2027", "reason": "Agreed"},
    )
    assert response.status_code == 302
    notify.refresh_from_db()
    assert notify.due_on == datetime.date(2027, 1, 8)
    follow = bu_client.get(response.url.split("#")[0]).content.decode()
    assert "is now due Friday 8 January 2027" in follow
    assert "Extended from 30 December 2026: Agreed" in follow


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Agreed"}, "Enter new due date"),
        ({"new_due_on_0": "8", "new_due_on_2": "2027", "reason": "Agreed"}, "must include a day"),
        (
            {"new_due_on_0": "30", "new_due_on_1": "2", "new_due_on_2": "2027", "reason": "A"},
            "New due date must be a real date",
        ),
        (
            {"new_due_on_0": "29", "new_due_on_1": "12", "new_due_on_2": "2026", "reason": "A"},
            "The new date must be after the current due date",
        ),
        (
            {"new_due_on_0": "8", "new_due_on_1": "1", "new_due_on_2": "2027", "reason": ""},
            "Enter the reason for the extension",
        ),
    ],
)
def test_bad_extensions_are_refused_and_nothing_changes(bu_client, notify, data, message):
    response = bu_client.post(url("extend", notify), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    notify.refresh_from_db()
    assert notify.due_on == datetime.date(2026, 12, 30)
    assert not AuditEvent.objects.filter(action="milestone.extended").exists()


@pytest.mark.django_db
def test_a_subject_url_outside_the_partnership_is_not_followed(bu_client, notify):
    Milestone.objects.filter(pk=notify.pk).update(subject_url="https://evil.example/")
    response = bu_client.post(url("pause", notify), {"reason": "Trial"})
    assert response.url == reverse("workspace:partnership_home", args=["testshire"])


# The milestone table ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_milestone_table_shows_rule_basis_and_long_dates(partnership, case):
    html = render_to_string(
        "clock/_milestones.html",
        {"milestones": start(partnership, case), "partnership": partnership},
    )
    assert "Wednesday 30 December 2026" in html
    assert "Thursday 14 January 2027" in html
    assert (
        f'{rule_source("R2")} <strong class="govuk-tag govuk-tag--purple">Statutory</strong>'
        in html
    )
    assert (
        f'{escape(rule_source("R9"))} <strong class="govuk-tag govuk-tag--blue">'
        "Expectation</strong>" in html
    )
    assert "Pause" not in html  # no actions unless asked for


@pytest.mark.django_db
def test_a_due_milestone_past_its_date_shows_overdue_in_red(partnership, notify):
    today = timezone.localdate()

    def table(**changes) -> str:
        for field, value in changes.items():
            setattr(notify, field, value)
        return render_to_string(
            "clock/_milestones.html",
            {"milestones": [notify], "partnership": partnership, "milestone_actions": True},
        )

    html = table(due_on=today + datetime.timedelta(days=1))
    assert '<strong class="govuk-tag govuk-tag--blue">Due</strong>' in html
    assert "Pause<" in html and "Extend<" in html
    assert "Overdue" not in table(due_on=today)
    html = table(due_on=today - datetime.timedelta(days=1))
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    html = table(status=Milestone.Status.DONE, done_on=today)
    assert "Overdue" not in html
    assert '<strong class="govuk-tag govuk-tag--green">Done</strong>' in html
    assert "Pause<" not in html and "Extend<" not in html
    assert "Overdue" not in table(status=Milestone.Status.PAUSED)
