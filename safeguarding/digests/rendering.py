"""A digest issue as a document: the same content for the public page, the PDF (WeasyPrint,
tagged for screen readers) and the Word file (python-docx), so the three never differ.

Item text follows the rules of the ``govuk_text`` filter: blank lines separate paragraphs, and
a block whose lines all start with "- " is a bulleted list.
"""

import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

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


# PDF ------------------------------------------------------------------------------------------

_STYLE = (
    "@page{size:A4;margin:2cm}"
    "body{font-family:sans-serif;font-size:11pt;line-height:1.4;color:#0b0c0c}"
    "h1{font-size:20pt;margin:0 0 6pt}h2{font-size:14pt;margin:18pt 0 4pt}"
    ".caption{color:#484949;font-size:10pt;margin:0}"
    ".meta{color:#484949;font-size:10pt}"
    "a{color:#1d70b8}"
)


def _html_blocks(text: str) -> str:
    parts = []
    for kind, lines in text_blocks(text):
        if kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>")
        else:
            parts.append("<p>" + "<br>".join(escape(x) for x in lines) + "</p>")
    return "".join(parts)


def html(document: DigestDocument) -> str:
    parts = [
        f"<h1>{escape(document.title)}</h1>",
        f"<p class='meta'>{escape(document.partnership_name)}. Covers {escape(document.period)}."
        f" Published {escape(document.published)}.</p>",
        _html_blocks(document.introduction),
    ]
    for entry in document.items:
        parts.append(f"<p class='caption'>{escape(entry.kind_label)}</p>")
        parts.append(f"<h2>{escape(entry.heading)}</h2>")
        parts.append(_html_blocks(entry.text))
        for link in entry.links:
            parts.append(
                f"<p>{escape(link.label)}: <a href='{escape(link.url)}'>{escape(link.url)}</a></p>"
            )
    return (
        f"<html lang='en-GB'><head><meta charset='utf-8'><title>{escape(document.title)}</title>"
        f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )


def pdf_bytes(document: DigestDocument) -> bytes:
    from weasyprint import HTML

    return HTML(string=html(document)).write_pdf(pdf_variant="pdf/ua-1")


# Word -----------------------------------------------------------------------------------------


def _add_hyperlink(paragraph, url: str, text: str) -> None:
    """A real link in a Word paragraph (python-docx has no call for it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "1D70B8")
    properties.append(colour)
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


def _docx_blocks(doc, text: str) -> None:
    for kind, lines in text_blocks(text):
        if kind == "ul":
            for line in lines:
                doc.add_paragraph(line, style="List Bullet")
        else:
            doc.add_paragraph("\n".join(lines))


def docx_bytes(document: DigestDocument) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = document.title
    doc.core_properties.author = document.partnership_name
    doc.core_properties.language = "en-GB"
    doc.add_heading(document.title, level=0)
    doc.add_paragraph(
        f"{document.partnership_name}. Covers {document.period}. Published {document.published}."
    )
    _docx_blocks(doc, document.introduction)
    for entry in document.items:
        doc.add_paragraph(entry.kind_label)
        doc.add_heading(entry.heading, level=1)
        _docx_blocks(doc, entry.text)
        for link in entry.links:
            paragraph = doc.add_paragraph(f"{link.label}: ")
            _add_hyperlink(paragraph, link.url, link.url)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
