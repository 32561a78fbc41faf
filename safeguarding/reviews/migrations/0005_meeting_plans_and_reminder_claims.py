"""Agency request reminders already sent move into the clock's one claim table (ReminderClaim,
clock 0005), so none is sent again after the upgrade; then their own table goes. Meetings may be
planned ahead, with times and a place, and count the changes sent in calendar invitations."""

from django.db import migrations, models

OLD = ("reviews", "AgencyRequestReminder", "request_id")
SUBJECT = ("reviews", "agencyrequest")


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
        ("reviews", "0004_finding_created_at_finding_kind"),
        ("clock", "0005_reminder_claims"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="ends_at",
            field=models.TimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="meeting",
            name="location",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="meeting",
            name="sequence",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="meeting",
            name="starts_at",
            field=models.TimeField(blank=True, null=True),
        ),
        migrations.RunPython(claims_from_reminders, reminders_from_claims),
        migrations.DeleteModel(name="AgencyRequestReminder"),
    ]
