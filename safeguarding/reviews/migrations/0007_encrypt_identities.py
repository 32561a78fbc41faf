"""Encrypt the real identity of each person in a case at rest (issue 12, item 6).

The same three steps as referrals 0004: plain text columns and a text column beside the date of
birth; every row encrypted in place with the first key in IDENTITY_ENCRYPTION_KEYS; the old date
column replaced and the fields made the encrypted field types. Reversible (decrypts).
"""

from django.db import migrations, models

import safeguarding.core.encryption

TEXT = ["full_name", "address", "other_identifiers"]
DATES = {"date_of_birth": "date_of_birth_encrypted"}


def encrypt(apps, schema_editor):
    model = apps.get_model("reviews", "PersonIdentity")
    safeguarding.core.encryption.migration_encrypt_rows(
        model, text=TEXT, dates=DATES, using=schema_editor.connection.alias
    )


def decrypt(apps, schema_editor):
    model = apps.get_model("reviews", "PersonIdentity")
    safeguarding.core.encryption.migration_decrypt_rows(
        model, text=TEXT, dates=DATES, using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_upload_path"),
    ]

    operations = [
        *[
            migrations.AlterField(
                model_name="personidentity", name=name, field=models.TextField(blank=True)
            )
            for name in TEXT
        ],
        migrations.AddField(
            model_name="personidentity",
            name="date_of_birth_encrypted",
            field=models.TextField(null=True, blank=True),
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.RemoveField(model_name="personidentity", name="date_of_birth"),
        migrations.RenameField(
            model_name="personidentity",
            old_name="date_of_birth_encrypted",
            new_name="date_of_birth",
        ),
        migrations.AlterField(
            model_name="personidentity",
            name="address",
            field=safeguarding.core.encryption.EncryptedTextField(blank=True, max_length=500),
        ),
        migrations.AlterField(
            model_name="personidentity",
            name="date_of_birth",
            field=safeguarding.core.encryption.EncryptedDateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="personidentity",
            name="full_name",
            field=safeguarding.core.encryption.EncryptedTextField(max_length=200),
        ),
        migrations.AlterField(
            model_name="personidentity",
            name="other_identifiers",
            field=safeguarding.core.encryption.EncryptedTextField(blank=True, max_length=200),
        ),
    ]
