"""Pseudonyms in agencies' chronologies (issue 13): the pseudonyms allowed are on the upload page
and in both templates; the case's own pseudonym is always allowed, even before anyone is
recorded in the case; any other name is not an error: the rows are imported and the name waits,
as a proposed person, for the business unit to add, merge into someone already in the case, or
reject. Agencies never see real identities."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reviews.chronology import parser
from safeguarding.reviews.models import (
    AgencyRequest,
    ChronologyEntry,
    Person,
    PersonIdentity,
    ProposedPerson,
    Review,
)

from .chronology_support import (  # noqa: F401 (fixtures)
    appoint,
    chronology_request_fixture,
    contributor_fixture,
    csv_bytes,
    health_fixture,
    review_fixture,
    xlsx_bytes,
)


@pytest.fixture
def new_review(partnership, business_unit_user, agency):
    """A review of the case 'Child K' with nobody recorded in the case yet, which asked the
    contributor's agency for a chronology."""
    case = make_case(partnership, business_unit_user, pseudonym="Child K")
    review = Review.objects.create(
        partnership=partnership,
        case=case,
        kind=Review.Kind.LCSPR,
        stage=Review.Stage.AGENCY_REPORTS,
        reference="RV2026-00077",
        title="Child K",
        started_on=timezone.localdate(),
        created_by=business_unit_user,
    )
    review.agencies.set([agency])
    AgencyRequest.objects.create(
        review=review,
        agency=agency,
        kind=AgencyRequest.Kind.CHRONOLOGY,
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        requested_by=business_unit_user,
    )
    return review


def url(review, name, **extra):
    return reverse(f"reviews:{name}", kwargs={"slug": review.partnership.slug, "pk": review.pk,
                                               **extra})  # fmt: skip


def post_file(client, review, agency, data, name="chronology.csv"):
    return client.post(
        url(review, "chronology_upload"),
        {"agency": str(agency.pk), "file": SimpleUploadedFile(name, data)},
    )


ROWS = [
    ["14/03/2025", "09:30", "no", "child k; Lodger", "Home visit", "CN-1", "Visitor", "routine"],
    ["02/04/2025", "", "", "Lodger", "Lodger seen at the door", "CN-2", "", "significant"],
    ["03/05/2025", "", "", "", "Strategy discussion", "", "", "key"],
]


# The case's own pseudonym ------------------------------------------------------------------------


def test_the_cases_pseudonym_is_allowed_before_anyone_is_in_the_case(
    client, user_for_role, new_review, agency
):
    contributor = user_for_role(Role.AGENCY_CONTRIBUTOR)
    client.force_login(contributor)
    response = post_file(client, new_review, agency, csv_bytes(ROWS[:1]))
    assert response.status_code == 302
    subject = Person.objects.get(case=new_review.case)
    assert (subject.pseudonym, subject.role_in_case) == ("Child K", "subject")
    assert not PersonIdentity.objects.filter(person=subject).exists()
    first = ChronologyEntry.objects.get(review=new_review)
    assert list(first.people.all()) == [subject]
    added = AuditEvent.objects.get(action="person.added")
    assert added.payload["from_chronology_of"] == agency.slug


def test_the_cases_pseudonym_names_the_one_subject_recorded_under_another_pseudonym(
    bu_client, new_review, agency, business_unit_user
):
    alfie = Person.objects.create(case=new_review.case, pseudonym="Alfie", role_in_case="subject")
    post_file(bu_client, new_review, agency, csv_bytes(ROWS[:1]))
    assert list(ChronologyEntry.objects.get(review=new_review).people.all()) == [alfie]
    assert Person.objects.filter(case=new_review.case).count() == 1


def test_the_upload_page_shows_the_pseudonyms_allowed_and_no_identity(
    client, contributor, review, django_assert_max_num_queries
):
    client.force_login(contributor)
    with django_assert_max_num_queries(16):
        page = client.get(url(review, "chronology_upload")).content.decode()
    assert "Pseudonyms you can use" in page
    assert "Child A" in page and "Subject of the review" in page
    assert "Mother B" in page and "Parent or carer" in page
    assert "Quillfeather" not in page  # the identities held apart


