"""The retention schedule: what is due when (dates moved by running the schedule "as of" a later
day, not by waiting), what is never touched, and the audit trail of what it did."""

import datetime
import io

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from safeguarding.accounts.models import Invitation
from safeguarding.audit.models import AuditEvent, AuditEventImmutable
from safeguarding.clock.models import Milestone
from safeguarding.core.calendar import add_calendar_months
from safeguarding.core.models import RateLimitHit
from safeguarding.digests.models import Subscriber
from safeguarding.notifications.models import Notification, NotificationAttachment
from safeguarding.publication.models import Publication
from safeguarding.records.models import RetentionHold, RetentionSetting
from safeguarding.records.retention import (
    _apply,
    case_state,
    cases_with_history,
    retention_apply,
    retention_plan,
)
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import Case, DecisionMaker, Referral, ReferralIdentity
from safeguarding.referrals.tests.staff_support import (
    make_case,
    make_referral,
    name_decision_makers,
)
from safeguarding.reviews.models import (
    AgencyRequest,
    AgencyReturn,
    ChronologyEntry,
    ChronologyUpload,
    Person,
    PersonIdentity,
    Review,
)
from safeguarding.reviews.tests.review_support import make_lcspr


def later(months: int) -> datetime.date:
    return add_calendar_months(timezone.localdate(), months)


def closed_case(partnership, actor, pseudonym="Child C") -> Case:
    """A case decided on with no review to hold ("no further review"): closed today."""
    case = make_case(partnership, actor, pseudonym=pseudonym)
    (track,) = referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=actor
    )
    makers = [m.user for m in DecisionMaker.objects.filter(partnership=partnership)] or list(
        name_decision_makers(partnership).values()
    )
    decision = referral_services.decision_record(
        track=track,
        outcome="no_further_review",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=actor,
    )
    for user in makers:
        referral_services.decision_sign(decision=decision, user=user)
    person = Person.objects.create(case=case, pseudonym="Mother", role_in_case="parent")
    PersonIdentity.objects.create(person=person, full_name="Fictional Mothername")
    case.refresh_from_db()
    assert case.status == "decided"
    return case


def published_review(partnership, actor, *, months_ago: int = 0) -> Review:
    review, _ = make_lcspr(partnership, actor)
    review.stage = Review.Stage.SIGNED_OFF
    review.signed_off_at = timezone.now()
    review.save(update_fields=["stage", "signed_off_at"])
    published_on = later(-months_ago)
    Publication.objects.create(
        partnership=partnership,
        review=review,
        review_type="cspr",
        title=review.title,
        status="published",
        publish_on=published_on,
        published_at=timezone.make_aware(datetime.datetime.combine(published_on, datetime.time(9))),
        earliest_removal_on=add_calendar_months(published_on, 12),
    )
    return review


def _events(action):
    return AuditEvent.objects.filter(action=action)


@pytest.mark.django_db
def test_a_closed_case_is_archived_after_two_years_and_its_identities_removed_after_ten(
    partnership, business_unit_user
):
    case = closed_case(partnership, business_unit_user)
    referral = case.referrals.get()

    retention_apply(today=later(23))
    case.refresh_from_db()
    assert case.archived_at is None

    run = retention_apply(today=later(24))
    case.refresh_from_db()
    assert case.archived_at is not None
    event = _events("retention.records_archived").get()
    assert event.object_id == str(case.pk)
    assert event.payload["ids"] == {"referrals.Case": [str(case.pk)]}
    assert event.payload["rule"] == "closed_cases"
    assert run.done == 1
    assert PersonIdentity.objects.filter(person__case=case).exists()

    retention_apply(today=later(119))
    assert ReferralIdentity.objects.filter(referral=referral).exists()
    retention_apply(today=later(120))
    assert not PersonIdentity.objects.filter(person__case=case).exists()
    assert not ReferralIdentity.objects.filter(referral=referral).exists()
    assert Person.objects.filter(case=case, pseudonym="Mother").exists()  # the pseudonym stays
    removed = _events("retention.identities_removed")
    assert removed.count() == 2  # one event per kind of identity, each listing its ids
    assert all("Fictional" not in str(e.payload) for e in removed)
    assert Case.objects.filter(pk=case.pk).exists()  # a case is never deleted


