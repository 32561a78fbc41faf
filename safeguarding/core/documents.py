"""One document model and its two writers: Word (python-docx) and accessible PDF (WeasyPrint).

A builder (the rapid review report, the terms of reference, the chronology, the action plan, a
learning digest, the referral form, the demo files) describes *what* a document says as a
``Document``: a title, its language, a few lines under the title, and a list of blocks
(headings, paragraphs, bulleted lists, summary lists, tables, page breaks). ``docx_bytes`` and
``pdf_bytes`` decide *how* it looks, the same way for every document:

- Word: the title in the "Title" style and headings in the built-in "Heading n" styles (so the
  navigation pane and screen readers find them), the header row of a table repeated on every
  page, A4 paper, the document language on every run, and core properties (title, author,
  language, subject, keywords).
- PDF: tagged PDF/UA-1 (WeasyPrint ``pdf_variant="pdf/ua-1"``), from HTML with ``lang``,
  ``<title>``, real headings, ``<th scope>`` and captions, so the file has a structure tree,
  ``/MarkInfo``, ``/Lang``, a ``/Title`` that viewers show (``DisplayDocTitle``).

Every string is written through ``core.text.printable`` here, so builders need not clean text
themselves: a control character pasted from another system cannot break a file.

Heading levels count from the top-level sections: the title is above level 1. In Word the title
is "Title" and a level-1 heading "Heading 1"; in the PDF the title is ``<h1>`` and a level-1
heading ``<h2>``.
"""

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape

from .text import printable

AUTHOR = "Manage safeguarding reviews"
LANGUAGE = "en-GB"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
CONTENT_TYPES = {"docx": DOCX, "pdf": PDF}


# The model ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A piece of a paragraph with its own emphasis, or a link (``href``)."""

    text: str
    bold: bool = False
    italic: bool = False
    small: bool = False
    href: str = ""


Inline = str | Span
Content = Inline | Sequence[Inline]  # the words of one paragraph; "\n" is a line break


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: a top-level section (the title is above it)


@dataclass(frozen=True)
class Paragraph:
    content: Content
    secondary: bool = False  # a caption or fine print: smaller and grey


@dataclass(frozen=True)
class BulletList:
    items: Sequence[Content]


@dataclass(frozen=True)
class Cell:
    """A table cell of one or more paragraphs, optionally running down over later rows."""

    paragraphs: Sequence[Content]
    rowspan: int = 1


CellContent = Content | Cell


@dataclass(frozen=True)
class SummaryList:
    """Key and value pairs: a two-column table whose keys are row headers."""

    rows: Sequence[tuple[CellContent, CellContent]]
    caption: str = ""
    widths: Sequence[float] = ()  # relative widths of the two columns


@dataclass(frozen=True)
class Table:
    """A table with a header row (repeated on every page). A cell with ``rowspan`` covers the
    same column of the rows below it, which then leave that column out (as in HTML)."""

    header: Sequence[str]
    rows: Sequence[Sequence[CellContent]]
    caption: str = ""
    widths: Sequence[float] = ()  # relative widths of the columns


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | BulletList | SummaryList | Table | PageBreak


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    lines: Sequence[Content] = ()  # under the title: who it is from, when, how to handle it
    language: str = LANGUAGE
    author: str = AUTHOR
    subject: str = ""
    keywords: str = ""
    identifier: str = ""  # Word only: the core property "identifier"
    landscape: bool = False
    compact: bool = False  # smaller type and margins, for wide tables


def _spans(content: Content) -> list[Span]:
    if isinstance(content, str | Span):
        content = [content]
    spans = []
    for part in content:
        span = Span(part) if isinstance(part, str) else part
        if not span.text:
            continue
        spans.append(
            Span(
                printable(span.text),
                bold=span.bold,
                italic=span.italic,
                small=span.small,
                href=_safe_href(span.href),
            )
        )
    return spans


def _safe_href(href: str) -> str:
    """Links only to web pages and email addresses: nothing a reader would run."""
    href = printable((href or "").strip())
    if href.startswith(("https://", "http://", "mailto:")):
        return href
    return ""


def _cell(content: CellContent) -> Cell:
    return content if isinstance(content, Cell) else Cell([content])


def _widths(widths: Sequence[float], columns: int) -> list[float]:
    if len(widths) != columns or not all(w > 0 for w in widths):
        return [1 / columns] * columns
    total = sum(widths)
    return [w / total for w in widths]


