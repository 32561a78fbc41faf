"""The restore drill: the demo (and a row in the tables it leaves empty) backed up with
`manage.py backup`, restored with `manage.py restore` into a second, empty database, then every
table compared row by row and every media file byte by byte.

Runs on SQLite in the normal suite and on PostgreSQL when DATABASE_URL is PostgreSQL (the second
database is the test settings' ``restore_drill`` alias: same server, its own database)."""

import datetime
import hashlib
import io

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.accounts.models import Deactivation, User
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Milestone, ReminderClaim
from safeguarding.core.encryption import StoredToken, encrypted_fields
from safeguarding.core.models import RateLimitHit
from safeguarding.digests.models import Subscriber
from safeguarding.notifications.models import Notification, NotificationAttachment
from safeguarding.records.backup import storage_files, table_rows, tables
from safeguarding.records.backup_format import key_new
from safeguarding.records.models import RetentionHold, RetentionSetting
from safeguarding.referrals.models import ReferralIdentity
from safeguarding.reviews.models import (
    ChronologyEntry,
    ChronologyUpload,
    DocumentVersion,
    FamilyContact,
    Meeting,
    Person,
    PersonIdentity,
    ProposedPerson,
    Review,
    ReviewDocument,
)

DRILL = "restore_drill"
# Tables that are not Django models: the migration record (compared as migrations) and the
# library's full-text index, which database triggers keep in step with the records
# (safeguarding/library/search_index.py), so a restore rebuilds it by inserting the records.
DERIVED_TABLES = {"django_migrations", "library_search", "library_search_state"}


@pytest.fixture
def backup_key(settings):
    settings.BACKUP_ENCRYPTION_KEY = key_new()
    return settings.BACKUP_ENCRYPTION_KEY


def _fill_tables_the_demo_leaves_empty(sample_pdf: bytes) -> None:
    """A row in tables the demo does not write, values a round trip could get wrong
    included: a JSON null, text beyond ASCII, a time of day, an IP address, a file."""
    review = Review.objects.exclude(kind="rapid_review").order_by("pk").first()
    user = User.objects.order_by("pk").first()
    person = Person.objects.filter(case=review.case).first() or Person.objects.create(
        case=review.case, pseudonym="Grandparent", role_in_case="other_family"
    )
    FamilyContact.objects.create(
        review=review,
        person=person,
        kind="meeting_held",
        happened_on=datetime.date(2026, 2, 3),
        summary="Fictional views — «quoted», naïve café, 👪",
        consent_to_quote=None,
        recorded_by=user,
    )
    Meeting.objects.create(
        review=review,
        held_on=datetime.date(2026, 2, 4),
        title="Panel meeting",
        minutes="Fictional minutes.",
        recorded_by=user,
    )
    document = ReviewDocument.objects.create(review=review, title="Draft", kind="draft_report")
    DocumentVersion.objects.create(
        document=document,
        version=1,
        file=SimpleUploadedFile("draft.pdf", sample_pdf),
        original_name="draft.pdf",
        file_kind="pdf",
        size_bytes=len(sample_pdf),
        uploaded_by=user,
    )
    Subscriber.objects.create(
        partnership=review.partnership,
        email="reader@example.org",
        confirmed_at=timezone.now(),
    )
    session = SessionStore()
    session["fictional"] = True
    session.create()
    RateLimitHit.objects.create(bucket="drill", key_hash="0" * 64)
    AccessAttempt.objects.create(
        username="someone@example.org",
        ip_address="192.0.2.10",
        user_agent="drill",
        failures_since_start=1,
    )
    AuditEvent.objects.create(action="retention.setting_changed", payload={"empty": None, "n": 1.5})
    # The tables of notifications, the reminder engine, people management, two-factor devices
    # and the records app itself: a calendar invitation's bytes, a claim on a milestone, a
    # deactivation, an emailed-code and an authenticator device, a hold and a period.
    notification = Notification.objects.filter(partnership=review.partnership).first()
    NotificationAttachment.objects.create(
        notification=notification,
        filename="invitation.ics",
        content_type="text/calendar; method=REQUEST; charset=utf-8",
        content=b"BEGIN:VCALENDAR\r\nSUMMARY:Fictional \xc2\xab\xc3\xa9\xc2\xbb\r\n"
        b"END:VCALENDAR\r\n\x00",
    )
    milestone = Milestone.objects.order_by("pk").first()
    ReminderClaim.objects.create(
        subject_type=ContentType.objects.get_for_model(Milestone),
        subject_id=milestone.pk,
        kind=ReminderClaim.Kind.UPCOMING,
        due_on=datetime.date(2026, 2, 5),
        sent_to=user.email,
    )
    leaver = User.objects.create_user("leaver@example.org", full_name="Fictional Leaver")
    Deactivation.objects.create(
        user=leaver,
        partnership=review.partnership,
        memberships=[{"role": "reviewer", "agency": None}],
        account_switched_off=True,
        deactivated_by=user,
    )
    EmailDevice.objects.create(user=user, name="Email", confirmed=False)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    RetentionHold.objects.create(
        partnership=review.partnership, case=review.case, reason="Inquest", placed_by=user
    )
    RetentionSetting.objects.create(
        partnership=review.partnership, record_type="digest_subscribers", months=2
    )
    # A chronology file as uploaded (a file of its own), and a name it proposed, linked to a row.
    entry = ChronologyEntry.objects.order_by("pk").first()
    csv = "Date,Event\r\n2026-01-02,Fictional visit — «café»\r\n".encode()
    upload = ChronologyUpload.objects.create(
        review=entry.review,
        agency=entry.agency,
        file=SimpleUploadedFile("chronology.csv", csv),
        file_name="chronology.csv",
        file_kind="csv",
        size_bytes=len(csv),
        content_hash=hashlib.sha256(csv).hexdigest(),
        rows_in_file=1,
        rows_added=1,
        uploaded_by=user,
    )
    ChronologyEntry.objects.filter(pk=entry.pk).update(upload=upload)
    proposed = ProposedPerson.objects.create(
        review=entry.review, pseudonym="Neighbour", agency=entry.agency, proposed_by=user
    )
    entry.proposed_people.add(proposed)


