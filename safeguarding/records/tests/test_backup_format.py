"""The encrypted, chunked file and its parts (records/backup_format.py), without a database."""

import io

import pytest

from safeguarding.records.backup_format import (
    HEADER_BYTES,
    NONCE_BYTES,
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    PartReader,
    PartWriter,
    key_id,
    key_new,
    keys_parse,
)

KEY = keys_parse(key_new())[0]


def _write(parts: dict[str, bytes], *, chunk_bytes: int = 64, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, key, chunk_bytes=chunk_bytes)
    framed = PartWriter(writer)
    sums = {}
    for name, data in parts.items():
        framed.begin(name, "media")
        for start in range(0, len(data), 7):  # written in small pieces
            framed.write(data[start : start + 7])
        sums[name] = framed.end()
    framed.manifest({"sums": sums})
    writer.close()
    return out.getvalue()


def _read(data: bytes, keys=(KEY,)) -> tuple[dict[str, bytes], dict]:
    parts = PartReader(DecryptingReader(io.BytesIO(data), list(keys)))
    found = {part.name: b"".join(part.chunks()) for part in parts.parts()}
    return found, parts.manifest


def _chunks(data: bytes) -> list[bytes]:
    """The file's chunks (each with its length word), after the header."""
    chunks, offset = [], HEADER_BYTES
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big") & 0x7FFF_FFFF
        end = offset + 4 + NONCE_BYTES + length
        chunks.append(data[offset:end])
        offset = end
    return chunks


def test_parts_come_back_whole_across_many_chunks_with_their_checksums():
    parts = {"a": bytes(range(256)) * 3, "empty": b"", "b": b"x" * 1000}
    data = _write(parts)
    assert len(_chunks(data)) > 10
    found, manifest = _read(data)
    assert found == parts
    import hashlib

    assert manifest["sums"]["a"] == [hashlib.sha256(parts["a"]).hexdigest(), 768]


def test_the_plain_text_is_not_in_the_file():
    data = _write({"secret": b"Zebedee Quillfeather" * 10})
    assert b"Zebedee" not in data


def test_chunks_in_another_order_are_refused():
    data = _write({"a": b"y" * 500})
    chunks = _chunks(data)
    swapped = data[:HEADER_BYTES] + chunks[1] + chunks[0] + b"".join(chunks[2:])
    with pytest.raises(BackupError, match="chunk 0 fails its check"):
        _read(swapped)


def test_a_chunk_from_another_backup_with_the_same_key_is_refused():
    first, second = _write({"a": b"y" * 500}), _write({"a": b"y" * 500})
    mixed = first[:HEADER_BYTES] + _chunks(second)[0] + b"".join(_chunks(first)[1:])
    with pytest.raises(BackupError, match="chunk 0 fails its check"):
        _read(mixed)


def test_a_file_without_its_last_chunk_is_refused():
    data = _write({"a": b"y" * 500})
    chunks = _chunks(data)
    with pytest.raises(BackupError, match="incomplete"):
        _read(data[:HEADER_BYTES] + b"".join(chunks[:-1]))


def test_marking_a_middle_chunk_as_the_last_is_refused():
    data = _write({"a": b"y" * 500})
    chunks = _chunks(data)
    marked = bytes([chunks[2][0] | 0x80]) + chunks[2][1:]
    forged = data[:HEADER_BYTES] + b"".join(chunks[:2]) + marked
    with pytest.raises(BackupError, match="chunk 2 fails its check"):
        _read(forged)


def test_another_key_is_named_by_its_id_only():
    other = keys_parse(key_new())[0]
    data = _write({"a": b"y"}, key=other)
    with pytest.raises(BackupError) as refused:
        _read(data)
    assert key_id(other) in str(refused.value)
    assert key_new() not in str(refused.value)


def test_a_file_that_is_not_a_backup_is_refused():
    with pytest.raises(BackupError, match="not a backup file"):
        _read(b"PK\x03\x04 a zip file, say" + b"\x00" * 40)


def test_a_newer_format_is_refused_with_its_number():
    data = bytearray(_write({"a": b"y"}))
    data[9] = 2
    with pytest.raises(BackupError, match="format 2"):
        _read(bytes(data))


@pytest.mark.parametrize("value", ["", "  ", "abc", "a" * 43, "A" * 43 + "=,nope"])
def test_keys_must_be_32_bytes_of_url_safe_base64(value):
    with pytest.raises(BackupError):
        keys_parse(value)


def test_several_keys_the_first_one_first():
    first, second = key_new(), key_new()
    assert [key_id(k) for k in keys_parse(f"{first}, {second}")] == [
        key_id(k) for k in keys_parse(first) + keys_parse(second)
    ]
