"""A checked chronology file kept aside while the user decides what to do with rows already in
the chronology (issue 12 item 10): nothing is written to the database until they choose.

The file is stored under ``chronology-staging/`` with a random name; the page carries a signed
token (review, agency, user, the stored name, the file's SHA-256 and original name) that only
the same user, on the same review, within ``MAX_AGE``, can use. The staged file is removed when
the user chooses (import or cancel); files left behind (a closed tab) are removed by the next
``stage`` once they are older than ``MAX_AGE``.
"""

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.core import signing
from django.core.files.storage import default_storage
from django.utils import timezone

AREA = "chronology-staging"
SALT = "reviews.chronology.staged-upload"
MAX_AGE = datetime.timedelta(hours=24)
_SUFFIXES = {".csv", ".txt", ".xlsx"}


@dataclass(frozen=True)
class StagedUpload:
    token: str
    path: str
    name: str  # as uploaded
    content_hash: str
    agency_id: int

    def open(self):
        """The staged file, opened for reading, named as uploaded (``with`` closes it)."""
        handle = default_storage.open(self.path, "rb")
        handle.name = self.name
        return handle


def file_sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    chunks = (
        uploaded.chunks()
        if hasattr(uploaded, "chunks")
        else iter(lambda: uploaded.read(65536), b"")
    )
    for chunk in chunks:
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def stage(*, uploaded, review, agency, user, content_hash: str) -> StagedUpload:
    """Keep a checked file aside; give the token the page carries."""
    sweep()
    suffix = PurePath(uploaded.name or "").suffix.lower()
    path = f"{AREA}/{uuid.uuid4().hex}{suffix if suffix in _SUFFIXES else ''}"
    uploaded.seek(0)
    path = default_storage.save(path, uploaded)
    uploaded.seek(0)
    name = (uploaded.name or "chronology")[:255]
    token = signing.dumps(
        {
            "review": review.pk,
            "agency": agency.pk,
            "user": user.pk,
            "path": path,
            "name": name,
            "hash": content_hash,
        },
        salt=SALT,
    )
    return StagedUpload(
        token=token, path=path, name=name, content_hash=content_hash, agency_id=agency.pk
    )


def staged_get(*, token: str, review, user) -> StagedUpload | None:
    """The staged file the token names, if the token is the user's, for this review, not older
    than MAX_AGE, and the file is still there; else None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if data.get("review") != review.pk or data.get("user") != user.pk:
        return None
    path = str(data.get("path", ""))
    if not path.startswith(f"{AREA}/") or not default_storage.exists(path):
        return None
    return StagedUpload(
        token=token,
        path=path,
        name=str(data.get("name", "")),
        content_hash=str(data.get("hash", "")),
        agency_id=int(data.get("agency", 0)),
    )


def discard(staged: StagedUpload) -> None:
    default_storage.delete(staged.path)


def sweep(*, now: datetime.datetime | None = None) -> int:
    """Remove staged files older than MAX_AGE; give how many."""
    now = now or timezone.now()
    try:
        _folders, names = default_storage.listdir(AREA)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{AREA}/{name}"
        try:
            if now - default_storage.get_modified_time(path) > MAX_AGE:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:  # removed meanwhile by another request
            continue
    return removed
