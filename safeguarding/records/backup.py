"""Backing up and restoring the whole service: every table of every installed app and every
file in the media storage, in one encrypted file (``backup_format.py``;
docs/how-to/back-up-and-restore.md).

What is backed up is found, never listed: every concrete model Django knows (many-to-many tables
included), so a table added by a later change is backed up without touching this module.

Each column is kept as the database stores it, in a form that does not depend on the database:
the value the backend reads (its own converters applied: dates, booleans, UUIDs), but not the
field's ``from_db_value``. A field that encrypts (identities) is therefore backed up as the
ciphertext it holds, and restoring it needs the same identity keys. A restore writes the values
back the same way (the Django field's ``get_db_prep_value`` with ``prepared=True``: the database's
form, without the field's own ``get_prep_value``), with plain ``INSERT`` statements: no model
``save()``, no signals, and the append-only audit table is only ever inserted into.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import os
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_microseconds

from safeguarding.accounts.models import Partnership, User
from safeguarding.audit.models import AuditEvent
from safeguarding.audit.services import audit_record

from .backup_format import (
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    Part,
    PartReader,
    PartWriter,
    key_id,
)

FORMAT_NAME = "manage-safeguarding-reviews backup"
FORMAT_VERSION = 1
TABLE_PREFIX = "database/"
MEDIA_PREFIX = "media/"
READ_ROWS = 1_000
INSERT_ROWS = 500


class RestoreRefused(BackupError):
    """The backup is sound, but restoring it here would overwrite data (without ``--force``) or
    the database is not at the backup's migration state."""


# The tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    fields: tuple[models.Field, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]

    @property
    def part(self) -> str:
        return TABLE_PREFIX + self.name


def tables() -> list[Table]:
    """Every table Django manages, by name: each concrete model of each installed app, the
    automatic many-to-many tables included, proxies and swapped-out models left out."""
    found: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped:
            continue
        found.setdefault(meta.db_table, Table(model, tuple(meta.local_concrete_fields)))
    return [found[name] for name in sorted(found)]


def _django_field_class(field: models.Field) -> type[models.Field]:
    """The Django field class a field is built on (a project field such as an encrypted or a
    lower-case one is handled as the Django field it extends)."""
    for cls in type(field).__mro__:
        if cls.__module__.startswith("django."):
            return cls
    return models.Field


def _value_field(field: models.Field) -> models.Field:
    """The field that gives a column its type: a foreign key's column is its target's."""
    while isinstance(field, models.ForeignKey):
        field = field.target_field
    return field


