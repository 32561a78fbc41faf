from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0026_triage_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["recipient", "sent_on", "case"], name="notification_recipient_sent"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=[
                    "partnership",
                    "received_on",
                    "review_type",
                    "source_agency",
                    "referrer_organisation",
                ],
                name="referral_received_counts",
            ),
        ),
    ]