@pytest.mark.django_db
def test_a_review_not_yet_published_keeps_its_case_whatever_the_date(
    partnership, business_unit_user
):
    review, _ = make_lcspr(partnership, business_unit_user)
    review.stage = Review.Stage.SIGNED_OFF
    review.signed_off_at = timezone.now()
    review.save(update_fields=["stage", "signed_off_at"])
    person = Person.objects.create(case=review.case, pseudonym="Father", role_in_case="parent")
    PersonIdentity.objects.create(person=person, full_name="Fictional Fathername")

    retention_apply(today=later(600))
    case = cases_with_history(Case.objects.filter(pk=review.case_id)).get()
    assert case.archived_at is None
    assert PersonIdentity.objects.filter(person=person).exists()
    assert "not published yet" in case_state(case, today=later(600)).kept_because


@pytest.mark.django_db
def test_a_running_review_keeps_its_case(partnership, business_unit_user):
    review, _ = make_lcspr(partnership, business_unit_user)
    case = cases_with_history(Case.objects.filter(pk=review.case_id)).get()
    assert "is running" in case_state(case, today=later(600)).kept_because


@pytest.mark.django_db
def test_a_published_review_is_kept_12_months_then_its_period_counts_from_there(
    partnership, business_unit_user
):
    review = published_review(partnership, business_unit_user)
    case = cases_with_history(Case.objects.filter(pk=review.case_id)).get()
    assert "less than 12 months" in case_state(case, today=later(11)).kept_because
    assert case_state(case, today=later(12)).closed_on == later(12)

    retention_apply(today=later(12 + 23))
    review.refresh_from_db()
    assert review.archived_at is None
    retention_apply(today=later(12 + 24))
    review.refresh_from_db()
    assert review.archived_at is not None
    assert review.case.__class__.objects.get(pk=review.case_id).archived_at is not None


@pytest.mark.django_db
def test_an_archived_review_leaves_the_list_of_reviews_and_keeps_its_page(
    partnership, business_unit_user, bu_client
):
    review = published_review(partnership, business_unit_user, months_ago=13)
    retention_apply(today=later(24))
    review.refresh_from_db()
    assert review.archived_at is not None
    listing = bu_client.get(f"/manage/{partnership.slug}/reviews/")
    assert review.reference not in listing.content.decode()
    assert bu_client.get(f"/manage/{partnership.slug}/reviews/{review.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_hold_keeps_everything_of_the_case_until_it_is_lifted(partnership, business_unit_user):
    case = closed_case(partnership, business_unit_user)
    hold = RetentionHold.objects.create(
        partnership=partnership, case=case, reason="Inquest opened", placed_by=business_unit_user
    )
    run = retention_apply(today=later(240), dry_run=True)
    assert any("Kept · case" in line and "Inquest opened" in line for line in run.lines())
    retention_apply(today=later(240))
    case.refresh_from_db()
    assert case.archived_at is None
    assert PersonIdentity.objects.filter(person__case=case).exists()

    hold.lifted_at = timezone.now()
    hold.save()
    retention_apply(today=later(240))
    case.refresh_from_db()
    assert case.archived_at is not None
    assert not PersonIdentity.objects.filter(person__case=case).exists()


@pytest.mark.django_db
def test_working_papers_go_ten_years_after_the_case_closed_files_included(
    partnership, business_unit_user, agency, sample_pdf, django_capture_on_commit_callbacks
):
    review = published_review(partnership, business_unit_user, months_ago=12)
    request = AgencyRequest.objects.create(
        review=review,
        agency=agency,
        kind="agency_report",
        due_on=timezone.localdate(),
        requested_by=business_unit_user,
    )
    agency_return = AgencyReturn.objects.create(
        request=request,
        version=1,
        submitted_by=business_unit_user,
        report="Fictional report.",
        attachment=SimpleUploadedFile("report.pdf", sample_pdf),
        attachment_name="report.pdf",
        attachment_kind="pdf",
        attachment_size=len(sample_pdf),
    )
    file_name = agency_return.attachment.name
    assert default_storage.exists(file_name)
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            review=review,
            agency=agency,
            occurred_on=datetime.date(2025, 1, n),
            event=f"Fictional event {n}",
            significance="routine",
            entered_by=business_unit_user,
        )
        for n in range(1, 21)
    )

    with django_capture_on_commit_callbacks(execute=True):
        retention_apply(today=later(119))
    assert AgencyReturn.objects.exists() and ChronologyEntry.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        retention_apply(today=later(120))
    assert not AgencyReturn.objects.exists()
    assert not default_storage.exists(file_name)
    assert not ChronologyEntry.objects.filter(review=review).exists()
    assert AgencyRequest.objects.filter(pk=request.pk).exists()
    deleted = _events("retention.records_deleted").exclude(payload__rule="audit_events")
    assert {e.payload["rule"] for e in deleted} == {"agency_returns", "chronology_entries"}
    chronology = deleted.get(payload__rule="chronology_entries")
    assert chronology.payload["count"] == 20
    assert len(chronology.payload["ids"]["reviews.ChronologyEntry"]) == 20


