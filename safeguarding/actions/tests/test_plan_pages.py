"""The action plan pages: a review's plan, findings and themes, recommendations and impact,
actions, progress with evidence, completion asked for and accepted or returned, decisions not
to implement (R24), and who may see and change what."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory
from safeguarding.actions.models import (
    Action,
    ActionEvidence,
    ActionUpdate,
    Recommendation,
    Theme,
)
from safeguarding.audit.models import AuditEvent
from safeguarding.reviews.models import Finding
from safeguarding.reviews.tests.review_support import make_lcspr

from .support import (
    action_awaiting_acceptance,
    action_with_evidence,
    add_action,
    add_recommendation,
    contributor_for,
    pdf_upload,
    signed_off_review,
    text_named_pdf,
    today,
)

pytestmark = pytest.mark.django_db

Status = Action.Status


@pytest.fixture
def review(partnership, business_unit_user, sample_pdf):
    return signed_off_review(partnership, business_unit_user, sample_pdf)


@pytest.fixture
def recommendation(review, business_unit_user, agency):
    return add_recommendation(review, business_unit_user, agencies=[agency])


@pytest.fixture
def action(recommendation, business_unit_user, agency):
    return add_action(recommendation, business_unit_user, agency)


@pytest.fixture
def contributor(partnership, agency):
    return contributor_for(partnership, agency, full_name="Casey Contributor")


@pytest.fixture
def contributor_client(contributor):
    client = Client()
    client.force_login(contributor)
    return client


def url(name, partnership, **kwargs):
    return reverse(f"actions:{name}", kwargs={"slug": partnership.slug, **kwargs})


def plan_url(review):
    return url("plan", review.partnership, review_pk=review.pk)


def action_url(name, action):
    return url(name, action.partnership, pk=action.pk)


def stored_evidence_files() -> int:
    root = Path(settings.MEDIA_ROOT, "action-evidence")
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def snapshot() -> dict:
    """Everything a refused form must leave alone."""
    return {
        "actions": Action.objects.count(),
        "updates": ActionUpdate.objects.count(),
        "evidence": ActionEvidence.objects.count(),
        "files": stored_evidence_files(),
        "recommendations": Recommendation.objects.count(),
    }


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def label(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def assert_refused(response, message: str):
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html


# The plan page ---------------------------------------------------------------------------------


def test_the_plan_shows_findings_recommendations_and_actions_with_their_status(
    bu_client, review, recommendation, action, business_unit_user, agency
):
    overdue = Action.objects.create(
        partnership=review.partnership,
        recommendation=recommendation,
        number=2,
        text="Audit the neglect cases.",
        agency=agency,
        lead_name="Jo Fictional",
        target_date=today() - datetime.timedelta(days=1),
    )
    response = bu_client.get(plan_url(review))
    html = response.content.decode()
    assert response.status_code == 200
    assert review.reference in html and review.title in html
    assert "Finding 1: Information sharing" in html
    assert "Recommendation 1" in html
    assert recommendation.text in html
    assert "Children are seen and heard sooner." in html
    assert "The partnership as a whole" in html
    assert agency.name in html
    assert ">1.1</a>" in html and ">1.2</a>" in html
    assert action.text in html and "Sam Fictional-Lead" in html
    assert label(action.target_date) in html
    assert 'govuk-tag--light-blue">Not started' in html
    assert 'govuk-tag--red">Overdue' in html
    assert reverse("actions:action", args=[review.partnership.slug, overdue.pk]) in html
    for link in (
        "Add a finding or learning point",
        "Add a recommendation",
        "Add an action",
        "Change themes",
        ">Change<span",
        ">Impact<span",
    ):
        assert link in html
    assert url("plan_docx", review.partnership, review_pk=review.pk) in html
    assert url("plan_xlsx", review.partnership, review_pk=review.pk) in html
    assert url("tracker", review.partnership) in html


def test_partner_leads_read_the_plan_without_the_links_to_change_it(
    client, user_for_role, review, action
):
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    html = client.get(plan_url(review)).content.decode()
    assert action.text in html
    for link in ("Add a recommendation", "Add an action", "Change themes", ">Impact<span"):
        assert link not in html


def test_an_empty_plan_says_what_to_do_next(bu_client, partnership, business_unit_user):
    review, _ = make_lcspr(partnership, business_unit_user)  # no findings yet
    html = bu_client.get(plan_url(review)).content.decode()
    assert "No findings or learning points have been recorded for this review yet" in html
    assert "Add them first" in html
    assert "Add the findings and learning points first" in html
    assert "Add a recommendation" not in html  # nothing to answer yet


def test_a_recommendation_without_actions_says_to_add_one(bu_client, review, recommendation):
    html = bu_client.get(plan_url(review)).content.decode()
    assert "No actions yet. Add an action" in html


def test_the_review_page_links_to_its_action_plan(bu_client, review):
    response = bu_client.get(reverse("reviews:detail", args=[review.partnership.slug, review.pk]))
    assert "Recommendations and action plan" in response.content.decode()
    assert plan_url(review) in response.content.decode()


def _plan_with_actions(review, actor, agencies, count):
    per_recommendation = 5
    recommendation = None
    for index in range(count):
        if index % per_recommendation == 0:
            recommendation = add_recommendation(review, actor, agencies=agencies[:2])
        add_action(recommendation, actor, agencies[index % len(agencies)], text=f"Action {index}")


# The session, the user (with the two-factor question), partnership, roles, review, 6 for the
# plan, session save, the unread notifications count
PLAN_QUERIES = 14


def test_the_plan_page_query_count_does_not_grow_with_the_actions(
    bu_client, partnership, business_unit_user, sample_pdf, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agencies = [AgencyFactory() for _ in range(4)]
    counts = []
    for count in (2, 20):
        review = signed_off_review(partnership, business_unit_user, sample_pdf)
        _plan_with_actions(review, business_unit_user, agencies, count)
        with (
            django_assert_max_num_queries(PLAN_QUERIES),
            CaptureQueriesContext(connection) as queries,
        ):
            response = bu_client.get(plan_url(review))
        assert response.content.decode().count("govuk-table__row") >= count
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Findings, learning points and themes ----------------------------------------------------------


def _theme(name):
    return Theme.objects.get(partnership__isnull=True, name=name)


def test_the_business_unit_adds_a_learning_point_with_themes(bu_client, review):
    neglect, curiosity = _theme("Neglect"), Theme.objects.filter(facet="practice").first()
    response = bu_client.post(
        url("learning_add", review.partnership, review_pk=review.pk),
        {
            "kind": "learning_point",
            "title": "Seeing the baby",
            "text": "Practitioners rarely saw the baby awake.",
            "themes_harm": [neglect.pk],
            "themes_practice": [curiosity.pk],
        },
    )
    assert response.status_code == 302
    finding = review.findings.get(title="Seeing the baby")
    assert finding.kind == Finding.Kind.LEARNING_POINT
    assert set(finding.themes.all()) == {neglect, curiosity}
    html = bu_client.get(plan_url(review)).content.decode()
    assert "Learning point 3: Seeing the baby" in html
    assert "Neglect" in html


def test_a_learning_point_needs_a_kind_a_title_and_text(bu_client, review):
    before = review.findings.count()
    response = bu_client.post(url("learning_add", review.partnership, review_pk=review.pk), {})
    assert_refused(response, "Select finding or learning point")
    assert "Enter a short title" in response.content.decode()
    assert "Describe the finding or learning point" in response.content.decode()
    assert review.findings.count() == before


def test_the_learning_form_groups_themes_by_facet(bu_client, review):
    html = bu_client.get(url("learning_add", review.partnership, review_pk=review.pk)).content
    html = html.decode()
    for facet_label in Theme.Facet.labels:
        assert facet_label in html


def test_the_business_unit_changes_a_findings_themes(bu_client, review):
    finding = review.findings.first()
    neglect = _theme("Neglect")
    themes_url = url(
        "finding_themes", review.partnership, review_pk=review.pk, finding_pk=finding.pk
    )
    assert bu_client.get(themes_url).status_code == 200
    response = bu_client.post(themes_url, {"themes_harm": [neglect.pk]})
    assert response.status_code == 302
    assert list(finding.themes.all()) == [neglect]
    response = bu_client.post(themes_url, {"themes_harm": ["999999"]})
    assert_refused(response, "Select themes from the list")
    assert list(finding.themes.all()) == [neglect]


def test_the_themes_page_counts_findings_and_the_business_unit_adds_one(
    bu_client, review, business_unit_user
):
    finding = review.findings.first()
    _theme("Neglect").findings.add(finding)
    themes_url = url("themes", review.partnership)
    html = bu_client.get(themes_url).content.decode()
    assert "Harm or incident type" in html and "Neglect" in html
    response = bu_client.post(themes_url, {"facet": "practice", "name": "Hospital discharge"})
    assert response.status_code == 302
    theme = Theme.objects.get(name="Hospital discharge")
    assert theme.partnership == review.partnership
    html = bu_client.get(themes_url).content.decode()
    assert "Added by the partnership" in html
    response = bu_client.post(themes_url, {"facet": "practice", "name": "hospital discharge"})
    assert_refused(response, "There is already a theme with this name in this group")
    assert Theme.objects.filter(name__iexact="hospital discharge").count() == 1


def test_partner_leads_see_the_themes_but_cannot_add_one(client, user_for_role, partnership):
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    themes_url = url("themes", partnership)
    html = client.get(themes_url).content.decode()
    assert "Neglect" in html and "Add a theme" not in html
    before = Theme.objects.count()
    assert client.post(themes_url, {"facet": "practice", "name": "X"}).status_code == 403
    assert Theme.objects.count() == before


# Recommendations and impact --------------------------------------------------------------------


def test_the_business_unit_adds_a_recommendation(bu_client, review, agency):
    findings = list(review.findings.all())
    form_url = url("recommendation_add", review.partnership, review_pk=review.pk)
    html = bu_client.get(form_url).content.decode()
    assert "What should be different for children, adults or families, in plain words" in html
    assert f'value="{today().year}"' in html  # date agreed defaults to today
    response = bu_client.post(
        form_url,
        {
            "text": "Share neglect concerns early.",
            "findings": [f.pk for f in findings],
            "agencies": [agency.pk],
            "scope": "multi_agency",
            "expected_change": "Children are helped sooner.",
            **date_fields("agreed_on", today()),
        },
    )
    assert response.status_code == 302
    recommendation = review.recommendations.get()
    assert recommendation.number == 1
    assert list(recommendation.agencies.all()) == [agency]
    assert not recommendation.to_partnership
    assert set(recommendation.findings.all()) == set(findings)


def test_a_recommendation_must_be_addressed_to_someone(bu_client, review):
    response = bu_client.post(
        url("recommendation_add", review.partnership, review_pk=review.pk),
        {
            "text": "Share neglect concerns early.",
            "findings": [review.findings.first().pk],
            "scope": "multi_agency",
            "expected_change": "Children are helped sooner.",
            **date_fields("agreed_on", today()),
        },
    )
    assert_refused(
        response, "Select the partnership or at least one agency the recommendation is addressed to"
    )
    assert not review.recommendations.exists()


def test_the_business_unit_changes_a_recommendation(bu_client, recommendation, agency):
    edit_url = url("recommendation_edit", recommendation.review.partnership, pk=recommendation.pk)
    html = bu_client.get(edit_url).content.decode()
    assert recommendation.text in html
    response = bu_client.post(
        edit_url,
        {
            "text": "Changed wording.",
            "findings": [f.pk for f in recommendation.findings.all()],
            "agencies": ["partnership"],
            "scope": "single_agency",
            "expected_change": "Babies are seen awake.",
            **date_fields("agreed_on", today()),
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Changed wording."
    assert recommendation.scope == "single_agency"
    assert recommendation.to_partnership and not recommendation.agencies.exists()
    assert 'value="partnership" checked' in bu_client.get(edit_url).content.decode()


def test_impact_is_planned_then_recorded(bu_client, recommendation):
    impact_url = url("impact", recommendation.review.partnership, pk=recommendation.pk)
    html = bu_client.get(impact_url).content.decode()
    assert "How the partnership will know" in html
    assert "Record the impact" not in html  # only once there is a plan
    response = bu_client.post(
        impact_url,
        {
            "part": "plan",
            "method": "audit",
            "plan": "Audit 20 case files in a year.",
            **date_fields("review_on", today() + datetime.timedelta(days=365)),
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.impact_method == "audit"
    assert "Record the impact" in bu_client.get(impact_url).content.decode()

    response = bu_client.post(impact_url, {"part": "result", "judgement": "partly"})
    assert_refused(response, "Describe what the measure, audit or survey found")
    recommendation.refresh_from_db()
    assert recommendation.impact_judgement == ""

    response = bu_client.post(
        impact_url,
        {
            "part": "result",
            "result": "Most files showed early sharing.",
            "judgement": "partly",
            **date_fields("recorded_on", today()),
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.impact_judgement == "partly"
    assert recommendation.impact_recorded_on == today()
    html = bu_client.get(plan_url(recommendation.review)).content.decode()
    assert "Partly changed practice" in html and "Most files showed early sharing." in html


def test_an_impact_plan_needs_a_method_and_a_description(bu_client, recommendation):
    impact_url = url("impact", recommendation.review.partnership, pk=recommendation.pk)
    response = bu_client.post(impact_url, {"part": "plan"})
    assert_refused(response, "Select how the partnership will know")
    recommendation.refresh_from_db()
    assert recommendation.impact_method == ""


# Actions ---------------------------------------------------------------------------------------


def test_the_business_unit_adds_an_action(bu_client, recommendation, agency):
    add_url = url("action_add", recommendation.review.partnership, pk=recommendation.pk)
    assert bu_client.get(add_url).status_code == 200
    target = today() + datetime.timedelta(days=90)
    response = bu_client.post(
        add_url,
        {
            "text": "Run neglect training.",
            "agency": agency.pk,
            "lead_name": "Pat Lead",
            **date_fields("target_date", target),
        },
    )
    assert response.status_code == 302
    action = recommendation.actions.get()
    assert (action.reference, action.agency, action.target_date) == ("1.1", agency, target)
    assert action.updates.get().kind == ActionUpdate.Kind.CREATED
    page = bu_client.get(response.url).content.decode()
    # No contributor of the agency in the service: the page says no one there was emailed.
    assert f"{agency.name} has no agency contributor in the service" in page


def test_the_page_says_the_owner_agency_was_emailed(bu_client, recommendation, agency, contributor):
    response = bu_client.post(
        url("action_add", recommendation.review.partnership, pk=recommendation.pk),
        {
            "text": "Run neglect training.",
            "agency": agency.pk,
            "lead_name": "Pat Lead",
            **date_fields("target_date", today() + datetime.timedelta(days=90)),
        },
        follow=True,
    )
    assert f"Action 1.1 added. {agency.name} has been emailed" in response.content.decode()


def test_a_target_date_before_the_review_started_is_refused(bu_client, recommendation, agency):
    review = recommendation.review
    before = snapshot()
    response = bu_client.post(
        url("action_add", review.partnership, pk=recommendation.pk),
        {
            "text": "Run neglect training.",
            "agency": agency.pk,
            "lead_name": "Pat Lead",
            **date_fields("target_date", review.started_on - datetime.timedelta(days=1)),
        },
    )
    assert_refused(
        response,
        f"The target date must be on or after the review started ({label(review.started_on)})",
    )
    assert 'href="#id_target_date_0"' in response.content.decode()
    assert snapshot() == before


def test_the_business_unit_changes_an_action(bu_client, action):
    other = AgencyFactory(name="Testshire Council")
    edit_url = action_url("action_edit", action)
    assert action.text in bu_client.get(edit_url).content.decode()
    response = bu_client.post(
        edit_url,
        {
            "text": action.text,
            "agency": other.pk,
            "lead_name": action.lead_name,
            **date_fields("target_date", action.target_date),
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.agency == other
    assert action.updates.filter(kind=ActionUpdate.Kind.CHANGED).exists()

    before = snapshot()
    response = bu_client.post(
        edit_url,
        {
            "text": action.text,
            "agency": other.pk,
            "lead_name": action.lead_name,
            **date_fields(
                "target_date", action.recommendation.review.started_on.replace(year=2000)
            ),
        },
    )
    assert_refused(response, "The target date must be on or after the review started")
    assert snapshot() == before


def test_the_action_page_shows_the_action_its_evidence_and_history(
    bu_client, action, contributor, sample_pdf
):
    action_with_evidence(action, contributor, sample_pdf)
    response = bu_client.get(action_url("action", action))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Action 1.1" in html
    assert action.recommendation.text in html
    assert "Testshire Police" in html and "Sam Fictional-Lead" in html
    assert "training-register.pdf" in html and "PDF" in html
    assert "Casey Contributor" in html
    assert "Not started → On track" in html
    assert "Training has started." in html
    assert html.index("Progress update") < html.index("Action agreed")  # newest first
    evidence = action.evidence.get()
    assert action_url("action", action) + f"evidence/{evidence.pk}/" in html
    for button in (
        "Record progress",
        "Ask for it to be accepted as complete",
        "Decide not to implement",
        "Change the action",
    ):
        assert button in html
    assert "Accept or return the completion" not in html


def test_the_owner_agency_sees_its_buttons_but_not_the_business_units(contributor_client, action):
    html = contributor_client.get(action_url("action", action)).content.decode()
    assert "Record progress" in html and "Ask for it to be accepted as complete" in html
    assert "Decide not to implement" not in html and "Change the action" not in html


def test_the_evidence_file_is_served_as_an_attachment(bu_client, action, contributor, sample_pdf):
    action_with_evidence(action, contributor, sample_pdf)
    evidence = action.evidence.get()
    response = bu_client.get(action_url("action", action) + f"evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="training-register.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == sample_pdf


def test_every_download_of_evidence_is_audited(
    bu_client, contributor_client, action, contributor, sample_pdf
):
    action_with_evidence(action, contributor, sample_pdf)
    evidence = action.evidence.get()
    evidence_url = action_url("action", action) + f"evidence/{evidence.pk}/"
    assert bu_client.get(evidence_url).status_code == 200
    assert contributor_client.get(evidence_url).status_code == 200
    events = AuditEvent.objects.filter(action="action.evidence_downloaded").order_by("id")
    assert len(events) == 2 and events[1].actor == contributor
    assert events[0].object_id == str(action.pk)
    assert events[0].payload == {"action": action.reference, "evidence": evidence.pk}


# Progress and evidence -------------------------------------------------------------------------


def test_the_owner_agency_records_progress_with_several_evidence_files(
    contributor_client, action, sample_pdf, sample_docx
):
    progress_url = action_url("progress", action)
    html = contributor_client.get(progress_url).content.decode()
    assert 'type="file"' in html and "multiple" in html
    assert 'enctype="multipart/form-data"' in html
    files_before = stored_evidence_files()
    response = contributor_client.post(
        progress_url,
        {
            "note": "Half the staff are trained.",
            "status": "at_risk",
            "evidence": [
                pdf_upload(sample_pdf, "register.pdf"),
                SimpleUploadedFile("plan.docx", sample_docx),
            ],
            "description": "Training records",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.AT_RISK
    update = action.updates.get(kind=ActionUpdate.Kind.PROGRESS)
    assert update.status_before == Status.NOT_STARTED
    assert sorted(e.original_name for e in update.evidence.all()) == ["plan.docx", "register.pdf"]
    assert stored_evidence_files() == files_before + 2
    html = contributor_client.get(action_url("action", action)).content.decode()
    assert 'govuk-tag--orange">At risk' in html


def test_progress_needs_a_note_and_a_status(contributor_client, action):
    before = snapshot()
    response = contributor_client.post(action_url("progress", action), {})
    assert_refused(response, "Describe the progress made")
    assert "Select the status" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "upload",
    [
        lambda pdf: text_named_pdf("notes.pdf"),
        lambda pdf: SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64),
        lambda pdf: SimpleUploadedFile("notes.txt", b"Plain notes."),
    ],
    ids=["text-named-pdf", "png-named-pdf", "txt"],
)
def test_evidence_of_the_wrong_type_is_refused_and_nothing_is_saved(
    contributor_client, action, sample_pdf, upload
):
    before = snapshot()
    response = contributor_client.post(
        action_url("progress", action),
        {
            "note": "Done some of it.",
            "status": "on_track",
            # a good file first: nothing of the update is kept, not even the good file
            "evidence": [pdf_upload(sample_pdf, "good.pdf"), upload(sample_pdf)],
        },
    )
    assert_refused(response, "The selected file must be a PDF, Word document")
    assert 'href="#id_evidence"' in response.content.decode()
    assert snapshot() == before
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


# Completion: asked for, accepted or returned ---------------------------------------------------


def test_completion_without_evidence_is_refused_and_nothing_is_saved(contributor_client, action):
    before = snapshot()
    response = contributor_client.post(
        action_url("completion_request", action), {"note": "All done."}
    )
    assert_refused(
        response, "Add evidence that the action is complete before asking for it to be accepted"
    )
    assert 'href="#id_evidence"' in response.content.decode()
    assert snapshot() == before
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


def test_completion_with_evidence_of_the_wrong_type_is_refused(contributor_client, action):
    before = snapshot()
    response = contributor_client.post(
        action_url("completion_request", action),
        {"note": "All done.", "evidence": [text_named_pdf()]},
    )
    assert_refused(response, "notes.pdf: The selected file must be a PDF")
    assert snapshot() == before
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


def test_the_owner_agency_asks_for_completion_with_evidence(contributor_client, action, sample_pdf):
    request_url = action_url("completion_request", action)
    assert contributor_client.get(request_url).status_code == 200
    response = contributor_client.post(
        request_url,
        {"note": "Everyone is trained.", "evidence": [pdf_upload(sample_pdf, "attendance.pdf")]},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.COMPLETION_REQUESTED
    assert action.evidence.get().original_name == "attendance.pdf"
    html = contributor_client.get(request_url).content.decode()
    assert "Completion has been asked for" in html and "<form" not in html.split("<main")[1]


def test_completion_may_rest_on_evidence_given_earlier(
    contributor_client, action, contributor, sample_pdf
):
    action_with_evidence(action, contributor, sample_pdf)
    html = contributor_client.get(action_url("completion_request", action)).content.decode()
    assert "Evidence already given" in html and "training-register.pdf" in html
    response = contributor_client.post(
        action_url("completion_request", action), {"note": "All done."}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.COMPLETION_REQUESTED


def test_the_business_unit_accepts_a_completion(bu_client, action, contributor, sample_pdf):
    action_awaiting_acceptance(action, contributor, sample_pdf)
    decide_url = action_url("completion_decide", action)
    html = bu_client.get(decide_url).content.decode()
    assert "Everyone is trained." in html and "attendance.pdf" in html
    assert (
        "Accept or return the completion"
        in bu_client.get(action_url("action", action)).content.decode()
    )
    response = bu_client.post(decide_url, {"decision": "accept"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.COMPLETE
    assert action.completed_on == today()
    html = bu_client.get(action_url("action", action)).content.decode()
    assert 'govuk-tag--green">Complete' in html and label(today()) in html
    assert "Record progress" not in html


def test_a_completion_is_returned_only_with_a_note(bu_client, action, contributor, sample_pdf):
    action_awaiting_acceptance(action, contributor, sample_pdf)
    decide_url = action_url("completion_decide", action)
    before = snapshot()
    response = bu_client.post(decide_url, {"decision": "return"})
    assert_refused(response, "Say why the completion is returned and what is still needed")
    assert snapshot() == before
    response = bu_client.post(
        decide_url, {"decision": "return", "note": "The register is not signed."}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK
    returned = action.updates.get(kind=ActionUpdate.Kind.RETURNED)
    assert returned.note == "The register is not signed."


def test_the_decision_page_says_when_no_completion_is_waiting(bu_client, action):
    html = bu_client.get(action_url("completion_decide", action)).content.decode()
    assert "Completion has not been asked for" in html
    before = snapshot()
    response = bu_client.post(action_url("completion_decide", action), {"decision": "accept"})
    assert_refused(response, "Only a completion that has been asked for can be accepted")
    assert snapshot() == before


# Not implemented (R24) -------------------------------------------------------------------------


def test_not_implementing_needs_a_reason(bu_client, action):
    not_url = action_url("not_implemented", action)
    html = bu_client.get(not_url).content.decode()
    assert "must report reasons for any decision not to implement a finding" in html
    before = snapshot()
    response = bu_client.post(not_url, {"reason": "   "})
    assert_refused(response, "Give the reason for the decision not to implement the action")
    assert snapshot() == before
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


def test_the_business_unit_decides_not_to_implement(bu_client, action):
    response = bu_client.post(
        action_url("not_implemented", action), {"reason": "The service was decommissioned."}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.NOT_IMPLEMENTED
    assert action.not_implemented_reason == "The service was decommissioned."
    html = bu_client.get(action_url("action", action)).content.decode()
    assert 'govuk-tag--grey">Not being implemented' in html
    assert "The service was decommissioned." in html


# Who may see and change an action ---------------------------------------------------------------


def test_a_contributor_of_another_agency_can_neither_see_nor_change_the_action(
    client, partnership, action, contributor, sample_pdf
):
    action_with_evidence(action, contributor, sample_pdf)
    outsider = contributor_for(partnership, AgencyFactory(name="Testshire Housing"))
    client.force_login(outsider)
    evidence = action.evidence.get()
    # Not theirs: the same 404 as for an action that does not exist (ADR 0010).
    for name in ("action", "progress", "completion_request"):
        assert client.get(action_url(name, action)).status_code == 404
    assert client.get(action_url("action", action) + f"evidence/{evidence.pk}/").status_code == 404
    before = snapshot()
    response = client.post(
        action_url("progress", action),
        {"note": "Not mine.", "status": "at_risk", "evidence": [pdf_upload(sample_pdf)]},
    )
    assert response.status_code == 404
    assert snapshot() == before
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK


def test_agency_contributors_cannot_decide_or_change(contributor_client, action):
    for name in ("completion_decide", "not_implemented", "action_edit"):
        assert contributor_client.get(action_url(name, action)).status_code == 403
    response = contributor_client.post(action_url("not_implemented", action), {"reason": "No."})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


def test_partner_leads_read_an_action_but_cannot_record_progress(client, user_for_role, action):
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    html = client.get(action_url("action", action)).content.decode()
    assert action.text in html and "Record progress" not in html
    assert client.post(action_url("progress", action), {"note": "x"}).status_code == 403


def test_an_action_of_another_partnership_is_not_found(client, other_partnership, action):
    from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory

    user = UserFactory()
    MembershipFactory(user=user, partnership=other_partnership, role=Role.BUSINESS_UNIT)
    client.force_login(user)
    response = client.get(url("action", other_partnership, pk=action.pk))
    assert response.status_code == 404


def test_every_page_renders_for_the_business_unit(bu_client, review, recommendation, action):
    finding = review.findings.first()
    partnership = review.partnership
    pages = [
        url("plan", partnership, review_pk=review.pk),
        url("themes", partnership),
        url("learning_add", partnership, review_pk=review.pk),
        url("finding_themes", partnership, review_pk=review.pk, finding_pk=finding.pk),
        url("recommendation_add", partnership, review_pk=review.pk),
        url("recommendation_edit", partnership, pk=recommendation.pk),
        url("impact", partnership, pk=recommendation.pk),
        url("action_add", partnership, pk=recommendation.pk),
        *(
            action_url(name, action)
            for name in (
                "action",
                "action_edit",
                "progress",
                "completion_request",
                "completion_decide",
                "not_implemented",
            )
        ),
    ]
    for page in pages:
        response = bu_client.get(page)
        assert response.status_code == 200, page
        assert b"<h1" in response.content, page
