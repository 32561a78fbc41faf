"""The rapid review report ("Summary and outcome of the rapid review", docs/rules.md
§rapid-review), built from the recorded data as a Word document and an accessible PDF (the
shared writers, ``core.documents``).

It names the case by its pseudonym and reference only: real identities are never read here."""

from dataclasses import dataclass, field

from django.utils import timezone

from safeguarding.core import documents

from ..models import Review
from ..requests.selectors import immediate_action_list, latest_summaries
from ..requests.services import rapid_review_expected

NOT_RECORDED = "Not recorded yet"
CONTENT_TYPES = documents.CONTENT_TYPES


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: list[list[str]] | None = None  # first row is the header
    summary: list[tuple[str, str]] | None = None  # (key, value) rows
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
    deadline, span = rapid_review_expected(case)
    sections = [
        Section(
            "About the case",
            summary=[
                ("Partnership", review.partnership.name),
                ("Case", f"{case.pseudonym} ({case.reference})"),
                ("Rapid review reference", review.reference),
                ("Partnership became aware", _date(case.became_aware_on)),
                (f"Rapid review due ({span}, R9)", _date(deadline)),
                ("Rapid review meeting", _date(review.meeting_held_on)),
                ("Attendees", review.meeting_attendees or NOT_RECORDED),
            ],
        ),
        Section("Summary of the facts", _paragraphs(review.facts_summary)),
    ]
    involvement = Section("Agency involvement")
    if not summaries:
        involvement.paragraphs.append("No agency was asked for a summary.")
    for request, latest in summaries:
        sub = Section(request.agency.name)
        if latest is None and request.is_nothing_to_return:
            sub.paragraphs.append(f"Nothing to return: {request.closure_reason}")
        elif latest is None:
            sub.paragraphs.append(f"No summary returned (due {_date(request.due_on)}).")
        else:
            sub.paragraphs.append(
                f"Agency summary version {latest.version}, returned {_date(latest.submitted_at)}."
                if not latest.recorded_on_behalf
                else f"Agency summary version {latest.version}, sent "
                f"{latest.get_received_via_display().lower()} by {latest.received_from_name} "
                f"and received {_date(latest.received_on)}."
            )
            for label, text in (
                ("Involvement", latest.involvement),
                ("What went well", latest.went_well),
                ("Concerns", latest.concerns),
                ("Immediate actions taken", latest.immediate_actions),
            ):
                if text.strip():
                    sub.paragraphs.append(f"{label}: {text.strip()}")
            if latest.attachment_name:
                sub.paragraphs.append(f"Attached file: {latest.attachment_name}")
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


def _blocks(section: Section, level: int) -> list[documents.Block]:
    blocks: list[documents.Block] = [documents.Heading(section.heading, level=level)]
    blocks += [documents.Paragraph(text) for text in section.paragraphs]
    if section.summary:
        blocks.append(documents.SummaryList(section.summary))
    if section.table:
        head, *rows = section.table
        blocks.append(documents.Table(head, rows))
    for sub in section.subsections:
        blocks += _blocks(sub, level + 1)
    return blocks


def report_document(review: Review) -> documents.Document:
    """The report as a document for the shared writers (Word, and PDF/UA)."""
    blocks = [block for section in build_sections(review) for block in _blocks(section, 1)]
    return documents.Document(
        title=report_title(review),
        lines=[review.partnership.name, _generated_line()],
        blocks=blocks,
        subject="Summary and outcome of the rapid review",
    )


def report_bytes(review: Review, fmt: str) -> bytes:
    """The report as a "docx" or "pdf" file."""
    return documents.document_bytes(report_document(review), fmt)
