"""The public referral forms: question pages, check your answers, confirmation, the
acknowledgement email and the referrer's private status page."""

import datetime
import re
import uuid

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.accounts.tests.factories import AgencyFactory, PartnershipFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.tests.when_run import ONE_DAY, when_run
from safeguarding.referrals import services
from safeguarding.referrals.models import Referral, ReferralIdentity, Status
from safeguarding.referrals.public_forms import PAGES

BORN = datetime.date(2012, 5, 14)
INCIDENT = datetime.date(2025, 3, 2)
DIED = datetime.date(2025, 3, 4)


def date_data(name: str, date: datetime.date | None) -> dict:
    if date is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": date.day, f"{name}_1": date.month, f"{name}_2": date.year}


def about_you(**changes) -> dict:
    return {
        "referrer_name": "Sam Fictional",
        "referrer_job_title": "Designated safeguarding lead",
        "referrer_organisation": "Testshire Primary School",
        "referrer_email": "sam.fictional@school.example",
        "referrer_phone": "01632 960 001",
        "discussed_with_safeguarding_lead": "yes",
        **changes,
    }


def about_the_person(born=BORN, **changes) -> dict:
    return {
        "first_name": "Alexandra",
        "last_name": "Zedd-Fictional",
        "other_names": "",
        **date_data("date_of_birth", born),
        "age_years": "",
        "address": "1 Imaginary Road, Testshire",
        **changes,
    }


def what_happened(incident=INCIDENT, died=DIED, **changes) -> dict:
    return {
        **date_data("incident_date", incident),
        "harm": "died",
        **date_data("date_of_death", died),
        "abuse_or_neglect": "suspected",
        "death_resulted_from_abuse": "yes",
        "place": "in_area",
        "normally_resident_in_area": "yes",
        "what_happened": "A fictional account of a fictional incident with unmistakable-words.",
        **changes,
    }


CRITERIA = {
    "cspr": {"looked_after": "yes", "child_protection_plan": "no", "care_leaver": "not_known"},
    "sar": {
        "care_and_support_needs": "yes",
        "care_needs_description": "Learning disability",
        "self_neglect": "no",
        "agency_working_concern": "yes",
        "concerns_working_together": "Information was not shared.",
        "person_aware_of_referral": "not_known",
    },
    "dhr": {
        "harmed_by": "partner",
        "responsible_in_household": "no",
        "responsible_aged_16_or_over": "yes",
        "suspected_suicide": "no",
        "domestic_abuse_history": "yes",
        "criminal_justice_status": "Charged",
        "children_in_household": "yes",
    },
}


def agencies_page(review_type: str, agency_ids=(), **changes) -> dict:
    data = {"agencies": [str(pk) for pk in agency_ids], "other_agencies": "Fictional charity"}
    if review_type != "sar":
        data.update(agency_working_concern="no", concerns_working_together="")
    return {**data, **changes}


def page_url(review_type: str, page: str, slug: str = "testshire") -> str:
    return reverse("refer:page", args=[slug, review_type, page])


def check_url(review_type: str, slug: str = "testshire") -> str:
    return reverse("refer:check", args=[slug, review_type])


def fill_every_page(client, review_type: str, slug: str = "testshire", agency_ids=(), **pages):
    answers = {
        "about-you": about_you(),
        "about-the-person": about_the_person(),
        "what-happened": what_happened(),
        "criteria": CRITERIA[review_type],
        "agencies": agencies_page(review_type, agency_ids),
        **pages,
    }
    for page, data in answers.items():
        response = client.post(page_url(review_type, page, slug), data)
        assert response.status_code == 302, (page, response.content.decode()[:3000])
    return response


def send(client, review_type: str, slug: str = "testshire", capture=None):
    if capture is None:
        return client.post(check_url(review_type, slug))
    with capture(execute=True):
        return client.post(check_url(review_type, slug))


def errors_of(response) -> str:
    html = response.content.decode()
    assert "There is a problem" in html
    return html


@pytest.fixture
def dhr_partnership(db):
    return PartnershipFactory(
        name="Dhrshire Community Safety Partnership",
        slug="dhrshire",
        kind=Partnership.Kind.COMMUNITY_SAFETY,
        runs_cspr=False,
        runs_safeguarding_adults_reviews=False,
        runs_dhr=True,
        area_name="Dhrshire",
    )


