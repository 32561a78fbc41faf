"""``python manage.py rotate_identity_keys``: re-encrypt every real identity with the first key.

The procedure (docs/security.md, "Identities at rest"): put the new key first in
IDENTITY_ENCRYPTION_KEYS, keep the old one after it, deploy; run this command; run it again with
``--check`` (it must report 0 values needing an older key); then remove the old key and deploy.

Every encrypted field of every model is rotated, in batches (``--batch-size``, 500 rows), each
batch one transaction. Values already under the first key are left alone, so the command can be
run again at any time (after an interruption it continues). The run is audited
(``identity.keys_rotated``) with its counts. A value that no configured key opens stops the run
with exit status 1 and names the model, field and row.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core import encryption
from safeguarding.referrals import services


class Command(BaseCommand):
    help = "Re-encrypt every real identity with the first key in IDENTITY_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows per transaction (default 500)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help=(
                "Write nothing: count the values that still need an older key (exit status 1 "
                "if there are any, so the old key must not be removed yet)"
            ),
        )

    def handle(self, *args, batch_size: int, check: bool, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        keys = len(settings.IDENTITY_ENCRYPTION_KEYS)
        started = time.monotonic()
        try:
            if check:
                counts = encryption.identity_keys_rotate(batch_size=batch_size, write=False)
            else:
                counts = services.identity_keys_rotate(batch_size=batch_size)
        except encryption.IdentityDecryptionError as error:
            raise CommandError(str(error)) from None
        seconds = time.monotonic() - started
        done = "to re-encrypt" if check else "re-encrypted"
        for label, rotated in counts.by_model.items():
            self.stdout.write(f"{label}: {rotated} value(s) {done}")
        if check:
            self.stdout.write(
                f"{counts.rotated} value(s) still need an older key; {counts.current} already "
                f"use the first of {keys} key(s) ({seconds:.1f} s)."
            )
            if counts.rotated:
                raise CommandError(
                    "Some values still need an older key: run rotate_identity_keys before "
                    "removing it"
                )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {counts.rotated} value(s) in {counts.rows_changed} row(s) with the "
                f"first of {keys} key(s); {counts.current} already used it ({seconds:.1f} s)."
            )
        )
