"""Referrals by the agency they came from (issue 17): matched from the organisation the referrer
typed on submission and by a data migration for earlier referrals, set or corrected by the
business unit during triage (audited; bad input changes nothing), and counted by the linked
agency in the report figures, the others under their normalised typed name."""

import datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.audit.models import AuditEvent
from safeguarding.referrals.agency_match import matching_agency_id, normalised_organisation
from safeguarding.referrals.models import Referral
from safeguarding.referrals.tests.staff_support import make_referral
from safeguarding.reports import figures
from safeguarding.reports.period import Period
from safeguarding.reports.selectors import FinancialYear

pytestmark = pytest.mark.django_db

d = datetime.date
YEAR = Period.of_year(FinancialYear(2024))  # 1 April 2024 to 31 March 2025
TODAY = d(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Testshire Police", "testshire police"),
        ("  THE testshire   police. ", "testshire police"),
        ("Testshire Police (the)", "testshire police the"),
        ("Northmoor NHS Foundation Trust", "northmoor"),
        ("Northmoor Hospitals NHS Trust", "northmoor hospitals"),
        ("Acme Care Ltd.", "acme care"),
        ("Smith & Jones", "smith and jones"),
        ("", ""),
    ],
)
def test_an_organisation_is_compared_as_a_person_would(typed, expected):
    assert normalised_organisation(typed) == expected


def test_only_one_matching_agency_is_a_match():
    class A:
        def __init__(self, pk, name):
            self.pk, self.name = pk, name

    agencies = [A(1, "Testshire Police"), A(2, "Testshire Council"), A(3, "The Testshire Police")]
    assert matching_agency_id("Testshire Council.", agencies) == 2
    assert matching_agency_id("testshire police", agencies) is None  # two agencies match
    assert matching_agency_id("Somewhere else", agencies) is None
    assert matching_agency_id("", agencies) is None


@pytest.fixture
def gp(db):
    return Agency.objects.create(name="Testshire GP Federation", slug="testshire-gp", kind="gp")


def _referral(partnership, received_on, organisation):
    referral = make_referral(partnership, referrer_organisation=organisation)
    Referral.objects.filter(pk=referral.pk).update(received_on=received_on)
    return referral


def test_a_referral_is_linked_on_submission_when_the_typed_name_matches(partnership, agency):
    partnership.agencies.add(agency)

    assert (
        make_referral(partnership, referrer_organisation="the TESTSHIRE police").source_agency
        == agency
    )
    assert make_referral(partnership, referrer_organisation="Testshire Fire").source_agency is None


def test_another_partnerships_agency_is_never_matched(partnership, other_partnership, agency):
    other_partnership.agencies.add(agency)

    assert (
        make_referral(partnership, referrer_organisation="Testshire Police").source_agency is None
    )


def test_the_figures_count_by_the_linked_agency_and_the_rest_by_normalised_name(
    partnership, other_partnership, agency
):
    partnership.agencies.add(agency)
    # In the year, at both ends: two spellings linked to the police, two spellings of a school
    # that is not an agency of the partnership; one before the year; another partnership's.
    _referral(partnership, d(2024, 4, 1), "Testshire Police")
    _referral(partnership, d(2025, 3, 31), "testshire  police.")
    _referral(partnership, d(2024, 4, 1), "St Mary's School")
    _referral(partnership, d(2025, 3, 31), "st marys school")
    _referral(partnership, d(2025, 3, 31), "St Mary's School")
    _referral(partnership, d(2024, 3, 31), "Testshire Police")
    _referral(other_partnership, d(2024, 6, 1), "St Mary's School")

    pack = figures.board_pack(partnership=partnership, period=YEAR, today=TODAY)

    rows = {(f.label, f.group): f.value for f in pack.section("referral_sources").figures}
    assert rows == {
        ("St Mary's School (not matched to an agency)", "typed:st marys school"): 3,
        ("Testshire Police", f"agency:{agency.pk}"): 2,
    }
    police = figures.records(
        partnership=partnership,
        period=YEAR,
        key="referrals_by_agency",
        group=f"agency:{agency.pk}",
        today=TODAY,
    )
    assert police.title == "Referrals from Testshire Police"
    assert [r.day for r in police.rows] == [d(2024, 4, 1), d(2025, 3, 31)]
    school = figures.records(
        partnership=partnership,
        period=YEAR,
        key="referrals_by_agency",
        group="typed:st marys school",
        today=TODAY,
    )
    assert school.title == "Referrals from St Mary's School (not matched to an agency)"
    assert len(school.rows) == 3
    for bad in ["agency:x", "agency:999999", "nothing"]:
        assert (
            figures.records(
                partnership=partnership,
                period=YEAR,
                key="referrals_by_agency",
                group=bad,
                today=TODAY,
            )
            is None
        )


