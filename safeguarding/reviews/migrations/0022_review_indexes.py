from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0021_chronology_months"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["case", "archived_at"], name="review_case_archived"),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["partnership", "-started_on", "-id"], name="review_newest"),
        ),
    ]
