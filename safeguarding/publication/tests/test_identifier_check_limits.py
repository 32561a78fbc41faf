"""The identity check reads within limits: a bomb is refused before it is read, a Word file's
XML is read as a stream with a cap on the characters kept and on the time taken, and a PDF's
pages and streams are capped. Real files, made in the test."""

import time

import pytest

from safeguarding.core.tests import bombs
from safeguarding.publication.identifier_check import (
    Identifiers,
    TooLargeToRead,
    UnreadableFile,
    check_file,
    read_document,
)
from safeguarding.workspace.documents import docx_bytes

MB = 1024 * 1024


def _timed_refusal(data: bytes) -> tuple[str, float]:
    started = time.process_time()
    with pytest.raises(TooLargeToRead) as refused:
        read_document(data)
    return refused.value.message, time.process_time() - started


def test_a_docx_bomb_is_refused_before_it_is_read():
    message, seconds = _timed_refusal(bombs.docx_bomb(60 * MB))
    assert message.startswith("The file is too large when unpacked: it would take up more than")
    assert seconds < 2.0


def test_text_past_the_character_limit_stops_the_streamed_reading(settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 100_000  # let the bomb past the first check
    settings.UPLOAD_MAX_TEXT_CHARACTERS = 200_000
    message, seconds = _timed_refusal(bombs.docx_bomb(20 * MB))
    assert message == (
        "The file is too large to read: it holds more than 200,000 characters of text. Split "
        "it into smaller files and upload each one"
    )
    assert seconds < 2.0  # stopped after about 0.6 MB of the 20 MB


def test_reading_stops_at_the_deadline(settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 100_000
    settings.UPLOAD_PARSE_SECONDS = 0.05
    message, seconds = _timed_refusal(bombs.docx_bomb(40 * MB))
    assert message.startswith("The file is too large to read: it took more than 0.05 seconds")
    assert seconds < 2.0


def test_a_long_real_document_is_still_read_whole_and_checked():
    paragraphs = [f"Paragraph {n} of the fictional report." for n in range(4_000)]
    paragraphs[3_500] = "The school nurse spoke to Zebedee Quillfeather."
    data = docx_bytes("Report", paragraphs)
    text = "".join(read_document(data).pages)
    assert text.count("of the fictional report.") == 3_999
    findings = check_file(data, Identifiers(names=("Zebedee Quillfeather",)))
    assert [f.text for f in findings] == ["Zebedee Quillfeather"]


def test_a_pdf_with_more_pages_than_can_be_checked_is_refused_at_once(settings):
    data = bombs.pdf_many_pages(3_000)
    message, seconds = _timed_refusal(data)
    assert message == (
        "The file is too large to check: it has 3,000 pages and the most that can be checked "
        "is 2,000. Split it into smaller files and upload each one"
    )
    assert seconds < 2.0
    settings.UPLOAD_MAX_PDF_PAGES = 3_000
    assert len(read_document(bombs.pdf_many_pages(20)).pages) == 20


def test_a_pdf_page_that_unpacks_to_megabytes_of_text_is_refused_at_once():
    data = bombs.pdf_text_bomb(60 * MB)
    assert len(data) < MB
    message, seconds = _timed_refusal(data)
    assert message.startswith("The file is too large when unpacked: a page holds far more")
    assert seconds < 3


def test_a_bomb_is_still_an_unreadable_file_for_the_callers_that_know_only_that():
    with pytest.raises(UnreadableFile, match="too large when unpacked"):
        read_document(bombs.docx_bomb(60 * MB))


def test_a_page_showing_more_text_than_a_real_page_is_refused_before_its_text_is_read():
    data = bombs.pdf_text_bomb(7 * MB)  # under pypdf's stream limits: 200 s to read before
    message, seconds = _timed_refusal(data)
    assert message == (
        "The file is too large to check: page 1 holds far more text than a real page does. "
        "Save it again as a PDF and upload it again"
    )
    assert seconds < 3


def test_a_form_drawn_again_and_again_counts_each_time_it_is_drawn():
    message, seconds = _timed_refusal(bombs.pdf_drawn_form(times=150, lines=1_000))
    assert "page 1 holds far more text than a real page does" in message
    assert seconds < 2.0
    document = read_document(bombs.pdf_drawn_form(times=3, lines=20))
    assert document.pages[0].count("the family was seen at home") == 60
