from django.db import migrations


def load(apps, schema_editor):
    from safeguarding.guidance.default_versions import load_default_versions

    load_default_versions(apps.get_model("guidance", "GuidanceVersion"))


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
