"""The merged chronology as an Excel workbook, a Word document or an accessible PDF (the shared
writers in ``core.documents`` and ``core.spreadsheets``), with the filters of the page and its
choice of pseudonyms or real names. Each file says which it is at the top."""

import datetime
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import IO

from django.utils import timezone

from safeguarding.core import documents, spreadsheets
from safeguarding.core.text import printable

from ..models import ChronologyEntry

FORMATS = {
    "xlsx": (spreadsheets.XLSX, "xlsx"),
    "docx": (documents.DOCX, "docx"),
    "pdf": (documents.PDF, "pdf"),
}
# Longer Word or PDF tables are slow to make (python-docx about 1.3 ms a row, WeasyPrint about
# 10 ms a row, a quarter more for the tagged PDF/UA) and no use to read: the page asks for
# narrower filters, or Excel (no limit).
MAX_ROWS = {"docx": 5_000, "pdf": 1_000}
SIGNIFICANCE = dict(ChronologyEntry.Significance.choices)
COLUMNS = [
    "Date",
    "Time",
    "Approximate",
    "Agency",
    "People involved",
    "Event or contact",
    "Source record",
    "Practitioner role",
    "Significance",
    "Multi-agency day",
]
WIDTHS = [12, 7, 12, 28, 28, 70, 20, 20, 16, 14]  # Excel column widths, and shares in Word/PDF


@dataclass
class ExportContext:
    title: str  # "RV2026-00001 Child A"
    partnership: str
    personalised: bool
    filters_text: str
    multi_agency_days: AbstractSet  # of dates


def _marking(context: ExportContext) -> str:
    if context.personalised:
        return "OFFICIAL-SENSITIVE. Contains real names: keep it secure and do not share it."
    return "OFFICIAL-SENSITIVE. People are named by pseudonym."


def _cells(row: dict, context: ExportContext) -> list[str]:
    day: datetime.date = row["occurred_on"]
    time = row["occurred_at"]
    return [
        f"{day:%d/%m/%Y}",
        f"{time:%H:%M}" if time else "",
        "yes" if row["date_is_approximate"] else "no",
        row["agency__name"],
        "; ".join(row["people"]),
        row["event"],
        row["source_record"],
        row["practitioner_role"],
        SIGNIFICANCE.get(row["significance"], row["significance"]),
        "yes" if day in context.multi_agency_days else "",
    ]


def to_xlsx(rows: Iterable[dict], context: ExportContext) -> IO[bytes]:
    """The workbook in a temporary file, written as the rows come (any number: memory does not
    grow with them). Every string is cleaned by the sheet (``core.spreadsheets``)."""
    workbook = spreadsheets.workbook_new()
    sheet = spreadsheets.Sheet(
        workbook,
        "Merged chronology",
        list(zip(COLUMNS, WIDTHS, strict=True)),
        date_format="DD/MM/YYYY",
    )
    for row in rows:
        sheet.append([row["occurred_on"], *_cells(row, context)[1:]])
    sheet.finish()
    spreadsheets.about_sheet(
        workbook,
        [
            ["Chronology", context.title],
            ["Partnership", context.partnership],
            ["Names", "Real names" if context.personalised else "Pseudonyms"],
            ["Filters", context.filters_text or "None: every entry"],
            ["Entries", sheet.appended],
            ["Made", timezone.localtime().strftime("%d/%m/%Y %H:%M")],
            ["Handling", _marking(context)],
        ],
    )
    return spreadsheets.workbook_file(workbook)


def chronology_document(rows: list[dict], context: ExportContext) -> documents.Document:
    """The chronology as one landscape table, for the shared writers (Word, and PDF/UA)."""
    return documents.Document(
        title=f"Merged chronology: {context.title}",
        lines=[
            context.partnership,
            documents.Span(_marking(context), bold=True),
            f"{len(rows):,} entries. Filters: {context.filters_text or 'none (every entry)'}.",
        ],
        blocks=[
            documents.Table(
                COLUMNS,
                [_cells(row, context) for row in rows],
                caption="Chronology entries",
                widths=WIDTHS,
            )
        ],
        subject="Merged multi-agency chronology",
        landscape=True,
        compact=True,
    )


def to_docx(rows: list[dict], context: ExportContext) -> bytes:
    return documents.docx_bytes(chronology_document(rows, context))


def to_pdf(rows: list[dict], context: ExportContext) -> bytes:
    return documents.pdf_bytes(chronology_document(rows, context))


WRITERS = {"docx": to_docx, "pdf": to_pdf}


def render(fmt: str, rows: Iterable[dict], context: ExportContext) -> bytes | IO[bytes]:
    """Excel as a temporary file written row by row (no limit on rows); Word and PDF (at most
    ``MAX_ROWS``) as bytes. Entries stored with control characters (before they were removed at
    input) still export."""
    if fmt == "xlsx":
        return to_xlsx(rows, printable(context))
    return WRITERS[fmt](printable(list(rows)), printable(context))