def _orm_rows(table, using):
    """A table through the ORM (each field's own conversion), in primary key order."""
    names = [f.attname for f in table.fields]
    return list(table.model._base_manager.using(using).order_by("pk").values_list(*names))


def _without_drill_events(rows, table, actions):
    if table.model is not AuditEvent:
        return rows
    action = [f.attname for f in table.fields].index("action")
    return [row for row in rows if row[action] not in actions]


def _assert_identities_restored_encrypted() -> None:
    """Real identities come back as the same ciphertext (never decrypted on the way), and the
    same identity keys read them: the restored names and dates equal the originals."""
    assert ReferralIdentity.objects.exists() and PersonIdentity.objects.exists()
    checked = set()
    for model, names in encrypted_fields():
        tokens = {f"{name}_stored": StoredToken(name) for name in names}  # columns as they are
        stored = list(model.objects.annotate(**tokens).order_by("pk").values_list(*tokens))
        restored = model.objects.using(DRILL).annotate(**tokens).order_by("pk")
        assert list(restored.values_list(*tokens)) == stored, model._meta.label
        decrypted = list(model.objects.order_by("pk").values_list(*names))
        again = list(model.objects.using(DRILL).order_by("pk").values_list(*names))
        assert again == decrypted, f"{model._meta.label} reads differently after the restore"
        plain = {str(value) for row in decrypted for value in row if value}
        ciphertext = {value for row in stored for value in row if value}
        assert plain and not plain & ciphertext, f"{model._meta.label} is not stored encrypted"
        checked.add(model)
    assert {ReferralIdentity, PersonIdentity} <= checked