def test_the_data_migration_links_earlier_referrals_and_unlinks_them_backwards(
    partnership, agency, gp
):
    first = make_referral(partnership, referrer_organisation="The Testshire Police")
    other = make_referral(partnership, referrer_organisation="Testshire GP Federation Ltd")
    elsewhere = make_referral(partnership, referrer_organisation="Somewhere")
    partnership.agencies.add(agency, gp)  # the agencies came after the referrals
    migration = import_module("safeguarding.referrals.migrations.0020_link_source_agencies")

    migration.link(apps, None)

    linked = dict(Referral.objects.values_list("pk", "source_agency_id"))
    assert linked == {first.pk: agency.pk, other.pk: gp.pk, elsewhere.pk: None}
    migration.link(apps, None)  # again: nothing changes
    assert dict(Referral.objects.values_list("pk", "source_agency_id")) == linked
    migration.unlink(apps, None)
    assert set(Referral.objects.values_list("source_agency_id", flat=True)) == {None}


# Set or corrected during triage -------------------------------------------------------------


def _url(partnership, referral):
    return reverse("referrals:source_agency", args=[partnership.slug, referral.pk])


def test_the_business_unit_sets_the_source_agency(bu_client, partnership, agency, gp):
    partnership.agencies.add(agency, gp)
    referral = make_referral(partnership, referrer_organisation="Dr Patel's surgery")
    url = _url(partnership, referral)

    page = bu_client.get(url)
    assert page.status_code == 200
    assert "Dr Patel&#x27;s surgery" in page.content.decode()

    answer = bu_client.post(url, {"agency": str(gp.pk)})

    assert answer.status_code == 302
    referral.refresh_from_db()
    assert referral.source_agency == gp
    event = AuditEvent.objects.get(action="referral.source_agency_set")
    assert event.payload == {"from": None, "to": gp.pk}
    assert (
        "Testshire GP Federation"
        in bu_client.get(
            reverse("referrals:detail", args=[partnership.slug, referral.pk])
        ).content.decode()
    )

    bu_client.post(url, {"agency": "none"})
    referral.refresh_from_db()
    assert referral.source_agency is None


@pytest.mark.parametrize(
    "data",
    [{}, {"agency": ""}, {"agency": "12345678"}, {"agency": "abc"}, {"agency": "OTHER"}],
)
def test_bad_input_shows_an_error_summary_and_changes_nothing(bu_client, partnership, agency, data):
    partnership.agencies.add(agency)
    referral = make_referral(partnership, referrer_organisation="Testshire Police")
    foreign = Agency.objects.create(name="Not ours", slug="not-ours", kind="other")
    if data.get("agency") == "OTHER":
        data = {"agency": str(foreign.pk)}  # an agency, but not the partnership's
    events = AuditEvent.objects.count()

    page = bu_client.post(_url(partnership, referral), data)

    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()
    referral.refresh_from_db()
    assert referral.source_agency == agency
    assert AuditEvent.objects.count() == events


def test_a_referral_of_another_partnership_is_not_found(bu_client, partnership, agency):
    other = Partnership.objects.create(
        name="Elsewhere",
        slug="elsewhere-src",
        kind="children",
        runs_cspr=True,
        area_name="Elsewhere",
        contact_email="x@elsewhere.example",
    )
    referral = make_referral(other, referrer_organisation="Testshire Police")

    assert bu_client.get(_url(partnership, referral)).status_code == 404
    assert bu_client.post(_url(partnership, referral), {"agency": "none"}).status_code == 404
