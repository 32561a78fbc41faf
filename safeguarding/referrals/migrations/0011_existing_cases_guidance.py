"""Record on every existing case the guidance versions it would have had (ADR 0018): for each
strand, the version in force by default on the day the partnership became aware (no
partnership had recorded an adoption before this migration). Existing milestones are left as
they are: the rules they ran agree in every figure between the versions (docs/rules.md
§versions)."""

from django.db import migrations


def load(apps, schema_editor):
    version_model = apps.get_model("guidance", "GuidanceVersion")
    case_model = apps.get_model("referrals", "Case")
    case_guidance = apps.get_model("referrals", "CaseGuidance")
    defaults = list(version_model.objects.filter(default_on=True))
    rows = []
    for case in case_model.objects.filter(guidance__isnull=True).only("pk", "became_aware_on"):
        chosen = {}
        for version in defaults:
            if version.effective_from > case.became_aware_on:
                continue
            if version.effective_to is not None and version.effective_to < case.became_aware_on:
                continue
            current = chosen.get(version.strand)
            if current is None or version.effective_from > current.effective_from:
                chosen[version.strand] = version
        rows += [
            case_guidance(
                case_id=case.pk,
                strand=strand,
                version=version,
                aware_on=case.became_aware_on,
                since=version.effective_from,
                adopted=False,
            )
            for strand, version in chosen.items()
        ]
    case_guidance.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0010_case_guidance"),
        ("guidance", "0002_default_versions"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
