"""The staff side: starting an issue, choosing proposed items, ordering and changing them."""

from datetime import date

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.digests import services
from safeguarding.digests.models import DigestIssue, DigestItem

from .support import PERIOD_END, PERIOD_START, date_data, issue, record, theme

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"digests:{name}", args=["testshire", *args])


def _start_data(**changes):
    data = {
        "number": "1",
        "title": "Spring learning",
        **date_data("period_start", PERIOD_START),
        **date_data("period_end", PERIOD_END),
    }
    data.update(changes)
    return data


@pytest.fixture
def draft(partnership, business_unit_user):
    return issue(partnership, business_unit_user)


@pytest.fixture
def records(partnership):
    curiosity = theme(partnership, "Professional curiosity")
    return [
        record(
            partnership,
            "Child Aster",
            published_on=date(2026, 1, 10),
            themes=[curiosity],
            learning="- See the baby\n- Ask who lives there",
        ),
        record(partnership, "Child Birch", published_on=date(2026, 2, 10), themes=[curiosity]),
        record(partnership, "Child Cedar", published_on=date(2026, 3, 10)),
    ]


def _keys(bu_client, draft):
    available, _ = services.issue_proposals(issue=draft)
    return {p.heading: p.key for p in available}


def _headings(draft):
    return list(draft.items.order_by("position").values_list("heading", flat=True))


# Starting an issue --------------------------------------------------------------------------------