# Start page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_page_offers_only_the_types_the_partnership_runs_and_warns_about_danger(
    client, partnership
):
    html = client.get(reverse("refer:start", args=["testshire"])).content.decode()
    assert "If someone is in immediate danger, call 999" in html
    assert "about 15 minutes" in html
    assert "Refer a serious child safeguarding incident" in html
    assert "Refer a case for a Safeguarding Adults Review" in html
    assert "domestic abuse related death" not in html


@pytest.mark.django_db
def test_start_page_sends_the_chosen_type_to_its_first_question(client, partnership):
    response = client.post(reverse("refer:start", args=["testshire"]), {"review_type": "sar"})
    assert response.url == page_url("sar", "about-you")
    response = client.post(reverse("refer:start", args=["testshire"]), {})
    assert "Select what you are referring" in errors_of(response)


@pytest.mark.django_db
def test_a_partnership_that_does_not_run_dhr_has_no_dhr_form(client, partnership):
    for url in (
        reverse("refer:type_start", args=["testshire", "dhr"]),
        page_url("dhr", "about-you"),
        check_url("dhr"),
        reverse("refer:word_form", args=["testshire", "dhr"]),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_unknown_question_page_is_not_found(client, partnership):
    assert client.get(page_url("cspr", "no-such-page")).status_code == 404


# Whole journeys -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("review_type", ["cspr", "sar", "dhr"])
def test_a_professional_refers_a_case_and_follows_it_with_the_private_link(
    client, partnership, dhr_partnership, review_type, django_capture_on_commit_callbacks
):
    target = dhr_partnership if review_type == "dhr" else partnership
    police = AgencyFactory(name="Fictional Constabulary")
    target.agencies.add(police)
    fill_every_page(client, review_type, target.slug, agency_ids=[police.pk])

    check = client.get(check_url(review_type, target.slug))
    html = check.content.decode()
    assert check.status_code == 200
    assert "Check your answers before sending the referral" in html
    assert "Sam Fictional" in html and "Fictional Constabulary" in html
    assert "4 March 2025" in html
    assert f"{page_url(review_type, 'about-you', target.slug)}?return=check" in html

    response = send(client, review_type, target.slug, django_capture_on_commit_callbacks)
    assert response.url == reverse("refer:sent", args=[target.slug])

    referral = Referral.objects.get()
    assert referral.partnership == target
    assert referral.review_type == review_type
    assert referral.source == Referral.Source.ONLINE
    assert referral.status == Status.NEW
    assert referral.referrer_email == "sam.fictional@school.example"
    assert referral.discussed_with_safeguarding_lead is True
    assert referral.age_years == 12  # at the date of death, from the date of birth
    assert referral.age_group == "child"
    assert referral.incident_date == INCIDENT and referral.date_of_death == DIED
    assert list(referral.agencies.all()) == [police]
    assert referral.other_agencies == "Fictional charity"
    assert referral.submitted_ip_hash
    identity = ReferralIdentity.objects.get(referral=referral)
    assert (identity.first_name, identity.last_name) == ("Alexandra", "Zedd-Fictional")
    assert identity.date_of_birth == BORN
    assert AuditEvent.objects.filter(action="referral.submitted").count() == 1

    confirmation = client.get(response.url).content.decode()
    assert "Referral sent" in confirmation
    assert referral.reference in confirmation
    assert "We have sent you a confirmation email" in confirmation

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["sam.fictional@school.example"]
    assert referral.reference in email.subject and referral.reference in email.body
    link = re.search(r"http://testserver(/\S+/refer/status/\S+/)", email.body).group(1)

    status = client.get(link)
    page = status.content.decode()
    assert status.status_code == 200
    assert status["Referrer-Policy"] == "no-referrer"
    assert referral.reference in page
    assert "Received" in page
    assert "Alexandra" not in page and "Zedd-Fictional" not in page
    assert "unmistakable-words" not in page
    assert "Sam Fictional" not in page


@pytest.mark.django_db
def test_criteria_answers_are_saved_on_the_referral(client, partnership):
    fill_every_page(client, "sar")
    send(client, "sar")
    referral = Referral.objects.get()
    assert referral.care_and_support_needs is True
    assert referral.care_needs_description == "Learning disability"
    assert referral.self_neglect is False
    assert referral.agency_working_concern is True
    assert referral.concerns_working_together == "Information was not shared."
    assert referral.person_aware_of_referral is None  # not known


@pytest.mark.django_db
def test_dhr_answers_are_saved_on_the_referral(client, dhr_partnership):
    fill_every_page(client, "dhr", "dhrshire")
    send(client, "dhr", "dhrshire")
    referral = Referral.objects.get()
    assert referral.harmed_by == "partner"
    assert referral.responsible_in_household is False
    assert referral.responsible_aged_16_or_over is True
    assert referral.death_resulted_from_abuse is True
    assert referral.domestic_abuse_history is True
    facts = services.facts_from_referral(referral)
    assert facts["responsible_in_household"] is False
    assert facts["responsible_aged_16_or_over"] is True
    assert facts["death_resulted_from_abuse"] is True
    assert referral.criminal_justice_status == "Charged"
    assert referral.children_in_household is True
    assert referral.agency_working_concern is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"harmed_by": ""}, "Select who is known or suspected to have abused or neglected them"),
        ({"responsible_in_household": ""},
         "Select whether that person lived in or often stayed in their household"),
        ({"responsible_aged_16_or_over": "maybe"},
         "Select whether that person was aged 16 or over"),
        ({"domestic_abuse_history": ""},
         "Select whether domestic abuse of them is known or suspected"),
    ],
)  # fmt: skip
def test_the_dhr_page_refuses_bad_answers_and_keeps_nothing(
    client, dhr_partnership, changes, message
):
    response = client.post(page_url("dhr", "criteria", "dhrshire"), {**CRITERIA["dhr"], **changes})
    assert message in errors_of(response)
    assert 'class="govuk-error-summary"' in response.content.decode()
    draft = client.session.get(f"referral_draft:{dhr_partnership.pk}:dhr", {"pages": {}})
    assert "criteria" not in draft["pages"]


