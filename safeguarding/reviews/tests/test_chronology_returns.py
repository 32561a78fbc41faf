"""A chronology upload against a chronology request is the request's return (issue 13): the next
version, with who and when, the file and its rows; the request page and the lists show it
returned, never "Returned v" with no version beside "Nothing has been returned yet"."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.reviews.models import AgencyReturn

from .chronology_support import (  # noqa: F401 (fixtures)
    GOOD_ROWS,
    chronology_request_fixture,
    contributor_fixture,
    csv_bytes,
    health_fixture,
    review_fixture,
    xlsx_bytes,
)


def post_file(client, review, agency, data, name="chronology.csv"):
    return client.post(
        reverse("reviews:chronology_upload", args=[review.partnership.slug, review.pk]),
        {"agency": str(agency.pk), "file": SimpleUploadedFile(name, data)},
    )


def detail(chronology_request):
    return reverse(
        "reviews:request_detail",
        args=[chronology_request.review.partnership.slug, chronology_request.pk],
    )


def test_an_upload_is_the_next_version_of_the_agencys_return(
    client, contributor, review, agency, chronology_request
):
    client.force_login(contributor)
    assert post_file(client, review, agency, csv_bytes(GOOD_ROWS)).status_code == 302
    chronology_request.refresh_from_db()
    assert chronology_request.returned_at is not None
    first = AgencyReturn.objects.get(request=chronology_request)
    assert (first.version, first.submitted_by) == (1, contributor)
    assert first.chronology_upload.rows_added == 3
    event = AuditEvent.objects.get(action="agency_return.submitted")
    assert event.payload["version"] == 1 and event.payload["attachment"] == "csv"

    page = client.get(detail(chronology_request)).content.decode()
    assert "Returned v1" in page
    assert "Returned v<" not in page and "Nothing has been returned yet" not in page
    assert "Version 1 (latest)" in page
    assert "chronology.csv" in page and "3 added to the chronology" in page
    assert contributor.full_name in page

    more = xlsx_bytes([["20/06/2025", "", "", "", "Telephone call", "", "", "routine"]])
    assert post_file(client, review, agency, more, "more.xlsx").status_code == 302
    assert list(
        AgencyReturn.objects.filter(request=chronology_request).values_list("version", flat=True)
    ) == [2, 1]
    page = client.get(detail(chronology_request)).content.decode()
    assert "Returned v2" in page and "more.xlsx" in page


def test_the_business_unit_uploading_for_the_agency_returns_it_too(
    bu_client, business_unit_user, review, agency, chronology_request
):
    post_file(bu_client, review, agency, csv_bytes(GOOD_ROWS))
    agency_return = AgencyReturn.objects.get(request=chronology_request)
    assert agency_return.submitted_by == business_unit_user
    listing = bu_client.get(
        reverse("reviews:requests", args=[review.partnership.slug, review.pk])
    ).content.decode()
    assert "Returned v1" in listing


def test_an_upload_for_an_agency_not_asked_returns_nothing(bu_client, review, health):
    post_file(bu_client, review, health, csv_bytes(GOOD_ROWS))
    assert not AgencyReturn.objects.exists()


def test_rows_typed_one_at_a_time_return_the_request_without_a_version(
    client, contributor, review, agency, chronology_request
):
    client.force_login(contributor)
    add = reverse("reviews:chronology_add", args=[review.partnership.slug, review.pk])
    response = client.post(
        add,
        {
            "agency": str(agency.pk),
            "occurred_on_0": "1",
            "occurred_on_1": "2",
            "occurred_on_2": "2025",
            "event": "Visit",
            "significance": "routine",
        },
    )
    assert response.status_code == 302
    page = client.get(detail(chronology_request)).content.decode()
    assert "Returned</strong>" in page and "Returned v" not in page
    assert "were added in the service, one at a time" in page
    assert "Nothing has been returned yet" not in page
    mine = client.get(reverse("reviews:my_requests", args=[review.partnership.slug]))
    assert "Returned</strong>" in mine.content.decode()


def test_the_imported_file_is_downloaded_by_its_agency_and_the_business_unit_only(
    client, bu_client, contributor, user_for_role, review, agency, health, chronology_request
):
    from safeguarding.accounts.models import Role
    from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
    from safeguarding.reviews.models import ChronologyUpload

    data = csv_bytes(GOOD_ROWS)
    post_file(bu_client, review, agency, data)
    post_file(bu_client, review, health, data)
    police, trust = ChronologyUpload.objects.order_by("pk")

    def file_url(upload):
        return reverse(
            "reviews:chronology_upload_file",
            args=[review.partnership.slug, review.pk, upload.pk],
        )

    response = bu_client.get(file_url(police))
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert AuditEvent.objects.filter(action="chronology.file_downloaded").count() == 1
    client.force_login(contributor)
    assert client.get(file_url(police)).status_code == 200
    assert client.get(file_url(trust)).status_code == 404  # another agency's (ADR 0010)
    stranger = UserFactory()
    MembershipFactory(user=stranger, partnership=review.partnership, role=Role.PANEL_MEMBER)
    client.force_login(stranger)  # not appointed to this review
    assert client.get(file_url(police)).status_code == 404


@pytest.mark.parametrize("uploads", [1, 6])
def test_the_request_page_keeps_its_query_count(
    client, contributor, review, agency, chronology_request, django_assert_max_num_queries, uploads
):
    client.force_login(contributor)
    for day in range(1, uploads + 1):
        rows = [[f"{day:02d}/01/2025", "", "", "", f"Visit {day}", "", "", "routine"]]
        post_file(client, review, agency, csv_bytes(rows))
    with django_assert_max_num_queries(15):  # the same for 1 version as for 6
        response = client.get(detail(chronology_request))
    assert f"Returned v{uploads}" in response.content.decode()
