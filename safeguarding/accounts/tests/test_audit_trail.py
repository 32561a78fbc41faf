"""The business unit's audit trail page (safeguarding/accounts/audit_trail/)."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.audit.services import audit_record


@pytest.mark.django_db
def test_business_unit_reads_its_partnership_trail_and_members_sign_ins(
    bu_client, partnership, other_partnership, business_unit_user, user_for_role
):
    reviewer = user_for_role("reviewer", email="reviewer@testshire.example")
    audit_record(action="user.signed_in", actor=reviewer)
    audit_record(action="public_page.block_added", actor=business_unit_user, target=partnership)
    audit_record(
        action="public_page.block_added", target=other_partnership, actor_label="x@elsewhere"
    )
    response = bu_client.get(reverse("audit:trail", args=[partnership.slug]))
    assert response.status_code == 200
    events = list(response.context["page"].events)
    assert {e.action for e in events} >= {"user.signed_in", "public_page.block_added"}
    assert all(e.partnership in (partnership, None) for e in events)
    assert "x@elsewhere" not in response.content.decode()


@pytest.mark.django_db
def test_trail_filters_by_user_record_and_date(bu_client, partnership, business_unit_user):
    audit_record(action="public_page.block_added", actor=business_unit_user, target=partnership)
    audit_record(
        action="user.signed_in", actor=None, actor_label="someone@else", partnership=partnership
    )
    url = reverse("audit:trail", args=[partnership.slug])
    by_user = bu_client.get(url, {"user": "bu@testshire"}).context["page"].events
    assert {e.actor_label for e in by_user} == {"bu@testshire.example"}
    by_record = bu_client.get(url, {"record": "Testshire"}).context["page"].events
    # The fixture's membership ("… in Testshire Safeguarding Partnership") is audited too.
    assert [e.action for e in by_record if e.action != "membership.added"] == [
        "public_page.block_added"
    ]
    today = datetime.date.today()
    future = today + datetime.timedelta(days=2)
    none = bu_client.get(
        url, {"date_from_0": future.day, "date_from_1": future.month, "date_from_2": future.year}
    )
    assert list(none.context["page"].events) == []


@pytest.mark.django_db
def test_trail_filter_with_impossible_dates_shows_errors(bu_client, partnership):
    url = reverse("audit:trail", args=[partnership.slug])
    response = bu_client.get(
        url,
        {
            "date_from_0": "31",
            "date_from_1": "2",
            "date_from_2": "2026",
            "date_to_0": "1",
            "date_to_1": "1",
        },
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "From must be a real date" in html
    assert "To must include a day, month and year" in html
    assert 'href="#id_date_from_0"' in html


@pytest.mark.django_db
def test_trail_page_query_count_does_not_grow_with_events(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries
):
    for _ in range(80):
        audit_record(action="public_page.block_added", actor=business_unit_user, target=partnership)
    with django_assert_max_num_queries(11):  # +1: the unread notifications count
        bu_client.get(reverse("audit:trail", args=[partnership.slug]))


@pytest.mark.django_db
def test_trail_pages_merge_both_kinds_of_event_newest_first(
    bu_client, partnership, business_unit_user
):
    for n in range(60):
        audit_record(action="public_page.block_added", actor=business_unit_user, target=partnership)
        if n % 3 == 0:
            audit_record(action="user.signed_in", actor=business_unit_user)
    url = reverse("audit:trail", args=[partnership.slug])
    first = bu_client.get(url).context["page"]
    second = bu_client.get(url, {"page": 2}).context["page"]
    assert len(first.events) == 50 and first.has_next and not first.has_previous
    # 60 + 20 + the test sign-in + the fixture's membership (audited by the safety net)
    assert len(second.events) == 32 and not second.has_next
    everything = first.events + second.events
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    assert bu_client.get(url, {"page": "nonsense"}).status_code == 200
