"""The full-text index and its triggers: SQLite FTS5 or a PostgreSQL tsvector table, chosen by
the database (``safeguarding.library.search_index``)."""

from django.db import migrations


def create(apps, schema_editor):
    from safeguarding.library.search_index import create_index, rebuild_index

    create_index(schema_editor.connection)
    if apps.get_model("library", "LibraryRecord").objects.exists():
        rebuild_index(vectors=False)


def drop(apps, schema_editor):
    from safeguarding.library.search_index import drop_index

    drop_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
