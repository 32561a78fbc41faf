import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from safeguarding.audit.models import AuditEvent, AuditEventImmutable
from safeguarding.audit.registry import UnknownAuditAction, register_actions, registered_actions
from safeguarding.audit.services import audit_record


@pytest.mark.django_db
def test_audit_record_writes_who_what_which_record_and_request_id(partnership, business_unit_user):
    event = audit_record(
        action="public_page.block_added",
        actor=business_unit_user,
        target=partnership,
        payload={"fields": ["heading"]},
    )
    event.refresh_from_db()
    assert event.actor == business_unit_user
    assert event.actor_label == "bu@testshire.example"
    assert event.object_type == "accounts.partnership"
    assert event.object_id == str(partnership.pk)
    assert event.payload == {"fields": ["heading"]}
    assert event.action_label == "Added a section to the public Reviews page"


@pytest.mark.django_db
def test_an_unknown_action_code_is_an_error_and_writes_nothing():
    with pytest.raises(UnknownAuditAction):
        audit_record(action="review.teleported")
    assert AuditEvent.objects.count() == 0


def test_action_codes_must_look_like_entity_dot_verb():
    with pytest.raises(ValueError, match=r"entity\.verb"):
        register_actions({"Bad Code": "x"})


def test_every_registered_action_has_a_label():
    actions = registered_actions()
    assert "user.signed_in" in actions
    assert all(label for label in actions.values())


@pytest.mark.django_db
def test_payload_larger_than_4kb_is_refused():
    with pytest.raises(ValueError, match="larger than"):
        audit_record(action="user.signed_in", payload={"x": "y" * 5000})


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted(business_unit_user):
    event = audit_record(action="user.signed_in", actor=business_unit_user)
    event.action = "user.signed_out"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="user.signed_out")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.action == "user.signed_in"


@pytest.mark.django_db
def test_audit_rows_are_read_only_in_the_admin(client, business_unit_user):
    business_unit_user.is_staff = True
    business_unit_user.is_superuser = True
    business_unit_user.save()
    event = audit_record(action="user.signed_in", actor=business_unit_user)
    client.force_login(business_unit_user)
    url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    change = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {})
    assert change.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_audit_event_is_rolled_back_with_the_service_transaction(business_unit_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="user.signed_in", actor=business_unit_user)
        raise RuntimeError("the service failed")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_request_id_is_written_on_events_and_returned_in_the_header(client, business_unit_user):
    response = client.post(
        reverse("accounts:sign_in"),
        {"username": "bu@testshire.example", "password": "correct-horse-battery-staple"},
        headers={"X-Request-ID": "req-1234567890"},
    )
    assert response["X-Request-ID"] == "req-1234567890"
    assert AuditEvent.objects.get(action="user.signed_in").request_id == "req-1234567890"


# The trail page -------------------------------------------------------------------------------


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
    assert [e.action for e in by_record] == ["public_page.block_added"]
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
    with django_assert_max_num_queries(10):
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
    assert len(second.events) == 31 and not second.has_next  # 60 + 20 + the test sign-in
    everything = first.events + second.events
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    assert bu_client.get(url, {"page": "nonsense"}).status_code == 200
