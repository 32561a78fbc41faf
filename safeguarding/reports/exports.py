"""Spreadsheets of the reports: the annual implementation figures (.xlsx, R24), written with the
shared sheet helpers (``core.spreadsheets``: dates as real date cells, text never a formula)."""

import datetime

from safeguarding.actions import exports
from safeguarding.core import spreadsheets

from .selectors import AnnualFigures


def annual_xlsx(figures: AnnualFigures, *, partnership, today: datetime.date) -> bytes:
    """The annual report figures: a sheet of figures (and the reviews behind them) and a sheet
    of the decisions not to implement, with their reasons (R24)."""
    workbook = spreadsheets.workbook_new()
    year = figures.year
    sheet = spreadsheets.Sheet(
        workbook,
        "Figures",
        [("Figure", 60), ("Number", 12)],
        preamble=(
            f"Implementation figures, {year.label}",
            partnership.name,
            f"Produced on {exports.date_label(today)}"
            + ("" if figures.complete else " (the year has not ended: figures so far)"),
        ),
    )
    for label, value in figure_lines(figures):
        sheet.append([label, value])
    sheet.finish()

    reasons = spreadsheets.Sheet(
        workbook,
        "Not implemented",
        [
            ("Review", 16),
            ("Review title", 16),
            ("Action", 8),
            ("Action text", 50),
            ("Owner agency", 26),
            ("Decided on", 16),
            ("Reason", 70),
        ],
    )
    for action in figures.not_implemented:
        review = action.recommendation.review
        reasons.append(
            [
                review.reference,
                review.title,
                action.reference,
                action.text,
                action.agency.name,
                action.decided_on,
                action.not_implemented_reason,
            ]
        )
    reasons.finish()

    signed = spreadsheets.Sheet(
        workbook,
        "Reviews signed off",
        [
            ("Review", 16),
            ("Review title", 16),
            ("Review type", 30),
            ("Signed off", 16),
            ("Findings", 10),
            ("Learning points", 10),
        ],
    )
    for review in figures.reviews_signed_off:
        signed.append(
            [
                review.reference,
                review.title,
                review.get_kind_display(),
                review.signed_off_on,
                review.finding_count,
                review.learning_point_count,
            ]
        )
    signed.finish()
    return spreadsheets.workbook_bytes(workbook)


def figure_lines(figures: AnnualFigures) -> list[tuple[str, int]]:
    """The figures, as (label, number) lines: what the page's summary list and the sheet show."""
    end = exports.date_label(figures.year.end)
    lines = [
        ("Reviews signed off in the year", figures.reviews_signed_off_count),
        ("Findings concluded (findings of the reviews signed off)", figures.findings_concluded),
        ("Learning points of the reviews signed off", figures.learning_points_concluded),
        (f"Reviews still ongoing at {end}", figures.reviews_ongoing_count),
        ("Recommendations agreed in the year", figures.recommendations_agreed),
        ("Actions agreed in the year", figures.actions_agreed),
        ("Actions completed in the year", figures.actions_completed),
        (f"Actions outstanding at {end}", figures.actions_outstanding),
        (f"Of those, overdue at {end}", figures.actions_outstanding_overdue),
        ("Decisions in the year not to implement an action", figures.not_implemented_count),
        ("Recommendations with impact recorded in the year", figures.impact_recorded_count),
    ]
    lines += [(f"Impact judged: {label}", count) for label, count in figures.judgements]
    return lines
