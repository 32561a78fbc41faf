from django.db import migrations


def load(apps, schema_editor):
    from safeguarding.clock.migrations._rules_before_versions import load_default_rules

    load_default_rules(apps.get_model("clock", "MilestoneRule"))


class Migration(migrations.Migration):
    dependencies = [("clock", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