@pytest.mark.django_db
def test_a_parent_of_the_same_child_can_be_named(client, dhr_partnership):
    fill_every_page(
        client, "dhr", "dhrshire", criteria={**CRITERIA["dhr"], "harmed_by": "co_parent"}
    )
    send(client, "dhr", "dhrshire")
    assert Referral.objects.get().harmed_by == "co_parent"


# Bad answers ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("about-you", ["Enter your full name", "Enter your job title",
                       "Enter your work email address",
                       "Select yes if you have discussed this referral"]),
        ("about-the-person", ["Enter their first name", "Enter their last name",
                              "Enter their date of birth or their age"]),
        ("what-happened", ["Enter the date of the incident", "Select what happened to them",
                           "Select where it happened", "Describe what happened"]),
        ("criteria", ["Select whether the child is looked after by a local authority"]),
        ("agencies", ["Select whether there is concern about how agencies worked together"]),
    ],
)  # fmt: skip
def test_each_page_refuses_missing_answers_and_saves_nothing(client, partnership, page, expected):
    response = client.post(page_url("cspr", page), {})
    assert response.status_code == 200
    html = errors_of(response)
    for message in expected:
        assert message in html
    draft = client.session.get(f"referral_draft:{partnership.pk}:cspr")
    assert page not in draft["pages"]
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_a_malformed_email_address_is_refused(client, partnership):
    response = client.post(page_url("cspr", "about-you"), about_you(referrer_email="sam@"))
    assert "Enter an email address in the correct format, like name@example.org" in errors_of(
        response
    )


