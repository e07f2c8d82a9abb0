"""Opening input files safely: hashing, size limits, bounded zip decompression, text decoding."""

from __future__ import annotations

import codecs
import contextvars
import hashlib
import lzma
import threading
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vigie.sources.records import Note, storable

CHUNK = 1 << 20

# What zipfile and the decompressors raise on damaged or hostile archives (ValueError covers
# UnicodeDecodeError on member names, NotImplementedError unsupported versions or methods).
_OPEN_ERRORS = (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError)
_READ_ERRORS = (*_OPEN_ERRORS, zlib.error, lzma.LZMAError)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds applied to every input; exceeded bounds are reported, never fatal."""

    max_member_bytes: int = 1 << 31
    """Largest decompressed member (or plain file) read, in bytes (default 2 GiB)."""
    max_ratio: float = 200.0
    """Largest decompressed/compressed ratio accepted for a zip member."""
    ratio_floor_bytes: int = 1 << 24
    """The ratio check applies only past this many decompressed bytes (16 MiB)."""
    max_members: int = 10_000
    """Largest number of members read from one archive."""


@dataclass(frozen=True, slots=True)
class Member:
    """One readable unit of an input: a plain file, or a member of a zip archive."""

    label: str
    data: bytes


@dataclass(frozen=True, slots=True)
class MemberError:
    """A unit of an input that could not be read, with the reason."""

    label: str
    note: Note


class LimitExceeded(Exception):
    """Raised while reading when a configured bound is crossed."""

    def __init__(self, note: Note) -> None:
        super().__init__(note.code)
        self.note = note


def sha256_file(path: Path, stop: threading.Event | None = None) -> str:
    """Return the hex SHA-256 of a file, read in chunks; with ``stop``, raise
    :class:`HashStoppedError` as soon as it is set (for hashing in a thread)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            if stop is not None and stop.is_set():
                raise HashStoppedError(str(path))
            digest.update(chunk)
    return digest.hexdigest()


NOT_UTF8_PATH = "the path holds bytes that are not valid UTF-8, which DuckDB cannot open: rename it"
"""Why DuckDB cannot be given a path (:func:`opens_in_duckdb`)."""


def opens_in_duckdb(path: Path | str) -> bool:
    """Whether DuckDB can be given ``path``: not if its name holds bytes that are not valid
    UTF-8 (they are lone surrogates in Python's text of it)."""
    return storable(str(path)) == str(path)


class FileChangedError(OSError):
    """A file changed (see :class:`FileSignature`) while it was being read: what was read
    may mix two versions of it, and does not match its hash. Nothing of it is stored."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path}: the file changed while it was read; nothing of it was stored, "
            "read it again once it no longer changes"
        )


class FileSignature:
    """A file's size, modification and status-change times and inode when first seen, to
    tell whether it changed (written again, replaced, even keeping its size and restoring
    its modification time, as ``cp -p`` does)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen = self._now()

    def _now(self) -> tuple[int, int, int, int]:
        stat = self.path.stat()
        return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino

    def check(self) -> None:
        """Raise :class:`FileChangedError` if the file changed since it was first seen."""
        try:
            unchanged = self._now() == self._seen
        except OSError:
            unchanged = False
        if not unchanged:
            raise FileChangedError(self.path)


class HashStoppedError(Exception):
    """Hashing a file was stopped before its end (see :func:`sha256_file`)."""


@contextmanager
def hashing_meanwhile(path: Path) -> Iterator[Future[str]]:
    """Hash ``path`` (SHA-256) in a thread while the block runs, on another core; ask for the
    result inside the block. Leaving the block early (an error, an interruption) stops the
    hashing at once rather than waiting for the end of a large file."""
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigie-hash") as pool:
        future = pool.submit(sha256_file, path, stop)
        try:
            yield future
        finally:
            stop.set()


