"""Guidance versions switched on a date (issue 14 §1, ADR 0018): a case aware the day before an
adoption follows the old rules, on the day of adoption the new ones; changing the adoption date
later changes no existing case; the clock starts only the case's versions' rules."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Milestone, MilestoneRule
from safeguarding.clock.selectors import milestone_list_for_subject
from safeguarding.core.calendar import add_working_days
from safeguarding.core.errors import ServiceError
from safeguarding.guidance import selectors, services
from safeguarding.guidance.models import GuidanceAdoption, GuidanceVersion
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import CaseGuidance, DecisionMaker, Notification
from safeguarding.referrals.tests.staff_support import ANSWERS, IDENTITY, name_decision_makers
from safeguarding.reviews.requests.services import rapid_review_expected

ADOPTED = datetime.date(2024, 2, 1)
DAY_BEFORE = ADOPTED - datetime.timedelta(days=1)
DRAFT_ADOPTED = datetime.date(2024, 6, 3)  # after the draft DHR guidance came out (May 2024)


def adopt(partnership, code, on, actor=None, confirmed=False):
    return services.adoption_record(
        partnership=partnership,
        version=GuidanceVersion.objects.get(code=code),
        adopted_on=on,
        confirmed=confirmed,
        actor=actor,
    )


def open_case(partnership, actor, aware_on, review_type="cspr", pseudonym="Child A"):
    referral, _ = referral_services.referral_submit(
        partnership=partnership,
        review_type=review_type,
        answers=ANSWERS,
        identity=IDENTITY,
        received_on=aware_on,
        notify_referrer=False,
    )
    return referral_services.case_open(referral=referral, pseudonym=pseudonym, actor=actor)


def versions_of(case) -> dict[str, str]:
    return dict(case.guidance.values_list("strand", "version__code"))


def rule_codes(case) -> set[str]:
    return {m.rule.code for m in milestone_list_for_subject(subject=case)}


# Which version applies ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_versions_switch_on_their_own_dates(partnership):
    def children_on(day):
        return selectors.versions_applying(partnership=partnership, on_date=day)["children"]

    assert children_on(datetime.date(2023, 12, 14)).version.code == "WT2018"
    assert children_on(datetime.date(2023, 12, 15)).version.code == "WT2023"
    assert not children_on(datetime.date(2023, 12, 15)).adopted
    # The draft DHR guidance and the 2024 Act's test are off until a partnership adopts them.
    applying = selectors.versions_applying(
        partnership=partnership, on_date=datetime.date(2026, 1, 1)
    )
    assert {s: a.version.code for s, a in applying.items()} == {
        "children": "WT2023",
        "adults": "CA2014",
        "dhr_guidance": "DHR2016",
        "dhr_law": "DVCVA2004",
    }


@pytest.mark.django_db
def test_an_adoption_date_replaces_the_default_date(partnership, business_unit_user):
    adopt(partnership, "WT2023", ADOPTED, business_unit_user)
    before = selectors.versions_applying(partnership=partnership, on_date=DAY_BEFORE)
    on = selectors.versions_applying(partnership=partnership, on_date=ADOPTED)
    assert before["children"].version.code == "WT2018"
    assert (on["children"].version.code, on["children"].adopted) == ("WT2023", True)
    assert on["children"].why == "the partnership adopted Working Together 2023 on 1 February 2024"


# Working Together 2018 → 2023 -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_aware_the_day_before_adoption_follows_the_old_rules(
    partnership, business_unit_user
):
    adopt(partnership, "WT2023", ADOPTED, business_unit_user)
    before = open_case(partnership, business_unit_user, DAY_BEFORE, pseudonym="Child A")
    on = open_case(partnership, business_unit_user, ADOPTED, pseudonym="Child B")

    assert versions_of(before)["children"] == "WT2018"
    assert versions_of(on)["children"] == "WT2023"
    # Only the case's version's rules started: never both sets.
    assert rule_codes(before) == {
        "wt2018-cspr-serious-incident-notification",
        "wt2018-cspr-rapid-review",
    }
    assert rule_codes(on) == {"cspr-serious-incident-notification", "cspr-rapid-review"}
    row = on.guidance.get(strand="children")
    assert row.why == (
        "Aware on 1 February 2024; the partnership adopted Working Together 2023 on 1 February 2024"
    )


@pytest.mark.django_db
def test_changing_the_adoption_date_later_changes_no_existing_case(partnership, business_unit_user):
    adopt(partnership, "WT2023", ADOPTED, business_unit_user)
    case = open_case(partnership, business_unit_user, ADOPTED)
    adopt(partnership, "WT2023", datetime.date(2024, 3, 1), business_unit_user)

    case.refresh_from_db()
    assert versions_of(case)["children"] == "WT2023"
    # A later event still starts the recorded version's rules (the local review after the
    # partners' decision), not the version the new date would give.
    makers = name_decision_makers(partnership)
    (track,) = referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    decision = referral_services.decision_record(
        track=track,
        outcome="rapid_review_then_local",
        rationale="Fictional reasons.",
        decided_on=datetime.date(2024, 3, 5),
        actor=business_unit_user,
    )
    for user in makers.values():
        referral_services.decision_sign(decision=decision, user=user)
    assert {"lcspr-final-report", "lcspr-progress-check"} <= rule_codes(case)
    assert not any(code.startswith("wt2018-") for code in rule_codes(case))
    changed = AuditEvent.objects.get(action="guidance.adoption_changed")
    assert changed.payload == {"version": "WT2023", "from": "2024-02-01", "to": "2024-03-01"}


@pytest.mark.django_db
def test_correcting_the_day_of_awareness_records_that_days_versions(
    partnership, business_unit_user
):
    adopt(partnership, "WT2023", ADOPTED, business_unit_user)
    case = open_case(partnership, business_unit_user, ADOPTED)
    referral_services.case_set_became_aware(
        case=case,
        became_aware_on=DAY_BEFORE,
        reason="The council knew a day earlier",
        actor=business_unit_user,
    )
    assert versions_of(case)["children"] == "WT2018"
    open_codes = {
        m.rule.code
        for m in milestone_list_for_subject(subject=case)
        if m.status == Milestone.Status.DUE
    }
    assert open_codes == {"wt2018-cspr-serious-incident-notification", "wt2018-cspr-rapid-review"}
    assert all(m.starts_on == DAY_BEFORE for m in milestone_list_for_subject(subject=case))
    assert AuditEvent.objects.filter(
        action="case.guidance_recorded", object_id=str(case.pk)
    ).exists()


# R9 in one place ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_rapid_review_deadline_is_read_from_the_clock_rule(partnership, business_unit_user):
    case = open_case(partnership, business_unit_user, datetime.date(2026, 3, 2))
    assert rapid_review_expected(case) == (
        add_working_days(datetime.date(2026, 3, 2), 15),
        "15 working days",
    )
    MilestoneRule.objects.filter(code="cspr-rapid-review").update(offset_amount=20)
    assert rapid_review_expected(case) == (
        add_working_days(datetime.date(2026, 3, 2), 20),
        "20 working days",
    )


# Domestic homicide reviews: the draft guidance, the Home Office milestone, the 2024 Act ---------


@pytest.fixture
def dhr_partnership(partnership):
    partnership.runs_dhr = True
    partnership.save(update_fields=["runs_dhr"])
    return partnership


def decide_dhr(partnership, case, actor, outcome, on):
    makers = {
        m.capacity: m.user
        for m in DecisionMaker.objects.filter(partnership=partnership, review_type="dhr")
    }
    if not makers:
        makers = name_decision_makers(partnership, "dhr", ("Community Safety Partnership chair",))
    (track,) = referral_services.case_send_for_decision(
        case=case, review_types=["dhr"], actor=actor
    )
    decision = referral_services.decision_record(
        track=track, outcome=outcome, rationale="Fictional reasons.", decided_on=on, actor=actor
    )
    for user in makers.values():
        referral_services.decision_sign(decision=decision, user=user)


@pytest.mark.django_db
def test_the_draft_dhr_guidance_is_off_until_adopted_with_a_confirmation(
    dhr_partnership, business_unit_user
):
    with pytest.raises(ServiceError) as error:
        adopt(dhr_partnership, "DHR2024D", DRAFT_ADOPTED, business_unit_user)
    assert error.value.field == "confirmed"
    adopt(dhr_partnership, "DHR2024D", DRAFT_ADOPTED, business_unit_user, confirmed=True)
    before = open_case(
        dhr_partnership,
        business_unit_user,
        DRAFT_ADOPTED - datetime.timedelta(days=1),
        "dhr",
        "Adult A",
    )
    on = open_case(dhr_partnership, business_unit_user, DRAFT_ADOPTED, "dhr", "Adult B")
    assert versions_of(before)["dhr_guidance"] == "DHR2016"
    assert versions_of(on)["dhr_guidance"] == "DHR2024D"
    assert rule_codes(before) == {"dhr-decision"}
    assert rule_codes(on) == {"dhr2024d-decision"}
    # The draft has a scoping stage; the 2016 guidance has none.
    decide_dhr(dhr_partnership, on, business_unit_user, "review", DRAFT_ADOPTED)
    decide_dhr(dhr_partnership, before, business_unit_user, "review", DRAFT_ADOPTED)
    assert {"dhr2024d-scoping", "dhr2024d-report"} <= rule_codes(on)
    assert "dhr-report" in rule_codes(before)
    assert not {c for c in rule_codes(before) if "scoping" in c}


@pytest.mark.django_db
def test_telling_the_home_office_of_a_decision_not_to_review_is_a_milestone(
    dhr_partnership, business_unit_user
):
    case = open_case(dhr_partnership, business_unit_user, datetime.date(2026, 3, 2), "dhr")
    decide_dhr(dhr_partnership, case, business_unit_user, "no_review", datetime.date(2026, 3, 9))
    told = Milestone.objects.get(rule__code="dhr-home-office-told-no-review")
    assert told.due_on == add_working_days(datetime.date(2026, 3, 9), 5)
    assert told.status == Milestone.Status.DUE
    referral_services.notification_record(
        case=case,
        recipient=Notification.Recipient.HOME_OFFICE,
        sent_on=datetime.date(2026, 3, 10),
        reference="HO-1",
        actor=business_unit_user,
    )
    told.refresh_from_db()
    assert (told.status, told.done_on) == (Milestone.Status.DONE, datetime.date(2026, 3, 10))


@pytest.mark.django_db
def test_the_2024_act_test_is_switched_on_at_commencement(dhr_partnership, business_unit_user):
    commencement = datetime.date(2026, 4, 6)
    adopt(dhr_partnership, "VPA2024", commencement, business_unit_user, confirmed=True)
    before = open_case(
        dhr_partnership,
        business_unit_user,
        commencement - datetime.timedelta(days=1),
        "dhr",
        "Adult A",
    )
    on = open_case(dhr_partnership, business_unit_user, commencement, "dhr", "Adult B")
    assert versions_of(before)["dhr_law"] == "DVCVA2004"
    assert versions_of(on)["dhr_law"] == "VPA2024"


@pytest.mark.django_db
def test_a_case_is_screened_with_the_dhr_test_of_its_versions(dhr_partnership, business_unit_user):
    from safeguarding.referrals.selectors import case_screening

    commencement = datetime.date(2026, 4, 6)
    adopt(dhr_partnership, "VPA2024", commencement, business_unit_user, confirmed=True)
    before = open_case(
        dhr_partnership, business_unit_user, commencement - datetime.timedelta(days=1), "dhr"
    )
    on = open_case(dhr_partnership, business_unit_user, commencement, "dhr", "Adult B")
    facts = {
        "age": 40,
        "harm": "died",
        "abuse_or_neglect": "known",
        "domestic_abuse": True,
        "harmed_by": "co_parent",
        "responsible_aged_16_or_over": True,
        "death_resulted_from_abuse": True,
    }
    for case in (before, on):
        referral_services.case_save_facts(case=case, facts=facts, actor=business_unit_user)
    old = case_screening(case=before).result
    new = case_screening(case=on).result
    assert old is not None and new is not None
    assert old["DHR"]["test"] == "dvcva2004_s9"
    assert new["DHR"]["test"] == "vpa2024_s19"
    # A parent of the same child is personally connected under the 2024 Act only.
    assert new["DHR"]["result"] == "required"
    assert old["DHR"]["result"] == "unknown"


# Adoption: the service's checks and the page ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "on", "confirmed", "field"),
    [
        ("WT2023", datetime.date(2023, 12, 14), False, "adopted_on"),  # before it took effect
        ("VPA2024", datetime.date(2026, 4, 6), False, "confirmed"),  # not in force: confirm
        ("WT2023", datetime.date(2099, 1, 1), False, "confirmed"),  # far ahead: confirm
    ],
)
def test_an_adoption_is_refused_with_a_reason(
    partnership, business_unit_user, code, on, confirmed, field
):
    partnership.runs_dhr = True
    partnership.save(update_fields=["runs_dhr"])
    with pytest.raises(ServiceError) as error:
        adopt(partnership, code, on, business_unit_user, confirmed)
    assert error.value.field == field
    assert not GuidanceAdoption.objects.exists()


@pytest.mark.django_db
def test_a_partnership_adopts_only_guidance_for_the_reviews_it_runs(
    partnership, business_unit_user
):
    with pytest.raises(ServiceError):  # the fixture partnership runs no DHRs
        adopt(partnership, "DHR2016", ADOPTED, business_unit_user)


@pytest.mark.django_db
def test_the_adoption_page_records_the_date(partnership, bu_client):
    url = reverse("setup:guidance_adopt", args=[partnership.slug, "WT2023"])
    assert bu_client.get(url).status_code == 200
    response = bu_client.post(
        url, {"adopted_on_0": "1", "adopted_on_1": "2", "adopted_on_2": "2024"}
    )
    assert response.status_code == 302
    adoption = GuidanceAdoption.objects.get(partnership=partnership)
    assert adoption.adopted_on == ADOPTED
    assert AuditEvent.objects.filter(action="guidance.adopted").count() == 1
    listing = bu_client.get(reverse("setup:guidance_list", args=[partnership.slug]))
    assert "1 February 2024" in listing.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Enter date the partnership adopted it"),
        (
            {"adopted_on_0": "31", "adopted_on_1": "2", "adopted_on_2": "2024"},
            "must be a real date",
        ),
        (
            {"adopted_on_0": "1", "adopted_on_1": "2", "adopted_on_2": "2020"},
            "on or after 15 December 2023",
        ),
        (
            {"adopted_on_0": "1", "adopted_on_1": "2", "adopted_on_2": "2099"},
            "more than a year from today",
        ),
    ],
)
def test_bad_input_on_the_adoption_page_changes_nothing(partnership, bu_client, posted, message):
    url = reverse("setup:guidance_adopt", args=[partnership.slug, "WT2023"])
    response = bu_client.post(url, posted)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page
    assert not GuidanceAdoption.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="guidance.").exists()


@pytest.mark.django_db
def test_a_version_for_reviews_the_partnership_does_not_run_is_not_found(partnership, bu_client):
    url = reverse("setup:guidance_adopt", args=[partnership.slug, "DHR2016"])
    assert bu_client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_case_page_says_which_guidance_the_case_follows_and_why(
    partnership, business_unit_user, bu_client
):
    adopt(partnership, "WT2023", ADOPTED, business_unit_user)
    case = open_case(partnership, business_unit_user, datetime.date(2024, 3, 3))
    page = bu_client.get(
        reverse("referrals:case", args=[partnership.slug, case.pk])
    ).content.decode()
    assert "Guidance this case follows" in page
    assert "Working Together 2023" in page
    assert (
        "Aware on 3 March 2024; the partnership adopted Working Together 2023 on 1 February 2024"
        in page
    )
    assert CaseGuidance.objects.filter(case=case).count() == 4


# Publication steps by version -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_2024_act_adds_the_copy_to_the_secretary_of_state(dhr_partnership, business_unit_user):
    from safeguarding.publication.models import PrePublicationStep, Publication
    from safeguarding.publication.rules import required_steps
    from safeguarding.reviews.models import Review
    from safeguarding.reviews.services import review_create

    commencement = datetime.date(2026, 4, 6)
    adopt(dhr_partnership, "VPA2024", commencement, business_unit_user, confirmed=True)
    kinds = {}
    for name, aware in (
        ("Adult A", commencement - datetime.timedelta(days=1)),
        ("Adult B", commencement),
    ):
        case = open_case(dhr_partnership, business_unit_user, aware, "dhr", name)
        review = review_create(
            case=case,
            kind=Review.Kind.DHR,
            stage=Review.Stage.SIGNED_OFF,
            title=name,
            actor=business_unit_user,
            tracks=[],
        )
        publication = Publication.objects.create(
            review=review, partnership=dhr_partnership, review_type="dhr", title=name
        )
        kinds[name] = {kind for kind, _ in required_steps(publication)}
    sos = PrePublicationStep.Kind.DARDR_SOS_COPY
    assert sos not in kinds["Adult A"]
    assert {sos, PrePublicationStep.Kind.DA_COMMISSIONER_COPY} <= kinds["Adult B"]
