"""The national returns of a financial year as a spreadsheet (.xlsx): one sheet per scheme, a row
per review signed off in the year (returned or not), a column per question, written with the
shared sheet helpers (``core.spreadsheets``: dates as date cells, text never a formula)."""

import datetime

from safeguarding.core import spreadsheets

from .categories import NUMBER, SCHEMES
from .selectors import ReturnRow, Year


def _cell(question, answer):
    """A number stays a number; every other answer is written in words."""
    return answer if question.kind == NUMBER else question.answer_text(answer)


def returns_xlsx(rows: list[ReturnRow], *, partnership, year: Year, today: datetime.date) -> bytes:
    workbook = spreadsheets.workbook_new()
    spreadsheets.about_sheet(
        workbook,
        [
            ("Partnership", partnership.name),
            ("Financial year", year.label),
            ("Produced on", today),
            (
                "What it holds",
                "The national return of each review signed off in the year, one sheet per "
                "national body. A review without a return yet is listed with its answers empty.",
            ),
        ],
    )
    for code, scheme in SCHEMES.items():
        mine = [row for row in rows if row.scheme.code == code]
        if not mine:
            continue
        sheet = spreadsheets.Sheet(
            workbook,
            code.upper(),
            [
                ("Review", 16),
                ("Title", 24),
                ("Review type", 24),
                ("Signed off", 14),
                ("Returned", 10),
                *[(q.label, 30) for q in scheme.questions],
                ("Notes", 40),
            ],
            preamble=(scheme.title, f"{partnership.name}, {year.label}", scheme.source),
        )
        for row in mine:
            answers = row.national_return.answers if row.national_return else {}
            sheet.append(
                [
                    row.review.reference,
                    row.review.title,
                    row.review.get_kind_display(),
                    row.signed_off_on,
                    "Yes" if row.national_return else "No",
                    *[
                        answers.get(q.code)
                        if q.kind == NUMBER
                        else q.answer_text(answers.get(q.code))
                        for q in scheme.questions
                    ],
                    row.national_return.notes if row.national_return else "",
                ]
            )
        sheet.finish()
    return spreadsheets.workbook_bytes(workbook)
