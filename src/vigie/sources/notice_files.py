"""Opening notice files: one notice, a zip of notices, or a TED package (``.tar.gz``).

TED publishes its daily and monthly packages as gzip-compressed tar archives of XML notices.
They are read as a stream, member by member, with the same bounds as zip archives: member
size, number of members, and the expansion ratio of the whole package. Plain files and zips
go through :func:`vigie.sources.files.iter_members`.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from vigie.sources.files import CHUNK, Limits, Member, MemberError, iter_members, unique_label
from vigie.sources.records import Note, storable

_TAR_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, ValueError)


def iter_notice_members(path: Path, label: str, limits: Limits) -> Iterator[Member | MemberError]:
    """Yield the notices of ``path``: the file itself, each zip member, or each tar member."""
    if not _is_tar(path):
        yield from iter_members(path, label, limits)
        return
    compressed = max(path.stat().st_size, 1)
    try:
        with path.open("rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as archive:
            yield from _iter_tar(archive, raw, compressed, label, limits)
    except _TAR_ERRORS as exc:
        yield MemberError(label, Note.of("xml_tar_unreadable", error=str(exc)[:200]))


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except _TAR_ERRORS:
        return False


def _iter_tar(
    archive: tarfile.TarFile, raw: IO[bytes], compressed: int, label: str, limits: Limits
) -> Iterator[Member | MemberError]:
    count = 0
    inflated = [0]
    seen: set[str] = set()
    for info in archive:
        if not info.isfile():
            continue  # directories and links hold no notice
        count += 1
        member_label = unique_label(f"{label}!{storable(info.name)}", seen)
        if count > limits.max_members:
            note = Note.of(
                "zip_too_many_members", n=f">{limits.max_members}", limit=limits.max_members
            )
            yield MemberError(label, note)
            return
        if info.size > limits.max_member_bytes:
            note = Note.of("zip_member_too_large", limit=limits.max_member_bytes)
            yield MemberError(member_label, note)
            continue
        stream = archive.extractfile(info)
        if stream is None:
            continue
        data = _bounded(stream, info.size, _RatioGuard(raw, inflated, limits))
        if data is None:
            yield MemberError(member_label, Note.of("zip_ratio", ratio=f"{limits.max_ratio:g}"))
            return
        yield Member(member_label, data)


class _RatioGuard:
    """Whether the package has expanded past the allowed ratio (decompressed / compressed)."""

    def __init__(self, raw: IO[bytes], inflated: list[int], limits: Limits) -> None:
        self.raw = raw
        self.inflated = inflated
        self.limits = limits

    def exceeded(self, more: int) -> bool:
        self.inflated[0] += more
        total = self.inflated[0]
        ratio = total / max(self.raw.tell(), 1)
        return total > self.limits.ratio_floor_bytes and ratio > self.limits.max_ratio


def _bounded(stream: IO[bytes], size: int, guard: _RatioGuard) -> bytes | None:
    """Read a member in chunks, never more than its declared size; None past the ratio."""
    parts: list[bytes] = []
    left = size
    while left > 0 and (chunk := stream.read(min(CHUNK, left))):
        if guard.exceeded(len(chunk)):
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)
