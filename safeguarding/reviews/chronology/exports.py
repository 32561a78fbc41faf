"""The merged chronology as an Excel workbook, a Word document or a PDF, with the filters of the
page and its choice of pseudonyms or real names. Each file says which it is at the top."""

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape

from safeguarding.core.text import printable

from ..models import ChronologyEntry

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "pdf": ("application/pdf", "pdf"),
}
# Longer Word or PDF tables are slow to make (python-docx about 1.3 ms a row, WeasyPrint about
# 10 ms a row) and no use to read: the page asks for narrower filters, or Excel (no limit).
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


@dataclass
class ExportContext:
    title: str  # "RV2026-00001 Child A"
    partnership: str
    personalised: bool
    filters_text: str
    multi_agency_days: set


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


def to_xlsx(rows: list[dict], context: ExportContext) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Merged chronology")
    for index, width in enumerate([12, 7, 12, 28, 28, 70, 20, 20, 16, 14]):
        sheet.column_dimensions[chr(65 + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in COLUMNS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        values: list = _cells(row, context)
        date = WriteOnlyCell(sheet, value=row["occurred_on"])
        date.number_format = "DD/MM/YYYY"
        values[0] = date
        for index in range(1, len(values)):
            value = values[index]
            if not value:
                values[index] = None  # an empty cell is not written at all
            elif value[0] == "=":  # text that looks like a formula stays text
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                values[index] = cell
        sheet.append(values)
    about = workbook.create_sheet("About")
    for line in (
        ["Chronology", context.title],
        ["Partnership", context.partnership],
        ["Names", "Real names" if context.personalised else "Pseudonyms"],
        ["Filters", context.filters_text or "None: every entry"],
        ["Entries", len(rows)],
        ["Made", timezone.localtime().strftime("%d/%m/%Y %H:%M")],
        ["Handling", _marking(context)],
    ):
        about.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_docx(rows: list[dict], context: ExportContext) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.styles["Normal"].font.size = Pt(9)
    document.add_heading(f"Merged chronology: {context.title}", level=1)
    document.add_paragraph(context.partnership)
    document.add_paragraph(_marking(context))
    document.add_paragraph(
        f"{len(rows):,} entries. Filters: {context.filters_text or 'none (every entry)'}."
    )
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, _cells(row, context), strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_pdf(rows: list[dict], context: ExportContext) -> bytes:
    from weasyprint import HTML

    head = "".join(f"<th>{escape(text)}</th>" for text in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(text)}</td>" for text in _cells(row, context)) + "</tr>"
        for row in rows
    )
    html = (
        "<html lang='en'><head><meta charset='utf-8'><title>Merged chronology</title><style>"
        "@page{size:A4 landscape;margin:12mm}body{font-family:sans-serif;font-size:8pt}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #b1b4b6;"
        "padding:2px 4px;vertical-align:top;text-align:left}thead{display:table-header-group}"
        "tr{page-break-inside:avoid}"
        "</style></head><body>"
        f"<h1>Merged chronology: {escape(context.title)}</h1>"
        f"<p>{escape(context.partnership)}</p><p><strong>{escape(_marking(context))}</strong></p>"
        f"<p>{len(rows):,} entries. Filters: "
        f"{escape(context.filters_text or 'none (every entry)')}.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "</body></html>"
    )
    return HTML(string=html).write_pdf()


WRITERS = {"xlsx": to_xlsx, "docx": to_docx, "pdf": to_pdf}


def render(fmt: str, rows: list[dict], context: ExportContext) -> bytes:
    # Entries stored with control characters (before they were removed at input) still export.
    return WRITERS[fmt](printable(rows), printable(context))
