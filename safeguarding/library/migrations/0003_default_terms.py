"""The shared search terms (abbreviations, synonyms, everyday words) from default_terms.py."""

from django.db import migrations


def load(apps, schema_editor):
    from safeguarding.library.default_terms import DEFAULT_TERMS

    SearchTerm = apps.get_model("library", "SearchTerm")
    for term, expansion in DEFAULT_TERMS.items():
        if not SearchTerm.objects.filter(partnership=None, term=term).exists():
            SearchTerm.objects.create(partnership=None, term=term, expansion=expansion)


def unload(apps, schema_editor):
    from safeguarding.library.default_terms import DEFAULT_TERMS

    SearchTerm = apps.get_model("library", "SearchTerm")
    SearchTerm.objects.filter(partnership=None, term__in=list(DEFAULT_TERMS)).delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0002_search_index")]

    operations = [migrations.RunPython(load, unload)]
