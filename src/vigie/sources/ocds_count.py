"""The first pass over an OCDS JSON-lines file: how many releases each ocid has, so that a
contracting process can be merged and forgotten as soon as its last release is read, and, for
a part of a file read in several processes (:class:`~vigie.sources.parts.Part`), which lines
it reads.

Alone, a part makes the whole first pass itself. With an exchange folder, the parts of one
reading share it: each scans one range of the file's lines (cut at line ends), and leaves in
the folder, for every part, the counts of that part's ocids and what kind of line each line is;
each part then gathers the ranges' findings for itself. The result is the same either way
(``tests/test_ocds_count.py`` checks it), and on N processes the first pass costs each one
an Nth of the file instead of all of it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import msgspec

from vigie.sources.ocds_fast import fast_ocid
from vigie.sources.ocds_stream import (
    PROGRESS_EVERY,
    READ_CHUNK,
    ProgressFn,
    Unit,
    line_units,
    line_views,
)
from vigie.sources.ocds_units import unit_states
from vigie.sources.parts import LINE_COUNTED, LINE_READ, Part, part_of
from vigie.sources.records import storable

_OTHER = 0xFF
"""A line's kind in a range scan: read by every part (a package, a broken or blank-ocid line),
its file-level counts kept by the part that owns its line number."""
_BLANK = 0xFE
"""A line's kind in a range scan: blank (never read), between lines that are not."""
_EVERY = LINE_READ | LINE_COUNTED
MAX_EXCHANGE_PARTS = 250
"""Kinds are bytes: with more parts than this, each part makes the whole first pass."""
_WAIT_SECONDS = 0.005


@dataclass(frozen=True, slots=True)
class OcidCounts:
    """What the first pass over a JSON-lines file found (see :func:`count_ocids`)."""

    counts: dict[str, int]
    lines: bytearray | None
    """For a part: how it reads each line (``lines[n]``, see :func:`_line_mark`)."""


def count_ocids(
    path: Path, label: str, progress: ProgressFn | None = None, part: Part | None = None
) -> OcidCounts:
    """First pass over a JSON-lines file: how many releases each ocid has, so that a process
    can be emitted (and forgotten) as soon as its last release is read. For a ``part``, only
    its ocids are counted, and the lines holding a single release of another part are marked
    to be skipped; with the part's exchange folder, the parts share the pass (see the module)."""
    if part is not None and part.exchange is not None and part.count <= MAX_EXCHANGE_PARTS:
        return _count_shared(path, label, progress, part)
    counts: dict[str, int] = {}
    wanted = bytearray() if part is not None else None
    with path.open("rb") as handle:
        for number, view in line_views(handle):
            if progress and number % PROGRESS_EVERY == 0:
                progress(handle.tell())
            keys, fast = _line_keys(view, label, number)
            if wanted is not None and part is not None:
                wanted.extend(b"\x03" * (number + 1 - len(wanted)))
                wanted[number] = _line_mark(part, number, keys[0] if fast else "")
            for key in keys:
                if part is None or part.holds(key):
                    counts[key] = counts.get(key, 0) + 1
    return OcidCounts(counts, wanted)


def _line_keys(view: memoryview | None, label: str, number: int) -> tuple[list[str], bool]:
    """The ocids of the release states a line brings, and whether it holds a single release
    found by the fast path (its key then decides which part reads it)."""
    ocid = fast_ocid(view) if view is not None else None
    if ocid is not None:
        return [storable(ocid.strip())], True
    return _line_ocids(view, label, number), False


def _line_mark(part: Part, number: int, key: str) -> int:
    """How a part reads a line (see :func:`~vigie.sources.ocds_stream.iter_units`): a single
    release is read by the part of its process only; any other line (a package, a broken
    line, a blank ocid) by every part, its file-level counts kept by the part that owns it."""
    if key:
        return _EVERY if part.holds(key) else 0
    return _EVERY if part.owns_line(number) else LINE_READ


def _line_ocids(raw: memoryview | None, label: str, number: int) -> list[str]:
    """The ocid of every release state a line brings (read by the general path)."""
    if raw is None:
        return []
    found: list[str] = []
    for item in line_units(bytes(raw), label, number)[0]:
        states = unit_states(item) if isinstance(item, Unit) else None
        if isinstance(states, list):
            found.extend(ocid for ocid, _ in states)
    return found


class _Scan(msgspec.Struct, frozen=True):
    """What one part's range scan found for one part: the range's lines (line ends), the kind
    of each line up to its last non-blank one (a part index, :data:`_OTHER` or
    :data:`_BLANK`), and the counts of that part's ocids in the range (ocids are storable
    text, :func:`~vigie.sources.records.storable`, so msgpack takes them)."""

    lines: int
    kinds: bytes
    counts: dict[str, int]


