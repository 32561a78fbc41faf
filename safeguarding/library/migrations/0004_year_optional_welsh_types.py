"""A record may have no year (many published reviews carry no date: "Year not known"), and the
Welsh review types have their own codes (issue 15). On SQLite altering ``year`` rebuilds the
record table, which drops the search index's triggers: they are put back at the end."""

from django.db import migrations, models


def restore_search_index(apps, schema_editor):
    from safeguarding.library.search_index import create_index

    create_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("library", "0003_default_terms")]

    operations = [
        migrations.AlterModelOptions(
            name="libraryrecord",
            options={
                "ordering": [
                    models.OrderBy(models.F("year"), descending=True, nulls_last=True),
                    "title",
                ]
            },
        ),
        migrations.AlterField(
            model_name="libraryrecord",
            name="review_type",
            field=models.CharField(
                choices=[
                    ("cspr", "Child safeguarding practice review"),
                    ("scr", "Serious case review"),
                    ("sar", "Safeguarding adults review"),
                    ("dhr", "Domestic homicide review"),
                    ("cpr", "Child practice review (Wales)"),
                    ("apr", "Adult practice review (Wales)"),
                    ("susr", "Single unified safeguarding review (Wales)"),
                    ("national", "National review"),
                    ("other", "Other review or thematic analysis"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="libraryrecord",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(restore_search_index, migrations.RunPython.noop),
    ]