def _chronology_file(review, agency, user, name, **fields) -> ChronologyUpload:
    content = f"Date,Event\r\n2025-01-01,Fictional event in {name}\r\n".encode()
    return ChronologyUpload.objects.create(
        review=review,
        agency=agency,
        file=SimpleUploadedFile(name, content),
        file_name=name,
        file_kind="csv",
        size_bytes=len(content),
        rows_in_file=1,
        rows_added=1,
        uploaded_by=user,
        **fields,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("chronology_rule_on", [True, False])
def test_chronology_files_go_when_no_return_and_no_row_refers_to_them(
    chronology_rule_on, partnership, business_unit_user, agency, django_capture_on_commit_callbacks
):
    """A chronology return's version is the file uploaded (ChronologyUpload); its rows, and
    rows a later file replaced, point to it. It goes with the later of the two rules."""
    review = published_review(partnership, business_unit_user, months_ago=12)
    request = AgencyRequest.objects.create(
        review=review,
        agency=agency,
        kind="chronology",
        due_on=timezone.localdate(),
        requested_by=business_unit_user,
    )
    first = _chronology_file(review, agency, business_unit_user, "first.csv")
    second = _chronology_file(review, agency, business_unit_user, "second.csv")
    ChronologyUpload.objects.filter(pk=first.pk).update(
        replaced_by=second, replaced_at=timezone.now()
    )
    for version, upload in enumerate((first, second), start=1):
        AgencyReturn.objects.create(
            request=request,
            version=version,
            submitted_by=business_unit_user,
            chronology_upload=upload,
        )
    common = {"review": review, "agency": agency, "entered_by": business_unit_user}
    ChronologyEntry.objects.create(
        **common,
        occurred_on=datetime.date(2025, 1, 1),
        event="Fictional event, replaced",
        significance="routine",
        upload=first,
        archived_at=timezone.now(),
        archived_for=second,
    )
    ChronologyEntry.objects.create(
        **common,
        occurred_on=datetime.date(2025, 1, 1),
        event="Fictional event",
        significance="routine",
        upload=second,
    )
    files = [first.file.name, second.file.name]
    assert all(default_storage.exists(name) for name in files)
    if not chronology_rule_on:
        RetentionSetting.objects.create(
            partnership=partnership, record_type="chronology_entries", months=120, enabled=False
        )

    with django_capture_on_commit_callbacks(execute=True):
        retention_apply(today=later(120))
    assert not AgencyReturn.objects.exists()
    deleted = _events("retention.records_deleted")
    if not chronology_rule_on:  # the rows keep the files they came from
        assert ChronologyEntry.objects.count() == 2 and ChronologyUpload.objects.count() == 2
        assert all(default_storage.exists(name) for name in files)
        event = deleted.get(payload__rule="agency_returns")
        assert "reviews.ChronologyUpload" not in event.payload["ids"]
        return
    assert not ChronologyEntry.objects.exists() and not ChronologyUpload.objects.exists()
    assert not any(default_storage.exists(name) for name in files)
    event = deleted.get(payload__rule="chronology_entries")  # the later of the two
    assert sorted(event.payload["ids"]["reviews.ChronologyUpload"]) == sorted(
        [str(first.pk), str(second.pk)]
    )
    assert event.payload["count"] == 4  # two rows, two files


@pytest.mark.django_db
def test_referrals_that_led_to_no_case_are_deleted_after_two_years_with_what_hangs_from_them(
    partnership, business_unit_user
):
    old = make_referral(partnership)
    recent = make_referral(partnership)
    opened = make_referral(partnership)
    referral_services.case_open(referral=opened, pseudonym="Child D", actor=business_unit_user)
    two_years_ago = later(-24)
    Referral.objects.filter(pk__in=[old.pk, opened.pk]).update(received_on=two_years_ago)
    assert Milestone.objects.filter(subject_id=old.pk).exists()

    run = retention_apply(today=timezone.localdate(), dry_run=True)
    assert any(old.reference in line for line in run.lines())
    assert Referral.objects.filter(pk=old.pk).exists()  # a dry run changes nothing

    retention_apply(today=timezone.localdate())
    assert not Referral.objects.filter(pk=old.pk).exists()
    assert not ReferralIdentity.objects.filter(referral_id=old.pk).exists()
    assert not Milestone.objects.filter(subject_type__model="referral", subject_id=old.pk).exists()
    assert Referral.objects.filter(pk__in=[recent.pk, opened.pk]).count() == 2
    event = _events("retention.records_deleted").get(payload__rule="referral_without_case")
    assert event.payload["ids"] == {"referrals.Referral": [str(old.pk)]}
    assert event.partnership == partnership


@pytest.mark.django_db
def test_a_partnership_sets_its_own_period_or_switches_a_rule_off(
    partnership, other_partnership, business_unit_user
):
    ours, theirs = make_referral(partnership), make_referral(other_partnership)
    Referral.objects.update(received_on=later(-7))
    RetentionSetting.objects.create(
        partnership=partnership, record_type="referral_without_case", months=6
    )
    retention_apply(today=timezone.localdate())
    assert not Referral.objects.filter(pk=ours.pk).exists()
    assert Referral.objects.filter(pk=theirs.pk).exists()  # the default, 24 months

    kept = make_referral(partnership)
    Referral.objects.filter(pk=kept.pk).update(received_on=later(-100))
    RetentionSetting.objects.filter(partnership=partnership).update(enabled=False)
    retention_apply(today=timezone.localdate())
    assert Referral.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db
def test_audit_events_older_than_the_period_are_deleted_and_the_deletion_is_audited(
    partnership,
):
    old = AuditEvent.objects.create(action="milestone.completed", partnership=partnership)
    recent = AuditEvent.objects.create(action="milestone.completed", partnership=partnership)
    service_wide = AuditEvent.objects.create(action="user.signed_in")
    # The table refuses updates through the ORM, so a test ages the events in SQL.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET occurred_at = %s WHERE id IN (%s, %s)",
            [timezone.now() - datetime.timedelta(days=365 * 11), old.pk, service_wide.pk],
        )
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=old.pk).delete()

    retention_apply(today=timezone.localdate())
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and service_wide.pk not in remaining
    assert recent.pk in remaining
    trail = _events("retention.records_deleted").filter(payload__rule="audit_events")
    assert {e.partnership_id for e in trail} == {partnership.pk, None}
    assert [str(old.pk)] in [e.payload["ids"]["audit.AuditEvent"] for e in trail]


