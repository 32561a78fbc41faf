"""The rapid review report ("Summary and outcome of the rapid review", docs/rules.md
§rapid-review), built from the
recorded data as a Word document (python-docx) and a PDF (WeasyPrint).

It names the case by its pseudonym and reference only: real identities are never read here."""

import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import escape

from safeguarding.core.text import printable

from ..models import Review
from ..requests.selectors import immediate_action_list, latest_summaries
from ..requests.services import rapid_review_deadline

NOT_RECORDED = "Not recorded yet"


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: list[list[str]] | None = None  # first row is the header
    subsections: list["Section"] = field(default_factory=list)


def _date(value) -> str:
    return f"{value:%-d %B %Y}" if value else NOT_RECORDED


def _paragraphs(text: str) -> list[str]:
    parts = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    return parts or [NOT_RECORDED]


def report_title(review: Review) -> str:
    return f"Rapid review: {review.case.pseudonym} ({review.reference})"


def report_filename(review: Review, extension: str) -> str:
    return f"rapid-review-{review.reference}.{extension}"


def build_sections(review: Review) -> list[Section]:
    case = review.case
    summaries = latest_summaries(review=review)
    actions = immediate_action_list(review=review)
    sections = [
        Section(
            "About the case",
            table=[
                ["Item", "Detail"],
                ["Partnership", review.partnership.name],
                ["Case", f"{case.pseudonym} ({case.reference})"],
                ["Rapid review reference", review.reference],
                ["Partnership became aware", _date(case.became_aware_on)],
                ["Rapid review due (15 working days, R9)", _date(rapid_review_deadline(review))],
                ["Rapid review meeting", _date(review.meeting_held_on)],
                ["Attendees", review.meeting_attendees or NOT_RECORDED],
            ],
        ),
        Section("Summary of the facts", _paragraphs(review.facts_summary)),
    ]
    involvement = Section("Agency involvement")
    if not summaries:
        involvement.paragraphs.append("No agency was asked for a summary.")
    for request, latest in summaries:
        sub = Section(request.agency.name)
        if latest is None:
            sub.paragraphs.append(f"No summary returned (due {_date(request.due_on)}).")
        else:
            sub.paragraphs.append(
                f"Agency summary version {latest.version}, returned {_date(latest.submitted_at)}."
            )
            for label, text in (
                ("Involvement", latest.involvement),
                ("What went well", latest.went_well),
                ("Concerns", latest.concerns),
                ("Immediate actions taken", latest.immediate_actions),
            ):
                if text.strip():
                    sub.paragraphs.append(f"{label}: {text.strip()}")
        involvement.subsections.append(sub)
    sections.append(involvement)
    if actions:
        sections.append(
            Section(
                "Immediate actions",
                table=[["Date", "Agency", "Action"]]
                + [
                    [_date(a.taken_on), a.agency.name if a.agency else "", a.action]
                    for a in actions
                ],
            )
        )
    else:
        sections.append(Section("Immediate actions", ["No immediate actions were recorded."]))
    sections += [
        Section("Learning and good practice identified", _paragraphs(review.learning_identified)),
        Section(
            "Recommendation",
            [review.get_recommendation_display() if review.recommendation else NOT_RECORDED]
            + (
                _paragraphs(review.recommendation_rationale)
                if review.recommendation_rationale
                else []
            ),
        ),
        Section("View on national importance", _paragraphs(review.national_importance_view)),
        Section(
            "National Panel",
            [
                f"Sent to the National Panel: {_date(review.panel_submitted_on)}.",
                f"Panel's response: {_date(review.panel_response_on)}.",
            ]
            + (_paragraphs(review.panel_response) if review.panel_response else []),
        ),
    ]
    return sections


def _generated_line() -> str:
    return (
        f"Produced on {timezone.localdate():%-d %B %Y} from the recorded data. Official-Sensitive."
    )


def _content(review: Review) -> tuple[str, str, list[Section]]:
    """(title, partnership, sections) as both files show them, without control characters."""
    return printable((report_title(review), review.partnership.name, build_sections(review)))


def docx_bytes(review: Review) -> bytes:
    from docx import Document

    title, partnership_name, sections = _content(review)
    document = Document()
    document.add_heading(title, level=0)
    document.add_paragraph(partnership_name)
    document.add_paragraph(_generated_line())

    def add(section: Section, level: int) -> None:
        document.add_heading(section.heading, level=level)
        for text in section.paragraphs:
            document.add_paragraph(text)
        if section.table:
            table = document.add_table(rows=0, cols=len(section.table[0]))
            table.style = "Table Grid"
            for row in section.table:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value
        for sub in section.subsections:
            add(sub, level + 1)

    for section in sections:
        add(section, 1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _html(review: Review) -> str:
    title, partnership_name, sections = _content(review)
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(partnership_name)}</p>",
        f"<p class='meta'>{escape(_generated_line())}</p>",
    ]

    def add(section: Section, level: int) -> None:
        parts.append(f"<h{level}>{escape(section.heading)}</h{level}>")
        parts.extend(f"<p>{escape(text)}</p>" for text in section.paragraphs)
        if section.table:
            head, *rows = section.table
            parts.append("<table><thead><tr>")
            parts.extend(f"<th>{escape(h)}</th>" for h in head)
            parts.append("</tr></thead><tbody>")
            for row in rows:
                parts.append("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>")
            parts.append("</tbody></table>")
        for sub in section.subsections:
            add(sub, min(level + 1, 4))

    for section in sections:
        add(section, 2)
    style = (
        "body{font-family:sans-serif;font-size:11pt}"
        "table{border-collapse:collapse;width:100%}"
        "th,td{border:1px solid #555;padding:4px;text-align:left;vertical-align:top}"
        ".meta{color:#444;font-size:9pt}"
    )
    return (
        f"<html lang='en'><head><meta charset='utf-8'><title>{escape(title)}"
        f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )


def pdf_bytes(review: Review) -> bytes:
    from weasyprint import HTML

    return HTML(string=_html(review)).write_pdf()
