"""Back up the whole service, database and media files, into one encrypted file.

    manage.py backup --output /srv/backups/reviews-2026-12-03.backup
    manage.py backup --new-key        # print a new key for BACKUP_ENCRYPTION_KEY

The key comes from BACKUP_ENCRYPTION_KEY (docs/how-to/back-up-and-restore.md). The file is
written beside its final name and renamed when complete, readable by its owner only.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguarding.records.backup import backup_recorded, backup_write
from safeguarding.records.backup_format import BackupError, key_new, keys_parse


class Command(BaseCommand):
    help = (
        "Back up every table and every media file into one file encrypted with "
        "BACKUP_ENCRYPTION_KEY, with a manifest of SHA-256 checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE", help="the backup file to write")
        parser.add_argument(
            "--force", action="store_true", help="overwrite FILE if it already exists"
        )
        parser.add_argument(
            "--database", default="default", help="the database alias (default: default)"
        )
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="print a new random key for BACKUP_ENCRYPTION_KEY and stop",
        )

    def handle(self, *args, output=None, force=False, database="default", new_key=False, **o):
        if new_key:
            self.stdout.write(key_new())
            return
        if not output:
            raise CommandError("Give the file to write: --output FILE")
        try:
            key = keys_parse(settings.BACKUP_ENCRYPTION_KEY)[0]
        except BackupError as error:
            raise CommandError(str(error)) from None
        target = Path(output)
        if target.exists() and not force:
            raise CommandError(f"{target} already exists: choose another name, or use --force")
        partial = target.with_name(target.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                result = backup_write(out=handle, key=key, using=database)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        backup_recorded(result=result, file_name=str(target))
        manifest = result.manifest
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({result.rows:,} rows) and "
            f"{result.files:,} files into {target} ({result.bytes:,} bytes).\n"
            f"SHA-256 of the file: {result.file_sha256}\n"
            f"Encrypted with key id {result.key_id}: keep that key to restore it."
        )
        missing = manifest["files_referenced_but_missing"]
        if missing:
            self.stderr.write(
                f"Warning: {len(missing)} file(s) named in the database are not in the media "
                f"storage, so they are not in the backup: {', '.join(missing[:10])}"
            )