@pytest.mark.django_db
def test_sessions_rate_limits_and_departed_subscribers_are_cleared(partnership):
    session = SessionStore()
    session.create()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    live = SessionStore()
    live.create()
    RateLimitHit.objects.create(bucket="x", key_hash="a" * 64)
    RateLimitHit.objects.filter().update(at=timezone.now() - datetime.timedelta(days=2))
    RateLimitHit.objects.create(bucket="x", key_hash="b" * 64)
    gone = Subscriber.objects.create(
        partnership=partnership, email="gone@example.org", unsubscribed_at=timezone.now()
    )
    Subscriber.objects.filter(pk=gone.pk).update(
        unsubscribed_at=timezone.now() - datetime.timedelta(days=40)
    )
    reader = Subscriber.objects.create(
        partnership=partnership, email="reader@example.org", confirmed_at=timezone.now()
    )

    retention_apply(today=timezone.localdate())
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert list(RateLimitHit.objects.values_list("key_hash", flat=True)) == ["b" * 64]
    assert list(Subscriber.objects.values_list("pk", flat=True)) == [reader.pk]
    sessions_event = _events("retention.records_deleted").get(payload__rule="sessions")
    assert "ids" not in sessions_event.payload  # session keys are secrets: counted only
    assert sessions_event.payload["count"] == 1
    assert "gone@example.org" not in str(
        _events("retention.records_deleted").get(payload__rule="digest_subscribers").payload
    )


