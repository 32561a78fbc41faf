"""Publishing a signed-off review: decision, check for leaked identities, steps, publication as
revisions, scheduled publication, withdrawal no earlier than 12 months (R15-R17, R34-R36)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.core.calendar import add_working_days
from safeguarding.core.errors import ServiceError
from safeguarding.publication import publishing
from safeguarding.publication.models import (
    CheckFinding,
    PrePublicationStep,
    Publication,
    PublicationFile,
)
from safeguarding.publication.tasks import publish_scheduled
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.tests.review_support import commission, decided_case, member
from safeguarding.workspace.documents import docx_bytes, pdf_bytes

Kind = PrePublicationStep.Kind


def today():
    return timezone.localdate()


def long_ago():
    return today() - datetime.timedelta(days=30)


@pytest.fixture(scope="module")
def leaky_pdf() -> bytes:
    return pdf_bytes(
        "Child B: a review",
        ["The review found that Zebedee Quillfeather was seen by the school nurse twice."],
    )


@pytest.fixture(scope="module")
def clean_docx() -> bytes:
    return docx_bytes("Child B: a review", ["Child B was seen by the school nurse twice."])


def _signed_off(partnership, actor, review_types=("cspr",)):
    case, _ = decided_case(partnership, actor, review_types=review_types)
    review = commission(case, actor)
    review_services.appointment_add(
        review=review,
        actor=actor,
        role="reviewer",
        name="Alex Fictional-Reviewer",
        appointed_on=long_ago(),
    )
    review_services.person_add(
        review=review,
        actor=actor,
        pseudonym="Adult C",
        role_in_case="parent",
        full_name="Marigold Thistlewood",
    )
    review.stage = "signed_off"
    review.signed_off_at = timezone.now()
    review.save(update_fields=["stage", "signed_off_at"])
    return review


@pytest.fixture
def review(partnership, business_unit_user):
    return _signed_off(partnership, business_unit_user)


@pytest.fixture
def publication(review, business_unit_user):
    return publishing.publication_start(review=review, actor=business_unit_user)


def _upload(publication, user, data, name, title="Report"):
    return publishing.publication_file_upload(
        publication=publication, actor=user, uploaded=SimpleUploadedFile(name, data), title=title
    )


def _ready(publication, user, clean_docx):
    """A CSPR publication with a clean file and both advance copies long enough ago."""
    _upload(publication, user, clean_docx, "report.docx")
    for kind in (Kind.ADVANCE_COPY_PANEL, Kind.ADVANCE_COPY_SOS):
        publishing.step_record(
            publication=publication,
            actor=user,
            kind=kind,
            done_on=long_ago(),
            evidence="Emailed on the date shown.",
        )
    return publication


# Starting and the decision ---------------------------------------------------------------------


@pytest.mark.django_db
def test_starting_prefills_the_title_and_the_reviewer_names(publication, business_unit_user):
    assert publication.title == "Child Safeguarding Practice Review: Child B"
    assert publication.reviewer_names == "Alex Fictional-Reviewer"
    assert publication.review_type == "cspr"
    assert AuditEvent.objects.filter(action="publication.started").count() == 1


@pytest.mark.django_db
def test_a_review_not_signed_off_cannot_be_prepared_for_publication(
    partnership, business_unit_user
):
    case, _ = decided_case(partnership, business_unit_user)
    review = commission(case, business_unit_user)
    with pytest.raises(ServiceError, match="signed off"):
        publishing.publication_start(review=review, actor=business_unit_user)
    assert not Publication.objects.exists()


@pytest.mark.django_db
def test_publishing_improvements_needs_the_reason_recorded(publication, business_unit_user):
    with pytest.raises(ServiceError) as error:
        publishing.publication_update(
            publication=publication,
            actor=business_unit_user,
            form="improvements",
            not_full_reason="",
            improvements="Better sharing between school and GP.",
        )
    assert error.value.field == "not_full_reason"
    publishing.publication_update(
        publication=publication,
        actor=business_unit_user,
        form="improvements",
        not_full_reason="The family asked; the decision makers agreed.",
        improvements="Better sharing between school and GP.",
    )
    publication.refresh_from_db()
    assert publication.form == "improvements"


# The check for leaked identities ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_pdf_naming_a_person_in_the_case_is_found_and_blocks_publication(
    publication, business_unit_user, leaky_pdf, clean_docx
):
    _ready(publication, business_unit_user, clean_docx)
    leaky = _upload(publication, business_unit_user, leaky_pdf, "annex.pdf", title="Annex")
    assert leaky.checked_at is not None
    finding = leaky.findings.get(kind="name", text="Zebedee Quillfeather")
    assert finding.page == 1
    assert "school nurse" in finding.context
    with pytest.raises(publishing.PublicationRefused) as error:
        publishing.publication_publish(
            publication=publication, publish_on=today(), actor=business_unit_user
        )
    assert any("Resolve every possible identifier" in r for r in error.value.reasons)
    publication.refresh_from_db()
    assert publication.status == "draft"


@pytest.mark.django_db
def test_a_clean_docx_has_no_findings(publication, business_unit_user, clean_docx):
    saved = _upload(publication, business_unit_user, clean_docx, "report.docx")
    assert saved.file_kind == "docx"
    assert saved.checked_at is not None
    assert not saved.findings.exists()


@pytest.mark.django_db
def test_names_of_people_added_to_the_review_are_checked_too(publication, business_unit_user):
    data = docx_bytes("Report", ["Marigold Thistlewood attended the meeting."])
    saved = _upload(publication, business_unit_user, data, "report.docx")
    assert saved.findings.filter(text="Marigold Thistlewood").exists()


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_and_nothing_is_saved(publication, business_unit_user):
    with pytest.raises(ServiceError, match="cannot be read"):
        _upload(publication, business_unit_user, b"%PDF-1.4 not really a pdf", "broken.pdf")
    assert not PublicationFile.objects.exists()


@pytest.mark.django_db
def test_a_file_of_the_wrong_type_is_refused(publication, business_unit_user):
    with pytest.raises(ServiceError, match="PDF or Word"):
        _upload(publication, business_unit_user, b"plain text", "notes.txt")
    assert not PublicationFile.objects.exists()


@pytest.mark.django_db
def test_a_false_match_needs_a_reason_and_then_unblocks(
    publication, business_unit_user, leaky_pdf, clean_docx
):
    _ready(publication, business_unit_user, clean_docx)
    leaky = _upload(publication, business_unit_user, leaky_pdf, "annex.pdf")
    findings = list(leaky.findings.all())
    with pytest.raises(ServiceError):
        publishing.finding_mark_false_match(
            finding=findings[0], actor=business_unit_user, reason="  "
        )
    for finding in findings:
        publishing.finding_mark_false_match(
            finding=finding, actor=business_unit_user, reason="A character in a novel cited."
        )
    publishing.publication_publish(
        publication=publication, publish_on=today(), actor=business_unit_user
    )
    assert publication.status == "published"
    assert AuditEvent.objects.filter(action="publication.finding_false_match").exists()


@pytest.mark.django_db
def test_replacing_a_file_resolves_its_findings_and_keeps_the_old_file(
    publication, business_unit_user, leaky_pdf, clean_docx
):
    leaky = _upload(publication, business_unit_user, leaky_pdf, "report.pdf")
    new = publishing.file_replace(
        old_file=leaky,
        actor=business_unit_user,
        uploaded=SimpleUploadedFile("report.docx", clean_docx),
    )
    leaky.refresh_from_db()
    assert leaky.replaced_at is not None
    assert set(leaky.findings.values_list("resolution", flat=True)) == {"file_replaced"}
    assert new.title == leaky.title
    assert not CheckFinding.objects.filter(file=new).exists()


# Steps and the refusals ------------------------------------------------------------------------


@pytest.mark.django_db
def test_publication_is_refused_without_reviewer_names(publication, business_unit_user, clean_docx):
    _ready(publication, business_unit_user, clean_docx)
    Publication.objects.filter(pk=publication.pk).update(reviewer_names="")
    publication.refresh_from_db()
    with pytest.raises(publishing.PublicationRefused) as error:
        publishing.publication_publish(
            publication=publication, publish_on=today(), actor=business_unit_user
        )
    assert "Enter the name of the reviewer or reviewers: they must be published" in (
        error.value.reasons
    )


@pytest.mark.django_db
def test_reviewer_names_cannot_be_removed(publication, business_unit_user):
    with pytest.raises(ServiceError) as error:
        publishing.publication_update(
            publication=publication, actor=business_unit_user, reviewer_names=""
        )
    assert error.value.field == "reviewer_names"


@pytest.mark.django_db
def test_a_cspr_is_refused_without_the_advance_copy(publication, business_unit_user, clean_docx):
    _upload(publication, business_unit_user, clean_docx, "report.docx")
    with pytest.raises(publishing.PublicationRefused) as error:
        publishing.publication_publish(
            publication=publication, publish_on=today(), actor=business_unit_user
        )
    assert (
        "Record the step ‘Advance copy to the National Panel’ "
        "(Working Together to Safeguard Children 2023, chapter 5)" in error.value.reasons
    )


@pytest.mark.django_db
def test_the_date_cannot_be_earlier_than_the_advance_copy_allows(
    publication, business_unit_user, clean_docx
):
    _upload(publication, business_unit_user, clean_docx, "report.docx")
    for kind in (Kind.ADVANCE_COPY_PANEL, Kind.ADVANCE_COPY_SOS):
        publishing.step_record(
            publication=publication,
            actor=business_unit_user,
            kind=kind,
            done_on=today(),
            evidence="Emailed today.",
        )
    earliest = add_working_days(today(), 7)
    with pytest.raises(publishing.PublicationRefused) as error:
        publishing.publication_publish(
            publication=publication, publish_on=today(), actor=business_unit_user
        )
    assert any(f"cannot be before {earliest:%-d %B %Y}" in r for r in error.value.reasons)
    assert any("Working Together to Safeguard Children 2023" in r for r in error.value.reasons)
    publishing.publication_publish(
        publication=publication, publish_on=earliest, actor=business_unit_user
    )
    assert publication.status == "scheduled"


@pytest.mark.django_db
def test_a_dhr_is_refused_without_the_home_office_letter(partnership, business_unit_user):
    review = _signed_off(partnership, business_unit_user, review_types=("dhr",))
    publication = publishing.publication_start(review=review, actor=business_unit_user)
    _upload(publication, business_unit_user, docx_bytes("Report", ["Nothing."]), "r.docx")
    publishing.step_record(
        publication=publication,
        actor=business_unit_user,
        kind=Kind.DA_COMMISSIONER_COPY,
        done_on=long_ago(),
        evidence="Sent by email.",
    )
    with pytest.raises(publishing.PublicationRefused) as error:
        publishing.publication_publish(
            publication=publication, publish_on=today(), actor=business_unit_user
        )
    assert any("Home Office QA Panel content to publish" in r for r in error.value.reasons)
    step = publishing.step_record(
        publication=publication,
        actor=business_unit_user,
        kind=Kind.HOME_OFFICE_REVISIONS,
        done_on=long_ago(),
        evidence="Two revisions asked for; made in version 3.",
    )
    assert step.rule_id == "R34"
    publishing.step_record(
        publication=publication,
        actor=business_unit_user,
        kind=Kind.HOME_OFFICE_CONTENT,
        done_on=long_ago(),
        evidence="Letter of 2 November saying the Panel is content.",
    )
    publishing.publication_publish(
        publication=publication, publish_on=today(), actor=business_unit_user
    )
    assert publication.status == "published"


@pytest.mark.django_db
def test_a_step_needs_evidence_a_past_date_and_a_kind_the_review_needs(
    publication, business_unit_user
):
    def record(**values):
        defaults = {"kind": Kind.ADVANCE_COPY_PANEL, "done_on": today(), "evidence": "Sent."}
        return publishing.step_record(
            publication=publication, actor=business_unit_user, **{**defaults, **values}
        )

    with pytest.raises(ServiceError) as error:
        record(evidence=" ")
    assert error.value.field == "evidence"
    with pytest.raises(ServiceError) as error:
        record(done_on=today() + datetime.timedelta(days=1))
    assert error.value.field == "done_on"
    with pytest.raises(ServiceError) as error:
        record(kind=Kind.BOARD_SIGN_OFF)
    assert error.value.field == "kind"
    assert record().rule_id == "R17"
    with pytest.raises(ServiceError, match="already been recorded"):
        record()
    assert publication.steps.count() == 1


# Publishing, revisions, schedule ---------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_freezes_a_revision_and_a_correction_adds_another(
    publication, business_unit_user, clean_docx
):
    _ready(publication, business_unit_user, clean_docx)
    publishing.publication_publish(
        publication=publication, publish_on=today(), actor=business_unit_user
    )
    publication.refresh_from_db()
    assert publication.status == "published"
    assert publication.published_at is not None
    assert publication.earliest_removal_on.year == today().year + 1
    first = publication.revisions.get()
    assert first.number == 1
    assert first.reviewer_names == "Alex Fictional-Reviewer"
    assert first.files.count() == 1

    publishing.publication_update(
        publication=publication, actor=business_unit_user, title="Child B: corrected title"
    )
    revision = publishing.publication_correct(
        publication=publication, actor=business_unit_user, note="Title corrected"
    )
    assert revision.number == 2
    first.refresh_from_db()
    assert first.title == "Child Safeguarding Practice Review: Child B"
    assert list(publication.revisions.values_list("number", flat=True)) == [2, 1]
    with pytest.raises(ServiceError, match="already been published"):
        publishing.publication_publish(
            publication=publication, publish_on=today(), actor=business_unit_user
        )


@pytest.mark.django_db
def test_a_draft_cannot_be_corrected(publication, business_unit_user):
    with pytest.raises(ServiceError, match="Only a published"):
        publishing.publication_correct(publication=publication, actor=business_unit_user, note="x")


@pytest.mark.django_db
def test_the_command_publishes_a_scheduled_item_on_its_date(
    publication, business_unit_user, clean_docx
):
    _ready(publication, business_unit_user, clean_docx)
    day = today() + datetime.timedelta(days=10)
    publishing.publication_publish(
        publication=publication, publish_on=day, actor=business_unit_user
    )
    assert publication.status == "scheduled"
    assert not publication.revisions.exists()

    call_command("publish_scheduled", "--date", (day - datetime.timedelta(days=1)).isoformat())
    publication.refresh_from_db()
    assert publication.status == "scheduled"

    call_command("publish_scheduled", "--date", day.isoformat())
    publication.refresh_from_db()
    assert publication.status == "published"
    assert publication.publish_on == day
    assert publication.revisions.count() == 1
    event = AuditEvent.objects.get(action="publication.published")
    assert event.actor is None


@pytest.mark.django_db
def test_the_task_publishes_a_scheduled_item_on_its_date(
    publication, business_unit_user, clean_docx
):
    _ready(publication, business_unit_user, clean_docx)
    day = today() + datetime.timedelta(days=3)
    publishing.publication_publish(
        publication=publication, publish_on=day, actor=business_unit_user
    )
    result = publish_scheduled.enqueue(on_date=day.isoformat())
    assert result.return_value == 1
    publication.refresh_from_db()
    assert publication.status == "published"
    assert publish_scheduled.enqueue(on_date=day.isoformat()).return_value == 0


# Withdrawal ------------------------------------------------------------------------------------


@pytest.fixture
def published(publication, business_unit_user, clean_docx):
    _ready(publication, business_unit_user, clean_docx)
    publishing.publication_publish(
        publication=publication, publish_on=today(), actor=business_unit_user
    )
    return publication


@pytest.mark.django_db
def test_the_business_unit_cannot_withdraw_before_twelve_months(published, business_unit_user):
    with pytest.raises(ServiceError, match="must stay public until"):
        publishing.publication_withdraw(
            publication=published,
            actor=business_unit_user,
            reason="Asked to.",
            available_on_request=True,
        )
    published.refresh_from_db()
    assert published.status == "published"


@pytest.mark.django_db
def test_a_partner_lead_can_withdraw_early_with_a_reason(published, partnership):
    lead = member(partnership, Role.PARTNER_LEAD)
    with pytest.raises(ServiceError):
        publishing.publication_withdraw(
            publication=published, actor=lead, reason="", available_on_request=True
        )
    publishing.publication_withdraw(
        publication=published,
        actor=lead,
        reason="Court order of 1 March (fictional).",
        available_on_request=False,
    )
    published.refresh_from_db()
    assert published.status == "withdrawn"
    assert published.available_on_request is False
    event = AuditEvent.objects.get(action="publication.withdrawn")
    assert event.payload["early"] is True


@pytest.mark.django_db
def test_the_business_unit_can_withdraw_after_twelve_months(published, business_unit_user):
    Publication.objects.filter(pk=published.pk).update(earliest_removal_on=today())
    published.refresh_from_db()
    publishing.publication_withdraw(
        publication=published,
        actor=business_unit_user,
        reason="Superseded by the thematic review.",
        available_on_request=True,
    )
    published.refresh_from_db()
    assert published.status == "withdrawn"
    assert published.available_on_request is True
    assert published.revisions.count() == 1


# Pages -----------------------------------------------------------------------------------------


def _url(name, publication, **kwargs):
    return reverse(
        f"publication:{name}", kwargs={"slug": "testshire", "pk": publication.pk, **kwargs}
    )


@pytest.mark.django_db
def test_the_review_page_offers_to_prepare_the_publication(bu_client, review):
    page = bu_client.get(reverse("reviews:detail", args=["testshire", review.pk]))
    assert "Prepare publication" in page.content.decode()
    response = bu_client.post(reverse("publication:start", args=["testshire", review.pk]))
    publication = Publication.objects.get(review=review)
    assert response.status_code == 302
    assert response.url == _url("detail", publication)
    page = bu_client.get(reverse("reviews:detail", args=["testshire", review.pk]))
    assert _url("detail", publication) in page.content.decode()


@pytest.mark.django_db
def test_the_page_shows_findings_steps_and_why_it_cannot_be_published(
    bu_client, publication, business_unit_user, leaky_pdf
):
    _upload(publication, business_unit_user, leaky_pdf, "annex.pdf", title="Annex")
    page = bu_client.get(_url("detail", publication)).content.decode()
    assert "It cannot be published yet" in page
    assert "Zebedee Quillfeather" in page
    assert "school nurse" in page
    assert (
        "Advance copy to the National Panel (Working Together to Safeguard Children 2023, "
        "chapter 5)" in page
    )
    assert "Mark as a false match" in page


@pytest.mark.django_db
def test_uploading_through_the_page_checks_the_file(bu_client, publication, leaky_pdf):
    response = bu_client.post(
        _url("file_upload", publication),
        {"title": "Report", "file": SimpleUploadedFile("report.pdf", leaky_pdf)},
        follow=True,
    )
    assert "possible identifier" in response.content.decode()
    assert CheckFinding.objects.filter(file__publication=publication).exists()


@pytest.mark.django_db
def test_publishing_through_the_page_lists_every_reason_it_is_refused(bu_client, publication):
    Publication.objects.filter(pk=publication.pk).update(reviewer_names="")
    response = bu_client.post(
        _url("publish", publication),
        {"publish_on_0": today().day, "publish_on_1": today().month, "publish_on_2": today().year},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the name of the reviewer or reviewers" in page
    assert "Upload the report to publish" in page
    assert "Advance copy to the National Panel" in page
    publication.refresh_from_db()
    assert publication.status == "draft"


@pytest.mark.django_db
def test_bad_input_on_the_forms_saves_nothing(bu_client, publication):
    response = bu_client.post(_url("step_add", publication), {"kind": "advance_copy_panel"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    response = bu_client.post(_url("file_upload", publication), {"title": ""})
    assert response.status_code == 200
    assert not publication.steps.exists()
    assert not publication.files.exists()


@pytest.mark.django_db
def test_a_false_match_through_the_page(bu_client, publication, business_unit_user, leaky_pdf):
    saved = _upload(publication, business_unit_user, leaky_pdf, "annex.pdf")
    finding = saved.findings.first()
    url = _url("finding_resolve", publication, finding_pk=finding.pk)
    assert bu_client.post(url, {"reason": ""}).status_code == 200
    response = bu_client.post(url, {"reason": "A common word here."})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.resolution == "false_match"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "detail", "decision", "withdraw"),
    [
        (Role.BUSINESS_UNIT, 200, 200, 200),
        (Role.PARTNER_LEAD, 200, 403, 200),
        # Roles that never see publications: 404, as for one that does not exist (ADR 0010).
        (Role.PANEL_MEMBER, 404, 404, 404),
        (Role.REVIEWER, 404, 404, 404),
        (Role.AGENCY_CONTRIBUTOR, 404, 404, 404),
        (Role.ADMINISTRATOR, 404, 404, 404),
    ],
)
def test_who_may_open_the_pages(client_for, publication, role, detail, decision, withdraw):
    client = client_for(role)
    assert client.get(_url("detail", publication)).status_code == detail
    assert client.get(_url("decision", publication)).status_code == decision
    assert client.get(_url("withdraw", publication)).status_code == withdraw
    list_status = client.get(reverse("publication:list", args=["testshire"])).status_code
    assert list_status == (200 if detail == 200 else 403)


@pytest.mark.django_db
def test_outsiders_get_not_found_and_anonymous_users_sign_in(
    client, other_partnership, publication
):
    assert client.get(_url("detail", publication)).status_code == 302
    outsider = member(other_partnership, Role.BUSINESS_UNIT)
    client.force_login(outsider)
    assert client.get(_url("detail", publication)).status_code == 404
    assert client.get(reverse("publication:list", args=["testshire"])).status_code == 404


@pytest.mark.django_db
def test_the_list_does_not_grow_in_queries_with_publications(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries
):
    for _ in range(3):
        review = _signed_off(partnership, business_unit_user)
        publishing.publication_start(review=review, actor=business_unit_user)
    with django_assert_max_num_queries(12):
        response = bu_client.get(reverse("publication:list", args=["testshire"]))
    assert response.content.decode().count("Not published") == 3


@pytest.mark.django_db
def test_every_page_opens_for_the_business_unit(
    bu_client, published, business_unit_user, leaky_pdf
):
    saved = _upload(published, business_unit_user, leaky_pdf, "annex.pdf")
    finding = saved.findings.first()
    for name, kwargs in [
        ("detail", {}),
        ("decision", {}),
        ("file_upload", {}),
        ("file_replace", {"file_pk": saved.pk}),
        ("finding_resolve", {"finding_pk": finding.pk}),
        ("step_add", {}),
        ("publish", {}),
        ("correct", {}),
        ("withdraw", {}),
    ]:
        response = bu_client.get(_url(name, published, **kwargs))
        assert response.status_code == 200, name
    page = bu_client.get(_url("withdraw", published)).content.decode()
    assert "It must stay public until" in page


@pytest.mark.django_db
def test_several_findings_are_marked_false_matches_with_one_reason(
    bu_client, publication, business_unit_user, leaky_pdf
):
    _upload(publication, business_unit_user, leaky_pdf, "annex.pdf", title="Annex")
    _upload(publication, business_unit_user, leaky_pdf, "appendix.pdf", title="Appendix")
    _upload(publication, business_unit_user, leaky_pdf, "notes.pdf", title="Notes")
    findings = list(CheckFinding.objects.filter(file__publication=publication).order_by("pk"))
    assert len(findings) >= 3
    chosen = findings[:2]
    url = _url("findings_false_match", publication)
    page = bu_client.get(url).content.decode()
    assert "Mark findings as false matches" in page
    response = bu_client.post(
        url, {"findings": [f.pk for f in chosen], "reason": "Common words read as names."}
    )
    assert response.status_code == 302
    for finding in chosen:
        finding.refresh_from_db()
        assert finding.resolution == "false_match"
        assert finding.resolution_reason == "Common words read as names."
    events = AuditEvent.objects.filter(action="publication.finding_false_match")
    assert events.count() == 2
    assert {e.payload["finding"] for e in events} == {f.pk for f in chosen}
    for finding in findings[2:]:
        finding.refresh_from_db()
        assert finding.resolution == ""
    page = bu_client.get(_url("detail", publication)).content.decode()
    assert "2 findings marked as a false match" in page
    assert "govuk-notification-banner--success" not in page


@pytest.mark.django_db
def test_marking_several_without_a_choice_or_reason_changes_nothing(
    bu_client, publication, business_unit_user, leaky_pdf
):
    saved = _upload(publication, business_unit_user, leaky_pdf, "annex.pdf")
    first = saved.findings.order_by("pk").first()
    url = _url("findings_false_match", publication)
    for data in ({"reason": "Common words."}, {"findings": [first.pk], "reason": ""}):
        response = bu_client.post(url, data)
        assert response.status_code == 200
        page = response.content.decode()
        assert "govuk-error-summary" in page
    assert "Select at least one finding" in bu_client.post(url, {"reason": "x"}).content.decode()
    assert not CheckFinding.objects.filter(resolution="false_match").exists()
    assert not AuditEvent.objects.filter(action="publication.finding_false_match").exists()


@pytest.mark.django_db
def test_findings_found_on_upload_are_not_announced_as_a_success(bu_client, publication, leaky_pdf):
    response = bu_client.post(
        _url("file_upload", publication),
        {"title": "Report", "file": SimpleUploadedFile("report.pdf", leaky_pdf)},
        follow=True,
    )
    page = response.content.decode()
    assert "possible identifier" in page
    assert "govuk-notification-banner--success" not in page
    assert ">Important<" in page


@pytest.mark.django_db
def test_the_detail_page_reads_the_tracks_and_the_settings_once(
    bu_client, published, django_assert_max_num_queries
):
    """Issue 16: the rules are asked several times on the page (steps allowed, what is missing,
    the earliest date, the Home Office Panel); the review's tracks, the partnership's settings
    and the steps are read once."""
    url = _url("detail", published)
    bu_client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = bu_client.get(url)
    assert response.status_code == 200
    reads = [q["sql"] for q in captured.captured_queries]
    assert sum('FROM "referrals_track"' in sql for sql in reads) == 1
    assert sum('FROM "publication_publicationsettings"' in sql for sql in reads) == 1
    assert sum('FROM "publication_prepublicationstep"' in sql for sql in reads) == 1
    # 31 before (issue 16); +1 for the partners' sign-offs (issue 14); 16 since the files, the
    # partners' sign-offs and the steps are read once, with SQL built once (ADR 0040)
    with django_assert_max_num_queries(16):
        bu_client.get(url)