def test_the_upload_page_lists_the_cases_pseudonym_when_nobody_is_recorded(bu_client, new_review):
    page = bu_client.get(url(new_review, "chronology_upload")).content.decode()
    assert "Child K" in page and "Subject of the review (the case)" in page


def test_the_csv_template_lists_the_pseudonyms_in_notes_that_are_not_imported(
    bu_client, new_review, agency
):
    Person.objects.create(case=new_review.case, pseudonym="Mother K", role_in_case="parent")
    response = bu_client.get(url(new_review, "chronology_template") + "?format=csv")
    text = response.content.decode("utf-8-sig")
    assert "# Pseudonyms you can use in “People involved”: Child K (Subject of the review " in text
    assert "Mother K (Parent or carer)" in text
    parsed = parser.parse_upload(
        SimpleUploadedFile("t.csv", response.content), known_people=["Child K", "Mother K"]
    )
    assert parsed.ok and len(parsed.rows) == 1  # the example row; the notes are skipped
    assert parsed.rows[0].pseudonyms == ("Child K",)


def test_the_excel_template_has_a_people_sheet_and_a_drop_down_of_pseudonyms(bu_client, review):
    from openpyxl import load_workbook

    response = bu_client.get(url(review, "chronology_template") + "?format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Chronology", "People", "How to fill it in"]
    people = list(workbook["People"].iter_rows(min_row=2, values_only=True))
    assert people == [("Child A", "Subject of the review"), ("Mother B", "Parent or carer")]
    validations = {
        str(dv.sqref): dv for dv in workbook["Chronology"].data_validations.dataValidation
    }
    listed = validations["D2:D5001"]
    assert listed.formula1 == "=People!$A$2:$A$3"
    assert listed.showErrorMessage is False  # several names and new ones may still be typed
    parsed = parser.parse_upload(
        SimpleUploadedFile("t.xlsx", response.content), known_people=["Child A", "Mother B"]
    )
    assert parsed.ok and parsed.rows[0].pseudonyms == ("Child A",)


# Names not in the case ----------------------------------------------------------------------------


def test_a_name_not_in_the_case_is_imported_as_a_proposed_person(
    client, user_for_role, new_review, agency
):
    client.force_login(user_for_role(Role.AGENCY_CONTRIBUTOR))
    response = post_file(client, new_review, agency, xlsx_bytes(ROWS), "c.xlsx")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "3 chronology entries imported for Testshire Police. “Lodger” is not yet a person in "
        "the case: the business unit will confirm"
    ]
    proposal = ProposedPerson.objects.get(review=new_review)
    assert (proposal.pseudonym, proposal.agency, proposal.state) == ("Lodger", agency, "proposed")
    assert proposal.entries.count() == 2
    assert not Person.objects.filter(pseudonym__iexact="lodger").exists()
    event = AuditEvent.objects.get(action="person.proposed")
    assert "Lodger" not in str(event.payload)  # an agency may have written a real name


def test_the_same_name_in_a_later_file_is_the_same_proposal(bu_client, new_review, agency):
    post_file(bu_client, new_review, agency, csv_bytes(ROWS[:1]))
    post_file(bu_client, new_review, agency, csv_bytes([[*ROWS[1][:3], "LODGER", *ROWS[1][4:]]]))
    proposal = ProposedPerson.objects.get(review=new_review)
    assert proposal.entries.count() == 2


def test_a_proposed_name_shows_to_the_agency_and_the_business_unit_but_not_to_a_reviewer(
    client, bu_client, user_for_role, new_review, agency
):
    post_file(bu_client, new_review, agency, csv_bytes(ROWS))
    chronology = url(new_review, "chronology")
    assert "Lodger (proposed, awaiting confirmation)" in bu_client.get(chronology).content.decode()
    client.force_login(user_for_role(Role.AGENCY_CONTRIBUTOR))
    assert "Lodger (proposed" in client.get(chronology).content.decode()
    client.force_login(appoint(new_review, Role.REVIEWER))
    page = client.get(chronology).content.decode()
    assert "Lodger (proposed" not in page and "A person awaiting confirmation" in page
    from openpyxl import load_workbook

    export = client.get(url(new_review, "chronology_export") + "?format=xlsx")
    cells = " ".join(
        str(cell)
        for row in load_workbook(io.BytesIO(export.getvalue()))
        .worksheets[0]
        .iter_rows(values_only=True)
        for cell in row
    )
    assert "Lodger (proposed" not in cells and "A person awaiting confirmation" in cells


