"""Check files for leaked identities before publication (R15-R17, R34-R35; "no real identities
leaked").

    python manage.py check_publication FILE [FILE ...] --identifiers IDS.json

Prints a JSON list of findings (file, kind, text, page, context). Exit status: 0 no findings,
1 findings, 2 a file cannot be read or the identifiers file is wrong. See
docs/publication-check.md.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from safeguarding.publication.identifier_check import (
    Identifiers,
    IdentifiersError,
    UnreadableFile,
    check_file,
)


class Command(BaseCommand):
    help = (
        "Find identifiers of the people in the case (names, dates of birth, addresses, other) "
        "and any phone numbers, emails, NHS numbers or postcodes in PDF and Word .docx files. "
        "Exit status 0: nothing found; 1: findings; 2: a file or the identifiers are unreadable."
    )
    requires_system_checks: tuple = ()
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="PDF or .docx file(s)")
        parser.add_argument(
            "--identifiers",
            required=True,
            metavar="IDS.json",
            help='JSON: {"names": [...], "dates_of_birth": ["YYYY-MM-DD", ...], '
            '"addresses": [...], "other": [...]}',
        )

    def handle(self, *args, **options):
        try:
            identifiers = Identifiers.from_json_file(options["identifiers"])
        except IdentifiersError as error:
            raise CommandError(str(error), returncode=2) from None

        results = []
        for path in options["files"]:
            try:
                findings = check_file(path, identifiers)
            except UnreadableFile as error:
                raise CommandError(str(error), returncode=2) from None
            results += [finding.as_dict(file=path) for finding in findings]

        self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
        if results:
            raise CommandError(
                f"{len(results)} possible identifier(s) found; do not publish until each is "
                "removed or confirmed safe",
                returncode=1,
            )
