"""The exports: a review's action plan (.docx, .xlsx) and the partnership tracker (.xlsx), read
back with python-docx and openpyxl."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.enum.section import WD_ORIENT
from openpyxl import load_workbook

from safeguarding.accounts.models import Role
from safeguarding.actions.models import Action, ActionUpdate
from safeguarding.audit.models import AuditEvent
from safeguarding.core.tests.document_checks import docx_facts
from safeguarding.reviews.models import Finding, Person, PersonIdentity

from .tracker_support import (
    action_for,
    agency_in,
    at,
    build_actions,
    contributor_for,
    days,
    evidence_for,
    finding_for,
    not_implemented,
    recommendation_for,
    review_for,
    theme,
    today,
    update_for,
)

pytestmark = pytest.mark.django_db
Status = Action.Status
REAL_NAME = "Imogen Realname-Example"


def label(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def police(partnership, agency):
    partnership.agencies.add(agency)
    return agency


@pytest.fixture
def health(partnership):
    return agency_in(partnership, "Testshire Health Trust", "testshire-health")


@pytest.fixture
def plan(partnership, police, health, business_unit_user, sample_pdf):
    """A review's plan: recommendation 1 (two findings, impact recorded) with a complete action
    and an overdue one; recommendation 2 with an action not being implemented; recommendation 3
    with no actions yet. The case has a person whose real name must never be exported."""
    review = review_for(partnership, title="Child P", started_on=days(-300))
    person = Person.objects.create(case=review.case, pseudonym="Mother P", role_in_case="parent")
    PersonIdentity.objects.create(person=person, full_name=REAL_NAME)
    sharing = theme("Information sharing")
    first = finding_for(review, 1, "Concerns were not shared", themes=[sharing])
    second = finding_for(review, 2, "Nobody asked the child", themes=[theme("Risk assessment")])
    finding_for(review, 3, "Quick learning", kind=Finding.Kind.LEARNING_POINT)
    one = recommendation_for(
        review,
        1,
        [first, second],
        text="=Agencies should share concerns at the first sign.",
        expected_change="Concerns reach children's services within a day.",
        agencies=[police, health],
        impact_method="audit",
        impact_plan="A case file audit of 20 referrals in a year's time.",
        impact_review_on=days(100),
        impact_result="18 of 20 referrals shared within a day.",
        impact_judgement="changed",
        impact_recorded_on=days(-1),
    )
    complete = action_for(
        one,
        1,
        police,
        text="Brief every response officer.",
        lead_name="Inspector Lead",
        target_date=days(-20),
        status=Status.COMPLETE,
        completed_on=days(-25),
    )
    evidence_for(complete, business_unit_user, sample_pdf, "briefing-register.pdf")
    overdue = action_for(
        one,
        2,
        health,
        text="Add the threshold guide to the triage system.",
        lead_name="Named Nurse",
        target_date=days(-3),
        status=Status.ON_TRACK,
    )
    update_for(
        overdue,
        business_unit_user,
        ActionUpdate.Kind.PROGRESS,
        "Half the wards have it.",
        at(days(-2)),
    )
    two = recommendation_for(
        review,
        2,
        [second],
        text="The partnership should review its escalation policy.",
        scope="single_agency",
        impact_method="survey",
        impact_plan="Survey practitioners.",
    )
    dropped = action_for(
        two, 1, health, text="Rewrite the policy.", target_date=days(50), lead_name="Policy Lead"
    )
    not_implemented(dropped, business_unit_user, "A regional policy replaces it.", at(days(-5)))
    recommendation_for(review, 3, [first], text="Schools should record every absence.")
    return review, {"complete": complete, "overdue": overdue, "dropped": dropped}


def _docx(response) -> Document:
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"].startswith('attachment; filename="action-plan-')
    return Document(io.BytesIO(response.content))


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.getvalue()))


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


# A review's action plan --------------------------------------------------------------------------


def test_the_action_plan_as_word_is_one_landscape_table_in_the_board_shape(
    bu_client, partnership, plan
):
    review, actions = plan

    response = bu_client.get(reverse("actions:plan_docx", args=[partnership.slug, review.pk]))
    document = _docx(response)

    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    assert document.paragraphs[0].text == f"Action plan: {review.reference} Child P"
    assert document.paragraphs[1].text == "Testshire Safeguarding Partnership"
    assert f"Produced on {label(today())}" in document.paragraphs[2].text
    (table,) = document.tables
    facts = docx_facts(response.content, title=f"Action plan: {review.reference} Child P")
    assert facts.table_headers[0][0] == "Recommendation"  # the header row repeats on each page
    header = [cell.text for cell in table.rows[0].cells]
    assert header == [
        "Recommendation",
        "Action",
        "Owner agency and lead",
        "Target date",
        "Status",
        "Evidence of completion",
        "Impact",
    ]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert len(rows) == 4  # two actions, one, and a recommendation without actions
    first, second, third, fourth = rows
    # Recommendation 1 and its impact are merged down over its two actions.
    assert first[0] == second[0]
    assert first[0].startswith("1. =Agencies should share concerns at the first sign.")
    assert "Addressed to: Testshire Health Trust; Testshire Police" in first[0]
    assert (
        "Findings answered: Finding 1: Concerns were not shared; "
        "Finding 2: Nobody asked the child" in first[0]
    )
    assert "Expected change: Concerns reach children's services within a day." in first[0]
    assert "Scope: Multi-agency" in first[0]
    assert first[1] == "1.1 Brief every response officer."
    assert first[2] == "Testshire Police\nLead: Inspector Lead"
    assert first[3] == label(actions["complete"].target_date)
    assert first[4] == f"Complete\nCompleted: {label(days(-25))}"
    assert first[5] == "briefing-register.pdf"
    assert "How it will be measured: A case file audit" in first[6]
    assert "Result: 18 of 20 referrals shared within a day." in first[6]
    assert "Judgement: Changed practice" in first[6]
    assert second[1] == "1.2 Add the threshold guide to the triage system."
    assert second[4] == "Overdue (on track)"
    assert second[5] == "None yet"
    assert third[0].startswith("2. The partnership should review its escalation policy.")
    assert "Scope: Single agency" in third[0]
    assert third[4] == "Not being implemented\nReason: A regional policy replaces it."
    assert "Result: Not recorded yet" in third[6]
    assert fourth[1] == "No actions yet"
    assert "Impact" not in fourth[6] and fourth[6] == "Not planned yet"
    assert REAL_NAME not in _text(document)


def test_the_action_plan_as_a_spreadsheet_has_a_row_per_action(bu_client, partnership, plan):
    review, actions = plan

    workbook = _workbook(
        bu_client.get(reverse("actions:plan_xlsx", args=[partnership.slug, review.pk]))
    )

    sheet = workbook["Action plan"]
    assert sheet["A1"].value == f"Action plan: {review.reference} Child P"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "Testshire Safeguarding Partnership"
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:T8"
    header = [cell.value for cell in sheet[4]]
    assert header[:8] == [
        "Recommendation",
        "Recommendation text",
        "Addressed to",
        "Findings answered",
        "Expected change",
        "Scope",
        "Action",
        "Action to take",
    ]
    assert all(cell.font.bold for cell in sheet[4])
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(5)]
    assert [row["Action"] for row in rows] == ["1.1", "1.2", "2.1", None]
    complete, overdue, dropped, bare = rows
    assert complete["Recommendation text"] == "=Agencies should share concerns at the first sign."
    assert sheet["B5"].data_type == "s"  # text, not a formula
    assert complete["Findings answered"] == (
        "Finding 1: Concerns were not shared\nFinding 2: Nobody asked the child"
    )
    assert complete["Owner agency"] == "Testshire Police"
    assert complete["Lead"] == "Inspector Lead"
    assert complete["Target date"].date() == actions["complete"].target_date
    assert sheet["K5"].is_date
    assert complete["Status"] == "Complete"
    assert complete["Completed on"].date() == days(-25)
    assert complete["Evidence of completion"] == "briefing-register.pdf"
    assert complete["Impact: how it will be measured"] == "A case file audit"
    assert complete["Impact: judgement"] == "Changed practice"
    assert overdue["Status"] == "Overdue (on track)"
    assert dropped["Reason not implemented"] == "A regional policy replaces it."
    assert dropped["Impact: result"] is None
    assert bare["Action to take"] == "No actions yet"
    everything = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert REAL_NAME not in everything


def test_exporting_a_plan_is_audited(bu_client, partnership, plan, business_unit_user):
    review, _ = plan

    bu_client.get(reverse("actions:plan_xlsx", args=[partnership.slug, review.pk]))

    event = AuditEvent.objects.get(action="action_plan.exported")
    assert event.actor == business_unit_user
    assert event.object_id == str(review.pk)
    assert event.payload == {"kind": "plan_xlsx", "rows": 3}


@pytest.mark.parametrize("role, status", [(Role.PARTNER_LEAD, 200), (Role.AGENCY_CONTRIBUTOR, 404)])
def test_only_readers_of_the_review_export_its_plan(client, user_for_role, plan, role, status):
    review, _ = plan
    client.force_login(user_for_role(role))

    for name in ("actions:plan_docx", "actions:plan_xlsx"):
        assert client.get(reverse(name, args=["testshire", review.pk])).status_code == status


# The tracker spreadsheet -------------------------------------------------------------------------


def _tracker_rows(response) -> tuple[list, list[dict]]:
    workbook = _workbook(response)
    sheet = workbook["Actions"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    return sheet, rows


def test_the_tracker_spreadsheet_has_every_column_of_every_action(bu_client, partnership, plan):
    review, actions = plan
    url = reverse("actions:tracker_xlsx", args=[partnership.slug]) + "?view=all"

    sheet, rows = _tracker_rows(bu_client.get(url))

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:W4"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["E"].width == 50
    assert [row["Action"] for row in rows] == ["1.1", "1.2", "2.1"]
    complete, overdue, dropped = rows
    assert complete["Review"] == review.reference
    assert complete["Review title"] == "Child P"
    assert complete["Review type"] == "Local child safeguarding practice review"
    assert complete["Recommendation"] == 1
    assert complete["Findings answered"] == (
        "1. Concerns were not shared\n2. Nobody asked the child"
    )
    assert complete["Themes"] == "Information sharing; Risk assessment"
    assert complete["Action text"] == "Brief every response officer."
    assert complete["Owner agency"] == "Testshire Police"
    assert complete["Target date"].date() == actions["complete"].target_date
    assert sheet["L2"].is_date
    assert complete["Status"] == "Complete"
    assert complete["Overdue"] is None
    assert complete["Completed on"].date() == days(-25)
    assert complete["Evidence files"] == 1
    assert complete["Impact: how it will be measured"] == "A case file audit"
    assert complete["Impact: result"] == "18 of 20 referrals shared within a day."
    assert complete["Impact: judgement"] == "Changed practice"
    assert overdue["Status"] == "On track"
    assert overdue["Overdue"] == "Yes"
    assert overdue["Latest update"].date() == days(-2)
    assert overdue["Latest update note"] == "Half the wards have it."
    assert overdue["Evidence files"] == 0
    assert overdue["Themes"] == "Information sharing; Risk assessment"
    assert dropped["Status"] == "Not being implemented"
    assert dropped["Reason not implemented"] == "A regional policy replaces it."
    assert dropped["Latest update note"] == "A regional policy replaces it."
    assert dropped["Themes"] == "Risk assessment"
    about = load_workbook(io.BytesIO(bu_client.get(url).getvalue()))["About"]
    assert about["B3"].value == "View: All actions"


def test_the_tracker_spreadsheet_has_the_filters_of_the_page(bu_client, partnership, plan, health):
    url = reverse("actions:tracker_xlsx", args=[partnership.slug])

    _, overdue = _tracker_rows(bu_client.get(url + "?view=overdue"))
    _, health_open = _tracker_rows(bu_client.get(url + f"?agency={health.pk}"))
    _, none = _tracker_rows(bu_client.get(url + "?view=all&review_type=sar"))

    assert [row["Action"] for row in overdue] == ["1.2"]
    assert [row["Action"] for row in health_open] == ["1.2"]  # open is the default view
    assert none == []


def test_a_contributor_downloads_only_their_own_agencys_actions(client, partnership, plan, police):
    client.force_login(contributor_for(partnership, police))

    url = reverse("actions:tracker_xlsx", args=[partnership.slug]) + "?view=all"
    _, rows = _tracker_rows(client.get(url))

    assert [(row["Action"], row["Owner agency"]) for row in rows] == [("1.1", "Testshire Police")]


def test_the_tracker_spreadsheet_costs_the_same_queries_for_3_or_60_actions(
    bu_client, partnership, police, health
):
    url = reverse("actions:tracker_xlsx", args=[partnership.slug]) + "?view=all"
    build_actions(partnership, [police, health], 3)
    with CaptureQueriesContext(connection) as small:
        assert len(_tracker_rows(bu_client.get(url))[1]) == 3

    build_actions(partnership, [police, health], 57)
    with CaptureQueriesContext(connection) as large:
        response = bu_client.get(url)
    assert response.streaming  # written to a temporary file and streamed (issue 16)
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert len(list(workbook["Actions"].values)) == 61

    assert len(large) == len(small)
    assert dict(workbook["About"].values)["Actions"] == 60
    event = AuditEvent.objects.filter(action="action_plan.exported").order_by("pk").last()
    assert (event.payload["kind"], event.payload["rows"]) == ("tracker_xlsx", 60)


# A plan written through the services ---------------------------------------------------------


def test_a_plan_written_through_the_services_is_exported_as_it_was_written(
    client, bu_client, partnership, police, business_unit_user, sample_pdf
):
    from safeguarding.actions import services

    from . import support

    review = support.signed_off_review(partnership, business_unit_user, sample_pdf)
    recommendation = support.add_recommendation(review, business_unit_user, agencies=[police])
    action = support.add_action(recommendation, business_unit_user, police)
    contributor = contributor_for(partnership, police)
    support.action_awaiting_acceptance(action, contributor, sample_pdf)
    services.completion_accept(action=action, actor=business_unit_user, note="Seen the register")

    document = _docx(
        bu_client.get(reverse("actions:plan_docx", args=[partnership.slug, review.pk]))
    )
    client.force_login(contributor)
    url = reverse("actions:tracker_xlsx", args=[partnership.slug]) + "?view=complete"
    _, rows = _tracker_rows(client.get(url))

    cells = [cell.text for cell in document.tables[0].rows[1].cells]
    assert cells[1] == "1.1 Train front-line staff in the neglect toolkit."
    assert cells[4] == f"Complete\nCompleted: {label(today())}"
    assert cells[5] == "attendance.pdf"
    (row,) = rows
    assert (row["Action"], row["Status"], row["Evidence files"]) == ("1.1", "Complete", 1)
    assert row["Completed on"].date() == today()
    assert row["Latest update note"] == "Seen the register"
    assert row["Findings answered"] == "1. Information sharing"