@pytest.mark.django_db
def test_a_malformed_phone_number_is_refused(client, partnership):
    response = client.post(page_url("cspr", "about-you"), about_you(referrer_phone="call me"))
    assert "Enter a telephone number" in errors_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (lambda: date_data("date_of_birth", timezone.localdate() + ONE_DAY),
         "Date of birth must be today or in the past"),
        ({**date_data("date_of_birth", None), "age_years": "131"}, "Age must be 130 or less"),
        ({**date_data("date_of_birth", None), "age_years": "twelve"}, "Age must be a whole number"),
        ({"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2012"},
         "Date of birth must be a real date"),
        ({"date_of_birth_0": "14", "date_of_birth_1": "", "date_of_birth_2": "2012"},
         "Date of birth must include a day, month and year"),
        ({"date_of_birth_2": "12"}, "Date of birth must include a year with 4 numbers"),
        ({"first_name": "x" * 101}, "First name must be 100 characters or fewer"),
    ],
)  # fmt: skip
def test_about_the_person_refuses_bad_answers(client, partnership, changes, message):
    data = about_the_person(**when_run(changes))
    response = client.post(page_url("cspr", "about-the-person"), data)
    assert message in errors_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (lambda: date_data("incident_date", timezone.localdate() + ONE_DAY),
         "Date of the incident must be today or in the past"),
        (date_data("incident_date", BORN - datetime.timedelta(days=1)),
         "Date of the incident must be on or after the date of birth"),
        (lambda: date_data("date_of_death", timezone.localdate() + ONE_DAY),
         "Date of death must be today or in the past"),
        ({**date_data("incident_date", datetime.date(2010, 1, 1)),
          **date_data("date_of_death", datetime.date(2011, 1, 1))},
         "Date of the incident must be on or after the date of birth"),
        (date_data("date_of_death", INCIDENT - datetime.timedelta(days=1)),
         "Date of death must be on or after the date of the incident"),
        (date_data("date_of_death", None), "Enter the date of death"),
        ({"what_happened": "x" * 10_001}, "What happened must be 10,000 characters or fewer"),
        ({"harm": "exploded"}, "Select what happened to them"),
        ({"death_resulted_from_abuse": ""},
         "Select whether the death resulted, or appears to have resulted, from abuse or neglect"),
        ({"death_resulted_from_abuse": "perhaps"},
         "Select whether the death resulted, or appears to have resulted, from abuse or neglect"),
    ],
)  # fmt: skip
def test_what_happened_refuses_bad_answers(client, partnership, changes, message):
    client.post(page_url("cspr", "about-the-person"), about_the_person())
    response = client.post(page_url("cspr", "what-happened"), what_happened(**when_run(changes)))
    assert message in errors_of(response)
    draft = client.session[f"referral_draft:{partnership.pk}:cspr"]
    assert "what-happened" not in draft["pages"]


@pytest.mark.django_db
def test_a_date_of_death_before_the_date_of_birth_is_refused(client, partnership):
    client.post(page_url("cspr", "about-the-person"), about_the_person())
    response = client.post(
        page_url("cspr", "what-happened"),
        what_happened(incident=None, died=BORN - datetime.timedelta(days=3)),
    )
    html = errors_of(response)
    assert "Date of death must be on or after the date of birth" in html


@pytest.mark.django_db
def test_a_date_of_death_is_ignored_unless_they_died(client, partnership):
    fill_every_page(
        client,
        "cspr",
        **{"what-happened": what_happened(harm="serious_harm", died=None)},
    )
    send(client, "cspr")
    referral = Referral.objects.get()
    assert referral.harm == "serious_harm"
    assert referral.date_of_death is None
    assert referral.death_resulted_from_abuse is None  # asked of a death only
    assert referral.age_years == 12  # at the incident


@pytest.mark.django_db
def test_the_cause_of_death_can_be_not_known_and_reaches_the_screening(client, partnership):
    fill_every_page(
        client, "cspr", **{"what-happened": what_happened(death_resulted_from_abuse="not_known")}
    )
    send(client, "cspr")
    referral = Referral.objects.get()
    assert referral.death_resulted_from_abuse is None
    assert "death_resulted_from_abuse" not in services.facts_from_referral(referral)


@pytest.mark.django_db
def test_the_what_happened_page_asks_about_the_cause_without_saying_caused(client, partnership):
    client.post(page_url("cspr", "about-the-person"), about_the_person())
    html = client.get(page_url("cspr", "what-happened")).content.decode()
    assert "Did the death result, or does it appear to have resulted, from abuse or neglect?" in (
        html
    )
    assert "Is abuse or neglect of them by someone else known or suspected?" in html
    assert not re.search(r"\bcaus(e|ed|ing)\b", html, re.IGNORECASE)


@pytest.mark.django_db
def test_the_date_of_birth_wins_over_an_age_typed_in(client, partnership):
    fill_every_page(client, "cspr", **{"about-the-person": about_the_person(age_years="40")})
    send(client, "cspr")
    assert Referral.objects.get().age_years == 12


@pytest.mark.django_db
def test_an_age_alone_is_enough(client, partnership):
    fill_every_page(
        client, "sar", **{"about-the-person": about_the_person(born=None, age_years="67")}
    )
    send(client, "sar")
    referral = Referral.objects.get()
    assert referral.age_years == 67 and referral.age_group == "adult"
    assert referral.identity.date_of_birth is None


@pytest.mark.django_db
def test_sar_concern_needs_a_description(client, partnership):
    response = client.post(
        page_url("sar", "criteria"), {**CRITERIA["sar"], "concerns_working_together": ""}
    )
    assert "Describe the concerns about how agencies worked together" in errors_of(response)


