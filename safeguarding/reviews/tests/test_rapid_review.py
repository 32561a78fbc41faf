"""The rapid review (docs/rules.md §rapid-review): start, immediate actions, meeting and
recommendation, the report as Word and PDF, sending to the National Panel (R10) and its response
(R11)."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Milestone
from safeguarding.clock.selectors import milestone_list_for_subject
from safeguarding.core.errors import ServiceError
from safeguarding.core.tests.document_checks import assert_accessible_pdf, docx_facts
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reviews.models import ImmediateAction, Review
from safeguarding.reviews.rapid_review import services
from safeguarding.reviews.requests import services as requests_services

from .rr_support import (  # noqa: F401 (fixtures)
    REAL_NAME,
    agency_b_fixture,
    contributor_a_fixture,
    deadline,
    rapid_review_fixture,
    today,
)


def url(name, review, **query):
    path = reverse(f"reviews:{name}", args=[review.partnership.slug, review.pk])
    return path + (f"?format={query['format']}" if query else "")


def date_fields(prefix: str, value: datetime.date) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


OUTCOME = {
    "meeting_attendees": "Police DI, ICB designated nurse, children's services head of service",
    "facts_summary": "Child Q was taken to hospital with injuries on a fictional date.",
    "learning_identified": "Information about the father's history was not shared.",
    "recommendation": "rapid_review_then_local",
    "recommendation_rationale": "Multi-agency working raises questions a local review can answer.",
    "national_importance_view": "No issues of national importance.",
}


def record_outcome(review, actor):
    return services.rapid_review_outcome_record(
        review=review, meeting_held_on=today(), actor=actor, **OUTCOME
    )


def ask_and_return(review, agency, actor, contributor):
    (agency_request,) = requests_services.agency_requests_send(
        review=review,
        agencies=[agency],
        kind="agency_summary",
        due_on=deadline(review),
        instructions="",
        actor=actor,
    )
    requests_services.agency_return_submit(
        request=agency_request,
        user=contributor,
        fields={
            "involvement": "Police attended the home twice in March.",
            "went_well": "Prompt referral to children's services.",
            "concerns": "No strategy discussion was held.",
            "immediate_actions": "Response officers briefed.",
        },
    )
    return agency_request


# Starting ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_case_page_offers_to_start_the_rapid_review_once(
    bu_client, partnership, business_unit_user
):
    case = make_case(partnership, business_unit_user, pseudonym="Child R")
    referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    case_url = reverse("referrals:case", args=["testshire", case.pk])
    start_url = reverse("reviews:start_rapid_review", args=["testshire", case.pk])
    assert start_url in bu_client.get(case_url).content.decode()
    assert bu_client.get(start_url).status_code == 200
    response = bu_client.post(start_url)
    review = Review.objects.get(case=case)
    assert review.kind == Review.Kind.RAPID_REVIEW
    assert response.status_code == 302
    assert start_url not in bu_client.get(case_url).content.decode()
    again = bu_client.post(start_url)
    assert "already has a rapid review" in again.content.decode()
    assert Review.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_a_case_whose_guidance_has_no_rapid_review_is_refused_in_words(
    bu_client, partnership, business_unit_user
):
    """R9 came with Working Together 2018: a case the partnership became aware of before any
    children's guidance the service holds has no rapid review, and the start page says so
    rather than failing (found by the bench's generated cases)."""
    case = make_case(partnership, business_unit_user, pseudonym="Child S")
    referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    case.guidance.all().delete()
    type(case).objects.filter(pk=case.pk).update(became_aware_on=datetime.date(2017, 6, 1))
    start_url = reverse("reviews:start_rapid_review", args=["testshire", case.pk])
    page = bu_client.get(start_url)
    assert page.status_code == 200
    assert "A rapid review is not part of the guidance this case follows" in page.content.decode()
    assert "Start the rapid review</button>" not in page.content.decode()
    refused = bu_client.post(start_url)
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.content.decode()
    assert not Review.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_only_the_business_unit_starts_a_rapid_review(client_for, partnership, business_unit_user):
    case = make_case(partnership, business_unit_user)
    start_url = reverse("reviews:start_rapid_review", args=["testshire", case.pk])
    assert client_for("partner_lead").post(start_url).status_code == 403
    assert not Review.objects.exists()


# Immediate actions --------------------------------------------------------------------------


@pytest.mark.django_db
def test_immediate_actions_are_recorded_at_once(bu_client, rapid_review, agency):
    response = bu_client.post(
        url("immediate_actions", rapid_review),
        {
            "action": "Safety plan for the sibling.",
            "agency": agency.pk,
            **date_fields("taken_on", today()),
        },
    )
    assert response.status_code == 302
    action = ImmediateAction.objects.get()
    assert action.agency == agency
    assert AuditEvent.objects.filter(action="review.immediate_action_recorded").exists()
    assert (
        "Safety plan for the sibling."
        in bu_client.get(url("immediate_actions", rapid_review)).content.decode()
    )


@pytest.mark.django_db
def test_an_immediate_action_in_the_future_is_refused(bu_client, rapid_review):
    response = bu_client.post(
        url("immediate_actions", rapid_review),
        {"action": "Later.", **date_fields("taken_on", today() + datetime.timedelta(days=3))},
    )
    assert "must be today or in the past" in response.content.decode()
    assert not ImmediateAction.objects.exists()


# Meeting and recommendation -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_meeting_and_recommendation_are_recorded(
    bu_client, rapid_review, agency, business_unit_user, contributor_a
):
    ask_and_return(rapid_review, agency, business_unit_user, contributor_a)
    response = bu_client.post(
        url("rapid_review_outcome", rapid_review),
        {**OUTCOME, **date_fields("meeting_held_on", today())},
    )
    assert response.status_code == 302
    rapid_review.refresh_from_db()
    assert rapid_review.recommendation == "rapid_review_then_local"
    assert rapid_review.meeting_held_on == today()
    assert rapid_review.stage == Review.Stage.MEETING
    assert AuditEvent.objects.filter(action="review.meeting_recorded").exists()