@pytest.mark.django_db(databases=["default", DRILL])
def test_restore_drill_brings_back_every_table_and_every_file(
    tmp_path, backup_key, sample_pdf, capsys
):
    call_command("load_demo", verbosity=0)
    _fill_tables_the_demo_leaves_empty(sample_pdf)
    backup_file = tmp_path / "drill.backup"
    restored_media = tmp_path / "restored-media"

    call_command("backup", output=str(backup_file))
    call_command("restore", str(backup_file), database=DRILL, media_root=str(restored_media))

    out = capsys.readouterr().out
    assert "Backed up" in out and "Restored" in out
    compared = 0
    for table in tables():
        source = _without_drill_events(_orm_rows(table, "default"), table, {"records.backup_made"})
        restored = _without_drill_events(
            _orm_rows(table, DRILL), table, {"records.backup_restored"}
        )
        assert restored == source, f"{table.name} differs after the restore"
        stored = table_rows(table, "default")
        if table.model is not AuditEvent:
            assert table_rows(table, DRILL) == stored, f"{table.name}: stored values differ"
        compared += bool(source)
    # The demo and the rows above fill most tables; the rest are compared empty.
    assert compared >= 72
    _assert_identities_restored_encrypted()
    restore_events = AuditEvent.objects.using(DRILL).filter(action="records.backup_restored")
    assert restore_events.count() == 1
    assert restore_events.get().payload["rows"] > 1_000

    # Every file, byte for byte.
    restored_storage = FileSystemStorage(location=str(restored_media))
    names = list(storage_files(default_storage))
    assert names == list(storage_files(restored_storage))
    assert any(name.startswith("review-documents/") for name in names)
    assert any(name.startswith("chronology-uploads/") for name in names)
    for name in names:
        with default_storage.open(name, "rb") as a, restored_storage.open(name, "rb") as b:
            assert a.read() == b.read(), name

    # Every table of the database is a model's table (compared above) or a derived one.
    model_tables = {t.name for t in tables()}
    for alias in ("default", DRILL):
        introspected = set(connections[alias].introspection.table_names())
        unknown = {
            name
            for name in introspected - model_tables - DERIVED_TABLES
            if not name.startswith(("library_search_", "sqlite_"))
        }
        assert not unknown, f"Tables neither backed up nor derived: {sorted(unknown)}"
    # The full-text index came back with the records (kept in step by triggers).
    with connections[DRILL].cursor() as cursor:
        if connections[DRILL].vendor == "sqlite":
            cursor.execute("INSERT INTO library_search(library_search) VALUES('integrity-check')")
        cursor.execute("SELECT COUNT(*) FROM library_search")
        (indexed,) = cursor.fetchone()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM library_search")
        assert cursor.fetchone() == (indexed,)

    # New rows get new ids after a restore (PostgreSQL sequences were reset).
    newest = User.objects.using(DRILL).order_by("-pk").first()
    added = User.objects.db_manager(DRILL).create_user("new@example.org", full_name="New")
    assert added.pk > newest.pk


@pytest.mark.django_db
def test_the_backup_keeps_stored_values_and_the_manifest_describes_every_part(
    tmp_path, backup_key, sample_pdf
):
    from safeguarding.records.backup import backup_check
    from safeguarding.records.backup_format import keys_parse

    user = User.objects.create_user("a@example.org", full_name="A Person")
    AuditEvent.objects.create(action="records.backup_made", actor=user, payload={"x": [1, None]})
    backup_file = tmp_path / "small.backup"
    call_command("backup", output=str(backup_file), stdout=io.StringIO())

    checked = backup_check(path=backup_file, keys=keys_parse(backup_key))
    manifest = checked.manifest
    assert manifest["format"] == "manage-safeguarding-reviews backup"
    assert manifest["database_vendor"] == connections["default"].vendor
    assert "audit.0001_initial" in manifest["migrations"]
    assert {t["table"] for t in manifest["tables"]} == {t.name for t in tables()}
    users = next(t for t in manifest["tables"] if t["table"] == "accounts_user")
    assert users["rows"] == 1
    assert users["columns"][0] == "id"
    assert all(len(entry["sha256"]) == 64 for entry in manifest["tables"] + manifest["media"])
    assert manifest["created_at"]
    assert manifest["app_version"] == "0.1.0"