DAYS_AGO_400 = datetime.timedelta(days=400)  # more than the 12 months of both rules below


@pytest.mark.django_db
def test_notifications_go_a_year_after_they_were_read_or_sent_with_their_calendar_invitations(
    partnership, other_partnership, business_unit_user
):
    now = timezone.now()

    def notification(*, sent_ago, read_ago=None, recipient=business_unit_user, of=partnership):
        made = Notification.objects.create(
            recipient=recipient,
            email=recipient.email if recipient else "referrer@example.org",
            partnership=of,
            kind="meeting.invited",
            subject="Invitation: Fictional meeting",
            body="Fictional.",
        )
        Notification.objects.filter(pk=made.pk).update(
            created_at=now - sent_ago, read_at=now - read_ago if read_ago else None
        )
        return made

    read_long_ago = notification(sent_ago=DAYS_AGO_400, read_ago=DAYS_AGO_400)
    NotificationAttachment.objects.create(
        notification=read_long_ago,
        filename="invitation.ics",
        content_type="text/calendar",
        content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    )
    never_read = notification(sent_ago=DAYS_AGO_400)
    email_only = notification(sent_ago=DAYS_AGO_400, recipient=None)  # no account: never read
    read_lately = notification(sent_ago=DAYS_AGO_400, read_ago=datetime.timedelta(days=30))
    recent = notification(sent_ago=datetime.timedelta(days=30))
    RetentionSetting.objects.create(
        partnership=other_partnership, record_type="notifications", months=24
    )
    theirs = notification(sent_ago=DAYS_AGO_400, of=other_partnership)  # their own period

    retention_apply(today=timezone.localdate())
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        read_lately.pk,
        recent.pk,
        theirs.pk,
    }
    assert not NotificationAttachment.objects.exists()
    event = _events("retention.records_deleted").get(payload__rule="notifications")
    gone = sorted(str(n.pk) for n in (read_long_ago, never_read, email_only))
    assert sorted(event.payload["ids"]["notifications.Notification"]) == gone
    assert event.payload["count"] == 3  # the calendar invitation went with its notification
    assert event.partnership == partnership
    assert "Fictional" not in str(event.payload) and "@" not in str(event.payload)


