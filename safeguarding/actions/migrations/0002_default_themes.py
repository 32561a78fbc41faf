from django.db import migrations


def load(apps, schema_editor):
    from safeguarding.actions.default_themes import DEFAULT_THEMES

    Theme = apps.get_model("actions", "Theme")
    for facet, names in DEFAULT_THEMES.items():
        for name in names:
            Theme.objects.get_or_create(partnership=None, facet=facet, name=name)


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
