"""Small real documents (PDF and Word) for demo data, benchmarks and tests."""

import io

from django.utils.html import escape

from safeguarding.core.text import printable


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    from docx import Document

    title, paragraphs = printable((title, paragraphs))
    document = Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(title: str, paragraphs: list[str]) -> bytes:
    from weasyprint import HTML

    title, paragraphs = printable((title, paragraphs))
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        "<html><head><style>body{font-family:sans-serif}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf()
