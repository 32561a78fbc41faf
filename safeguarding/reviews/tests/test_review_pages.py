"""The review's pages: list, task list, commissioning, terms of reference, appointments,
meetings, family, documents, quality markers and findings, with who may open each."""

import datetime
import io
import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.core.tests.document_checks import assert_accessible_pdf, docx_facts
from safeguarding.core.tests.when_run import ONE_DAY, when_run
from safeguarding.reviews.models import (
    Appointment,
    DocumentVersion,
    FamilyContact,
    Finding,
    Meeting,
    QualityAssessment,
    QualityRating,
    Review,
)
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.running.quality_markers import (
    CSPR_SET,
    DHR_SET,
    SAR_SET,
    markers_for,
    set_for,
)
from safeguarding.reviews.tests.review_support import (
    commission,
    decided_case,
    make_lcspr,
    member,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lcspr_setup(partnership, business_unit_user):
    return make_lcspr(partnership, business_unit_user)


@pytest.fixture
def lcspr(lcspr_setup):
    return lcspr_setup[0]


def yesterday() -> datetime.date:
    return today() - ONE_DAY


def tomorrow() -> datetime.date:
    return today() + ONE_DAY


def url(name, review, **kwargs):
    return reverse(
        f"reviews:{name}", kwargs={"slug": review.partnership.slug, "pk": review.pk, **kwargs}
    )


def date_post(prefix, value):
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


def appoint(review, user=None, role="reviewer", name="Alex Reviewer"):
    return Appointment.objects.create(
        review=review, role=role, name=name, user=user, independent=True, appointed_on=today()
    )


# Who may open the pages ------------------------------------------------------------------------

READ_PAGES = [
    "detail",
    "terms",
    "appointments",
    "meetings",
    "people",
    "family",
    "documents",
    "quality",
    "findings",
    "sign_off",
]


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize(
    "role,expected",
    [
        (Role.BUSINESS_UNIT, 200),
        (Role.PARTNER_LEAD, 200),
        # Outside the review's scope, the review does not reveal itself (ADR 0010).
        (Role.AGENCY_CONTRIBUTOR, 404),
        (Role.ADMINISTRATOR, 404),
        (Role.REVIEWER, 404),  # not appointed
        (Role.PANEL_MEMBER, 404),
    ],
)
def test_review_pages_answer_each_role(client, user_for_role, lcspr, name, role, expected):
    client.force_login(user_for_role(role))
    assert client.get(url(name, lcspr)).status_code == expected


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PANEL_MEMBER])
def test_an_appointed_reviewer_or_panel_member_reads_every_page(
    client, user_for_role, lcspr, name, role
):
    user = user_for_role(role)
    appoint(lcspr, user, role="reviewer" if role == Role.REVIEWER else "panel_member")
    client.force_login(user)
    assert client.get(url(name, lcspr)).status_code == 200


@pytest.mark.parametrize("name", [*READ_PAGES, "terms_document"])
def test_review_pages_are_hidden_from_outsiders_and_ask_anonymous_to_sign_in(
    client, lcspr, other_partnership, name
):
    response = client.get(url(name, lcspr))
    assert response.status_code == 302 and "sign-in" in response["Location"]
    outsider = member(other_partnership, Role.BUSINESS_UNIT)
    client.force_login(outsider)
    assert client.get(url(name, lcspr)).status_code == 404


def test_a_reviewer_sees_only_their_reviews(client, partnership, business_unit_user, user_for_role):
    case_a, _ = decided_case(partnership, business_unit_user, pseudonym="Child C")
    mine = commission(case_a, business_unit_user)
    case_b, _ = decided_case(partnership, business_unit_user, ("sar",), pseudonym="Adult D")
    theirs = commission(case_b, business_unit_user)
    reviewer = user_for_role(Role.REVIEWER)
    appoint(mine, reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("reviews:list", args=[partnership.slug])).content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert client.get(url("detail", theirs)).status_code == 404
    # The list's SQL is built once (issue 16): another reviewer gets their own reviews from it.
    other = user_for_role(Role.REVIEWER, email="other.reviewer@testshire.example")
    appoint(theirs, other)
    client.force_login(other)
    page = client.get(reverse("reviews:list", args=[partnership.slug])).content.decode()
    assert theirs.reference in page and mine.reference not in page


