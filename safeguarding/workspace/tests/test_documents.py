"""The demo files are made by the shared document builder: a tagged PDF/UA-1 and a Word file."""

from safeguarding.core.tests.document_checks import assert_accessible_pdf, docx_facts
from safeguarding.workspace.documents import docx_bytes, pdf_bytes


def test_the_demo_pdf_is_tagged_and_titled():
    facts = assert_accessible_pdf(
        pdf_bytes("Practice briefing", ["Fictional text.", "A second paragraph."]),
        title="Practice briefing",
    )
    assert "Fictional text. A second paragraph." in facts.text
    assert facts.structure["P"] >= 2


def test_the_demo_word_file_has_its_title_and_paragraphs():
    facts = docx_facts(
        docx_bytes("Practice briefing", ["Fictional text."]), title="Practice briefing"
    )
    assert [p.text for p in facts.document.paragraphs] == ["Practice briefing", "Fictional text."]
