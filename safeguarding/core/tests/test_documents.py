"""The shared document builder: one model, written as Word and as tagged PDF/UA-1."""

import io

import pytest
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from pypdf import PdfReader

from safeguarding.core import documents
from safeguarding.core.documents import (
    BulletList,
    Cell,
    Document,
    Heading,
    PageBreak,
    Paragraph,
    Span,
    SummaryList,
    Table,
)

from .document_checks import assert_accessible_pdf, docx_facts

TITLE = "Rapid review: Child Q (RR2026-00001)"


def every_block() -> Document:
    return Document(
        title=TITLE,
        lines=["Testshire Safeguarding Partnership", Span("OFFICIAL-SENSITIVE", bold=True)],
        blocks=[
            Heading("About the case"),
            SummaryList(
                [("Case", "Child Q (CS2026-00001)"), ("Attendees", "Police\nHealth")],
                caption="The case",
            ),
            Heading("Summary of the facts"),
            Paragraph(["Police attended ", Span("twice", bold=True), " in March."]),
            Heading("Agency involvement", level=2),
            BulletList(["Police visited the home", "The school saw Child Q"]),
            Paragraph("Recorded from the agency summaries.", secondary=True),
            PageBreak(),
            Heading("Immediate actions"),
            Table(
                ["Date", "Agency", "Action"],
                [
                    ["4 March 2026", "Testshire Police", "Safety plan for the sibling."],
                    ["5 March 2026", "Testshire Health", Cell(["Health visit.", "Booked."])],
                ],
                caption="Actions taken before the meeting",
                widths=(1, 1, 3),
            ),
        ],
        subject="Summary and outcome of the rapid review",
        keywords="rapid review",
    )


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


# PDF -------------------------------------------------------------------------------------------


def test_every_pdf_is_tagged_pdf_ua_with_its_title_language_and_structure():
    data = documents.pdf_bytes(every_block())

    facts = assert_accessible_pdf(data, title=TITLE)

    # Headings keep their levels under the title; lists, tables, captions are real structure.
    assert facts.structure["H2"] == 3 and facts.structure["H3"] == 1
    assert facts.structure["L"] == 1 and facts.structure["LI"] == 2
    assert facts.structure["Table"] == 2 and facts.structure["Caption"] == 2
    assert facts.structure["THead"] == 1
    assert facts.structure["TH"] == 3 + 2  # column headers, and the summary list's row headers
    assert facts.structure["TD"] == 6 + 2
    # Every data cell is linked to the header of its column (or, in a summary list, its row).
    assert facts.cells_without_headers == 0 and facts.cells_with_wrong_headers == 0
    for expected in (
        "Testshire Safeguarding Partnership",
        "OFFICIAL-SENSITIVE",
        "Police attended twice in March.",
        "Police visited the home",
        "Actions taken before the meeting",
        "Safety plan for the sibling.",
        "Health visit.",
    ):
        assert expected in facts.text, expected
    reader = pdf_reader(data)
    assert len(reader.pages) == 2  # the page break
    assert "Immediate actions" in reader.pages[1].extract_text()
    assert reader.metadata.author == documents.AUTHOR
    assert reader.metadata.subject == "Summary and outcome of the rapid review"


def test_a_pdf_in_another_language_says_so():
    data = documents.pdf_bytes(Document(title="Adolygiad", language="cy", blocks=[]))
    assert assert_accessible_pdf(data, title="Adolygiad", language="cy").language == "cy"


def test_a_landscape_pdf_has_landscape_pages():
    data = documents.pdf_bytes(Document(title="Wide", landscape=True, compact=True))
    box = pdf_reader(data).pages[0].mediabox
    assert box.width > box.height


def test_text_that_looks_like_markup_is_written_as_text():
    document = Document(
        title="A <b>bold</b> title",
        blocks=[Paragraph("<script>alert(1)</script> & <img src=x>")],
    )
    facts = assert_accessible_pdf(documents.pdf_bytes(document), title="A <b>bold</b> title")
    assert "<script>alert(1)</script> & <img src=x>" in facts.text
    assert "<script>" not in documents.html(document)


def test_links_go_only_to_web_pages_and_email():
    document = Document(
        title="Links",
        blocks=[
            Paragraph(Span("Read it", href="https://example.org/review")),
            Paragraph(Span("Run it", href="javascript:alert(1)")),
        ],
    )
    page = documents.html(document)
    assert "href='https://example.org/review'" in page
    assert "javascript" not in page and "Run it" in page
    reader = pdf_reader(documents.pdf_bytes(document))
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for annotation in reader.pages[0].get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert uris == ["https://example.org/review"]


# Word ------------------------------------------------------------------------------------------


