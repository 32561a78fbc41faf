"""Checking uploaded files by their content, not their name or the browser's label; and the
limits on unpacking and reading them (decompression bombs).

Word, Excel and OpenDocument files are zip archives. A small one can unpack to far more than
its size (a 0.7 MB .docx held 95 MB of text and took 1.4 GB of memory to read):
``check_archive`` reads only the archive's directory and refuses such a file before anything
parses it. ``ParseBudget`` and ``BoundedPart`` then bound the reading itself: a deadline, a number
of characters and a number of bytes per part, so that no file can exhaust the server.
"""

import time
import zipfile
import zlib
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
ZIP_KINDS = (DOCX, XLSX, ODT)


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
                mimetype = ""
                if "mimetype" in names:
                    with archive.open("mimetype") as member:  # a few bytes, however big it says
                        mimetype = member.read(100).decode("ascii", "replace").strip()
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            RuntimeError,
            EOFError,
            NotImplementedError,
        ):
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


def validate_upload(
    uploaded,
    *,
    allowed: tuple[FileKind, ...],
    max_bytes: int | None = None,
    max_unpacked_bytes: int | None = None,
):
    """Return the file's kind, or raise a ValidationError that says plainly what is wrong.

    Every upload goes through here (or, for chronologies, through ``check_archive`` directly):
    a Word, Excel or OpenDocument file is refused if it would unpack to too much."""
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
    if kind in ZIP_KINDS:
        check_archive(uploaded, max_unpacked_bytes=max_unpacked_bytes)
    name = (uploaded.name or "").lower()
    if not name.endswith(kind.extensions):
        raise ValidationError(
            f"The selected file is a {kind.label} but its name does not end in "
            f"{' or '.join(kind.extensions)}. Rename it and try again",
            code="name_mismatch",
        )
    return kind


# Decompression bombs ---------------------------------------------------------------------------

TOO_LARGE_UNPACKED = "The file is too large when unpacked"
TOO_LARGE_TO_READ = "The file is too large to read"
# Parts this small are not checked for their compression ratio: they cannot hurt, and short
# repetitive XML (styles, an empty sheet) compresses far better than text.
RATIO_GRACE_BYTES = 1024 * 1024
# The first bytes of archives and compressed files, which have no place inside an upload
# (except Office's own embedded documents, checked like the file itself).
_ARCHIVE_SIGNATURES = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",  # gzip
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"7z\xbc\xaf\x27\x1c",  # 7-Zip
    b"Rar!\x1a\x07",  # RAR
)


class UnpackLimitExceeded(ValidationError):
    """An upload would unpack to too much, or takes too long to read: refused, nothing kept."""

    def __init__(self, message: str):
        super().__init__(message, code="too_big_unpacked")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.3g} MB"


def check_archive(uploaded, *, max_unpacked_bytes: int | None = None) -> None:
    """Refuse a zip-based file (.docx, .xlsx, .odt) that would unpack to more than
    ``UPLOAD_MAX_UNPACKED_BYTES`` in all, whose parts (or the whole) unpack to more than
    ``UPLOAD_MAX_COMPRESSION_RATIO`` times their packed size, that has more than
    ``UPLOAD_MAX_ARCHIVE_MEMBERS`` parts, or that holds another archive. Reads the zip's
    central directory (and the first bytes of each part), never the contents: the sizes it
    declares are what Python's zipfile will unpack at most. Raises UnpackLimitExceeded."""
    limit = max_unpacked_bytes or settings.UPLOAD_MAX_UNPACKED_BYTES
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            _check_members(archive, limit=limit, nested=False)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
        raise ValidationError(
            "The selected file is damaged and cannot be opened. Open it, save it again and "
            "upload it again",
            code="damaged",
        ) from None
    finally:
        uploaded.seek(0)