# The business unit decides ------------------------------------------------------------------------


@pytest.fixture
def proposal(bu_client, new_review, agency):
    post_file(bu_client, new_review, agency, csv_bytes(ROWS))
    return ProposedPerson.objects.get(review=new_review)


def test_the_people_page_lists_people_proposed_by_agencies(
    client, bu_client, user_for_role, new_review, proposal
):
    page = bu_client.get(url(new_review, "people")).content.decode()
    assert "People proposed by agencies" in page
    assert "Lodger" in page and "Testshire Police" in page
    decide = url(new_review, "person_proposal", proposal_pk=proposal.pk)
    assert decide in page
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    page = client.get(url(new_review, "people")).content.decode()
    assert "Lodger" in page and decide not in page
    client.force_login(appoint(new_review, Role.PANEL_MEMBER, "panel_member"))
    assert (
        "People proposed by agencies" not in client.get(url(new_review, "people")).content.decode()
    )


def test_adding_a_proposed_person_links_their_rows(bu_client, new_review, proposal):
    response = bu_client.post(
        url(new_review, "person_proposal", proposal_pk=proposal.pk),
        {"decision": "add", "role_in_case": "other", "relationship": "lodger at the house"},
    )
    assert response.status_code == 302
    person = Person.objects.get(case=new_review.case, pseudonym="Lodger")
    assert person.role_in_case == "other" and person.relationship == "lodger at the house"
    assert ChronologyEntry.objects.filter(people=person).count() == 2
    proposal.refresh_from_db()
    assert (proposal.state, proposal.person) == ("confirmed", person)
    event = AuditEvent.objects.get(action="person.proposal_confirmed")
    assert event.payload["rows_linked"] == 2 and event.payload["person"] == person.pk
    page = bu_client.get(url(new_review, "chronology")).content.decode()
    assert "(proposed" not in page


def test_a_proposed_person_merged_into_someone_already_in_the_case(bu_client, new_review, proposal):
    uncle = Person.objects.create(case=new_review.case, pseudonym="Uncle K", role_in_case="other")
    response = bu_client.post(
        url(new_review, "person_proposal", proposal_pk=proposal.pk),
        {"decision": "merge", "person": str(uncle.pk)},
    )
    assert response.status_code == 302
    assert ChronologyEntry.objects.filter(people=uncle).count() == 2
    assert not Person.objects.filter(pseudonym="Lodger").exists()
    proposal.refresh_from_db()
    assert (proposal.state, proposal.person) == ("merged", uncle)
    assert AuditEvent.objects.filter(action="person.proposal_merged").count() == 1


