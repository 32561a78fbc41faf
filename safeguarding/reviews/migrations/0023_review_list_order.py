from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0022_review_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["-started_on", "-id"], name="review_list_order"),
        ),
    ]