def test_the_next_number_is_proposed_and_an_issue_starts_as_a_draft(
    bu_client, partnership, business_unit_user
):
    issue(partnership, business_unit_user, number=3)
    page = bu_client.get(url("issue_start"))
    assert page.status_code == 200
    assert 'value="4"' in page.content.decode()
    response = bu_client.post(url("issue_start"), _start_data(number="4"))
    started = DigestIssue.objects.get(number=4)
    assert response.status_code == 302
    assert response["Location"] == url("issue", started.pk)
    assert started.status == DigestIssue.Status.DRAFT
    assert (started.period_start, started.period_end) == (PERIOD_START, PERIOD_END)
    assert AuditEvent.objects.filter(action="digest.created", object_id=str(started.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            date_data("period_end", date(2025, 12, 31)),
            "The end of the period must be after its start",
        ),
        (date_data("period_end", PERIOD_START), "The end of the period must be after its start"),
        ({"title": "  "}, "Enter a title"),
        ({"number": "0"}, "The issue number must be 1 or more"),
        ({"number": "two"}, "Enter the issue number as digits"),
        (date_data("period_start", None), "Enter start of the period"),
        ({"period_end_1": "13"}, "End of the period must be a real date"),
        ({"number": "1"}, "There is already an issue 1"),
    ],
)
def test_bad_start_input_shows_errors_and_changes_nothing(
    bu_client, partnership, business_unit_user, changes, message
):
    issue(partnership, business_unit_user, number=1, title="The first")
    response = bu_client.post(url("issue_start"), _start_data(**changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert DigestIssue.objects.count() == 1


def test_partner_leads_read_but_cannot_start_or_change(client_for, draft):
    lead = client_for(Role.PARTNER_LEAD)
    assert lead.get(url("list")).status_code == 200
    page = lead.get(url("issue", draft.pk))
    assert page.status_code == 200
    assert "Choose proposed items" not in page.content.decode()
    assert lead.get(url("issue_preview", draft.pk)).status_code == 200
    assert lead.get(url("issue_start")).status_code == 403
    assert lead.post(url("issue_edit", draft.pk), {}).status_code == 403
    assert lead.post(url("issue_publish", draft.pk)).status_code == 403


# Details and introduction -------------------------------------------------------------------------


def test_the_editor_writes_the_introduction_and_changes_the_period(bu_client, draft):
    response = bu_client.post(
        url("issue_edit", draft.pk),
        {
            "title": "Spring and summer",
            **date_data("period_start", PERIOD_START),
            **date_data("period_end", date(2026, 6, 30)),
            "introduction": "Welcome to issue 1.\n\n- It is short\n- It is useful",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Spring and summer"
    assert draft.period_end == date(2026, 6, 30)
    assert draft.introduction.startswith("Welcome to issue 1.")


def test_bad_details_change_nothing(bu_client, draft):
    response = bu_client.post(
        url("issue_edit", draft.pk),
        {
            "title": "",
            **date_data("period_start", PERIOD_START),
            **date_data("period_end", date(2025, 6, 30)),
            "introduction": "Changed",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a title" in body
    assert "The end of the period must be after its start" in body
    draft.refresh_from_db()
    assert (draft.title, draft.period_end, draft.introduction) == (
        "Spring learning",
        PERIOD_END,
        "",
    )


# Choosing and ordering items ----------------------------------------------------------------------


def test_the_editor_ticks_proposals_and_they_are_added_in_order(bu_client, draft, records):
    keys = _keys(bu_client, draft)
    page = bu_client.get(url("issue_choose", draft.pk))
    assert "Review published: Child Aster (published 10 January 2026)" in page.content.decode()
    response = bu_client.post(
        url("issue_choose", draft.pk),
        {"items": [keys["Child Cedar"], keys["Learning from Child Aster"], keys["Child Aster"]]},
    )
    assert response.status_code == 302
    # In the order proposed: reviews, then their learning.
    assert _headings(draft) == ["Child Aster", "Child Cedar", "Learning from Child Aster"]
    aster = draft.items.get(heading="Child Aster")
    assert (aster.kind, aster.record_id, aster.position) == ("review", records[0].pk, 1)

    # Chosen proposals are no longer offered; the others still are.
    left = _keys(bu_client, draft)
    assert "Child Aster" not in left
    assert "Child Birch" in left
    assert "Recurring theme: Professional curiosity" in left


def test_ticking_nothing_or_a_stale_proposal_adds_nothing(bu_client, draft, records):
    response = bu_client.post(url("issue_choose", draft.pk), {})
    assert response.status_code == 200
    assert "Tick at least one item to add" in response.content.decode()
    response = bu_client.post(url("issue_choose", draft.pk), {"items": ["review:r999999"]})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert draft.items.count() == 0


def test_items_move_up_and_down_and_can_be_removed(bu_client, draft, records):
    keys = _keys(bu_client, draft)
    bu_client.post(
        url("issue_choose", draft.pk),
        {"items": [keys["Child Aster"], keys["Child Birch"], keys["Child Cedar"]]},
    )
    cedar = draft.items.get(heading="Child Cedar")
    bu_client.post(url("item_move", draft.pk, cedar.pk), {"direction": "up"})
    assert _headings(draft) == ["Child Aster", "Child Cedar", "Child Birch"]
    bu_client.post(url("item_move", draft.pk, cedar.pk), {"direction": "up"})
    bu_client.post(url("item_move", draft.pk, cedar.pk), {"direction": "up"})  # already first
    assert _headings(draft) == ["Child Cedar", "Child Aster", "Child Birch"]
    bu_client.post(url("item_move", draft.pk, cedar.pk), {"direction": "sideways"})
    assert _headings(draft) == ["Child Cedar", "Child Aster", "Child Birch"]
    bu_client.post(url("item_move", draft.pk, cedar.pk), {"direction": "down"})
    assert _headings(draft) == ["Child Aster", "Child Cedar", "Child Birch"]

    aster = draft.items.get(heading="Child Aster")
    response = bu_client.post(url("item_remove", draft.pk, aster.pk))
    assert response.status_code == 302
    assert _headings(draft) == ["Child Cedar", "Child Birch"]
    assert list(draft.items.order_by("position").values_list("position", flat=True)) == [1, 2]
    assert "Child Aster" in _keys(bu_client, draft)  # proposed again


def test_the_editor_changes_an_item_and_adds_a_free_one(bu_client, draft, records):
    keys = _keys(bu_client, draft)
    bu_client.post(url("issue_choose", draft.pk), {"items": [keys["Child Aster"]]})
    aster = draft.items.get()
    response = bu_client.post(
        url("item_edit", draft.pk, aster.pk),
        {"heading": "Baby Aster: sleeping safely", "text": "Our own words."},
    )
    assert response.status_code == 302
    aster.refresh_from_db()
    assert (aster.heading, aster.text) == ("Baby Aster: sleeping safely", "Our own words.")

    response = bu_client.post(
        url("item_add", draft.pk),
        {
            "heading": "Learning event",
            "text": "Join us on 4 June 2026.",
            "link": "https://events.example/learning",
        },
    )
    assert response.status_code == 302
    free = draft.items.get(kind=DigestItem.Kind.OTHER)
    assert (free.position, free.link) == (2, "https://events.example/learning")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"heading": "", "text": "Text"}, "Enter a heading"),
        ({"heading": "Heading", "text": ""}, "Enter the text"),
        ({"heading": "Heading", "text": "Text", "link": "not a link"}, "Enter a web address"),
        ({"heading": "H", "text": "T", "link": "http://x.example"}, "starts with https://"),
    ],
)
def test_bad_item_input_changes_nothing(bu_client, draft, records, data, message):
    keys = _keys(bu_client, draft)
    bu_client.post(url("issue_choose", draft.pk), {"items": [keys["Child Aster"]]})
    aster = draft.items.get()
    response = bu_client.post(url("item_add", draft.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert draft.items.count() == 1
    if "link" not in data:
        response = bu_client.post(url("item_edit", draft.pk, aster.pk), data)
        assert message in response.content.decode()
        aster.refresh_from_db()
        assert aster.heading == "Child Aster"


def test_an_item_of_another_issue_is_not_found(bu_client, partnership, business_unit_user, draft):
    other = issue(partnership, business_unit_user, number=2)
    item = services.item_add(issue=other, actor=business_unit_user, heading="H", text="T")
    assert bu_client.get(url("item_edit", draft.pk, item.pk)).status_code == 404


def test_the_preview_shows_the_items_in_order(bu_client, draft, records):
    keys = _keys(bu_client, draft)
    bu_client.post(
        url("issue_choose", draft.pk), {"items": [keys["Child Birch"], keys["Child Aster"]]}
    )
    body = bu_client.get(url("issue_preview", draft.pk)).content.decode()
    assert body.index("Child Aster") < body.index("Child Birch")
    assert "Covers 1 January 2026 to 31 March 2026" in body


# Query counts -------------------------------------------------------------------------------------


def _fill(partnership, actor, n_issues: int, n_items: int):
    for number in range(1, n_issues + 1):
        made = issue(partnership, actor, number=number + 10)
        for k in range(n_items):
            services.item_add(issue=made, actor=actor, heading=f"Item {k}", text="Text")
    return made


@pytest.mark.parametrize("size", [1, 12])
def test_list_and_editor_query_counts_do_not_grow(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries, size
):
    last = _fill(partnership, business_unit_user, size, size)
    for n in range(size):
        record(partnership, f"Child {n}", published_on=date(2026, 2, 1 + n))
    # Sign-in and session take 5 of each, the unread notifications count 1; the editor's page
    # counts the proposals waiting (the issue's items read once for it: 13, ADR 0040).
    for name, most in (("list", 11), ("issue", 13), ("issue_choose", 16), ("issue_preview", 11)):
        args = () if name == "list" else (last.pk,)
        with django_assert_max_num_queries(most):
            assert bu_client.get(url(name, *args)).status_code == 200
