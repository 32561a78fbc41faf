"""The terms of reference as a file (Word, or an accessible PDF: the shared writers in
``core.documents``): the review's terms as headed paragraphs, naming people by their pseudonyms
only."""

from safeguarding.core import documents

from ..models import Review
from .selectors import terms_facts

CONTENT_TYPES = documents.CONTENT_TYPES


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


def terms_document(review: Review) -> documents.Document:
    """The terms of reference as a document for the shared writers (Word, and PDF/UA)."""
    blocks: list[documents.Block] = []
    for heading, paragraphs in terms_sections(review):
        blocks.append(documents.Heading(heading))
        blocks += [documents.Paragraph(text) for text in paragraphs]
    return documents.Document(
        title=f"Terms of reference: {review.title}",
        lines=[review.partnership.name],
        blocks=blocks,
        subject="Terms of reference",
    )


def terms_document_build(*, review: Review, fmt: str) -> bytes:
    """The terms of reference of ``review`` as a "docx" or "pdf" file."""
    return documents.document_bytes(terms_document(review), fmt)
