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
    before = AuditEvent.objects.count()  # the fixture's membership is audited
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="user.signed_in", actor=business_unit_user)
        raise RuntimeError("the service failed")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_request_id_is_written_on_events_and_returned_in_the_header(client, business_unit_user):
    response = client.post(
        reverse("accounts:sign_in"),
        {"username": "bu@testshire.example", "password": "correct-horse-battery-staple"},
        headers={"X-Request-ID": "req-1234567890"},
    )
    assert response["X-Request-ID"] == "req-1234567890"
    assert AuditEvent.objects.get(action="user.signed_in").request_id == "req-1234567890"