def test_the_list_shows_every_review_to_the_business_unit_in_few_queries(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries
):
    for index in range(3):
        case, _ = decided_case(partnership, business_unit_user, pseudonym=f"Child {index}")
        commission(case, business_unit_user)
    with django_assert_max_num_queries(12):
        response = bu_client.get(reverse("reviews:list", args=[partnership.slug]))
    assert response.content.decode().count("RV") >= 3


@pytest.mark.parametrize("role", [Role.AGENCY_CONTRIBUTOR, Role.ADMINISTRATOR])
def test_the_list_is_refused_to_contributors_and_administrators(client_for, partnership, role):
    assert client_for(role).get(reverse("reviews:list", args=[partnership.slug])).status_code == 403


def test_the_list_has_a_helpful_empty_state(bu_client, partnership):
    page = bu_client.get(reverse("reviews:list", args=[partnership.slug])).content.decode()
    assert "No reviews have started yet" in page


# The task list and moving stages ---------------------------------------------------------------


def test_the_review_page_shows_the_task_list_and_the_case_milestones(bu_client, lcspr):
    page = bu_client.get(url("detail", lcspr)).content.decode()
    assert 'class="govuk-task-list"' in page
    assert "Terms of reference" in page and "Not yet started" in page
    assert "Cannot start yet" in page
    assert "Deadlines for this case" in page
    assert "Move to the next stage" in page


def test_the_review_page_asks_its_task_list_in_one_query(
    bu_client, lcspr, django_assert_num_queries
):
    """Issue 16 (ADR 0040): the task list's nine questions (a reviewer, people, a chronology,
    family contacts, meetings, findings, documents, quality, immediate actions) are one query
    beside the agency requests; the page was 18 queries on the bench, now 11."""
    bu_client.get(url("detail", lcspr))
    with django_assert_num_queries(10):
        page = bu_client.get(url("detail", lcspr)).content.decode()
    assert "Terms of reference" in page


def test_moving_on_too_early_lists_what_is_missing(bu_client, lcspr):
    response = bu_client.post(url("move", lcspr))
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Appoint a reviewer" in page and "Write the key lines of enquiry" in page
    lcspr.refresh_from_db()
    assert lcspr.stage == Review.Stage.COMMISSIONING


def test_the_review_moves_on_when_the_terms_and_reviewer_are_in_place(
    bu_client, lcspr, business_unit_user
):
    review_services.terms_update(
        review=lcspr,
        actor=business_unit_user,
        scope_start=yesterday(),
        scope_end=today(),
        key_lines_of_enquiry="How did agencies share information?",
        methodology="Learning Together",
    )
    appoint(lcspr)
    response = bu_client.post(url("move", lcspr))
    assert response.status_code == 302
    lcspr.refresh_from_db()
    assert lcspr.stage == Review.Stage.AGENCY_REPORTS


def test_only_the_business_unit_moves_a_review(client, user_for_role, lcspr):
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    assert client.post(url("move", lcspr)).status_code == 403
    assert client.get(url("move", lcspr)).status_code == 405


# Commissioning ---------------------------------------------------------------------------------


def test_the_business_unit_commissions_a_joint_review_from_the_case(
    bu_client, partnership, business_unit_user
):
    case, _ = decided_case(partnership, business_unit_user, ("cspr", "sar"), pseudonym="Young E")
    case_page = bu_client.get(reverse("referrals:case", args=[partnership.slug, case.pk]))
    commission_url = reverse("reviews:commission", args=[partnership.slug, case.pk])
    assert commission_url in case_page.content.decode()
    response = bu_client.post(commission_url, {"tracks": [t.pk for t in case.tracks.all()]})
    review = Review.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == url("detail", review)
    assert review.kind == Review.Kind.JOINT and review.tracks.count() == 2


def test_commissioning_with_nothing_selected_is_refused(bu_client, partnership, business_unit_user):
    case, _ = decided_case(partnership, business_unit_user)
    response = bu_client.post(reverse("reviews:commission", args=[partnership.slug, case.pk]), {})
    assert "Select the review types the review covers" in response.content.decode()
    assert not Review.objects.filter(case=case).exists()


