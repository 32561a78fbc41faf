"""Small real documents (PDF and Word) for demo data, benchmarks and tests, written by the shared
document builder (``core.documents``: the PDF is tagged PDF/UA-1 like every other)."""

from safeguarding.core import documents


def _document(title: str, paragraphs: list[str]) -> documents.Document:
    return documents.Document(
        title=title, blocks=[documents.Paragraph(text) for text in paragraphs]
    )


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    return documents.docx_bytes(_document(title, paragraphs))


def pdf_bytes(title: str, paragraphs: list[str]) -> bytes:
    return documents.pdf_bytes(_document(title, paragraphs))
