"""Splitting an OCDS file into units (releases or records), with positions, without loading it.

Shapes read: JSON lines (one release, record or package per line), a release package
(``releases``), a record package (``records``), a JSON array of any of these, a single release
or a single record; plain or inside a zip. Each unit carries its position: a JSON pointer,
prefixed by ``line N`` in JSON lines.

JSON lines are read line by line; a document larger than :data:`IN_MEMORY_BYTES` is read
element by element with ijson; smaller documents are parsed whole.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import ijson
import msgspec
import orjson

from vigie.sources.files import Limits, MemberError, decode_text, iter_members
from vigie.sources.jsonscan import BrokenElement, JsonShapeError, find_array, iter_elements
from vigie.sources.ocds_fast import fast_release
from vigie.sources.parts import LINE_COUNTED, LINE_READ
from vigie.sources.records import Note, ProcurementRecord, Rejection, Warning_

IN_MEMORY_BYTES = 32 << 20
"""Documents up to this size are parsed whole; larger ones are streamed element by element."""
MAX_LINE_BYTES = 256 << 20
"""Longest JSON line read; a longer line is one rejection."""
READ_CHUNK = 4 << 20
EXCERPT = 200
PROGRESS_EVERY = 2000

ProgressFn = Callable[[int], None]
"""Called with the number of bytes of the file read so far."""


@dataclass(slots=True)
class Batch:
    """Part of what a file yields, handed to the workspace as soon as it is ready."""

    records: list[ProcurementRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    warning_order: list[tuple[int, int, int]] = field(default_factory=list)
    """For each warning, where the reading was when it was given (line, unit, state): the
    order of one process, for putting together the warnings of a file read in parts."""

    def __len__(self) -> int:
        return len(self.records) + len(self.rejections) + len(self.warnings)


BatchSink = Callable[[Batch], None]


@dataclass(frozen=True, slots=True)
class StreamSummary:
    """What a streamed read produced, in total."""

    path: str
    sha256: str
    size: int
    format: str
    units_read: int
    records: int
    rejections: int
    warnings: int


@dataclass(frozen=True, slots=True)
class Unit:
    """A parsed JSON value to read as a release or record, and where it is."""

    source_file: str
    value: Any
    position: str
    line: int
    projected: bool = False
    """``value`` is already a release projected to the fields vigie reads (fast path)."""


@dataclass(frozen=True, slots=True)
class Broken:
    """A unit of input that could not be parsed (or a member that could not be read)."""

    source_file: str
    position: str
    line: int
    note: Note
    excerpt: str = ""


Item = Unit | Broken | Warning_


def iter_units(
    path: Path,
    label: str,
    limits: Limits,
    progress: ProgressFn | None = None,
    lines: bytes | bytearray | None = None,
) -> Iterator[Item]:
    """Every unit of an OCDS file, broken units, and file-level warnings, in file order.

    ``lines``, for a plain JSON-lines file, marks how to read each line ``n`` (lines past its
    end are read and counted): ``lines[n] & LINE_READ`` to read it (the others are skipped
    without being parsed), ``& LINE_COUNTED`` to count its repaired bytes in the file-level
    warning."""
    if _is_zip(path):
        for member in iter_members(path, label, limits):
            if isinstance(member, MemberError):
                yield Broken(member.label, "(file)", 0, member.note)
            else:
                yield from units_from_bytes(member.data, member.label)
        return
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
        handle.seek(0)
        if _is_json_lines(head):
            yield from _lines(handle, label, progress, lines)
        elif path.stat().st_size <= IN_MEMORY_BYTES:
            yield from units_from_bytes(handle.read(), label)
        else:
            yield from _streamed_document(handle, label, head, progress)


def _is_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


_OBJECT_BOUNDARY = re.compile(rb"\}[ \t\r]*\n[ \t\r\n]*\{")


def _is_json_lines(head: bytes) -> bool:
    """The first non-blank line is a whole JSON value (so a one-line document counts too), or
    an object ends at the end of a line and another starts on the next (no comma between)."""
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    for line in body.split(b"\n")[:-1] if b"\n" in body else [body]:
        if line.strip():
            return _parses(line) or _OBJECT_BOUNDARY.search(body) is not None
    return False


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


_GENERIC = msgspec.json.Decoder()


def parse_json(data: bytes | str) -> Any:
    """Parse JSON fast (msgspec), as the standard parser reads it: what msgspec refuses (NaN,
    numbers past a float's range, lone surrogates, deep nesting) goes to the standard parser.
    Not orjson: it reads integers past 64 bits as floats, so that an identifier
    ``123456789012345678901234567890`` would become ``1.2345678901234568e+29``. Raises
    ``ValueError`` when not JSON."""
    try:
        return _GENERIC.decode(data)
    except (msgspec.DecodeError, RecursionError):
        pass
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None


_SPACES = frozenset(b" \t\r\n\x0b\x0c")
_BLANK = memoryview(b"")
"""What :func:`_checked` gives for a blank line (not yielded)."""


class ByteReader(Protocol):
    """What :func:`line_views` reads from: a binary file, or a range of one."""

    def read(self, size: int = -1, /) -> bytes: ...


def line_views(
    handle: ByteReader, *, at_start: bool = True
) -> Iterator[tuple[int, memoryview | None]]:
    """(line number, view) of each non-blank line, read in large chunks; ``None`` for a line
    over :data:`MAX_LINE_BYTES` (the rest of which is skipped without being kept). A view is
    into the chunk read (a copy only when the line spans two chunks), valid until the next one
    is asked for, unless kept. ``at_start``: the handle is at the start of the file (a
    byte-order mark is then dropped from the first line); otherwise, at the start of a line
    further on, lines being numbered from there."""
    bom_line = 1 if at_start else 0
    number = 0
    pending: list[bytes] = []  # the start of a line that goes on in the next chunk
    pending_size = 0
    skipping = False
    while chunk := handle.read(READ_CHUNK):
        start, end = 0, chunk.find(b"\n")
        if end >= 0 and (pending or skipping):
            if not skipping:
                number += 1
                line = memoryview(b"".join((*pending, chunk[:end])))
                if (checked := _checked(number, line, bom_line)) is not _BLANK:
                    yield number, checked
            pending, pending_size, skipping = [], 0, False
            start, end = end + 1, chunk.find(b"\n", end + 1)
        view = memoryview(chunk)
        while end >= 0:
            number += 1
            line = view[start:end]
            if (checked := _checked(number, line, bom_line)) is not _BLANK:
                yield number, checked
            start, end = end + 1, chunk.find(b"\n", end + 1)
        if skipping or start == len(chunk):
            continue
        pending.append(chunk[start:])
        pending_size += len(chunk) - start
        if pending_size > MAX_LINE_BYTES:
            number += 1
            yield number, None
            pending, pending_size, skipping = [], 0, True
    if pending and not skipping:
        line = memoryview(b"".join(pending))
        if (checked := _checked(number + 1, line, bom_line)) is not _BLANK:
            yield number + 1, checked


def _checked(number: int, line: memoryview, bom_line: int) -> memoryview | None:
    """The line to yield: itself, without the file's first line's byte-order mark (line
    ``bom_line``), ``None`` when too long, or :data:`_BLANK` when it holds only spaces (not
    yielded)."""
    if len(line) > MAX_LINE_BYTES:
        return None
    if number == bom_line and line[:3].tobytes() == codecs.BOM_UTF8:
        line = line[3:]
    if not line or (line[0] in _SPACES and not bytes(line).strip()):
        return _BLANK
    return line


def _lines(
    handle: IO[bytes],
    label: str,
    progress: ProgressFn | None,
    wanted: bytes | bytearray | None = None,
) -> Iterator[Item]:
    repaired = 0
    for number, view in line_views(handle):
        mark = wanted[number] if wanted is not None and number < len(wanted) else 3
        if not mark & LINE_READ:
            continue
        if view is None:
            note = Note.of("ocds_line_too_long", limit=MAX_LINE_BYTES)
            yield Broken(label, f"line {number}", number, note)
            continue
        item, fixed = line_units(bytes(view), label, number)
        repaired += fixed if mark & LINE_COUNTED else 0
        yield from item
        if progress and number % PROGRESS_EVERY == 0:
            progress(handle.tell())
    if repaired:
        yield Warning_(label, "(file)", Note.of("not_utf8", n=repaired))


def plain_json_lines(path: Path) -> bool:
    """Whether ``path`` is a plain (not zipped) JSON-lines file, read line by line."""
    if _is_zip(path):
        return False
    with path.open("rb") as handle:
        return _is_json_lines(handle.read(1 << 16))


def line_units(raw: bytes, label: str, number: int) -> tuple[list[Item], int]:
    """The units of one JSON line, and how many of its bytes were not UTF-8."""
    fast = fast_release(raw)
    if fast is not None:
        return [Unit(label, fast, f"line {number}", number, projected=True)], 0
    fixed = 0
    data: bytes | str = raw
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = decode_text(raw)
        data, fixed = decoded.text, decoded.repaired_bytes
    try:
        value = parse_json(data)
    except ValueError as exc:
        note = Note.of("broken_json", detail=_detail(exc), line=number)
        return [Broken(label, f"line {number}", number, note, _excerpt(raw))], fixed
    return list(expand(value, label, f"line {number} ", number)), fixed


def expand(value: Any, label: str, pointer: str, line: int, nested: bool = False) -> Iterator[Item]:
    """The units of one JSON value: the elements of a package or of a top-level array (one
    level: an array inside an array is a unit, rejected later), else the value itself."""
    if isinstance(value, list) and not nested:
        for index, element in enumerate(value):
            yield from expand(element, label, f"{pointer}/{index}", line, nested=True)
        return
    if isinstance(value, dict) and "ocid" not in value:
        for key in ("releases", "records"):
            elements = value.get(key)
            if isinstance(elements, list):
                for index, element in enumerate(elements):
                    yield Unit(label, element, f"{pointer}/{key}/{index}", line)
                return
    yield Unit(label, value, pointer.rstrip() or "/", line)


def units_from_bytes(data: bytes, label: str) -> Iterator[Item]:
    """The units of a document (or of JSON lines) held in memory."""
    head = data[: 1 << 16]
    if _is_json_lines(head) and data.strip().count(b"\n"):
        yield from _lines(io.BytesIO(data), label, None)
        return
    decoded = decode_text(data)
    try:
        value = parse_json(decoded.text)
    except ValueError as exc:
        if _OBJECT_BOUNDARY.search(data):  # JSON lines whose first line is long or broken
            yield from _lines(io.BytesIO(data), label, None)
            return
        yield from _repaired(decoded.repaired_bytes, label)
        yield from _salvage(decoded.text, label, exc)
        return
    yield from _repaired(decoded.repaired_bytes, label)
    yield from expand(value, label, "", 0)


def _repaired(count: int, label: str) -> Iterator[Item]:
    if count:
        yield Warning_(label, "(file)", Note.of("not_utf8", n=count))


def _salvage(text: str, label: str, error: ValueError) -> Iterator[Item]:
    """Units before a syntax error in a package, then one rejection for the rest."""
    try:
        cursor, pointer = find_array(text, (("releases",), ("records",)))
    except JsonShapeError:
        note = Note.of("broken_json", detail=_detail(error), line=1)
        yield Broken(label, "(file)", 0, note, _excerpt(text[:EXCERPT]))
        return
    for element in iter_elements(cursor, pointer):
        if isinstance(element, BrokenElement):
            note = Note.of("broken_json", detail=element.reason, line=element.line)
            yield Broken(label, element.pointer, 0, note, _excerpt(element.excerpt))
            return
        yield Unit(label, element.value, element.pointer, 0)


def _streamed_document(
    handle: IO[bytes], label: str, head: bytes, progress: ProgressFn | None
) -> Iterator[Item]:
    """A large document, element by element: the ``releases`` or ``records`` of a package,
    or the elements of a top-level array."""
    prefix = _array_prefix(head)
    if prefix is None:
        note = Note.of("not_ocds", detail="no releases or records array at the top")
        yield Broken(label, "(file)", 0, note, _excerpt(head[:EXCERPT]))
        return
    base = "" if prefix == "item" else "/" + prefix.split(".")[0]
    index = 0
    try:
        for index, value in enumerate(ijson.items(handle, prefix, use_float=True)):
            yield from (
                expand(value, label, f"{base}/{index}", 0)
                if prefix == "item"
                else [Unit(label, value, f"{base}/{index}", 0)]
            )
            if progress and index % PROGRESS_EVERY == 0:
                progress(handle.tell())
    except (ijson.JSONError, ValueError, RecursionError, OverflowError) as exc:
        note = Note.of("broken_json", detail=_detail(exc), line=0)
        yield Broken(label, f"{base}/{index}", 0, note)


def _array_prefix(head: bytes) -> str | None:
    """``releases.item``, ``records.item`` or ``item``, from the top-level keys in ``head``."""
    seen_ocid = False
    try:
        for prefix, event, value in ijson.parse(head):
            if prefix == "" and event == "start_array":
                return "item"
            if prefix == "" and event == "map_key":
                seen_ocid = seen_ocid or value == "ocid"
            if prefix in ("releases", "records") and event == "start_array" and not seen_ocid:
                return f"{prefix}.item"
    except (ijson.JSONError, ValueError):
        return None
    return None


def _detail(exc: BaseException) -> str:
    text = str(exc)[:200]
    return text if text.startswith("invalid JSON") else f"invalid JSON: {text}"


def _excerpt(data: bytes | str) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    flat = " ".join(text[:EXCERPT].split())
    return flat
