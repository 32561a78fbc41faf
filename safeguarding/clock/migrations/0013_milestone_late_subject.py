from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clock", "0012_milestone_overdue_subject"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="milestone",
            index=models.Index(
                fields=["status", "subject_type", "due_on", "subject_id"],
                name="milestone_late_subject",
            ),
        ),
    ]
