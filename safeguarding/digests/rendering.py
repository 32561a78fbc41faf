"""A digest issue as a document: the same content for the public page, the PDF (tagged PDF/UA
for screen readers) and the Word file (both by the shared writers, ``core.documents``), so the
three never differ.

Item text follows the rules of the ``govuk_text`` filter: blank lines separate paragraphs, and
a block whose lines all start with "- " is a bulleted list.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.core import documents
from safeguarding.core.text import printable

from .models import DigestIssue, DigestItem
from .proposals import day
from .selectors import record_path


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    external: bool = False


@dataclass
class RenderedItem:
    item: DigestItem
    heading: str
    kind_label: str
    text: str
    links: list[Link] = field(default_factory=list)


@dataclass
class DigestDocument:
    issue: DigestIssue
    title: str
    partnership_name: str
    period: str
    published: str
    introduction: str
    items: list[RenderedItem]


def absolute(url: str, base_url: str) -> str:
    """A path on this service made absolute (for files and emails read elsewhere)."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{base_url.rstrip('/')}{url}"
    return url


def public_url(name: str, base_url: str, *args) -> str:
    """The absolute address of a public digest page (``base_url``, else the service's own)."""
    return absolute(reverse(name, args=args), base_url or settings.SERVICE_URL)


def period_text(issue: DigestIssue) -> str:
    return f"{day(issue.period_start)} to {day(issue.period_end)}"


def document_title(issue: DigestIssue) -> str:
    return f"Learning digest {issue.number}: {issue.title}"


def filename(issue: DigestIssue, extension: str) -> str:
    return f"{issue.partnership.slug}-learning-digest-{issue.number}.{extension}"


def item_links(item: DigestItem, *, slug: str, base_url: str = "") -> list[Link]:
    links = []
    path = record_path(item, slug)
    if path:
        links.append(Link("Read the record in our library", absolute(path, base_url)))
    if item.link:
        external = not item.link.startswith("/")
        label = "Read the review" if item.kind != DigestItem.Kind.OTHER else "Find out more"
        links.append(Link(label, absolute(item.link, base_url), external=external))
    return links


def build_document(issue: DigestIssue, items: list[DigestItem], *, base_url: str = ""):
    slug = issue.partnership.slug
    published = issue.published_at or timezone.now()
    document = DigestDocument(
        issue=issue,
        title=document_title(issue),
        partnership_name=issue.partnership.name,
        period=period_text(issue),
        published=day(timezone.localdate(published)),
        introduction=issue.introduction,
        items=[
            RenderedItem(
                item=item,
                heading=item.heading,
                kind_label=item.get_kind_display(),
                text=item.text,
                links=item_links(item, slug=slug, base_url=base_url),
            )
            for item in items
        ],
    )
    return printable(document)  # what the page, the PDF and the Word file show


def text_blocks(text: str) -> list[tuple[str, list[str]]]:
    """("p", lines) and ("ul", points), as ``govuk_text`` shows them."""
    blocks = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(("ul", [line[2:].strip() for line in lines]))
        else:
            blocks.append(("p", lines))
    return blocks


# Files ----------------------------------------------------------------------------------------


def _text(text: str) -> list[documents.Block]:
    return [
        documents.BulletList(lines) if kind == "ul" else documents.Paragraph("\n".join(lines))
        for kind, lines in text_blocks(text)
    ]


def file_document(document: DigestDocument) -> documents.Document:
    """The issue as a document for the shared writers (Word, and PDF/UA)."""
    blocks = _text(document.introduction)
    for entry in document.items:
        blocks.append(documents.Paragraph(entry.kind_label, secondary=True))
        blocks.append(documents.Heading(entry.heading))
        blocks += _text(entry.text)
        for link in entry.links:
            blocks.append(
                documents.Paragraph([f"{link.label}: ", documents.Span(link.url, href=link.url)])
            )
    return documents.Document(
        title=document.title,
        lines=[
            f"{document.partnership_name}. Covers {document.period}. "
            f"Published {document.published}."
        ],
        blocks=blocks,
        author=document.partnership_name,
        subject="Learning digest",
    )


def pdf_bytes(document: DigestDocument) -> bytes:
    """The issue as a tagged, accessible PDF (PDF/UA-1)."""
    return documents.pdf_bytes(file_document(document))


def docx_bytes(document: DigestDocument) -> bytes:
    return documents.docx_bytes(file_document(document))
