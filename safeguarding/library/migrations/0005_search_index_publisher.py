"""The publisher (the partnership or board, so its area's name) is searchable: the full-text
index gets a publisher column (SQLite FTS5) or the publisher in the weighted head (PostgreSQL),
so "Ceredigion neglect" finds that area's review (issue 15). The index, its triggers and its
contents are made again; the vectors are not touched."""

from django.db import migrations


def remake(apps, schema_editor):
    from safeguarding.library.search_index import create_index, drop_index, rebuild_index

    drop_index(schema_editor.connection)
    create_index(schema_editor.connection)
    if apps.get_model("library", "LibraryRecord").objects.exists():
        rebuild_index(vectors=False)


class Migration(migrations.Migration):
    dependencies = [("library", "0004_year_optional_welsh_types")]

    operations = [migrations.RunPython(remake, remake)]
