"""What `manage.py restore` refuses, and that a refusal changes nothing: a wrong key, a file
changed by one byte or cut short, a database that holds data (without --force), a database at
another migration state."""

import io
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from safeguarding.accounts.models import User
from safeguarding.audit.models import AuditEvent
from safeguarding.records.backup_format import HEADER_BYTES, key_new

DRILL = "restore_drill"


@pytest.fixture
def backup_key(settings):
    settings.BACKUP_ENCRYPTION_KEY = key_new()
    return settings.BACKUP_ENCRYPTION_KEY


@pytest.fixture
def backup_file(tmp_path, backup_key, db):
    User.objects.create_user("kept@example.org", full_name="Kept Person")
    path = tmp_path / "small.backup"
    call_command("backup", output=str(path), stdout=io.StringIO())
    return path


def _drill_unchanged(media: Path) -> None:
    assert not User.objects.using(DRILL).exists()
    assert not AuditEvent.objects.using(DRILL).exists()
    assert not media.exists() or not any(media.rglob("*"))


def _restore(path, media, **options):
    call_command(
        "restore",
        str(path),
        database=DRILL,
        media_root=str(media),
        stdout=io.StringIO(),
        **options,
    )


@pytest.mark.django_db(databases=["default", DRILL])
def test_a_backup_made_with_another_key_is_refused_and_nothing_changes(
    backup_file, tmp_path, settings
):
    settings.BACKUP_ENCRYPTION_KEY = key_new()
    media = tmp_path / "media"
    with pytest.raises(CommandError, match="encrypted with another key"):
        _restore(backup_file, media)
    _drill_unchanged(media)


@pytest.mark.django_db(databases=["default", DRILL])
def test_an_older_key_listed_after_the_new_one_still_reads_the_backup(
    backup_file, backup_key, tmp_path, settings
):
    settings.BACKUP_ENCRYPTION_KEY = f"{key_new()},{backup_key}"
    _restore(backup_file, tmp_path / "media")
    assert User.objects.using(DRILL).filter(email="kept@example.org").exists()


@pytest.mark.django_db(databases=["default", DRILL])
@pytest.mark.parametrize("where", ["header", "first chunk", "last byte"])
def test_a_backup_changed_by_one_byte_is_refused_and_nothing_changes(backup_file, tmp_path, where):
    data = bytearray(backup_file.read_bytes())
    offset = {"header": 12, "first chunk": HEADER_BYTES + 40, "last byte": len(data) - 1}[where]
    data[offset] ^= 0x01
    backup_file.write_bytes(bytes(data))
    media = tmp_path / "media"
    with pytest.raises(CommandError, match=r"another key|changed or damaged|not a backup"):
        _restore(backup_file, media)
    _drill_unchanged(media)


@pytest.mark.django_db(databases=["default", DRILL])
def test_a_backup_cut_short_is_refused_and_nothing_changes(backup_file, tmp_path):
    data = backup_file.read_bytes()
    backup_file.write_bytes(data[: len(data) - 100])
    media = tmp_path / "media"
    with pytest.raises(CommandError, match="incomplete"):
        _restore(backup_file, media)
    _drill_unchanged(media)


@pytest.mark.django_db(databases=["default", DRILL])
def test_a_backup_with_bytes_added_at_the_end_is_refused(backup_file, tmp_path):
    backup_file.write_bytes(backup_file.read_bytes() + b"extra")
    with pytest.raises(CommandError, match="after its last chunk"):
        _restore(backup_file, tmp_path / "media")


@pytest.mark.django_db(databases=["default", DRILL])
def test_restore_refuses_a_database_that_holds_data_and_says_what_it_would_overwrite(
    backup_file, tmp_path
):
    User.objects.create_user("added.after@example.org", full_name="Added After")
    with pytest.raises(CommandError) as refused:
        call_command(
            "restore",
            str(backup_file),
            media_root=str(tmp_path / "media"),
            stdout=io.StringIO(),
        )
    message = str(refused.value)
    assert "2 user account(s)" in message
    assert "accounts_user: 2 row(s)" in message
    assert "--force" in message and "Nothing was changed" in message
    assert User.objects.count() == 2


@pytest.mark.django_db(databases=["default", DRILL])
def test_force_replaces_what_the_database_holds_with_the_backup(backup_file, tmp_path):
    User.objects.create_user("added.after@example.org", full_name="Added After")
    out = io.StringIO()
    call_command(
        "restore",
        str(backup_file),
        force=True,
        media_root=str(tmp_path / "media"),
        stdout=out,
    )
    assert list(User.objects.values_list("email", flat=True)) == ["kept@example.org"]
    assert "replacing" in out.getvalue()
    event = AuditEvent.objects.get(action="records.backup_restored")
    assert event.payload["forced"] is True
    assert event.payload["rows_replaced"] > 0


@pytest.mark.django_db(databases=["default", DRILL])
def test_restore_refuses_a_database_at_another_migration_state(backup_file, tmp_path):
    MigrationRecorder(connections[DRILL]).record_applied("records", "9999_not_in_the_backup")
    media = tmp_path / "media"
    with pytest.raises(CommandError, match=r"another migration state.*9999_not_in_the_backup"):
        _restore(backup_file, media)
    _drill_unchanged(media)


@pytest.mark.django_db(databases=["default", DRILL])
def test_check_reads_the_whole_file_and_writes_nothing(backup_file, tmp_path):
    out = io.StringIO()
    call_command("restore", str(backup_file), check=True, database=DRILL, stdout=out)
    assert "every part matches its checksum" in out.getvalue()
    assert "key id" in out.getvalue()
    _drill_unchanged(tmp_path / "media")


@pytest.mark.django_db
def test_backup_needs_a_key_and_names_the_way_to_make_one(tmp_path, settings):
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="backup --new-key"):
        call_command("backup", output=str(tmp_path / "b.backup"))
    settings.BACKUP_ENCRYPTION_KEY = "too-short"
    with pytest.raises(CommandError, match="32 bytes"):
        call_command("backup", output=str(tmp_path / "b.backup"))
    assert not list(tmp_path.iterdir())


def test_a_malformed_key_fails_the_start_up_checks(settings):
    settings.BACKUP_ENCRYPTION_KEY = "not a key"
    assert "records.E001" in [e.id for e in run_checks()]
    settings.BACKUP_ENCRYPTION_KEY = key_new()
    assert "records.E001" not in [e.id for e in run_checks()]


@pytest.mark.django_db
def test_backup_does_not_overwrite_a_file_unless_told(backup_file):
    before = backup_file.read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=str(backup_file))
    assert backup_file.read_bytes() == before
    call_command("backup", output=str(backup_file), force=True, stdout=io.StringIO())
    assert backup_file.read_bytes() != before  # a new salt and new nonces


@pytest.mark.django_db
def test_the_backup_file_is_readable_by_its_owner_only_and_its_making_is_audited(backup_file):
    assert backup_file.stat().st_mode & 0o077 == 0
    event = AuditEvent.objects.get(action="records.backup_made")
    assert event.payload["file"] == backup_file.name
    assert len(event.payload["file_sha256"]) == 64
    assert not list(backup_file.parent.glob("*.partial"))


def test_new_key_prints_a_key_the_backup_accepts():
    from safeguarding.records.backup_format import keys_parse

    out = io.StringIO()
    call_command("backup", new_key=True, stdout=out)
    assert len(keys_parse(out.getvalue().strip())) == 1
