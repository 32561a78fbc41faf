"""The case page, screening facts, sending for decision, notifications and the notification
summary."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Milestone
from safeguarding.core.tests.when_run import ONE_DAY, when_run
from safeguarding.referrals import services
from safeguarding.referrals.models import Case, Notification, Status, Track

from .staff_support import IDENTITY, make_case, make_referral, name_decision_makers, today


def case_url(case, name: str = "referrals:case") -> str:
    return reverse(name, args=["testshire", case.pk])


@pytest.fixture
def case(partnership, business_unit_user):
    return make_case(partnership, business_unit_user)


@pytest.fixture
def runs_dhr(partnership):
    partnership.runs_dhr = True
    partnership.save()
    return partnership


# Who may open the pages -------------------------------------------------------------------------

ACTIONS = [
    "referrals:screening",
    "referrals:send_for_decision",
    "referrals:notification_add",
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_case_page_is_for_the_business_unit_and_partner_leads(role, client_for, case):
    # Roles that never see cases: 404, as for a case that does not exist (ADR 0010).
    expected = 200 if role in (Role.BUSINESS_UNIT, Role.PARTNER_LEAD) else 404
    client = client_for(role)
    assert client.get(case_url(case)).status_code == expected
    assert client.get(case_url(case, "referrals:notification_summary")).status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_case_actions_are_for_the_business_unit_only(role, client_for, case):
    # The partner lead sees the case (403); other roles never see cases (404, ADR 0010).
    expected = {Role.BUSINESS_UNIT: 200, Role.PARTNER_LEAD: 403}.get(role, 404)
    client = client_for(role)
    for name in ACTIONS:
        assert client.get(case_url(case, name)).status_code == expected, name
        if role != Role.BUSINESS_UNIT:
            assert client.post(case_url(case, name), {}).status_code == expected, name


@pytest.mark.django_db
def test_another_partnerships_staff_get_not_found(client, case, other_partnership):
    user = UserFactory()
    MembershipFactory(user=user, partnership=other_partnership, role=Role.BUSINESS_UNIT)
    client.force_login(user)
    for name in ["referrals:case", "referrals:notification_summary", *ACTIONS]:
        assert client.get(case_url(case, name)).status_code == 404, name


@pytest.mark.django_db
def test_a_case_of_another_partnership_is_not_found_through_this_one(
    bu_client, other_partnership, business_unit_user
):
    theirs = make_case(other_partnership, business_unit_user)
    for name in ["referrals:case", "referrals:screening", "referrals:notification_summary"]:
        assert bu_client.get(reverse(name, args=["testshire", theirs.pk])).status_code == 404


# The case page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_shows_screening_results_with_reasons_and_rules(bu_client, case):
    html = bu_client.get(case_url(case)).content.decode()
    assert case.pseudonym in html and case.reference in html
    assert '<strong class="govuk-tag govuk-tag--purple">Met: notify the Panel</strong>' in html
    assert "The person is a child: aged 14, so under 18 (Children Act 2004, section 16C(1)" in html
    assert "Children Act 2004, section 16C(1)" in html
    assert "Not met" in html  # SAR and DHR for a 14-year-old
    assert "Not sent yet" in html
    assert "Serious incident notification to the Child Safeguarding Practice Review Panel" in html
    assert "Notify the Child Safeguarding Practice Review Panel" in html  # the milestone
    assert "Record screening facts" in html
    assert IDENTITY["last_name"] not in html


@pytest.mark.django_db
def test_partner_leads_read_the_case_without_actions(client_for, case):
    html = client_for(Role.PARTNER_LEAD).get(case_url(case)).content.decode()
    assert case.pseudonym in html
    for action in ("Record screening facts", "Record a notification", "Pause<"):
        assert action not in html


@pytest.mark.django_db
def test_case_page_query_count_does_not_grow(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries
):
    partnership.runs_dhr = True
    partnership.save()
    agency = AgencyFactory()
    makers = name_decision_makers(partnership)

    def build(pseudonym: str, referrals: int, review_types: list[str]) -> Case:
        case = make_case(partnership, business_unit_user, pseudonym=pseudonym, agencies=[agency])
        for _ in range(referrals - 1):
            extra = make_referral(partnership, agencies=[agency])
            services.referral_link_to_case(referral=extra, case=case, actor=business_unit_user)
        tracks = services.case_send_for_decision(
            case=case, review_types=review_types, actor=business_unit_user
        )
        for track in tracks:
            decision = services.decision_record(
                track=track,
                outcome=services.OUTCOMES_BY_TYPE[track.review_type][0],
                rationale="Fictional reasons.",
                decided_on=today(),
                actor=business_unit_user,
            )
            if track.review_type == "cspr":
                for user in makers.values():
                    if decision.state != "final":
                        services.decision_sign(decision=decision, user=user)
        for recipient in ("panel", "ofsted", "home_office")[: len(review_types)]:
            services.notification_record(
                case=case,
                recipient=recipient,
                sent_on=today(),
                reference="",
                actor=business_unit_user,
            )
        return case

    small = build("Child A", 1, ["cspr"])
    # +1: reviews "Commission the review" link; +1: the unread notifications count; +1: the
    # guidance versions panel (ADR 0018); +1: signatories replaced on a decision (ADR 0019)
    # Issue 16: 22 -> 20, the guidance applying to the case read once (screening and panel);
    # 20 -> 18, the recorded versions read once and the referrals without their agencies (the
    # page lists none; ADR 0040).
    with django_assert_max_num_queries(18) as few:
        bu_client.get(case_url(small))
    big = build("Child B", 6, ["cspr", "sar", "dhr"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = bu_client.get(case_url(big))
    assert response.status_code == 200
    assert response.content.decode().count("Fictional reasons.") == 3


# Screening --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_screening_form_starts_from_the_case_facts(bu_client, case):
    html = bu_client.get(case_url(case, "referrals:screening")).content.decode()
    assert screening_label("age") in html
    assert 'name="age" value="14"' in html
    assert 'value="serious_harm" checked' in html
    assert 'name="looked_after" type="radio" value="not_known" checked' in html


def screening_label(name: str) -> str:
    from safeguarding.referrals.screening import FACT_LABELS

    return FACT_LABELS[name].replace("'", "&#x27;")


FACTS_16_KILLED_BY_HOUSEHOLD_MEMBER = {
    "age": "16",
    "looked_after": "no",
    "care_leaver": "no",
    "care_and_support_needs": "not_known",
    "agency_working_concern": "yes",
    "self_neglect": "not_known",
    "suicide": "no",
    "domestic_abuse": "yes",
    "harm": "died",
    "abuse_or_neglect": "known",
    "death_resulted_from_abuse": "yes",
    "place": "in_area",
    "normally_resident_in_area": "yes",
    "harmed_by": "household_member",
    "responsible_in_household": "yes",
    "responsible_aged_16_or_over": "yes",
}


@pytest.mark.django_db
def test_saving_screening_facts_shows_the_results_per_review_type(bu_client, runs_dhr, case):
    response = bu_client.post(
        case_url(case, "referrals:screening"), FACTS_16_KILLED_BY_HOUSEHOLD_MEMBER
    )
    assert response.status_code == 302
    assert response.url.endswith("#screening")
    case.refresh_from_db()
    assert case.facts["age"] == 16
    assert case.facts["harmed_by"] == "household_member"
    assert case.facts["looked_after"] is False
    assert "self_neglect" not in case.facts
    html = bu_client.get(response.url.split("#")[0]).content.decode()
    assert "Screening facts saved" in html
    assert "Met: review required" in html
    assert "with the statutory guidance for Domestic Homicide Reviews (2016)" in html
    event = AuditEvent.objects.get(action="case.screening_saved")
    assert event.payload == {"CSPR": "notify", "SAR": "not_met", "DHR": "required"}


@pytest.mark.django_db
def test_not_known_removes_a_fact_and_leaves_the_test_undecided(bu_client, case):
    bu_client.post(
        case_url(case, "referrals:screening"),
        {**FACTS_16_KILLED_BY_HOUSEHOLD_MEMBER, "age": "", "harm": "not_known"},
    )
    case.refresh_from_db()
    assert "age" not in case.facts and "harm" not in case.facts
    html = bu_client.get(case_url(case)).content.decode()
    assert "Cannot be decided yet" in html
    assert "Find out the person&#x27;s age" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("age", "fourteen", "Age must be a whole number of years"),
        ("age", "-1", "Age must be 0 or more"),
        ("age", "200", "Age must be 130 or less"),
        ("age", "14.5", "Age must be a whole number of years"),
        ("harm", "exploded", "Select one of the answers, or not known"),
        ("looked_after", "maybe", "Select yes, no or not known"),
    ],
)
def test_malformed_screening_facts_are_refused_and_nothing_is_saved(
    bu_client, case, field, value, message
):
    before = dict(case.facts)
    response = bu_client.post(
        case_url(case, "referrals:screening"),
        {**FACTS_16_KILLED_BY_HOUSEHOLD_MEMBER, field: value},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert f'href="#id_{field}' in html
    case.refresh_from_db()
    assert case.facts == before
    assert not AuditEvent.objects.filter(action="case.screening_saved").exists()


# Sending for decision ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_for_decision_ticks_what_the_screening_suggests(bu_client, case):
    html = bu_client.get(case_url(case, "referrals:send_for_decision")).content.decode()
    assert 'value="cspr" checked' in html
    assert 'value="sar">' in html  # a 14-year-old: no SAR
    assert "dhr" not in html  # the partnership does not run DHRs


@pytest.mark.django_db
def test_a_16_year_old_killed_by_a_household_member_goes_to_two_tracks(bu_client, runs_dhr, case):
    bu_client.post(case_url(case, "referrals:screening"), FACTS_16_KILLED_BY_HOUSEHOLD_MEMBER)
    url = case_url(case, "referrals:send_for_decision")
    html = bu_client.get(url).content.decode()
    assert 'value="cspr" checked' in html and 'value="dhr" checked' in html
    response = bu_client.post(url, {"review_types": ["cspr", "dhr"]})
    assert response.status_code == 302
    assert sorted(case.tracks.values_list("review_type", flat=True)) == ["cspr", "dhr"]
    dhr = case.tracks.get(review_type="dhr")
    assert (dhr.screening_result, dhr.screening_rules) == ("required", "R27, R41")
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION
    assert set(case.referrals.values_list("status", flat=True)) == {Status.AWAITING_DECISION}
    follow = bu_client.get(case_url(case)).content.decode()
    assert (
        "Sent for decision: Child Safeguarding Practice Review, Domestic Homicide Review" in follow
    )
    assert "Record the decision" in follow


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select at least one review type to decide"),
        ({"review_types": ["dhr"]}, "Select review types from the list"),
        ({"review_types": ["subject_access"]}, "Select review types from the list"),
    ],
)
def test_send_for_decision_refuses_bad_choices_and_saves_nothing(bu_client, case, data, message):
    response = bu_client.post(case_url(case, "referrals:send_for_decision"), data)
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert Track.objects.count() == 0
    case.refresh_from_db()
    assert case.status == Status.IN_SCREENING


@pytest.mark.django_db
def test_types_already_sent_are_not_offered_again(bu_client, case, business_unit_user):
    services.case_send_for_decision(
        case=case, review_types=["cspr", "sar"], actor=business_unit_user
    )
    html = bu_client.get(case_url(case, "referrals:send_for_decision")).content.decode()
    assert "has already been sent for decision" in html


# Notifications ----------------------------------------------------------------------------------


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.mark.django_db
def test_recording_the_panel_notification_marks_the_deadline_done(bu_client, case):
    response = bu_client.post(
        case_url(case, "referrals:notification_add"),
        {"recipient": "panel", "reference": "SIN-123", **_date("sent_on", today())},
    )
    assert response.status_code == 302
    notification = Notification.objects.get()
    assert (notification.rule_id, notification.reference) == ("R2", "SIN-123")
    milestone = Milestone.objects.get(rule__code="cspr-serious-incident-notification")
    assert (milestone.status, milestone.done_on) == (Milestone.Status.DONE, today())
    assert Milestone.objects.get(rule__code="cspr-rapid-review").status == Milestone.Status.DUE
    html = bu_client.get(case_url(case)).content.decode()
    assert "Notification to the Child Safeguarding Practice Review Panel recorded (R2)" in html
    assert '<strong class="govuk-tag govuk-tag--green">Sent</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--green">Done</strong>' in html
    assert AuditEvent.objects.filter(action="notification.recorded").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select who was notified"),
        ({"recipient": "the_press", **_date("sent_on", datetime.date(2026, 1, 1))}, "Select"),
        ({"recipient": "panel"}, "Enter date sent"),
        ({"recipient": "panel", "sent_on_0": "31", "sent_on_1": "2", "sent_on_2": "2026"}, "real"),
        ({"recipient": "panel", "sent_on_0": "3", "sent_on_2": "2026"}, "must include a day"),
        (
            lambda: {"recipient": "panel", **_date("sent_on", today() + ONE_DAY)},
            "The date sent must be today or in the past",
        ),
        (
            lambda: {"recipient": "panel", **_date("sent_on", today() - ONE_DAY)},
            "on or after the date the partnership became aware",
        ),
        (
            lambda: {"recipient": "panel", "reference": "x" * 101, **_date("sent_on", today())},
            "Reference must be 100 characters or fewer",
        ),
    ],
)
def test_bad_notifications_are_refused_and_nothing_is_saved(bu_client, case, data, message):
    response = bu_client.post(case_url(case, "referrals:notification_add"), when_run(data))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert Notification.objects.count() == 0
    assert not Milestone.objects.filter(status=Milestone.Status.DONE).exists()


@pytest.mark.django_db
def test_the_notification_summary_has_the_facts_and_no_real_identity(
    bu_client, partnership, business_unit_user
):
    agency = AgencyFactory(name="Testshire Constabulary")
    case = make_case(
        partnership,
        business_unit_user,
        pseudonym="Child C",
        agencies=[agency],
        incident_date=datetime.date(2026, 3, 2),
    )
    response = bu_client.get(case_url(case, "referrals:notification_summary"))
    html = response.content.decode()
    for text in (
        "Testshire Safeguarding Partnership",
        case.reference,
        "Pseudonym: Child C",
        "Incident date: 2 March 2026",
        "Age group: Child (under 16)",
        "Abuse or neglect: Suspected",
        "- CSPR: Met: notify the Panel (guidance: Children Act 2004, section 16C(1)",
        "- Testshire Constabulary",
        "A fictional account of a serious incident",
    ):
        assert text in html, text
    for secret in ("Zebedee", "Quillfeather", "Fictional Row", "2012"):
        assert secret not in html
    assert not AuditEvent.objects.filter(action="case.summary_downloaded").exists()


@pytest.mark.django_db
def test_the_notification_summary_downloads_as_text_and_is_audited(bu_client, case):
    response = bu_client.get(case_url(case, "referrals:notification_summary") + "?format=txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f'filename="{case.reference}-notification-summary-' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("Serious case notification summary")
    assert "Quillfeather" not in text
    assert AuditEvent.objects.filter(
        action="case.summary_downloaded", object_id=str(case.pk)
    ).exists()


# One incident, several referrals ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_with_two_referrals_keeps_one_clock(bu_client, case, partnership):
    second = make_referral(partnership)
    bu_client.post(reverse("referrals:link_case", args=["testshire", second.pk]), {"case": case.pk})
    html = bu_client.get(case_url(case)).content.decode()
    milestone_cell = '<td class="govuk-table__cell">Notify the Child Safeguarding Practice Review'
    assert html.count(milestone_cell) == 1
    assert second.reference in html and case.referrals.count() == 2
    bu_client.post(
        case_url(case, "referrals:notification_add"),
        {"recipient": "panel", **_date("sent_on", today())},
    )
    done = Milestone.objects.filter(status=Milestone.Status.DONE)
    assert [m.rule.code for m in done] == ["cspr-serious-incident-notification"]
    assert done.get().subject_id == case.pk


# Correcting the day the partnership became aware -------------------------------------------------


@pytest.mark.django_db
def test_earlier_awareness_date_recalculates_open_deadlines_over_a_bank_holiday(
    bu_client, partnership, business_unit_user
):
    import datetime

    from safeguarding.audit.models import AuditEvent
    from safeguarding.clock.selectors import milestone_list_for_subject
    from safeguarding.referrals.tests.staff_support import make_case as _make_case

    case = _make_case(partnership, business_unit_user)
    url = reverse("referrals:became_aware", args=[partnership.slug, case.pk])
    response = bu_client.post(
        url,
        {
            "became_aware_on_0": "27",
            "became_aware_on_1": "8",
            "became_aware_on_2": "2026",
            "reason": "The hospital told children's services that evening.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.became_aware_on == datetime.date(2026, 8, 27)
    due = {m.rule.rule_id: m.due_on for m in milestone_list_for_subject(subject=case)}
    # Thursday 27 August is day 0; Monday 31 August 2026 is the summer bank holiday.
    assert due["R2"] == datetime.date(2026, 9, 4)
    assert due["R9"] == datetime.date(2026, 9, 18)
    assert AuditEvent.objects.filter(action="case.became_aware_changed").exists()


@pytest.mark.django_db
def test_awareness_date_after_the_referral_or_without_a_reason_is_refused(
    bu_client, partnership, business_unit_user
):
    from safeguarding.referrals.tests.staff_support import make_case as _make_case

    case = _make_case(partnership, business_unit_user)
    before = case.became_aware_on
    url = reverse("referrals:became_aware", args=[partnership.slug, case.pk])
    response = bu_client.post(
        url,
        {
            "became_aware_on_0": "1",
            "became_aware_on_1": "1",
            "became_aware_on_2": "2099",
            "reason": "",
        },
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter how you know the date" in html
    case.refresh_from_db()
    assert case.became_aware_on == before
