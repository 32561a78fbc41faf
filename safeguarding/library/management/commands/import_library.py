"""python manage.py import_library FILE --partnership SLUG

Import library records from a CSV or JSON file in the library schema (docs/library-schema.md).
Every row is checked first: with any bad row nothing is imported, every error is printed, and
the exit status is 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguarding.accounts.models import Partnership
from safeguarding.library import services


class Command(BaseCommand):
    help = "Import library records from a CSV or JSON file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .json file in the library schema")
        parser.add_argument(
            "--partnership", required=True, help="The slug of the partnership whose library"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            partnership = Partnership.objects.get(slug=options["partnership"])
        except Partnership.DoesNotExist:
            raise CommandError(f"No partnership with the slug ‘{options['partnership']}’") from None
        try:
            result = services.library_import(
                partnership=partnership, actor=None, source=path, name=path.name
            )
        except services.ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{refused.message}. Correct every error and run it again") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.total:,} record{'' if result.total == 1 else 's'} into the "
                f"library of {partnership.name}: {result.created:,} new, "
                f"{result.updated:,} updated."
            )
        )
