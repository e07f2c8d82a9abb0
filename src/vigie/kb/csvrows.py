"""Reading CSV rows from a user's file, safely: encoding, zip archives, limits.

Used by the GLEIF and CSV-layout importers. A file is read as UTF-8 when it is valid UTF-8
(checked on the whole file first), else as Windows-1252 (with a remark), the usual encoding
of spreadsheets saved in Western Europe. A ``.zip`` holding one CSV file (as GLEIF publishes
its golden copy) is read from the archive, within the same size limit, refusing encrypted or
suspiciously compressed members. Rows are numbered by the line where they end.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from vigie.kb.importing import Draft, ImportLimits, Issue

Row = dict[str, str]
MAX_RATIO = 200
"""A zip member that decompresses more than this many times its size is refused."""


class ArchiveError(ValueError):
    """The zip archive cannot be read safely; the message says why."""


@contextmanager
def _binary(path: Path, limits: ImportLimits) -> Iterator[IO[bytes]]:
    """The bytes of the file, or of the single CSV member of a zip archive."""
    if path.suffix.lower() != ".zip":
        with path.open("rb") as handle:
            yield handle
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise ArchiveError(f"the archive holds {len(members)} files, not one CSV file")
            member = members[0]
            if member.flag_bits & 0x1:
                raise ArchiveError("the file in the archive is encrypted")
            if member.file_size > limits.max_bytes:
                raise ArchiveError(f"the file in the archive is {member.file_size} bytes")
            if member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise ArchiveError("the file in the archive is suspiciously compressed")
            with archive.open(member) as handle:
                yield handle
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise ArchiveError(f"unreadable zip archive: {exc}") from None


def _is_utf8(path: Path, limits: ImportLimits) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    read = 0
    with _binary(path, limits) as handle:
        while chunk := handle.read(1 << 20):
            read += len(chunk)
            if read > limits.max_bytes:
                raise ArchiveError(f"more than {limits.max_bytes} bytes once decompressed")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def iter_csv_rows(
    path: Path, draft: Draft, limits: ImportLimits, required: tuple[str, ...]
) -> Iterator[tuple[str, Row]]:
    """(position, row) of every data row, or a fatal issue when the file cannot be read."""
    try:
        utf8 = _is_utf8(path, limits)
        if not utf8:
            draft.remark("file", "not_utf8")
        yield from _rows(path, draft, limits, required, "utf-8-sig" if utf8 else "cp1252")
    except ArchiveError as exc:
        draft.fatal = Issue.of(draft.name, "unreadable_archive", reason=exc)


def _rows(
    path: Path, draft: Draft, limits: ImportLimits, required: tuple[str, ...], encoding: str
) -> Iterator[tuple[str, Row]]:
    previous = csv.field_size_limit(limits.max_line_bytes)
    try:
        with _binary(path, limits) as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            reader = csv.DictReader(text)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                draft.fatal = Issue.of(draft.name, "missing_field", field=", ".join(missing))
                return
            yield from _data(reader, draft, limits)
    finally:
        csv.field_size_limit(previous)


def _data(
    reader: csv.DictReader[str], draft: Draft, limits: ImportLimits
) -> Iterator[tuple[str, Row]]:
    try:
        for row in reader:
            position = f"line {reader.line_num}"
            draft.records_read += 1
            if draft.records_read > limits.max_records:
                draft.reject(position, "too_many_records", limit=limits.max_records)
            elif None in row:
                draft.reject(position, "bad_value", field="-", value="more cells than columns")
            else:
                yield position, {k: (v or "").strip() for k, v in row.items() if k}
    except csv.Error as exc:
        draft.records_read += 1
        draft.reject(f"line {reader.line_num}", "line_too_long", limit=str(exc)[:80])