def iter_members(path: Path, label: str, limits: Limits) -> Iterator[Member | MemberError]:
    """Yield the readable units of ``path``: the file itself, or each member of a zip."""
    if zipfile.is_zipfile(path):
        yield from _iter_zip(path, label, limits)
        return
    size = path.stat().st_size
    if size > limits.max_member_bytes:
        yield MemberError(
            label, Note.of("file_too_large", size=size, limit=limits.max_member_bytes)
        )
        return
    yield Member(label, path.read_bytes())


def _iter_zip(path: Path, label: str, limits: Limits) -> Iterator[Member | MemberError]:
    try:
        archive = zipfile.ZipFile(path)
    except _OPEN_ERRORS as exc:
        yield MemberError(label, Note.of("zip_unreadable", error=exc))
        return
    with archive:
        # Not ZipInfo.is_dir(): it raises IndexError on an empty name (Python 3.11).
        infos = [info for info in archive.infolist() if not info.filename.endswith("/")]
        if len(infos) > limits.max_members:
            note = Note.of("zip_too_many_members", n=len(infos), limit=limits.max_members)
            yield MemberError(label, note)
            return
        seen: set[str] = set()
        for info in infos:
            member_label = unique_label(f"{label}!{storable(info.filename)}", seen)
            if info.flag_bits & 0x1:
                yield MemberError(member_label, Note.of("zip_encrypted"))
            elif info.filename.lower().endswith(".zip"):
                yield MemberError(member_label, Note.of("zip_nested"))
            else:
                yield _read_member(archive, info, member_label, limits)


def unique_label(label: str, seen: set[str]) -> str:
    """``label``, or ``label#2``, ``#3``... when an archive holds several members of one name
    (or of names shown alike, bytes not valid UTF-8 shown as U+FFFD), so that their records
    keep positions of their own."""
    found, number = label, 1
    while found in seen:
        number += 1
        found = f"{label}#{number}"
    seen.add(found)
    return found


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits
) -> Member | MemberError:
    try:
        return Member(label, _bounded_read(archive, info, limits))
    except LimitExceeded as exc:
        return MemberError(label, exc.note)
    except _READ_ERRORS as exc:
        return MemberError(label, Note.of("zip_corrupt", error=exc))


def _bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Decompress a member chunk by chunk, never trusting the sizes its header declares."""
    parts: list[bytes] = []
    total = 0
    compressed = max(info.compress_size, 1)
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > limits.max_member_bytes:
                raise LimitExceeded(Note.of("zip_member_too_large", limit=limits.max_member_bytes))
            if total > limits.ratio_floor_bytes and total / compressed > limits.max_ratio:
                raise LimitExceeded(Note.of("zip_ratio", ratio=f"{limits.max_ratio:g}"))
            parts.append(chunk)
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text decoded from bytes, with what had to be repaired."""

    text: str
    encoding: str
    repaired_bytes: int
    lost_characters: int


def decode_text(data: bytes) -> DecodedText:
    """Decode bytes as UTF-8, falling back byte by byte to Windows-1252 for stray bytes.

    Files in the wild mix encodings: mostly UTF-8 with some Latin-1 bytes, or pure Latin-1.
    Each byte that is not valid UTF-8 is read as Windows-1252 and counted. Characters already
    lost at the source (U+FFFD, as in the 2019 DECP files) cannot be restored: they are counted.
    """
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8-sig"
    counter = [0]
    token = _REPAIRED.set(counter)
    try:
        text = data.decode("utf-8", errors=_HANDLER)
    finally:
        _REPAIRED.reset(token)
    if counter[0]:
        encoding = f"{encoding}+cp1252"
    return DecodedText(text, encoding, counter[0], text.count("\ufffd"))


_HANDLER = "vigie-utf8-cp1252-fallback"
_REPAIRED: contextvars.ContextVar[list[int]] = contextvars.ContextVar("vigie_repaired")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read invalid UTF-8 bytes as Windows-1252 and count them."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    counter = _REPAIRED.get(None)
    if counter is not None:
        counter[0] += len(bad)
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error(_HANDLER, _cp1252_fallback)
