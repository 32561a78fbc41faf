"""Checking uploaded files by their content, not their name or the browser's label."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


PDF = FileKind("pdf", "PDF", (".pdf",), "application/pdf")
DOCX = FileKind(
    "docx",
    "Word document",
    (".docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = FileKind(
    "xlsx",
    "Excel spreadsheet",
    (".xlsx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
ODT = FileKind("odt", "OpenDocument text", (".odt",), "application/vnd.oasis.opendocument.text")
KINDS = {kind.code: kind for kind in (PDF, DOCX, XLSX, ODT)}


def detect_kind(uploaded) -> FileKind | None:
    """What the file really is, from its bytes. None if it is none of the accepted kinds."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
                mimetype = (
                    archive.read("mimetype").decode("ascii", "replace").strip()
                    if "mimetype" in names
                    else ""
                )
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return None
        finally:
            uploaded.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
        if mimetype == ODT.content_type:
            return ODT
    return None


def validate_upload(uploaded, *, allowed: tuple[FileKind, ...], max_bytes: int | None = None):
    """Return the file's kind, or raise a ValidationError that says plainly what is wrong."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    labels = [kind.label for kind in allowed]
    names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
    if uploaded.size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    if uploaded.size > max_bytes:
        raise ValidationError(
            f"The selected file must be smaller than {filesizeformat(max_bytes)}", code="too_big"
        )
    kind = detect_kind(uploaded)
    if kind is None or kind not in allowed:
        raise ValidationError(f"The selected file must be a {names}", code="wrong_type")
    name = (uploaded.name or "").lower()
    if not name.endswith(kind.extensions):
        raise ValidationError(
            f"The selected file is a {kind.label} but its name does not end in "
            f"{' or '.join(kind.extensions)}. Rename it and try again",
            code="name_mismatch",
        )
    return kind
