"""The business unit's triage list and referral pages: counts, filters, pagination, identities
held apart, opening a case and linking a referral to a case."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Milestone
from safeguarding.referrals.models import Case, Referral, Status

from .staff_support import IDENTITY, make_case, make_referral

TRIAGE = "referrals:triage"


def triage_url(**query) -> str:
    url = reverse(TRIAGE, args=["testshire"])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


@pytest.fixture
def outsider_client(client, other_partnership):
    user = UserFactory()
    MembershipFactory(user=user, partnership=other_partnership, role=Role.BUSINESS_UNIT)
    client.force_login(user)
    return client


# Who may open the pages ---------------------------------------------------------------------------

READERS = {Role.BUSINESS_UNIT: 200, Role.PARTNER_LEAD: 200}
REFUSED = [Role.PANEL_MEMBER, Role.REVIEWER, Role.AGENCY_CONTRIBUTOR, Role.ADMINISTRATOR]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_triage_and_referral_page_are_for_the_business_unit_and_partner_leads(
    role, client_for, partnership
):
    referral = make_referral(partnership)
    client = client_for(role)
    expected = READERS.get(role, 403)
    assert client.get(triage_url()).status_code == expected
    detail = reverse("referrals:detail", args=["testshire", referral.pk])
    # One referral: roles that never see referrals get 404, as for one that does not exist.
    assert client.get(detail).status_code == READERS.get(role, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_the_business_unit_opens_or_links_cases(role, client_for, partnership):
    referral = make_referral(partnership)
    client = client_for(role)
    expected = {Role.BUSINESS_UNIT: 200, Role.PARTNER_LEAD: 403}.get(role, 404)
    for name in ("referrals:open_case", "referrals:link_case"):
        assert client.get(reverse(name, args=["testshire", referral.pk])).status_code == expected


@pytest.mark.django_db
def test_an_agency_contributor_sees_no_referrals(client_for, partnership):
    referral = make_referral(partnership)
    response = client_for(Role.AGENCY_CONTRIBUTOR).get(triage_url())
    assert response.status_code == 403
    assert referral.reference not in response.content.decode()


@pytest.mark.django_db
def test_another_partnerships_staff_see_nothing(outsider_client, partnership):
    referral = make_referral(partnership)
    assert outsider_client.get(triage_url()).status_code == 404
    for name in ("referrals:detail", "referrals:identity", "referrals:open_case"):
        url = reverse(name, args=["testshire", referral.pk])
        assert outsider_client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_referral_of_another_partnership_is_not_found_through_this_one(
    bu_client, partnership, other_partnership
):
    elsewhere = make_referral(other_partnership)
    for name in ("referrals:detail", "referrals:identity", "referrals:open_case"):
        response = bu_client.get(reverse(name, args=["testshire", elsewhere.pk]))
        assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, partnership):
    response = client.get(triage_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


# The list ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_triage_lists_referrals_with_counts_per_status(bu_client, partnership, business_unit_user):
    older = make_referral(partnership)
    Referral.objects.filter(pk=older.pk).update(received_on=datetime.date(2026, 1, 5))
    make_case(partnership, business_unit_user)
    newest = make_referral(partnership, review_type="sar", age_years=70)
    response = bu_client.get(triage_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "All referrals: 3" in html
    assert "New: 2" in html
    assert "In screening: 1" in html
    assert "Awaiting decision: 0" in html
    assert html.index(newest.reference) < html.index(older.reference)
    assert "5 January 2026" in html
    assert "Adult (18 or over)" in html
    assert '<strong class="govuk-tag govuk-tag--blue">New</strong>' in html
    case = Case.objects.get()
    assert reverse("referrals:case", args=["testshire", case.pk]) in html
    assert IDENTITY["last_name"] not in html


@pytest.mark.django_db
def test_triage_filters_by_type_age_group_agency_and_status(bu_client, partnership):
    police = AgencyFactory(name="Testshire Constabulary")
    school = AgencyFactory(name="Testshire Academy")
    partnership.agencies.add(police, school)
    child = make_referral(partnership, agencies=[police])
    adult = make_referral(partnership, review_type="sar", age_years=80, agencies=[school])
    young = make_referral(partnership, age_years=16, agencies=[police, school])

    def shown(**query):
        html = bu_client.get(triage_url(**query)).content.decode()
        return {r.reference for r in (child, adult, young) if r.reference in html}

    assert shown(review_type="sar") == {adult.reference}
    assert shown(age_group="young_person") == {young.reference}
    assert shown(agency=police.pk) == {child.reference, young.reference}
    assert shown(agency=police.pk, review_type="cspr", age_group="child") == {child.reference}
    assert shown(status="in_screening") == set()
    assert shown(status="new") == {child.reference, adult.reference, young.reference}


@pytest.mark.django_db
def test_counts_follow_the_filters_but_not_the_status(bu_client, partnership):
    make_referral(partnership)
    make_referral(partnership, review_type="sar", age_years=70)
    html = bu_client.get(triage_url(review_type="sar", status="new")).content.decode()
    assert "All referrals: 1" in html
    assert "<strong>New: 1</strong>" in html
    assert "1 referral match the filters" in html


@pytest.mark.django_db
def test_bad_filters_show_an_error_summary_and_the_whole_list(bu_client, partnership):
    referral = make_referral(partnership)
    response = bu_client.get(triage_url(status="lost", review_type="dhr", agency="999"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    for message in ("Select a status", "Select a review type", "Select an agency"):
        assert message in html
    assert referral.reference in html


@pytest.mark.django_db
def test_triage_has_helpful_empty_states(bu_client, partnership):
    html = bu_client.get(triage_url()).content.decode()
    assert "There are no referrals yet" in html
    make_referral(partnership)
    html = bu_client.get(triage_url(review_type="sar")).content.decode()
    assert "No referrals match the filters" in html
    assert "clear the filters" in html


def _bulk_referrals(partnership, count: int, agencies=(), start: int = 0) -> None:
    referrals = Referral.objects.bulk_create(
        Referral(
            partnership=partnership,
            reference=f"R2026-BULK{n:04d}",
            review_type="cspr" if n % 2 else "sar",
            status=[s.value for s in Status][n % 4],
            received_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
            referrer_name="Sam Example",
            referrer_job_title="Nurse",
            referrer_organisation="Testshire Hospital",
            referrer_email="sam@example.org",
            age_group="child" if n % 3 else "adult",
            harm="died",
            abuse_or_neglect="suspected",
            place="in_area",
            what_happened="Fictional.",
        )
        for n in range(start, start + count)
    )
    for agency in agencies:
        agency.referrals.add(*referrals)


@pytest.mark.django_db
def test_triage_shows_50_a_page(bu_client, partnership):
    _bulk_referrals(partnership, 60)
    first = bu_client.get(triage_url()).content.decode()
    assert first.count('class="govuk-table__row"') == 51  # 50 rows and the heading
    assert "Page 1 of 2" in first
    second = bu_client.get(triage_url(page=2)).content.decode()
    assert second.count('class="govuk-table__row"') == 11
    assert "Page 2 of 2" in second
    assert bu_client.get(triage_url(page="x")).status_code == 200


@pytest.mark.django_db
def test_triage_query_count_does_not_grow_with_referrals(
    bu_client, partnership, django_assert_max_num_queries
):
    agency = AgencyFactory()
    partnership.agencies.add(agency)
    _bulk_referrals(partnership, 1, agencies=[agency])
    with django_assert_max_num_queries(12) as one:  # +1: the unread notifications count
        bu_client.get(triage_url(agency=agency.pk))
    _bulk_referrals(partnership, 59, agencies=[agency], start=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = bu_client.get(triage_url(agency=agency.pk))
    assert response.content.decode().count('class="govuk-table__row"') == 51


# One referral -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_referral_page_shows_the_answers_but_hides_the_identity(bu_client, partnership):
    referral = make_referral(partnership)
    response = bu_client.get(reverse("referrals:detail", args=["testshire", referral.pk]))
    html = response.content.decode()
    assert "Person referred (identity hidden)" in html
    assert "Show real name and details" in html
    assert "A fictional account of a serious incident" in html
    assert "Sam Example" in html
    for value in ("Zebedee", "Quillfeather", "Fictional Row", "4 May 2012"):
        assert value not in html
    assert "Notify the Child Safeguarding Practice Review Panel" in html
    assert "Start screening" in html
    assert not AuditEvent.objects.filter(action="referral.identity_viewed").exists()


@pytest.mark.django_db
def test_partner_leads_read_a_referral_but_get_no_actions(client_for, partnership):
    referral = make_referral(partnership)
    client = client_for(Role.PARTNER_LEAD)
    html = client.get(reverse("referrals:detail", args=["testshire", referral.pk])).content
    assert b"Start screening" not in html
    assert b"Show real name and details" in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.BUSINESS_UNIT, Role.PARTNER_LEAD])
def test_showing_the_identity_needs_a_confirmed_post_and_is_audited(role, client_for, partnership):
    referral = make_referral(partnership)
    client = client_for(role)
    url = reverse("referrals:identity", args=["testshire", referral.pk])
    confirm = client.get(url).content.decode()
    assert "Quillfeather" not in confirm
    assert "will be recorded in the audit trail" in confirm
    assert not AuditEvent.objects.filter(action="referral.identity_viewed").exists()
    response = client.post(url)
    html = response.content.decode()
    assert "Zebedee" in html and "Quillfeather" in html and "4 May 2012" in html
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="referral.identity_viewed")
    assert event.object_id == str(referral.pk)
    assert event.partnership == partnership


@pytest.mark.django_db
@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_cannot_see_identities(role, client_for, partnership):
    referral = make_referral(partnership)
    url = reverse("referrals:identity", args=["testshire", referral.pk])
    client = client_for(role)
    assert client.get(url).status_code == 404  # they see no referrals at all (ADR 0010)
    assert client.post(url).status_code == 404
    assert not AuditEvent.objects.filter(action="referral.identity_viewed").exists()


# Opening a case ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_screening_suggests_a_pseudonym_and_opens_a_case(
    bu_client, partnership, business_unit_user
):
    make_case(partnership, business_unit_user, pseudonym="Child A")
    referral = make_referral(partnership)
    url = reverse("referrals:open_case", args=["testshire", referral.pk])
    assert 'value="Child B"' in bu_client.get(url).content.decode()
    response = bu_client.post(url, {"pseudonym": "Child B"})
    case = Case.objects.get(pseudonym="Child B")
    assert response.status_code == 302
    assert response.url == reverse("referrals:case", args=["testshire", case.pk])
    referral.refresh_from_db()
    assert (referral.case, referral.status) == (case, Status.IN_SCREENING)
    assert case.facts["age"] == 14
    assert f"Case {case.reference} (Child B) opened" in bu_client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(action="case.opened", object_id=str(case.pk)).exists()


@pytest.mark.django_db
def test_pseudonym_suggestion_follows_the_review_type(bu_client, partnership):
    adult = make_referral(partnership, review_type="sar", age_years=70)
    html = bu_client.get(reverse("referrals:open_case", args=["testshire", adult.pk])).content
    assert b'value="Adult A"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("pseudonym", ["", "   ", "x" * 61])
def test_a_missing_or_long_pseudonym_is_refused_and_nothing_is_saved(
    bu_client, partnership, pseudonym
):
    referral = make_referral(partnership)
    response = bu_client.post(
        reverse("referrals:open_case", args=["testshire", referral.pk]), {"pseudonym": pseudonym}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Pseudonym" in html
    assert Case.objects.count() == 0
    referral.refresh_from_db()
    assert referral.status == Status.NEW


@pytest.mark.django_db
def test_a_referral_already_in_a_case_goes_to_its_case(bu_client, partnership, business_unit_user):
    case = make_case(partnership, business_unit_user)
    referral = case.referrals.get()
    response = bu_client.post(
        reverse("referrals:open_case", args=["testshire", referral.pk]), {"pseudonym": "Child Z"}
    )
    assert response.url == reverse("referrals:case", args=["testshire", case.pk])
    assert Case.objects.count() == 1


# Linking to an existing case --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_referral_about_the_same_death_joins_the_case(
    bu_client, partnership, business_unit_user
):
    case = make_case(partnership, business_unit_user, harm="died")
    second = make_referral(partnership, harm="died")
    url = reverse("referrals:link_case", args=["testshire", second.pk])
    assert f"{case.reference}: Child A" in bu_client.get(url).content.decode()
    response = bu_client.post(url, {"case": case.pk})
    assert response.url == reverse("referrals:case", args=["testshire", case.pk])
    second.refresh_from_db()
    assert second.case == case
    assert second.status == case.status
    html = bu_client.get(response.url).content.decode()
    assert f"Referral {second.reference} added to case {case.reference}" in html
    assert second.reference in html
    assert AuditEvent.objects.filter(action="referral.linked_to_case").count() == 1


@pytest.mark.django_db
def test_linking_keeps_one_clock(bu_client, partnership, business_unit_user):
    case = make_case(partnership, business_unit_user)
    second = make_referral(partnership)
    bu_client.post(reverse("referrals:link_case", args=["testshire", second.pk]), {"case": case.pk})
    on_case = Milestone.objects.filter(subject_id=case.pk, subject_type__model="case")
    assert sorted(on_case.values_list("rule__code", flat=True)) == [
        "cspr-rapid-review",
        "cspr-serious-incident-notification",
    ]
    assert set(on_case.values_list("status", flat=True)) == {Milestone.Status.DUE}
    left = Milestone.objects.filter(subject_id=second.pk, subject_type__model="referral")
    assert set(left.values_list("status", flat=True)) == {Milestone.Status.NOT_APPLICABLE}


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"case": ""}, {"case": "abc"}, {"case": "999999"}])
def test_linking_without_a_valid_case_is_refused_and_nothing_is_saved(
    bu_client, partnership, business_unit_user, data
):
    make_case(partnership, business_unit_user)
    referral = make_referral(partnership)
    response = bu_client.post(reverse("referrals:link_case", args=["testshire", referral.pk]), data)
    html = response.content.decode()
    assert "There is a problem" in html
    referral.refresh_from_db()
    assert referral.case is None
    assert not AuditEvent.objects.filter(action="referral.linked_to_case").exists()


@pytest.mark.django_db
def test_a_case_of_another_partnership_cannot_be_chosen(
    bu_client, partnership, other_partnership, business_unit_user
):
    theirs = make_case(other_partnership, business_unit_user)
    referral = make_referral(partnership)
    url = reverse("referrals:link_case", args=["testshire", referral.pk])
    assert theirs.reference not in bu_client.get(url).content.decode()
    response = bu_client.post(url, {"case": theirs.pk})
    assert "Select one of the open cases listed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.case is None


@pytest.mark.django_db
def test_linking_with_no_open_cases_offers_to_start_screening(bu_client, partnership):
    referral = make_referral(partnership)
    html = bu_client.get(reverse("referrals:link_case", args=["testshire", referral.pk])).content
    assert b"There are no open cases" in html
