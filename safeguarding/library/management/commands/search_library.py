"""Search the learning library from the command line, or rebuild its index.

    python manage.py search_library "baby died in the parents' bed" --json
    python manage.py search_library "SUDI" --partnership testshire --limit 5
    python manage.py search_library "SUDI" --keyword          # the plain keyword baseline
    python manage.py search_library --rebuild                 # the whole index and vectors
    python manage.py search_library --missing-vectors         # vectors of records that have none
    python manage.py search_library --missing-vectors --enqueue   # the same, by `db_worker`

Without --partnership every partnership's live records are searched. Saving a record queues
its vectors for the worker; schedule ``--missing-vectors --enqueue`` once a day (next to
``send_reminders --enqueue``) to catch up any record that has none. --json prints
``[{"id": …, "external_id": …, "title": …, "score": …}, …]``, best first.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from safeguarding.accounts.models import Partnership
from safeguarding.library import search, search_index
from safeguarding.library.tasks import compute_missing_vectors


class Command(BaseCommand):
    help = "Search the learning library (ranked), or rebuild its search index."

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="?", default="", help="what to search for")
        parser.add_argument("--json", action="store_true", help="print the hits as JSON")
        parser.add_argument("--partnership", metavar="SLUG", help="only this partnership")
        parser.add_argument("--limit", type=int, default=10, metavar="N", help="hits (10)")
        parser.add_argument(
            "--keyword", action="store_true", help="the plain keyword baseline instead"
        )
        parser.add_argument(
            "--public-only", action="store_true", help="only records the public may see"
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="rebuild the index and every vector"
        )
        parser.add_argument(
            "--missing-vectors",
            action="store_true",
            help="compute the vectors of the live records (and findings) that have none",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="with --missing-vectors: queue the task for the worker instead",
        )

    def handle(self, *args, **options):
        if options["rebuild"]:
            count = search_index.rebuild_index(
                log=lambda message: self.stderr.write(message) if options["verbosity"] > 1 else None
            )
            self.stdout.write(f"Rebuilt the search index: {count} records.")
            return
        if options["missing_vectors"]:
            if options["enqueue"]:
                result = compute_missing_vectors.enqueue()
                queued = f"Queued the missing vectors (task {result.id})"
                if result.status == TaskResultStatus.FAILED:  # the immediate backend ran it
                    raise CommandError(f"{queued}, and it failed: {result.errors[-1].traceback}")
                self.stdout.write(f"{queued}.")
            else:
                count = compute_missing_vectors.call()
                self.stdout.write(f"Computed the vectors of {count} records that had none.")
            return
        if options["enqueue"]:
            raise CommandError("--enqueue goes with --missing-vectors.")
        query = options["query"].strip()
        if not query:
            raise CommandError("Give a query (or --rebuild).")
        if not 1 <= options["limit"] <= 100:
            raise CommandError("--limit must be between 1 and 100.")
        partnership = None
        if options["partnership"]:
            partnership = Partnership.objects.filter(slug=options["partnership"]).first()
            if partnership is None:
                raise CommandError(f"No partnership {options['partnership']!r}.")
        result = search.search_records(
            partnership,
            query,
            public_only=options["public_only"],
            limit=options["limit"],
            mode="keyword" if options["keyword"] else "smart",
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "id": hit.record_id,
                            "external_id": hit.external_id,
                            "title": hit.title,
                            "score": hit.score,
                        }
                        for hit in result.hits
                    ],
                    ensure_ascii=False,
                )
            )
            return
        if result.corrected_query:
            self.stdout.write(f"Showing results for: {result.corrected_query}")
        if result.expansions:
            self.stdout.write(f"Also searched for: {', '.join(result.expansions)}")
        self.stdout.write(f"{result.total} matching records")
        for number, hit in enumerate(result.hits, start=1):
            self.stdout.write(
                f"{number:>3}. [{hit.record_id}] {hit.title} ({hit.review_type_label}, "
                f"{hit.publisher}, {hit.year}) score {hit.score}"
            )