@pytest.mark.django_db
def test_an_agency_of_another_partnership_cannot_be_chosen(client, partnership):
    stranger = AgencyFactory(name="Not Ours")
    response = client.post(page_url("cspr", "agencies"), agencies_page("cspr", [stranger.pk]))
    assert "Select agencies from the list" in errors_of(response)


# Moving between pages ----------------------------------------------------------------------


@pytest.mark.django_db
def test_check_sends_the_referrer_to_the_first_unanswered_page(client, partnership):
    client.post(page_url("cspr", "about-you"), about_you())
    client.post(page_url("cspr", "what-happened"), what_happened())
    response = client.get(check_url("cspr"))
    assert response.url == page_url("cspr", "about-the-person")


@pytest.mark.django_db
def test_check_without_any_answers_starts_at_the_first_page(client, partnership):
    assert client.get(check_url("cspr")).url == page_url("cspr", "about-you")


@pytest.mark.django_db
def test_going_back_shows_the_answers_given(client, partnership):
    client.post(page_url("cspr", "about-you"), about_you())
    client.post(page_url("cspr", "about-the-person"), about_the_person())
    html = client.get(page_url("cspr", "about-you")).content.decode()
    assert 'value="Sam Fictional"' in html
    assert "There is a problem" not in html
    person = client.get(page_url("cspr", "about-the-person")).content.decode()
    assert 'name="date_of_birth_2" type="text" inputmode="numeric" value="2012"' in person


@pytest.mark.django_db
def test_a_change_from_check_your_answers_returns_there(client, partnership):
    fill_every_page(client, "cspr")
    response = client.post(
        page_url("cspr", "about-you") + "?return=check", about_you(referrer_name="Sam Changed")
    )
    assert response.url == check_url("cspr")
    assert "Sam Changed" in client.get(check_url("cspr")).content.decode()


@pytest.mark.django_db
def test_changing_the_date_of_birth_rechecks_later_pages(client, partnership):
    fill_every_page(client, "cspr")
    client.post(
        page_url("cspr", "about-the-person") + "?return=check",
        about_the_person(born=datetime.date(2025, 3, 10)),
    )
    response = client.get(check_url("cspr"))
    assert response.url == page_url("cspr", "what-happened")
    html = client.get(response.url).content.decode()
    assert "Date of the incident must be on or after the date of birth" in html


# Sending -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sending_the_same_form_twice_creates_one_referral(client, partnership):
    fill_every_page(client, "cspr")
    first = send(client, "cspr")
    second = send(client, "cspr")
    assert first.url == second.url == reverse("refer:sent", args=["testshire"])
    assert Referral.objects.count() == 1


@pytest.mark.django_db
def test_two_requests_carrying_the_same_draft_create_one_referral(client, partnership):
    fill_every_page(client, "cspr")
    key = f"referral_draft:{partnership.pk}:cspr"
    draft = client.session[key]
    send(client, "cspr")
    # A second request that read the session before the first one finished.
    session = client.session
    session[key] = draft
    session.save()
    response = send(client, "cspr")
    assert response.url == reverse("refer:sent", args=["testshire"])
    assert Referral.objects.count() == 1
    assert Referral.objects.get().submission_key == uuid.UUID(draft["submission_key"])


@pytest.mark.django_db
def test_answers_are_not_kept_once_sent(client, partnership):
    fill_every_page(client, "cspr")
    send(client, "cspr")
    assert f"referral_draft:{partnership.pk}:cspr" not in client.session
    html = client.get(page_url("cspr", "about-you")).content.decode()
    assert "Sam Fictional" not in html


@pytest.mark.django_db
def test_the_confirmation_page_reads_the_reference_from_the_session(client, partnership):
    response = client.get(reverse("refer:sent", args=["testshire"]))
    assert response.url == reverse("refer:start", args=["testshire"])


@override_settings(REFERRALS_PER_HOUR_PER_ADDRESS=1)
@pytest.mark.django_db
def test_too_many_referrals_from_one_address_are_refused_and_nothing_saved(client, partnership):
    fill_every_page(client, "cspr")
    send(client, "cspr")
    fill_every_page(client, "sar")
    response = send(client, "sar")
    assert response.status_code == 200
    assert "You have sent a lot of referrals in the last hour" in errors_of(response)
    assert Referral.objects.count() == 1


PROXY = "10.0.0.5"


