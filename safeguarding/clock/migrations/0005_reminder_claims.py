"""One reminder engine (issue 11): the reminders already sent about milestones move into the one
claim table, ReminderClaim, so that none is sent again after the upgrade; then the old table goes.
Agency request and action reminders move in reviews 0005 and actions 0003."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

OLD = ("clock", "MilestoneReminder", "milestone_id")
SUBJECT = ("clock", "milestone")


def claims_from_reminders(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Old = apps.get_model(OLD[0], OLD[1])
    if not Old.objects.using(db).exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Claim = apps.get_model("clock", "ReminderClaim")
    subject_type, _ = ContentType.objects.using(db).get_or_create(
        app_label=SUBJECT[0], model=SUBJECT[1]
    )
    Claim.objects.using(db).bulk_create(
        (
            Claim(
                subject_type=subject_type,
                subject_id=getattr(old, OLD[2]),
                kind=old.kind,
                due_on=old.due_on,
                sent_to=old.sent_to[:254],
                claimed_at=old.sent_at,
            )
            for old in Old.objects.using(db).order_by("id").iterator()
        ),
        batch_size=500,
    )


def reminders_from_claims(apps, schema_editor):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Claim = apps.get_model("clock", "ReminderClaim")
    Old = apps.get_model(OLD[0], OLD[1])
    Old._meta.get_field("sent_at").auto_now_add = False  # keep the original times
    subject_type = (
        ContentType.objects.using(db).filter(app_label=SUBJECT[0], model=SUBJECT[1]).first()
    )
    if subject_type is None:
        return
    Old.objects.using(db).bulk_create(
        (
            Old(
                **{OLD[2]: claim.subject_id},
                kind=claim.kind,
                due_on=claim.due_on,
                sent_to=claim.sent_to,
                sent_at=claim.claimed_at,
            )
            for claim in Claim.objects.using(db).filter(subject_type=subject_type).order_by("id")
        ),
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clock", "0004_review_events"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReminderClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("subject_id", models.PositiveBigIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[("upcoming", "Due soon"), ("overdue", "Overdue")], max_length=10
                    ),
                ),
                ("due_on", models.DateField(help_text="The due date the reminder was about")),
                ("sent_to", models.CharField(max_length=254)),
                ("claimed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "subject_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="reminderclaim",
            constraint=models.UniqueConstraint(
                fields=("subject_type", "subject_id", "kind", "due_on"),
                name="reminder_claim_once_per_due_date",
            ),
        ),
        migrations.RunPython(claims_from_reminders, reminders_from_claims),
        migrations.DeleteModel(name="MilestoneReminder"),
    ]