def _encode(value):
    """A column's value (as the backend reads it) as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.timedelta):
        return duration_microseconds(value)
    raise TypeError(f"Cannot back up a value of type {type(value).__name__}")


def _decoder(field: models.Field):
    kind = _value_field(field).get_internal_type()
    return {
        "DateTimeField": datetime.datetime.fromisoformat,
        "DateField": datetime.date.fromisoformat,
        "TimeField": datetime.time.fromisoformat,
        "DecimalField": Decimal,
        "UUIDField": uuid.UUID,
        "BinaryField": base64.b64decode,
        "DurationField": lambda v: datetime.timedelta(microseconds=v),
        "JSONField": json.loads,  # the stored JSON text
    }.get(kind)


def _preparer(field: models.Field, connection):
    """A function from a decoded value to the parameter the database stores, through the
    Django field class with ``prepared=True`` (never the project field's own preparation)."""
    django_class = _django_field_class(field)
    decode = _decoder(field)

    def prepare(value):
        if value is None:
            return None
        if decode is not None:
            value = decode(value)
        return django_class.get_db_prep_value(field, value, connection, prepared=True)

    return prepare


def _rows(table: Table, using: str) -> Iterator[list]:
    """Every row of a table in primary key order, each column as the backend reads it."""
    connection = connections[using]
    quote = connection.ops.quote_name
    converters = [connection.ops.get_db_converters(f.get_col(table.name)) for f in table.fields]
    cols = [f.get_col(table.name) for f in table.fields]
    pk = table.model._meta.pk
    sql = (
        f"SELECT {', '.join(quote(c) for c in table.columns)} FROM {quote(table.name)} "  # noqa: S608
        f"ORDER BY {quote(pk.column)}"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(READ_ROWS):
            for raw in batch:
                row = []
                for value, column_converters, col in zip(raw, converters, cols, strict=True):
                    for convert in column_converters:
                        value = convert(value, col, connection)
                    row.append(_encode(value))
                yield row


def table_rows(table: Table, using: str = "default") -> list[list]:
    """A table's rows as a backup holds them (for the restore drill's comparison)."""
    return list(_rows(table, using))


# The files -------------------------------------------------------------------------------------


def _file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    return [
        (model, f)
        for model in apps.get_models()
        for f in model._meta.local_concrete_fields
        if isinstance(f, models.FileField)
    ]


def storage_files(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in a storage, sorted, walking its folders."""
    folders, files = storage.listdir(directory)
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for folder in sorted(folders):
        yield from storage_files(storage, f"{directory}/{folder}" if directory else folder)


def _referenced_files(using: str) -> set[str]:
    names: set[str] = set()
    for model, f in _file_fields():
        values = model._base_manager.using(using).exclude(**{f.attname: ""})
        names.update(n for n in values.values_list(f.attname, flat=True) if n)
    return names


# Versions ---------------------------------------------------------------------------------------


def app_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""


def git_commit() -> str:
    """The commit the service runs from: GIT_COMMIT if the deployment sets it, else git's."""
    if commit := os.environ.get("GIT_COMMIT", "").strip():
        return commit
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def applied_migrations(using: str) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


# Backing up -------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    manifest: dict
    file_sha256: str
    bytes: int
    key_id: str

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"])

    @property
    def files(self) -> int:
        return len(self.manifest["media"])


def _check_storages(storage: Storage) -> None:
    for model, f in _file_fields():
        if f.storage is not default_storage and f.storage is not storage:
            raise BackupError(
                f"{model._meta.label}.{f.name} keeps its files in another storage than the "
                "media storage: the backup covers the media storage only"
            )


def _snapshot(using: str) -> None:
    """On PostgreSQL, read every table from one snapshot (REPEATABLE READ, read only). Inside
    an outer transaction (the tests) the snapshot is that transaction's. SQLite's transaction
    holds the database's lock, so every table is read as of one moment there too."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def backup_write(
    *, out: BinaryIO, key: bytes, using: str = "default", storage: Storage | None = None
) -> BackupResult:
    """Write a backup of the database ``using`` and of ``storage`` (the media storage) to
    ``out``. Tables first, from one snapshot; then the files; then the manifest."""
    storage = storage or default_storage
    _check_storages(storage)
    writer = EncryptingWriter(out, key)
    parts = PartWriter(writer)
    connection = connections[using]
    table_entries = []
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost:
            _snapshot(using)
        migrations = applied_migrations(using)
        for table in tables():
            parts.begin(table.part, "table")
            rows = 0
            lines: list[bytes] = []
            for row in _rows(table, using):
                lines.append(json.dumps(row, separators=(",", ":")).encode() + b"\n")
                rows += 1
                if len(lines) >= READ_ROWS:
                    parts.write(b"".join(lines))
                    lines = []
            if lines:
                parts.write(b"".join(lines))
            sha256, size = parts.end()
            table_entries.append(
                {
                    "part": table.part,
                    "table": table.name,
                    "model": table.label,
                    "columns": table.columns,
                    "rows": rows,
                    "sha256": sha256,
                    "bytes": size,
                }
            )
        referenced = _referenced_files(using)
    media_entries = []
    for name in storage_files(storage):
        part = MEDIA_PREFIX + name
        parts.begin(part, "media")
        with storage.open(name, "rb") as handle:
            while block := handle.read(1024 * 1024):
                parts.write(block)
        sha256, size = parts.end()
        media_entries.append({"part": part, "name": name, "sha256": sha256, "bytes": size})
    present = {entry["name"] for entry in media_entries}
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "app_version": app_version(),
        "git_commit": git_commit(),
        "database_vendor": connection.vendor,
        "migrations": migrations,
        "tables": table_entries,
        "media": media_entries,
        "files_referenced_but_missing": sorted(referenced - present),
    }
    parts.manifest(manifest)
    writer.close()
    return BackupResult(
        manifest=manifest,
        file_sha256=writer.file_sha256.hexdigest(),
        bytes=writer.bytes_written,
        key_id=key_id(key),
    )


def backup_recorded(*, result: BackupResult, file_name: str) -> None:
    """The audit event of a backup, once the file is complete (it is not in the backup)."""
    with transaction.atomic():
        audit_record(
            action="records.backup_made",
            actor_label="manage.py backup",
            payload={
                "file": Path(file_name).name[:200],
                "file_sha256": result.file_sha256,
                "bytes": result.bytes,
                "key_id": result.key_id,
                "tables": len(result.manifest["tables"]),
                "rows": result.rows,
                "files": result.files,
                "missing_files": len(result.manifest["files_referenced_but_missing"]),
            },
        )


# Checking ---------------------------------------------------------------------------------------


@dataclass
class CheckedBackup:
    manifest: dict
    file_sha256: str
    key_id: str

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"])

    @property
    def media_bytes(self) -> int:
        return sum(m["bytes"] for m in self.manifest["media"])


def _open(path: str | Path, keys: list[bytes]) -> tuple[BinaryIO, DecryptingReader]:
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 - closed by the caller
    except OSError as error:
        raise BackupError(f"Cannot open {path}: {error.strerror}") from None
    try:
        return handle, DecryptingReader(handle, keys)
    except BackupError:
        handle.close()
        raise


def _manifest_entries(manifest: dict) -> dict[str, dict]:
    entries = {}
    for entry in [*manifest.get("tables", []), *manifest.get("media", [])]:
        if entry["part"] in entries:
            raise BackupError(f"The backup's manifest lists {entry['part']} twice")
        entries[entry["part"]] = entry
    return entries


def backup_check(*, path: str | Path, keys: list[bytes]) -> CheckedBackup:
    """Read the whole file: every chunk's check, every part against its SHA-256, size and row
    count in the manifest. Writes nothing; raises BackupError if anything does not match."""
    handle, reader = _open(path, keys)
    with handle:
        parts = PartReader(reader)
        seen: dict[str, tuple[str, int, int]] = {}
        for part in parts.parts():
            rows = sum(chunk.count(b"\n") for chunk in part.chunks())
            if part.name in seen:
                raise BackupError(f"The backup holds {part.name} twice")
            seen[part.name] = (part.sha256, part.bytes, rows)
        manifest = parts.manifest or {}
    if manifest.get("format") != FORMAT_NAME:
        raise BackupError("The backup's manifest is not one of this service")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"The backup's manifest is version {manifest.get('format_version')}; this version "
            f"of the service reads version {FORMAT_VERSION}"
        )
    entries = _manifest_entries(manifest)
    if set(entries) != set(seen):
        missing = sorted(set(entries) - set(seen))[:5]
        extra = sorted(set(seen) - set(entries))[:5]
        raise BackupError(
            f"The backup's parts do not match its manifest (missing: {missing}, not listed: "
            f"{extra})"
        )
    for name, (sha256, size, rows) in seen.items():
        entry = entries[name]
        if entry["sha256"] != sha256 or entry["bytes"] != size:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest")
        if name.startswith(TABLE_PREFIX) and entry["rows"] != rows:
            raise BackupError(f"{name} does not have the number of rows in the manifest")
    return CheckedBackup(manifest, reader.file_sha256.hexdigest(), reader.key_id)


# Restoring --------------------------------------------------------------------------------------


@dataclass
class ExistingData:
    """What a database and a storage hold before a restore."""

    tables: dict[str, int] = field(default_factory=dict)  # table -> rows, non-empty only
    users: int = 0
    partnerships: int = 0
    audit_events: int = 0
    files: int = 0

    @property
    def holds_data(self) -> bool:
        """A database that holds a user, a partnership or an audit event, or a storage that
        holds a file, is not empty. ``migrate`` writes content types, permissions and the
        default rules, themes and terms: those alone do not count (they are replaced too)."""
        return bool(self.users or self.partnerships or self.audit_events or self.files)

    def description(self) -> str:
        lines = [
            f"This database holds {self.users:,} user account(s), {self.partnerships:,} "
            f"partnership(s) and {self.audit_events:,} audit event(s), and the media storage "
            f"holds {self.files:,} file(s).",
            "Restoring empties every table below and writes the backup's rows instead; files "
            "with the same names as the backup's are replaced, other files are left as they are:",
        ]
        lines += [f"  {name}: {rows:,} row(s)" for name, rows in sorted(self.tables.items())]
        return "\n".join(lines)


def existing_data(*, using: str, storage: Storage) -> ExistingData:
    found = ExistingData()
    for table in tables():
        rows = table.model._base_manager.using(using).count()
        if rows:
            found.tables[table.name] = rows
    found.users = User.objects.using(using).count()
    found.partnerships = Partnership.objects.using(using).count()
    found.audit_events = AuditEvent.objects.using(using).count()
    found.files = sum(1 for _ in storage_files(storage)) if _storage_exists(storage) else 0
    return found


def _storage_exists(storage: Storage) -> bool:
    try:
        storage.listdir("")
    except FileNotFoundError:
        return False
    return True


def restore_problems(*, checked: CheckedBackup, using: str) -> list[str]:
    """Why the backup cannot be restored into this database as it is (empty: it can)."""
    here = set(applied_migrations(using))
    there = set(checked.manifest["migrations"])
    if not here:
        return ["This database has no tables yet: run `manage.py migrate` first."]
    problems = []
    if here != there:
        only_backup = sorted(there - here)
        only_here = sorted(here - there)
        problems.append(
            "The backup was made at another migration state than this database's. "
            f"In the backup only: {', '.join(only_backup[:10]) or 'none'}"
            f"{' …' if len(only_backup) > 10 else ''}. "
            f"In this database only: {', '.join(only_here[:10]) or 'none'}"
            f"{' …' if len(only_here) > 10 else ''}. "
            "Restore with the version of the service that made the backup "
            f"({checked.manifest.get('app_version') or 'unknown version'}, commit "
            f"{checked.manifest.get('git_commit') or 'unknown'}), migrated with `manage.py "
            "migrate`."
        )
        return problems
    current = {t.name: t for t in tables()}
    listed = {entry["table"]: entry for entry in checked.manifest["tables"]}
    for name in sorted(set(current) | set(listed)):
        if name not in current:
            problems.append(f"The backup holds table {name}, which this version does not have")
        elif name not in listed:
            problems.append(f"This version has table {name}, which the backup does not hold")
        elif current[name].columns != listed[name]["columns"]:
            problems.append(f"Table {name} has other columns here than in the backup")
    return problems


class _PartStream(io.RawIOBase):
    """A part's bytes as a file that can be read once (for ``Storage.save``)."""

    def __init__(self, part: Part) -> None:
        self._chunks = part.chunks()
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


@dataclass
class RestoreResult:
    checked: CheckedBackup
    rows: int
    files: int
    replaced: ExistingData


def _insert_rows(table: Table, part: Part, using: str) -> int:
    connection = connections[using]
    quote = connection.ops.quote_name
    prepare = [_preparer(f, connection) for f in table.fields]
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in table.columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(table.columns))})"
    )
    count = 0
    pending = b""
    batch: list[list] = []
    with connection.cursor() as cursor:
        # Emptied with every table before the restore began, a table may hold rows a database
        # trigger wrote as an earlier table was restored (the timeliness years kept for the
        # milestones, reports/0002, ADR 0027): the backup's own rows replace them.
        cursor.execute(f"DELETE FROM {quote(table.name)}")  # noqa: S608
        for chunk in part.chunks():
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                values = json.loads(line)
                batch.append([p(v) for p, v in zip(prepare, values, strict=True)])
                if len(batch) >= INSERT_ROWS:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
        if pending:
            raise BackupError(f"{part.name} does not end with a whole row")
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _write_file(storage: Storage, name: str, part: Part, size: int, replace: bool) -> None:
    if storage.exists(name):
        if not replace:
            raise RestoreRefused(f"The media storage already holds {name}")
        storage.delete(name)
    content = File(io.BufferedReader(_PartStream(part)), name=name)
    content.size = size
    saved = storage.save(name, content)
    if saved != name:
        storage.delete(saved)
        raise BackupError(f"The media storage saved {name} as {saved}")


