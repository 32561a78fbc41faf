"""Word referral forms: downloading the partnership's form, and staff creating a referral from a
completed one. Bad files and bad answers create nothing."""

import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from docx import Document

from safeguarding.accounts.models import Partnership, Role
from safeguarding.accounts.tests.factories import MembershipFactory, PartnershipFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.tests.document_checks import docx_facts
from safeguarding.referrals import word_forms
from safeguarding.referrals.models import Referral, ReferralIdentity

CSPR_ANSWERS = {
    "Your full name": "Sam Fictional",
    "Your job title": "Designated safeguarding lead",
    "Your organisation": "Testshire Primary School",
    "Your work email address": "sam.fictional@school.example",
    "Your telephone number": "01632 960 001",
    "Have you discussed this referral with your organisation's safeguarding lead?": "Yes",
    "First name": "Alexandra",
    "Last name": "Zedd-Fictional",
    "Date of birth": "14/05/2012",
    "Home address": "1 Imaginary Road\nTestshire",
    "Date of the incident": "2 March 2025",
    "What happened to them?": "They died",
    "Date of death": "04/03/2025",
    "Is abuse or neglect of them by someone else known or suspected?": "Suspected",
    "Did the death result, or does it appear to have resulted, from abuse or neglect?": "Yes",
    "Where did it happen?": "In Testshire",
    "Do they normally live in Testshire?": "yes",
    "What happened": "A fictional account.\nSecond paragraph.",
    "Is the child looked after by a local authority?": "No",
    "Is the child on a child protection plan, now or in the past?": "Not known",
    "Is the young person a care leaver?": "no",
    "Which agencies were involved with them?": "Testshire Police\nA Fictional Charity",
    "Is there concern about how agencies worked together to safeguard them?": "Yes",
    "What are the concerns about how agencies worked together?": "Slow sharing.",
}


def upload_url(slug: str = "testshire") -> str:
    return reverse("referrals:upload", args=[slug])


def blank_form(client, review_type: str = "cspr", slug: str = "testshire") -> bytes:
    response = client.get(reverse("refer:word_form", args=[slug, review_type]))
    assert response.status_code == 200
    return response.content


