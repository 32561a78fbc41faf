"""``python manage.py import_chronology --review REF --agency SLUG FILE``: import one agency's
chronology from a CSV (UTF-8) or .xlsx file made from the template, with the same checks as the
upload page. All or nothing: if any row is wrong, nothing is imported, every problem is printed
(row and column) to stderr, and the command exits with status 1.
"""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from safeguarding.accounts.models import Agency, User
from safeguarding.core.errors import ServiceError
from safeguarding.reviews.chronology import parser, services
from safeguarding.reviews.models import Person, Review


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
        pseudonyms = (
            Person.objects.active()
            .filter(case_id=review.case_id)
            .values_list("pseudonym", flat=True)
        )
        with path.open("rb") as handle:
            uploaded = File(handle, name=path.name)
            try:
                parsed = parser.parse_upload(uploaded, known_people=list(pseudonyms))
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
            services.chronology_import(
                review=review,
                agency=agency,
                rows=parsed.rows,
                actor=actor,
                file_name=path.name,
                by_command=True,
            )
        except ServiceError as error:
            raise CommandError(f"{error.message}. Nothing was imported") from None
        count = len(parsed.rows)
        self.stdout.write(
            f"Imported {count} chronology entr{'ies' if count != 1 else 'y'} for {agency} "
            f"into {review.reference}"
        )
