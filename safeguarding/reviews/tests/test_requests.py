"""Asking agencies for information and receiving versioned returns (docs/rules.md §rapid-review,
§agency-contributions)."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.core.calendar import add_working_days
from safeguarding.core.errors import ServiceError
from safeguarding.reviews.models import AgencyRequest, AgencyReturn
from safeguarding.reviews.requests import services

from .rr_support import (  # noqa: F401 (fixtures)
    REAL_NAME,
    agency_b_fixture,
    contributor_a_fixture,
    contributor_b_fixture,
    deadline,
    rapid_review_fixture,
    today,
)

SUMMARY = AgencyRequest.Kind.AGENCY_SUMMARY
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def requests_url(review):
    return reverse("reviews:requests", args=[review.partnership.slug, review.pk])


def detail_url(agency_request):
    return reverse(
        "reviews:request_detail", args=[agency_request.review.partnership.slug, agency_request.pk]
    )


def send(review, agencies, actor, kind=SUMMARY, due_on=None):
    return services.agency_requests_send(
        review=review,
        agencies=agencies,
        kind=kind,
        due_on=due_on or deadline(review),
        instructions="Cover the last 12 months.",
        actor=actor,
    )


def date_fields(prefix: str, value: datetime.date) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


# Sending -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_business_unit_asks_agencies_and_their_contributors_are_emailed(
    bu_client,
    rapid_review,
    agency,
    agency_b,
    contributor_a,
    contributor_b,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            requests_url(rapid_review),
            {
                "agencies": [agency.pk, agency_b.pk],
                "kind": SUMMARY,
                **date_fields("due_on", deadline(rapid_review)),
                "instructions": "Cover the last 12 months.",
            },
        )
    assert response.status_code == 302
    assert rapid_review.requests.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contributor_a.email, contributor_b.email]
    )
    police = next(m for m in mail.outbox if m.to == [contributor_a.email])
    police_request = rapid_review.requests.get(agency=agency)
    assert detail_url(police_request) in police.body
    assert REAL_NAME not in police.body
    assert AuditEvent.objects.filter(action="agency_request.sent").count() == 2
    page = bu_client.get(requests_url(rapid_review)).content.decode()
    assert "Requested" in page and agency_b.name in page


@pytest.mark.django_db
def test_an_agency_summary_due_after_the_15_working_day_window_is_refused(
    bu_client, rapid_review, agency
):
    late = add_working_days(rapid_review.case.became_aware_on, 16)
    response = bu_client.post(
        requests_url(rapid_review),
        {"agencies": [agency.pk], "kind": SUMMARY, **date_fields("due_on", late)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "(R9)" in html
    assert not AgencyRequest.objects.exists()


@pytest.mark.django_db
def test_a_due_date_in_the_past_is_refused(rapid_review, agency, business_unit_user):
    with pytest.raises(ServiceError) as error:
        send(rapid_review, [agency], business_unit_user, due_on=today() - datetime.timedelta(1))
    assert error.value.field == "due_on"
    assert not AgencyRequest.objects.exists()


@pytest.mark.django_db
def test_the_same_request_to_the_same_agency_twice_is_refused(
    bu_client, rapid_review, agency, agency_b, business_unit_user
):
    send(rapid_review, [agency], business_unit_user)
    response = bu_client.post(
        requests_url(rapid_review),
        {
            "agencies": [agency.pk, agency_b.pk],
            "kind": SUMMARY,
            **date_fields("due_on", deadline(rapid_review)),
        },
    )
    assert response.status_code == 200
    assert "already has this request" in response.content.decode()
    assert rapid_review.requests.count() == 1  # nothing saved, not even for agency B


@pytest.mark.django_db
def test_the_send_form_without_agencies_or_date_shows_govuk_errors(bu_client, rapid_review):
    response = bu_client.post(requests_url(rapid_review), {"kind": SUMMARY})
    html = response.content.decode()
    assert "Select at least one agency" in html
    assert "Enter due date" in html
    assert not AgencyRequest.objects.exists()


# Chasing and status -------------------------------------------------------------------------


@pytest.mark.django_db
def test_chasing_is_counted_audited_and_emailed(
    bu_client,
    rapid_review,
    agency,
    contributor_a,
    business_unit_user,
    django_capture_on_commit_callbacks,
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            reverse("reviews:request_chase", args=["testshire", agency_request.pk])
        )
    assert response.status_code == 302
    agency_request.refresh_from_db()
    assert agency_request.times_chased == 1
    assert agency_request.last_chased_on == today()
    assert AuditEvent.objects.filter(action="agency_request.chased").count() == 1
    assert [m.to for m in mail.outbox] == [[contributor_a.email]]
    assert mail.outbox[0].subject.startswith("Reminder")
    assert "Chased 1 time" in bu_client.get(requests_url(rapid_review)).content.decode()


@pytest.mark.django_db
def test_an_open_request_past_its_due_date_shows_overdue(
    bu_client, rapid_review, agency, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    AgencyRequest.objects.filter(pk=agency_request.pk).update(
        due_on=today() - datetime.timedelta(days=2)
    )
    assert 'govuk-tag--red">Overdue' in bu_client.get(requests_url(rapid_review)).content.decode()


@pytest.mark.django_db
def test_the_partner_lead_reads_the_requests_page_and_only_the_business_unit_asks(
    client_for, rapid_review, agency
):
    # Every reader of the review sees its requests (ADR 0010); only the business unit asks
    # and chases, so the partner lead gets no form and a POST is refused (403). The others do
    # not see the review at all (404).
    client = client_for("partner_lead")
    page = client.get(requests_url(rapid_review))
    assert page.status_code == 200
    assert "Send the request" not in page.content.decode()
    assert "Chase" not in page.content.decode()
    before = AgencyRequest.objects.count()
    posted = client.post(requests_url(rapid_review), {"agencies": [agency.pk], "kind": "summary"})
    assert posted.status_code == 403
    assert AgencyRequest.objects.count() == before
    client.logout()
    for role in ("agency_contributor", "reviewer", "administrator"):
        client = client_for(role)
        assert client.get(requests_url(rapid_review)).status_code == 404
        client.logout()


@pytest.mark.django_db
def test_requests_page_query_count_does_not_grow(
    bu_client,
    rapid_review,
    agency,
    agency_b,
    business_unit_user,
    contributor_a,
    django_assert_max_num_queries,
):
    send(rapid_review, [agency], business_unit_user)
    # 21: one of them reads the partnerships sharing the review whose agencies may be asked
    # (ADR 0022), the same however many requests there are.
    with django_assert_max_num_queries(21) as few:
        bu_client.get(requests_url(rapid_review))
    send(rapid_review, [agency, agency_b], business_unit_user, kind="agency_report")
    for r in rapid_review.requests.filter(agency=agency):
        if r.kind == "agency_report":
            for n in range(3):
                services.agency_return_submit(
                    request=r, user=contributor_a, fields={"report": f"Report {n}"}
                )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = bu_client.get(requests_url(rapid_review))
    assert "Returned v3" in response.content.decode()


# Agency contributors --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_contributor_sees_only_their_agencys_requests_and_no_identities(
    client, rapid_review, agency, agency_b, contributor_a, contributor_b, business_unit_user
):
    mine, theirs = send(rapid_review, [agency, agency_b], business_unit_user)
    if mine.agency != agency:
        mine, theirs = theirs, mine
    client.force_login(contributor_a)
    listing = client.get(reverse("reviews:my_requests", args=["testshire"])).content.decode()
    assert detail_url(mine) in listing
    assert detail_url(theirs) not in listing
    assert agency_b.name not in listing
    page = client.get(detail_url(mine))
    assert page.status_code == 200
    html = page.content.decode()
    for secret in (REAL_NAME, IDENTITY_ADDRESS, rapid_review.case.pseudonym):
        assert secret not in html
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.get(requests_url(rapid_review)).status_code == 404


MY_REQUESTS_QUERIES = 7  # session, user, partnership, roles, agencies, the page, unread count


@pytest.mark.django_db
def test_a_contributors_requests_come_a_page_at_a_time_in_the_same_queries(
    client, rapid_review, agency, contributor_a, business_unit_user, django_assert_num_queries
):
    """Issue 16: an agency's requests pile up with the years. The list is read a page at a
    time (the page and its count in one query, each request's latest return version beside
    it), so it makes the same queries with no request and with many; waiting ones first."""
    from django.utils import timezone

    from safeguarding.core.pagination import PAGE_SIZE

    url = reverse("reviews:my_requests", args=["testshire"])
    client.force_login(contributor_a)
    client.get(url)  # the session's first request
    with django_assert_num_queries(MY_REQUESTS_QUERIES):
        empty = client.get(url).content.decode()
    assert "There are no requests for your agency" in empty
    assert "govuk-pagination" not in empty

    returned = send(rapid_review, [agency], business_unit_user, kind=AgencyRequest.Kind.CHRONOLOGY)[
        0
    ]
    for version in (1, 2):
        AgencyReturn.objects.create(request=returned, version=version, submitted_by=contributor_a)
    AgencyRequest.objects.filter(pk=returned.pk).update(returned_at=timezone.now())
    waiting = send(rapid_review, [agency], business_unit_user)[0]
    now = timezone.now()
    closed = [
        AgencyRequest(
            review=rapid_review,
            agency=agency,
            kind=SUMMARY,
            due_on=waiting.due_on + datetime.timedelta(days=n + 1),
            requested_by=business_unit_user,
            closure=AgencyRequest.Closure.NOTHING_TO_RETURN,
            closed_at=now,
            closed_by=business_unit_user,
            closure_reason="No involvement.",
        )
        for n in range(PAGE_SIZE)
    ]
    AgencyRequest.objects.bulk_create(closed)
    with django_assert_num_queries(MY_REQUESTS_QUERIES):
        first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"}).content.decode()

    def listed(html):
        return html.count('data-label="Status"')

    assert listed(first) == PAGE_SIZE and listed(second) == 2
    assert detail_url(waiting) in first  # waiting first (earliest due)
    assert "Requested" in first and "Nothing to return" in first
    assert detail_url(returned) in second and "Returned v2" in second  # returned last
    assert 'href="?page=2"' in first and 'href="?page=1"' in second
    assert "(page 2 of 2)" in second
    for bad, same_as in (("abc", first), ("0", second), ("99", second), ("-1", second)):
        assert listed(client.get(url, {"page": bad}).content.decode()) == listed(same_as), bad
    assert detail_url(returned) in client.get(url, {"page": "99"}).content.decode()


IDENTITY_ADDRESS = "1 Fictional Row"


@pytest.mark.django_db
def test_a_contributor_cannot_download_another_agencys_attachment(
    client,
    rapid_review,
    agency,
    agency_b,
    contributor_a,
    contributor_b,
    business_unit_user,
    sample_pdf,
):
    requests = {r.agency_id: r for r in send(rapid_review, [agency, agency_b], business_unit_user)}
    theirs = requests[agency_b.pk]
    agency_return = services.agency_return_submit(
        request=theirs,
        user=contributor_b,
        fields={"involvement": "Health visits."},
        attachment=SimpleUploadedFile("summary.pdf", sample_pdf),
    )
    url = reverse("reviews:return_attachment", args=["testshire", theirs.pk, agency_return.pk])
    client.force_login(contributor_a)
    assert client.get(url).status_code == 404
    client.force_login(contributor_b)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_every_download_of_a_returned_file_is_audited(
    client, bu_client, rapid_review, agency, contributor_a, business_unit_user, sample_pdf
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    agency_return = services.agency_return_submit(
        request=agency_request,
        user=contributor_a,
        fields={"involvement": "Health visits."},
        attachment=SimpleUploadedFile("Summary – Ward 3.pdf", sample_pdf),
    )
    url = reverse(
        "reviews:return_attachment", args=["testshire", agency_request.pk, agency_return.pk]
    )
    response = bu_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        'attachment; filename="Summary _ Ward 3.pdf"; '
        "filename*=UTF-8''Summary%20%E2%80%93%20Ward%203.pdf"
    )
    client.force_login(contributor_a)
    assert client.get(url).status_code == 200
    events = AuditEvent.objects.filter(action="agency_return.downloaded").order_by("id")
    assert [event.actor for event in events] == [business_unit_user, contributor_a]
    assert events[0].object_id == str(agency_return.pk)
    assert events[0].partnership == rapid_review.partnership
    assert events[0].payload == {"request": agency_request.pk, "version": 1}


@pytest.mark.django_db
def test_returns_are_versioned_and_earlier_versions_kept(
    client, rapid_review, agency, contributor_a, business_unit_user, sample_docx
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    client.force_login(contributor_a)
    first = client.post(
        detail_url(agency_request),
        {
            "involvement": "Two police call-outs in March.",
            "went_well": "Quick referral to children's services.",
            "concerns": "No joint visit.",
            "immediate_actions": "Briefing for response officers.",
            "attachment": SimpleUploadedFile("summary.docx", sample_docx),
        },
    )
    assert first.status_code == 302
    client.post(detail_url(agency_request), {"involvement": "Three call-outs, corrected."})
    versions = list(agency_request.returns.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].involvement == "Two police call-outs in March."
    assert versions[0].attachment_kind == "docx"
    assert versions[1].involvement == "Three call-outs, corrected."
    agency_request.refresh_from_db()
    assert agency_request.returned_at is not None
    html = client.get(detail_url(agency_request)).content.decode()
    assert "Version 1" in html and "Version 2 (latest)" in html
    assert AuditEvent.objects.filter(action="agency_return.submitted").count() == 2


@pytest.mark.django_db
def test_a_png_named_pdf_is_refused_and_nothing_is_saved(
    client, rapid_review, agency, contributor_a, business_unit_user, settings
):
    from pathlib import Path

    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    client.force_login(contributor_a)
    before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    response = client.post(
        detail_url(agency_request),
        {"involvement": "Some text.", "attachment": SimpleUploadedFile("summary.pdf", PNG)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "must be a PDF" in html
    assert not AgencyReturn.objects.exists()
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == before
    agency_request.refresh_from_db()
    assert agency_request.returned_at is None


@pytest.mark.django_db
def test_an_empty_summary_is_refused(
    client, rapid_review, agency, contributor_a, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    client.force_login(contributor_a)
    response = client.post(detail_url(agency_request), {"involvement": "  "})
    assert "Enter your agency" in response.content.decode()
    assert not AgencyReturn.objects.exists()


@pytest.mark.django_db
def test_the_business_unit_reads_returns_but_cannot_submit_one(
    bu_client, rapid_review, agency, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    assert bu_client.get(detail_url(agency_request)).status_code == 200
    assert bu_client.post(detail_url(agency_request), {"involvement": "x"}).status_code == 403
    with pytest.raises(ServiceError):
        services.agency_return_submit(
            request=agency_request, user=business_unit_user, fields={"involvement": "x"}
        )


@pytest.mark.django_db
def test_staff_home_links_a_contributor_to_their_requests(
    client, rapid_review, agency, contributor_a, business_unit_user
):
    client.force_login(contributor_a)
    home = client.get(reverse("workspace:partnership_home", args=["testshire"])).content.decode()
    assert reverse("reviews:my_requests", args=["testshire"]) in home
    assert "There are no requests for your agency" in home
    send(rapid_review, [agency], business_unit_user)
    home = client.get(reverse("workspace:partnership_home", args=["testshire"])).content.decode()
    assert "1 waiting for a return" in home
    assert "There are no requests for your agency" not in home
