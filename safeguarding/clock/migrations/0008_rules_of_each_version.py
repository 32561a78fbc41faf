"""Every milestone rule belongs to a guidance version (ADR 0018): the rules already loaded are
attached to theirs (Working Together 2023 for the children's rules, which the service applied
until now, the Care Act guidance for adults, the 2016 DHR guidance), and the rule sets of the
other versions are added (Working Together 2018, the draft DHR guidance of 2024, the Home Office
told of a decision not to hold a DHR)."""

from django.db import migrations

# The version of a rule the defaults do not name (a rule added by hand), by review type.
VERSION_FOR_TYPE = {"cspr": "WT2023", "sar": "CA2014", "dhr": "DHR2016"}


def load(apps, schema_editor):
    from safeguarding.clock.default_rules import load_default_rules

    rule_model = apps.get_model("clock", "MilestoneRule")
    version_model = apps.get_model("guidance", "GuidanceVersion")
    load_default_rules(rule_model, version_model)
    versions = {v.code: v for v in version_model.objects.all()}
    for rule in rule_model.objects.filter(version__isnull=True):
        rule.version = versions[VERSION_FOR_TYPE[rule.review_type]]
        rule.save(update_fields=["version"])


class Migration(migrations.Migration):
    dependencies = [("clock", "0007_rule_versions"), ("guidance", "0002_default_versions")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
