"""The merged chronology: who sees what, filters, multi-agency days and gaps, the timeline,
real names (audited), one entry in the browser, and the exports read back."""

import datetime
import io

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.tests.document_checks import assert_accessible_pdf, docx_facts
from safeguarding.reviews.chronology import timeline
from safeguarding.reviews.chronology.selectors import Gap
from safeguarding.reviews.models import Appointment, ChronologyEntry, Person

from .chronology_support import (  # noqa: F401 (fixtures)
    appoint,
    chronology_request_fixture,
    contributor_fixture,
    entry,
    health_fixture,
    review_fixture,
)

D = datetime.date


def url(review, name="chronology", query=""):
    path = reverse(f"reviews:{name}", args=[review.partnership.slug, review.pk])
    return f"{path}?{query}" if query else path


@pytest.fixture
def entries(review, agency, health, business_unit_user):
    child, mother = Person.objects.filter(case=review.case).order_by("pseudonym")
    return [
        entry(review, agency, D(2025, 1, 10), business_unit_user, "Police visit", "key",
              people=[child, mother]),
        entry(review, health, D(2025, 1, 10), business_unit_user, "Health visitor saw Child A",
              people=[child]),
        entry(review, health, D(2025, 6, 1), business_unit_user, "GP appointment missed",
              "significant", date_is_approximate=True),
        entry(review, agency, D(2025, 6, 3), business_unit_user, "Call to the house"),
    ]  # fmt: skip


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        (None, 302),
        (Role.BUSINESS_UNIT, 200),
        (Role.PARTNER_LEAD, 200),
        # Outside the chronology's scope: 404, as for a review that does not exist (ADR 0010).
        (Role.REVIEWER, 404),  # not appointed
        (Role.PANEL_MEMBER, 404),
        (Role.AGENCY_CONTRIBUTOR, 404),  # their agency was not asked for a chronology
        (Role.ADMINISTRATOR, 404),
    ],
)
def test_who_may_open_the_merged_chronology(client_for, review, role, status):
    assert client_for(role).get(url(review)).status_code == status


def test_appointed_reviewers_and_panel_members_see_the_merged_chronology(client, review, entries):
    for role, as_ in ((Role.REVIEWER, "reviewer"), (Role.PANEL_MEMBER, "panel_member")):
        client.force_login(appoint(review, role, as_))
        page = client.get(url(review)).content.decode()
        assert "Police visit" in page and "GP appointment missed" in page
        assert "Show real names" not in page


def test_another_partnerships_business_unit_gets_not_found(client, other_partnership, review):
    user = UserFactory()
    MembershipFactory(user=user, partnership=other_partnership, role=Role.BUSINESS_UNIT)
    client.force_login(user)
    for name in ("chronology", "chronology_add", "chronology_upload", "chronology_export"):
        assert client.get(url(review, name, "format=xlsx")).status_code == 404


def test_a_contributor_sees_only_their_own_agencys_rows_and_no_names(
    client, contributor, review, entries
):
    client.force_login(contributor)
    response = client.get(url(review, query="names=real"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your agency&#x27;s chronology" in page or "Your agency's chronology" in page
    assert "Police visit" in page and "Call to the house" in page
    assert "Health visitor saw Child A" not in page
    assert "GP appointment missed" not in page
    assert "Testshire Health Trust" not in page
    assert "Quillfeather" not in page
    assert "Show real names" not in page
    assert "Multi-agency day" not in page  # the other agency's contact on 10 Jan is not hinted
    assert not AuditEvent.objects.filter(action="chronology.identities_shown").exists()


def test_a_contributor_exports_only_their_own_rows(client, contributor, review, entries):
    from openpyxl import load_workbook

    client.force_login(contributor)
    response = client.get(url(review, "chronology_export", "format=xlsx&names=real"))
    sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    events = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert events == ["Police visit", "Call to the house"]
    people = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Quillfeather" not in " ".join(p or "" for p in people)


def test_a_contributor_cannot_add_for_another_agency(client, contributor, review, health):
    client.force_login(contributor)
    response = client.post(
        url(review, "chronology_add"),
        {
            "agency": str(health.pk),
            "occurred_on_0": "1",
            "occurred_on_1": "2",
            "occurred_on_2": "2025",
            "event": "Visit",
            "significance": "routine",
        },
    )
    assert response.status_code == 200
    assert "Select the agency the entry is from" in response.content.decode()
    assert not ChronologyEntry.objects.exists()


# The merged view -----------------------------------------------------------------------------


def test_the_merged_view_lists_every_agency_in_time_order_with_marks(bu_client, review, entries):
    page = bu_client.get(url(review)).content.decode()
    order = [page.index(text) for text in (
        "Police visit", "Health visitor saw Child A", "GP appointment missed", "Call to the house"
    )]  # fmt: skip
    assert order == sorted(order)
    assert page.count("Multi-agency day</strong>") == 2  # both rows of 10 January
    assert "No recorded contact for 141 days" in page  # 11 January to 31 May
    assert "Approximate date" in page
    assert "Child A, Mother B" in page
    assert 'role="img"' in page and '<title id="timeline-title">' in page


def test_the_gap_length_can_be_changed(bu_client, review, entries):
    assert "No recorded contact" not in bu_client.get(url(review, query="gap=200")).content.decode()


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("significance=key", ["Police visit"], ["Call to the house", "GP appointment missed"]),
        (
            "date_from_0=1&date_from_1=6&date_from_2=2025",
            ["GP appointment missed", "Call to the house"],
            ["Police visit"],
        ),
        (
            "date_to_0=31&date_to_1=1&date_to_2=2025",
            ["Police visit"],
            ["Call to the house"],
        ),
    ],
)
def test_the_filters(bu_client, review, entries, query, shown, hidden):
    page = bu_client.get(url(review, query=query)).content.decode()
    for text in shown:
        assert text in page
    for text in hidden:
        assert text not in page