def test_commissioning_is_for_the_business_unit_only(client_for, partnership, business_unit_user):
    case, _ = decided_case(partnership, business_unit_user)
    page = reverse("reviews:commission", args=[partnership.slug, case.pk])
    assert client_for(Role.PARTNER_LEAD).get(page).status_code == 403


# Terms of reference ----------------------------------------------------------------------------


def terms_post(start, end, **extra):
    return {
        **date_post("scope_start", start),
        **date_post("scope_end", end),
        "key_lines_of_enquiry": "How did agencies share information?",
        "methodology": "SILP",
        **extra,
    }


def test_the_business_unit_saves_the_terms_of_reference(bu_client, lcspr, agency, partnership):
    partnership.agencies.add(agency)
    response = bu_client.post(
        url("terms", lcspr),
        terms_post(yesterday(), today(), parallel_processes="Inquest opened", agencies=[agency.pk]),
    )
    assert response.status_code == 302
    lcspr.refresh_from_db()
    assert lcspr.scope_start == yesterday() and lcspr.methodology == "SILP"
    assert list(lcspr.agencies.all()) == [agency]
    assert AuditEvent.objects.filter(action="review.updated", object_id=str(lcspr.pk)).exists()


@pytest.mark.parametrize(
    "start,end,message",
    [
        (today, yesterday, "must be the same as or after the start"),
        (yesterday, tomorrow, "must be today or in the past"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(bu_client, lcspr, start, end, message):
    response = bu_client.post(url("terms", lcspr), terms_post(when_run(start), when_run(end)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    lcspr.refresh_from_db()
    assert lcspr.scope_start is None and lcspr.methodology == ""


def test_the_terms_are_read_only_for_partner_leads(client, user_for_role, lcspr):
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    assert "<form" not in client.get(url("terms", lcspr)).content.decode().split("govuk-main")[-1]
    assert client.post(url("terms", lcspr), terms_post(yesterday(), today())).status_code == 403


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_terms_document_names_reviewers_but_never_real_names(
    bu_client, lcspr, business_unit_user, fmt
):
    review_services.terms_update(
        review=lcspr,
        actor=business_unit_user,
        key_lines_of_enquiry="Information sharing",
        methodology="SILP",
    )
    appoint(lcspr, name="Morgan Independent")
    review_services.person_add(
        review=lcspr,
        actor=business_unit_user,
        pseudonym="Child B",
        role_in_case="subject",
        full_name="Realname Hiddenperson",
    )
    response = bu_client.get(url("terms_document", lcspr) + f"?format={fmt}")
    assert response.status_code == 200
    data = response.content
    if fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        assert "Morgan Independent" in text and "Child B" in text
        assert "Realname" not in text and "Quillfeather" not in text
        facts = docx_facts(data, title=f"Terms of reference: {lcspr.title}")
        assert ("Heading 1", "Key lines of enquiry") in facts.headings
    else:
        assert response["Content-Type"] == "application/pdf"
        facts = assert_accessible_pdf(data, title=f"Terms of reference: {lcspr.title}")
        assert "Morgan Independent" in facts.text and "Child B" in facts.text
        assert "Realname" not in facts.text and "Quillfeather" not in facts.text
        assert facts.structure["H2"] == 10  # one heading per section of the terms


def test_an_unknown_terms_document_format_is_not_found(bu_client, lcspr):
    assert bu_client.get(url("terms_document", lcspr) + "?format=exe").status_code == 404


# Appointments ----------------------------------------------------------------------------------


def test_appointing_a_reviewer_with_their_account_lets_them_see_the_review(
    bu_client, client, lcspr, user_for_role
):
    reviewer = user_for_role(Role.REVIEWER)
    response = bu_client.post(
        url("appointments", lcspr),
        {
            "role": "reviewer",
            "name": "Jo Reviewer",
            "organisation": "Independent",
            "independent": "on",
            "user": reviewer.pk,
            **date_post("appointed_on", today()),
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(review=lcspr)
    assert appointment.independent and appointment.user == reviewer
    client.force_login(reviewer)
    assert client.get(url("detail", lcspr)).status_code == 200


def test_an_account_without_a_reviewer_role_cannot_be_linked(lcspr, business_unit_user):
    with pytest.raises(ServiceError, match="reviewer or panel member"):
        review_services.appointment_add(
            review=lcspr,
            actor=business_unit_user,
            role="chair",
            name="Chair Person",
            appointed_on=today(),
            user=business_unit_user,
        )


def test_a_bad_appointment_is_refused_and_nothing_is_saved(bu_client, lcspr):
    response = bu_client.post(
        url("appointments", lcspr), {"name": "", **date_post("appointed_on", tomorrow())}
    )
    page = response.content.decode()
    assert "Select the role they are appointed to" in page
    assert "Enter the name of the person appointed" in page
    assert not Appointment.objects.exists()


# Meetings --------------------------------------------------------------------------------------


def test_an_appointed_reviewer_records_a_meeting(client, lcspr, user_for_role):
    reviewer = user_for_role(Role.REVIEWER)
    appoint(lcspr, reviewer)
    client.force_login(reviewer)
    response = client.post(
        url("meetings", lcspr),
        {
            "title": "Panel meeting 1",
            "minutes": "Agreed the scope.",
            **date_post("held_on", today()),
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.get(review=lcspr).recorded_by == reviewer


def test_a_meeting_may_be_planned_ahead(bu_client, lcspr):
    """A meeting not held yet is a planned one (its invitations: test_meeting_invitations.py)."""
    response = bu_client.post(
        url("meetings", lcspr), {"title": "Panel meeting", **date_post("held_on", tomorrow())}
    )
    assert response.status_code == 302
    assert Meeting.objects.get().held_on == tomorrow()


def test_a_panel_member_reads_meetings_but_cannot_record_one(client, lcspr, user_for_role):
    panel = user_for_role(Role.PANEL_MEMBER)
    appoint(lcspr, panel, role="panel_member")
    client.force_login(panel)
    assert client.get(url("meetings", lcspr)).status_code == 200
    response = client.post(url("meetings", lcspr), {"title": "x", **date_post("held_on", today())})
    assert response.status_code == 403


# Family involvement ----------------------------------------------------------------------------


def test_a_dhr_family_page_warns_until_advocacy_is_signposted(
    bu_client, partnership, business_unit_user
):
    case, _ = decided_case(partnership, business_unit_user, ("dhr",), pseudonym="Adult F")
    review = commission(case, business_unit_user)
    assert "support for families" in bu_client.get(url("family", review)).content.decode()
    response = bu_client.post(
        url("family", review),
        {
            "kind": "advocacy_signposted",
            "advocate": "AAFDA",
            "consent_to_quote": "yes",
            **date_post("happened_on", today()),
        },
    )
    assert response.status_code == 302
    contact = FamilyContact.objects.get(review=review)
    assert contact.consent_to_quote is True and contact.advocate == "AAFDA"
    assert "support for families" not in bu_client.get(url("family", review)).content.decode()


def test_a_cspr_family_page_does_not_warn_about_advocacy(bu_client, lcspr):
    assert "support for families" not in bu_client.get(url("family", lcspr)).content.decode()


def test_a_family_contact_in_the_future_is_refused(bu_client, lcspr):
    response = bu_client.post(
        url("family", lcspr), {"kind": "leaflet_sent", **date_post("happened_on", tomorrow())}
    )
    assert "must be today or in the past" in response.content.decode()
    assert not FamilyContact.objects.exists()


# Documents -------------------------------------------------------------------------------------


def upload(client, review, content, name="draft.pdf", **extra):
    data = {"file": SimpleUploadedFile(name, content), **extra}
    return client.post(url("document_upload", review), data)


def test_versions_of_a_draft_are_kept_and_the_current_one_is_marked(
    bu_client, lcspr, sample_pdf, sample_docx
):
    response = upload(
        bu_client,
        lcspr,
        sample_pdf,
        document="new",
        title="Draft report",
        document_kind="draft_report",
    )
    assert response.status_code == 302
    document = lcspr.documents.get()
    response = upload(
        bu_client, lcspr, sample_docx, name="draft-2.docx", document=document.pk, note="After panel"
    )
    assert response.status_code == 302
    versions = list(DocumentVersion.objects.filter(document=document).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    page = bu_client.get(url("documents", lcspr)).content.decode()
    assert page.count("Current version") == 1 and "Earlier version" in page
    assert page.index("draft-2.docx") < page.index("draft.pdf")
    download = bu_client.get(url("document_download", lcspr, version_pk=versions[0].pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == sample_pdf
    assert AuditEvent.objects.filter(action="review.report_downloaded").exists()


def test_a_file_that_is_not_a_document_is_refused_and_nothing_is_saved(bu_client, lcspr):
    response = upload(
        bu_client,
        lcspr,
        b"MZ not a pdf",
        name="draft.pdf",
        document="new",
        title="Draft",
        document_kind="draft_report",
    )
    assert "must be a PDF, Word document or OpenDocument text" in response.content.decode()
    assert not DocumentVersion.objects.exists() and not lcspr.documents.exists()


def test_a_new_document_needs_a_title(bu_client, lcspr, sample_pdf):
    response = upload(bu_client, lcspr, sample_pdf, document="new")
    page = response.content.decode()
    assert "Enter a title for the document" in page
    assert not lcspr.documents.exists()


def test_the_stored_file_is_removed_when_the_database_write_fails(
    lcspr, business_unit_user, sample_pdf, monkeypatch
):
    from safeguarding.core.uploads import PDF

    def fail(**kwargs):
        raise RuntimeError("audit down")

    before = _stored_files()
    monkeypatch.setattr(review_services, "audit_record", fail)
    with pytest.raises(RuntimeError):
        review_services.document_version_upload(
            review=lcspr,
            actor=business_unit_user,
            uploaded=SimpleUploadedFile("draft.pdf", sample_pdf),
            kind=PDF,
            title="Draft",
            document_kind="draft_report",
        )
    assert _stored_files() == before
    assert not lcspr.documents.exists()


def _stored_files() -> set[str]:
    found = set()
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found.update(os.path.join(root, name) for name in files)
    return found


def test_a_panel_member_cannot_upload(client, lcspr, user_for_role):
    panel = user_for_role(Role.PANEL_MEMBER)
    appoint(lcspr, panel, role="panel_member")
    client.force_login(panel)
    assert client.get(url("document_upload", lcspr)).status_code == 403


def test_the_documents_page_keeps_its_query_count(
    bu_client, lcspr, business_unit_user, sample_pdf, django_assert_max_num_queries
):
    from safeguarding.core.uploads import PDF

    for index in range(3):
        review_services.document_version_upload(
            review=lcspr,
            actor=business_unit_user,
            uploaded=SimpleUploadedFile("d.pdf", sample_pdf),
            kind=PDF,
            title=f"Document {index}",
            document_kind="other",
        )
    with django_assert_max_num_queries(14):
        assert bu_client.get(url("documents", lcspr)).status_code == 200


# Quality markers -------------------------------------------------------------------------------


def test_each_review_type_gets_the_markers_that_fit(partnership, business_unit_user, lcspr):
    assert markers_for(lcspr) == CSPR_SET and len(CSPR_SET.markers) == 18
    case, _ = decided_case(partnership, business_unit_user, ("sar",), pseudonym="Adult G")
    sar = commission(case, business_unit_user)
    assert markers_for(sar) == SAR_SET and len(SAR_SET.markers) == 15
    case, _ = decided_case(partnership, business_unit_user, ("dhr",), pseudonym="Adult H")
    dhr = commission(case, business_unit_user)
    assert markers_for(dhr) == DHR_SET and len(DHR_SET.markers) == 12
    titles = " ".join(m.title for m in DHR_SET.markers)
    for theme in ("Equality and diversity", "Coercive control", "The victim's voice"):
        assert theme in titles


@pytest.fixture
def dhr(partnership, business_unit_user):
    case, _ = decided_case(partnership, business_unit_user, ("dhr",), pseudonym="Adult H")
    return commission(case, business_unit_user)


def test_a_dhr_is_assessed_against_the_home_office_criteria(bu_client, dhr):
    page = bu_client.get(url("quality", dhr)).content.decode()
    assert DHR_SET.title in page and DHR_SET.source in page and "nearest fit" not in page
    response = bu_client.post(url("quality", dhr), quality_post(DHR_SET))
    assert response.status_code == 302
    assessment = QualityAssessment.objects.get(review=dhr)
    assert assessment.framework == "dhr_ho_2016" and assessment.ratings.count() == 12
    assert "Met: 12" in bu_client.get(url("quality", dhr)).content.decode()


def test_an_earlier_nearest_fit_dhr_assessment_keeps_its_set_and_ratings(
    bu_client, dhr, business_unit_user
):
    # Made before the Home Office criteria were held: recorded against the CSPR markers.
    old = QualityAssessment.objects.create(
        review=dhr, framework="cspr_2016", created_by=business_unit_user
    )
    for number in CSPR_SET.numbers:
        QualityRating.objects.create(assessment=old, marker=number, rating="partly_met")
    dhr.refresh_from_db()
    assert set_for(dhr).framework == "cspr_2016"
    page = bu_client.get(url("quality", dhr)).content.decode()
    assert CSPR_SET.title in page and "nearest fit" in page and "Partly met: 18" in page
    # A post against the DHR criteria does not fit the recorded set: refused, nothing changed.
    response = bu_client.post(url("quality", dhr), quality_post(DHR_SET, rating="met"))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert old.ratings.filter(rating="partly_met").count() == 18
    # Re-saved against the set it used, it stays on that set.
    response = bu_client.post(url("quality", dhr), quality_post(CSPR_SET, rating="met"))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.framework == "cspr_2016" and old.ratings.filter(rating="met").count() == 18


def quality_post(marker_set, rating="met"):
    data = {f"rating_{m.number}": rating for m in marker_set.markers}
    data["evidence_1"] = "Referred within two days"
    data["summary"] = "A sound review."
    return data


def test_the_business_unit_rates_every_marker(bu_client, lcspr):
    response = bu_client.post(url("quality", lcspr), quality_post(CSPR_SET))
    assert response.status_code == 302
    assessment = QualityAssessment.objects.get(review=lcspr)
    assert assessment.framework == "cspr_2016" and assessment.ratings.count() == 18
    assert assessment.ratings.get(marker=1).evidence == "Referred within two days"
    page = bu_client.get(url("quality", lcspr)).content.decode()
    assert "Met: 18" in page


def test_a_missing_rating_is_refused_and_nothing_is_saved(bu_client, lcspr):
    data = quality_post(CSPR_SET)
    del data["rating_7"]
    response = bu_client.post(url("quality", lcspr), data)
    assert "Select a rating for marker 7" in response.content.decode()
    assert not QualityAssessment.objects.exists()


# Findings --------------------------------------------------------------------------------------


def test_an_appointed_reviewer_adds_and_changes_findings(client, lcspr, user_for_role):
    reviewer = user_for_role(Role.REVIEWER)
    appoint(lcspr, reviewer)
    client.force_login(reviewer)
    response = client.post(url("findings", lcspr), {"title": "Information sharing", "text": "..."})
    assert response.status_code == 302
    finding = Finding.objects.get(review=lcspr)
    assert finding.number == 1
    response = client.post(
        url("finding_edit", lcspr, finding_pk=finding.pk),
        {"title": "Sharing information", "text": "Changed."},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.title == "Sharing information"


def test_a_blank_finding_is_refused(bu_client, lcspr):
    response = bu_client.post(url("findings", lcspr), {"title": "", "text": ""})
    page = response.content.decode()
    assert "Enter a short title for the finding" in page and "Enter the finding" in page
    assert not Finding.objects.exists()


def test_a_partner_lead_cannot_write_findings(client, user_for_role, lcspr):
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    assert client.post(url("findings", lcspr), {"title": "x", "text": "y"}).status_code == 403


def test_a_rapid_review_shows_its_own_task_list(bu_client, partnership, business_unit_user):
    case, _ = decided_case(partnership, business_unit_user, pseudonym="Child R")
    from safeguarding.reviews.rapid_review import services as rapid_review_services

    rapid = Review.objects.filter(case=case, kind="rapid_review").first() or (
        rapid_review_services.rapid_review_start(case=case, actor=business_unit_user)
    )
    page = bu_client.get(url("detail", rapid)).content.decode()
    assert "Ask agencies for summaries" in page and "Send to the National Panel" in page
