"""Files for boards: a review's action plan (.docx and .xlsx, in the shape of docs/rules.md
§action-plans)
and the partnership tracker (.xlsx). The sheet helpers (``Sheet``, ``workbook_new``,
``workbook_bytes``) are also used by the reports app's spreadsheets.

The files hold what the pages show: the review's reference and title (its pseudonym), never
the real names of people in the case (the action plan holds none). Dates are real date cells
in the spreadsheets and "4 September 2026" in Word.
"""

import datetime
import io
from collections.abc import Iterable

from safeguarding.core.text import printable

from .models import Action, Recommendation
from .plan_selectors import PlanRecommendation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DATE_FORMAT = "D MMMM YYYY"
STATUSES = dict(Action.Status.choices)
SCOPES = dict(Recommendation.Scope.choices)
METHODS = dict(Recommendation.ImpactMethod.choices)
JUDGEMENTS = dict(Recommendation.Judgement.choices)


def date_label(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def status_label(action: Action, today: datetime.date) -> str:
    """The status as the pages show it: an open action past its target date is overdue."""
    label = STATUSES[action.status]
    return f"Overdue ({label.lower()})" if action.is_overdue(today) else label


# Spreadsheets ------------------------------------------------------------------------------------


class Sheet:
    """A write-only sheet: a bold, frozen header row with an autofilter, column widths, and
    cells that keep dates as dates and text as text (never a formula)."""

    def __init__(self, workbook, title: str, columns: list[tuple[str, int]], preamble=()):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        self._cell_class = WriteOnlyCell
        self.sheet = workbook.create_sheet(title)
        for index, (_, width) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        header_row = len(preamble) + 1
        self.sheet.freeze_panes = f"A{header_row + 1}"
        self._last_column = get_column_letter(len(columns))
        self._header_row = header_row
        self._rows = header_row
        bold = Font(bold=True)
        for line in preamble:
            cell = WriteOnlyCell(self.sheet, value=line)
            cell.font = bold if line is preamble[0] else Font()
            self.sheet.append([cell])
        header = []
        for text, _ in columns:
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        self.sheet.append(header)

    def append(self, values: Iterable) -> None:
        cells = []
        for value in values:
            if value is None or value == "":
                cells.append(None)
            elif isinstance(value, datetime.date):
                cell = self._cell_class(self.sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                cell = self._cell_class(self.sheet, value=printable(value))
                cell.data_type = "s"  # text that looks like a formula stays text
                cells.append(cell)
            elif isinstance(value, str):
                cells.append(printable(value))
            else:
                cells.append(value)
        self.sheet.append(cells)
        self._rows += 1

    def finish(self) -> None:
        self.sheet.auto_filter.ref = (
            f"A{self._header_row}:{self._last_column}{max(self._rows, self._header_row)}"
        )


def workbook_new():
    from openpyxl import Workbook

    return Workbook(write_only=True)


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TRACKER_COLUMNS = [
    ("Review", 16),
    ("Review title", 16),
    ("Review type", 22),
    ("Recommendation", 9),
    ("Recommendation text", 50),
    ("Findings answered", 40),
    ("Themes", 30),
    ("Action", 8),
    ("Action text", 50),
    ("Owner agency", 26),
    ("Lead", 20),
    ("Target date", 16),
    ("Status", 22),
    ("Overdue", 9),
    ("Completed on", 16),
    ("Reason not implemented", 40),
    ("Latest update", 16),
    ("Latest update note", 50),
    ("Evidence files", 9),
    ("Impact: how it will be measured", 26),
    ("Impact: plan", 40),
    ("Impact: result", 40),
    ("Impact: judgement", 20),
]


def tracker_xlsx(rows: list[dict], *, partnership, filters_text: str, today: datetime.date):
    """The partnership tracker: one row per action (rows from selectors.tracker_export_rows)."""
    workbook = workbook_new()
    sheet = Sheet(workbook, "Actions", TRACKER_COLUMNS)
    for row in rows:
        sheet.append(
            [
                row["review_reference"],
                row["review_title"],
                row["review_kind_label"],
                row["recommendation_number"],
                row["recommendation_text"],
                "\n".join(row["findings"]),
                "; ".join(row["themes"]),
                row["reference"],
                row["text"],
                row["agency_name"],
                row["lead_name"],
                row["target_date"],
                row["status_label"],
                "Yes" if row["overdue"] else "",
                row["completed_on"],
                row["not_implemented_reason"],
                row["latest_update_on"],
                row["latest_update_note"],
                row["evidence_count"],
                row["impact_method_label"],
                row["impact_plan"],
                row["impact_result"],
                row["impact_judgement_label"],
            ]
        )
    sheet.finish()
    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 80
    for line in (
        ["Action tracker", partnership.name],
        ["Actions", len(rows)],
        ["Filters", filters_text],
        ["Produced", date_label(today)],
    ):
        about.append(line)
    return workbook_bytes(workbook)


PLAN_COLUMNS = [
    ("Recommendation", 9),
    ("Recommendation text", 45),
    ("Addressed to", 24),
    ("Findings answered", 36),
    ("Expected change", 36),
    ("Scope", 14),
    ("Action", 8),
    ("Action to take", 45),
    ("Owner agency", 24),
    ("Lead", 20),
    ("Target date", 16),
    ("Status", 22),
    ("Completed on", 16),
    ("Evidence of completion", 36),
    ("Reason not implemented", 36),
    ("Impact: how it will be measured", 24),
    ("Impact: plan", 36),
    ("Impact: check due", 16),
    ("Impact: result", 36),
    ("Impact: judgement", 20),
]


def _addressed_to(item: PlanRecommendation) -> str:
    names = (["The partnership"] if item.recommendation.to_partnership else []) + [
        agency.name for agency in item.agencies
    ]
    return "; ".join(names)


def _findings_text(item: PlanRecommendation) -> str:
    return "\n".join(
        f"{finding.get_kind_display()} {finding.number}: {finding.title}"
        for finding in item.findings
    )


def _title(review) -> str:
    return f"Action plan: {review.reference} {review.title}"


def plan_xlsx(plan: list[PlanRecommendation], *, review, today: datetime.date) -> bytes:
    """A review's action plan: one row per action (a recommendation without actions has a row
    of its own), under the plan's title, partnership and date produced."""
    workbook = workbook_new()
    sheet = Sheet(
        workbook,
        "Action plan",
        PLAN_COLUMNS,
        preamble=(
            _title(review),
            review.partnership.name,
            f"{review.get_kind_display()}. Produced on {date_label(today)}.",
        ),
    )
    for item in plan:
        recommendation = item.recommendation
        shared = [
            recommendation.number,
            recommendation.text,
            _addressed_to(item),
            _findings_text(item),
            recommendation.expected_change,
            SCOPES.get(recommendation.scope, ""),
        ]
        impact = [
            METHODS.get(recommendation.impact_method, ""),
            recommendation.impact_plan,
            recommendation.impact_review_on,
            recommendation.impact_result,
            JUDGEMENTS.get(recommendation.impact_judgement, ""),
        ]
        if not item.actions:
            sheet.append([*shared, "", "No actions yet", *[""] * 7, *impact])
        for planned in item.actions:
            action = planned.action
            sheet.append(
                [
                    *shared,
                    action.reference,
                    action.text,
                    action.agency.name,
                    action.lead_name,
                    action.target_date,
                    status_label(action, today),
                    action.completed_on,
                    "\n".join(planned.evidence),
                    action.not_implemented_reason,
                    *impact,
                ]
            )
    sheet.finish()
    return workbook_bytes(workbook)


# Word --------------------------------------------------------------------------------------------

DOCX_COLUMNS = [
    ("Recommendation", 2.2),
    ("Action", 2.0),
    ("Owner agency and lead", 1.3),
    ("Target date", 0.9),
    ("Status", 0.9),
    ("Evidence of completion", 1.3),
    ("Impact", 1.8),
]


def _recommendation_cell_text(item: PlanRecommendation) -> list[tuple[str, str]]:
    """(bold label, text) paragraphs for the recommendation column."""
    recommendation = item.recommendation
    return [
        (f"{recommendation.number}. ", recommendation.text),
        ("Addressed to: ", _addressed_to(item)),
        ("Findings answered: ", _findings_text(item).replace("\n", "; ")),
        ("Expected change: ", recommendation.expected_change),
        ("Scope: ", SCOPES.get(recommendation.scope, "")),
    ]


def _impact_cell_text(recommendation: Recommendation) -> list[tuple[str, str]]:
    if not recommendation.impact_method:
        return [("", "Not planned yet")]
    lines = [
        ("How it will be measured: ", METHODS.get(recommendation.impact_method, "")),
        ("", recommendation.impact_plan),
    ]
    if recommendation.impact_review_on:
        lines.append(("Check due: ", date_label(recommendation.impact_review_on)))
    if recommendation.impact_judgement:
        lines += [
            ("Result: ", recommendation.impact_result),
            ("Judgement: ", JUDGEMENTS.get(recommendation.impact_judgement, "")),
            ("Recorded: ", date_label(recommendation.impact_recorded_on)),
        ]
    else:
        lines.append(("Result: ", "Not recorded yet"))
    return lines


def _fill(cell, paragraphs: list[tuple[str, str]]) -> None:
    cell.text = ""
    first = True
    for label, text in paragraphs:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        if label:
            paragraph.add_run(printable(label)).bold = True
        paragraph.add_run(printable(text or ""))


def plan_docx(plan: list[PlanRecommendation], *, review, today: datetime.date) -> bytes:
    """A review's action plan as one landscape table: a row per action, the recommendation and
    its impact merged down over its actions."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(9)
    document.add_heading(printable(_title(review)), level=1)
    document.add_paragraph(review.partnership.name)
    document.add_paragraph(
        f"{review.get_kind_display()}. Produced on {date_label(today)}. "
        "People in the case are named by pseudonym only."
    )
    table = document.add_table(rows=1, cols=len(DOCX_COLUMNS))
    table.style = "Table Grid"
    header = table.rows[0]
    for cell, (text, width) in zip(header.cells, DOCX_COLUMNS, strict=True):
        cell.width = Cm(width * 2.5)
        _fill(cell, [(text, "")])
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)

    for item in plan:
        recommendation = item.recommendation
        first = len(table.rows)
        if not item.actions:
            cells = table.add_row().cells
            _fill(cells[1], [("", "No actions yet")])
        for planned in item.actions:
            action = planned.action
            cells = table.add_row().cells
            _fill(cells[1], [(f"{action.reference} ", action.text)])
            _fill(cells[2], [("", action.agency.name), ("Lead: ", action.lead_name)])
            _fill(cells[3], [("", date_label(action.target_date))])
            status = [("", status_label(action, today))]
            if action.completed_on:
                status.append(("Completed: ", date_label(action.completed_on)))
            if action.not_implemented_reason:
                status.append(("Reason: ", action.not_implemented_reason))
            _fill(cells[4], status)
            _fill(cells[5], [("", name) for name in planned.evidence] or [("", "None yet")])
        last = len(table.rows) - 1
        for column, paragraphs in (
            (0, _recommendation_cell_text(item)),
            (6, _impact_cell_text(recommendation)),
        ):
            cell = table.cell(first, column)
            if last > first:
                cell = cell.merge(table.cell(last, column))
            _fill(cell, paragraphs)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
