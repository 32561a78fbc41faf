"""Regressions from the code review of the library: nothing non-public leaks through spelling
suggestions, removed national reviews or odd numbers; members who are not readers of
non-public records don't see them."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.library import services
from safeguarding.library.importing import parse_library_file
from safeguarding.library.models import LibraryRecord
from safeguarding.library.search import search_records
from safeguarding.library.search_catalogue import clear_caches
from safeguarding.publication import services as publication_services

from .search_support import make_record

pytestmark = pytest.mark.django_db


def test_spelling_suggestions_never_come_from_non_public_records(partnership, other_partnership):
    make_record(partnership, title="Neglect of a child", summary="Neglect at home.")
    make_record(
        other_partnership,
        title="Review of Zbigniewska household",
        summary="Zbigniewska household neglect.",
        is_public=False,
    )
    clear_caches()
    result = search_records(partnership, "zbigniewsky neglect", public_only=True)
    assert "zbigniewska" not in (result.corrected_query or "")
    assert "zbigniewska" not in result.corrections.values()


def test_a_national_review_taken_off_the_public_page_leaves_the_library(
    client, partnership, business_unit_user
):
    record = services.national_review_add(
        partnership=partnership,
        actor=business_unit_user,
        title="A fictional national review",
        published_on=datetime.date(2025, 3, 1),
        url="https://panel.example/review",
        summary="Fictional.",
    )
    review = record.national_review
    publication_services.national_review_remove(review=review, actor=business_unit_user)
    record.refresh_from_db()
    assert record.archived_at is not None
    response = client.get(reverse("library_public:json", args=[partnership.slug]))
    assert response.json()["count"] == 0


@pytest.mark.parametrize("query", ["year=²", "theme=²", "year=99999999999999999999999"])
def test_odd_numbers_in_the_public_filters_do_not_fail(client, partnership, query):
    response = client.get(reverse("library_public:search", args=[partnership.slug]) + "?" + query)
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["²", "99999999999999999999"])
def test_odd_page_numbers_in_the_open_data_are_refused_clearly(client, partnership, page):
    response = client.get(reverse("library_public:json", args=[partnership.slug]) + f"?page={page}")
    assert response.status_code in (400, 404)


def test_an_import_with_an_odd_year_lists_the_row(partnership):
    data = b"external_id,title,review_type,publisher,year\nx-1,A review,cspr,Somewhere,\xc2\xb2\n"
    parsed = parse_library_file(data, partnership=partnership, name="odd.csv")
    assert parsed.errors and parsed.errors[0].row == 2
    assert not LibraryRecord.objects.exists()


def test_non_public_records_are_for_the_business_unit_and_partner_leads(
    client, partnership, user_for_role
):
    hidden = make_record(partnership, title="A withdrawn review", is_public=False)
    url = reverse("library:record", args=[partnership.slug, hidden.pk])
    for role, status in (
        (Role.BUSINESS_UNIT, 200),
        (Role.PARTNER_LEAD, 200),
        (Role.AGENCY_CONTRIBUTOR, 404),
        (Role.ADMINISTRATOR, 404),
    ):
        client.force_login(user_for_role(role))
        assert client.get(url).status_code == status, role
    client.force_login(user_for_role(Role.AGENCY_CONTRIBUTOR))
    response = client.get(reverse("library:search", args=[partnership.slug]) + "?q=withdrawn")
    assert "A withdrawn review" not in response.content.decode()