@dataclass(frozen=True)
class _Place:
    cell: Cell
    top: bool  # the cell's own row (False: a row it runs down over)
    below: int  # how many rows of the cell are below this one


def _grid(rows: Sequence[Sequence[CellContent]], columns: int) -> list[list[_Place | None]]:
    """Each row as ``columns`` places: a cell, a cell running down from above, or nothing."""
    grid: list[list[_Place | None]] = []
    running: dict[int, tuple[Cell, int]] = {}  # column -> the cell above, rows it still covers
    for index, row in enumerate(rows):
        places: list[_Place | None] = []
        contents = iter(row)
        for column in range(columns):
            if column in running:
                cell, left = running.pop(column)
                places.append(_Place(cell, top=False, below=left - 1))
                if left > 1:
                    running[column] = (cell, left - 1)
                continue
            content = next(contents, None)
            if content is None:
                places.append(None)
                continue
            cell = _cell(content)
            below = min(max(cell.rowspan, 1), len(rows) - index) - 1
            places.append(_Place(cell, top=True, below=below))
            if below:
                running[column] = (cell, below)
        grid.append(places)
    return grid


# Word --------------------------------------------------------------------------------------------

_A4 = (210, 297)  # millimetres


def docx_bytes(document: Document) -> bytes:
    """``document`` as a Word file (.docx)."""
    from docx import Document as WordDocument
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    word = WordDocument()
    _docx_properties(word, document)
    _docx_language(word, document.language)
    section = word.sections[0]
    width, height = _A4
    if document.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = Mm(width), Mm(height)
    margin = Mm(15 if document.compact else 25)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, margin)
    if document.compact:
        word.styles["Normal"].font.size = Pt(9)
    usable = section.page_width - section.left_margin - section.right_margin
    writer = _DocxWriter(word, usable_width=usable, compact=document.compact)

    word.add_heading(printable(document.title), level=0)
    for line in document.lines:
        writer.paragraph(Paragraph(line))
    pending_break = False
    for block in document.blocks:
        if isinstance(block, PageBreak):
            pending_break = True
            continue
        if pending_break:
            word.add_page_break()
            pending_break = False
        writer.block(block)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _docx_properties(word, document: Document) -> None:
    properties = word.core_properties
    now = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0, tzinfo=None)
    properties.title = printable(document.title)
    properties.author = printable(document.author)
    properties.last_modified_by = printable(document.author)
    properties.language = document.language
    properties.subject = printable(document.subject)
    properties.keywords = printable(document.keywords)
    properties.identifier = printable(document.identifier)
    properties.comments = ""
    properties.created = properties.modified = now
    properties.revision = 1


