"""Decompression bombs for tests and bench/upload_bomb.py: small, valid files that unpack to a
great deal. Each is written in a stream (never the whole text in memory) and takes well under
a second to make for the sizes the tests use.
"""

import io
import re
import zipfile

PARAGRAPH = "Paragraph {n}: the family was seen at home by the health visitor, as agreed."


def _stream(archive: zipfile.ZipFile, name: str, head: bytes, item: str, tail: bytes, size: int):
    """Write ``head``, then ``item`` (with ``{n}`` counting 0 to 199) until ``size`` bytes, then
    ``tail``, as one compressed member."""
    with archive.open(name, "w", force_zip64=True) as member:
        member.write(head)
        block = "".join(item.format(n=n) for n in range(200)).encode()
        written = len(head)
        while written < size:
            member.write(block)
            written += len(block)
        member.write(tail)


def _copy_except(source: bytes, target: zipfile.ZipFile, skip: str) -> str:
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        for info in archive.infolist():
            if info.filename != skip:
                target.writestr(info.filename, archive.read(info.filename))
        return archive.read(skip).decode()


def docx_bomb(unpacked_bytes: int) -> bytes:
    """A valid Word document whose word/document.xml holds about ``unpacked_bytes`` of
    paragraphs (95 MB of it compresses to about 0.7 MB)."""
    from safeguarding.workspace.documents import docx_bytes

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        xml = _copy_except(docx_bytes("Report", ["Start."]), archive, "word/document.xml")
        head, rest = xml.split("<w:body>", 1)
        tail = rest[rest.index("<w:sectPr") :]
        _stream(
            archive,
            "word/document.xml",
            (head + "<w:body>").encode(),
            f"<w:p><w:r><w:t>{PARAGRAPH}</w:t></w:r></w:p>",
            tail.encode(),
            unpacked_bytes,
        )
    return buffer.getvalue()


def xlsx_bomb(unpacked_bytes: int, headings: list[str]) -> bytes:
    """A valid workbook: ``headings`` in row 1, then rows of inline text until the first sheet
    holds about ``unpacked_bytes``."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(headings)
    made = io.BytesIO()
    workbook.save(made)
    sheet_name = "xl/worksheets/sheet1.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        xml = _copy_except(made.getvalue(), archive, sheet_name)
        xml = re.sub(r"<dimension [^>]*/>", "", xml)  # no declared size: read every row
        end = xml.index("</sheetData>")
        row = (
            '<row><c t="inlineStr"><is><t>14/03/2025</t></is></c><c t="inlineStr"><is><t>'
            + PARAGRAPH
            + "</t></is></c></row>"
        )
        _stream(archive, sheet_name, xml[:end].encode(), row, xml[end:].encode(), unpacked_bytes)
    return buffer.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from its numbered objects (1 is the catalogue), with a correct cross-reference."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_many_pages(pages: int) -> bytes:
    """A small PDF of ``pages`` pages: the page tree refers to one page object again and again
    (in groups of 1,000, as an array may not be endless)."""
    group = 1_000
    groups = -(-pages // group)
    # 1 catalogue, 2 root page tree, 3 page, 4 content, 5 font, 6.. the groups
    content = b"BT /F1 12 Tf 72 720 Td (A page of a fictional report.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (6 + g) for g in range(groups))
        + b"] /Count %d >>" % pages,
        b"<< /Type /Page /Parent 6 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        _FONT,
    ]
    for g in range(groups):
        count = min(group, pages - g * group)
        objects.append(
            b"<< /Type /Pages /Parent 2 0 R /Kids [" + b"3 0 R " * count + b"] /Count %d >>" % count
        )
    return _pdf(objects)


def pdf_text_bomb(unpacked_bytes: int) -> bytes:
    """A one-page PDF whose compressed content stream unpacks to about ``unpacked_bytes`` of
    text-showing operators."""
    import zlib

    line = b"(" + PARAGRAPH.format(n=7).encode() + b") Tj T*\n"
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(b"BT /F1 12 Tf 14 TL 72 720 Td\n")]
    block = line * 1_000
    written = 0
    while written < unpacked_bytes:
        chunks.append(compressor.compress(block))
        written += len(block)
    chunks.append(compressor.compress(b"ET"))
    chunks.append(compressor.flush())
    stream = b"".join(chunks)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        _FONT,
    ]
    return _pdf(objects)


def pdf_drawn_form(times: int, lines: int) -> bytes:
    """A one-page PDF whose page draws, ``times`` times, a form that shows ``lines`` lines."""
    import zlib

    form = (
        b"BT /F1 12 Tf 14 TL 72 720 Td\n"
        + (b"(" + PARAGRAPH.format(n=7).encode() + b") Tj T*\n") * lines
        + b"ET"
    )
    packed = zlib.compress(form, 9)
    content = b"/X1 Do\n" * times
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        _FONT,
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Length %d /Filter /FlateDecode "
        b"/Resources << /Font << /F1 5 0 R >> >> >>\nstream\n"
        % len(packed)
        + packed
        + b"\nendstream",
    ]
    return _pdf(objects)