def range_bounds(path: Path, count: int) -> list[int]:
    """Where the ``count`` ranges of a file start (and the last ends): cut in equal sizes, each
    cut moved to just after the next line end, so that no line is split."""
    return [_bound(path, index, count) for index in range(count + 1)]


def _bound(path: Path, index: int, count: int) -> int:
    """Where range ``index`` of ``count`` starts (``index == count``: the end of the file).
    The first line start at or after a cut never decreases as the cut moves on, so the
    ranges are in order, some perhaps empty."""
    size = path.stat().st_size
    if index >= count:
        return size
    with path.open("rb") as handle:
        return _line_start_from(handle, index * size // count, size)


def _line_start_from(handle: IO[bytes], offset: int, size: int) -> int:
    """The first line start at or after ``offset`` (``size`` when there is none)."""
    if offset <= 0:
        return 0
    handle.seek(offset - 1)
    position = offset - 1
    while chunk := handle.read(READ_CHUNK):
        found = chunk.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(chunk)
    return size


def _count_shared(path: Path, label: str, progress: ProgressFn | None, part: Part) -> OcidCounts:
    """The first pass shared by the parts through their exchange folder (see the module)."""
    folder = Path(str(part.exchange))
    bounds = (_bound(path, part.index, part.count), _bound(path, part.index + 1, part.count))
    scans = _scan_range(path, label, progress, part, bounds)
    for target, scan in enumerate(scans):
        if target != part.index:
            _leave(folder / f"scan-{part.index}-{target}", scan)
    found = [
        scans[part.index]
        if index == part.index
        else _wait_for(folder / f"scan-{index}-{part.index}")
        for index in range(part.count)
    ]
    return _gathered(found, part)


def _scan_range(
    path: Path, label: str, progress: ProgressFn | None, part: Part, bounds: tuple[int, int]
) -> list[_Scan]:
    """Scan this part's range of lines (``bounds``: start, end); what it found for each."""
    start, end = bounds
    counts: list[dict[str, int]] = [{} for _ in range(part.count)]
    kinds = bytearray()
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(start)
        reader = _RangeReader(handle, end - start)
        for number, view in line_views(reader, at_start=start == 0):
            if progress and number % PROGRESS_EVERY == 0:
                progress(size * reader.done // max(1, end - start))
            keys, fast = _line_keys(view, label, number)
            kinds.extend(bytes((_BLANK,)) * (number - 1 - len(kinds)))
            holders = [part_of(key, part.count) for key in keys]
            kinds.append(holders[0] if fast and keys[0] else _OTHER)
            for key, holder in zip(keys, holders, strict=True):
                held = counts[holder]
                held[key] = held.get(key, 0) + 1
    frozen = bytes(kinds)
    return [_Scan(reader.line_ends, frozen, held) for held in counts]


class _RangeReader:
    """Reads at most ``length`` bytes from where ``handle`` is, counting line ends."""

    def __init__(self, handle: IO[bytes], length: int) -> None:
        self._handle = handle
        self._left = length
        self.done = 0
        self.line_ends = 0

    def read(self, size: int = -1) -> bytes:
        wanted = self._left if size < 0 else min(size, self._left)
        chunk = self._handle.read(wanted) if wanted > 0 else b""
        self._left -= len(chunk)
        self.done += len(chunk)
        self.line_ends += chunk.count(b"\n")
        return chunk


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_Scan)


def _leave(path: Path, scan: _Scan) -> None:
    """Write a scan whole (the reader waits for the file's name to appear)."""
    partial = path.with_suffix(".partial")
    partial.write_bytes(_ENCODER.encode(scan))
    os.replace(partial, path)


def _wait_for(path: Path) -> _Scan:
    """The scan another part leaves at ``path``, once there. The parts run at once, stopped
    together when one fails, so this does not wait for a part that will never write."""
    while not path.exists():
        time.sleep(_WAIT_SECONDS)
    return _DECODER.decode(path.read_bytes())


def _gathered(scans: Sequence[_Scan], part: Part) -> OcidCounts:
    """This part's counts and line marks from every range's scan, in file order."""
    counts: dict[str, int] = {}
    for scan in scans:
        for key, value in scan.counts.items():
            counts[key] = counts.get(key, 0) + value
    table = bytes(
        _EVERY if kind in (part.index, _BLANK) else (_OTHER if kind == _OTHER else 0)
        for kind in range(256)
    )
    wanted = bytearray()
    base = 0  # the number of the line before the range's first
    for scan in scans:
        if scan.kinds:
            wanted.extend(b"\x03" * (base + 1 - len(wanted)))
            wanted.extend(scan.kinds.translate(table))
            other = scan.kinds.find(_OTHER)
            while other >= 0:
                number = base + 1 + other
                wanted[number] = _EVERY if part.owns_line(number) else LINE_READ
                other = scan.kinds.find(_OTHER, other + 1)
        base += scan.lines
    return OcidCounts(counts, wanted)
