from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0010_action_status_modified"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["partnership", "agency", "target_date", "id"], name="action_agency_dated"
            ),
        ),
    ]