def _through_proxy(client_ip: str, forged: str = "") -> Client:
    """A browser behind the production reverse proxy, which appends the address it saw."""
    forwarded = f"{forged}, {client_ip}" if forged else client_ip
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


@override_settings(REFERRALS_PER_HOUR_PER_ADDRESS=1, TRUSTED_PROXY_COUNT=1)
@pytest.mark.django_db
def test_behind_the_proxy_one_referrer_at_the_limit_does_not_block_another(partnership):
    """Issue 12 item 1: every referrer reaches the service through the same proxy address."""
    first, second = _through_proxy("198.51.100.1"), _through_proxy("198.51.100.2")
    fill_every_page(first, "cspr")
    send(first, "cspr")
    fill_every_page(first, "sar")
    assert "You have sent a lot of referrals" in errors_of(send(first, "sar"))
    fill_every_page(second, "cspr")
    assert send(second, "cspr").status_code == 302
    assert Referral.objects.count() == 2


@override_settings(REFERRALS_PER_HOUR_PER_ADDRESS=1, TRUSTED_PROXY_COUNT=1)
@pytest.mark.django_db
def test_a_referrer_cannot_escape_the_limit_by_forging_forwarded_for(partnership):
    for n, review_type in enumerate(("cspr", "sar")):
        browser = _through_proxy("198.51.100.1", forged=f"192.0.2.{n}")
        fill_every_page(browser, review_type)
        response = send(browser, review_type)
    assert "You have sent a lot of referrals" in errors_of(response)
    assert Referral.objects.count() == 1


@override_settings(REFERRALS_PER_HOUR_PER_ADDRESS=1, TRUSTED_PROXY_COUNT=0)
@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(partnership):
    for n, review_type in enumerate(("cspr", "sar")):
        browser = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        fill_every_page(browser, review_type)
        response = send(browser, review_type)
    assert "You have sent a lot of referrals" in errors_of(response)
    assert Referral.objects.count() == 1


# The private status page --------------------------------------------------------------------


def _referral_with_link(client, capture) -> tuple[Referral, str]:
    fill_every_page(client, "cspr")
    send(client, "cspr", capture=capture)
    link = re.search(r"http://testserver(/\S+/refer/status/\S+/)", mail.outbox[-1].body).group(1)
    return Referral.objects.order_by("-pk").first(), link


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "stage"),
    [
        (Status.IN_SCREENING, "Being considered"),
        (Status.AWAITING_DECISION, "Awaiting a decision"),
        (Status.DECIDED, "Decided"),
    ],
)
def test_the_status_page_shows_the_stage_in_plain_english(
    client, partnership, django_capture_on_commit_callbacks, status, stage
):
    referral, link = _referral_with_link(client, django_capture_on_commit_callbacks)
    Referral.objects.filter(pk=referral.pk).update(status=status)
    html = client.get(link).content.decode()
    assert f'<strong class="govuk-tag govuk-tag--blue">{stage}</strong>' in html
    assert "Alexandra" not in html and "unmistakable-words" not in html


@pytest.mark.django_db
def test_a_status_link_works_only_within_its_own_partnership(
    client, partnership, other_partnership, django_capture_on_commit_callbacks
):
    _, link = _referral_with_link(client, django_capture_on_commit_callbacks)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert client.get(link).status_code == 200
    assert client.get(reverse("refer:status", args=["elsewhere", token])).status_code == 404
    assert client.get(reverse("refer:status", args=["testshire", "guessed"])).status_code == 404


@pytest.mark.django_db
def test_a_status_link_shows_only_its_own_referral(
    client, partnership, django_capture_on_commit_callbacks
):
    first, first_link = _referral_with_link(client, django_capture_on_commit_callbacks)
    second, second_link = _referral_with_link(client, django_capture_on_commit_callbacks)
    page = client.get(first_link).content.decode()
    assert first.reference in page and second.reference not in page
    page = client.get(second_link).content.decode()
    assert second.reference in page and first.reference not in page


# Every question page has an answer for every field of the models ------------------------------


def test_every_page_field_is_a_referral_or_identity_field():
    from safeguarding.referrals.models import ReferralIdentity as Identity

    model_fields = {f.name for f in Referral._meta.get_fields()} | {
        f.name for f in Identity._meta.get_fields()
    }
    for pages in PAGES.values():
        for page in pages:
            for name in page.form_class.base_fields:
                assert name in model_fields, name
