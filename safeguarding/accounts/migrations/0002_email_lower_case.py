"""Email addresses are kept in lower case (they are not case-sensitive at sign-in): the field
type that lowers them, and the addresses already stored, lowered. The unique constraint on
lower(email) (0001) means no two addresses can become one."""

from django.db import migrations
from django.db.models.functions import Lower

import safeguarding.accounts.models


def lower_existing_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.exclude(email=Lower("email")).update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        # The column does not change (still varchar(254) unique): only Django's idea of it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="user",
                    name="email",
                    field=safeguarding.accounts.models.LowerCaseEmailField(
                        max_length=254, unique=True
                    ),
                ),
            ]
        ),
        migrations.RunPython(lower_existing_emails, migrations.RunPython.noop),
    ]
