"""The backup file: encrypted in chunks, then framed into parts (docs/how-to/back-up-and-restore.md
§"The file format").

Nothing here knows about Django: ``backup.py`` decides what goes into the parts.

The file::

    header  MAGIC (9 bytes) | format version (1 byte) | key id (8 bytes) | salt (16 bytes)
    chunk   length (4 bytes, big-endian; the top bit is set on the last chunk)
            | nonce (12 bytes) | AES-256-GCM ciphertext with its 16-byte tag
    ...     one chunk per MiB of plain text; the last chunk may be empty

Each file has its own key, derived from ``BACKUP_ENCRYPTION_KEY`` and the file's random salt with
HKDF-SHA256, and each chunk a random nonce. A chunk's associated data is the header, the chunk's
index (8 bytes) and whether it is the last: a chunk that is changed, moved, taken from another
backup or cut off fails its check, and so does a file whose last chunk is missing.

The plain text, read in order, is a series of frames: kind (1 byte) | length (4 bytes) | payload.
A part is a ``P`` frame (JSON: its name and kind), ``D`` frames (its bytes, at most 1 MiB each)
and an ``E`` frame. The last frame is the manifest, ``M`` (JSON), which holds the SHA-256 of
every part: a reader checks each part against it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"MSRBACKUP"
FORMAT_VERSION = 1
HEADER_BYTES = len(MAGIC) + 1 + 8 + 16
CHUNK_BYTES = 1024 * 1024  # plain text per chunk
MAX_CHUNK_BYTES = 16 * 1024 * 1024  # what a reader accepts (a later writer may use larger chunks)
FINAL = 0x8000_0000
NONCE_BYTES = 12
TAG_BYTES = 16
FRAME_DATA_BYTES = 1024 * 1024
MAX_FRAME_BYTES = 256 * 1024 * 1024  # a manifest of a very large installation stays far below
_KEY_ID_LABEL = b"manage-safeguarding-reviews backup key id"
_HKDF_INFO = b"manage-safeguarding-reviews backup file key v1"

PART, DATA, END, MANIFEST = b"P", b"D", b"E", b"M"


class BackupError(Exception):
    """The file cannot be read as a backup of this service, or the key is not right. The message
    says why, in words an operator can act on."""


# Keys -------------------------------------------------------------------------------------------


def key_new() -> str:
    """A new random key for BACKUP_ENCRYPTION_KEY: 32 bytes, URL-safe base64 (44 characters)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def keys_parse(value: str) -> list[bytes]:
    """The keys in BACKUP_ENCRYPTION_KEY, first key first. Several keys, separated by commas,
    let old backups be read after a new key is introduced: the first one encrypts."""
    keys = []
    for text in re.split(r"[,\s]+", (value or "").strip()):
        if not text:
            continue
        try:
            key = base64.urlsafe_b64decode(text.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            key = b""
        if len(key) != 32:
            raise BackupError(
                "BACKUP_ENCRYPTION_KEY must hold keys of 32 bytes in URL-safe base64 "
                "(44 characters each, separated by commas). Make one with "
                "`manage.py backup --new-key`."
            )
        keys.append(key)
    if not keys:
        raise BackupError(
            "Set BACKUP_ENCRYPTION_KEY in the environment (make a key with "
            "`manage.py backup --new-key`, and keep it apart from the backups)."
        )
    return keys


def key_id(key: bytes) -> str:
    """A short public name for a key (16 hex digits), written in each backup's header so that a
    reader can say which key it needs without revealing the key."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).digest()[:8].hex()


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_HKDF_INFO).derive(key)
    return AESGCM(derived)


def _associated_data(header: bytes, index: int, final: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


# The encrypted stream ----------------------------------------------------------------------------


class EncryptingWriter:
    """Writes the header, then the plain text given to ``write`` in encrypted chunks. ``close``
    writes the last chunk: without it the file is refused as incomplete."""

    def __init__(self, out: BinaryIO, key: bytes, *, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._out = out
        self._chunk_bytes = chunk_bytes
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        self.file_sha256 = hashlib.sha256()
        self.bytes_written = 0
        salt = os.urandom(16)
        self._header = MAGIC + bytes([FORMAT_VERSION]) + bytes.fromhex(key_id(key)) + salt
        self._aead = _file_key(key, salt)
        self._emit_raw(self._header)

    def _emit_raw(self, data: bytes) -> None:
        self._out.write(data)
        self.file_sha256.update(data)
        self.bytes_written += len(data)

    def _emit_chunk(self, plain: bytes, *, final: bool) -> None:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(
            nonce, plain, _associated_data(self._header, self._index, final)
        )
        self._emit_raw((len(sealed) | (FINAL if final else 0)).to_bytes(4, "big"))
        self._emit_raw(nonce + sealed)
        self._index += 1

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("The backup is already closed")
        self._buffer += data
        while len(self._buffer) >= self._chunk_bytes:
            self._emit_chunk(bytes(self._buffer[: self._chunk_bytes]), final=False)
            del self._buffer[: self._chunk_bytes]

    def close(self) -> None:
        if not self._closed:
            self._emit_chunk(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        block = source.read(size - len(data))
        if not block:
            break
        data += block
    return bytes(data)


class DecryptingReader:
    """Reads the plain text of a backup, checking every chunk before it gives out its bytes."""

    def __init__(self, source: BinaryIO, keys: list[bytes]) -> None:
        self._source = source
        self.file_sha256 = hashlib.sha256()
        header = self._read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
            raise BackupError("This is not a backup file of this service")
        version = header[len(MAGIC)]
        if version != FORMAT_VERSION:
            raise BackupError(
                f"This backup is in format {version}; this version of the service reads format "
                f"{FORMAT_VERSION}. Restore it with the version that made it."
            )
        wanted = header[len(MAGIC) + 1 : len(MAGIC) + 9].hex()
        key = next((k for k in keys if key_id(k) == wanted), None)
        if key is None:
            held = ", ".join(key_id(k) for k in keys)
            raise BackupError(
                f"This backup was encrypted with another key (key id {wanted}); "
                f"BACKUP_ENCRYPTION_KEY holds key id {held}. Nothing was changed."
            )
        self.key_id = wanted
        self._header = header
        self._aead = _file_key(key, header[-16:])
        self._index = 0
        self._plain = b""
        self._offset = 0
        self._finished = False

    def _read(self, size: int) -> bytes:
        data = _read_exactly(self._source, size)
        self.file_sha256.update(data)
        return data

    def _next_chunk(self) -> None:
        word = self._read(4)
        if len(word) < 4:
            raise BackupError(
                "The backup file is incomplete: it ends before its last chunk (was it copied "
                "while it was being written?). Nothing was changed."
            )
        length = int.from_bytes(word, "big")
        final = bool(length & FINAL)
        length &= ~FINAL
        if length < TAG_BYTES or length > MAX_CHUNK_BYTES + TAG_BYTES:
            raise BackupError(
                f"The backup file has been changed or damaged at chunk {self._index}. "
                "Nothing was changed."
            )
        body = self._read(NONCE_BYTES + length)
        if len(body) < NONCE_BYTES + length:
            raise BackupError(
                "The backup file is incomplete: it ends inside a chunk. Nothing was changed."
            )
        try:
            self._plain = self._aead.decrypt(
                body[:NONCE_BYTES],
                body[NONCE_BYTES:],
                _associated_data(self._header, self._index, final),
            )
        except InvalidTag:
            raise BackupError(
                f"The backup file has been changed or damaged: chunk {self._index} fails its "
                "check. Nothing was changed."
            ) from None
        self._offset = 0
        self._index += 1
        if final:
            if self._read(1):
                raise BackupError(
                    "The backup file has data after its last chunk: it has been changed. "
                    "Nothing was changed."
                )
            self._finished = True

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes of plain text; b"" only at the end of the last chunk."""
        while self._offset >= len(self._plain):
            if self._finished:
                return b""
            self._next_chunk()
        data = self._plain[self._offset : self._offset + size]
        self._offset += len(data)
        return data


# Frames and parts -------------------------------------------------------------------------------


class PartWriter:
    """Writes the parts and the manifest as frames through an ``EncryptingWriter``."""

    def __init__(self, writer: EncryptingWriter) -> None:
        self._writer = writer
        self._open: str | None = None
        self._sha256 = hashlib.sha256()
        self._bytes = 0

    def _frame(self, kind: bytes, payload: bytes) -> None:
        self._writer.write(kind + len(payload).to_bytes(4, "big") + payload)

    def begin(self, name: str, kind: str) -> None:
        if self._open is not None:
            raise ValueError(f"Part {self._open} is still open")
        self._open = name
        self._sha256 = hashlib.sha256()
        self._bytes = 0
        self._frame(PART, json.dumps({"name": name, "kind": kind}).encode())

    def write(self, data: bytes) -> None:
        if self._open is None:
            raise ValueError("No part is open")
        self._sha256.update(data)
        self._bytes += len(data)
        for start in range(0, len(data), FRAME_DATA_BYTES):
            self._frame(DATA, data[start : start + FRAME_DATA_BYTES])

    def end(self) -> tuple[str, int]:
        """Close the part; return its SHA-256 (hex) and size in bytes."""
        self._frame(END, b"")
        self._open = None
        return self._sha256.hexdigest(), self._bytes

    def manifest(self, manifest: dict) -> None:
        if self._open is not None:
            raise ValueError(f"Part {self._open} is still open")
        self._frame(MANIFEST, json.dumps(manifest, sort_keys=True, indent=1).encode())


class Part:
    """One part as it is read: its name and kind, then its bytes (``chunks()``). Its SHA-256 and
    size are known once all of its bytes have been read."""

    def __init__(self, reader: PartReader, name: str, kind: str) -> None:
        self._reader = reader
        self.name = name
        self.kind = kind
        self.sha256 = ""
        self.bytes = 0
        self.done = False

    def chunks(self) -> Iterator[bytes]:
        digest = hashlib.sha256()
        while not self.done:
            kind, payload = self._reader.frame()
            if kind == DATA:
                digest.update(payload)
                self.bytes += len(payload)
                yield payload
            elif kind == END:
                self.done = True
                self.sha256 = digest.hexdigest()
            else:
                raise BackupError(f"The backup file is malformed: part {self.name} has no end")

    def skip(self) -> None:
        for _ in self.chunks():
            pass


class PartReader:
    """Reads the parts of a backup one after the other, then its manifest (``manifest`` is set
    when ``parts()`` ends)."""

    def __init__(self, reader: DecryptingReader) -> None:
        self._reader = reader
        self.manifest: dict | None = None

    def frame(self) -> tuple[bytes, bytes]:
        head = _read_exactly(self._reader, 5)
        if len(head) < 5:
            raise BackupError("The backup file is malformed: it ends without its manifest")
        length = int.from_bytes(head[1:], "big")
        if length > MAX_FRAME_BYTES:
            raise BackupError("The backup file is malformed: a frame is too long")
        payload = _read_exactly(self._reader, length)
        if len(payload) < length:
            raise BackupError("The backup file is malformed: it ends inside a frame")
        return head[:1], payload

    def parts(self) -> Iterator[Part]:
        while True:
            kind, payload = self.frame()
            if kind == MANIFEST:
                self.manifest = _json(payload)
                if self._reader.read(1):
                    raise BackupError("The backup file is malformed: data after the manifest")
                return
            if kind != PART:
                raise BackupError("The backup file is malformed: data outside a part")
            header = _json(payload)
            part = Part(self, str(header.get("name", "")), str(header.get("kind", "")))
            yield part
            if not part.done:
                part.skip()


def _json(payload: bytes) -> dict:
    try:
        value = json.loads(payload)
    except ValueError:
        raise BackupError("The backup file is malformed: a header is not JSON") from None
    if not isinstance(value, dict):
        raise BackupError("The backup file is malformed: a header is not a JSON object")
    return value
