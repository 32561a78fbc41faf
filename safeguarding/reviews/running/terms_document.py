"""The terms of reference as a file (.docx with python-docx, .pdf with WeasyPrint): the review's
terms as headed paragraphs, naming people by their pseudonyms only."""

import io

from django.template.loader import render_to_string

from safeguarding.core.text import printable

from ..models import Review
from .selectors import terms_facts

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def terms_sections(review: Review) -> list[tuple[str, list[str]]]:
    """The terms of reference as headed paragraphs: pseudonyms only, never real names."""
    facts = terms_facts(review=review)

    def lines(text: str) -> list[str]:
        return [p.strip() for p in (text or "").split("\n") if p.strip()] or ["Not yet agreed."]

    period = (
        f"{review.scope_start:%-d %B %Y} to {review.scope_end:%-d %B %Y}"
        if review.scope_start and review.scope_end
        else "Not yet agreed."
    )
    roles = [
        f"{a.get_role_display()}: {a.name}"
        + (f", {a.organisation}" if a.organisation else "")
        + (" (independent)" if a.independent else "")
        for a in facts["appointments"]
    ]
    return [
        (
            "Review",
            [
                f"{review.reference}: {review.title} ({review.get_kind_display()})",
                "Review types: "
                + (", ".join(t.get_review_type_display() for t in facts["tracks"]) or "None"),
            ],
        ),
        (
            "People in the review",
            [f"{p.pseudonym}: {p.get_role_in_case_display()}" for p in facts["people"]]
            or ["Not yet recorded."],
        ),
        ("Period under review", [period]),
        ("Agencies in scope", [a.name for a in facts["agencies"]] or ["Not yet agreed."]),
        ("Key lines of enquiry", lines(review.key_lines_of_enquiry)),
        ("Methodology", lines(review.methodology)),
        ("Family involvement", lines(review.family_involvement_plan)),
        ("Timescale", lines(review.timescale)),
        ("Parallel processes", lines(review.parallel_processes)),
        ("Reviewers, chair and panel", roles or ["Not yet appointed."]),
    ]


def terms_document_build(*, review: Review, fmt: str) -> bytes:
    """The terms of reference of ``review`` as a "docx" or "pdf" file."""
    title, partnership_name, sections = printable(
        (f"Terms of reference: {review.title}", review.partnership.name, terms_sections(review))
    )
    if fmt == "docx":
        from docx import Document

        document = Document()
        document.add_heading(title, level=1)
        document.add_paragraph(partnership_name)
        for heading, paragraphs in sections:
            document.add_heading(heading, level=2)
            for text in paragraphs:
                document.add_paragraph(text)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    from weasyprint import HTML

    html = render_to_string(
        "reviews/review/terms_document.html",
        {"title": title, "partnership_name": partnership_name, "sections": sections},
    )
    return HTML(string=html).write_pdf()
