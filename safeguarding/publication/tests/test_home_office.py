"""A DHR's submissions to the Home Office Quality Assurance Panel, its letters and outcomes, and
resubmissions (R34, issue 14 §4)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.publication import publishing
from safeguarding.publication.models import HomeOfficeSubmission, PrePublicationStep
from safeguarding.workspace.documents import docx_bytes, pdf_bytes

from .test_publishing import _signed_off, long_ago, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def dhr_publication(partnership, business_unit_user):
    review = _signed_off(partnership, business_unit_user, review_types=("dhr",))
    return publishing.publication_start(review=review, actor=business_unit_user)


def _letter(name="letter.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("Home Office letter", ["The panel considered it."]))


def _url(name, publication, **kwargs):
    return reverse(
        f"publication:{name}", kwargs={"slug": "testshire", "pk": publication.pk, **kwargs}
    )


def test_a_report_sent_back_is_resubmitted_and_the_approval_records_the_step(
    dhr_publication, business_unit_user
):
    first = publishing.home_office_submit(
        publication=dhr_publication, actor=business_unit_user, submitted_on=long_ago(), note="v2"
    )
    with pytest.raises(ServiceError, match="last submission"):
        publishing.home_office_submit(
            publication=dhr_publication, actor=business_unit_user, submitted_on=today(), note="v3"
        )
    publishing.home_office_letter_record(
        submission=first,
        actor=business_unit_user,
        uploaded=_letter(),
        letter_on=long_ago(),
        outcome="resubmit",
        reasons=["equality_diversity", "coercive_control"],
        reasons_text="Explore the effect of the lockdown.",
    )
    first.refresh_from_db()
    assert first.outcome == "resubmit" and first.letter_kind == "pdf" and first.letter
    assert not dhr_publication.steps.filter(kind=PrePublicationStep.Kind.HOME_OFFICE_CONTENT)
    second = publishing.home_office_submit(
        publication=dhr_publication, actor=business_unit_user, submitted_on=today(), note="v3"
    )
    assert second.number == 2
    publishing.home_office_letter_record(
        submission=second,
        actor=business_unit_user,
        uploaded=SimpleUploadedFile("ok.docx", docx_bytes("Letter", ["Content to publish."])),
        letter_on=today(),
        outcome="approved",
        reasons=["language"],
    )
    second.refresh_from_db()
    assert second.reasons == [] and second.letter_kind == "docx"
    step = dhr_publication.steps.get(kind=PrePublicationStep.Kind.HOME_OFFICE_CONTENT)
    assert step.done_on == today() and step.rule_id == "R34"
    with pytest.raises(ServiceError, match="already said it is content"):
        publishing.home_office_submit(
            publication=dhr_publication, actor=business_unit_user, submitted_on=today(), note="x"
        )
    actions = list(
        AuditEvent.objects.filter(action__startswith="publication.home_office").values_list(
            "action", flat=True
        )
    )
    assert actions.count("publication.home_office_submitted") == 2
    assert actions.count("publication.home_office_letter") == 2


def test_a_letter_that_is_not_a_pdf_or_word_file_is_refused_and_nothing_changes(
    dhr_publication, business_unit_user
):
    submission = publishing.home_office_submit(
        publication=dhr_publication, actor=business_unit_user, submitted_on=long_ago(), note="v1"
    )
    fake = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ServiceError):
        publishing.home_office_letter_record(
            submission=submission,
            actor=business_unit_user,
            uploaded=fake,
            letter_on=today(),
            outcome="approved",
            reasons=[],
        )
    submission.refresh_from_db()
    assert not submission.outcome and not submission.letter


def test_sent_back_needs_a_reason(dhr_publication, business_unit_user):
    submission = publishing.home_office_submit(
        publication=dhr_publication, actor=business_unit_user, submitted_on=long_ago(), note="v1"
    )
    with pytest.raises(ServiceError, match="reasons"):
        publishing.home_office_letter_record(
            submission=submission,
            actor=business_unit_user,
            uploaded=_letter(),
            letter_on=today(),
            outcome="resubmit",
            reasons=[],
        )


def test_only_a_dhr_goes_to_the_home_office(partnership, business_unit_user, bu_client):
    review = _signed_off(partnership, business_unit_user, review_types=("cspr",))
    publication = publishing.publication_start(review=review, actor=business_unit_user)
    with pytest.raises(ServiceError):
        publishing.home_office_submit(
            publication=publication, actor=business_unit_user, submitted_on=today(), note="v1"
        )
    assert bu_client.get(_url("home_office", publication)).status_code == 404


def test_the_pages_record_show_and_serve_the_letter(bu_client, dhr_publication):
    detail = bu_client.get(_url("detail", dhr_publication)).content.decode()
    assert _url("home_office", dhr_publication) in detail
    # Bad input: the GOV.UK error summary, nothing recorded.
    response = bu_client.post(_url("home_office", dhr_publication), {"note": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert not HomeOfficeSubmission.objects.exists()
    day = long_ago()
    response = bu_client.post(
        _url("home_office", dhr_publication),
        {
            "submitted_on_0": day.day,
            "submitted_on_1": day.month,
            "submitted_on_2": day.year,
            "note": "Version 2 by email",
        },
    )
    assert response.status_code == 302
    submission = HomeOfficeSubmission.objects.get()
    letter_url = _url("home_office_letter", dhr_publication, submission_pk=submission.pk)
    response = bu_client.post(letter_url, {"outcome": "resubmit"})
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Select the panel&#x27;s letter" in page
    response = bu_client.post(
        letter_url,
        {
            "letter": _letter("panel.pdf"),
            "letter_on_0": day.day,
            "letter_on_1": day.month,
            "letter_on_2": day.year,
            "outcome": "resubmit",
            "reasons": ["victim_voice"],
        },
    )
    assert response.status_code == 302
    page = bu_client.get(_url("home_office", dhr_publication)).content.decode()
    assert "panel.pdf" in page and "The victim&#x27;s voice and family involvement" in page
    assert "Record a resubmission" in page
    download = bu_client.get(
        _url("home_office_letter_download", dhr_publication, submission_pk=submission.pk)
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="publication.home_office_letter_downloaded").exists()
    # The letter cannot be recorded twice.
    assert bu_client.get(letter_url).status_code == 404