def fill(content: bytes, answers: dict[str, str]) -> bytes:
    """Fill in the right-hand cells as a referrer would in Word."""
    document = Document(io.BytesIO(content))
    for table in document.tables:
        for row in table.rows:
            label = row.cells[0].paragraphs[0].text
            if label in answers:
                row.cells[1].text = answers[label]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "referral.docx", slug: str = "testshire"):
    return client.post(upload_url(slug), {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def police(partnership, agency):
    partnership.agencies.add(agency)
    return agency


# The form to download ----------------------------------------------------------------------


@pytest.mark.django_db
def test_anyone_can_download_a_word_form_that_the_service_can_recognise(client, partnership):
    response = client.get(reverse("refer:word_form", args=["testshire", "sar"]))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="testshire-sar-referral-form.docx"' in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    assert document.core_properties.identifier == "manage-safeguarding-reviews:referral-form:sar:v1"
    labels = [row.cells[0].paragraphs[0].text for t in document.tables for row in t.rows]
    assert "Does the adult have needs for care and support?" in labels
    assert all(row.cells[1].text == "" for t in document.tables for row in t.rows)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "If someone is in immediate danger, call 999" in text
    title = f"{word_forms.FORM_TITLES['sar']}: {partnership.name}"
    facts = docx_facts(response.content, title=title)
    pages = word_forms.questions_for(partnership=partnership, review_type="sar")
    assert facts.headings == [("Title", title)] + [("Heading 1", page) for page, _ in pages]
    assert document.core_properties.author == partnership.name


@pytest.mark.django_db
def test_the_word_form_explains_how_to_answer(client, partnership, police):
    document = Document(io.BytesIO(blank_form(client, "cspr")))
    hints = {
        row.cells[0].paragraphs[0].text: row.cells[0].text
        for t in document.tables
        for row in t.rows
    }
    assert "DD/MM/YYYY" in hints["Date of birth"]
    assert "Write Yes, No or Not known" in hints["Is the young person a care leaver?"]
    assert "They were seriously harmed" in hints["What happened to them?"]
    assert "Testshire Police" in hints["Which agencies were involved with them?"]
    assert "Optional" in hints["Home address"]


@pytest.mark.django_db
@pytest.mark.parametrize("review_type", ["cspr", "sar", "dhr"])
def test_each_question_of_a_form_has_its_own_label(partnership, review_type):
    questions = [
        q
        for _, section in word_forms.questions_for(partnership=partnership, review_type=review_type)
        for q in section
    ]
    labels = [str(q.field.label) for q in questions]
    assert len(labels) == len(set(labels))


@pytest.mark.django_db
def test_the_public_reviews_page_links_to_the_online_and_word_forms(client, partnership):
    html = client.get(reverse("public_site:reviews", args=["testshire"])).content.decode()
    assert "Refer a case" in html
    assert reverse("refer:type_start", args=["testshire", "cspr"]) in html
    assert reverse("refer:word_form", args=["testshire", "sar"]) in html
    assert "(Word document)" in html
    assert reverse("refer:word_form", args=["testshire", "dhr"]) not in html


# Uploading a completed form ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_completed_word_form_becomes_a_referral(
    bu_client, partnership, police, business_unit_user, django_capture_on_commit_callbacks
):
    content = fill(blank_form(bu_client), CSPR_ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(bu_client, content)

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("referrals:detail", args=["testshire", referral.pk])
    assert referral.source == Referral.Source.WORD_FORM
    assert referral.review_type == "cspr"
    assert referral.referrer_name == "Sam Fictional"
    assert referral.discussed_with_safeguarding_lead is True
    assert referral.incident_date == datetime.date(2025, 3, 2)
    assert referral.harm == "died" and referral.date_of_death == datetime.date(2025, 3, 4)
    assert referral.age_years == 12
    assert referral.place == "in_area" and referral.normally_resident_in_area is True
    assert referral.what_happened == "A fictional account.\nSecond paragraph."
    assert referral.looked_after is False and referral.child_protection_plan is None
    assert list(referral.agencies.all()) == [police]
    assert referral.other_agencies == "A Fictional Charity"
    assert referral.agency_working_concern is True
    assert referral.concerns_working_together == "Slow sharing."
    assert referral.created_by == business_unit_user
    identity = ReferralIdentity.objects.get(referral=referral)
    assert identity.date_of_birth == datetime.date(2012, 5, 14)
    assert identity.address == "1 Imaginary Road\nTestshire"
    event = AuditEvent.objects.get(action="referral.uploaded")
    assert event.actor == business_unit_user
    assert mail.outbox == []  # the business unit replies to the referrer itself
    page = bu_client.get(response.url).content.decode()
    assert f"Referral {referral.reference} created from the Word form" in page


@pytest.mark.django_db
def test_the_same_file_uploaded_twice_is_one_referral(bu_client, partnership, police):
    content = fill(blank_form(bu_client), CSPR_ANSWERS)
    upload(bu_client, content)
    response = upload(bu_client, content)
    assert response.status_code == 302
    assert Referral.objects.count() == 1
    assert "This form was uploaded before" in bu_client.get(response.url).content.decode()


@pytest.mark.django_db
def test_a_form_with_wrong_answers_lists_every_problem_and_creates_nothing(
    bu_client, partnership, police
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    answers = {
        **CSPR_ANSWERS,
        "Date of death": tomorrow.strftime("%d/%m/%Y"),
        "Your work email address": "not an email",
        "Is the young person a care leaver?": "perhaps",
        "Last name": "",
    }
    response = upload(bu_client, fill(blank_form(bu_client), answers))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "4 answers in the form need correcting" in html
    assert "Date of death: Date of death must be today or in the past" in html
    assert "Your work email address: Enter an email address in the correct format" in html
    assert "Is the young person a care leaver?: Select whether the young person" in html
    assert "Last name: Enter their last name" in html
    assert Referral.objects.count() == 0
    assert not AuditEvent.objects.filter(action="referral.uploaded").exists()


@pytest.mark.django_db
def test_an_empty_form_lists_the_questions_to_answer(bu_client, partnership):
    response = upload(bu_client, blank_form(bu_client, "sar"))
    html = response.content.decode()
    assert "Your full name: Enter your full name" in html
    assert "Does the adult have needs for care and support?" in html
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_a_damaged_file_creates_nothing(bu_client, partnership):
    content = fill(blank_form(bu_client), CSPR_ANSWERS)
    response = upload(bu_client, content[: len(content) // 2])
    assert "The selected file is damaged and cannot be opened" in response.content.decode()
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_a_password_protected_file_gets_its_own_message(bu_client, partnership):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    html = upload(bu_client, ole).content.decode()
    assert "The file is password-protected or in the old Word format (.doc)" in html
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_an_unrelated_word_document_is_refused(bu_client, partnership, sample_docx):
    html = upload(bu_client, sample_docx).content.decode()
    assert (
        "This is not one of Testshire Safeguarding Partnership&#x27;s referral forms. "
        "Download the form from the public Reviews page" in html
    )
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_a_pdf_renamed_docx_is_refused(bu_client, partnership, sample_pdf):
    html = upload(bu_client, sample_pdf, name="referral.docx").content.decode()
    assert "The selected file must be a Word document" in html
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_no_file_is_refused(bu_client, partnership):
    response = bu_client.post(upload_url(), {})
    assert "Select a completed referral form" in response.content.decode()


@pytest.mark.django_db
def test_a_form_for_a_review_type_the_partnership_does_not_run_is_refused(bu_client, partnership):
    community = PartnershipFactory(
        slug="dhrshire",
        kind=Partnership.Kind.COMMUNITY_SAFETY,
        runs_cspr=False,
        runs_safeguarding_adults_reviews=False,
        runs_dhr=True,
    )
    content = word_forms.referral_form_docx(partnership=community, review_type="dhr")
    html = upload(bu_client, content).content.decode()
    assert "which Testshire Safeguarding Partnership does not run" in html
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_the_marker_in_the_text_is_enough_when_an_editor_drops_the_properties(
    bu_client, partnership, police
):
    document = Document(io.BytesIO(fill(blank_form(bu_client), CSPR_ANSWERS)))
    document.core_properties.identifier = ""
    buffer = io.BytesIO()
    document.save(buffer)
    response = upload(bu_client, buffer.getvalue())
    assert response.status_code == 302
    assert Referral.objects.count() == 1


# Who may upload ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.PARTNER_LEAD, Role.PANEL_MEMBER, Role.REVIEWER, Role.AGENCY_CONTRIBUTOR]
)
def test_only_the_business_unit_may_upload_word_forms(client_for, partnership, role):
    client = client_for(role)
    assert client.get(upload_url()).status_code == 403
    assert client.post(upload_url(), {}).status_code == 403


@pytest.mark.django_db
def test_the_upload_page_needs_sign_in_and_hides_from_other_partnerships(
    client, partnership, other_partnership
):
    assert reverse("accounts:sign_in") in client.get(upload_url())["Location"]
    outsider = MembershipFactory(partnership=other_partnership, role=Role.BUSINESS_UNIT).user
    client.force_login(outsider)
    assert client.get(upload_url()).status_code == 404


@pytest.mark.django_db
def test_the_business_unit_sees_the_upload_page(bu_client, partnership):
    html = bu_client.get(upload_url()).content.decode()
    assert "Upload a Word referral form" in html
    assert reverse("refer:word_form", args=["testshire", "cspr"]) in html