def backup_restore(
    *,
    path: str | Path,
    keys: list[bytes],
    using: str = "default",
    storage: Storage | None = None,
    force: bool = False,
) -> RestoreResult:
    """Restore a backup into the database ``using`` and ``storage`` (the media storage).

    First the whole file is checked (``backup_check``): nothing is written unless every chunk
    and every part is sound. The database must be at the backup's migration state, and must
    hold no data unless ``force`` (then every table is emptied first). Then, in one transaction:
    every table emptied, every row inserted, the sequences reset (PostgreSQL), the foreign keys
    checked, one audit event written; the files are written into the storage as they come, and
    removed again if anything fails before the commit.
    """
    storage = storage or default_storage
    checked = backup_check(path=path, keys=keys)
    problems = restore_problems(checked=checked, using=using)
    if problems:
        raise RestoreRefused("\n".join(problems))
    before = existing_data(using=using, storage=storage)
    if before.holds_data and not force:
        raise RestoreRefused(
            before.description() + "\nNothing was changed. Run again with --force to overwrite."
        )
    by_part = {t.part: t for t in tables()}
    entries = _manifest_entries(checked.manifest)
    connection = connections[using]
    written: list[str] = []
    rows = 0
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                for table in by_part.values():
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table.name)}")  # noqa: S608
            handle, reader = _open(path, keys)
            with handle:
                for part in PartReader(reader).parts():
                    entry = entries.get(part.name)
                    if entry is None:
                        raise BackupError(f"{part.name} is not in the manifest")
                    if part.name.startswith(TABLE_PREFIX):
                        rows += _insert_rows(by_part[part.name], part, using)
                    else:
                        _write_file(storage, entry["name"], part, entry["bytes"], force)
                        written.append(entry["name"])
                    if (part.sha256, part.bytes) != (entry["sha256"], entry["bytes"]):
                        raise BackupError(f"{part.name} changed while it was being restored")
            if reader.file_sha256.hexdigest() != checked.file_sha256:
                raise BackupError("The backup file changed while it was being restored")
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [t.model for t in by_part.values()]
                ):
                    cursor.execute(sql)
            connection.check_constraints()
            ContentType.objects.clear_cache()
            audit_record(
                action="records.backup_restored",
                actor_label="manage.py restore",
                using=using,
                payload={
                    "file_sha256": checked.file_sha256,
                    "key_id": checked.key_id,
                    "backup_created_at": checked.manifest["created_at"],
                    "backup_app_version": checked.manifest.get("app_version", ""),
                    "backup_git_commit": checked.manifest.get("git_commit", ""),
                    "backup_database_vendor": checked.manifest.get("database_vendor", ""),
                    "rows": rows,
                    "files": len(written),
                    "forced": force,
                    "rows_replaced": sum(before.tables.values()),
                },
            )
    except BaseException:
        for name in written:
            storage.delete(name)
        ContentType.objects.clear_cache()
        raise
    return RestoreResult(checked=checked, rows=rows, files=len(written), replaced=before)