def test_every_word_file_has_heading_styles_table_headers_and_core_properties():
    data = documents.docx_bytes(every_block())

    facts = docx_facts(data, title=TITLE)

    assert facts.headings == [
        ("Title", TITLE),
        ("Heading 1", "About the case"),
        ("Heading 1", "Summary of the facts"),
        ("Heading 2", "Agency involvement"),
        ("Heading 1", "Immediate actions"),
    ]
    # The summary list has no header row; the table's header row repeats on every page.
    assert facts.table_headers == [[], ["Date", "Agency", "Action"]]
    word = facts.document
    header_runs = [run for cell in word.tables[1].rows[0].cells for run in cell.paragraphs[0].runs]
    assert header_runs and all(run.bold for run in header_runs)
    key_runs = word.tables[0].rows[0].cells[0].paragraphs[0].runs
    assert [run.text for run in key_runs] == ["Case"] and key_runs[0].bold
    assert [[c.text for c in row.cells] for row in word.tables[1].rows[1:]] == [
        ["4 March 2026", "Testshire Police", "Safety plan for the sibling."],
        ["5 March 2026", "Testshire Health", "Health visit.\nBooked."],
    ]
    bullets = [p.text for p in word.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Police visited the home", "The school saw Child Q"]
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert captions == ["The case", "Actions taken before the meeting"]
    caption = word.tables[1]._tbl.tblPr.find(qn("w:tblCaption"))
    assert caption.get(qn("w:val")) == "Actions taken before the meeting"
    assert word.paragraphs[1].text == "Testshire Safeguarding Partnership"
    assert word.paragraphs[2].runs[0].bold
    assert 'w:type="page"' in word.element.body.xml

    properties = word.core_properties
    assert properties.author == documents.AUTHOR
    assert properties.last_modified_by == documents.AUTHOR
    assert properties.subject == "Summary and outcome of the rapid review"
    assert properties.keywords == "rapid review"
    assert properties.comments == ""
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4


def test_a_landscape_word_file_turns_the_a4_page():
    data = documents.docx_bytes(Document(title="Wide", landscape=True, compact=True))
    section = WordDocument(io.BytesIO(data)).sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_a_cell_running_down_merges_in_word_and_looks_merged_in_the_pdf():
    document = Document(
        title="Action plan",
        blocks=[
            Table(
                ["Recommendation", "Action", "Impact"],
                [
                    [Cell(["1. Share concerns"], rowspan=2), "1.1 Brief", Cell(["Audit"], 2)],
                    ["1.2 Guide"],
                    ["2. Record absences", "2.1 Policy", "Survey"],
                ],
            )
        ],
    )
    table = WordDocument(io.BytesIO(documents.docx_bytes(document))).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows == [
        ["1. Share concerns", "1.1 Brief", "Audit"],
        ["1. Share concerns", "1.2 Guide", "Audit"],
        ["2. Record absences", "2.1 Policy", "Survey"],
    ]
    assert table.rows[1].cells[0]._tc is table.rows[2].cells[0]._tc  # one merged cell
    # In the PDF it looks merged (no rule under it) but is a cell per row, each under its own
    # column header (WeasyPrint 70 tags the cells after a rowspan with the wrong headers).
    page = documents.html(document)
    assert "rowspan" not in page and page.count("class='runs-on'") == 2
    facts = assert_accessible_pdf(documents.pdf_bytes(document), title="Action plan")
    assert facts.structure["TD"] == 9
    assert facts.cells_without_headers == 0 and facts.cells_with_wrong_headers == 0
    assert facts.text.count("1. Share concerns") == 1


def test_a_word_file_can_carry_an_identifier_and_another_author():
    data = documents.docx_bytes(
        Document(title="Form", author="Testshire Partnership", identifier="form:cspr:v1")
    )
    properties = WordDocument(io.BytesIO(data)).core_properties
    assert properties.identifier == "form:cspr:v1"
    assert properties.author == "Testshire Partnership"


# Both ------------------------------------------------------------------------------------------

CONTROL = "".join(chr(code) for code in range(32) if code not in (9, 10, 13))


def test_control_characters_are_removed_from_everything_written():
    dirty = f"Bell{CONTROL}note"
    document = Document(
        title=f"Title {dirty}",
        lines=[dirty],
        blocks=[
            Heading(dirty),
            Paragraph([dirty, Span(dirty, bold=True), Span(dirty, href=f"https://e.org/{dirty}")]),
            BulletList([dirty]),
            SummaryList([(dirty, dirty)], caption=dirty),
            Table([dirty], [[dirty], [Cell([dirty, dirty])]], caption=dirty),
        ],
        author=dirty,
        subject=dirty,
        keywords=dirty,
        identifier=dirty,
    )

    word = WordDocument(io.BytesIO(documents.docx_bytes(document)))  # python-docx would refuse
    assert word.core_properties.title == "Title Bellnote"
    text = "\n".join(p.text for p in word.paragraphs) + "".join(
        cell.text for table in word.tables for row in table.rows for cell in row.cells
    )
    assert "Bellnote" in text and not any(char in text for char in CONTROL)

    facts = assert_accessible_pdf(documents.pdf_bytes(document), title="Title Bellnote")
    assert "Bellnote" in facts.text and not any(char in facts.text for char in CONTROL)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_document_bytes_writes_the_format_asked_for(fmt):
    data = documents.document_bytes(Document(title="Either"), fmt)
    assert data.startswith(b"PK" if fmt == "docx" else b"%PDF-")
    assert documents.CONTENT_TYPES[fmt] in (documents.DOCX, documents.PDF)


def test_a_table_over_several_pages_repeats_its_header_and_keeps_every_cell_under_it():
    rows = [[f"Entry {n}", "Testshire Police", "Visit " * 30] for n in range(60)]
    document = Document(title="Long", blocks=[Table(["Entry", "Agency", "Event"], rows)])

    data = documents.pdf_bytes(document)

    facts = assert_accessible_pdf(data, title="Long")
    pages = len(pdf_reader(data).pages)
    assert pages > 1
    # WeasyPrint 70 writes one Table element per page, each with its header row.
    assert facts.structure["Table"] == facts.structure["THead"] == pages
    assert facts.structure["TD"] == 60 * 3
    assert facts.cells_without_headers == facts.cells_with_wrong_headers == 0
    for page in pdf_reader(data).pages[1:]:
        assert page.extract_text().split()[:3] == ["Entry", "Agency", "Event"]
