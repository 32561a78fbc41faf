"""What every generated file must be, read back with the libraries a reader's tools use: a PDF
is tagged PDF/UA-1 with its title and language (pypdf), a Word file has real heading styles,
table header rows and core properties (python-docx). Used by the tests of every builder."""

import io
from collections import Counter
from dataclasses import dataclass

from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader


@dataclass
class PdfFacts:
    title: str
    language: str
    text: str  # every page, whitespace collapsed
    structure: Counter  # structure element types (H1, P, Table, TH, TD, ...) and their counts
    cells_without_headers: int  # data cells (TD) not linked to a header cell
    cells_with_wrong_headers: int  # data cells linked to another column's (or row's) header


def _kids(node) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    kids = kids if isinstance(kids, list) else [kids]
    # An integer is a marked-content id (the text itself), not a structure element.
    return [kid.get_object() for kid in kids if hasattr(kid.get_object(), "keys")]


def _check_table(table, facts: dict) -> None:
    """Each data cell must point at the header of its own column (or of its own row): WeasyPrint
    names header cells "<table>-<row>-<column>"."""
    rows = []
    for kid in _kids(table):
        if kid.get("/S") == "/TR":
            rows.append(kid)
        elif kid.get("/S") in ("/THead", "/TBody", "/TFoot"):
            rows += [row for row in _kids(kid) if row.get("/S") == "/TR"]
    running: dict[int, int] = {}  # column -> rows still covered by a cell above (RowSpan)
    for i, row in enumerate(rows):
        covered = {column for column, left in running.items() if left > 0}
        running = {column: left - 1 for column, left in running.items() if left > 1}
        j = -1
        for cell in _kids(row):
            j += 1
            while j in covered:
                j += 1
            attributes = cell.get("/A", {})
            if int(attributes.get("/RowSpan", 1)) > 1:
                running[j] = int(attributes["/RowSpan"]) - 1
            if cell.get("/S") != "/TD":
                continue
            headers = [str(h).split("-")[1:] for h in cell.get("/A", {}).get("/Headers", [])]
            if not headers:
                facts["cells_without_headers"] += 1
            elif not all(int(hj) == j or int(hi) == i for hi, hj in headers):
                facts["cells_with_wrong_headers"] += 1


def _structure(node, counts: Counter, facts: dict) -> None:
    node = node.get_object()
    kind = node.get("/S")
    if kind is not None:
        counts[str(kind).lstrip("/")] += 1
        if kind == "/Table":
            _check_table(node, facts)
    for kid in _kids(node):
        _structure(kid, counts, facts)


def assert_accessible_pdf(data: bytes, *, title: str, language: str = "en-GB") -> PdfFacts:
    """Assert that ``data`` is a tagged, accessible PDF (PDF/UA-1) titled ``title`` in
    ``language``, and return what it holds."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True  # tagged PDF
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == language
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == title
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp  # declares PDF/UA-1
    counts: Counter = Counter()
    facts = {"cells_without_headers": 0, "cells_with_wrong_headers": 0}
    _structure(catalog["/StructTreeRoot"], counts, facts)
    assert counts["Document"] == 1 and counts["H1"] == 1  # the title is the one first-level heading
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert " ".join(title.split()) in text
    return PdfFacts(
        title=reader.metadata.title,
        language=str(catalog["/Lang"]),
        text=text,
        structure=counts,
        cells_without_headers=facts["cells_without_headers"],
        cells_with_wrong_headers=facts["cells_with_wrong_headers"],
    )


@dataclass
class DocxFacts:
    document: object  # the python-docx Document
    headings: list[tuple[str, str]]  # (style name, text) of the title and every heading
    table_headers: list[list[str]]  # each table's repeated header row ([] if it has none)


def docx_facts(data: bytes, *, title: str) -> DocxFacts:
    """Assert that ``data`` is a Word file titled ``title`` (core property and "Title" style)
    in British English, and return its outline and table header rows."""
    document = Document(io.BytesIO(data))
    properties = document.core_properties
    assert properties.title == title
    assert properties.language == "en-GB"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}").get(qn("w:val")) == (
        "en-GB"
    )
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name == "Title" or p.style.name.startswith("Heading ")
    ]
    assert headings[0] == ("Title", title)
    table_headers = []
    for table in document.tables:
        first = table.rows[0]
        repeated = first._tr.trPr is not None and first._tr.trPr.find(qn("w:tblHeader")) is not None
        table_headers.append([cell.text for cell in first.cells] if repeated else [])
    return DocxFacts(document=document, headings=headings, table_headers=table_headers)
