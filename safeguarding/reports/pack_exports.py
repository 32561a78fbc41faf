"""A board's report pack as files (issue 17): a workbook (.xlsx, one sheet of every figure, one
of the timeliness trends) and a Word document written with the shared document builder
(``core.documents``), each figure with the web address of the records behind it."""

import datetime

from safeguarding.actions import exports
from safeguarding.core import documents, spreadsheets
from safeguarding.core.rule_sources import rule_source

from .figures import Pack
from .trends import RuleTrend


def _produced(pack: Pack, today: datetime.date) -> str:
    return f"Produced on {exports.date_label(today)}" + (
        "" if pack.complete else " (the period has not ended: figures so far)"
    )


def pack_xlsx(pack: Pack, *, trends: list[RuleTrend], today: datetime.date, link) -> bytes:
    """``link(figure)`` gives the address of the records behind a figure."""
    workbook = spreadsheets.workbook_new()
    sheet = spreadsheets.Sheet(
        workbook,
        "Figures",
        [("Section", 36), ("Figure", 60), ("Number", 12), ("Records behind it", 70)],
        preamble=(
            f"{pack.title}, {pack.period.label}",
            pack.partnership.name,
            _produced(pack, today),
        ),
    )
    for section in pack.sections:
        for figure in section.figures:
            sheet.append([section.title, figure.label, figure.value, link(figure)])
        for label, text in section.measures:
            sheet.append([section.title, label, text, ""])
    sheet.finish()
    trend_sheet = spreadsheets.Sheet(
        workbook,
        "Timeliness",
        [
            ("Rule", 50),
            ("Rule ID", 8),
            ("Guidance version", 14),
            ("Time allowed", 20),
            ("Financial year", 16),
            ("Done", 8),
            ("On time against the first due date", 12),
            ("% on time against the first due date", 12),
            ("Within the agreed extension", 12),
            ("% within the agreed extension", 12),
            ("Median working days", 12),
        ],
        preamble=("Timeliness by milestone rule and year", pack.partnership.name),
    )
    for trend in trends:
        for line in trend.years:
            trend_sheet.append(
                [
                    trend.rule.name,
                    trend.rule.rule_id,
                    trend.rule.version.code,
                    trend.rule.offset_label,
                    line.year.short_label,
                    line.done,
                    line.on_time,
                    line.percent_on_time,
                    line.within_extension,
                    line.percent_within_extension,
                    line.median_working_days,
                ]
            )
    trend_sheet.finish()
    return spreadsheets.workbook_bytes(workbook)


def pack_document(
    pack: Pack, *, trends: list[RuleTrend], today: datetime.date, link
) -> documents.Document:
    blocks: list[documents.Block] = [documents.Paragraph(pack.statute)]
    for section in pack.sections:
        blocks.append(documents.Heading(section.title))
        if section.intro:
            blocks.append(documents.Paragraph(section.intro))
        if section.figures:
            blocks.append(
                documents.Table(
                    header=["Figure", "Number"],
                    rows=[
                        [
                            documents.Span(figure.label, href=link(figure)),
                            str(figure.value),
                        ]
                        for figure in section.figures
                    ]
                    + [[label, text] for label, text in section.measures],
                    caption=section.title,
                    widths=(4, 1),
                )
            )
        else:
            blocks.append(documents.Paragraph("Nothing to count in this period."))
        if section.note:
            blocks.append(documents.Paragraph(section.note, secondary=True))
    with_data = [trend for trend in trends if trend.done]
    blocks.append(documents.Heading("Timeliness across the years"))
    if not with_data:
        blocks.append(documents.Paragraph("No milestone has been done yet."))
    for trend in with_data:
        rule = trend.rule
        blocks.append(
            documents.Heading(
                f"{rule.name} ({rule_source(rule.rule_id)}, {rule.version.code})", level=2
            )
        )
        blocks.append(
            documents.Table(
                header=[
                    "Financial year",
                    "Done",
                    "% on time against the first due date",
                    "% within the agreed extension",
                    "Median working days",
                ],
                rows=[
                    [
                        line.year.short_label,
                        str(line.done),
                        "" if line.percent_on_time is None else f"{line.percent_on_time}%",
                        ""
                        if line.percent_within_extension is None
                        else f"{line.percent_within_extension}%",
                        "" if line.median_working_days is None else f"{line.median_working_days:g}",
                    ]
                    for line in trend.years
                ],
                caption=f"{rule.name}: within {rule.offset_label}",
            )
        )
    return documents.Document(
        title=f"{pack.title}: {pack.period.label}",
        lines=[pack.partnership.name, _produced(pack, today)],
        blocks=blocks,
        subject=pack.title,
        keywords="annual report, figures, safeguarding reviews",
    )