def _check_members(archive: zipfile.ZipFile, *, limit: int, nested: bool) -> tuple[int, int]:
    """(unpacked, packed) bytes of every part, refusing as ``check_archive`` says."""
    ratio = settings.UPLOAD_MAX_COMPRESSION_RATIO
    members = archive.infolist()
    if len(members) > settings.UPLOAD_MAX_ARCHIVE_MEMBERS:
        raise UnpackLimitExceeded(
            f"{TOO_LARGE_UNPACKED}: it holds more than "
            f"{settings.UPLOAD_MAX_ARCHIVE_MEMBERS:,} parts. Save it again from Word or Excel "
            "and upload it again"
        )
    unpacked = packed = 0
    for info in members:
        unpacked += info.file_size
        packed += info.compress_size
        if unpacked > limit:
            raise UnpackLimitExceeded(
                f"{TOO_LARGE_UNPACKED}: it would take up more than {_megabytes(limit)}. "
                "Remove large pictures, or split it into smaller files, and upload each one"
            )
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > ratio * max(
            info.compress_size, 1
        ):
            raise _ratio_error(ratio)
        if info.is_dir() or info.flag_bits & 0x1:  # folders; encrypted parts cannot be read
            continue
        with archive.open(info) as member:
            head = member.read(8)
        if head.startswith(_ARCHIVE_SIGNATURES):
            if nested or "/embeddings/" not in f"/{info.filename}" or not head.startswith(b"PK"):
                raise UnpackLimitExceeded(
                    f"{TOO_LARGE_UNPACKED}: it holds another compressed file "
                    f"({info.filename[-80:]}). Remove it, save the file again and upload it again"
                )
            # A chart's data or an object embedded in Word or Excel: an Office file of its own,
            # checked the same way (its parts count towards the limits), one level only.
            with archive.open(info) as member, zipfile.ZipFile(member) as inner:
                inner_unpacked, _ = _check_members(inner, limit=limit - unpacked, nested=True)
            unpacked += inner_unpacked
    if unpacked > RATIO_GRACE_BYTES and unpacked > ratio * max(packed, 1):
        raise _ratio_error(ratio)
    return unpacked, packed


def _ratio_error(ratio: int) -> UnpackLimitExceeded:
    return UnpackLimitExceeded(
        f"{TOO_LARGE_UNPACKED}: it unpacks to more than {ratio:,} times its size, which a real "
        "document does not. Save it again from Word or Excel and upload it again"
    )


class ParseBudget:
    """How long reading one uploaded file may take and how much text it may give.

    Readers call ``tick()`` in their loops and ``take(n)`` for the characters they keep; either
    raises UnpackLimitExceeded when the budget is spent, so a file too big to read fails with a
    clear message instead of exhausting the server."""

    def __init__(self, *, seconds: float | None = None, characters: int | None = None):
        self.seconds = settings.UPLOAD_PARSE_SECONDS if seconds is None else seconds
        self.deadline = time.monotonic() + self.seconds
        self.characters = settings.UPLOAD_MAX_TEXT_CHARACTERS if characters is None else characters
        self.characters_left = self.characters

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnpackLimitExceeded(
                f"{TOO_LARGE_TO_READ}: it took more than {self.seconds:g} seconds to read. "
                "Split it into smaller files and upload each one"
            )

    def take(self, characters: int) -> None:
        self.characters_left -= characters
        if self.characters_left < 0:
            raise UnpackLimitExceeded(
                f"{TOO_LARGE_TO_READ}: it holds more than {self.characters:,} characters of "
                "text. Split it into smaller files and upload each one"
            )
        self.tick()


class BoundedPart:
    """A part of a zip archive to read as a stream (for ``lxml.etree.iterparse``), stopping
    with UnpackLimitExceeded after ``max_bytes`` or when ``budget``'s time is up."""

    def __init__(self, archive: zipfile.ZipFile, part: str, *, max_bytes: int, budget):
        self.max_bytes = max_bytes
        self.budget = budget
        self.read_bytes = 0
        self._member = archive.open(part)

    def read(self, size: int = -1) -> bytes:
        self.budget.tick()
        data = self._member.read(size if size and size > 0 else 64 * 1024)
        self.read_bytes += len(data)
        if self.read_bytes > self.max_bytes:
            raise UnpackLimitExceeded(
                f"{TOO_LARGE_UNPACKED}: a part of it is larger than {_megabytes(self.max_bytes)}"
            )
        return data

    def close(self) -> None:
        self._member.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
