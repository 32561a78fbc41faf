"""No review is stuck waiting for an agency (issue 13): the business unit records returns sent
by email or on paper, cancels or re-addresses requests, marks "nothing to return", sees which
agencies were not emailed and chases overdue requests together. Everything audited; the
business unit and the agencies told through notifications."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.reminders import reminders_send
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.models import Notification
from safeguarding.reviews import workflow
from safeguarding.reviews.models import AgencyRequest, AgencyReturn, Review
from safeguarding.reviews.requests import services

from .review_support import make_lcspr, member
from .rr_support import (  # noqa: F401 (fixtures)
    agency_b_fixture,
    contributor_a_fixture,
    contributor_b_fixture,
    contributor_for,
    deadline,
    rapid_review_fixture,
    today,
)

SUMMARY = AgencyRequest.Kind.AGENCY_SUMMARY
REPORT = AgencyRequest.Kind.AGENCY_REPORT


def url(name, agency_request):
    return reverse(name, args=[agency_request.review.partnership.slug, agency_request.pk])


def requests_url(review):
    return reverse("reviews:requests", args=[review.partnership.slug, review.pk])


def date_fields(prefix: str, value: datetime.date) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


def send(review, agencies, actor, kind=SUMMARY, due_on=None):
    return services.agency_requests_send(
        review=review,
        agencies=agencies,
        kind=kind,
        due_on=due_on or deadline(review),
        instructions="Cover the last 12 months.",
        actor=actor,
    )


def make_overdue(*requests):
    AgencyRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        due_on=today() - datetime.timedelta(days=3)
    )
    for r in requests:
        r.refresh_from_db()


@pytest.fixture
def colleague(partnership):
    """A second member of the business unit: told what the first one does."""
    return member(partnership, Role.BUSINESS_UNIT, "colleague@bu.example")


@pytest.fixture
def pdf_upload(sample_pdf):
    return SimpleUploadedFile("summary-scan.pdf", sample_pdf, content_type="application/pdf")


# Recording a return on the agency's behalf ------------------------------------------------


@pytest.mark.django_db
def test_the_business_unit_records_a_paper_summary_and_the_request_is_returned(
    bu_client,
    rapid_review,
    agency,
    business_unit_user,
    colleague,
    sample_pdf,
    django_capture_on_commit_callbacks,
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    page = bu_client.get(url("reviews:request_detail", agency_request)).content.decode()
    assert "Not emailed" in page  # no one at the agency has an account
    assert url("reviews:request_record_return", agency_request) in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            url("reviews:request_record_return", agency_request),
            {
                "received_from_name": "A. Sergeant",
                "received_from_role": "Safeguarding lead",
                "received_via": "post",
                **date_fields("received_on", today()),
                "attachment": SimpleUploadedFile(
                    "scan.pdf", sample_pdf, content_type="application/pdf"
                ),
            },
        )
    assert response.status_code == 302
    agency_request.refresh_from_db()
    assert agency_request.returned_at is not None and agency_request.is_open is False
    (agency_return,) = agency_request.returns.all()
    assert agency_return.recorded_on_behalf
    assert agency_return.submitted_by == business_unit_user
    assert (agency_return.received_via, agency_return.received_on) == ("post", today())
    assert agency_return.attachment_kind == "pdf"
    event = AuditEvent.objects.get(action="agency_return.recorded")
    assert event.payload["received_via"] == "post"
    # The colleague is told; whoever recorded it is not.
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert "Received" in mail.outbox[0].subject and agency.name in mail.outbox[0].subject
    assert "by post" in mail.outbox[0].body
    html = bu_client.get(url("reviews:request_detail", agency_request)).content.decode()
    assert "A. Sergeant, Safeguarding lead" in html
    assert "on the agency&#x27;s behalf" in html or "on the agency's behalf" in html


@pytest.mark.django_db
def test_a_return_recorded_without_who_or_when_shows_errors_and_changes_nothing(
    bu_client, rapid_review, agency, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    response = bu_client.post(
        url("reviews:request_record_return", agency_request), {"involvement": "Two visits."}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter who at the agency sent it" in html
    assert "Select how the return arrived" in html
    assert "Enter date it arrived" in html
    assert not AgencyReturn.objects.exists()
    agency_request.refresh_from_db()
    assert agency_request.returned_at is None


@pytest.mark.django_db
def test_a_recorded_return_needs_content_and_a_date_not_in_the_future(
    bu_client, rapid_review, agency, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    base = {"received_from_name": "A. Sergeant", "received_via": "email"}
    response = bu_client.post(
        url("reviews:request_record_return", agency_request),
        {**base, **date_fields("received_on", today())},
    )
    assert "Type the agency&#x27;s involvement or attach" in response.content.decode()
    response = bu_client.post(
        url("reviews:request_record_return", agency_request),
        {
            **base,
            **date_fields("received_on", today() + datetime.timedelta(days=1)),
            "involvement": "Two visits.",
        },
    )
    assert "must be today or in the past" in response.content.decode()
    assert not AgencyReturn.objects.exists()


@pytest.mark.django_db
def test_the_constraint_refuses_a_recorded_return_without_who_when_and_how(
    rapid_review, agency, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyReturn.objects.create(
            request=agency_request,
            version=1,
            submitted_by=business_unit_user,
            involvement="x",
            recorded_on_behalf=True,
        )


@pytest.mark.django_db
def test_only_the_business_unit_records_returns_and_closes_requests(
    client, rapid_review, agency, agency_b, contributor_a, contributor_b, business_unit_user
):
    mine, theirs = sorted(
        send(rapid_review, [agency, agency_b], business_unit_user),
        key=lambda r: r.agency_id != agency.pk,
    )
    client.force_login(contributor_a)
    for name in (
        "reviews:request_record_return",
        "reviews:request_close",
        "reviews:request_readdress",
    ):
        assert client.get(url(name, mine)).status_code == 403
        assert client.get(url(name, theirs)).status_code == 404  # another agency's: not there
    assert client.post(url("reviews:request_close", mine), {}).status_code == 403
    with pytest.raises(ServiceError):
        services.agency_return_record(
            request=mine,
            actor=contributor_a,
            fields={"involvement": "x"},
            received_from_name="x",
            received_via="email",
            received_on=today(),
        )


@pytest.mark.django_db
def test_a_return_through_the_service_tells_the_business_unit(
    rapid_review,
    agency,
    contributor_a,
    business_unit_user,
    colleague,
    django_capture_on_commit_callbacks,
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.agency_return_submit(
            request=agency_request, user=contributor_a, fields={"involvement": "One visit."}
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [business_unit_user.email, colleague.email]
    )
    assert all(agency.name + " has sent its agency summary" in m.body for m in mail.outbox)


# Nothing to return, cancelling, re-addressing --------------------------------------------


@pytest.mark.django_db
def test_nothing_to_return_closes_the_request_and_tells_the_agency(
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
            url("reviews:request_close", agency_request),
            {"outcome": "nothing_to_return", "reason": "The school had no contact with Q."},
        )
    assert response.status_code == 302
    agency_request.refresh_from_db()
    assert agency_request.is_nothing_to_return and not agency_request.is_open
    assert agency_request.closed_by == business_unit_user
    event = AuditEvent.objects.get(action="agency_request.nothing_to_return")
    assert event.payload["reason"] == "The school had no contact with Q."
    assert [m.to for m in mail.outbox] == [[contributor_a.email]]
    assert "nothing to return" in mail.outbox[0].subject
    assert "The school had no contact with Q." in mail.outbox[0].body
    # The agency can no longer return it; the request page says what happened.
    with pytest.raises(ServiceError):
        services.agency_return_submit(
            request=agency_request, user=contributor_a, fields={"involvement": "late"}
        )
    page = bu_client.get(requests_url(rapid_review)).content.decode()
    assert "Nothing to return" in page


@pytest.mark.django_db
def test_closing_without_a_reason_shows_errors_and_changes_nothing(
    bu_client, rapid_review, agency, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    response = bu_client.post(url("reviews:request_close", agency_request), {"reason": " "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Select what has happened" in html and "Enter the reason" in html
    agency_request.refresh_from_db()
    assert agency_request.closure == ""
    assert not AuditEvent.objects.filter(action__startswith="agency_request.n").exists()


@pytest.mark.django_db
def test_a_cancelled_request_is_kept_and_the_agency_can_be_asked_again(
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
        bu_client.post(
            url("reviews:request_close", agency_request),
            {"outcome": "cancelled", "reason": "Sent by mistake."},
        )
    agency_request.refresh_from_db()
    assert agency_request.is_cancelled
    assert [m.to for m in mail.outbox] == [[contributor_a.email]]
    assert mail.outbox[0].subject.startswith("Cancelled")
    # A second close is refused, with the reason, and nothing changes.
    with pytest.raises(ServiceError, match="cancelled"):
        services.agency_request_cancel(
            request=agency_request, reason="again", actor=business_unit_user
        )
    response = bu_client.get(url("reviews:request_close", agency_request))
    assert response.status_code == 302
    # The same agency can be asked again; the cancelled request stays, struck through.
    (again,) = send(rapid_review, [agency], business_unit_user)
    assert rapid_review.requests.count() == 2
    page = bu_client.get(requests_url(rapid_review)).content.decode()
    assert "<s>" in page and "Cancelled" in page
    assert again.pk != agency_request.pk


@pytest.mark.django_db
def test_re_addressing_sends_the_request_to_another_agency(
    bu_client,
    rapid_review,
    agency,
    agency_b,
    contributor_a,
    contributor_b,
    business_unit_user,
    django_capture_on_commit_callbacks,
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            url("reviews:request_readdress", agency_request),
            {
                "agency": agency_b.pk,
                **date_fields("due_on", deadline(rapid_review)),
                "reason": "Health visiting, not the police, saw the family.",
            },
        )
    assert response.status_code == 302
    agency_request.refresh_from_db()
    new = agency_request.replaced_by
    assert agency_request.is_cancelled and new is not None
    assert (new.agency, new.kind, new.instructions) == (
        agency_b,
        SUMMARY,
        "Cover the last 12 months.",
    )
    assert new.is_open
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {contributor_a.email, contributor_b.email}
    assert by_address[contributor_a.email].subject.startswith("Re-addressed")
    assert agency_b.name in by_address[contributor_a.email].body
    assert "asks Testshire Community Health for" in by_address[contributor_b.email].subject
    event = AuditEvent.objects.get(action="agency_request.readdressed")
    assert event.payload["to_agency"] == agency_b.slug
    assert event.payload["new_request"] == new.pk
    html = bu_client.get(url("reviews:request_detail", new)).content.decode()
    assert "Re-addressed from" in html


@pytest.mark.django_db
def test_re_addressing_to_the_same_agency_or_one_already_asked_is_refused(
    bu_client, rapid_review, agency, agency_b, business_unit_user
):
    first, second = send(rapid_review, [agency, agency_b], business_unit_user)
    with pytest.raises(ServiceError, match="different agency"):
        services.agency_request_readdress(
            request=first,
            agency=first.agency,
            due_on=deadline(rapid_review),
            reason="x",
            actor=business_unit_user,
        )
    response = bu_client.post(
        url("reviews:request_readdress", first),
        {
            "agency": second.agency.pk,
            **date_fields("due_on", deadline(rapid_review)),
            "reason": "Moved.",
        },
    )
    assert response.status_code == 200
    assert "already has this request" in response.content.decode()
    response = bu_client.post(url("reviews:request_readdress", first), {})
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Select the agency to ask instead" in html
    first.refresh_from_db()
    assert first.is_open and rapid_review.requests.count() == 2


@pytest.mark.django_db
def test_a_returned_request_cannot_be_closed(
    rapid_review, agency, contributor_a, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency], business_unit_user)
    services.agency_return_submit(
        request=agency_request, user=contributor_a, fields={"involvement": "One visit."}
    )
    agency_request.refresh_from_db()
    with pytest.raises(ServiceError, match="already returned"):
        services.agency_request_nothing_to_return(
            request=agency_request, reason="x", actor=business_unit_user
        )


# The review moves on -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_review_moves_on_when_every_request_is_returned_closed_or_cancelled(
    partnership, agency, business_unit_user, sample_pdf
):
    review, _ = make_lcspr(partnership, business_unit_user)
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.AGENCY_REPORTS)
    review.refresh_from_db()
    school = AgencyFactory(name="Testshire Primary School", slug="testshire-school")
    housing = AgencyFactory(name="Testshire Housing", slug="testshire-housing")
    partnership.agencies.add(agency, school, housing)
    due = today() + datetime.timedelta(days=20)
    police, school_request, housing_request = sorted(
        send(review, [agency, school, housing], business_unit_user, kind=REPORT, due_on=due),
        key=lambda r: r.agency.name,
    )
    blocked = workflow.missing_for(review, Review.Stage.DRAFTING)
    assert any("Wait for every agency" in reason for reason in blocked)
    services.agency_return_record(
        request=police,
        actor=business_unit_user,
        fields={},
        attachment=SimpleUploadedFile("report.pdf", sample_pdf, content_type="application/pdf"),
        received_from_name="DI Example",
        received_via="email",
        received_on=today(),
    )
    services.agency_request_nothing_to_return(
        request=school_request, reason="No contact in the period.", actor=business_unit_user
    )
    assert workflow.missing_for(review, Review.Stage.DRAFTING) != []
    services.agency_request_cancel(
        request=housing_request, reason="Not involved after all.", actor=business_unit_user
    )
    assert workflow.missing_for(review, Review.Stage.DRAFTING) == []
    tasks = dict(workflow.task_list(review))["Gather the evidence"]
    assert tasks[0].status == "Completed"


@pytest.mark.django_db
def test_a_review_whose_only_request_was_cancelled_has_asked_no_one(
    partnership, agency, business_unit_user
):
    review, _ = make_lcspr(partnership, business_unit_user)
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.AGENCY_REPORTS)
    review.refresh_from_db()
    partnership.agencies.add(agency)
    (only,) = send(
        review, [agency], business_unit_user, kind=REPORT, due_on=today() + datetime.timedelta(1)
    )
    services.agency_request_cancel(request=only, reason="Wrong agency.", actor=business_unit_user)
    assert workflow.missing_for(review, Review.Stage.DRAFTING) == [
        "Ask the agencies for their reports and chronologies"
    ]


# Who was emailed, and chasing ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_requests_page_says_which_agencies_were_not_emailed(
    bu_client, rapid_review, agency, agency_b, contributor_a, business_unit_user
):
    response = bu_client.post(
        requests_url(rapid_review),
        {
            "agencies": [agency.pk, agency_b.pk],
            "kind": SUMMARY,
            **date_fields("due_on", deadline(rapid_review)),
        },
        follow=True,
    )
    html = response.content.decode()
    assert f"No one at {agency_b.name} has an account" in html  # the message after sending
    assert "1 agency was not emailed" in html
    health = rapid_review.requests.get(agency=agency_b)
    police = rapid_review.requests.get(agency=agency)
    detail = bu_client.get(url("reviews:request_detail", health)).content.decode()
    assert "Not emailed" in detail and "send the request yourself" in detail
    detail = bu_client.get(url("reviews:request_detail", police)).content.decode()
    assert contributor_a.email in detail
    # Someone at the agency gets an account later: the page says chasing will reach them.
    contributor_for(rapid_review.partnership, agency_b, "new.person@health.example")
    detail = bu_client.get(url("reviews:request_detail", health)).content.decode()
    assert "1 person has an account now: chase to email them" in detail


@pytest.mark.django_db
def test_chasing_an_agency_no_one_can_be_emailed_at_is_refused(
    rapid_review, agency_b, business_unit_user
):
    (agency_request,) = send(rapid_review, [agency_b], business_unit_user)
    with pytest.raises(ServiceError, match="No one at"):
        services.agency_request_chase(request=agency_request, actor=business_unit_user)
    agency_request.refresh_from_db()
    assert agency_request.times_chased == 0


@pytest.mark.django_db
def test_several_overdue_requests_are_chased_together_once_each(
    bu_client,
    rapid_review,
    agency,
    agency_b,
    contributor_a,
    contributor_b,
    business_unit_user,
    django_capture_on_commit_callbacks,
):
    police, health = sorted(
        send(rapid_review, [agency, agency_b], business_unit_user), key=lambda r: r.agency.name
    )
    make_overdue(police, health)
    page = bu_client.get(requests_url(rapid_review)).content.decode()
    assert "Chase overdue requests" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            reverse("reviews:requests_chase", args=["testshire", rapid_review.pk]),
            {"requests": [police.pk, health.pk]},
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contributor_a.email, contributor_b.email]
    )
    events = AuditEvent.objects.filter(action="agency_request.chased")
    assert events.count() == 2 and all(e.payload["bulk"] for e in events)
    for r in (police, health):
        r.refresh_from_db()
        assert r.times_chased == 1


@pytest.mark.django_db
def test_bulk_chasing_without_a_choice_or_a_request_not_overdue_changes_nothing(
    bu_client, rapid_review, agency, agency_b, contributor_a, contributor_b, business_unit_user
):
    police, health = sorted(
        send(rapid_review, [agency, agency_b], business_unit_user), key=lambda r: r.agency.name
    )
    make_overdue(police)
    chase_url = reverse("reviews:requests_chase", args=["testshire", rapid_review.pk])
    response = bu_client.post(chase_url, {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Select at least one overdue request to chase" in html
    response = bu_client.post(chase_url, {"requests": [police.pk, health.pk]})
    assert "Select overdue requests from the list" in response.content.decode()
    with pytest.raises(ServiceError, match="Only overdue requests"):
        services.agency_requests_chase(
            review=rapid_review, requests=[police, health], actor=business_unit_user
        )
    assert not AuditEvent.objects.filter(action="agency_request.chased").exists()
    police.refresh_from_db()
    assert police.times_chased == 0


# Reminders -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_overdue_request_is_told_to_the_business_unit_too(
    partnership, agency, business_unit_user, django_capture_on_commit_callbacks
):
    review, _ = make_lcspr(partnership, business_unit_user)
    no_account = AgencyFactory(name="Testshire Dental", slug="testshire-dental")
    AgencyRequest.objects.create(
        review=review,
        agency=no_account,
        kind=REPORT,
        due_on=today() - datetime.timedelta(days=2),
        requested_by=business_unit_user,
    )
    mail.outbox.clear()
    assert reminders_send(today=today(), sources=["agency_requests"]) == 1
    (email,) = mail.outbox
    assert email.to == [business_unit_user.email]
    assert "is overdue" in email.subject
    assert "Testshire Dental has not returned" in email.body
    assert "no one there was reminded" in email.body
    assert Notification.objects.filter(kind="agency_request.overdue").count() == 1
    # Closed requests are not reminded.
    AgencyRequest.objects.update(
        closure="nothing_to_return",
        closed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        closed_by=business_unit_user,
        closure_reason="x",
        due_on=today() - datetime.timedelta(days=1),
    )
    assert reminders_send(today=today(), sources=["agency_requests"]) == 0


@pytest.mark.django_db
def test_the_rapid_review_report_says_what_came_outside_the_service(
    rapid_review, agency, agency_b, business_unit_user, pdf_upload
):
    from safeguarding.reviews.rapid_review.report import build_sections

    police, health = sorted(
        send(rapid_review, [agency, agency_b], business_unit_user),
        key=lambda r: r.agency_id != agency.pk,
    )
    services.agency_return_record(
        request=police,
        actor=business_unit_user,
        fields={},
        attachment=pdf_upload,
        received_from_name="DI Example",
        received_via="email",
        received_on=today(),
    )
    services.agency_request_nothing_to_return(
        request=health, reason="No contact with the family.", actor=business_unit_user
    )
    (involvement,) = [s for s in build_sections(rapid_review) if s.heading == "Agency involvement"]
    text = {sub.heading: " ".join(sub.paragraphs) for sub in involvement.subsections}
    assert "sent by email by DI Example" in text[agency.name]
    assert "Attached file: summary-scan.pdf" in text[agency.name]
    assert text[agency_b.name] == "Nothing to return: No contact with the family."


@pytest.mark.django_db
def test_an_agency_marked_nothing_to_return_by_mistake_can_be_asked_again(
    rapid_review, agency, business_unit_user
):
    (first,) = send(rapid_review, [agency], business_unit_user)
    services.agency_request_nothing_to_return(
        request=first, reason="Marked in error.", actor=business_unit_user
    )
    (again,) = send(rapid_review, [agency], business_unit_user)
    assert again.is_open and rapid_review.requests.count() == 2
    with pytest.raises(ServiceError, match="already has this request"):
        send(rapid_review, [agency], business_unit_user)