def test_a_rejected_name_needs_a_reason_and_leaves_the_rows_without_it(
    bu_client, new_review, proposal
):
    decide = url(new_review, "person_proposal", proposal_pk=proposal.pk)
    response = bu_client.post(decide, {"decision": "reject"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter why the name is not a person in the case" in page
    proposal.refresh_from_db()
    assert proposal.state == "proposed"
    response = bu_client.post(decide, {"decision": "reject", "reason": "A typing error."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.reason) == ("rejected", "A typing error.")
    assert ChronologyEntry.objects.filter(review=new_review).count() == 3
    assert "Lodger (proposed" not in bu_client.get(url(new_review, "chronology")).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select what to do with the name"),
        ({"decision": "add"}, "Select their role in the case"),
        ({"decision": "merge"}, "Select who they are in the case"),
        ({"decision": "merge", "person": "999999"}, "Select who they are in the case"),
    ],
)
def test_a_bad_decision_shows_govuk_errors_and_changes_nothing(
    bu_client, new_review, proposal, data, message
):
    people_before = Person.objects.count()
    events_before = AuditEvent.objects.count()
    response = bu_client.post(url(new_review, "person_proposal", proposal_pk=proposal.pk), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    proposal.refresh_from_db()
    assert proposal.state == "proposed"
    assert Person.objects.count() == people_before
    assert AuditEvent.objects.count() == events_before


def test_adding_a_name_someone_in_the_case_already_has_is_refused(bu_client, new_review, proposal):
    Person.objects.create(case=new_review.case, pseudonym="lodger", role_in_case="other")
    response = bu_client.post(
        url(new_review, "person_proposal", proposal_pk=proposal.pk),
        {"decision": "add", "role_in_case": "other"},
    )
    assert "already someone in the case" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == "proposed"


def test_only_the_business_unit_decides(client, user_for_role, new_review, proposal):
    decide = url(new_review, "person_proposal", proposal_pk=proposal.pk)
    for role, status in ((Role.PARTNER_LEAD, 403), (Role.AGENCY_CONTRIBUTOR, 404)):
        client.force_login(user_for_role(role))
        assert client.post(decide, {"decision": "reject", "reason": "x"}).status_code == status
    proposal.refresh_from_db()
    assert proposal.state == "proposed"


def test_nothing_is_decided_on_a_signed_off_review(bu_client, new_review, proposal):
    new_review.stage = Review.Stage.SIGNED_OFF
    new_review.signed_off_at = timezone.now()
    new_review.save()
    decide = url(new_review, "person_proposal", proposal_pk=proposal.pk)
    assert bu_client.post(decide, {"decision": "reject", "reason": "x"}).status_code == 403


def test_the_people_page_keeps_its_query_count_with_proposals(
    bu_client, new_review, agency, django_assert_max_num_queries
):
    rows = [[f"{n:02d}/01/2025", "", "", f"Visitor {n}", f"Visit {n}", "", "", "routine"]
            for n in range(1, 9)]  # fmt: skip
    post_file(bu_client, new_review, agency, csv_bytes(rows))
    assert ProposedPerson.objects.filter(review=new_review).count() == 8
    with django_assert_max_num_queries(13):
        page = bu_client.get(url(new_review, "people")).content.decode()
    assert "Visitor 8" in page


def test_a_page_read_with_sql_built_once_is_the_orms_page(bu_client, new_review, agency):
    """Issue 16: a page of the whole chronology (no scope, no filter, pseudonyms) read with the
    SQL built once gives the entries, their agency, their people and the names proposed for
    them that the ORM's prefetching gave, on a full page, a last page and a short one."""
    from safeguarding.reviews.chronology import selectors

    for pseudonym in ("Mother M", "Brother B"):
        Person.objects.create(case=new_review.case, pseudonym=pseudonym, role_in_case="other")
    people = ["Mother M; Lodger; Brother B", "Lodger", "", "Brother B; Mother M", "child k"]
    rows = [
        [
            f"{day % 28 + 1:02}/{day // 28 % 12 + 1:02}/2024",
            f"{day % 24:02}:15" if day % 5 else "",
            "",
            people[day % len(people)],
            f"Contact {day}",
            f"CN-{day}",
            "",
            "routine",
        ]
        for day in range(70)
    ]
    assert post_file(bu_client, new_review, agency, csv_bytes(rows)).status_code == 302
    qs = selectors.entries(review=new_review, scope=None, filters=selectors.Filters())
    compiled = selectors.EntryPage(qs, review=new_review, personalised=False, compiled=True)
    plain = selectors.EntryPage(qs, review=new_review, personalised=False, compiled=False)
    assert plain.compiled is False and compiled.compiled is True
    for start, stop in ((0, 50), (50, 70), (0, 20), (60, 70)):
        got, want = compiled[start:stop], plain[start:stop]
        assert [e.pk for e in got] == [e.pk for e in want] and len(got) == stop - start
        assert [e.agency.name for e in got] == [e.agency.name for e in want]
        assert [[p.pk for p in e.people.all()] for e in got] == [
            [p.pk for p in e.people.all()] for e in want
        ]
        assert [[p.pk for p in e.pending_proposals] for e in got] == [
            [p.pk for p in e.pending_proposals] for e in want
        ]
    assert any(e.pending_proposals for e in compiled[0:50])
    assert any(e.people.all() for e in compiled[0:50])