def _invitation(partnership, inviter, email, *, expires_ago, **fields) -> Invitation:
    return Invitation.objects.create(
        partnership=partnership,
        email=email,
        full_name="Fictional Invitee",
        roles=["reviewer"],
        token_hash=email.ljust(64, "0"),
        invited_by=inviter,
        invited_by_label=inviter.email,
        sent_at=timezone.now() - expires_ago - datetime.timedelta(days=7),
        expires_at=timezone.now() - expires_ago,
        **fields,
    )


@pytest.mark.django_db
def test_invitations_never_accepted_go_a_year_after_they_expired_or_were_cancelled(
    partnership, business_unit_user
):
    now = timezone.now()
    expired = _invitation(
        partnership, business_unit_user, "expired@example.org", expires_ago=DAYS_AGO_400
    )
    cancelled = _invitation(
        partnership,
        business_unit_user,
        "cancelled@example.org",
        expires_ago=datetime.timedelta(days=-7),  # cancelled before its link expired
        cancelled_at=now - DAYS_AGO_400,
        cancelled_by=business_unit_user,
    )
    lately = _invitation(
        partnership, business_unit_user, "lately@example.org", expires_ago=datetime.timedelta(30)
    )
    accepted = _invitation(
        partnership,
        business_unit_user,
        "accepted@example.org",
        expires_ago=DAYS_AGO_400,
        accepted_at=now - DAYS_AGO_400 - datetime.timedelta(days=1),
        user=business_unit_user,
    )
    waiting = _invitation(
        partnership, business_unit_user, "waiting@example.org", expires_ago=-datetime.timedelta(7)
    )

    retention_apply(today=timezone.localdate())
    assert set(Invitation.objects.values_list("pk", flat=True)) == {
        lately.pk,
        accepted.pk,  # the start of the person's access
        waiting.pk,
    }
    event = _events("retention.records_deleted").get(payload__rule="invitations")
    assert sorted(event.payload["ids"]["accounts.Invitation"]) == sorted(
        [str(expired.pk), str(cancelled.pk)]
    )
    assert "example.org" not in str(event.payload)


@pytest.mark.django_db
def test_an_invitation_sent_again_after_the_plan_was_made_is_kept(partnership, business_unit_user):
    invitation = _invitation(
        partnership, business_unit_user, "again@example.org", expires_ago=DAYS_AGO_400
    )
    today = timezone.localdate()
    plan = retention_plan(today=today, partnerships=[partnership])
    assert any(b.record_type.key == "invitations" for b in plan.batches)
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now(), expires_at=timezone.now() + datetime.timedelta(days=7)
    )
    for batch in plan.batches:
        _apply(batch, today, "test")
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert not _events("retention.records_deleted").filter(payload__rule="invitations").exists()


@pytest.mark.django_db
def test_the_daily_run_applies_the_schedule_after_the_reminders(partnership):
    old = make_referral(partnership)
    Referral.objects.filter(pk=old.pk).update(received_on=later(-30))
    call_command("send_reminders", stdout=io.StringIO())
    assert not Referral.objects.filter(pk=old.pk).exists()
    event = _events("retention.records_deleted").get()
    assert event.actor_label == "Retention schedule (daily run)"


@pytest.mark.django_db
def test_a_reminder_run_for_a_later_day_does_not_move_the_schedule(partnership):
    referral = make_referral(partnership)
    call_command("send_reminders", date=later(60), stdout=io.StringIO())
    assert Referral.objects.filter(pk=referral.pk).exists()


@pytest.mark.django_db
def test_apply_retention_lists_what_is_due_and_refuses_to_act_on_a_later_day(
    partnership, business_unit_user
):
    referral = make_referral(partnership)
    out = io.StringIO()
    call_command("apply_retention", dry_run=True, date=later(25), stdout=out)
    text = out.getvalue()
    assert "dry run: nothing changed" in text
    assert "Delete · Referrals that led to no case (2 years after" in text
    assert referral.reference in text
    with pytest.raises(CommandError, match="only be looked at with --dry-run"):
        call_command("apply_retention", date=later(25))
    assert Referral.objects.filter(pk=referral.pk).exists()
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Nothing is due" in out.getvalue()
