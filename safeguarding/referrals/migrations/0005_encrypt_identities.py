"""Encrypt the real identity of each person referred at rest (issue 12, item 6).

1. The name and address columns become plain text columns (lossless on SQLite and PostgreSQL),
   and a text column is added beside the date of birth.
2. Every row is encrypted in place with the first key in IDENTITY_ENCRYPTION_KEYS; the date of
   birth goes, as encrypted ISO text, into the new column.
3. The old date column is dropped, the new one takes its name, and the fields become the
   encrypted field types (no change to the columns).

Reversible: backwards, the rows are decrypted into plain columns again. Afterwards the old
plaintext may remain in free space of the database file until it is vacuumed (docs/security.md,
"Identities at rest").
"""

from django.db import migrations, models

import safeguarding.core.encryption

TEXT = ["first_name", "last_name", "other_names", "address"]
DATES = {"date_of_birth": "date_of_birth_encrypted"}


def encrypt(apps, schema_editor):
    model = apps.get_model("referrals", "ReferralIdentity")
    safeguarding.core.encryption.migration_encrypt_rows(
        model, text=TEXT, dates=DATES, using=schema_editor.connection.alias
    )


def decrypt(apps, schema_editor):
    model = apps.get_model("referrals", "ReferralIdentity")
    safeguarding.core.encryption.migration_decrypt_rows(
        model, text=TEXT, dates=DATES, using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_rate_limit_counted_in_core"),
    ]

    operations = [
        *[
            migrations.AlterField(
                model_name="referralidentity", name=name, field=models.TextField(blank=True)
            )
            for name in TEXT
        ],
        migrations.AddField(
            model_name="referralidentity",
            name="date_of_birth_encrypted",
            field=models.TextField(null=True, blank=True),
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.RemoveField(model_name="referralidentity", name="date_of_birth"),
        migrations.RenameField(
            model_name="referralidentity",
            old_name="date_of_birth_encrypted",
            new_name="date_of_birth",
        ),
        migrations.AlterField(
            model_name="referralidentity",
            name="address",
            field=safeguarding.core.encryption.EncryptedTextField(blank=True, max_length=500),
        ),
        migrations.AlterField(
            model_name="referralidentity",
            name="date_of_birth",
            field=safeguarding.core.encryption.EncryptedDateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="referralidentity",
            name="first_name",
            field=safeguarding.core.encryption.EncryptedTextField(max_length=100),
        ),
        migrations.AlterField(
            model_name="referralidentity",
            name="last_name",
            field=safeguarding.core.encryption.EncryptedTextField(max_length=100),
        ),
        migrations.AlterField(
            model_name="referralidentity",
            name="other_names",
            field=safeguarding.core.encryption.EncryptedTextField(blank=True, max_length=200),
        ),
    ]
