"""Decompression bombs refused by core.uploads before anything reads them, and the budgets that
bound the reading of what is let through. Real files, made in the test."""

import io
import random
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from safeguarding.core.tests import bombs
from safeguarding.core.uploads import (
    DOCX,
    ODT,
    PDF,
    XLSX,
    BoundedPart,
    ParseBudget,
    UnpackLimitExceeded,
    check_archive,
    validate_upload,
)

MB = 1024 * 1024


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    """A real .docx of about 0.4 MB whose text unpacks to 60 MB."""
    return bombs.docx_bomb(60 * MB)


def _refused(data: bytes, name: str, allowed=(PDF, DOCX, XLSX, ODT), **limits) -> str:
    with pytest.raises(UnpackLimitExceeded) as refused:
        validate_upload(SimpleUploadedFile(name, data), allowed=allowed, **limits)
    return refused.value.messages[0]


def test_a_docx_bomb_is_refused_from_its_directory_at_once_and_in_little_memory(docx_bomb):
    assert len(docx_bomb) < 1 * MB
    with zipfile.ZipFile(io.BytesIO(docx_bomb)) as archive:
        assert archive.getinfo("word/document.xml").file_size > 60 * MB
    tracemalloc.start()
    started = time.process_time()
    message = _refused(docx_bomb, "report.docx")
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert message == (
        "The file is too large when unpacked: it would take up more than 50 MB. Remove large "
        "pictures, or split it into smaller files, and upload each one"
    )
    assert seconds < 1.0
    assert peak < 2 * MB


def test_a_part_that_unpacks_to_more_than_100_times_its_size_is_refused(settings):
    data = bombs.docx_bomb(10 * MB)  # under 50 MB in all, but about 1,000 times smaller packed
    message = _refused(data, "report.docx")
    assert message.startswith(
        "The file is too large when unpacked: it unpacks to more than 100 times its size"
    )
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10_000
    assert validate_upload(SimpleUploadedFile("report.docx", data), allowed=(DOCX,)) == DOCX


def test_the_limits_come_from_the_settings(settings, sample_docx):
    settings.UPLOAD_MAX_UNPACKED_BYTES = 20_000
    message = _refused(sample_docx, "form.docx")
    assert "more than 0.0191 MB" in message
    settings.UPLOAD_MAX_UNPACKED_BYTES = 50 * MB
    settings.UPLOAD_MAX_ARCHIVE_MEMBERS = 5
    assert "it holds more than 5 parts" in _refused(sample_docx, "form.docx")


def _with_member(source: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in original.infolist():
            archive.writestr(info.filename, original.read(info.filename))
        archive.writestr(name, content)
    return buffer.getvalue()


def test_an_archive_inside_the_file_is_refused(sample_docx):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("a.txt", "text")
    data = _with_member(sample_docx, "word/media/hidden.zip", inner.getvalue())
    assert _refused(data, "report.docx") == (
        "The file is too large when unpacked: it holds another compressed file "
        "(word/media/hidden.zip). Remove it, save the file again and upload it again"
    )
    gzipped = _with_member(sample_docx, "word/media/image.png", b"\x1f\x8b\x08" + b"\x00" * 20)
    assert "holds another compressed file" in _refused(gzipped, "report.docx")


def test_a_chart_workbook_embedded_in_word_is_checked_like_the_file_itself(sample_docx):
    from safeguarding.reviews.chronology import parser as chronology

    workbook = chronology.template_xlsx(["Child A"])
    chart = _with_member(sample_docx, "word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook)
    assert validate_upload(SimpleUploadedFile("report.docx", chart), allowed=(DOCX,)) == DOCX

    inner_bomb = bombs.xlsx_bomb(60 * MB, chronology.HEADINGS)
    hidden = _with_member(sample_docx, "word/embeddings/Sheet.xlsx", inner_bomb)
    assert _refused(hidden, "report.docx").startswith("The file is too large when unpacked")


def test_the_services_own_files_pass(sample_docx):
    from safeguarding.reviews.chronology import parser as chronology
    from safeguarding.workspace.documents import docx_bytes

    words = ["the", "family", "was", "seen", "at", "home", "by", "the", "health", "visitor"]
    rng = random.Random(7)
    paragraphs = [" ".join(rng.choice(words) for _ in range(60)) for _ in range(3_000)]
    long_report = docx_bytes("Report", paragraphs)  # a 2 MB document.xml, ratio about 6
    for data, name, kind in (
        (sample_docx, "form.docx", DOCX),
        (long_report, "report.docx", DOCX),
        (chronology.template_xlsx(["Child A", "Mother B"]), "chronology.xlsx", XLSX),
    ):
        assert validate_upload(SimpleUploadedFile(name, data), allowed=(kind,)) == kind


def test_a_huge_mimetype_member_is_not_read_to_find_the_kind():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("mimetype", "w", force_zip64=True) as member,
    ):
        member.write(ODT.content_type.encode())
        for _ in range(60):
            member.write(b" " * MB)
    tracemalloc.start()
    message = _refused(buffer.getvalue(), "notes.odt")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert message.startswith("The file is too large when unpacked")
    assert peak < 2 * MB


def test_a_damaged_archive_is_refused_plainly(sample_docx):
    broken = bytearray(sample_docx)
    start = broken.index(b"word/document.xml") + 40  # inside the local file's packed data
    broken[start : start + 200] = b"\x00" * 200
    with pytest.raises(ValidationError):
        check_archive(SimpleUploadedFile("report.docx", bytes(broken)))


def test_the_parse_budget_stops_at_its_deadline_and_its_characters():
    budget = ParseBudget(seconds=0.05, characters=10)
    budget.take(10)
    with pytest.raises(UnpackLimitExceeded, match="more than 10 characters"):
        budget.take(1)
    budget = ParseBudget(seconds=0.01, characters=10)
    time.sleep(0.02)
    with pytest.raises(UnpackLimitExceeded, match=r"took more than 0\.01 seconds"):
        budget.tick()


def test_a_bounded_part_stops_after_its_bytes(docx_bomb):
    with (
        zipfile.ZipFile(io.BytesIO(docx_bomb)) as archive,
        BoundedPart(archive, "word/document.xml", max_bytes=MB, budget=ParseBudget()) as stream,
        pytest.raises(UnpackLimitExceeded, match="a part of it is larger than 1 MB"),
    ):
        while stream.read(64 * 1024):
            pass
