"""``python manage.py import_chronology --review REF --agency SLUG FILE``: import one agency's
chronology from a CSV (UTF-8) or .xlsx file made from the template, with the same checks as the
upload page. All or nothing: if any row is wrong, nothing is imported, every problem is printed
(row and column) to stderr, and the command exits with status 1.

A file that repeats rows of the agency's chronology, or that was imported before, is not
imported either (exit status 1, saying what it repeats) unless one of these is given:
``--replace`` archives the earlier rows it repeats and imports every row; ``--skip-duplicates``
imports only the rows not already there.
"""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from safeguarding.accounts.models import Agency, User
from safeguarding.core.errors import ServiceError
from safeguarding.reviews.chronology import parser, selectors, services
from safeguarding.reviews.models import Review


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0].replace("``", "")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or .xlsx file")
        parser.add_argument("--review", required=True, help="the review's reference")
        parser.add_argument("--agency", required=True, help="the agency's slug")
        parser.add_argument(
            "--user",
            help="email of the person entering the rows (default: who started the review)",
        )
        duplicates = parser.add_mutually_exclusive_group()
        duplicates.add_argument(
            "--replace",
            action="store_true",
            help="if the file repeats the agency's chronology: archive the earlier rows it "
            "repeats (never deleted) and import every row of the file",
        )
        duplicates.add_argument(
            "--skip-duplicates",
            action="store_true",
            help="if the file repeats the agency's chronology: import only the rows not "
            "already there",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            review = Review.objects.select_related("case", "partnership").get(
                reference=options["review"]
            )
        except Review.DoesNotExist:
            raise CommandError(f"No review with the reference {options['review']}") from None
        try:
            agency = Agency.objects.get(slug=options["agency"])
        except Agency.DoesNotExist:
            raise CommandError(f"No agency with the slug {options['agency']}") from None
        if options["user"]:
            actor = User.objects.filter(email__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user with the email {options['user']}")
        else:
            actor = review.created_by
            if actor is None:
                raise CommandError("The review has no creator on record: give --user EMAIL")
        if options["replace"] and options["skip_duplicates"]:  # call_command skips argparse
            raise CommandError("Give --replace or --skip-duplicates, not both")
        on_duplicates = services.REFUSE
        if options["replace"]:
            on_duplicates = services.REPLACE
        elif options["skip_duplicates"]:
            on_duplicates = services.NEW_ONLY
        known = [item.pseudonym for item in selectors.allowed_pseudonyms(review=review)]
        with path.open("rb") as handle:
            uploaded = File(handle, name=path.name)
            try:
                parsed = parser.parse_upload(uploaded, known_people=known)
            except parser.ChronologyFileError as error:
                raise CommandError(f"{error.message}. Nothing was imported") from None
            if parsed.errors:
                for error in parsed.errors:
                    self.stderr.write(str(error))
                count = len(parsed.errors)
                raise CommandError(
                    f"{count} problem{'s' if count != 1 else ''} in the file: nothing was imported"
                )
            try:
                upload = services.chronology_import(
                    review=review,
                    agency=agency,
                    rows=parsed.rows,
                    actor=actor,
                    file=uploaded,
                    file_name=path.name,
                    on_duplicates=on_duplicates,
                    by_command=True,
                )
            except services.DuplicatesFound as found:
                new = found.duplicates.new_rows
                skip = (
                    f", or with --skip-duplicates to import only the {new} new "
                    f"row{'s' if new != 1 else ''}"
                    if new
                    else " (every row of the file is already there)"
                )
                raise CommandError(
                    f"{found.message}. Nothing was imported. Run the command again with "
                    f"--replace to archive the earlier rows and import every row of the file{skip}"
                ) from None
            except ServiceError as error:
                raise CommandError(f"{error.message}. Nothing was imported") from None
        count = upload.rows_added
        message = (
            f"Imported {count} chronology entr{'ies' if count != 1 else 'y'} for {agency} "
            f"into {review.reference}"
        )
        if upload.rows_not_added:
            message += f"; {upload.rows_not_added} already there, not added again"
        if upload.rows_archived:
            message += f"; {upload.rows_archived} earlier rows replaced and archived"
        if parsed.proposed_names:
            message += "; not yet people in the case, proposed to the business unit: " + ", ".join(
                parsed.proposed_names
            )
        self.stdout.write(message)
