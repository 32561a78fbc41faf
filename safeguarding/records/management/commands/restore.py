"""Restore a backup made by ``manage.py backup`` into an empty, migrated database.

    manage.py restore FILE --check     # check the whole file and show what it holds; write nothing
    manage.py restore FILE             # restore (refused if the database holds data)
    manage.py restore FILE --force     # restore over existing data (says what it replaces)

The whole file is checked before anything is written: a file changed by one byte, cut short or
encrypted with another key is refused and nothing changes (docs/how-to/back-up-and-restore.md).
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError

from safeguarding.records.backup import backup_check, backup_restore
from safeguarding.records.backup_format import BackupError, keys_parse


def describe(checked) -> str:
    manifest = checked.manifest
    return (
        f"Backup made {manifest['created_at']} by version {manifest.get('app_version') or '?'} "
        f"(commit {manifest.get('git_commit') or 'unknown'}) from a "
        f"{manifest.get('database_vendor')} database: {len(manifest['tables'])} tables, "
        f"{checked.rows:,} rows, {len(manifest['media']):,} files "
        f"({checked.media_bytes:,} bytes); key id {checked.key_id}; SHA-256 of the file "
        f"{checked.file_sha256}."
    )


class Command(BaseCommand):
    help = (
        "Restore a backup (database and media files) into an empty, migrated database. "
        "Checks the whole file first; with --check, only checks it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--check",
            action="store_true",
            help="check the file and show what it holds, without restoring anything",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database that holds data: every table is emptied first",
        )
        parser.add_argument(
            "--database", default="default", help="the database alias (default: default)"
        )
        parser.add_argument(
            "--media-root",
            metavar="DIR",
            help="write the files into DIR instead of the media storage (for a restore drill)",
        )

    def handle(self, *args, file, check=False, force=False, database="default", **options):
        try:
            keys = keys_parse(settings.BACKUP_ENCRYPTION_KEY)
            if check:
                self.stdout.write(describe(backup_check(path=file, keys=keys)))
                self.stdout.write("The file is complete and every part matches its checksum.")
                return
            media_root = options.get("media_root")
            storage = FileSystemStorage(location=media_root) if media_root else None
            result = backup_restore(
                path=file, keys=keys, using=database, storage=storage, force=force
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(describe(result.checked))
        replaced = sum(result.replaced.tables.values())
        self.stdout.write(
            f"Restored {result.rows:,} rows and {result.files:,} files"
            + (f", replacing {replaced:,} rows." if replaced else ".")
        )
