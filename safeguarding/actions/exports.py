"""Files for boards: a review's action plan (.docx and .xlsx, in the shape of docs/rules.md
§action-plans) and the partnership tracker (.xlsx), written by the shared writers
(``core.documents``, ``core.spreadsheets``).

The files hold what the pages show: the review's reference and title (its pseudonym), never
the real names of people in the case (the action plan holds none). Dates are real date cells
in the spreadsheets and "4 September 2026" in Word.
"""

import datetime
from collections.abc import Iterable
from typing import IO

from safeguarding.core import documents, spreadsheets

from .models import Action, Recommendation
from .plan_selectors import PlanRecommendation

XLSX = spreadsheets.XLSX
DOCX = documents.DOCX
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


def tracker_xlsx(
    rows: Iterable[dict], *, partnership, filters_text: str, today: datetime.date
) -> tuple[IO[bytes], int]:
    """The partnership tracker: one row per action (rows from selectors.tracker_export_rows),
    in a temporary file written as the rows come (memory does not grow with them), and the
    number of actions written."""
    workbook = spreadsheets.workbook_new()
    sheet = spreadsheets.Sheet(workbook, "Actions", TRACKER_COLUMNS)
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
    spreadsheets.about_sheet(
        workbook,
        [
            ["Action tracker", partnership.name],
            ["Actions", sheet.appended],
            ["Filters", filters_text],
            ["Produced", date_label(today)],
        ],
    )
    return spreadsheets.workbook_file(workbook), sheet.appended


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
    workbook = spreadsheets.workbook_new()
    sheet = spreadsheets.Sheet(
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
    return spreadsheets.workbook_bytes(workbook)


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


def _cell(paragraphs: list[tuple[str, str]], rowspan: int = 1) -> documents.Cell:
    """A cell of paragraphs, each a bold label and its text."""
    return documents.Cell(
        [[documents.Span(label, bold=True), text or ""] for label, text in paragraphs],
        rowspan=rowspan,
    )


def plan_document(
    plan: list[PlanRecommendation], *, review, today: datetime.date
) -> documents.Document:
    """A review's action plan as one landscape table: a row per action, the recommendation and
    its impact running down over its actions."""
    rows: list[list[documents.CellContent]] = []
    for item in plan:
        recommendation = item.recommendation
        span = max(len(item.actions), 1)
        first = [_cell(_recommendation_cell_text(item), span)]
        last = [_cell(_impact_cell_text(recommendation), span)]
        if not item.actions:
            rows.append([*first, _cell([("", "No actions yet")]), "", "", "", "", *last])
        for index, planned in enumerate(item.actions):
            action = planned.action
            status = [("", status_label(action, today))]
            if action.completed_on:
                status.append(("Completed: ", date_label(action.completed_on)))
            if action.not_implemented_reason:
                status.append(("Reason: ", action.not_implemented_reason))
            rows.append(
                [
                    *(first if index == 0 else []),
                    _cell([(f"{action.reference} ", action.text)]),
                    _cell([("", action.agency.name), ("Lead: ", action.lead_name)]),
                    date_label(action.target_date),
                    _cell(status),
                    _cell([("", name) for name in planned.evidence] or [("", "None yet")]),
                    *(last if index == 0 else []),
                ]
            )
    return documents.Document(
        title=_title(review),
        lines=[
            review.partnership.name,
            f"{review.get_kind_display()}. Produced on {date_label(today)}. "
            "People in the case are named by pseudonym only.",
        ],
        blocks=[
            documents.Table(
                [text for text, _ in DOCX_COLUMNS],
                rows,
                caption="Recommendations and their actions",
                widths=[width for _, width in DOCX_COLUMNS],
            )
        ],
        subject="Action plan",
        landscape=True,
        compact=True,
    )


def plan_docx(plan: list[PlanRecommendation], *, review, today: datetime.date) -> bytes:
    """A review's action plan as a Word document (one landscape table)."""
    return documents.docx_bytes(plan_document(plan, review=review, today=today))