def _docx_language(word, language: str) -> None:
    """The document's language on every run (the default run properties), so Word's
    spelling and screen readers use it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = word.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), language)


class _DocxWriter:
    def __init__(self, word, *, usable_width: int, compact: bool):
        from docx.shared import Pt, RGBColor

        self.word = word
        self.usable_width = usable_width
        self.small = Pt(8 if compact else 9)
        self.grey = RGBColor(0x48, 0x49, 0x49)

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            self.word.add_heading(printable(block.text), level=min(max(block.level, 1), 9))
        elif isinstance(block, Paragraph):
            self.paragraph(block)
        elif isinstance(block, BulletList):
            for item in block.items:
                self.runs(self.word.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, SummaryList):
            self.summary_list(block)
        elif isinstance(block, Table):
            self.table(block)

    def paragraph(self, block: Paragraph) -> None:
        paragraph = self.word.add_paragraph()
        self.runs(paragraph, block.content, secondary=block.secondary)

    def runs(self, paragraph, content: Content, *, secondary: bool = False, bold=False) -> None:
        for span in _spans(content):
            if span.href:
                self.hyperlink(paragraph, span.href, span.text)
                continue
            run = paragraph.add_run(span.text)
            if span.bold or bold:
                run.bold = True
            if span.italic:
                run.italic = True
            if span.small or secondary:
                run.font.size = self.small
            if secondary:
                run.font.color.rgb = self.grey

    def hyperlink(self, paragraph, url: str, text: str) -> None:
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
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), "1D70B8")
        properties.append(colour)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.append(underline)
        run.append(properties)
        text_element = OxmlElement("w:t")
        text_element.text = text
        text_element.set(qn("xml:space"), "preserve")
        run.append(text_element)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)

    def fill(self, cell, content: Cell, *, bold: bool = False) -> None:
        for index, paragraph_content in enumerate(content.paragraphs):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            self.runs(paragraph, paragraph_content, bold=bold)

    def new_table(self, columns: int, widths: Sequence[float], caption: str):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        if caption:
            self.word.add_paragraph(printable(caption), style="Caption")
        table = self.word.add_table(rows=0, cols=columns)
        table.style = "Table Grid"
        for column, share in zip(table.columns, _widths(widths, columns), strict=True):
            column.width = int(self.usable_width * share)  # add_row copies it to each cell
        if caption:
            title = OxmlElement("w:tblCaption")  # the table's alternative text title
            title.set(qn("w:val"), printable(caption))
            table._tbl.tblPr.append(title)
        return table

    def summary_list(self, block: SummaryList) -> None:
        table = self.new_table(2, block.widths or (1, 2), block.caption)
        for key, value in block.rows:
            key_cell, value_cell = table.add_row().cells
            key = _cell(key)
            self.fill(key_cell, key, bold=all(isinstance(p, str) for p in key.paragraphs))
            self.fill(value_cell, _cell(value))

    def table(self, block: Table) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        columns = len(block.header)
        table = self.new_table(columns, block.widths, block.caption)
        header = table.add_row()
        repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        for cell, text in zip(header.cells, block.header, strict=True):
            self.fill(cell, Cell([text]), bold=True)

        grid = _grid(block.rows, columns)
        rows_cells = [table.add_row().cells for _ in grid]
        for row_index, row in enumerate(grid):  # merge first: a merge moves content up
            for column, place in enumerate(row):
                if place is not None and place.top and place.below:
                    last = rows_cells[row_index + place.below][column]
                    rows_cells[row_index][column].merge(last)
        for cells, row in zip(rows_cells, grid, strict=True):
            for cell, place in zip(cells, row, strict=True):
                if place is not None and place.top:
                    self.fill(cell, place.cell)


# PDF ---------------------------------------------------------------------------------------------


def _style(document: Document) -> str:
    size = "A4 landscape" if document.landscape else "A4"
    margin = "12mm" if document.compact else "2cm"
    font = "8pt" if document.compact else "11pt"
    return (
        f"@page{{size:{size};margin:{margin}}}"
        f"body{{font-family:sans-serif;font-size:{font};line-height:1.4;color:#0b0c0c}}"
        "h1{font-size:1.8em;margin:0 0 6pt}h2{font-size:1.3em;margin:16pt 0 4pt}"
        "h3{font-size:1.1em;margin:12pt 0 4pt}h4,h5,h6{font-size:1em;margin:10pt 0 4pt}"
        "h2,h3,h4,h5,h6{break-after:avoid}"
        "p{margin:0 0 6pt}.meta{color:#484949;margin:0 0 2pt}"
        ".secondary{color:#484949;font-size:.9em;margin:0}.small{font-size:.85em}"
        "ul{margin:0 0 6pt;padding-left:1.5em}"
        "table{border-collapse:collapse;width:100%;margin:0 0 10pt}"
        "caption{caption-side:top;text-align:left;font-weight:bold;padding:0 0 4pt}"
        "th,td{border:1px solid #b1b4b6;padding:2pt 4pt;text-align:left;vertical-align:top}"
        "thead th{background:#f3f2f1}thead{display:table-header-group}"
        "tr{break-inside:avoid}td p,th p{margin:0 0 2pt}"
        "td.runs-on{border-bottom-style:hidden}td.run-on{border-top-style:hidden}"
        "a{color:#1d70b8}.page-break{break-before:page}"
    )


def _html_inline(content: Content) -> str:
    parts = []
    for span in _spans(content):
        text = escape(span.text).replace("\n", "<br>")
        if span.bold:
            text = f"<strong>{text}</strong>"
        if span.italic:
            text = f"<em>{text}</em>"
        if span.small:
            text = f"<span class='small'>{text}</span>"
        if span.href:
            text = f"<a href='{escape(span.href)}'>{text}</a>"
        parts.append(text)
    return "".join(parts)


def _html_place(place: "_Place | None") -> str:
    """A table cell. WeasyPrint 70 links the cells after a ``rowspan`` to the wrong column
    headers in the tagged PDF, so a cell running down is written as itself and empty cells below
    it with no rule between them: it looks merged, and every cell keeps its own header."""
    if place is None:
        return "<td></td>"
    classes = " ".join(
        name
        for name, wanted in (("runs-on", bool(place.below)), ("run-on", not place.top))
        if wanted
    )
    attributes = f" class='{classes}'" if classes else ""
    if not place.top:
        return f"<td{attributes}></td>"
    return _html_cell("td", place.cell, attributes)


def _html_cell(tag: str, content: Cell, attributes: str = "") -> str:
    if len(content.paragraphs) == 1:
        inner = _html_inline(content.paragraphs[0])
    else:
        inner = "".join(f"<p>{_html_inline(p)}</p>" for p in content.paragraphs)
    return f"<{tag}{attributes}>{inner}</{tag}>"


def _html_caption(caption: str) -> str:
    return f"<caption>{escape(printable(caption))}</caption>" if caption else ""


def _html_block(block: Block, page_break: bool) -> str:
    attributes = " class='page-break'" if page_break else ""
    if isinstance(block, Heading):
        level = min(max(block.level, 1) + 1, 6)
        return f"<h{level}{attributes}>{escape(printable(block.text))}</h{level}>"
    if isinstance(block, Paragraph):
        if block.secondary:
            attributes = f" class='secondary{' page-break' if page_break else ''}'"
        return f"<p{attributes}>{_html_inline(block.content)}</p>"
    if isinstance(block, BulletList):
        items = "".join(f"<li>{_html_inline(item)}</li>" for item in block.items)
        return f"<ul{attributes}>{items}</ul>"
    if isinstance(block, SummaryList):
        rows = "".join(
            "<tr>"
            + _html_cell("th", _cell(key), " scope='row'")
            + _html_cell("td", _cell(value))
            + "</tr>"
            for key, value in block.rows
        )
        return (
            f"<table{attributes}>{_html_caption(block.caption)}"
            f"{_html_colgroup(block.widths, 2)}<tbody>{rows}</tbody></table>"
        )
    if isinstance(block, Table):
        head = "".join(f"<th scope='col'>{escape(printable(text))}</th>" for text in block.header)
        rows = "".join(
            "<tr>" + "".join(_html_place(place) for place in row) + "</tr>"
            for row in _grid(block.rows, len(block.header))
        )
        return (
            f"<table{attributes}>{_html_caption(block.caption)}"
            f"{_html_colgroup(block.widths, len(block.header))}"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )
    return ""


def _html_colgroup(widths: Sequence[float], columns: int) -> str:
    if not widths:
        return ""
    shares = _widths(widths, columns)
    return (
        "<colgroup>"
        + "".join(f"<col style='width:{share * 100:.1f}%'>" for share in shares)
        + "</colgroup>"
    )


def html(document: Document) -> str:
    """``document`` as the accessible HTML the PDF is made from."""
    head = [
        "<meta charset='utf-8'>",
        f"<title>{escape(printable(document.title))}</title>",
        f"<meta name='author' content='{escape(printable(document.author))}'>",
    ]
    if document.subject:
        head.append(f"<meta name='description' content='{escape(printable(document.subject))}'>")
    if document.keywords:
        head.append(f"<meta name='keywords' content='{escape(printable(document.keywords))}'>")
    head.append(f"<style>{_style(document)}</style>")
    body = [f"<h1>{escape(printable(document.title))}</h1>"]
    body += [f"<p class='meta'>{_html_inline(line)}</p>" for line in document.lines]
    page_break = False
    for block in document.blocks:
        if isinstance(block, PageBreak):
            page_break = True
            continue
        body.append(_html_block(block, page_break))
        page_break = False
    return (
        f"<!DOCTYPE html><html lang='{escape(document.language)}'><head>{''.join(head)}</head>"
        f"<body>{''.join(body)}</body></html>"
    )


def pdf_bytes(document: Document) -> bytes:
    """``document`` as a tagged, accessible PDF (PDF/UA-1)."""
    from weasyprint import HTML

    return HTML(string=html(document)).write_pdf(pdf_variant="pdf/ua-1")


def document_bytes(document: Document, fmt: str) -> bytes:
    """``document`` as a "docx" or "pdf" file."""
    writers = {"docx": docx_bytes, "pdf": pdf_bytes}
    return writers[fmt](document)
