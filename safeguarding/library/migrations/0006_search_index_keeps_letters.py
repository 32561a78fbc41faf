"""PostgreSQL: the full-text index keeps every word, single letters included, so that a case
name ("Child A", "Siblings A and B") is searched as a phrase there as on SQLite (issue 15).
The ``english`` configuration drops stopwords, "a" and "i" among them; the index now uses
``library_english`` (the same Snowball stemmer with no stopword list; the query drops stopwords
itself). The index, its triggers and its contents are made again on PostgreSQL; SQLite's FTS5
index already keeps every word and is not touched, nor are the vectors."""

from django.db import migrations


def remake(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from safeguarding.library.search_index import create_index, drop_index, rebuild_index

    drop_index(schema_editor.connection)
    create_index(schema_editor.connection)
    if apps.get_model("library", "LibraryRecord").objects.exists():
        rebuild_index(vectors=False)


class Migration(migrations.Migration):
    dependencies = [("library", "0005_search_index_publisher")]

    operations = [migrations.RunPython(remake, migrations.RunPython.noop)]