@pytest.mark.django_db
def test_a_meeting_before_the_partnership_became_aware_or_without_reasons_is_refused(
    bu_client, rapid_review
):
    before = rapid_review.case.became_aware_on - datetime.timedelta(days=1)
    response = bu_client.post(
        url("rapid_review_outcome", rapid_review),
        {
            **OUTCOME,
            "recommendation_rationale": "",
            "recommendation": "mandatory",  # a SAR outcome: not allowed here
            **date_fields("meeting_held_on", before),
        },
    )
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter reasons for the recommendation" in html
    assert "Select the recommendation from the list" in html
    with pytest.raises(ServiceError) as error:
        services.rapid_review_outcome_record(
            review=rapid_review,
            meeting_held_on=before,
            actor=None,
            **OUTCOME,
        )
    assert error.value.field == "meeting_held_on"
    rapid_review.refresh_from_db()
    assert rapid_review.meeting_held_on is None and rapid_review.recommendation == ""


# The report -------------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
def test_the_report_as_word_and_pdf_holds_the_recorded_data_and_no_real_name(
    bu_client, client_for, rapid_review, agency, business_unit_user, contributor_a
):
    ask_and_return(rapid_review, agency, business_unit_user, contributor_a)
    services.immediate_action_record(
        review=rapid_review,
        action="Safety plan for the sibling.",
        agency=agency,
        taken_on=today(),
        actor=business_unit_user,
    )
    record_outcome(rapid_review, business_unit_user)
    services.panel_submission_record(
        review=rapid_review, submitted_on=today(), actor=business_unit_user
    )

    docx = bu_client.get(url("rapid_review_report", rapid_review, format="docx"))
    assert docx.status_code == 200
    assert docx["Content-Disposition"].endswith(f'rapid-review-{rapid_review.reference}.docx"')
    pdf = client_for("partner_lead").get(url("rapid_review_report", rapid_review, format="pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    for text in (_docx_text(docx.content), " ".join(_pdf_text(pdf.content).split())):
        for expected in (
            "Testshire Safeguarding Partnership",
            "Child Q",
            rapid_review.reference,
            rapid_review.case.reference,
            agency.name,
            "Police attended the home twice in March.",
            "Safety plan for the sibling.",
            OUTCOME["facts_summary"],
            OUTCOME["learning_identified"],
            "Rapid review, then a local review",
            OUTCOME["recommendation_rationale"],
            OUTCOME["national_importance_view"],
            f"{deadline(rapid_review):%-d %B %Y}",
        ):
            assert expected in text, expected
        assert REAL_NAME not in text
        assert "Zebedee" not in text
    assert AuditEvent.objects.filter(action="review.report_downloaded").count() == 2

    title = f"Rapid review: Child Q ({rapid_review.reference})"
    pdf_facts = assert_accessible_pdf(pdf.content, title=title)  # tagged PDF/UA-1
    assert pdf_facts.structure["H2"] == 8 and pdf_facts.structure["H3"] == 1  # sections, agency
    assert pdf_facts.cells_without_headers == pdf_facts.cells_with_wrong_headers == 0
    word = docx_facts(docx.content, title=title)
    assert word.headings[:3] == [
        ("Title", title),
        ("Heading 1", "About the case"),
        ("Heading 1", "Summary of the facts"),
    ]
    assert ("Heading 2", agency.name) in word.headings
    assert word.table_headers == [[], ["Date", "Agency", "Action"]]  # summary list, actions


@pytest.mark.django_db
def test_the_report_is_not_for_agency_contributors(client_for, rapid_review):
    response = client_for("agency_contributor").get(
        url("rapid_review_report", rapid_review, format="pdf")
    )
    assert response.status_code == 404  # they do not see the review at all (ADR 0010)


# The National Panel -----------------------------------------------------------------------------


def _milestone(review, code):
    return next(m for m in milestone_list_for_subject(subject=review.case) if m.rule.code == code)


@pytest.mark.django_db
def test_sending_to_the_panel_moves_the_stage_and_starts_the_response_milestone(
    bu_client, rapid_review, agency, business_unit_user, contributor_a
):
    ask_and_return(rapid_review, agency, business_unit_user, contributor_a)
    record_outcome(rapid_review, business_unit_user)
    response = bu_client.post(
        url("panel", rapid_review), {"action": "submission", **date_fields("submitted_on", today())}
    )
    assert response.status_code == 302
    rapid_review.refresh_from_db()
    assert rapid_review.stage == Review.Stage.SUBMITTED_TO_PANEL
    assert rapid_review.panel_submitted_on == today()
    expected = _milestone(rapid_review, "cspr-panel-response")
    assert expected.status == Milestone.Status.DUE
    assert expected.due_on == today() + datetime.timedelta(days=10)
    assert _milestone(rapid_review, "cspr-rapid-review").status == Milestone.Status.DONE

    response = bu_client.post(
        url("panel", rapid_review),
        {
            "action": "response",
            "response": "The Panel agrees with a local review.",
            **date_fields("responded_on", today()),
        },
    )
    assert response.status_code == 302
    rapid_review.refresh_from_db()
    assert rapid_review.panel_response == "The Panel agrees with a local review."
    expected.refresh_from_db()
    assert expected.status == Milestone.Status.DONE
    assert expected.done_on == today()


@pytest.mark.django_db
def test_sending_to_the_panel_before_the_meeting_is_refused(
    bu_client, rapid_review, agency, business_unit_user, contributor_a
):
    ask_and_return(rapid_review, agency, business_unit_user, contributor_a)
    response = bu_client.post(
        url("panel", rapid_review), {"action": "submission", **date_fields("submitted_on", today())}
    )
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "record the rapid review meeting" in html
    rapid_review.refresh_from_db()
    assert rapid_review.panel_submitted_on is None
    assert rapid_review.stage == Review.Stage.GATHERING_SUMMARIES
    assert not any(
        m.rule.code == "cspr-panel-response"
        for m in milestone_list_for_subject(subject=rapid_review.case)
    )


@pytest.mark.django_db
def test_a_panel_response_before_sending_is_refused(bu_client, rapid_review):
    response = bu_client.post(
        url("panel", rapid_review),
        {"action": "response", "response": "Too early.", **date_fields("responded_on", today())},
    )
    assert (
        "Record the date the rapid review was sent to the Panel first" in response.content.decode()
    )
    rapid_review.refresh_from_db()
    assert rapid_review.panel_response == ""


@pytest.mark.django_db
def test_rapid_review_pages_are_for_the_business_unit(client_for, rapid_review):
    # The partner lead reads the review (403); the others do not see it at all (404, ADR 0010).
    for role, status in (
        ("partner_lead", 403),
        ("agency_contributor", 404),
        ("reviewer", 404),
        ("panel_member", 404),
    ):
        client = client_for(role)
        for name in ("immediate_actions", "rapid_review_outcome", "panel"):
            assert client.get(url(name, rapid_review)).status_code == status, (role, name)
        client.logout()


@pytest.mark.django_db
def test_the_business_unit_opens_each_rapid_review_page(bu_client, rapid_review):
    for name in ("immediate_actions", "rapid_review_outcome", "panel", "requests"):
        response = bu_client.get(url(name, rapid_review))
        assert response.status_code == 200, name
        assert rapid_review.reference in response.content.decode()
    assert bu_client.get(url("rapid_review_report", rapid_review, format="html")).status_code == 400


# Queries: the pages read the partnership's milestone setting for R9 once (issue 16: it was
# read twice, for the deadline and again for its span in words), whatever the review holds.
RAPID_REVIEW_PAGE_QUERIES = {"immediate_actions": 13, "rapid_review_outcome": 10, "panel": 10}


@pytest.mark.django_db
def test_rapid_review_pages_read_the_milestone_setting_once_in_pinned_queries(
    bu_client, rapid_review, agency, business_unit_user
):
    def queries(name):
        with CaptureQueriesContext(connection) as captured:
            assert bu_client.get(url(name, rapid_review)).status_code == 200
        settings_reads = [
            q for q in captured if "clock_partnershipmilestonesetting" in q["sql"].lower()
        ]
        return len(captured), len(settings_reads)

    counted = {name: queries(name) for name in RAPID_REVIEW_PAGE_QUERIES}
    assert counted == {name: (n, 1) for name, n in RAPID_REVIEW_PAGE_QUERIES.items()}
    services.immediate_action_record(
        review=rapid_review,
        action="Fictional: a safety plan agreed with the family",
        agency=agency,
        taken_on=rapid_review.case.became_aware_on,
        actor=business_unit_user,
    )
    assert {name: queries(name) for name in RAPID_REVIEW_PAGE_QUERIES} == counted
