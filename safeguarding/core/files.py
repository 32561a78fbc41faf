"""Stored files: where an upload is kept (``UploadPath``) and how every file is served
(``file_response``).

Every download goes through ``file_response``: a safe ``Content-Disposition`` (RFC 6266, with
``filename*`` for names that are not plain ASCII, and nothing a name could use to add a header),
``X-Content-Type-Options: nosniff``, and for staff files ``Cache-Control: no-store`` and one
audit event per download. Public files (published reports, the public page's documents, digest
files, the blank Word referral form) are not audited per download.

``core`` imports no other app, so the audit recorder is named by a setting
(``DOWNLOAD_AUDIT_RECORDER``, the audit app's ``audit_record``), as ``SIMILAR_LEARNING_FINDER``
names the library's finder. The action code is the calling app's, registered in its
``AppConfig`` as every other code is.
"""

import re
import unicodedata
import uuid
from pathlib import PurePath
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

# Longest download name offered to the browser (the stored name is never shown).
MAX_FILENAME_CHARS = 150
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._() -]+")


# Where uploads are kept -------------------------------------------------------------------------


@deconstructible
class UploadPath:
    """``upload_to`` for every stored file: ``<area>/<owner>/<random name><extension>``.

    ``area`` names the kind of file (``"agency-returns"``); ``owner`` is a dotted attribute of
    the instance that groups its files (``"request.review_id"``, ``"partnership.slug"``). The
    name is a random 128-bit hex string, so a stored file's path cannot be guessed; the
    original name is kept in the record, never in the path. Only a short lower-case extension
    is kept (``.pdf``, ``.docx``).
    """

    def __init__(self, area: str, owner: str):
        self.area = area
        self.owner = owner

    def __call__(self, instance: models.Model, filename: str) -> str:
        value: Any = instance
        for name in self.owner.split("."):
            value = getattr(value, name)
        suffix = PurePath(filename).suffix.lower()
        if not _SUFFIX.match(suffix):
            suffix = ""
        return f"{self.area}/{value}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadPath) and (self.area, self.owner) == (
            other.area,
            other.owner,
        )

    def __hash__(self) -> int:
        return hash((self.area, self.owner))


# Serving files ----------------------------------------------------------------------------------


def download_name(filename: str) -> str:
    """The name offered to the browser: no control characters, no folders, no quotes, not
    empty, at most MAX_FILENAME_CHARS characters (the extension kept)."""
    name = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char
        for char in unicodedata.normalize("NFC", str(filename))
    )
    name = re.sub(r'[\\/"]', "_", name)
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_FILENAME_CHARS:
        stem, suffix = PurePath(name).stem, PurePath(name).suffix[:11]
        name = stem[: MAX_FILENAME_CHARS - len(suffix)].rstrip() + suffix
    return name or "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="…"`` (or ``inline``), with ``filename*=UTF-8''…`` (RFC 6266 and
    RFC 5987) beside an ASCII fallback when the name is not plain ASCII."""
    name = download_name(filename)
    path = PurePath(name)
    suffix = path.suffix if _SUFFIX.match(path.suffix.lower()) else ""
    stem = name[: len(name) - len(suffix)]
    ascii_stem = "".join(
        char if char.isascii() else "" if unicodedata.combining(char) else "_"
        for char in unicodedata.normalize("NFKD", stem)
    )
    fallback = (_ASCII_UNSAFE.sub("_", ascii_stem).strip(" ._") or "download") + suffix
    header = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def _record_download(request: HttpRequest, *, action: str, target, partnership, payload) -> None:
    recorder = import_string(settings.DOWNLOAD_AUDIT_RECORDER)
    with transaction.atomic():
        recorder(
            action=action,
            actor=request.user,
            target=target,
            partnership=partnership,
            payload=payload or {},
        )


def file_response(
    request: HttpRequest,
    *,
    content: bytes | str | FieldFile | IO[bytes],
    filename: str,
    content_type: str,
    audit_action: str | None = None,
    target: models.Model | None = None,
    partnership: models.Model | None = None,
    payload: dict[str, Any] | None = None,
    public: bool = False,
    inline: bool = False,
) -> HttpResponse:
    """Serve ``content`` (bytes, text, a stored file, or an open binary file such as a large
    export written to a temporary file) as ``filename``. A file is streamed in chunks and
    closed when it has been sent.

    A staff file (``public=False``) needs ``audit_action``: the download is recorded (with
    ``target``, ``partnership`` and ``payload``) before the response is returned, and the
    response is never cached. A public file is served with the same headers, unaudited. A
    stored file that is missing from storage answers 404.
    """
    if not public and not audit_action:
        raise ValueError("A staff file is audited: give audit_action, or public=True")
    if isinstance(content, FieldFile):
        if not content:
            raise Http404("No such file")
        try:
            handle = content.open("rb")
        except (OSError, ValueError):
            raise Http404("No such file") from None
        response: HttpResponse = FileResponse(handle, content_type=content_type)
    elif not isinstance(content, (bytes, str)):
        response = FileResponse(content, content_type=content_type)
    else:
        response = HttpResponse(content, content_type=content_type)
    if not public:
        try:
            _record_download(
                request,
                action=audit_action,
                target=target,
                partnership=partnership,
                payload=payload,
            )
        except Exception:
            response.close()
            raise
        patch_cache_control(response, no_store=True, private=True)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    return response
