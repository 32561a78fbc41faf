"""Each case's closing day worked out from its history (records/closing.py, issue 16)."""

from django.db import migrations


def backfill(apps, schema_editor):
    # The app's own code, not the historical models: the closing day is the retention rules'
    # (retention.case_state), which read the models as they are now. Run once, on the schema
    # these migrations leave.
    from safeguarding.records.closing import refresh_every_case

    refresh_every_case()


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("referrals", "0024_case_closes_on"),
        ("reviews", "0019_agency_request_answered_in"),
        ("publication", "0007_partner_sign_off"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
