"""More shared abbreviations (issue 15: IDVA, NRM, DNACPR, s136, SGO …, see default_terms.py).

A new database gets every shared term from 0003; this adds to an existing one the shared terms
it does not have yet. The shared terms it has are left as they are."""

from django.db import migrations


def load(apps, schema_editor):
    from safeguarding.library.default_terms import DEFAULT_TERMS

    SearchTerm = apps.get_model("library", "SearchTerm")
    have = set(SearchTerm.objects.filter(partnership=None).values_list("term", flat=True))
    SearchTerm.objects.bulk_create(
        [
            SearchTerm(partnership=None, term=term, expansion=expansion)
            for term, expansion in DEFAULT_TERMS.items()
            if term not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("library", "0006_search_index_keeps_letters")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
