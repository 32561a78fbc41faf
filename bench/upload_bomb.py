"""Decompression bombs against the upload checks: time and memory of each, in a fresh process.

    .venv/bin/python bench/upload_bomb.py                      # every case, 95 MB of text
    .venv/bin/python bench/upload_bomb.py --case publication --megabytes 95

Each case runs in its own Python process, so its peak memory (the process's peak resident
set, which counts lxml's and zlib's C memory that tracemalloc does not see) is its own. A case
is the code an upload runs on the file, without the database:

- publication: ``validate_upload`` then the identifier check (``check_file``), as
  ``publishing._checked_upload`` does for the publication upload page;
- word_referral: ``referral_form_read`` (the staff Word referral upload);
- chronology: ``chronology.parse_upload`` of an .xlsx (the chronology upload and agency
  returns of a chronology);
- pdf_pages / pdf_text: the identifier check on a PDF of 50,000 pages, or of one page whose
  content unpacks to 60 MB of text (pypdf itself refuses more of either).

The outcome is "refused" (with the message the user sees) or "accepted". Results go to
bench/results/upload-bomb.json; docs/security.md ("Uploads and exports") quotes them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# pypdf itself refuses a page tree of 100,000 entries and streams over 75 MB: stay under both.
PDF_PAGES = 50_000
PDF_TEXT_BYTES = 60 * 1024 * 1024
CASES = ("publication", "word_referral", "chronology", "pdf_pages", "pdf_text")


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_case(case: str, megabytes: int) -> dict:
    """Make the file, then time the check; in this process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguarding.accounts.models import Partnership
    from safeguarding.core.tests import bombs
    from safeguarding.publication.identifier_check import Identifiers, UnreadableFile, check_file
    from safeguarding.reviews.chronology import parser as chronology

    size = megabytes * 1024 * 1024
    if case in ("publication", "word_referral"):
        data, name = bombs.docx_bomb(size), "report.docx"
    elif case == "chronology":
        data, name = bombs.xlsx_bomb(size, chronology.HEADINGS), "chronology.xlsx"
    elif case == "pdf_pages":
        data, name = bombs.pdf_many_pages(PDF_PAGES), "report.pdf"
    else:
        data, name = bombs.pdf_text_bomb(min(size, PDF_TEXT_BYTES)), "report.pdf"
    uploaded = SimpleUploadedFile(name, data)
    identifiers = Identifiers(names=("Zebedee Quillfeather",))

    def publication():
        from safeguarding.core.uploads import DOCX, PDF, validate_upload

        validate_upload(uploaded, allowed=(PDF, DOCX))
        uploaded.seek(0)
        check_file(uploaded.read(), identifiers)

    def word_referral():
        from safeguarding.referrals.word_forms import referral_form_read

        referral_form_read(uploaded, partnership=Partnership(name="Testshire", slug="testshire"))

    def chronology_upload():
        parsed = chronology.parse_upload(uploaded, known_people=["Child A"])
        if parsed.errors:
            raise ValueError(f"{len(parsed.errors):,} row errors")

    run = {
        "publication": publication,
        "pdf_pages": publication,
        "pdf_text": publication,
        "word_referral": word_referral,
        "chronology": chronology_upload,
    }[case]
    before = _peak_kb()
    started = time.perf_counter()
    try:
        run()
        outcome = "accepted"
    except ValidationError as error:
        outcome = f"refused: {error.messages[0]}"
    except UnreadableFile as error:
        outcome = f"refused: {error}"
    except Exception as error:  # the bench reports what the code does, whatever it is
        outcome = f"refused: {type(error).__name__}: {str(error)[:200]}"
    seconds = time.perf_counter() - started
    return {
        "case": case,
        "file_bytes": len(data),
        "unpacked_megabytes": {"pdf_pages": None, "pdf_text": PDF_TEXT_BYTES // 2**20}.get(
            case, megabytes
        ),
        "seconds": round(seconds, 3),
        "peak_memory_growth_mb": round((_peak_kb() - before) / 1024, 1),
        "outcome": outcome,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=CASES, action="append")
    parser.add_argument("--megabytes", type=int, default=95)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "upload-bomb.json"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.case[0], args.megabytes)))
        return
    results = []
    for case in args.case or CASES:
        done = subprocess.run(  # noqa: S603 - this script, run again with fixed arguments
            [
                sys.executable,
                __file__,
                "--child",
                "--case",
                case,
                "--megabytes",
                str(args.megabytes),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{case:14} {result['file_bytes'] / 1024:8.0f} KB  {result['seconds']:7.2f} s  "
            f"{result['peak_memory_growth_mb']:8.1f} MB  {result['outcome'][:90]}"
        )
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
