"""The restore drill: the demo (and a row in the tables it leaves empty) backed up with
`manage.py backup`, restored with `manage.py restore` into a second, empty database, then every
table compared row by row and every media file byte by byte.

Runs on SQLite in the normal suite and on PostgreSQL when DATABASE_URL is PostgreSQL (the second
database is the test settings' ``restore_drill`` alias: same server, its own database)."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from safeguarding.accounts.models import User
from safeguarding.audit.models import AuditEvent
from safeguarding.core.models import RateLimitHit
from safeguarding.digests.models import Subscriber
from safeguarding.records.backup import storage_files, table_rows, tables
from safeguarding.records.backup_format import key_new
from safeguarding.reviews.models import (
    DocumentVersion,
    FamilyContact,
    Meeting,
    Person,
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


def _orm_rows(table, using):
    """A table through the ORM (each field's own conversion), in primary key order."""
    names = [f.attname for f in table.fields]
    return list(table.model._base_manager.using(using).order_by("pk").values_list(*names))


def _without_drill_events(rows, table, actions):
    if table.model is not AuditEvent:
        return rows
    action = [f.attname for f in table.fields].index("action")
    return [row for row in rows if row[action] not in actions]


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
    assert compared >= 60
    restore_events = AuditEvent.objects.using(DRILL).filter(action="records.backup_restored")
    assert restore_events.count() == 1
    assert restore_events.get().payload["rows"] > 1_000

    # Every file, byte for byte.
    restored_storage = FileSystemStorage(location=str(restored_media))
    names = list(storage_files(default_storage))
    assert names == list(storage_files(restored_storage))
    assert any(name.startswith("review-documents/") for name in names)
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
