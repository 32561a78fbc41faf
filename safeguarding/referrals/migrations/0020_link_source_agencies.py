"""Links each referral received before source agencies existed to the partnership's agency whose
normalised name is the organisation the referrer typed (issue 17); backwards, unlinks them all
(the field goes with 0018)."""

from django.db import migrations

from safeguarding.referrals.agency_match import matching_agency_id


def link(apps, schema_editor):
    Partnership = apps.get_model("accounts", "Partnership")
    Referral = apps.get_model("referrals", "Referral")
    for partnership in Partnership.objects.all():
        agencies = list(partnership.agencies.all())
        if not agencies:
            continue
        by_organisation: dict[str, int | None] = {}
        for organisation in (
            Referral.objects.filter(partnership=partnership, source_agency__isnull=True)
            .values_list("referrer_organisation", flat=True)
            .distinct()
        ):
            by_organisation[organisation] = matching_agency_id(organisation, agencies)
        for organisation, agency_id in by_organisation.items():
            if agency_id is not None:
                Referral.objects.filter(
                    partnership=partnership,
                    source_agency__isnull=True,
                    referrer_organisation=organisation,
                ).update(source_agency_id=agency_id)


def unlink(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.filter(source_agency__isnull=False).update(source_agency=None)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0019_referral_source_agency")]

    operations = [migrations.RunPython(link, unlink)]
