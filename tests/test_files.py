"""Tests for vigie.sources.files: hashing, bounded zip reading and text decoding."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from vigie.sources.files import (
    CHUNK,
    DecodedText,
    Limits,
    Member,
    MemberError,
    decode_text,
    iter_members,
    sha256_file,
)
from vigie.sources.records import Note

LABEL = "in.zip"


def _zip_bytes(
    members: list[tuple[str | zipfile.ZipInfo, bytes]],
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buf.getvalue()


def _write(tmp_path: Path, data: bytes, name: str = LABEL) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _members(path: Path, limits: Limits | None = None) -> list[Member | MemberError]:
    return list(iter_members(path, LABEL, limits or Limits()))


def _patch(data: bytes, signature: bytes, offset: int, value: bytes) -> bytes:
    """Overwrite bytes at ``offset`` from the first header with ``signature``."""
    start = data.index(signature) + offset
    return data[:start] + value + data[start + len(value) :]


CENTRAL = b"PK\x01\x02"
LOCAL = b"PK\x03\x04"


def _codes(items: list[Member | MemberError]) -> list[tuple[str, str | None]]:
    return [(m.label, m.note.code if isinstance(m, MemberError) else None) for m in items]


# --- sha256_file -------------------------------------------------------------------------


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    data = b"vigie\n" * 1000
    path = _write(tmp_path, data, "a.bin")
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_sha256_file_empty(tmp_path: Path) -> None:
    path = _write(tmp_path, b"", "empty")
    assert sha256_file(path) == ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def test_sha256_file_spans_several_chunks(tmp_path: Path) -> None:
    data = os.urandom(2 * CHUNK + 123)
    path = _write(tmp_path, data, "big.bin")
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


# --- iter_members: plain files -------------------------------------------------------------


def test_plain_file_is_one_member(tmp_path: Path) -> None:
    data = b'{"marches": []}'
    path = _write(tmp_path, data, "a.json")
    assert list(iter_members(path, "a.json", Limits())) == [Member("a.json", data)]


def test_empty_plain_file_is_one_empty_member(tmp_path: Path) -> None:
    path = _write(tmp_path, b"", "a.json")
    assert list(iter_members(path, "lbl", Limits())) == [Member("lbl", b"")]


def test_plain_file_at_limit_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, b"x" * 100, "a.json")
    assert _members(path, Limits(max_member_bytes=100)) == [Member(LABEL, b"x" * 100)]


def test_plain_file_over_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, b"x" * 101, "a.json")
    assert _members(path, Limits(max_member_bytes=100)) == [
        MemberError(LABEL, Note("file_too_large", (("size", "101"), ("limit", "100"))))
    ]


def test_truncated_zip_without_directory_is_read_as_plain_bytes(tmp_path: Path) -> None:
    whole = _zip_bytes([("a.json", b'{"marches": []}' * 50)])
    truncated = whole[: len(whole) // 2]
    path = _write(tmp_path, truncated)
    # Without its end-of-central-directory record the file is not recognised as a zip.
    assert _members(path) == [Member(LABEL, truncated)]


# --- iter_members: zip archives ------------------------------------------------------------


def test_zip_with_several_members_in_order(tmp_path: Path) -> None:
    members = [("a.json", b"A"), ("sub/b.json", b"BB"), ("c.txt", b"")]
    path = _write(tmp_path, _zip_bytes(members))
    assert _members(path) == [
        Member("in.zip!a.json", b"A"),
        Member("in.zip!sub/b.json", b"BB"),
        Member("in.zip!c.txt", b""),
    ]


@pytest.mark.parametrize(
    "compression",
    [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA],
)
def test_zip_compression_methods(tmp_path: Path, compression: int) -> None:
    data = b'{"marches": [{"id": "x"}]}' * 100
    path = _write(tmp_path, _zip_bytes([("a.json", data)], compression))
    assert _members(path) == [Member("in.zip!a.json", data)]


def test_zip_directories_are_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, _zip_bytes([("dir/", b""), ("dir/a.json", b"A"), ("e/", b"")]))
    assert _members(path) == [Member("in.zip!dir/a.json", b"A")]


def test_empty_zip_yields_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, _zip_bytes([]))
    assert _members(path) == []


def test_zip_member_with_empty_name_is_read(tmp_path: Path) -> None:
    # zipfile's ZipInfo.is_dir() raises IndexError on an empty name (Python 3.11).
    path = _write(tmp_path, _zip_bytes([(zipfile.ZipInfo(""), b"{}"), ("b.json", b"B")]))
    assert _members(path) == [Member("in.zip!", b"{}"), Member("in.zip!b.json", b"B")]


def test_encrypted_member_is_flagged_and_others_still_read(tmp_path: Path) -> None:
    data = _zip_bytes([("secret.json", b"S"), ("b.json", b"B")], zipfile.ZIP_STORED)
    data = _patch(data, CENTRAL, 8, b"\x01\x00")
    data = _patch(data, LOCAL, 6, b"\x01\x00")
    path = _write(tmp_path, data)
    assert _members(path) == [
        MemberError("in.zip!secret.json", Note("zip_encrypted")),
        Member("in.zip!b.json", b"B"),
    ]


def test_nested_zip_member_is_not_opened(tmp_path: Path) -> None:
    inner = _zip_bytes([("x.json", b"X")])
    path = _write(tmp_path, _zip_bytes([("inner.zip", inner), ("OTHER.ZIP", inner), ("a", b"")]))
    assert _members(path) == [
        MemberError("in.zip!inner.zip", Note("zip_nested")),
        MemberError("in.zip!OTHER.ZIP", Note("zip_nested")),
        Member("in.zip!a", b""),
    ]


def test_too_many_members_refuses_the_archive(tmp_path: Path) -> None:
    path = _write(tmp_path, _zip_bytes([("a", b"1"), ("b", b"2"), ("c", b"3")]))
    assert _members(path, Limits(max_members=2)) == [
        MemberError(LABEL, Note("zip_too_many_members", (("n", "3"), ("limit", "2"))))
    ]


def test_member_count_at_limit_ignoring_directories(tmp_path: Path) -> None:
    path = _write(tmp_path, _zip_bytes([("d/", b""), ("d/a", b"1"), ("b", b"2"), ("e/", b"")]))
    assert _members(path, Limits(max_members=2)) == [
        Member("in.zip!d/a", b"1"),
        Member("in.zip!b", b"2"),
    ]


def test_member_larger_than_limit(tmp_path: Path) -> None:
    members = [("big", os.urandom(101)), ("ok", b"y" * 100)]
    path = _write(tmp_path, _zip_bytes(members, zipfile.ZIP_STORED))
    assert _members(path, Limits(max_member_bytes=100)) == [
        MemberError("in.zip!big", Note("zip_member_too_large", (("limit", "100"),))),
        Member("in.zip!ok", b"y" * 100),
    ]


def test_member_size_checked_on_decompressed_bytes(tmp_path: Path) -> None:
    # Compresses to a few bytes but decompresses past the limit.
    path = _write(tmp_path, _zip_bytes([("a", b"\0" * 5000)]))
    assert _members(path, Limits(max_member_bytes=4999)) == [
        MemberError("in.zip!a", Note("zip_member_too_large", (("limit", "4999"),)))
    ]


BOMB_LIMITS = Limits(ratio_floor_bytes=1000, max_ratio=10)


def test_zip_bomb_ratio_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _zip_bytes([("bomb.json", b"\0" * 100_000), ("b", b"B")]))
    assert _members(path, BOMB_LIMITS) == [
        MemberError("in.zip!bomb.json", Note("zip_ratio", (("ratio", "10"),))),
        Member("in.zip!b", b"B"),
    ]


def test_high_ratio_below_floor_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, _zip_bytes([("small", b"\0" * 1000)]))
    assert _members(path, BOMB_LIMITS) == [Member("in.zip!small", b"\0" * 1000)]


def test_incompressible_member_past_floor_is_accepted(tmp_path: Path) -> None:
    data = os.urandom(100_000)
    path = _write(tmp_path, _zip_bytes([("random", data)]))
    assert _members(path, BOMB_LIMITS) == [Member("in.zip!random", data)]


def test_zip_ratio_formats_fractional_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, _zip_bytes([("bomb", b"\0" * 100_000)]))
    limits = Limits(ratio_floor_bytes=1000, max_ratio=2.5)
    assert _members(path, limits) == [
        MemberError("in.zip!bomb", Note("zip_ratio", (("ratio", "2.5"),)))
    ]


# --- iter_members: corrupt archives --------------------------------------------------------


def _single_error(items: list[Member | MemberError]) -> MemberError:
    assert len(items) == 1
    item = items[0]
    assert isinstance(item, MemberError)
    return item


def test_corrupt_central_directory_is_unreadable(tmp_path: Path) -> None:
    data = _patch(_zip_bytes([("a.json", b"A")]), CENTRAL, 0, b"XXXX")
    error = _single_error(_members(_write(tmp_path, data)))
    assert error.label == LABEL
    assert error.note.code == "zip_unreadable"
    assert [key for key, _ in error.note.params] == ["error"]


def test_unsupported_zip_version_is_unreadable(tmp_path: Path) -> None:
    # "version needed to extract" 20.0: zipfile raises NotImplementedError when opening.
    data = _patch(_zip_bytes([("a.json", b"A")]), CENTRAL, 6, (200).to_bytes(2, "little"))
    error = _single_error(_members(_write(tmp_path, data)))
    assert (error.label, error.note.code) == (LABEL, "zip_unreadable")
    assert "version" in error.note.as_dict()["error"]


def test_invalid_utf8_name_in_directory_is_unreadable(tmp_path: Path) -> None:
    data = _zip_bytes([("a.json", b"A")], zipfile.ZIP_STORED)
    data = _patch(data, CENTRAL, 8, b"\x00\x08")  # UTF-8 name flag
    data = _patch(data, CENTRAL, 46, b"\xff")  # name no longer valid UTF-8
    error = _single_error(_members(_write(tmp_path, data)))
    assert (error.label, error.note.code) == (LABEL, "zip_unreadable")


def test_crc_mismatch_is_corrupt(tmp_path: Path) -> None:
    data = _zip_bytes([("a.json", b"ABCDEF"), ("b", b"B")], zipfile.ZIP_STORED)
    data = _patch(data, LOCAL, 30 + len("a.json"), b"Z")
    items = _members(_write(tmp_path, data))
    assert _codes(items) == [("in.zip!a.json", "zip_corrupt"), ("in.zip!b", None)]


def test_local_header_name_mismatch_is_corrupt(tmp_path: Path) -> None:
    data = _patch(_zip_bytes([("a.json", b"A")]), LOCAL, 30, b"z")
    assert _codes(_members(_write(tmp_path, data))) == [("in.zip!a.json", "zip_corrupt")]


def test_invalid_utf8_local_name_is_corrupt(tmp_path: Path) -> None:
    data = _zip_bytes([("a.json", b"A"), ("b", b"B")], zipfile.ZIP_STORED)
    data = _patch(data, LOCAL, 6, b"\x00\x08")
    data = _patch(data, LOCAL, 30, b"\xff")
    items = _members(_write(tmp_path, data))
    assert _codes(items) == [("in.zip!a.json", "zip_corrupt"), ("in.zip!b", None)]


def test_invalid_deflate_stream_is_corrupt(tmp_path: Path) -> None:
    data = _zip_bytes([("a.json", b'{"marches": []}' * 100), ("b", b"B")])
    # First deflate byte 0xFF: final block of the reserved type 3 (zlib.error).
    data = _patch(data, LOCAL, 30 + len("a.json"), b"\xff")
    items = _members(_write(tmp_path, data))
    assert _codes(items) == [("in.zip!a.json", "zip_corrupt"), ("in.zip!b", None)]
    error = items[0]
    assert isinstance(error, MemberError)
    assert "invalid block type" in error.note.as_dict()["error"]


def test_invalid_lzma_stream_is_corrupt(tmp_path: Path) -> None:
    data = _zip_bytes([("a.json", b'{"marches": []}' * 100)], zipfile.ZIP_LZMA)
    start = data.index(LOCAL) + 30 + len("a.json") + 9  # past the LZMA properties
    end = data.index(CENTRAL)
    data = data[:start] + b"\xff" * (end - start) + data[end:]
    assert _codes(_members(_write(tmp_path, data))) == [("in.zip!a.json", "zip_corrupt")]


def test_invalid_bzip2_stream_is_corrupt(tmp_path: Path) -> None:
    data = _zip_bytes([("a.json", b'{"marches": []}' * 100)], zipfile.ZIP_BZIP2)
    start = data.index(LOCAL) + 30 + len("a.json")
    data = _patch(data, LOCAL, 30 + len("a.json"), b"XXXX")
    assert data[start : start + 4] == b"XXXX"
    assert _codes(_members(_write(tmp_path, data))) == [("in.zip!a.json", "zip_corrupt")]


def test_unknown_compression_method_is_corrupt(tmp_path: Path) -> None:
    data = _zip_bytes([("a.json", b"A"), ("b", b"B")], zipfile.ZIP_STORED)
    data = _patch(data, CENTRAL, 10, (99).to_bytes(2, "little"))
    items = _members(_write(tmp_path, data))
    assert _codes(items) == [("in.zip!a.json", "zip_corrupt"), ("in.zip!b", None)]


# --- decode_text ---------------------------------------------------------------------------


def test_decode_plain_utf8() -> None:
    text = "Société générale – 10 € 😀"
    assert decode_text(text.encode("utf-8")) == DecodedText(text, "utf-8", 0, 0)


def test_decode_empty() -> None:
    assert decode_text(b"") == DecodedText("", "utf-8", 0, 0)


def test_decode_utf8_bom_is_removed() -> None:
    data = codecs.BOM_UTF8 + "Société".encode()
    assert decode_text(data) == DecodedText("Société", "utf-8-sig", 0, 0)


def test_decode_only_leading_bom_is_removed() -> None:
    data = codecs.BOM_UTF8 + b"a" + codecs.BOM_UTF8
    assert decode_text(data) == DecodedText("a\ufeff", "utf-8-sig", 0, 0)


def test_decode_pure_cp1252() -> None:
    text = "Société générale – 10 €"
    result = decode_text(text.encode("cp1252"))
    # Four é, – and € are one byte each in Windows-1252.
    assert result == DecodedText(text, "utf-8+cp1252", 6, 0)


def test_decode_latin1_bytes() -> None:
    text = "Île-de-France, Noël, à côté"
    result = decode_text(text.encode("latin-1"))
    assert result == DecodedText(text, "utf-8+cp1252", 5, 0)


def test_decode_mixed_utf8_and_stray_cp1252() -> None:
    data = "Société ".encode() + "Générale".encode("cp1252") + " – ok".encode()
    assert decode_text(data) == DecodedText("Société Générale – ok", "utf-8+cp1252", 2, 0)


def test_decode_bom_then_cp1252() -> None:
    data = codecs.BOM_UTF8 + "café".encode("cp1252")
    assert decode_text(data) == DecodedText("café", "utf-8-sig+cp1252", 1, 0)


def test_decode_truncated_multibyte_sequence_counts_each_byte() -> None:
    # E2 82 starts a 3-byte sequence (€ is E2 82 AC) but is cut short by "x".
    assert decode_text(b"a\xe2\x82x") == DecodedText("aâ‚x", "utf-8+cp1252", 2, 0)


def test_decode_counts_replacement_characters_as_lost() -> None:
    data = "Soci\ufffdt\ufffd de livraison".encode()
    assert decode_text(data) == DecodedText("Soci\ufffdt\ufffd de livraison", "utf-8", 0, 2)


def test_decode_undefined_cp1252_byte_is_repaired_and_lost() -> None:
    # 0x81 has no Windows-1252 character: it becomes U+FFFD.
    assert decode_text(b"a\x81b") == DecodedText("a\ufffdb", "utf-8+cp1252", 1, 1)


def test_decode_encoded_surrogate_is_read_as_cp1252() -> None:
    # ED A0 80 would be U+D800, which is not valid UTF-8: never yields a surrogate.
    result = decode_text(b"\xed\xa0\x80")
    assert result == DecodedText("í\xa0€", "utf-8+cp1252", 3, 0)


def test_decode_counts_do_not_leak_between_calls() -> None:
    assert decode_text(b"\xe9\xe9").repaired_bytes == 2
    assert decode_text(b"\xe9").repaired_bytes == 1
    assert decode_text(b"ok").repaired_bytes == 0


def test_fallback_handler_works_outside_decode_text() -> None:
    assert b"caf\xe9".decode("utf-8", errors="vigie-utf8-cp1252-fallback") == "café"
    with pytest.raises(UnicodeEncodeError):
        "\ud800".encode("utf-8", errors="vigie-utf8-cp1252-fallback")