def test_filtering_by_agency_and_person(bu_client, review, entries, health):
    child = Person.objects.get(case=review.case, pseudonym="Child A")
    page = bu_client.get(url(review, query=f"agency={health.pk}")).content.decode()
    assert "Health visitor saw Child A" in page and "Police visit" not in page
    page = bu_client.get(url(review, query=f"person={child.pk}")).content.decode()
    assert "Police visit" in page and "Call to the house" not in page


def test_bad_filters_are_shown_as_errors(bu_client, review, entries):
    query = "agency=999&date_from_0=31&date_from_1=2&date_from_2=2025&gap=0"
    page = bu_client.get(url(review, query=query)).content.decode()
    assert "There is a problem" in page
    assert "Select an agency from the list" in page
    assert "From must be a real date" in page
    assert "Gaps must be at least 1 day" in page


def test_an_empty_chronology_says_how_to_start(bu_client, review):
    page = bu_client.get(url(review)).content.decode()
    assert "There are no chronology entries yet" in page
    assert "Upload a chronology file" in page


def test_real_names_are_shown_on_request_and_every_showing_is_audited(client_for, review, entries):
    client = client_for(Role.PARTNER_LEAD)
    page = client.get(url(review)).content.decode()
    assert "Quillfeather" not in page and "Show real names" in page
    page = client.get(url(review, query="names=real")).content.decode()
    assert "Zebedee Quillfeather (Child A)" in page
    assert "Real names are shown" in page
    client.get(url(review, query="names=real&page=1"))
    assert AuditEvent.objects.filter(action="chronology.identities_shown").count() == 2


