from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0009_theme_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["partnership", "status", "modified_at"], name="action_status_modified"
            ),
        ),
    ]