def test_the_page_costs_the_same_number_of_queries_whatever_the_size(
    bu_client, review, agency, health, business_unit_user, django_assert_max_num_queries
):
    child = Person.objects.get(case=review.case, pseudonym="Child A")

    def add(count, start):
        for n in range(count):
            entry(review, agency if n % 2 else health, start + datetime.timedelta(days=n),
                  business_unit_user, f"Entry {n}", people=[child])  # fmt: skip

    add(5, D(2020, 1, 1))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        bu_client.get(url(review, query="names=real"))
    # Drawn by day: the kept months (the agencies) and the day groups (ADR 0033), with real
    # names (their showing audited); one fewer for a chronology drawn by month.
    assert len(small.captured_queries) == 16
    add(400, D(2021, 1, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = bu_client.get(url(review, query="names=real"))
    page = response.content.decode()
    # 405 entries, 50 a page: the GOV.UK pagination, its links keeping the names chosen
    assert 'aria-label="Page 9"' in page and 'href="?names=real&amp;page=2" rel="next"' in page


def test_the_merged_view_shows_fifty_entries_a_page_and_its_links_keep_the_filters(
    bu_client, review, agency, health, business_unit_user
):
    """ADR 0032: 50 rows a page with the GOV.UK pagination; the timeline and the caption
    still count every entry under the filters."""
    for n in range(120):
        entry(review, agency if n % 3 else health, D(2021, 1, 1) + datetime.timedelta(days=n),
              business_unit_user, f"Entry {n}")  # fmt: skip
    query = f"agency={agency.pk}"
    page = bu_client.get(url(review, query=query + "&page=2")).content.decode()
    assert "80 entries match the filters" in page  # 120 less health's 40
    assert page.count('<tr class="govuk-table__row">') == 1 + 30  # the header, then 80 - 50
    assert f'href="?agency={agency.pk}&amp;page=1" rel="prev"' in page
    assert 'aria-label="Page 2" aria-current="page"' in page
    assert 'rel="next"' not in page
    first = bu_client.get(url(review, query=query)).content.decode()
    assert first.count('<tr class="govuk-table__row">') == 1 + 50
    assert "80 entries from 1 agency" in first  # the timeline: every entry


# One entry in the browser --------------------------------------------------------------------


def entry_form(agency, **overrides):
    data = {
        "agency": str(agency.pk),
        "occurred_on_0": "3",
        "occurred_on_1": "2",
        "occurred_on_2": "2025",
        "date_is_approximate": "on",
        "occurred_at": "14:30",
        "people": ["Child A"],
        "event": "Phone call from school",
        "source_record": "Log 55",
        "practitioner_role": "Designated safeguarding lead",
        "significance": "significant",
    }
    data.update(overrides)
    return data


def test_business_unit_adds_one_entry(bu_client, review, health):
    response = bu_client.post(url(review, "chronology_add"), entry_form(health))
    assert response.status_code == 302
    added = ChronologyEntry.objects.get()
    assert added.agency == health
    assert added.occurred_on == D(2025, 2, 3)
    assert added.occurred_at == datetime.time(14, 30)
    assert added.date_is_approximate is True
    assert list(added.people.values_list("pseudonym", flat=True)) == ["Child A"]
    assert AuditEvent.objects.filter(action="chronology.entry_added").count() == 1


def test_a_contributor_adds_for_their_own_agency(client, contributor, review, agency):
    client.force_login(contributor)
    assert client.post(url(review, "chronology_add"), entry_form(agency)).status_code == 302
    assert ChronologyEntry.objects.get().entered_by == contributor


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"occurred_on_2": "2099"}, "The date must be today or in the past"),
        ({"occurred_on_0": "31", "occurred_on_1": "2"}, "Date must be a real date"),
        ({"occurred_at": "25:61"}, "is not a real time"),
        ({"event": ""}, "Enter what happened"),
        ({"event": "x" * 5001}, "5,000 characters or fewer"),
        ({"significance": ""}, "Select the significance of the entry"),
        ({"people": ["Someone else"]}, "Select people from the list"),
    ],
)
def test_a_bad_entry_is_refused_and_nothing_is_saved(bu_client, review, agency, overrides, message):
    response = bu_client.post(url(review, "chronology_add"), entry_form(agency, **overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert not ChronologyEntry.objects.exists()


def test_reviewers_and_partner_leads_cannot_add(client_for, review):
    assert client_for(Role.PARTNER_LEAD).get(url(review, "chronology_add")).status_code == 403


# Templates and exports -----------------------------------------------------------------------


def test_the_templates_download(bu_client, review):
    response = bu_client.get(url(review, "chronology_template", "format=csv"))
    assert response.content.decode("utf-8-sig").startswith("Date,Time,Date is approximate")
    response = bu_client.get(url(review, "chronology_template", "format=xlsx"))
    assert response.content.startswith(b"PK")
    assert bu_client.get(url(review, "chronology_template", "format=exe")).status_code == 404


def test_the_excel_export_has_every_entry_under_the_filters(bu_client, review, entries):
    from openpyxl import load_workbook

    response = bu_client.get(url(review, "chronology_export", "format=xlsx"))
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("Date", "Time", "Approximate", "Agency")
    assert [row[5] for row in rows[1:]] == [
        "Police visit",
        "Health visitor saw Child A",
        "GP appointment missed",
        "Call to the house",
    ]
    assert rows[1][4] == "Child A; Mother B"
    assert rows[1][9] == "yes" and rows[3][2] == "yes"
    response = bu_client.get(url(review, "chronology_export", "format=xlsx&significance=key"))
    rows = list(load_workbook(io.BytesIO(response.getvalue())).worksheets[0].values)
    assert len(rows) == 2
    event = AuditEvent.objects.filter(action="chronology.exported").order_by("pk").last()
    assert event.payload == {
        "format": "xlsx",
        "rows": 1,
        "names": "pseudonyms",
        "filters": {"significance": "key"},
    }


def test_the_excel_export_streams_from_a_file_and_costs_the_same_queries_for_4_or_300_entries(
    bu_client, review, entries, agency, health, business_unit_user
):
    """Issue 16: an export of any size is written row by row to a temporary file and streamed
    (memory bounded: bench/exports.py), its queries fixed whatever the number of entries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    child, mother = Person.objects.filter(case=review.case).order_by("pseudonym")
    export = url(review, "chronology_export", "format=xlsx&names=real")
    with CaptureQueriesContext(connection) as small:
        response = bu_client.get(export)
    assert response.streaming
    assert len(list(load_workbook(io.BytesIO(response.getvalue())).worksheets[0].values)) == 5
    for n in range(296):
        entry(review, agency if n % 2 else health, D(2024, 1, 1) + datetime.timedelta(days=n),
              business_unit_user, f"Entry {n}", people=[child, mother][: n % 3])  # fmt: skip

    with CaptureQueriesContext(connection) as large:
        response = bu_client.get(export)

    assert len(large) == len(small)
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    rows = list(workbook.worksheets[0].values)
    assert len(rows) == 301
    assert rows[1][5] == "Entry 0" and rows[1][4] is None
    assert rows[2][4] == "Zebedee Quillfeather (Child A)"
    assert rows[3][4] == "Zebedee Quillfeather (Child A); Marigold Quillfeather (Mother B)"
    about = dict(workbook["About"].values)
    assert about["Entries"] == 300
    event = AuditEvent.objects.filter(action="chronology.exported").order_by("pk").last()
    assert (event.payload["rows"], event.payload["names"]) == (300, "real")


def test_the_word_export_with_real_names(bu_client, review, entries):
    from docx import Document

    response = bu_client.get(url(review, "chronology_export", "format=docx&names=real"))
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Contains real names" in text
    facts = docx_facts(response.content, title=f"Merged chronology: {review}")
    assert facts.table_headers[0][:4] == ["Date", "Time", "Approximate", "Agency"]
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert "Zebedee Quillfeather (Child A); Marigold Quillfeather (Mother B)" in cells
    assert "GP appointment missed" in cells
    assert response["Content-Disposition"].endswith('-real-names.docx"')


def test_the_pdf_export(bu_client, review, entries):
    from pypdf import PdfReader

    response = bu_client.get(url(review, "chronology_export", "format=pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Police visit" in text and "Call to the house" in text
    assert "Quillfeather" not in text
    facts = assert_accessible_pdf(response.content, title=f"Merged chronology: {review}")
    assert facts.structure["TR"] == 1 + 4 and facts.structure["TD"] == 4 * 10
    assert facts.cells_without_headers == facts.cells_with_wrong_headers == 0
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert box.width > box.height  # landscape


def test_names_are_not_exported_for_a_reviewer(client, review, entries):
    from docx import Document

    client.force_login(appoint(review, Role.REVIEWER, Appointment.Role.REVIEWER))
    response = client.get(url(review, "chronology_export", "format=docx&names=real"))
    document = Document(io.BytesIO(response.content))
    cells = " ".join(cell.text for row in document.tables[0].rows for cell in row.cells)
    assert "Quillfeather" not in cells and "Child A; Mother B" in cells


def test_an_unknown_export_format_is_not_found(bu_client, review):
    assert bu_client.get(url(review, "chronology_export", "format=exe")).status_code == 404


# The timeline --------------------------------------------------------------------------------


def test_the_timeline_has_a_lane_per_agency_gaps_and_multi_agency_days():
    drawn = timeline.draw(
        agencies=[(1, "Police"), (2, "Health <Trust>")],
        groups=[(D(2025, 1, 1), 1, 1), (D(2025, 1, 1), 2, 2), (D(2025, 9, 1), 1, 1)],
        gaps=[Gap(D(2025, 1, 1), D(2025, 9, 1))],
        multi_agency_days={D(2025, 1, 1)},
    )
    svg = str(drawn.svg)
    assert 'role="img"' in svg and "<desc" in svg
    assert "Health &lt;Trust&gt;" in svg
    assert svg.count("<circle") == 3
    assert svg.count('class="app-timeline__gap"') == 1
    assert svg.count('class="app-timeline__multi"') == 1
    assert "4 entries from 2 agencies" in svg


def test_a_large_timeline_is_grouped_so_it_stays_small():
    start = D(2015, 1, 1)
    groups = [
        (start + datetime.timedelta(days=day), agency, 1)
        for day in range(3000)
        for agency in range(15)
    ]
    drawn = timeline.draw(agencies=[(a, f"Agency {a}") for a in range(15)], groups=groups)
    assert drawn.binned_by == "month"
    assert drawn.marks <= timeline.MAX_MARKS
    assert "entries grouped by month" in str(drawn.svg)


def test_no_timeline_without_entries():
    assert timeline.draw(agencies=[(1, "Police")], groups=[]) is None


def test_a_word_or_pdf_export_too_long_to_read_asks_for_filters(
    bu_client, review, entries, monkeypatch
):
    from safeguarding.reviews.chronology import exports

    monkeypatch.setitem(exports.MAX_ROWS, "pdf", 1)
    response = bu_client.get(url(review, "chronology_export", "format=pdf&significance=routine"))
    assert response.status_code == 302
    assert "significance=routine" in response["Location"]
    assert "format=" not in response["Location"]
    page = bu_client.get(response["Location"]).content.decode()
    assert "A PDF export can have at most 1 entries and these filters give 2" in page
    assert not AuditEvent.objects.filter(action="chronology.exported").exists()
